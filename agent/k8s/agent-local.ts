import { z } from "zod";
import { AgentChart, ChartRenderInput } from "./agent-chart";
import { HARDENED_CONTAINER, NON_ROOT, RUNTIME_DEFAULT } from "./pod-hardening";
import { mirror, stripSlash } from "./value-formats";
import { bool, int, keys, noToken, obj, stringMap, tls } from "./values-model";
import { ValuesRenderer } from "./values-renderer";
import { renderCacheClaim } from "./cache-claim";
import { AgentSettings, ResolvedAgentSettings } from "../settings/agent-settings";
import { strictProps } from "../../core/validation";

// agent-local: a fixed number of agent pods, each running one run at a time in the pod itself; the
// only chart for VCS pools (https://docs.scalr.io/docs/self-hosted-agents-pools). Rendered for the
// chart at 0.6.5:
// - values: https://github.com/Scalr/agent-helm/blob/agent-local-0.6.5/charts/agent-local/values.yaml
// - template: https://github.com/Scalr/agent-helm/blob/agent-local-0.6.5/charts/agent-local/templates/deployment.yaml
//   (sets the driver, concurrency 1 and disconnect-on-stop itself, derives the shutdown timeouts
//   from `terminationGracePeriodSeconds`, and fails on reserved `extraEnv` names)

/** The kit's model of agent-local's values. */
export const AGENT_LOCAL_VALUES = strictProps({
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

/** agent-local. */
export const AGENT_LOCAL_CHART: AgentChart = {
  name: "agent-local",
  values: AGENT_LOCAL_VALUES,
  extraEnvPath: "extraEnv",
  runsInAgentPod: true,
  // The chart sets SCALR_AGENT_CA_CERT itself to the bundle it mounts from `agent.tls.caBundle` or
  // `agent.tls.caBundleSecret`, and fails on SCALR_AGENT_CA_CERT in `extraEnv`
  // (Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ cf283e1).
  caBundlePathMessage:
    "must be given as `pem` for agent-local: the chart sets SCALR_AGENT_CA_CERT itself, to the bundle it mounts from `agent.tls.caBundle` (rendered from `pem`), and rejects it in `extraEnv` (for a Secret you already have, leave `caBundle` unset and set `extraValues.agent.tls.caBundleSecret`)",
  // Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ cf283e1.
  imagePullSecretsPath: "imagePullSecrets",
  render: renderAgentLocal,
};

function renderAgentLocal(r: ValuesRenderer, { raw, settings: s, options: o, take, tokenSecret, image }: ChartRenderInput): void {
  if (s.driver !== undefined && s.driver !== "local") r.fail("settings.driver", 'must be "local" (or unset) for agent-local', s.driver);
  if (s.concurrency !== undefined && s.concurrency !== 1) {
    r.fail("settings.concurrency", "must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`", s.concurrency);
  }
  if (!s.disconnectOnStop) r.fail("settings.disconnectOnStop", "must be true for agent-local (the chart always disconnects on stop)", false);
  if (s.containerTask !== undefined) {
    r.fail("settings.containerTask", "does not apply to agent-local: runs execute in the agent pod (size it with `resources`)", s.containerTask);
  }
  checkDerivedShutdown(r, raw, s);
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
  r.set("agent.url", stripSlash(s.scalrUrl), "settings.scalrUrl");
  r.set("agent.tokenExistingSecret", { name: tokenSecret.name, key: tokenSecret.key }, "settings.token");
  r.set("agent.shutdownMode", s.shutdown.mode, "settings.shutdown.mode");
  r.set("terminationGracePeriodSeconds", s.shutdown.gracePeriodSeconds, "settings.shutdown.gracePeriodSeconds");
  r.dataDirs(raw, take, "agent.dataDir", "agent.cacheDir");
  if (s.providerMirrors.length > 0) r.set("agent.providerNetworkMirrors", s.providerMirrors.map(mirror), "settings.providerMirrors");
  if (s.caBundle?.pem !== undefined) r.set("agent.tls.caBundle", s.caBundle.pem, "settings.caBundle.pem");
  r.set("image", image, "settings.image");
  r.set("replicaCount", o.replicas ?? 1, "replicas");
  r.placement(o, "", "", "");
  if (o.resources) r.set("resources", o.resources, "resources");
  r.set("allowMetadataService", o.allowMetadataService, "allowMetadataService");
  r.set("serviceAccount.automountToken", false, "HelmAgent (agent-local never calls the Kubernetes API)");
  r.set("podSecurityContext", { ...NON_ROOT, fsGroup: 1000, seccompProfile: RUNTIME_DEFAULT }, "HelmAgent's hardened defaults");
  r.set("securityContext", { ...HARDENED_CONTAINER, ...NON_ROOT, procMount: "Default" }, "HelmAgent's hardened defaults");
  if (o.storage?.dataSizeLimit !== undefined) r.set("persistence.data.emptyDir.sizeLimit", o.storage.dataSizeLimit, "storage.dataSizeLimit");
  if (o.storage?.cacheSizeLimit !== undefined) r.set("persistence.cache.emptyDir.sizeLimit", o.storage.cacheSizeLimit, "storage.cacheSizeLimit");
  renderCacheClaim(r, o.storage?.cacheClaimName, s.cache?.providerCacheEnabled, undefined);
}

/** agent-local derives the agent's shutdown timeouts from the grace period; explicit ones must agree. */
function checkDerivedShutdown(r: ValuesRenderer, raw: AgentSettings, s: ResolvedAgentSettings): void {
  const grace = s.shutdown.gracePeriodSeconds;
  const derived = s.shutdown.mode === "drain" ? { drainTimeoutSeconds: grace - 70, graceShutdownTimeoutSeconds: 60 } : { graceShutdownTimeoutSeconds: grace - 10 };
  for (const [key, expected] of Object.entries(derived)) {
    const given = raw.shutdown?.[key as keyof typeof derived];
    if (given !== undefined && given !== expected) {
      r.fail(`settings.shutdown.${key}`, `is derived by agent-local from \`shutdown.gracePeriodSeconds\` (${expected} for ${grace}); leave it unset`, given);
    }
  }
}
