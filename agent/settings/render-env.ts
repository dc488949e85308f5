import { Fn, Token } from "cdktf";
import { CaBundle, ResolvedAgentSettings } from "./agent-settings";
import { proxyVariables, renderProxy } from "./proxy";
import { AgentTokenSource } from "./token-source";
import { isToken } from "../../core/validation";

/** A variable whose value is a secret: the runtime injects it from `source` (ECS `secrets`, a Secret, a root-only file). */
export interface AgentSecretVariable {
  /** Variable name the agent reads. */
  readonly name: "SCALR_AGENT_TOKEN";
  /** Where the value comes from. */
  readonly source: AgentTokenSource;
}

/** The agent's environment, split into plain variables and secrets. */
export interface AgentEnvironment {
  /** Plain variables, sorted by name. Never holds the token. */
  readonly variables: Readonly<Record<string, string>>;
  /** Secret variables; their values never appear in rendered artefacts. */
  readonly secrets: readonly AgentSecretVariable[];
}

/** What a runtime adds to the shared rendering. */
export interface AgentEnvironmentRuntime {
  /**
   * Endpoints that must stay direct behind a proxy on this runtime (loopback, instance or task
   * metadata, in-cluster addresses), put before the user's `proxy.noProxy` entries.
   */
  readonly noProxy: readonly string[];
}

/** Which names the agent reads: the current `SCALR_AGENT_*` ones. */
export const AGENT_TOKEN_VARIABLE = "SCALR_AGENT_TOKEN";

/**
 * Renders settings to the agent's environment (`SCALR_URL` and `SCALR_AGENT_*` names, proxy
 * variables, extra variables). The token is listed under `secrets`, by reference only.
 *
 * Proxy variables come from the one proxy renderer (`renderProxy` in agent/settings/proxy.ts) with the runtime's
 * must-bypass endpoints, so a proxy means the same on every runtime.
 */
export function renderAgentEnvironment(settings: ResolvedAgentSettings, runtime: AgentEnvironmentRuntime): AgentEnvironment {
  const env: Record<string, string> = {};
  const set = (name: string, value: string | number | boolean | undefined) => {
    if (value === undefined) return;
    // A number token must be encoded as a string token, or it would render as a huge literal.
    env[name] = typeof value === "number" && isToken(value) ? Token.asString(value) : String(value);
  };

  set("SCALR_URL", settings.scalrUrl.replace(/\/+$/, ""));
  set("SCALR_AGENT_NAME", settings.name);
  set("SCALR_AGENT_DRIVER", settings.driver);
  set("SCALR_AGENT_CONCURRENCY", settings.concurrency);
  if (settings.single) set("SCALR_AGENT_SINGLE", true);
  set("SCALR_AGENT_DATA_DIR", settings.dataDir);
  set("SCALR_AGENT_CACHE_DIR", settings.cacheDir);
  set("SCALR_AGENT_HOOKS_DIR", settings.hooksDir);
  set("SCALR_AGENT_LOG_FORMAT", settings.logFormat);
  set("SCALR_AGENT_DEBUG", settings.debug);
  set("SCALR_AGENT_DISCONNECT_ON_STOP", settings.disconnectOnStop);

  const shutdown = settings.shutdown;
  set("SCALR_AGENT_WORKER_ON_STOP_ACTION", { drain: "drain", graceful: "grace-shutdown", force: "force-shutdown" }[shutdown.mode]);
  set("SCALR_AGENT_WORKER_DRAIN_TIMEOUT", shutdown.drainTimeoutSeconds);
  set("SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT", shutdown.graceShutdownTimeoutSeconds);

  if (settings.caBundle) {
    set("SCALR_AGENT_CA_CERT", caValue(settings.caBundle));
    set("SSL_CERT_FILE", settings.caBundle.path);
  }

  const task = settings.containerTask;
  if (task) {
    const p = "SCALR_AGENT_CONTAINER_TASK_";
    set(`${p}CPU_REQUEST`, task.cpuRequest);
    set(`${p}CPU_LIMIT`, task.cpuLimit);
    set(`${p}MEM_REQUEST`, task.memoryRequestMiB);
    set(`${p}MEM_LIMIT`, task.memoryLimitMiB);
    set(`${p}SCHEDULING_TIMEOUT`, task.schedulingTimeoutSeconds);
    set(`${p}ACQUIRE_TIMEOUT`, task.acquireTimeoutSeconds);
    if (task.caBundle) set(`${p}CA_CERT`, caValue(task.caBundle));
    set(`${p}IMAGE_MODE`, task.imageMode);
    set(`${p}IMAGE`, task.image);
    set(`${p}IMAGE_REGISTRY`, task.imageRegistry);
  }

  if (settings.providerMirrors.length > 0) {
    set(
      "SCALR_AGENT_PROVIDER_NETWORK_MIRRORS",
      JSON.stringify(settings.providerMirrors.map((m) => (m.include ? { url: m.url, include: m.include } : { url: m.url }))),
    );
  }

  const cache = settings.cache;
  if (cache) {
    set("SCALR_AGENT_PROVIDER_CACHE_ENABLED", cache.providerCacheEnabled);
    set("SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB", cache.providerCacheSizeLimitMiB);
    set("SCALR_AGENT_MODULE_CACHE_ENABLED", cache.moduleCacheEnabled);
    set("SCALR_AGENT_MODULE_CACHE_SIZE_LIMIT_MB", cache.moduleCacheSizeLimitMiB);
    set("SCALR_AGENT_BINARY_CACHE_SIZE_LIMIT_MB", cache.binaryCacheSizeLimitMiB);
  }

  // Set only when on, as Scalr's agent-job chart does (Scalr/agent-helm charts/agent-job/templates/agent.yaml @ cf283e1).
  const telemetry = settings.telemetry;
  if (telemetry) {
    set("SCALR_AGENT_OTLP_ENDPOINT", telemetry.otlpEndpoint);
    if (telemetry.metrics) set("SCALR_AGENT_OTLP_METRICS_ENABLED", true);
    if (telemetry.traces) set("SCALR_AGENT_OTLP_TRACES_ENABLED", true);
  }

  const proxy = renderProxy(settings.proxy, runtime.noProxy);
  if (proxy) Object.assign(env, proxyVariables(proxy));

  for (const [name, value] of Object.entries(settings.extraEnv)) set(name, value);

  const variables = Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k] as string]));
  return { variables, secrets: [{ name: AGENT_TOKEN_VARIABLE, source: settings.token }] };
}

/** SCALR_AGENT_CA_CERT takes a path or a base64-encoded PEM bundle. */
function caValue(ca: CaBundle): string | undefined {
  if (ca.path !== undefined) return ca.path;
  if (ca.pem === undefined) return undefined;
  return isToken(ca.pem) ? Fn.base64encode(ca.pem) : Buffer.from(ca.pem, "utf8").toString("base64");
}
