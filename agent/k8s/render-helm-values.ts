import { z } from "zod";
import { AgentSettings, ResolvedAgentSettings, reservedEnvField, resolveAgentSettings } from "../settings/agent-settings";
import { renderAgentEnvironment } from "../settings/render-env";
import { terraformJson } from "../../core/terraform-json";
import {
  KitValidationError,
  ValidationContext,
  ValidationIssue,
  describeValue,
  fieldPath,
  intInRange,
  isToken,
  parseOrThrow,
  strictProps,
  tokenOr,
} from "../../core/validation";

/** Scalr's agent charts the kit renders values for (https://scalr.github.io/agent-helm/). */
export type AgentHelmChart = "agent-local" | "agent-k8s" | "agent-job";

/** The charts, in the order the README presents them. */
export const AGENT_HELM_CHARTS: readonly AgentHelmChart[] = ["agent-local", "agent-k8s", "agent-job"];

/** Scalr's chart repository. */
export const AGENT_HELM_REPOSITORY = "https://scalr.github.io/agent-helm/";

/** Chart version the kit pins by default (its appVersion is the default agent image, 1.4.0). */
export const DEFAULT_AGENT_CHART_VERSION = "0.6.5";

/** A Kubernetes toleration. */
export interface KubernetesToleration {
  /** Taint key; empty with `Exists` tolerates every taint. @default - every key */
  readonly key?: string;
  /** @default "Equal" */
  readonly operator?: "Exists" | "Equal";
  /** Taint value (with `Equal`). @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /** How long a `NoExecute` taint is tolerated. @default - forever */
  readonly tolerationSeconds?: number;
}

/** CPU and memory as Kubernetes quantities (`"500m"`, `"2"`, `"1Gi"`). */
export interface KubernetesResourceList {
  readonly cpu?: string;
  readonly memory?: string;
}

/** Requests and limits of the agent container. */
export interface KubernetesResources {
  readonly requests?: KubernetesResourceList;
  readonly limits?: KubernetesResourceList;
}

/** Size limits of the agent's ephemeral (`emptyDir`) volumes. */
export interface HelmAgentStorage {
  /** Data directory volume, e.g. `"8Gi"`. @default - the chart's (agent-local 4Gi, agent-job 4Gi) */
  readonly dataSizeLimit?: string;
  /** Cache directory volume, e.g. `"40Gi"`. @default - the chart's (agent-local 20Gi, agent-job 1Gi) */
  readonly cacheSizeLimit?: string;
}

/** The Secret the chart reads the pool token from. */
export interface HelmTokenSecret {
  /** Secret name. */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** What {@link renderHelmValues} needs besides the agent settings. */
export interface HelmValuesOptions {
  /** The chart. `agent-local` is the only one for VCS pools. @default "agent-local" */
  readonly chart?: AgentHelmChart;
  /**
   * The Secret holding the token when `settings.token` is a Terraform value (HelmAgent creates it).
   * @default - `settings.token` must come from `AgentTokenSource.fromKubernetesSecret`
   */
  readonly tokenSecret?: HelmTokenSecret;
  /** Agent pods (agent-local) or controller pods (agent-job). agent-k8s runs a worker per node. @default 1 */
  readonly replicas?: number;
  /** Agent container resources. @default - the chart's */
  readonly resources?: KubernetesResources;
  /** Node labels agent pods (and, for agent-k8s and agent-job, task pods) must match. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of agent pods (and task pods). @default [] */
  readonly tolerations?: readonly KubernetesToleration[];
  /** Affinity of agent pods (and agent-job task pods); not supported by agent-k8s. @default - none */
  readonly affinity?: Readonly<Record<string, unknown>>;
  /**
   * Let runs reach the cloud metadata service (169.254.169.254) and so the node's credentials.
   * Off by default: the chart's NetworkPolicy blocks it.
   * @default false
   */
  readonly allowMetadataService?: boolean;
  /** Size limits of the ephemeral data and cache volumes (agent-local, agent-job). @default - the chart's */
  readonly storage?: HelmAgentStorage;
  /**
   * More chart values, merged into what the kit renders. Checked against the chart's keys (typos
   * fail), may not override what the kit sets, and may never hold the token.
   * @default {}
   */
  readonly extraValues?: Readonly<Record<string, unknown>>;
}

/** Everything {@link renderHelmValues} takes. */
export interface HelmValuesInput extends HelmValuesOptions {
  /** The agent. */
  readonly settings: AgentSettings;
}

/** Chart values, ready for `helm_release.values` (serialize with {@link helmValuesDocument}). */
export type HelmValues = Record<string, unknown>;

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const quantity = (example: string) =>
  tokenOr(z.string().regex(QUANTITY, { error: `must be a Kubernetes quantity such as "${example}"` }));
const resourceList = strictProps({ cpu: quantity("500m").optional(), memory: quantity("1Gi").optional() });

const helmOptionsShape = {
  chart: z.enum(["agent-local", "agent-k8s", "agent-job"]).default("agent-local"),
  tokenSecret: strictProps({
    name: tokenOr(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a Kubernetes object name" })),
    key: tokenOr(z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a Secret key (letters, digits, '-', '_', '.')" })),
  }).optional(),
  replicas: intInRange(0, 100).optional(),
  resources: strictProps({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
  nodeSelector: z
    .record(z.string(), tokenOr(z.string().regex(LABEL_VALUE, { error: "must be a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')" })))
    .superRefine((labels, c) => {
      for (const key of Object.keys(labels)) {
        if (!LABEL_KEY.test(key)) c.addIssue({ code: "custom", path: [key], input: key, message: "must be a Kubernetes label key ([prefix/]name)" });
      }
    })
    .optional(),
  tolerations: z
    .array(
      strictProps({
        key: tokenOr(z.string().regex(LABEL_KEY, { error: "must be a taint key" })).optional(),
        operator: z.enum(["Exists", "Equal"]).optional(),
        value: tokenOr(z.string()).optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
        tolerationSeconds: intInRange(0, 31536000).optional(),
      }).refine((t) => !(t.operator === "Exists" && t.value !== undefined), { error: 'must not set `value` with operator "Exists"' }),
    )
    .optional(),
  affinity: z.partialRecord(z.enum(["nodeAffinity", "podAffinity", "podAntiAffinity"]), z.record(z.string(), z.unknown())).optional(),
  allowMetadataService: z.boolean().default(false),
  storage: strictProps({ dataSizeLimit: quantity("8Gi").optional(), cacheSizeLimit: quantity("40Gi").optional() }).optional(),
  extraValues: z.record(z.string(), z.unknown()).default({}),
};

/** zod schema of {@link HelmValuesOptions} (shared with HelmAgent's props). */
export const helmValuesOptionsShape = helmOptionsShape;

const optionsSchema = strictProps({ settings: z.unknown(), ...helmOptionsShape });
type ParsedOptions = Omit<z.output<typeof optionsSchema>, "settings">;

/** {@link HelmValuesOptions} as parsed by {@link helmValuesOptionsShape} (defaults applied). */
export type ParsedHelmValuesOptions = ParsedOptions;

/**
 * Renders the values of one of Scalr's agent charts from {@link AgentSettings}.
 *
 * - The token is never a value: the chart reads it from a Secret, referenced the way that chart
 *   expects (`agent.tokenExistingSecret.{name,key}`, or `tokenExistingSecret` + `tokenExistingSecretKey`
 *   for agent-k8s).
 * - Settings the chart controls itself are checked against what it would do (e.g. agent-local
 *   derives its drain timeout from the grace period), so a value is never silently dropped.
 * - Everything else the agent reads goes through the chart's `extraEnv`.
 * - Pods are hardened (non-root where the chart allows it, no privilege escalation, all
 *   capabilities dropped, RuntimeDefault seccomp) and the metadata service is blocked.
 */
export function renderHelmValues(input: HelmValuesInput, ctx: ValidationContext): HelmValues {
  const options: ParsedOptions = parseOrThrow(optionsSchema, input, ctx);
  return renderParsedHelmValues(input.settings, options, ctx);
}

/**
 * {@link renderHelmValues} for options already parsed with {@link helmValuesOptionsShape} (HelmAgent
 * parses its props once, chart options included).
 */
export function renderParsedHelmValues(rawSettings: AgentSettings, options: ParsedHelmValuesOptions, ctx: ValidationContext): HelmValues {
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const settings = resolveAgentSettings(rawSettings, { subject: ctx.subject, fieldPrefix: `${prefix}settings` });
  const renderer = new ValuesRenderer(ctx.subject, prefix, options.chart);
  renderer.render(rawSettings, settings, options);
  return renderer.finish(options.extraValues);
}

/** The chart's rendering of each setting, with the source of every value for conflict messages. */
class ValuesRenderer {
  private readonly values: HelmValues = {};
  private readonly sources = new Map<string, string>();
  private readonly issues: ValidationIssue[] = [];
  private readonly extraEnv: Record<string, string> = {};

  public constructor(
    private readonly subject: string,
    private readonly prefix: string,
    private readonly chart: AgentHelmChart,
  ) {}

  public render(raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedOptions): void {
    const chart = this.chart;
    if (s.poolKind === "vcs" && chart !== "agent-local") {
      this.fail("chart", 'must be "agent-local" for a VCS pool: the other charts start run tasks only', chart);
    }
    this.checkCommon(raw, s, o);
    const env = { ...renderAgentEnvironment(s).variables };
    const take = (name: string): string | undefined => {
      const v = env[name];
      delete env[name];
      return v;
    };
    // The charts name each pod after itself and always render these.
    for (const name of ["SCALR_AGENT_NAME", "SCALR_URL"]) take(name);

    const tokenSecret = this.tokenSecret(s, o);
    const image = this.image(s.image, "settings.image");
    if (chart === "agent-local") this.renderLocal(raw, s, o, take, tokenSecret, image);
    else if (chart === "agent-k8s") this.renderK8s(raw, s, o, take, tokenSecret, image);
    else this.renderJob(raw, s, o, take, tokenSecret, image);

    for (const [name, value] of Object.entries(env)) this.extraEnv[name] = value;
  }

  public finish(extra: Record<string, unknown>): HelmValues {
    if (Object.keys(this.extraEnv).length > 0) {
      const path = this.chart === "agent-job" ? "agent.extraEnv" : "extraEnv";
      this.set(path, sortKeys(this.extraEnv), "settings (proxy, extraEnv and the agent variables the chart has no value for)");
    }
    if (this.issues.length > 0) throw new KitValidationError(this.subject, this.issues);
    checkJson(extra, ["extraValues"], (field, value) => this.fail(field, "must be plain data (string, number, boolean, null, list or object)", value));
    if (this.issues.length > 0) throw new KitValidationError(this.subject, this.issues);
    parseOrThrow(CHART_VALUES[this.chart], extra, { subject: this.subject, fieldPrefix: `${this.prefix}extraValues` });
    this.checkExtraEnv(extra, []);
    this.checkConflicts(extra, []);
    if (this.issues.length > 0) throw new KitValidationError(this.subject, this.issues);
    return deepMerge(this.values, extra);
  }

  private checkCommon(raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedOptions): void {
    if (s.name !== undefined) this.fail("settings.name", "is set by the chart: each pod registers under its own pod name", s.name);
    if (s.single) this.fail("settings.single", "applies to serverless agents (ECS); chart agents stay up", s.single);
    if (s.hooksDir !== undefined && this.chart !== "agent-local") {
      this.fail("settings.hooksDir", "applies only to agent-local, where runs execute in the agent pod", s.hooksDir);
    }
    if (o.affinity !== undefined && this.chart === "agent-k8s") {
      this.fail("affinity", "is not supported by agent-k8s (use `nodeSelector` and `tolerations`)", o.affinity);
    }
    if (o.replicas !== undefined && this.chart === "agent-k8s") {
      this.fail("replicas", "is not supported by agent-k8s: it runs one worker per matching node (use `nodeSelector`)", o.replicas);
    }
    if (o.storage !== undefined && this.chart === "agent-k8s") {
      this.fail("storage", "is not supported by agent-k8s: workers keep data in a host path (`settings.dataDir`)", o.storage);
    }
    if (raw.caBundle?.path !== undefined && this.chart !== "agent-k8s") {
      this.fail("settings.caBundle", `must be given as \`pem\` for ${this.chart}: the chart mounts the bundle from its values`, raw.caBundle.path);
    }
  }

  private tokenSecret(s: ResolvedAgentSettings, o: ParsedOptions): HelmTokenSecret {
    const t = s.token;
    if (t.kind === "kubernetes-secret" && t.secretName !== undefined) return { name: t.secretName, key: t.secretKey ?? "token" };
    if (o.tokenSecret) return o.tokenSecret;
    this.fail(
      "settings.token",
      "must come from AgentTokenSource.fromKubernetesSecret(name, key) (or use HelmAgent, which stores a Terraform value in a Secret it creates): chart values never hold the token",
      t.kind,
      false,
    );
    return { name: "", key: "" };
  }

  private renderLocal(
    raw: AgentSettings,
    s: ResolvedAgentSettings,
    o: ParsedOptions,
    take: (name: string) => string | undefined,
    tokenSecret: HelmTokenSecret,
    image: ImageParts,
  ): void {
    if (s.driver !== undefined && s.driver !== "local") this.fail("settings.driver", 'must be "local" (or unset) for agent-local', s.driver);
    if (s.concurrency !== undefined && s.concurrency !== 1) {
      this.fail("settings.concurrency", "must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`", s.concurrency);
    }
    if (!s.disconnectOnStop) this.fail("settings.disconnectOnStop", "must be true for agent-local (the chart always disconnects on stop)", false);
    if (s.containerTask !== undefined) {
      this.fail("settings.containerTask", "does not apply to agent-local: runs execute in the agent pod (size it with `resources`)", s.containerTask);
    }
    this.checkDerivedShutdown(raw, s);
    for (const name of [
      "SCALR_AGENT_DRIVER",
      "SCALR_AGENT_CONCURRENCY",
      "SCALR_AGENT_DISCONNECT_ON_STOP",
      "SCALR_AGENT_WORKER_ON_STOP_ACTION",
      "SCALR_AGENT_WORKER_DRAIN_TIMEOUT",
      "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT",
      "SCALR_AGENT_CA_CERT",
      "SSL_CERT_FILE",
      "SCALR_AGENT_PROVIDER_NETWORK_MIRRORS",
    ]) {
      take(name);
    }
    this.set("agent.url", stripSlash(s.scalrUrl), "settings.scalrUrl");
    this.set("agent.tokenExistingSecret", { name: tokenSecret.name, key: tokenSecret.key }, "settings.token");
    this.set("agent.shutdownMode", s.shutdown.mode, "settings.shutdown.mode");
    this.set("terminationGracePeriodSeconds", s.shutdown.gracePeriodSeconds, "settings.shutdown.gracePeriodSeconds");
    this.dataDirs(raw, take, "agent.dataDir", "agent.cacheDir");
    if (s.providerMirrors.length > 0) this.set("agent.providerNetworkMirrors", s.providerMirrors.map(mirror), "settings.providerMirrors");
    if (s.caBundle?.pem !== undefined) this.set("agent.tls.caBundle", s.caBundle.pem, "settings.caBundle.pem");
    this.set("image", image, "settings.image");
    this.set("replicaCount", o.replicas ?? 1, "replicas");
    this.placement(o, "", "", "");
    if (o.resources) this.set("resources", o.resources, "resources");
    this.set("allowMetadataService", o.allowMetadataService, "allowMetadataService");
    this.set("serviceAccount.automountToken", false, "HelmAgent (agent-local never calls the Kubernetes API)");
    this.set("podSecurityContext", { ...NON_ROOT, fsGroup: 1000, seccompProfile: RUNTIME_DEFAULT }, "HelmAgent's hardened defaults");
    this.set("securityContext", { ...HARDENED_CONTAINER, ...NON_ROOT, procMount: "Default" }, "HelmAgent's hardened defaults");
    if (o.storage?.dataSizeLimit !== undefined) this.set("persistence.data.emptyDir.sizeLimit", o.storage.dataSizeLimit, "storage.dataSizeLimit");
    if (o.storage?.cacheSizeLimit !== undefined) this.set("persistence.cache.emptyDir.sizeLimit", o.storage.cacheSizeLimit, "storage.cacheSizeLimit");
  }

  private renderK8s(
    raw: AgentSettings,
    s: ResolvedAgentSettings,
    o: ParsedOptions,
    take: (name: string) => string | undefined,
    tokenSecret: HelmTokenSecret,
    image: ImageParts,
  ): void {
    if (s.driver !== undefined && s.driver !== "kubernetes") this.fail("settings.driver", 'must be "kubernetes" (or unset) for agent-k8s', s.driver);
    take("SCALR_AGENT_DRIVER");
    const task = s.containerTask;
    const agent: ReadonlyArray<readonly [string, unknown, string]> = [
      ["url", stripSlash(s.scalrUrl), "settings.scalrUrl"],
      ["tokenExistingSecret", tokenSecret.name, "settings.token"],
      ["tokenExistingSecretKey", tokenSecret.key, "settings.token"],
      ["debug", s.debug, "settings.debug"],
      ["log_format", s.logFormat, "settings.logFormat"],
      ["worker_on_stop_action", take("SCALR_AGENT_WORKER_ON_STOP_ACTION"), "settings.shutdown.mode"],
      ["worker_drain_timeout", s.shutdown.drainTimeoutSeconds, "settings.shutdown"],
      ["grace_shutdown_timeout", s.shutdown.graceShutdownTimeoutSeconds, "settings.shutdown"],
      ["disconnect_on_stop", s.disconnectOnStop, "settings.disconnectOnStop"],
      ["data_home", raw.dataDir === undefined ? undefined : s.dataDir, "settings.dataDir"],
      ["ca_cert", take("SCALR_AGENT_CA_CERT"), "settings.caBundle"],
      ["container_task_scheduling_timeout", task?.schedulingTimeoutSeconds, "settings.containerTask.schedulingTimeoutSeconds"],
      ["container_task_acquire_timeout", task?.acquireTimeoutSeconds, "settings.containerTask.acquireTimeoutSeconds"],
      ["container_task_cpu_request", task?.cpuRequest, "settings.containerTask.cpuRequest"],
      ["container_task_cpu_limit", task?.cpuLimit, "settings.containerTask.cpuLimit"],
      ["container_task_mem_request", task?.memoryRequestMiB, "settings.containerTask.memoryRequestMiB"],
      ["container_task_mem_limit", task?.memoryLimitMiB, "settings.containerTask.memoryLimitMiB"],
      ["container_task_ca_cert", take("SCALR_AGENT_CONTAINER_TASK_CA_CERT"), "settings.containerTask.caBundle"],
      ["container_task_image_mode", task?.imageMode, "settings.containerTask.imageMode"],
      ["container_task_image", task?.image, "settings.containerTask.image"],
      ["container_task_image_registry", task?.imageRegistry, "settings.containerTask.imageRegistry"],
      ["gc_plugins_global_size_limit", s.cache?.providerCacheSizeLimitMiB, "settings.cache.providerCacheSizeLimitMiB"],
    ];
    for (const name of [
      "SCALR_AGENT_DEBUG",
      "SCALR_AGENT_LOG_FORMAT",
      "SCALR_AGENT_WORKER_DRAIN_TIMEOUT",
      "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT",
      "SCALR_AGENT_DISCONNECT_ON_STOP",
      "SCALR_AGENT_DATA_DIR",
      "SSL_CERT_FILE",
      "SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB",
    ]) {
      take(name);
    }
    for (const suffix of ["SCHEDULING_TIMEOUT", "ACQUIRE_TIMEOUT", "CPU_REQUEST", "CPU_LIMIT", "MEM_REQUEST", "MEM_LIMIT", "IMAGE_MODE", "IMAGE", "IMAGE_REGISTRY"]) {
      take(`SCALR_AGENT_CONTAINER_TASK_${suffix}`);
    }
    for (const [key, value, source] of agent) this.set(`agent.${key}`, value, source);
    this.set("terminationGracePeriodSeconds", s.shutdown.gracePeriodSeconds, "settings.shutdown.gracePeriodSeconds");
    this.set("image", { ...image, pullPolicy: "IfNotPresent" }, "settings.image");
    if (o.nodeSelector) {
      this.set("controllerNodeSelector", o.nodeSelector, "nodeSelector");
      this.set("workerNodeSelector", o.nodeSelector, "nodeSelector");
    }
    if (o.tolerations) {
      this.set("controllerTolerations", o.tolerations, "tolerations");
      this.set("workerTolerations", o.tolerations, "tolerations");
    }
    if (o.resources) this.set("resources", o.resources, "resources");
    this.set("restrictMetadataService", !o.allowMetadataService, "allowMetadataService");
    // Workers write the host path `agent.data_home` and so run as root (the chart's design); they
    // still get no privilege escalation, no capabilities and the RuntimeDefault seccomp profile.
    this.set("securityContext", { ...HARDENED_CONTAINER, runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, procMount: "Default" }, "HelmAgent's hardened defaults");
  }

  private renderJob(
    raw: AgentSettings,
    s: ResolvedAgentSettings,
    o: ParsedOptions,
    take: (name: string) => string | undefined,
    tokenSecret: HelmTokenSecret,
    image: ImageParts,
  ): void {
    if (s.driver !== undefined && s.driver !== "kubernetes") this.fail("settings.driver", 'must be "kubernetes" (or unset) for agent-job', s.driver);
    if (raw.shutdown !== undefined) {
      this.fail(
        "settings.shutdown",
        "is set by agent-job itself: its controller drains and each run lives in its own Job (tune `extraValues.task.terminationGracePeriodSeconds`)",
        raw.shutdown,
      );
    }
    const task = s.containerTask;
    if (task) {
      const unsupported = { schedulingTimeoutSeconds: task.schedulingTimeoutSeconds, imageRegistry: task.imageRegistry, caBundle: task.caBundle };
      for (const [key, value] of Object.entries(unsupported)) {
        if (value !== undefined) this.fail(`settings.containerTask.${key}`, "is not supported by agent-job", value);
      }
      if (task.imageMode === "legacy") this.fail("settings.containerTask.imageMode", 'must be "golden" (or unset) for agent-job: it always runs the runner image', "legacy");
    }
    for (const name of [
      "SCALR_AGENT_DRIVER",
      "SCALR_AGENT_WORKER_ON_STOP_ACTION",
      "SCALR_AGENT_WORKER_DRAIN_TIMEOUT",
      "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT",
      "SCALR_AGENT_DEBUG",
      "SCALR_AGENT_LOG_FORMAT",
      "SCALR_AGENT_CA_CERT",
      "SSL_CERT_FILE",
      "SCALR_AGENT_PROVIDER_NETWORK_MIRRORS",
      "SCALR_AGENT_PROVIDER_CACHE_ENABLED",
      "SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB",
      "SCALR_AGENT_MODULE_CACHE_ENABLED",
      "SCALR_AGENT_MODULE_CACHE_SIZE_LIMIT_MB",
      "SCALR_AGENT_BINARY_CACHE_SIZE_LIMIT_MB",
      "SCALR_AGENT_CONTAINER_TASK_CPU_REQUEST",
      "SCALR_AGENT_CONTAINER_TASK_CPU_LIMIT",
      "SCALR_AGENT_CONTAINER_TASK_MEM_REQUEST",
      "SCALR_AGENT_CONTAINER_TASK_MEM_LIMIT",
      "SCALR_AGENT_CONTAINER_TASK_IMAGE_MODE",
      "SCALR_AGENT_CONTAINER_TASK_IMAGE",
      "SCALR_AGENT_CONTAINER_TASK_ACQUIRE_TIMEOUT",
    ]) {
      take(name);
    }
    if (task?.acquireTimeoutSeconds !== undefined) this.set("task.startupTimeoutSeconds", task.acquireTimeoutSeconds, "settings.containerTask.acquireTimeoutSeconds");
    // Proxy settings reach the controller and every task pod only through `global.proxy`.
    if (s.proxy) {
      for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) {
        take(name);
        take(name.toLowerCase());
      }
      const http = s.proxy.http ?? s.proxy.https;
      const https = s.proxy.https ?? s.proxy.http;
      this.set("global.proxy", { enabled: true, httpProxy: http, httpsProxy: https, noProxy: s.proxy.noProxy.join(",") }, "settings.proxy");
    }
    this.set("agent.url", stripSlash(s.scalrUrl), "settings.scalrUrl");
    this.set("agent.tokenExistingSecret", { name: tokenSecret.name, key: tokenSecret.key }, "settings.token");
    this.set("agent.image", { ...image, pullPolicy: "IfNotPresent" }, "settings.image");
    this.set("agent.debug", s.debug ? "1" : "0", "settings.debug");
    this.set("agent.logFormat", s.logFormat, "settings.logFormat");
    this.dataDirs(raw, take, "agent.dataDir", "agent.cacheDir");
    if (s.providerMirrors.length > 0) this.set("agent.providerNetworkMirrors", s.providerMirrors.map(mirror), "settings.providerMirrors");
    const cache = s.cache;
    if (cache?.providerCacheEnabled !== undefined) this.set("agent.providerCache.enabled", cache.providerCacheEnabled, "settings.cache.providerCacheEnabled");
    if (cache?.providerCacheSizeLimitMiB !== undefined) this.set("agent.providerCache.sizeLimit", mebibytes(cache.providerCacheSizeLimitMiB), "settings.cache.providerCacheSizeLimitMiB");
    if (cache?.moduleCacheEnabled !== undefined) this.set("agent.moduleCache.enabled", cache.moduleCacheEnabled, "settings.cache.moduleCacheEnabled");
    if (cache?.moduleCacheSizeLimitMiB !== undefined) this.set("agent.moduleCache.sizeLimit", mebibytes(cache.moduleCacheSizeLimitMiB), "settings.cache.moduleCacheSizeLimitMiB");
    if (cache?.binaryCacheSizeLimitMiB !== undefined) this.set("agent.binaryCache.sizeLimit", mebibytes(cache.binaryCacheSizeLimitMiB), "settings.cache.binaryCacheSizeLimitMiB");
    if (s.caBundle?.pem !== undefined) this.set("global.tls.caBundle", s.caBundle.pem, "settings.caBundle.pem");
    if (task) {
      const runner: Record<string, unknown> = {};
      const cpu = (v: number | undefined) => (v === undefined ? undefined : millicores(v));
      const mem = (v: number | undefined) => (v === undefined ? undefined : mebibytes(v));
      const requests = compact({ cpu: cpu(task.cpuRequest), memory: mem(task.memoryRequestMiB) });
      const limits = compact({ cpu: cpu(task.cpuLimit), memory: mem(task.memoryLimitMiB) });
      if (requests) runner.requests = requests;
      if (limits) runner.limits = limits;
      if (Object.keys(runner).length > 0) this.set("task.runner.resources", runner, "settings.containerTask");
      if (task.image !== undefined) this.set("task.runner.image", { ...this.image(task.image, "settings.containerTask.image"), pullPolicy: "IfNotPresent" }, "settings.containerTask.image");
    }
    this.set("agent.replicaCount", o.replicas ?? 1, "replicas");
    this.placement(o, "agent.", "agent.", "agent.");
    this.placement(o, "task.", "task.", "task.");
    if (o.resources) this.set("agent.resources", o.resources, "resources");
    this.set("task.allowMetadataService", o.allowMetadataService, "allowMetadataService");
    this.set("global.podSecurityContext", { ...NON_ROOT, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: RUNTIME_DEFAULT }, "HelmAgent's hardened defaults");
    this.set("agent.controller.securityContext", HARDENED_CONTAINER, "HelmAgent's hardened defaults");
    this.set("task.worker.securityContext", HARDENED_CONTAINER, "HelmAgent's hardened defaults");
    if (o.storage?.dataSizeLimit !== undefined) this.set("persistence.data.emptyDir.sizeLimit", o.storage.dataSizeLimit, "storage.dataSizeLimit");
    if (o.storage?.cacheSizeLimit !== undefined) this.set("persistence.cache.emptyDir.sizeLimit", o.storage.cacheSizeLimit, "storage.cacheSizeLimit");
  }

  /** Data and cache directories: the chart's own layout unless the settings name them. */
  private dataDirs(raw: AgentSettings, take: (name: string) => string | undefined, dataPath: string, cachePath: string): void {
    const data = take("SCALR_AGENT_DATA_DIR");
    const cache = take("SCALR_AGENT_CACHE_DIR");
    if (raw.dataDir !== undefined) this.set(dataPath, data, "settings.dataDir");
    if (raw.cacheDir !== undefined) this.set(cachePath, cache, "settings.cacheDir");
  }

  /** agent-local derives the agent's shutdown timeouts from the grace period; explicit ones must agree. */
  private checkDerivedShutdown(raw: AgentSettings, s: ResolvedAgentSettings): void {
    const grace = s.shutdown.gracePeriodSeconds;
    const derived = s.shutdown.mode === "drain" ? { drainTimeoutSeconds: grace - 70, graceShutdownTimeoutSeconds: 60 } : { graceShutdownTimeoutSeconds: grace - 10 };
    for (const [key, expected] of Object.entries(derived)) {
      const given = raw.shutdown?.[key as keyof typeof derived];
      if (given !== undefined && given !== expected) {
        this.fail(`settings.shutdown.${key}`, `is derived by agent-local from \`shutdown.gracePeriodSeconds\` (${expected} for ${grace}); leave it unset`, given);
      }
    }
  }

  private placement(o: ParsedOptions, nodeSelectorPrefix: string, tolerationsPrefix: string, affinityPrefix: string): void {
    if (o.nodeSelector) this.set(`${nodeSelectorPrefix}nodeSelector`, o.nodeSelector, "nodeSelector");
    if (o.tolerations) this.set(`${tolerationsPrefix}tolerations`, o.tolerations, "tolerations");
    if (o.affinity) this.set(`${affinityPrefix}affinity`, o.affinity, "affinity");
  }

  /**
   * Sets a value at a dotted path of the kit's own keys; objects are set leaf by leaf (their keys may
   * contain dots, e.g. label keys) so extra values can add keys next to the kit's.
   */
  private set(path: string | readonly string[], value: unknown, source: string): void {
    if (value === undefined) return;
    const keys = typeof path === "string" ? path.split(".") : path;
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, v] of Object.entries(value)) this.set([...keys, key], v, source);
      return;
    }
    let node = this.values;
    for (const key of keys.slice(0, -1)) {
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
    this.sources.set(pathKey(keys), source);
  }

  /**
   * The charts' image values are `repository` + `tag` and render `repository:tag`: a digest needs a
   * tag in front of it, or the image becomes `repository:@sha256:…`.
   */
  private image(image: string, field: string): ImageParts {
    const parts = splitImage(image);
    if (parts.tag.startsWith("@")) {
      this.fail(field, `must give a tag with the digest, e.g. ${parts.repository}:1.4.0${parts.tag} (the charts render \`repository:tag\`, so a digest alone becomes \`${parts.repository}:${parts.tag}\`)`, image);
    }
    return parts;
  }

  /**
   * Every `extraEnv` in extra values (the map form of agent-local, agent-k8s and agent-job's
   * `agent.extraEnv`, the list form of `agent.controller.extraEnv`, `task.worker.extraEnv`,
   * `task.runner.extraEnv`) is held to the same reserved names as `settings.extraEnv`: the token
   * and the variables the kit renders from settings.
   */
  private checkExtraEnv(node: unknown, path: readonly PropertyKey[]): void {
    if (Array.isArray(node)) {
      node.forEach((v, i) => this.checkExtraEnv(v, [...path, i]));
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (key !== "extraEnv") {
        this.checkExtraEnv(value, here);
        continue;
      }
      if (Array.isArray(value)) {
        value.forEach((entry, i) => {
          const name = isPlainObject(entry) ? entry.name : undefined;
          const field = typeof name === "string" ? reservedEnvField(name) : undefined;
          if (field) this.fail(fieldPath(["extraValues", ...here, i, "name"]), `is reserved: set \`${field}\` instead`, name);
        });
      } else if (isPlainObject(value)) {
        for (const [name, v] of Object.entries(value)) {
          const field = reservedEnvField(name);
          if (field) this.fail(fieldPath(["extraValues", ...here, name]), `is reserved: set \`${field}\` instead`, v);
        }
      }
    }
  }

  private fail(field: string, message: string, received: unknown, sensitive?: boolean): void {
    this.issues.push({ field: `${this.prefix}${field}`, message, received: describeValue(received, field, sensitive) });
  }

  /** An extra value may add keys next to the kit's but never replace one of its values. */
  private checkConflicts(extra: Record<string, unknown>, path: readonly string[]): void {
    for (const [key, value] of Object.entries(extra)) {
      const here = [...path, key];
      const source = this.sources.get(pathKey(here)) ?? (isPlainObject(value) ? undefined : this.sourceBelow(here));
      if (source !== undefined) {
        this.issues.push({
          field: `${this.prefix}${fieldPath(["extraValues", ...here])}`,
          message: `is rendered by the kit from \`${source}\`; set it there instead`,
          received: describeValue(value, here.join(".")),
        });
      } else if (isPlainObject(value)) {
        this.checkConflicts(value, here);
      }
    }
  }

  private sourceBelow(path: readonly string[]): string | undefined {
    const prefix = `${pathKey(path)}${PATH_SEPARATOR}`;
    for (const [p, source] of this.sources) if (p.startsWith(prefix)) return source;
    return undefined;
  }
}

/** Joins a values path for lookups; keys themselves may hold dots. */
const PATH_SEPARATOR = "\u0000";
function pathKey(path: readonly string[]): string {
  return path.join(PATH_SEPARATOR);
}

/** Serializes chart values for `helm_release.values`: JSON (a YAML subset), references kept as Terraform expressions. */
export function helmValuesDocument(values: HelmValues): string {
  return terraformJson(values);
}

interface ImageParts {
  readonly repository: string;
  readonly tag: string;
}

/** `registry/scalr/agent:1.4.0` → repository + tag (a digest stays in the tag: `1.4.0@sha256:…`). */
function splitImage(image: string): ImageParts {
  if (isToken(image)) return { repository: image, tag: "" };
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : "";
  const colon = name.lastIndexOf(":");
  const hasTag = colon > name.lastIndexOf("/");
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : "";
  return { repository, tag: `${tag}${digest}` };
}

const NON_ROOT = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 } as const;
const RUNTIME_DEFAULT = { type: "RuntimeDefault" } as const;
const HARDENED_CONTAINER = {
  privileged: false,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: RUNTIME_DEFAULT,
} as const;

function mirror(m: { url: string; include?: string[] | undefined }): Record<string, unknown> {
  return m.include ? { url: m.url, include: m.include } : { url: m.url };
}

function stripSlash(url: string): string {
  return isToken(url) ? url : url.replace(/\/+$/, "");
}

function mebibytes(n: number): string {
  return `${n}Mi`;
}

function millicores(cores: number): string {
  return `${Math.round(cores * 1000)}m`;
}

function compact(o: Record<string, string | undefined>): Record<string, string> | undefined {
  const entries = Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] as string]));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isToken(v);
}

/** Reports values Helm values cannot hold (functions, class instances, NaN, undefined). */
function checkJson(value: unknown, path: readonly PropertyKey[], fail: (field: string, value: unknown) => void): void {
  if (value === null || typeof value === "string" || typeof value === "boolean" || isToken(value)) return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(fieldPath(path), value);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(v, [...path, i], fail));
    return;
  }
  if (isPlainObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [k, v] of Object.entries(value)) checkJson(v, [...path, k], fail);
    return;
  }
  fail(fieldPath(path), value);
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The kit's model of each chart's values: every top-level key (and every `agent` key) of the chart's
// values.yaml, so a typo in `extraValues` fails instead of being ignored by Helm, with types for the
// values the kit or the chart's schema constrain.

const any = z.unknown();
const bool = z.boolean();
const obj = z.record(z.string(), z.unknown());
const stringMap = z.record(z.string(), tokenOr(z.string()));
const int = (min: number) => intInRange(min, 2147483647);
const noToken = z.unknown().refine((v) => v === undefined, {
  error: "must not be set: the token is read from a Kubernetes Secret, never from Helm values",
  abort: true,
});
const noClientKey = z.unknown().refine((v) => v === undefined, {
  error: "must not be set: a private key in values is stored in the release in plain text; use `clientCertSecret`",
  abort: true,
});
const tls = z.looseObject({ clientKey: noClientKey });
const keys = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, any]));

const AGENT_LOCAL_VALUES = strictProps({
  ...keys(["strategy", "imagePullSecrets", "image", "nameOverride", "fullnameOverride", "secret", "serviceAccount", "podSecurityContext", "securityContext", "affinity", "resources", "persistence", "extraVolumes", "extraVolumeMounts"]),
  replicaCount: int(0).optional(),
  agent: strictProps({
    ...keys(["url", "tokenExistingSecret", "dataDir", "cacheDir", "providerNetworkMirrors"]),
    token: noToken,
    shutdownMode: z.enum(["graceful", "force", "drain"]).optional(),
    tls: tls.optional(),
  }).optional(),
  extraEnv: stringMap.optional(),
  podAnnotations: stringMap.optional(),
  nodeSelector: stringMap.optional(),
  tolerations: z.array(obj).optional(),
  terminationGracePeriodSeconds: int(10).optional(),
  allowMetadataService: bool.optional(),
});

const AGENT_K8S_VALUES = strictProps({
  ...keys(["image", "imagePullSecrets", "nameOverride", "fullnameOverride", "serviceAccount", "efsVolumeHandle", "efsMountOptions", "podSecurityContext", "securityContext", "resources"]),
  agent: strictProps({
    ...keys([
      "url",
      "tokenExistingSecret",
      "tokenExistingSecretKey",
      "debug",
      "worker_drain_timeout",
      "grace_shutdown_timeout",
      "disconnect_on_stop",
      "data_home",
      "ca_cert",
      "container_task_scheduling_timeout",
      "container_task_acquire_timeout",
      "container_task_cpu_request",
      "container_task_cpu_limit",
      "container_task_mem_request",
      "container_task_mem_limit",
      "container_task_ca_cert",
      "container_task_image_mode",
      "container_task_image",
      "container_task_image_registry",
      "gc_plugins_global_size_limit",
      "automount_service_account_token",
    ]),
    token: noToken,
    log_format: z.enum(["plain", "dev", "json"]).optional(),
    worker_on_stop_action: z.enum(["drain", "grace-shutdown", "force-shutdown"]).optional(),
    kubernetes_task_labels: stringMap.optional(),
    kubernetes_task_annotations: stringMap.optional(),
  }).optional(),
  controllerNodeSelector: stringMap.nullable().optional(),
  workerNodeSelector: stringMap.nullable().optional(),
  controllerTolerations: z.array(obj).optional(),
  workerTolerations: z.array(obj).nullable().optional(),
  podAnnotations: stringMap.optional(),
  controllerPodAnnotations: stringMap.optional(),
  workerPodAnnotations: stringMap.optional(),
  restrictMetadataService: bool.optional(),
  terminationGracePeriodSeconds: int(0).optional(),
  extraEnv: stringMap.optional(),
});

const envValue = tokenOr(z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }));

const AGENT_JOB_VALUES = strictProps({
  ...keys(["nameOverride", "fullnameOverride", "serviceAccount", "rbac", "persistence", "otel"]),
  global: z.looseObject({ tls: tls.optional() }).optional(),
  agent: strictProps({
    ...keys([
      "url",
      "tokenExistingSecret",
      "image",
      "logFormat",
      "sentryDsn",
      "podDisruptionBudget",
      "affinity",
      "topologySpreadConstraints",
      "resources",
      "podAnnotations",
      "podLabels",
      "labels",
      "annotations",
      "podSecurityContext",
      "controller",
      "dataDir",
      "cacheDir",
      "providerCache",
      "providerNetworkMirrors",
      "moduleCache",
      "binaryCache",
    ]),
    token: noToken,
    debug: z.enum(["0", "1"]).optional(),
    extraEnv: z.record(z.string(), envValue).nullable().optional(),
    replicaCount: int(0).optional(),
    nodeSelector: stringMap.optional(),
    tolerations: z.array(obj).optional(),
    terminationGracePeriodSeconds: int(0).optional(),
  }).optional(),
  task: z.looseObject({ allowMetadataService: bool.optional(), terminationGracePeriodSeconds: int(0).optional() }).optional(),
});

/** The kit's model of each chart's values (keys and the types it knows). */
export const CHART_VALUES: Readonly<Record<AgentHelmChart, z.ZodType>> = {
  "agent-local": AGENT_LOCAL_VALUES,
  "agent-k8s": AGENT_K8S_VALUES,
  "agent-job": AGENT_JOB_VALUES,
};
