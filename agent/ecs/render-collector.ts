/**
 * The OpenTelemetry collector that runs beside a Scalr agent in one Fargate task: it receives the
 * agent's OTLP over gRPC and ships it on. The agent never pushes to a backend itself: "set the
 * SCALR_AGENT_OTLP_ENDPOINT environment variable to the host:port address of your OpenTelemetry
 * collector – a gRPC server running an OTLP collector" (https://docs.scalr.io/docs/metrics).
 *
 * The collector is the AWS Distro for OpenTelemetry (ADOT) collector, configured through its
 * `AOT_CONFIG_CONTENT` environment variable: "The value of this variable is expected to be a full
 * Collector configuration file; it will override the config file used in the Collector entrypoint
 * command" (https://aws-otel.github.io/docs/setup/ecs/config-through-ssm; the collector reads it in
 * aws-observability/aws-otel-collector pkg/config/config_factory.go @ v0.49.0).
 */

/**
 * The ADOT collector image, pinned. ADOT's release workflow pushes every release tag `vX.Y.Z` to
 * `public.ecr.aws/aws-observability/aws-otel-collector:vX.Y.Z` for linux/amd64 and linux/arm64
 * (aws-observability/aws-otel-collector .github/workflows/CD.yml and CI.yml @ v0.49.0; release notes
 * docs/releases/v0.49.0.md, 2026-07-10).
 */
export const ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0";

/**
 * Where the collector receives the agent's OTLP/gRPC: loopback, port 4317 (the agent's default,
 * Scalr/agent-helm charts/agent-job/README.md "Metrics and Observability" @ cf283e1). Containers of
 * one Fargate task share its network namespace ("Containers that belong to the same task can also
 * communicate over the `localhost` interface",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html), so
 * the agent reaches it at this address and nothing outside the task can.
 */
export const COLLECTOR_OTLP_ENDPOINT = "localhost:4317";

/**
 * The port of OTLP/gRPC: "The default network port for OTLP/gRPC is 4317"
 * (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-default-port), the port the agent's charts
 * point at as well.
 */
export const COLLECTOR_OTLP_PORT = 4317;

/**
 * Where a shared collector service receives OTLP/gRPC: every address of its task's network
 * interface, port 4317. In `awsvpc` mode a Fargate task has its own elastic network interface
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html), so
 * "every address" is that interface and loopback; its security group decides who reaches it.
 */
export const COLLECTOR_SERVICE_LISTEN_ENDPOINT = `0.0.0.0:${COLLECTOR_OTLP_PORT}`;

/** The agent endpoints that mean the task-local collector. */
export const COLLECTOR_LOCAL_ENDPOINTS: readonly string[] = ["localhost:4317", "127.0.0.1:4317", "http://localhost:4317", "http://127.0.0.1:4317"];

/** The CloudWatch metrics namespace of the agent's metrics unless one is given. */
export const COLLECTOR_DEFAULT_NAMESPACE = "ScalrAgent";

/**
 * What the `awsemf` exporter calls on a log group that exists: `CreateLogStream` for its stream,
 * then `PutLogEvents`. It calls `CreateLogGroup` (and `PutRetentionPolicy`, `TagResource`) only when
 * the group is missing (open-telemetry/opentelemetry-collector-contrib internal/aws/cwlogs/cwlog_client.go,
 * vendored in aws-observability/aws-otel-collector @ v0.49.0); the kit declares the group with
 * retention, so those stay denied. ADOT's sample policy grants more (logs:*, X-Ray, SSM) on "*"
 * (https://aws-otel.github.io/docs/setup/ecs/create-iam-policy): this is the part the exporter uses.
 */
export const EMF_EXPORTER_LOG_ACTIONS: readonly string[] = ["logs:CreateLogStream", "logs:PutLogEvents"];

/** Where the collector sends what it receives. */
export type CollectorExporter =
  | {
      /** CloudWatch metrics through the Embedded Metric Format, written to a log group. */
      readonly kind: "cloudwatch";
      readonly namespace: string;
      readonly logGroupName: string;
    }
  | {
      /** Another OTLP/gRPC endpoint (a gateway collector or a backend). */
      readonly kind: "otlp";
      /** `host:port`, `https://host:port` (TLS) or `http://host:port` (plaintext). */
      readonly endpoint: string;
    };

/** Input of {@link renderCollectorConfig}. */
export interface CollectorConfigInput {
  readonly exporter: CollectorExporter;
  /** Forward metrics. */
  readonly metrics: boolean;
  /** Forward traces (OTLP exporter only: EMF carries metrics). */
  readonly traces: boolean;
  /**
   * The receiver's `host:port`: {@link COLLECTOR_OTLP_ENDPOINT} for a sidecar,
   * {@link COLLECTOR_SERVICE_LISTEN_ENDPOINT} for a service other hosts send to.
   * @default COLLECTOR_OTLP_ENDPOINT
   */
  readonly listenEndpoint?: string;
}

/**
 * The collector's configuration as an object (JSON is YAML, so `JSON.stringify` of it is a valid
 * collector configuration file). It holds no credential: the exporter authenticates with the task
 * role, and an OTLP endpoint takes none here.
 *
 * - receiver `otlp`, gRPC only, on `listenEndpoint` ({@link COLLECTOR_OTLP_ENDPOINT} unless given);
 * - processor `resourcedetection` with the `ecs` detector, which sets `aws.ecs.task.id`, the
 *   `{TaskId}` of the EMF log stream name (awsemfexporter README and util.go, vendored @ v0.49.0),
 *   then `batch`, flushed every 10 s so a one-run task loses little when it stops;
 * - exporter `awsemf` (namespace, log group, one stream per task, no dimension roll-up) or `otlp`.
 */
export function renderCollectorConfig(input: CollectorConfigInput): Record<string, unknown> {
  const ex = input.exporter;
  const exporters: Record<string, unknown> =
    ex.kind === "cloudwatch"
      ? {
          awsemf: {
            namespace: ex.namespace,
            log_group_name: ex.logGroupName,
            log_stream_name: "{TaskId}",
            dimension_rollup_option: "NoDimensionRollup",
          },
        }
      : { otlp: { endpoint: ex.endpoint.replace(/^https?:\/\//, ""), tls: { insecure: ex.endpoint.startsWith("http://") } } };
  const exporter = ex.kind === "cloudwatch" ? "awsemf" : "otlp";
  const pipelines: Record<string, unknown> = {};
  const pipeline = { receivers: ["otlp"], processors: ["resourcedetection", "batch"], exporters: [exporter] };
  if (input.metrics) pipelines.metrics = pipeline;
  if (input.traces) pipelines.traces = pipeline;
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: input.listenEndpoint ?? COLLECTOR_OTLP_ENDPOINT } } } },
    processors: {
      resourcedetection: { detectors: ["env", "ecs"] },
      batch: { timeout: "10s" },
    },
    exporters,
    service: { pipelines },
  };
}

/** {@link renderCollectorConfig} as the value of `AOT_CONFIG_CONTENT`. */
export function renderCollectorConfigContent(input: CollectorConfigInput): string {
  return JSON.stringify(renderCollectorConfig(input));
}
