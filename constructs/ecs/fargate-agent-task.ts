import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AgentSettings, ResolvedAgentSettings, resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { ImagePullCredentials } from "../../agent/settings/agent-image";
import { FARGATE_MAX_STOP_TIMEOUT_SECONDS, checkFargateSize, renderEcsContainerEnvironment } from "../../agent/ecs/render-ecs";
import {
  ADOT_COLLECTOR_IMAGE,
  COLLECTOR_DEFAULT_NAMESPACE,
  COLLECTOR_LOCAL_ENDPOINTS,
  COLLECTOR_OTLP_ENDPOINT,
  CollectorExporter,
  EMF_EXPORTER_LOG_ACTIONS,
  renderCollectorConfigContent,
} from "../../agent/ecs/render-collector";
import { IssueCollector } from "../../core/issues";
import { KitValidationError, isToken, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { terraformJson } from "../../core/terraform-json";
import { AgentRuntime, checkTokenSource } from "../runtime/agent-runtime";
import { ecrPullStatements } from "../image/ecr-pull-permissions";
import { SHARED_CACHE_CLIENT_ACTIONS, SHARED_CACHE_POSIX_ID, SHARED_CACHE_ROOT, SharedProviderCache } from "./shared-provider-cache";

/** {@link AgentSettings} for Fargate: the shutdown grace period is the container's `stopTimeoutSeconds`. */
export type FargateAgentSettings = Omit<AgentSettings, "shutdown"> & {
  /** Shutdown mode; its grace period is `stopTimeoutSeconds`. @default { mode: "drain" } */
  readonly shutdown?: { readonly mode?: "drain" | "graceful" | "force" };
};

/** Props of {@link FargateAgentTask}. */
export interface FargateAgentTaskProps {
  /** Name of the task family, log group (`/ecs/<name>`), roles and security group. */
  readonly name: string;
  /**
   * The agent. `token` is a Terraform value (stored in a Secrets Manager secret this construct
   * creates) or `AgentTokenSource.fromAwsSecretsManager(arn)`.
   */
  readonly settings: FargateAgentSettings;
  /** VPC of the tasks' security group. */
  readonly vpcId: string;
  /** Fargate CPU units. @default 2048 */
  readonly cpu?: number;
  /** Fargate memory (MiB), one Fargate offers with `cpu`. @default 4096 */
  readonly memoryMiB?: number;
  /** @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /**
   * Seconds between SIGTERM and SIGKILL (Fargate allows at most 120): the agent's shutdown grace
   * period. `drain` needs the full 120.
   * @default 120
   */
  readonly stopTimeoutSeconds?: number;
  /** Log retention in days. @default 30 */
  readonly logRetentionDays?: number;
  /**
   * Subnets of the tasks: where `sharedCache: true` puts its EFS mount targets.
   * @default - none; required with a `sharedCache` that creates its file system
   */
  readonly subnetIds?: readonly string[];
  /**
   * A provider and binary cache on EFS shared by every agent of the pool, mounted at
   * `settings.cacheDir` (default {@link SHARED_CACHE_MOUNT_PATH}) with the agent's provider cache
   * on (docs/decisions/0012-shared-provider-cache.md):
   * - `true`: a new encrypted file system with mount targets in `subnetIds`, an access point and a
   *   file system policy admitting only these agents, over TLS;
   * - `{ fileSystemId }`: an existing file system (its mount targets must admit NFS from the agents'
   *   security group, its policy the task role); an access point is created on it unless
   *   `accessPointId` names one.
   * @default false
   */
  readonly sharedCache?: boolean | FargateSharedCacheOptions;
  /**
   * An OpenTelemetry collector beside the agent in every task (the AWS Distro for OpenTelemetry
   * collector, {@link ADOT_COLLECTOR_IMAGE}) that receives the agent's metrics over OTLP/gRPC on
   * `localhost:4317` and ships them on. `settings.telemetry` defaults to that endpoint.
   * - `true`: CloudWatch metrics in the namespace `ScalrAgent`, written as EMF to the log group
   *   `/ecs/<name>/metrics` (retention `logRetentionDays`) with the task role;
   * - `{ image?, namespace?, exporter? }`: another image, namespace, or `exporter: { otlpEndpoint }`
   *   to forward metrics (and traces) to an OTLP/gRPC endpoint instead.
   * The collector is not essential: if it stops, the agent keeps running, and a task stops when
   * its agent does. See docs/ecs.md, "Agent metrics".
   * @default false
   */
  readonly collector?: boolean | FargateCollectorOptions;
}

/** Options of {@link FargateAgentTaskProps.collector}. */
export interface FargateCollectorOptions {
  /** The collector image (an ADOT collector build: the kit configures it with `AOT_CONFIG_CONTENT`). @default ADOT_COLLECTOR_IMAGE */
  readonly image?: string;
  /** Where the collector ships: CloudWatch (EMF), or an OTLP/gRPC endpoint. @default "cloudwatch" */
  readonly exporter?: "cloudwatch" | FargateCollectorOtlpExporter;
  /** CloudWatch metrics namespace (with `exporter: "cloudwatch"`). @default "ScalrAgent" */
  readonly namespace?: string;
}

/** An OTLP/gRPC endpoint the collector forwards to. */
export interface FargateCollectorOtlpExporter {
  /**
   * `host:port` or `https://host:port` (TLS), or `http://host:port` (plaintext, for a gateway in
   * the VPC). No headers: an endpoint that needs an API key is reached through a gateway collector
   * that holds it.
   */
  readonly otlpEndpoint: string;
}

/** Options of {@link FargateAgentTaskProps.sharedCache}. */
export interface FargateSharedCacheOptions {
  /** An existing EFS file system (`fs-…`) instead of a new one. @default - a new file system */
  readonly fileSystemId?: string;
  /** An existing access point (`fsap-…`) of `fileSystemId`. @default - a new access point (uid/gid 1000) */
  readonly accessPointId?: string;
  /** Subnets of the new file system's mount targets, one per Availability Zone. @default - the agents' `subnetIds` */
  readonly subnetIds?: readonly string[];
  /** KMS key (ARN) encrypting the new file system at rest. @default - the AWS managed key `aws/elasticfilesystem` */
  readonly kmsKeyArn?: string;
}

/** Where the shared cache is mounted in the agent's container unless `settings.cacheDir` says otherwise. */
export const SHARED_CACHE_MOUNT_PATH = "/var/lib/scalr-agent/cache";

/**
 * The provider cache's soft limit (MiB) the kit sets with `sharedCache` unless
 * `settings.cache.providerCacheSizeLimitMiB` is given: the 40Gi of Scalr's agent-job chart
 * (`agent.providerCache.sizeLimit`, Scalr/agent-helm charts/agent-job/values.yaml @ cf283e1), the bound
 * Scalr's EFS guide names as "the real bound on cache growth" of an elastic file system
 * (charts/agent-job/docs/cache-persistence-efs.md @ cf283e1).
 */
export const SHARED_CACHE_DEFAULT_SIZE_LIMIT_MIB = 40960;

const SUBNET_ID = tokenOr(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet ID such as "subnet-0abc1234"' }));
const NAME = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;
/** host:port, optionally after http:// or https:// (a DNS name, IPv4 or bracketed IPv6 host). */
const OTLP_ENDPOINT = /^(?:https?:\/\/)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):([1-9][0-9]{0,4})$/;
/** A container image reference: registry/repository with a tag or digest (pinned, as the kit's own image is). */
const PINNED_IMAGE = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64}|:[\w][\w.-]{0,127}@sha256:[a-f0-9]{64})$/;
/**
 * CloudWatch metric namespaces: 1–255 characters, "alphanumeric characters (0-9A-Za-z), period (.),
 * hyphen (-), underscore (_), forward slash (/), hash (#), colon (:), and the space character", not
 * starting with "AWS/" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html, Namespace).
 */
const NAMESPACE = /^(?!AWS\/)[0-9A-Za-z._/#: -]{1,255}$/;
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A CloudWatch Logs retention in days, one of the values the service accepts. */
export const logRetentionDaysSchema = z
  .number()
  .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { error: `must be a CloudWatch retention: ${RETENTION_DAYS.join(", ")}` });

/**
 * The fields of {@link FargateCollectorOptions}, each optional: the sidecar's `collector` and
 * AgentCollectorService take the same image, exporter and namespace, with the same messages.
 */
export const collectorOptionsShape = {
  image: z.string().regex(PINNED_IMAGE, { error: "must be an image reference with a tag or digest, such as public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0" }).optional(),
  exporter: z
    .union(
      [
        z.literal("cloudwatch"),
        strictProps({
          otlpEndpoint: z.string().refine((s) => OTLP_ENDPOINT.test(s) && Number(OTLP_ENDPOINT.exec(s)?.[1]) <= 65535, {
            error: "must be an OTLP/gRPC address, host:port, https://host:port or http://host:port",
          }),
        }),
      ],
      { error: 'must be "cloudwatch" or { otlpEndpoint }' },
    )
    .optional(),
  namespace: z.string().regex(NAMESPACE, { error: "must be a CloudWatch namespace: 1–255 of letters, digits, '.', '-', '_', '/', '#', ':' or space, not starting with \"AWS/\"" }).optional(),
};

/** A subnet ID (`subnet-…`) or a Terraform reference. */
export const subnetIdSchema = SUBNET_ID;

/** Shape shared by every Fargate agent construct. */
export const fargateAgentShape = {
  name: z.string().regex(NAME, { error: "must be 1–32 letters, digits or '-', starting with a letter" }),
  settings: z.record(z.string(), z.unknown(), { error: "must be an object of agent settings" }),
  vpcId: tokenOr(z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC ID such as "vpc-0abc1234"' })),
  cpu: literalIntInRange(256, 16384).default(2048),
  memoryMiB: literalIntInRange(512, 122880).default(4096),
  cpuArchitecture: z.enum(["X86_64", "ARM64"]).default("X86_64"),
  stopTimeoutSeconds: literalIntInRange(2, FARGATE_MAX_STOP_TIMEOUT_SECONDS).default(FARGATE_MAX_STOP_TIMEOUT_SECONDS),
  logRetentionDays: logRetentionDaysSchema.default(30),
  sharedCache: z
    .union(
      [
        z.boolean(),
        strictProps({
          fileSystemId: tokenOr(z.string().regex(/^fs-[0-9a-f]{8,40}$/, { error: 'must be an EFS file system ID such as "fs-0abc1234"' })).optional(),
          accessPointId: tokenOr(z.string().regex(/^fsap-[0-9a-f]{8,40}$/, { error: 'must be an EFS access point ID such as "fsap-0abc1234"' })).optional(),
          subnetIds: z.array(SUBNET_ID, { error: "must be a list of subnet IDs" }).min(1, { error: "must list at least one subnet" }).optional(),
          kmsKeyArn: tokenOr(z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, { error: "must be a KMS key ARN" })).optional(),
        }),
      ],
      { error: "must be true, false or { fileSystemId?, accessPointId?, subnetIds?, kmsKeyArn? }" },
    )
    .default(false),
  collector: z
    .union(
      [
        z.boolean(),
        strictProps(collectorOptionsShape),
      ],
      { error: "must be true, false or { image?, exporter?, namespace? }" },
    )
    .default(false),
};

const propsSchema = strictProps({
  ...fargateAgentShape,
  subnetIds: z.array(SUBNET_ID, { error: "must be a list of subnet IDs" }).min(1, { error: "must list at least one subnet" }).optional(),
});

/**
 * What the ECS constructs take from a pool and a token: run pools only (a Fargate agent runs
 * tasks), and a token ECS can inject from Secrets Manager (a Terraform value goes into a secret the
 * task creates). Anything else as the token, not only another source, gets the ECS message.
 */
export const ECS_AGENT_RUNTIME: AgentRuntime = {
  poolKinds: { accepted: ["run"], message: "must be a run pool: VCS agents do not run on ECS here" },
  // `settings.poolKind` is left to AgentSettings' own rules on ECS.
  poolKindMatchesPool: false,
  tokenSources: {
    accepted: ["terraform", "aws-secrets-manager"],
    message: "must be a Terraform value (stored in a Secrets Manager secret) or AgentTokenSource.fromAwsSecretsManager(arn) on ECS",
    strict: true,
  },
};

/** The parsed props {@link checkFargateAgent} reads. */
type FargateAgentChecked = Pick<z.output<typeof propsSchema>, "cpu" | "memoryMiB" | "stopTimeoutSeconds" | "sharedCache"> & {
  readonly subnetIds?: readonly string[];
  readonly collector?: z.output<typeof propsSchema>["collector"];
};

/**
 * Checks a Fargate agent into `issues`, before anything is created: the CPU/memory pair, Fargate's
 * rules for the shutdown and the driver, and the settings as the task will run them (token as
 * given, `driver` "local", the grace period from `stopTimeoutSeconds`). FargateAgentTask runs it,
 * and so do the constructs built on it, so their one error lists every problem of their props.
 *
 * @param raw the `settings` prop as given (read only when it is an object)
 * @param settings `raw` with the token to check it with (a stand-in for a missing or rejected one);
 *   undefined when the props schema rejected the settings
 */
export function checkFargateAgent(issues: IssueCollector, p: FargateAgentChecked, raw: unknown, settings: FargateAgentSettings | undefined, single?: boolean): void {
  issues.rule(["cpu", "memoryMiB"], () => {
    const found = checkFargateSize(p.cpu, p.memoryMiB, { cpu: "cpu", memory: "memoryMiB" });
    if (found.length > 0) throw new KitValidationError(issues.ctx.subject, found);
  });
  // Settings that are no object at all were reported by the props schema.
  if (typeof raw !== "object" || raw === null) return;
  const given = raw as FargateAgentSettings;
  const mode = given.shutdown?.mode ?? "drain";
  issues.rule(["settings.shutdown"], () => {
    const grace = (given.shutdown as { gracePeriodSeconds?: unknown } | undefined)?.gracePeriodSeconds;
    if (grace !== undefined) issues.add("settings.shutdown.gracePeriodSeconds", "is `stopTimeoutSeconds` on Fargate: set that instead", grace);
  });
  issues.rule(["stopTimeoutSeconds"], () => {
    if (mode === "drain" && p.stopTimeoutSeconds < FARGATE_MAX_STOP_TIMEOUT_SECONDS) {
      issues.add(
        "stopTimeoutSeconds",
        `must be ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} with \`settings.shutdown.mode\` "drain" (drain needs at least 120 s; Fargate allows at most 120), or use mode "graceful"`,
        p.stopTimeoutSeconds,
      );
    }
  });
  issues.rule(["settings.driver"], () => {
    if (given.driver !== undefined && given.driver !== "local") issues.add("settings.driver", 'must be "local" (or unset) on Fargate: tasks cannot start containers', given.driver);
  });
  // The local driver runs every task as a subprocess in the agent's own container: concurrent runs
  // would share its filesystem, environment and memory. Scalr's own chart for the local driver pins
  // SCALR_AGENT_CONCURRENCY to "1" beside SCALR_AGENT_DRIVER=local
  // (Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ cf283e1) and says "The concurrency
  // of each agent instance is limited to 1. To scale concurrency, the recommended approach is to
  // increase the replicaCount" (charts/agent-local/README.md @ cf283e1). https://docs.scalr.io/docs/drivers
  // ("The local driver executes all workloads locally without any isolation"); its sentence "The local
  // driver is best used with …" is cut off in the copy we could read (unverified tail).
  issues.rule([], () => {
    const concurrency = given.concurrency;
    if (typeof concurrency === "number" && !isToken(concurrency) && concurrency > 1) {
      issues.add(
        "settings.concurrency",
        "must be 1 (or unset) on Fargate: the local driver runs every task inside the agent's own container, sharing its filesystem, environment and memory (Scalr's agent-local chart pins it to 1); run more agents instead — `desiredCount` or `autoscaling` on EcsAgentService, more tasks otherwise",
        concurrency,
      );
    }
  });
  // `containerTask` sizes and configures the containers the docker and kubernetes drivers start per
  // task; the local driver starts none (https://docs.scalr.io/docs/drivers; Scalr's agent-local chart
  // sets no SCALR_AGENT_CONTAINER_TASK_* variable: Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ cf283e1).
  issues.rule([], () => {
    if (given.containerTask !== undefined) {
      issues.add(
        "settings.containerTask",
        "has no effect with the local driver, the only driver on Fargate: runs execute inside the agent's container, not in task containers; size the task with `cpu` and `memoryMiB`, and remove `containerTask`",
        given.containerTask,
      );
    }
  });
  // ECS pulls a private image with credentials from Secrets Manager only (`repositoryCredentials`,
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html).
  issues.rule([], () => {
    const image = given.image as { credentials?: unknown } | undefined;
    const credentials = typeof image === "object" && image !== null ? image.credentials : undefined;
    if (credentials instanceof ImagePullCredentials && credentials.kind !== "aws-secrets-manager") {
      issues.add(
        "settings.image.credentials",
        "must be ImagePullCredentials.fromAwsSecretsManager(arn) on ECS: ECS reads registry credentials from a Secrets Manager secret (repositoryCredentials); a Kubernetes Secret serves HelmAgent only",
        credentials.toString(),
      );
    }
  });
  checkSharedCache(issues, p, given);
  checkCollector(issues, p, given);
  // The settings as the task runs them: the driver and the grace period are the task's (a rejected
  // stop timeout counts as Fargate's longest), so a problem there keeps nothing else from being checked.
  // Fields reported above are left out, so each mistake is reported once.
  if (settings) {
    const stopTimeout = issues.has("stopTimeoutSeconds") ? FARGATE_MAX_STOP_TIMEOUT_SECONDS : p.stopTimeoutSeconds;
    const checked = withoutReported(issues, settings);
    const cached = issues.has("sharedCache") ? false : p.sharedCache !== false;
    const collected = !issues.has("collector") && p.collector !== undefined && p.collector !== false;
    issues.rule([], () =>
      resolveAgentSettings(fargateSettings(checked, checked.token, stopTimeout, single, cached, collected), { subject: issues.ctx.subject, fieldPrefix: "settings" }),
    );
  }
}

/** `sharedCache` against the other props and the settings (run by {@link checkFargateAgent}). */
function checkSharedCache(issues: IssueCollector, p: FargateAgentChecked, given: FargateAgentSettings): void {
  issues.rule(["sharedCache"], () => {
    const cache = p.sharedCache;
    if (cache === false) return;
    // The shared cache is the agent's provider cache: turning that off leaves the file system unused.
    if (given.cache?.providerCacheEnabled === false) {
      issues.add("settings.cache.providerCacheEnabled", "must be true (or unset) with `sharedCache`: the shared file system holds the agent's provider cache", false);
    }
    const options = cache === true ? {} : cache;
    if (options.fileSystemId === undefined) {
      if (options.accessPointId !== undefined) issues.add("sharedCache.accessPointId", "needs `sharedCache.fileSystemId`, the file system the access point belongs to", options.accessPointId);
      const subnets = options.subnetIds ?? p.subnetIds;
      if (subnets === undefined) {
        issues.add("sharedCache", "needs `subnetIds` (or `sharedCache.subnetIds`): the subnets of the file system's mount targets", cache);
        return;
      }
      // EFS allows one mount target per Availability Zone (https://docs.aws.amazon.com/efs/latest/ug/accessing-fs.html);
      // the zones of subnet IDs are not known at synth time, so only repeated IDs are caught here.
      const literal = subnets.filter((s) => !isToken(s));
      const repeated = literal.filter((s, i) => literal.indexOf(s) !== i);
      if (repeated.length > 0) {
        issues.add(options.subnetIds ? "sharedCache.subnetIds" : "subnetIds", "must not repeat a subnet: each gets one EFS mount target, and EFS allows one per Availability Zone", repeated[0]);
      }
    } else {
      for (const field of ["subnetIds", "kmsKeyArn"] as const) {
        if (options[field] !== undefined) {
          issues.add(`sharedCache.${field}`, "applies only to a file system the kit creates: leave it out with `sharedCache.fileSystemId` (the existing file system has its own mount targets and key)", options[field]);
        }
      }
    }
  });
}

/** `collector` against the settings (run by {@link checkFargateAgent}). */
function checkCollector(issues: IssueCollector, p: FargateAgentChecked, given: FargateAgentSettings): void {
  issues.rule(["collector"], () => {
    const collector = p.collector;
    if (collector === undefined || collector === false) return;
    const telemetry = given.telemetry as { otlpEndpoint?: unknown; traces?: unknown; metrics?: unknown } | undefined;
    if (typeof telemetry !== "object" || telemetry === null) return;
    const endpoint = telemetry.otlpEndpoint;
    // The sidecar listens on the task's loopback only; an agent pointed elsewhere would leave it idle.
    if (typeof endpoint === "string" && !isToken(endpoint) && !COLLECTOR_LOCAL_ENDPOINTS.includes(endpoint)) {
      issues.add(
        "settings.telemetry.otlpEndpoint",
        `must be "${COLLECTOR_OTLP_ENDPOINT}" (or \`telemetry\` unset) with \`collector\`: the collector listens on the task's loopback; to send to your own collector, set \`collector: false\` or \`collector.exporter: { otlpEndpoint }\``,
        endpoint,
      );
    }
    // EMF carries metrics only (awsemfexporter README: "Stability | beta: metrics").
    const exporter = collector === true ? "cloudwatch" : (collector.exporter ?? "cloudwatch");
    // Named as the collector's field: the exporter is what cannot carry what the agent sends.
    if (exporter === "cloudwatch" && telemetry.traces === true) {
      issues.add(
        collector === true ? "collector" : "collector.exporter",
        'exports to CloudWatch (EMF), which carries metrics only, but `settings.telemetry.traces` is true: forward traces with `collector.exporter: { otlpEndpoint }`, or set `settings.telemetry.traces` to false',
        collector === true ? true : (collector.exporter ?? "cloudwatch"),
      );
    }
  });
  issues.rule(["collector"], () => {
    const collector = p.collector;
    if (typeof collector === "object" && collector.namespace !== undefined && collector.exporter !== undefined && collector.exporter !== "cloudwatch") {
      issues.add("collector.namespace", 'applies to `exporter: "cloudwatch"` only: the OTLP exporter forwards metrics as they are', collector.namespace);
    }
  });
}

/** `settings` without the fields {@link checkFargateAgent} already reported (so AgentSettings' own rules do not repeat them). */
function withoutReported(issues: IssueCollector, settings: FargateAgentSettings): FargateAgentSettings {
  const out: Record<string, unknown> = { ...settings };
  if (issues.has("settings.concurrency")) delete out.concurrency;
  if (issues.has("settings.containerTask")) delete out.containerTask;
  if (issues.has("settings.image.credentials") && typeof settings.image === "object" && settings.image !== null) {
    const image: Record<string, unknown> = { ...settings.image };
    delete image.credentials;
    out.image = image;
  }
  return out as FargateAgentSettings;
}

/**
 * Docker Hub limits anonymous pulls: "Unauthenticated users | 100 per IPv4 address or IPv6 /64
 * subnet" per 6 hours (https://docs.docker.com/docker-hub/usage/pulls/). Every per-run task pulls
 * the image again, and past the limit ECS stops the task with CannotPullContainerError — after Scalr
 * got its 2xx for the delivery. Tasks behind one NAT gateway share its address.
 */
export const DOCKER_HUB_ANONYMOUS_PULL_WARNING =
  "is pulled anonymously from Docker Hub by every per-run task; Docker Hub allows unauthenticated users 100 pulls per 6 hours per IPv4 address or IPv6 /64 (tasks behind one NAT share one address), and past it ECS stops tasks with CannotPullContainerError after Scalr got its 202 (https://docs.docker.com/docker-hub/usage/pulls/). Pull through an ECR pull-through cache (`settings.image: new AgentImageMirror(…).agentImage()`), or give `settings.image.credentials: ImagePullCredentials.fromAwsSecretsManager(arn)` of a Docker Hub account";

/** The AgentSettings a Fargate agent runs with: the local driver, and `stopTimeoutSeconds` as the grace period. */
function fargateSettings(
  raw: FargateAgentSettings,
  token: AgentTokenSource,
  stopTimeoutSeconds: number,
  single: boolean | undefined,
  sharedCache: boolean,
  collector: boolean,
): AgentSettings {
  // With the shared cache the agent's cache directory is the EFS mount and its provider cache is on
  // (SCALR_AGENT_CACHE_DIR, SCALR_AGENT_PROVIDER_CACHE_ENABLED, SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB:
  // https://docs.scalr.io/docs/configuration, https://docs.scalr.io/docs/providers-cache).
  const cache: Partial<AgentSettings> = sharedCache
    ? {
        cacheDir: raw.cacheDir ?? SHARED_CACHE_MOUNT_PATH,
        cache: { ...raw.cache, providerCacheEnabled: true, providerCacheSizeLimitMiB: raw.cache?.providerCacheSizeLimitMiB ?? SHARED_CACHE_DEFAULT_SIZE_LIMIT_MIB },
      }
    : {};
  // With the collector the agent exports to it unless `telemetry` says more (metrics on by default).
  const telemetry: Partial<AgentSettings> = collector && raw.telemetry === undefined ? { telemetry: { otlpEndpoint: COLLECTOR_OTLP_ENDPOINT } } : {};
  return {
    ...raw,
    ...cache,
    ...telemetry,
    token,
    driver: "local",
    single: single ?? raw.single,
    shutdown: { mode: raw.shutdown?.mode ?? "drain", gracePeriodSeconds: stopTimeoutSeconds },
  };
}

/** The {@link FargateAgentTask} props a construct built on it passes through from its own parsed props. */
export function fargateTaskProps(
  p: Pick<Required<FargateAgentTaskProps>, "name" | "vpcId" | "cpu" | "memoryMiB" | "cpuArchitecture" | "stopTimeoutSeconds" | "logRetentionDays" | "sharedCache"> &
    Pick<FargateAgentTaskProps, "subnetIds" | "collector">,
  settings: FargateAgentSettings,
): FargateAgentTaskProps {
  const { name, vpcId, cpu, memoryMiB, cpuArchitecture, stopTimeoutSeconds, logRetentionDays, subnetIds, sharedCache, collector } = p;
  return { name, vpcId, cpu, memoryMiB, cpuArchitecture, stopTimeoutSeconds, logRetentionDays, subnetIds, sharedCache, collector, settings };
}

/**
 * A Fargate task definition running `scalr/agent` from one {@link AgentSettings}, with what it needs
 * and nothing more: the token in Secrets Manager (injected through `secrets`, never `environment`),
 * an execution role that can read only that secret and write only its log group, an empty task
 * role, a log group with retention and a security group without ingress. Building block of
 * ServerlessAgentPool and EcsAgentService.
 */
export class FargateAgentTask extends Construct {
  /** The task definition (escape hatch). */
  public readonly taskDefinition: EcsTaskDefinition;
  /** Role ECS uses to pull the image, read the token secret and write logs. */
  public readonly executionRole: IamRole;
  /** Role the agent and its runs assume; add the permissions runs need. */
  public readonly taskRole: IamRole;
  /** `/ecs/<name>`. */
  public readonly logGroup: CloudwatchLogGroup;
  /** ARN of the task definition, revision included (for `aws ecs run-task --task-definition`). */
  public readonly taskDefinitionArn: string;
  /** Name of the agents' log group, `/ecs/<name>` (for `aws logs tail`). */
  public readonly logGroupName: string;
  /** Security group of the tasks: egress only. */
  public readonly securityGroup: SecurityGroup;
  /** The secret holding the token, when the token is a Terraform value. */
  public readonly tokenSecret?: SecretsmanagerSecret;
  /** The settings as resolved (token as a Secrets Manager reference). */
  public readonly settings: ResolvedAgentSettings;
  /** The container's name in the task definition. */
  public readonly containerName = "agent";
  /** The collector's container name in the task definition, with `collector`. */
  public readonly collectorContainerName?: string;
  /** The log group the collector writes the agent's metrics to (EMF), with `collector` exporting to CloudWatch. */
  public readonly metricsLogGroup?: CloudwatchLogGroup;
  /** The shared cache's file system, access point and network, when `sharedCache` created them. */
  public readonly sharedCache?: SharedProviderCache;
  /** ID of the file system holding the shared cache, with `sharedCache`. */
  public readonly sharedCacheFileSystemId?: string;
  /** ID of the access point the agents mount, with `sharedCache`. */
  public readonly sharedCacheAccessPointId?: string;
  /** AWS partition, region and account of the stack. */
  public readonly partition: DataAwsPartition;
  public readonly region: DataAwsRegion;
  public readonly account: DataAwsCallerIdentity;

  /**
   * @param extra for constructs built on this one: `single` for one-task agents, `subject`, the
   * construct path errors and warnings name (the user's construct, `scope`, not this child), and
   * `persistent` for a long-running service (its tasks pull the image once per deployment, not per run)
   */
  public constructor(
    scope: Construct,
    id: string,
    props: FargateAgentTaskProps,
    extra: { readonly single?: boolean; readonly subject?: string; readonly persistent?: boolean } = {},
  ) {
    super(scope, id);
    const subject = extra.subject ?? this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    const raw = props?.settings;
    const settings = issues.has("settings") ? undefined : { ...raw, token: checkTokenSource(issues, raw.token, ECS_AGENT_RUNTIME) as AgentTokenSource };
    checkFargateAgent(issues, p, raw, settings, extra.single);
    issues.throwIfAny();
    const token = raw.token;

    this.partition = new DataAwsPartition(this, "Partition", {});
    this.region = new DataAwsRegion(this, "Region", {});
    this.account = new DataAwsCallerIdentity(this, "Account", {});

    let secretSource = token;
    if (token.kind === "terraform" && token.value !== undefined) {
      this.tokenSecret = new SecretsmanagerSecret(this, "TokenSecret", {
        namePrefix: `${p.name}-agent-token-`,
        description: `Scalr agent pool token for ${p.name} (read by ECS at task start)`,
      });
      new SecretsmanagerSecretVersion(this, "TokenSecretValue", { secretId: this.tokenSecret.id, secretString: token.value });
      secretSource = AgentTokenSource.fromAwsSecretsManager(this.tokenSecret.arn);
    }

    this.settings = resolveAgentSettings(fargateSettings(raw, secretSource, p.stopTimeoutSeconds, extra.single, p.sharedCache !== false, p.collector !== false), {
      subject,
      fieldPrefix: "settings",
    });
    const container = renderEcsContainerEnvironment(this.settings, { subject, fieldPrefix: "settings" });
    const image = this.settings.image;
    // Checked by checkFargateAgent: only Secrets Manager credentials reach here.
    const pullSecretArn = image.credentials?.kind === "aws-secrets-manager" ? image.credentials.reference : undefined;
    if (image.dockerHub && image.credentials === undefined && extra.persistent !== true) {
      Annotations.of(extra.subject !== undefined ? scope : this).addWarning(`${subject}: \`settings.image\` ${DOCKER_HUB_ANONYMOUS_PULL_WARNING}`);
    }

    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", { name: `/ecs/${p.name}`, retentionInDays: p.logRetentionDays });

    const assumeByEcsTasks = terraformJson({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          // Only tasks of this account may assume the roles (confused-deputy protection).
          Condition: { StringEquals: { "aws:SourceAccount": this.account.accountId } },
        },
      ],
    });
    this.executionRole = new IamRole(this, "ExecutionRole", {
      name: `${p.name}-agent-execution`,
      description: "ECS pulls the Scalr agent image, reads its token secret and writes its logs",
      assumeRolePolicy: assumeByEcsTasks,
    });
    const secretArn = secretSource.secretArn as string;
    new IamRolePolicy(this, "ExecutionPolicy", {
      role: this.executionRole.id,
      name: "agent-execution",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          { Sid: "ReadTokenSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretResource(secretArn)] },
          { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:*`] },
          // Registry credentials: "the task execution role … must have secretsmanager:GetSecretValue"
          // on the secret named by repositoryCredentials, and nothing more is needed unless the secret
          // uses a customer managed KMS key (kms:Decrypt; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html).
          ...(pullSecretArn !== undefined
            ? [{ Sid: "ReadImagePullSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretResource(pullSecretArn)] }]
            : []),
          // An ECR image (a repository you fill, or AgentImageMirror's pull-through cache): ECS pulls
          // it with the execution role, which gets exactly the pull actions on that repository (and
          // the import of the first pull through a cache); see constructs/image/ecr-pull-permissions.ts.
          ...ecrPullStatements(image, this.partition.partition),
        ],
      }),
    });
    this.taskRole = new IamRole(this, "TaskRole", {
      name: `${p.name}-agent-task`,
      description: "Role of the Scalr agent and its runs (no permissions by default)",
      assumeRolePolicy: assumeByEcsTasks,
    });

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${p.name}-agent`,
      description: "Scalr agent tasks: outbound only (Scalr, registries, providers)",
      vpcId: p.vpcId,
      ingress: [],
      egress: [{ description: "All outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
    });

    const mounted = p.sharedCache === false ? undefined : this.mountSharedCache(p.name, p.vpcId, p.subnetIds, p.sharedCache);
    const volume = mounted?.volume;
    this.sharedCache = mounted?.cache;
    this.sharedCacheFileSystemId = mounted?.fileSystemId;
    this.sharedCacheAccessPointId = mounted?.accessPointId;

    const collector = p.collector === false ? undefined : this.addCollector(p.name, p.logRetentionDays, p.collector);
    this.collectorContainerName = collector?.name;
    this.metricsLogGroup = collector?.logGroup;

    this.taskDefinition = new EcsTaskDefinition(this, "Resource", {
      family: p.name,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(p.cpu),
      memory: String(p.memoryMiB),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: p.cpuArchitecture },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      volume: volume ? [volume] : undefined,
      containerDefinitions: terraformJson([
        {
          name: this.containerName,
          // A user-given digest is part of the reference and renders as given.
          image: image.reference,
          ...(pullSecretArn !== undefined ? { repositoryCredentials: { credentialsParameter: pullSecretArn } } : {}),
          essential: true,
          environment: container.environment,
          secrets: container.secrets,
          stopTimeout: p.stopTimeoutSeconds,
          ...(volume ? { mountPoints: [{ sourceVolume: volume.name, containerPath: this.settings.cacheDir, readOnly: false }] } : {}),
          // The agent starts once the collector has started, and at stop ECS reverses the order: the
          // collector outlives the agent's drain ("When a dependency is defined for container startup,
          // for container shutdown it is reversed",
          // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDependency.html).
          ...(collector ? { dependsOn: [{ containerName: collector.name, condition: "START" }] } : {}),
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": this.logGroup.name, "awslogs-region": this.region.region, "awslogs-stream-prefix": "agent" },
          },
        },
        ...(collector ? [collector.definition] : []),
      ]),
    });
    this.taskDefinitionArn = this.taskDefinition.arn;
    this.logGroupName = this.logGroup.name;
  }

  /**
   * The collector's container definition and, exporting to CloudWatch, its metrics log group and the
   * task role's permission to write there (the collector calls AWS with the task role).
   */
  private addCollector(
    name: string,
    retentionDays: number,
    options: true | FargateCollectorOptions,
  ): { name: string; definition: Record<string, unknown>; logGroup?: CloudwatchLogGroup } {
    const o: FargateCollectorOptions = options === true ? {} : options;
    const target = o.exporter ?? "cloudwatch";
    let exporter: CollectorExporter;
    let logGroup: CloudwatchLogGroup | undefined;
    if (target === "cloudwatch") {
      const logGroupName = `/ecs/${name}/metrics`;
      logGroup = new CloudwatchLogGroup(this, "MetricsLogGroup", { name: logGroupName, retentionInDays: retentionDays });
      exporter = { kind: "cloudwatch", namespace: o.namespace ?? COLLECTOR_DEFAULT_NAMESPACE, logGroupName };
      new IamRolePolicy(this, "CollectorPolicy", {
        role: this.taskRole.id,
        name: "agent-metrics",
        policy: terraformJson({
          Version: "2012-10-17",
          Statement: [{ Sid: "WriteMetricsLogs", Effect: "Allow", Action: [...EMF_EXPORTER_LOG_ACTIONS], Resource: [`${logGroup.arn}:*`] }],
        }),
      });
    } else {
      exporter = { kind: "otlp", endpoint: target.otlpEndpoint };
    }
    const telemetry = this.settings.telemetry;
    const config = renderCollectorConfigContent({ exporter, metrics: telemetry?.metrics ?? true, traces: telemetry?.traces ?? false });
    const containerName = "otel-collector";
    return {
      name: containerName,
      logGroup,
      definition: {
        name: containerName,
        image: o.image ?? ADOT_COLLECTOR_IMAGE,
        // Not essential: a collector that crashes leaves the agent and its runs alone, and the task
        // still stops when the agent (its one essential container) stops: "If the essential parameter
        // of a container is marked as true, and that container fails or stops for any reason, all
        // other containers that are part of the task are stopped. If the essential parameter of a
        // container is marked as false, its failure doesn't affect the rest of the containers in a task"
        // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html, essential).
        essential: false,
        // The whole configuration: no credential (the exporter signs with the task role).
        environment: [
          { name: "AOT_CONFIG_CONTENT", value: config },
          // awsemf "region": "If this field is not present in config, environment variable
          // "AWS_REGION" can then be used to set region" (awsemfexporter README, vendored in ADOT @ v0.49.0).
          { name: "AWS_REGION", value: this.region.region },
        ],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": this.logGroup.name, "awslogs-region": this.region.region, "awslogs-stream-prefix": "collector" },
        },
      },
    };
  }

  /**
   * The shared cache: the file system (new, or the one given), the access point, the task role's
   * permission to mount and write through that access point only, and the task definition's volume.
   */
  private mountSharedCache(
    name: string,
    vpcId: string,
    subnetIds: readonly string[] | undefined,
    cache: true | FargateSharedCacheOptions,
  ): { volume: EcsTaskDefinitionVolume; cache?: SharedProviderCache; fileSystemId: string; accessPointId: string } {
    const options: FargateSharedCacheOptions = cache === true ? {} : cache;
    let fileSystemId: string;
    let fileSystemArn: string;
    let accessPointId: string;
    let accessPointArn: string;
    let created: SharedProviderCache | undefined;
    const arnPrefix = `arn:${this.partition.partition}:elasticfilesystem:${this.region.region}:${this.account.accountId}`;
    if (options.fileSystemId === undefined) {
      created = new SharedProviderCache(this, "SharedCache", {
        name,
        vpcId,
        // Checked by checkSharedCache: one of the two is set.
        subnetIds: (options.subnetIds ?? subnetIds) as readonly string[],
        clientSecurityGroupIds: [this.securityGroup.id],
        clientRoleArns: [this.taskRole.arn],
        kmsKeyArn: options.kmsKeyArn,
      });
      fileSystemId = created.fileSystem.id;
      fileSystemArn = created.fileSystem.arn;
      accessPointId = created.accessPoint.id;
      accessPointArn = created.accessPoint.arn;
    } else {
      fileSystemId = options.fileSystemId;
      fileSystemArn = `${arnPrefix}:file-system/${fileSystemId}`;
      if (options.accessPointId === undefined) {
        const ap = new SharedProviderCacheAccessPoint(this, fileSystemId);
        accessPointId = ap.id;
        accessPointArn = ap.arn;
      } else {
        accessPointId = options.accessPointId;
        accessPointArn = `${arnPrefix}:access-point/${accessPointId}`;
      }
    }
    // The task role mounts with IAM authorization: ClientMount and ClientWrite on this file system,
    // through this access point only (condition key elasticfilesystem:AccessPointArn,
    // https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
    new IamRolePolicy(this, "SharedCachePolicy", {
      role: this.taskRole.id,
      name: "agent-shared-cache",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "MountSharedCache",
            Effect: "Allow",
            Action: [...SHARED_CACHE_CLIENT_ACTIONS],
            Resource: [fileSystemArn],
            Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn } },
          },
        ],
      }),
    });
    // "If an access point is used, transit encryption must be on"; with `iam` ENABLED ECS mounts
    // with the task role (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html,
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html).
    // The root directory is the access point's.
    const volume: EcsTaskDefinitionVolume = {
      name: "agent-cache",
      efsVolumeConfiguration: {
        fileSystemId,
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId, iam: "ENABLED" },
      },
    };
    return { volume, cache: created, fileSystemId, accessPointId };
  }
}

/** An access point with the shared cache's POSIX user and root directory on a file system given by ID. */
class SharedProviderCacheAccessPoint extends Construct {
  public readonly id: string;
  public readonly arn: string;
  public constructor(scope: Construct, fileSystemId: string) {
    super(scope, "SharedCacheAccessPoint");
    const ap = new EfsAccessPoint(this, "Resource", {
      fileSystemId,
      posixUser: { uid: SHARED_CACHE_POSIX_ID, gid: SHARED_CACHE_POSIX_ID },
      rootDirectory: { path: SHARED_CACHE_ROOT, creationInfo: { ownerUid: SHARED_CACHE_POSIX_ID, ownerGid: SHARED_CACHE_POSIX_ID, permissions: "0755" } },
    });
    this.id = ap.id;
    this.arn = ap.arn;
  }
}

/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]`. */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)(?::[^@]*)?(?:@.*)?$/;

/** The ECR repository of an image, when it is a literal private ECR image. */
export function ecrRepositoryOf(image: string): { account: string; region: string; repository: string } | undefined {
  if (isToken(image)) return undefined;
  const m = ECR_IMAGE.exec(image);
  return m ? { account: m[1] as string, region: m[2] as string, repository: m[3] as string } : undefined;
}

/**
 * The IAM resource for a secret ARN. Secrets Manager appends `-` and 6 random characters to every
 * secret's ARN; an ARN given without them (a partial ARN, which ECS resolves) does not match the
 * secret in IAM, so AWS recommends granting `<partial-arn>-??????`.
 */
export function secretResource(arn: string): string {
  if (isToken(arn) || /-[A-Za-z0-9]{6}$/.test(arn)) return arn;
  return `${arn}-??????`;
}
