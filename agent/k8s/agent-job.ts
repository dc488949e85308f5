import { z } from "zod";
import { AgentChart, ChartRenderInput } from "./agent-chart";
import { HARDENED_CONTAINER, NON_ROOT, RUNTIME_DEFAULT } from "./pod-hardening";
import { mirror, stripSlash } from "./value-formats";
import { bool, int, keys, noToken, obj, stringMap, tls } from "./values-model";
import { ValuesRenderer } from "./values-renderer";
import { renderCacheClaim } from "./cache-claim";
import { renderProxy } from "../settings/proxy";
import { strictProps, tokenOr } from "../../core/validation";

// agent-job: a controller that starts one Kubernetes Job per run
// (https://docs.scalr.io/docs/self-hosted-agents-pools). Rendered for the chart at 0.6.5:
// - values: https://github.com/Scalr/agent-helm/blob/agent-job-0.6.5/charts/agent-job/values.yaml
// - templates: https://github.com/Scalr/agent-helm/blob/agent-job-0.6.5/charts/agent-job/templates/agent.yaml
//   (the controller) and https://github.com/Scalr/agent-helm/blob/agent-job-0.6.5/charts/agent-job/templates/task.yaml
//   (the run's Job template); `global.proxy` reaches both through `agent-job.proxyEnv` in
//   https://github.com/Scalr/agent-helm/blob/agent-job-0.6.5/charts/agent-job/templates/_helpers.tpl

const envValue = tokenOr(z.union([z.string(), z.number(), z.boolean()], { error: "must be a string, number or boolean" }));

/** The kit's model of agent-job's values. */
export const AGENT_JOB_VALUES = strictProps({
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

/** agent-job. */
export const AGENT_JOB_CHART: AgentChart = {
  name: "agent-job",
  values: AGENT_JOB_VALUES,
  extraEnvPath: "agent.extraEnv",
  runsInAgentPod: false,
  // The chart sets SCALR_AGENT_CA_CERT itself in the controller and task pods, to the bundle it mounts
  // from `global.tls.caBundle` or `global.tls.caBundleSecret` (Scalr/agent-helm charts/agent-job/templates/_helpers.tpl
  // `agent-job.caCertEnv`, used by templates/agent.yaml and templates/task.yaml @ cf283e1).
  caBundlePathMessage:
    "must be given as `pem` for agent-job: the chart sets SCALR_AGENT_CA_CERT itself in the controller and task pods, to the bundle it mounts from `global.tls.caBundle` (rendered from `pem`) (for a Secret you already have, leave `caBundle` unset and set `extraValues.global.tls.caBundleSecret`)",
  // The controller and every task pod list `global.imagePullSecrets` (Scalr/agent-helm charts/agent-job/templates/agent.yaml
  // and templates/task.yaml @ cf283e1).
  imagePullSecretsPath: "global.imagePullSecrets",
  render: renderAgentJob,
};

function renderAgentJob(r: ValuesRenderer, { raw, settings: s, options: o, take, tokenSecret, image, noProxy }: ChartRenderInput): void {
  if (s.driver !== undefined && s.driver !== "kubernetes") r.fail("settings.driver", 'must be "kubernetes" (or unset) for agent-job', s.driver);
  if (raw.shutdown !== undefined) {
    r.fail(
      "settings.shutdown",
      "is set by agent-job itself: its controller drains and each run lives in its own Job (tune `extraValues.task.terminationGracePeriodSeconds`)",
      raw.shutdown,
    );
  }
  const task = s.containerTask;
  if (task) {
    const unsupported = { schedulingTimeoutSeconds: task.schedulingTimeoutSeconds, imageRegistry: task.imageRegistry, caBundle: task.caBundle };
    for (const [key, value] of Object.entries(unsupported)) {
      if (value !== undefined) r.fail(`settings.containerTask.${key}`, "is not supported by agent-job", value);
    }
    if (task.imageMode === "legacy") r.fail("settings.containerTask.imageMode", 'must be "golden" (or unset) for agent-job: it always runs the runner image', "legacy");
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
  if (task?.acquireTimeoutSeconds !== undefined) r.set("task.startupTimeoutSeconds", task.acquireTimeoutSeconds, "settings.containerTask.acquireTimeoutSeconds");
  // Proxy settings reach the controller and every task pod only through `global.proxy`, which the
  // chart passes on as HTTP_PROXY / HTTPS_PROXY / NO_PROXY unchanged (Scalr/agent-helm
  // charts/agent-job/templates/_helpers.tpl `agent-job.proxyEnv` @ cf283e1): the must-bypass list is the kit's.
  const proxy = renderProxy(s.proxy, noProxy);
  if (proxy) {
    for (const name of ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"]) {
      take(name);
      take(name.toLowerCase());
    }
    r.set("global.proxy", { enabled: true, httpProxy: proxy.http, httpsProxy: proxy.https, noProxy: proxy.noProxy }, "settings.proxy");
  }
  r.set("agent.url", stripSlash(s.scalrUrl), "settings.scalrUrl");
  r.set("agent.tokenExistingSecret", { name: tokenSecret.name, key: tokenSecret.key }, "settings.token");
  r.set("agent.image", image, "settings.image");
  r.setDefault("agent.image.pullPolicy", "IfNotPresent");
  r.set("agent.debug", s.debug ? "1" : "0", "settings.debug");
  r.set("agent.logFormat", s.logFormat, "settings.logFormat");
  r.dataDirs(raw, take, "agent.dataDir", "agent.cacheDir");
  if (s.providerMirrors.length > 0) r.set("agent.providerNetworkMirrors", s.providerMirrors.map(mirror), "settings.providerMirrors");
  const cache = s.cache;
  if (cache?.providerCacheEnabled !== undefined) r.set("agent.providerCache.enabled", cache.providerCacheEnabled, "settings.cache.providerCacheEnabled");
  if (cache?.providerCacheSizeLimitMiB !== undefined) r.set("agent.providerCache.sizeLimit", mebibytes(cache.providerCacheSizeLimitMiB), "settings.cache.providerCacheSizeLimitMiB");
  if (cache?.moduleCacheEnabled !== undefined) r.set("agent.moduleCache.enabled", cache.moduleCacheEnabled, "settings.cache.moduleCacheEnabled");
  if (cache?.moduleCacheSizeLimitMiB !== undefined) r.set("agent.moduleCache.sizeLimit", mebibytes(cache.moduleCacheSizeLimitMiB), "settings.cache.moduleCacheSizeLimitMiB");
  if (cache?.binaryCacheSizeLimitMiB !== undefined) r.set("agent.binaryCache.sizeLimit", mebibytes(cache.binaryCacheSizeLimitMiB), "settings.cache.binaryCacheSizeLimitMiB");
  if (s.caBundle?.pem !== undefined) r.set("global.tls.caBundle", s.caBundle.pem, "settings.caBundle.pem");
  // `otel` reaches the controller and every run's Job: both templates export SCALR_AGENT_OTLP_ENDPOINT
  // and the two switches when `otel.enabled` and `otel.endpoint` are set (Scalr/agent-helm
  // charts/agent-job/templates/agent.yaml and templates/task.yaml @ cf283e1), which `extraEnv` would not.
  if (s.telemetry) {
    for (const name of ["SCALR_AGENT_OTLP_ENDPOINT", "SCALR_AGENT_OTLP_METRICS_ENABLED", "SCALR_AGENT_OTLP_TRACES_ENABLED"]) take(name);
    const t = s.telemetry;
    r.set("otel", { enabled: true, endpoint: t.otlpEndpoint, metricsEnabled: t.metrics, tracesEnabled: t.traces }, "settings.telemetry");
  }
  if (task) {
    const runner: Record<string, unknown> = {};
    const cpu = (v: number | undefined) => (v === undefined ? undefined : millicores(v));
    const mem = (v: number | undefined) => (v === undefined ? undefined : mebibytes(v));
    const requests = compact({ cpu: cpu(task.cpuRequest), memory: mem(task.memoryRequestMiB) });
    const limits = compact({ cpu: cpu(task.cpuLimit), memory: mem(task.memoryLimitMiB) });
    if (requests) runner.requests = requests;
    if (limits) runner.limits = limits;
    if (Object.keys(runner).length > 0) r.set("task.runner.resources", runner, "settings.containerTask");
    if (task.image !== undefined) {
      r.set("task.runner.image", r.image(task.image, "settings.containerTask.image"), "settings.containerTask.image");
      r.setDefault("task.runner.image.pullPolicy", "IfNotPresent");
    }
  }
  r.set("agent.replicaCount", o.replicas ?? 1, "replicas");
  r.placement(o, "agent.", "agent.", "agent.");
  r.placement(o, "task.", "task.", "task.");
  if (o.resources) r.set("agent.resources", o.resources, "resources");
  r.set("task.allowMetadataService", o.allowMetadataService, "allowMetadataService");
  r.set("global.podSecurityContext", { ...NON_ROOT, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: RUNTIME_DEFAULT }, "HelmAgent's hardened defaults");
  r.set("agent.controller.securityContext", HARDENED_CONTAINER, "HelmAgent's hardened defaults");
  r.set("task.worker.securityContext", HARDENED_CONTAINER, "HelmAgent's hardened defaults");
  if (o.storage?.dataSizeLimit !== undefined) r.set("persistence.data.emptyDir.sizeLimit", o.storage.dataSizeLimit, "storage.dataSizeLimit");
  if (o.storage?.cacheSizeLimit !== undefined) r.set("persistence.cache.emptyDir.sizeLimit", o.storage.cacheSizeLimit, "storage.cacheSizeLimit");
  renderCacheClaim(r, o.storage?.cacheClaimName, s.cache?.providerCacheEnabled, "agent.providerCache.enabled");
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
