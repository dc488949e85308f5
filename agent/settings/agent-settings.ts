import { z } from "zod";
import { ABSOLUTE_PATH, ENV_NAME } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { AgentImage, DEFAULT_AGENT_IMAGE, ResolvedAgentImage, agentImageSchema, resolveAgentImage } from "./agent-image";
import { type AgentShutdownMode, MIN_GRACE_PERIOD_SECONDS, SHUTDOWN_MARGIN_SECONDS } from "./shutdown-limits";
import { AgentTokenSource } from "./token-source";
import {
  describeValue,
  intInRange,
  isToken,
  literalIntInRange,
  nonEmptyString,
  strictProps,
  tokenOr,
  ValidationContext,
} from "../../core/validation";

/** The kind of agent pool an agent serves. VCS agents only relay VCS traffic; run agents run tasks. */
export type AgentPoolKind = "run" | "vcs";

/** How the agent isolates the tasks it runs. */
export type AgentDriver = "docker" | "local" | "kubernetes";

/** The agent's log format. */
export type AgentLogFormat = "json" | "plain" | "dev";


/** Runner image mode: `golden` uses one `scalr/runner` image for every tool version. */
export type ContainerTaskImageMode = "golden" | "legacy";

/** A CA bundle, given by a path on the agent's host or as PEM text. Exactly one of the two. */
export interface CaBundle {
  /** Absolute path to a PEM bundle on the agent's host (or in its container). @default - use `pem` */
  readonly path?: string;
  /** PEM text of the bundle (one or more `CERTIFICATE` blocks); rendered base64-encoded. @default - use `path` */
  readonly pem?: string;
}

/** Outbound HTTP proxy for the agent and the tasks it runs. */
export interface AgentProxy {
  /** Proxy for `http://` traffic, e.g. `http://proxy.internal:3128`. @default - none */
  readonly http?: string;
  /** Proxy for `https://` traffic. @default - same as `http` */
  readonly https?: string;
  /**
   * Hosts, domains (`.corp.example`) or CIDRs reached directly. Runtimes add their own
   * must-stay-direct entries (localhost, the instance metadata address).
   * @default []
   */
  readonly noProxy?: readonly string[];
}

/** Limits and settings of the containers the agent starts for each task (run agents, docker/kubernetes drivers). */
export interface ContainerTaskSettings {
  /** CPU request in cores. @default - agent default (1.0) */
  readonly cpuRequest?: number;
  /** CPU limit in cores. @default - agent default (8.0) */
  readonly cpuLimit?: number;
  /** Memory request in MiB. @default - agent default (1024) */
  readonly memoryRequestMiB?: number;
  /** Memory limit in MiB. @default - agent default (16384) */
  readonly memoryLimitMiB?: number;
  /** Seconds to wait for a task container to be scheduled. @default - agent default */
  readonly schedulingTimeoutSeconds?: number;
  /** Seconds to wait to acquire a worker for a task. @default - agent default */
  readonly acquireTimeoutSeconds?: number;
  /** CA bundle mounted into task containers at /etc/ssl/certs/ca-certificates.crt (include public CAs). @default - none */
  readonly caBundle?: CaBundle;
  /** Runner image mode. @default - agent default (newer accounts enforce `golden`) */
  readonly imageMode?: ContainerTaskImageMode;
  /** Golden runner image, e.g. `scalr/runner:0.2.0`. @default - agent default */
  readonly image?: string;
  /** Registry every task image is pulled from, e.g. `mirror.example.com/scalr/`. @default - public registries */
  readonly imageRegistry?: string;
}

/** Shutdown behaviour, checked against the runtime's grace period. */
export interface AgentShutdownSettings {
  /** What the agent does on SIGTERM. @default "drain" */
  readonly mode?: AgentShutdownMode;
  /**
   * Seconds the runtime waits after SIGTERM before SIGKILL (systemd `TimeoutStopSec`, Kubernetes
   * `terminationGracePeriodSeconds`, ECS `stopTimeout`). `drain` needs at least 120, `graceful` at least 30.
   * @default 3660 (an hour of drain for running runs, then 60 s of graceful stop)
   */
  readonly gracePeriodSeconds?: number;
  /** Seconds running tasks may take to finish in `drain` mode. @default - gracePeriodSeconds − 70 */
  readonly drainTimeoutSeconds?: number;
  /** Seconds between SIGTERM and SIGKILL for tasks (`drain` and `graceful`). @default - 60 in `drain`, gracePeriodSeconds − 10 in `graceful` */
  readonly graceShutdownTimeoutSeconds?: number;
}

/** A provider network mirror the agent uses instead of the public registries. */
export interface ProviderNetworkMirror {
  /** Mirror URL (https). */
  readonly url: string;
  /** Provider address patterns served by this mirror, e.g. `registry.terraform.io/hashicorp/*`. @default - all providers */
  readonly include?: readonly string[];
}

/** Provider, module and binary caches of a run agent. */
export interface AgentCacheSettings {
  /** Cache providers between runs. @default - agent default (enabled) */
  readonly providerCacheEnabled?: boolean;
  /** Provider cache size limit in MiB. @default - agent default */
  readonly providerCacheSizeLimitMiB?: number;
  /** Cache modules between runs. @default - agent default (disabled) */
  readonly moduleCacheEnabled?: boolean;
  /** Module cache size limit in MiB. @default - agent default */
  readonly moduleCacheSizeLimitMiB?: number;
  /** Cache size limit in MiB for tofu/terraform/OPA/Infracost binaries. @default - agent default */
  readonly binaryCacheSizeLimitMiB?: number;
}

/**
 * The agent's own OpenTelemetry export: it sends OTLP over gRPC to a collector you run
 * ("set the SCALR_AGENT_OTLP_ENDPOINT environment variable to the host:port address of your
 * OpenTelemetry collector – a gRPC server running an OTLP collector, and enable
 * SCALR_AGENT_OTLP_METRICS_ENABLED", https://docs.scalr.io/docs/metrics; traces:
 * https://docs.scalr.io/docs/tracing). The agent never pushes to a backend itself.
 */
export interface AgentTelemetrySettings {
  /**
   * The collector's gRPC address, `host:port` (e.g. `localhost:4317`, `otel-collector:4317`), or
   * with an `http://` / `https://` scheme as Scalr's agent-job chart writes it (`http://otel-collector:4317`).
   */
  readonly otlpEndpoint: string;
  /** Export metrics (`SCALR_AGENT_OTLP_METRICS_ENABLED`). @default true */
  readonly metrics?: boolean;
  /** Export traces (`SCALR_AGENT_OTLP_TRACES_ENABLED`). @default false */
  readonly traces?: boolean;
}

/**
 * The one description of a Scalr agent. Every runtime (VM, ECS, Kubernetes) renders from it, and
 * its cross-field rules are checked here once.
 */
export interface AgentSettings {
  /** Scalr account URL, e.g. `https://example.scalr.io`. */
  readonly scalrUrl: string;
  /** The pool token, as a reference (never a literal string). */
  readonly token: AgentTokenSource;
  /** Run or VCS agent. Must match the pool's kind. @default "run" */
  readonly poolKind?: AgentPoolKind;
  /** Agent name shown in Scalr. @default - the host name */
  readonly name?: string;
  /** Task isolation driver. @default - chosen by the runtime (docker on VMs, local on Fargate, kubernetes on Kubernetes) */
  readonly driver?: AgentDriver;
  /** Maximum concurrent tasks on one agent (run agents). @default - agent default */
  readonly concurrency?: number;
  /** Exit after one task (serverless agents). @default false */
  readonly single?: boolean;
  /** Agent data directory (run data, configuration versions). @default "/var/lib/scalr-agent" */
  readonly dataDir?: string;
  /** Cache directory for binaries and providers. @default - inside `dataDir` */
  readonly cacheDir?: string;
  /** Directory with agent hooks. @default - none */
  readonly hooksDir?: string;
  /** CA bundle for every request of the agent and its tasks (include public CAs). @default - system/public CAs */
  readonly caBundle?: CaBundle;
  /** Outbound HTTP proxy. @default - direct connections */
  readonly proxy?: AgentProxy;
  /** Task container settings (run agents). @default - agent defaults */
  readonly containerTask?: ContainerTaskSettings;
  /** Log format. @default "json" */
  readonly logFormat?: AgentLogFormat;
  /** Debug logging. @default false */
  readonly debug?: boolean;
  /** Shutdown behaviour. @default - drain with a 3660 s grace period */
  readonly shutdown?: AgentShutdownSettings;
  /** Deregister the agent from the pool when it stops. @default true */
  readonly disconnectOnStop?: boolean;
  /** Provider network mirrors (run agents). @default [] */
  readonly providerMirrors?: readonly ProviderNetworkMirror[];
  /** Provider/module/binary caches (run agents). @default - agent defaults */
  readonly cache?: AgentCacheSettings;
  /** OpenTelemetry metrics and traces to a collector. @default - none exported */
  readonly telemetry?: AgentTelemetrySettings;
  /**
   * Agent image for container runtimes: a reference string (`scalr/agent:1.4.0`,
   * `registry.example.com/scalr/agent:1.4.0@sha256:…`) or an {@link AgentImage} with registry,
   * repository, tag, user-given digest and pull credentials.
   * @default "scalr/agent:1.4.0"
   */
  readonly image?: string | AgentImage;
  /**
   * More environment variables for the agent. Names the kit renders itself are rejected (set the
   * matching field instead); values must not be secrets.
   * @default {}
   */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

/** Default data directory of the agent. */
export const DEFAULT_DATA_DIR = "/var/lib/scalr-agent";
export type { AgentShutdownMode };
export { MIN_GRACE_PERIOD_SECONDS, SHUTDOWN_MARGIN_SECONDS };

const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;
/** host:port (host a DNS name, IPv4 or bracketed IPv6), optionally after http:// or https://, nothing after the port. */
const OTLP_ENDPOINT = /^(?:https?:\/\/)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):([1-9][0-9]{0,4})$/;
const isOtlpEndpoint = (s: string) => Number(OTLP_ENDPOINT.exec(s)?.[1] ?? 0) <= 65535 && OTLP_ENDPOINT.test(s);
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

const absolutePath = tokenOr(z.string().regex(ABSOLUTE_PATH, { error: "must be an absolute path without whitespace" }));
const imageRef = tokenOr(z.string().regex(IMAGE_REF, { error: "must be an image reference such as scalr/agent:1.4.0" }));

/** No `user:password@` in a literal URL (a Terraform reference is checked where it resolves). */
function noUserinfo(value: string): boolean {
  if (isToken(value)) return true;
  try {
    const u = new URL(value);
    return u.username === "" && u.password === "";
  } catch {
    return true; // the URL check reports it
  }
}

function urlWith(schemes: readonly string[], message: string) {
  return tokenOr(
    z.string().refine(
      (s) => {
        try {
          const u = new URL(s);
          return schemes.includes(u.protocol) && u.hostname.length > 0 && s === s.trim();
        } catch {
          return false;
        }
      },
      { error: message },
    ),
  );
}

const caBundleSchema = strictProps({
  path: absolutePath.optional(),
  pem: tokenOr(z.string().regex(PEM_CERT, { error: "must contain at least one PEM CERTIFICATE block" })).optional(),
}).refine((b) => (b.path === undefined) !== (b.pem === undefined), { error: "must set exactly one of `path` or `pem`" });

const cores = tokenOr(
  z
    .number({ error: "must be a number of cores from 0.01 to 64" })
    .min(0.01, { error: "must be a number of cores from 0.01 to 64" })
    .max(64, { error: "must be a number of cores from 0.01 to 64" }),
);

const proxyHost = z
  .string()
  .min(1)
  .regex(/^[^\s,]+$/, { error: "must be one host, domain or CIDR without spaces or commas" });

/** Variables the kit renders itself, with the field that sets each (plus legacy aliases of the agent). */
const RESERVED_ENV: Readonly<Record<string, string>> = {
  SCALR_URL: "scalrUrl",
  SCALR_AGENT_TOKEN: "token",
  SCALR_TOKEN: "token",
  SCALR_AGENT_NAME: "name",
  SCALR_AGENT_DRIVER: "driver",
  SCALR_DRIVER: "driver",
  SCALR_AGENT_CONCURRENCY: "concurrency",
  SCALR_AGENT_SINGLE: "single",
  SCALR_SINGLE: "single",
  SCALR_AGENT_DATA_DIR: "dataDir",
  SCALR_DATA_HOME: "dataDir",
  // The data directory's name in the agent-local and agent-docker charts of the 0.x agent
  // (Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ 4c6ce22).
  SCALR_WORK_DIR: "dataDir",
  SCALR_AGENT_CACHE_DIR: "cacheDir",
  SCALR_AGENT_HOOKS_DIR: "hooksDir",
  SCALR_AGENT_CA_CERT: "caBundle",
  SCALR_CA_CERT: "caBundle",
  SSL_CERT_FILE: "caBundle",
  SCALR_AGENT_LOG_FORMAT: "logFormat",
  SCALR_LOG_FORMAT: "logFormat",
  SCALR_AGENT_DEBUG: "debug",
  SCALR_DEBUG: "debug",
  SCALR_AGENT_DISCONNECT_ON_STOP: "disconnectOnStop",
  SCALR_DISCONNECT_ON_STOP: "disconnectOnStop",
  SCALR_AGENT_WORKER_ON_STOP_ACTION: "shutdown.mode",
  SCALR_WORKER_ON_STOP_ACTION: "shutdown.mode",
  SCALR_AGENT_WORKER_DRAIN_TIMEOUT: "shutdown.drainTimeoutSeconds",
  SCALR_WORKER_DRAIN_TIMEOUT: "shutdown.drainTimeoutSeconds",
  SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT: "shutdown.graceShutdownTimeoutSeconds",
  SCALR_WORKER_GRACE_SHUTDOWN_TIMEOUT: "shutdown.graceShutdownTimeoutSeconds",
  SCALR_AGENT_PROVIDER_NETWORK_MIRRORS: "providerMirrors",
  SCALR_AGENT_PROVIDER_CACHE_ENABLED: "cache.providerCacheEnabled",
  SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB: "cache.providerCacheSizeLimitMiB",
  SCALR_AGENT_MODULE_CACHE_ENABLED: "cache.moduleCacheEnabled",
  SCALR_AGENT_MODULE_CACHE_SIZE_LIMIT_MB: "cache.moduleCacheSizeLimitMiB",
  SCALR_AGENT_BINARY_CACHE_SIZE_LIMIT_MB: "cache.binaryCacheSizeLimitMiB",
  SCALR_AGENT_OTLP_ENDPOINT: "telemetry.otlpEndpoint",
  SCALR_AGENT_OTLP_METRICS_ENABLED: "telemetry.metrics",
  SCALR_AGENT_OTLP_TRACES_ENABLED: "telemetry.traces",
  // The spelling of the tracing page's Docker example (https://docs.scalr.io/docs/tracing).
  SCALR_AGENT_OTLP_TRACES: "telemetry.traces",
  HTTP_PROXY: "proxy.http",
  HTTPS_PROXY: "proxy.https",
  NO_PROXY: "proxy.noProxy",
};
for (const suffix of [
  "CPU_REQUEST",
  "CPU_LIMIT",
  "MEM_REQUEST",
  "MEM_LIMIT",
  "SCHEDULING_TIMEOUT",
  "ACQUIRE_TIMEOUT",
  "CA_CERT",
  "IMAGE_MODE",
  "IMAGE",
  "IMAGE_REGISTRY",
]) {
  (RESERVED_ENV as Record<string, string>)[`SCALR_AGENT_CONTAINER_TASK_${suffix}`] = "containerTask";
  (RESERVED_ENV as Record<string, string>)[`SCALR_CONTAINER_TASK_${suffix}`] = "containerTask";
}

/** The field that sets a reserved variable, or undefined when `name` is free for `extraEnv`. */
export function reservedEnvField(name: string): string | undefined {
  return RESERVED_ENV[name] ?? RESERVED_ENV[name.toUpperCase()];
}

const extraEnvSchema = z.record(z.string(), tokenOr(z.string({ error: "must be a string" }))).superRefine((env, ctx) => {
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) {
      ctx.addIssue({ code: "custom", path: [name], input: name, message: "must be named with letters, digits and '_', not starting with a digit" });
      continue;
    }
    const field = reservedEnvField(name);
    if (field) ctx.addIssue({ code: "custom", path: [name], input: env[name], message: `is reserved: set \`${field}\` instead` });
  }
});

/** zod schema of {@link AgentSettings}; parse with {@link resolveAgentSettings}. */
export const agentSettingsSchema = strictProps({
  scalrUrl: urlWith(["https:"], "must be an https URL such as https://example.scalr.io").refine(noUserinfo, { error: "must not hold credentials (user:password@): the agent authenticates with its token, and the URL is rendered in plain text" }),
  token: z.custom<AgentTokenSource>((v) => v instanceof AgentTokenSource, {
    error: "must be an AgentTokenSource (AgentTokenSource.fromTerraformValue(pool.tokenValue()), fromAwsSecretsManager(arn), …), never a literal token",
  }),
  poolKind: z.enum(["run", "vcs"]).default("run"),
  name: tokenOr(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: "must be 1–128 letters, digits, '.', '_' or '-'" })).optional(),
  driver: z.enum(["docker", "local", "kubernetes"]).optional(),
  concurrency: intInRange(1, 50).optional(),
  single: z.boolean().default(false),
  dataDir: absolutePath.default(DEFAULT_DATA_DIR),
  cacheDir: absolutePath.optional(),
  hooksDir: absolutePath.optional(),
  caBundle: caBundleSchema.optional(),
  proxy: strictProps({
    http: urlWith(["http:", "https:"], "must be an http(s) proxy URL such as http://proxy.internal:3128").optional(),
    https: urlWith(["http:", "https:"], "must be an http(s) proxy URL such as http://proxy.internal:3128").optional(),
    noProxy: z.array(tokenOr(proxyHost)).default([]),
  })
    .refine((p) => p.http !== undefined || p.https !== undefined, { error: "must set `http` or `https`" })
    .optional(),
  containerTask: strictProps({
    cpuRequest: cores.optional(),
    cpuLimit: cores.optional(),
    memoryRequestMiB: intInRange(128, 262144).optional(),
    memoryLimitMiB: intInRange(128, 262144).optional(),
    schedulingTimeoutSeconds: intInRange(1, 3600).optional(),
    acquireTimeoutSeconds: intInRange(1, 3600).optional(),
    caBundle: caBundleSchema.optional(),
    imageMode: z.enum(["golden", "legacy"]).optional(),
    image: imageRef.optional(),
    imageRegistry: tokenOr(z.string().regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*\/?$/, { error: "must be a registry host with an optional path, e.g. mirror.example.com/scalr/" })).optional(),
  }).optional(),
  logFormat: z.enum(["json", "plain", "dev"]).default("json"),
  debug: z.boolean().default(false),
  shutdown: strictProps({
    mode: z.enum(["drain", "graceful", "force"]).default("drain"),
    // Literal numbers: the shutdown rules are checked at synth time and the timeouts derived from them.
    gracePeriodSeconds: literalIntInRange(10, 86400).default(3660),
    drainTimeoutSeconds: literalIntInRange(1, 86400).optional(),
    graceShutdownTimeoutSeconds: literalIntInRange(1, 86400).optional(),
  }).default({ mode: "drain", gracePeriodSeconds: 3660 }),
  disconnectOnStop: z.boolean().default(true),
  providerMirrors: z
    .array(
      strictProps({
        url: urlWith(["https:"], "must be an https URL").refine(noUserinfo, {
          error: "must not hold credentials (user:password@): the variable is rendered in plain text on every runtime; mirrors that need a token are not supported",
        }),
        include: z.array(nonEmptyString()).optional(),
      }),
    )
    .default([]),
  cache: strictProps({
    providerCacheEnabled: z.boolean().optional(),
    providerCacheSizeLimitMiB: intInRange(1, 1048576).optional(),
    moduleCacheEnabled: z.boolean().optional(),
    moduleCacheSizeLimitMiB: intInRange(1, 1048576).optional(),
    binaryCacheSizeLimitMiB: intInRange(1, 1048576).optional(),
  }).optional(),
  telemetry: strictProps({
    otlpEndpoint: tokenOr(z.string().refine(isOtlpEndpoint, { error: "must be a collector's gRPC address, host:port (e.g. otel-collector:4317), optionally with http:// or https://" })),
    metrics: z.boolean().default(true),
    traces: z.boolean().default(false),
  })
    .refine((t) => t.metrics || t.traces, { error: "exports nothing: set `metrics` or `traces` to true, or leave `telemetry` unset" })
    .optional(),
  image: agentImageSchema.default(DEFAULT_AGENT_IMAGE),
  extraEnv: extraEnvSchema.default({}),
}) satisfies z.ZodType<AgentSettings>;

/** {@link AgentSettings} after validation, with every default applied. */
export type ResolvedAgentSettings = Omit<z.output<typeof agentSettingsSchema>, "image" | "shutdown"> & {
  readonly shutdown: ResolvedShutdown;
  /** The agent image: the reference runtimes render, its parts and pull credentials. */
  readonly image: ResolvedAgentImage;
};

/** Shutdown settings with the agent's timeouts derived from the grace period. */
export interface ResolvedShutdown {
  readonly mode: AgentShutdownMode;
  readonly gracePeriodSeconds: number;
  /** Set in `drain` mode. */
  readonly drainTimeoutSeconds?: number;
  /** Set in `drain` and `graceful` modes. */
  readonly graceShutdownTimeoutSeconds?: number;
}

/**
 * Validates agent settings and applies defaults. Every problem is reported at once in a
 * KitValidationError that names `ctx.subject` (a construct path) and each field.
 */
export function resolveAgentSettings(
  input: AgentSettings,
  ctx: ValidationContext = { subject: "AgentSettings" },
): ResolvedAgentSettings {
  // Field problems and the rules across fields, in one error; a rule is skipped when a field it
  // reads is already invalid.
  const issues = new IssueCollector(ctx);
  const parsed = issues.parse(agentSettingsSchema, input);
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const add = (field: string, message: string, received: unknown) =>
    issues.addIssue({ field: `${prefix}${field}`, message, received: describeValue(received) });

  if (parsed !== undefined) {
    const runOnly = ["concurrency", "containerTask", "cache", "driver", "providerMirrors", "single"] as const;
    for (const field of runOnly) {
      issues.rule(["poolKind", field], () => {
        if (parsed.poolKind !== "vcs") return;
        const value = parsed[field];
        const set = field === "providerMirrors" ? (value as readonly unknown[] | undefined ?? []).length > 0 : field === "single" ? value === true : value !== undefined;
        if (set) add(field, 'applies only to run agents (poolKind "run")', value);
      });
    }
    issues.rule(["single", "concurrency"], () => {
      if (parsed.single && typeof parsed.concurrency === "number" && !isToken(parsed.concurrency) && parsed.concurrency > 1) {
        add("concurrency", "must be 1 (or unset) when `single` is true: a single-run agent exits after one task", parsed.concurrency);
      }
    });
    issues.rule(["containerTask"], () => {
      const task = parsed.containerTask;
      if (!task) return;
      if (known(task.cpuRequest) && known(task.cpuLimit) && task.cpuRequest > task.cpuLimit) {
        add("containerTask.cpuRequest", `must not exceed \`containerTask.cpuLimit\` (${task.cpuLimit})`, task.cpuRequest);
      }
      if (known(task.memoryRequestMiB) && known(task.memoryLimitMiB) && task.memoryRequestMiB > task.memoryLimitMiB) {
        add("containerTask.memoryRequestMiB", `must not exceed \`containerTask.memoryLimitMiB\` (${task.memoryLimitMiB})`, task.memoryRequestMiB);
      }
      if (task.image !== undefined && task.imageMode === "legacy") {
        add("containerTask.image", 'applies only to `containerTask.imageMode` "golden"', task.image);
      }
    });
  }
  let shutdown: ResolvedShutdown | undefined;
  issues.rule(["shutdown"], () => {
    shutdown = resolveShutdown(parsed.shutdown, add);
  });
  let image: ResolvedAgentImage | undefined;
  issues.rule(["image"], () => {
    image = resolveAgentImage(parsed.image);
    // Pinned on every runtime: `latest` (or no tag) changes under running agents at their next pull,
    // and two agents of one pool can run different versions.
    if (!isToken(image.reference) && image.digest === undefined && (image.tag === undefined || image.tag === "latest")) {
      add("image", "must be pinned: a version tag such as scalr/agent:1.4.0 (not `latest`), or a digest (@sha256:…)", image.reference);
    }
  });
  issues.throwIfAny();
  return { ...parsed, shutdown: shutdown!, image: image! };
}

function known(v: number | undefined): v is number {
  return typeof v === "number" && !isToken(v);
}

function resolveShutdown(
  s: { mode: AgentShutdownMode; gracePeriodSeconds: number; drainTimeoutSeconds?: number; graceShutdownTimeoutSeconds?: number },
  add: (field: string, message: string, received: unknown) => void,
): ResolvedShutdown {
  const { mode, gracePeriodSeconds: grace } = s;
  if (mode === "force") {
    if (s.drainTimeoutSeconds !== undefined) add("shutdown.drainTimeoutSeconds", 'applies only to `shutdown.mode` "drain"', s.drainTimeoutSeconds);
    if (s.graceShutdownTimeoutSeconds !== undefined) {
      add("shutdown.graceShutdownTimeoutSeconds", 'applies only to `shutdown.mode` "drain" or "graceful"', s.graceShutdownTimeoutSeconds);
    }
    return { mode, gracePeriodSeconds: grace };
  }
  const min = MIN_GRACE_PERIOD_SECONDS[mode];
  if (grace < min) {
    add("shutdown.gracePeriodSeconds", `must be at least ${min} for \`shutdown.mode\` "${mode}"`, grace);
  }
  if (mode === "graceful") {
    if (s.drainTimeoutSeconds !== undefined) add("shutdown.drainTimeoutSeconds", 'applies only to `shutdown.mode` "drain"', s.drainTimeoutSeconds);
    const graceShutdown = s.graceShutdownTimeoutSeconds ?? grace - SHUTDOWN_MARGIN_SECONDS;
    if (s.graceShutdownTimeoutSeconds !== undefined && graceShutdown > grace - SHUTDOWN_MARGIN_SECONDS) {
      add(
        "shutdown.graceShutdownTimeoutSeconds",
        `must be at most \`shutdown.gracePeriodSeconds\` − ${SHUTDOWN_MARGIN_SECONDS} (${grace - SHUTDOWN_MARGIN_SECONDS}) so tasks stop before the runtime kills the agent`,
        graceShutdown,
      );
    }
    return { mode, gracePeriodSeconds: grace, graceShutdownTimeoutSeconds: graceShutdown };
  }
  const graceShutdown = s.graceShutdownTimeoutSeconds ?? 60;
  const drain = s.drainTimeoutSeconds ?? grace - graceShutdown - SHUTDOWN_MARGIN_SECONDS;
  if (grace >= min && drain + graceShutdown > grace - SHUTDOWN_MARGIN_SECONDS) {
    add(
      "shutdown.drainTimeoutSeconds",
      `plus \`shutdown.graceShutdownTimeoutSeconds\` (${graceShutdown}) must be at most \`shutdown.gracePeriodSeconds\` − ${SHUTDOWN_MARGIN_SECONDS} (${grace - SHUTDOWN_MARGIN_SECONDS}) so runs finish before the runtime kills the agent`,
      drain,
    );
  } else if (grace >= min && drain < 1) {
    add("shutdown.graceShutdownTimeoutSeconds", `leaves no time to drain within \`shutdown.gracePeriodSeconds\` (${grace})`, graceShutdown);
  }
  return { mode, gracePeriodSeconds: grace, drainTimeoutSeconds: drain, graceShutdownTimeoutSeconds: graceShutdown };
}
