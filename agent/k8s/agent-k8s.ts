import { z } from "zod";
import { AgentChart, ChartRenderInput } from "./agent-chart";
import { ParsedHelmValuesOptions } from "./helm-values-options";
import { HARDENED_CONTAINER } from "./pod-hardening";
import { stripSlash } from "./value-formats";
import { bool, int, keys, noToken, obj, stringMap } from "./values-model";
import { ValuesRenderer } from "./values-renderer";
import { strictProps } from "../../core/validation";

// agent-k8s: a controller plus a worker per matching node, each run in its own task pod
// (https://docs.scalr.io/docs/self-hosted-agents-pools). Rendered for the chart at 0.6.5:
// - values: https://github.com/Scalr/agent-helm/blob/agent-k8s-0.6.5/charts/agent-k8s/values.yaml
// - templates: https://github.com/Scalr/agent-helm/blob/agent-k8s-0.6.5/charts/agent-k8s/templates/controller.yaml
//   and https://github.com/Scalr/agent-helm/blob/agent-k8s-0.6.5/charts/agent-k8s/templates/worker.yaml
//   (every agent variable has an `agent.*` value, the token is `tokenExistingSecret` + `tokenExistingSecretKey`)

/** The kit's model of agent-k8s's values. */
export const AGENT_K8S_VALUES = strictProps({
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

const AGENT_K8S_NO_VOLUME =
  "the chart mounts no volume a CA file could come from (its controller and workers take no extra volumes), so a path would name a file that does not exist in the pods";
const CUSTOM_IMAGE = "or bake the bundle into a custom agent image and leave `caBundle` unset";

/** agent-k8s. */
export const AGENT_K8S_CHART: AgentChart = {
  name: "agent-k8s",
  values: AGENT_K8S_VALUES,
  extraEnvPath: "extraEnv",
  runsInAgentPod: false,
  // The controller and worker mount only `data-home` (Scalr/agent-helm charts/agent-k8s/templates/controller.yaml
  // and worker.yaml @ cf283e1: no extra volumes), so a path can only name a file of the image; `agent.ca_cert`
  // also takes the bundle base64-encoded (charts/agent-k8s/values.yaml and README.md @ cf283e1, "SSL Certificate Bundles").
  caBundlePathMessage: `must be given as \`pem\` for agent-k8s: ${AGENT_K8S_NO_VOLUME}; the PEM is rendered base64-encoded into \`agent.ca_cert\` (${CUSTOM_IMAGE})`,
  // Both pods list `imagePullSecrets` as given (Scalr/agent-helm charts/agent-k8s/templates/controller.yaml and worker.yaml @ cf283e1).
  imagePullSecretsPath: "imagePullSecrets",
  checkOptions: checkAgentK8sOptions,
  render: renderAgentK8s,
};

/** The chart has no affinity, replica count or volume sizes. */
function checkAgentK8sOptions(r: ValuesRenderer, o: ParsedHelmValuesOptions): void {
  if (o.affinity !== undefined) {
    r.fail("affinity", "is not supported by agent-k8s (use `nodeSelector` and `tolerations`)", o.affinity);
  }
  if (o.replicas !== undefined) {
    r.fail("replicas", "is not supported by agent-k8s: it runs one worker per matching node (use `nodeSelector`)", o.replicas);
  }
  if (o.storage !== undefined) {
    r.fail("storage", "is not supported by agent-k8s: workers keep data in a host path (`settings.dataDir`)", o.storage);
  }
}

function renderAgentK8s(r: ValuesRenderer, { raw, settings: s, options: o, take, tokenSecret, image, taskPodLabels }: ChartRenderInput): void {
  if (s.driver !== undefined && s.driver !== "kubernetes") r.fail("settings.driver", 'must be "kubernetes" (or unset) for agent-k8s', s.driver);
  take("SCALR_AGENT_DRIVER");
  const task = s.containerTask;
  if (task?.caBundle?.path !== undefined) {
    r.fail(
      "settings.containerTask.caBundle",
      `must be given as \`pem\` for agent-k8s: ${AGENT_K8S_NO_VOLUME}; the PEM is rendered base64-encoded into \`agent.container_task_ca_cert\` (${CUSTOM_IMAGE})`,
      task.caBundle.path,
    );
  }
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
  for (const [key, value, source] of agent) r.set(`agent.${key}`, value, source);
  r.set("terminationGracePeriodSeconds", s.shutdown.gracePeriodSeconds, "settings.shutdown.gracePeriodSeconds");
  r.set("image", image, "settings.image");
  // The chart's default is `Always` (charts/agent-k8s/values.yaml @ cf283e1); a pinned tag needs no re-pull.
  r.setDefault("image.pullPolicy", "IfNotPresent");
  // Task pods carry only the labels the controller is given (`agent.kubernetes_task_labels` →
  // SCALR_AGENT_KUBERNETES_TASK_LABELS, Scalr/agent-helm charts/agent-k8s/templates/controller.yaml @ cf283e1);
  // the chart's NetworkPolicy selects the controller and worker pods only (templates/networkpolicy.yaml).
  if (taskPodLabels) r.set("agent.kubernetes_task_labels", taskPodLabels, "HelmAgent (the task pods' NetworkPolicy selects these labels)");
  if (o.nodeSelector) {
    r.set("controllerNodeSelector", o.nodeSelector, "nodeSelector");
    r.set("workerNodeSelector", o.nodeSelector, "nodeSelector");
  }
  if (o.tolerations) {
    r.set("controllerTolerations", o.tolerations, "tolerations");
    r.set("workerTolerations", o.tolerations, "tolerations");
  }
  if (o.resources) r.set("resources", o.resources, "resources");
  r.set("restrictMetadataService", !o.allowMetadataService, "allowMetadataService");
  // Workers write the host path `agent.data_home` and so run as root (the chart's design); they
  // still get no privilege escalation, no capabilities and the RuntimeDefault seccomp profile.
  r.set("securityContext", { ...HARDENED_CONTAINER, runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, procMount: "Default" }, "HelmAgent's hardened defaults");
}
