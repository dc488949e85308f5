import { App, TerraformStack, TerraformVariable, Token } from "cdktf";
import { AgentSettings, resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitValidationError } from "../../../core/validation";
import { renderAgentEnvironment } from "../../../agent/settings/render-env";
import { messageOf } from "../../support/errors";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/agent-token-AbCdEf";
const token = AgentTokenSource.fromAwsSecretsManager(SECRET);
const minimal: AgentSettings = { scalrUrl: "https://acme.scalr.io", token };

/** Every field set, each to a different value, so a copy-paste bug in the renderer shows. */
const everything: AgentSettings = {
  scalrUrl: "https://everything.scalr.io/",
  token,
  poolKind: "run",
  name: "agent-7",
  driver: "docker",
  concurrency: 3,
  dataDir: "/srv/scalr/data",
  cacheDir: "/srv/scalr/cache",
  hooksDir: "/srv/scalr/hooks",
  caBundle: { path: "/etc/pki/corp-ca.pem" },
  proxy: { http: "http://proxy.corp:3128", https: "http://proxy.corp:3129", noProxy: [".corp.example", "10.0.0.0/8"] },
  containerTask: {
    cpuRequest: 0.5,
    cpuLimit: 2.5,
    memoryRequestMiB: 768,
    memoryLimitMiB: 6144,
    schedulingTimeoutSeconds: 111,
    acquireTimeoutSeconds: 222,
    caBundle: { pem: "-----BEGIN CERTIFICATE-----\nTUlJQ0VYQU1QTEU=\n-----END CERTIFICATE-----\n" },
    imageMode: "golden",
    image: "registry.corp/scalr/runner:0.2.0",
    imageRegistry: "registry.corp/mirror/",
  },
  logFormat: "plain",
  debug: true,
  shutdown: { mode: "drain", gracePeriodSeconds: 900, drainTimeoutSeconds: 700, graceShutdownTimeoutSeconds: 45 },
  disconnectOnStop: false,
  providerMirrors: [{ url: "https://mirror.corp/providers/", include: ["registry.terraform.io/hashicorp/*"] }, { url: "https://mirror2.corp/" }],
  cache: {
    providerCacheEnabled: true,
    providerCacheSizeLimitMiB: 4096,
    moduleCacheEnabled: false,
    moduleCacheSizeLimitMiB: 512,
    binaryCacheSizeLimitMiB: 2048,
  },
  image: "registry.corp/scalr/agent:1.4.0",
  telemetry: { otlpEndpoint: "http://otel:4317", traces: true },
  extraEnv: { TF_LOG: "warn" },
};


describe("resolveAgentSettings defaults", () => {
  test("a minimal run agent drains for an hour before the runtime may kill it", () => {
    const s = resolveAgentSettings(minimal);
    expect(s).toMatchObject({
      poolKind: "run",
      single: false,
      dataDir: "/var/lib/scalr-agent",
      logFormat: "json",
      debug: false,
      disconnectOnStop: true,
      image: { reference: "scalr/agent:1.4.0", repository: "scalr/agent", tag: "1.4.0", dockerHub: true },
      providerMirrors: [],
      extraEnv: {},
      shutdown: { mode: "drain", gracePeriodSeconds: 3660, drainTimeoutSeconds: 3590, graceShutdownTimeoutSeconds: 60 },
    });
  });

  test("graceful mode derives the task grace timeout from the grace period", () => {
    const s = resolveAgentSettings({ ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 30 } });
    expect(s.shutdown).toEqual({ mode: "graceful", gracePeriodSeconds: 30, graceShutdownTimeoutSeconds: 20 });
  });

  test("force mode has no agent timeouts", () => {
    const s = resolveAgentSettings({ ...minimal, shutdown: { mode: "force" } });
    expect(s.shutdown).toEqual({ mode: "force", gracePeriodSeconds: 3660 });
  });

  test("drain at the 120 s minimum leaves 50 s to drain and 60 s to stop", () => {
    const s = resolveAgentSettings({ ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 120 } });
    expect(s.shutdown).toEqual({ mode: "drain", gracePeriodSeconds: 120, drainTimeoutSeconds: 50, graceShutdownTimeoutSeconds: 60 });
  });
});

describe("renderAgentEnvironment", () => {
  test("renders the minimal agent", () => {
    const env = renderAgentEnvironment(resolveAgentSettings(minimal), { noProxy: [] });
    expect(env.variables).toEqual({
      SCALR_URL: "https://acme.scalr.io",
      SCALR_AGENT_DATA_DIR: "/var/lib/scalr-agent",
      SCALR_AGENT_LOG_FORMAT: "json",
      SCALR_AGENT_DEBUG: "false",
      SCALR_AGENT_DISCONNECT_ON_STOP: "true",
      SCALR_AGENT_WORKER_ON_STOP_ACTION: "drain",
      SCALR_AGENT_WORKER_DRAIN_TIMEOUT: "3590",
      SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT: "60",
    });
    expect(env.secrets).toEqual([{ name: "SCALR_AGENT_TOKEN", source: token }]);
  });

  test("renders every option to its SCALR_AGENT_* name, sorted", () => {
    const env = renderAgentEnvironment(resolveAgentSettings(everything), { noProxy: [] });
    expect(Object.keys(env.variables)).toEqual([...Object.keys(env.variables)].sort());
    expect(env.variables).toMatchSnapshot();
  });

  test("never renders the token, whatever its source", () => {
    const stack = new TerraformStack(new App(), "s");
    const canary = new TerraformVariable(stack, "t", { sensitive: true, default: "CANARY-TOKEN-0123456789" });
    for (const source of [
      AgentTokenSource.fromTerraformValue(canary.stringValue),
      AgentTokenSource.fromAwsSecretsManager(SECRET),
      AgentTokenSource.fromKubernetesSecret("scalr-token", "token"),
      AgentTokenSource.fromFile("/run/scalr-agent/token"),
    ]) {
      const env = renderAgentEnvironment(resolveAgentSettings({ ...everything, token: source }), { noProxy: [] });
      const text = JSON.stringify(env.variables);
      expect(text).not.toMatch(/TOKEN"|CANARY|var\.t/);
      expect(env.secrets.map((s) => s.source)).toEqual([source]);
    }
  });

  test("a PEM bundle is rendered base64-encoded, a path as is with SSL_CERT_FILE", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----";
    const fromPem = renderAgentEnvironment(resolveAgentSettings({ ...minimal, caBundle: { pem } }), { noProxy: [] }).variables;
    expect(Buffer.from(fromPem.SCALR_AGENT_CA_CERT ?? "", "base64").toString()).toBe(pem);
    expect(fromPem.SSL_CERT_FILE).toBeUndefined();
    const fromPath = renderAgentEnvironment(resolveAgentSettings({ ...minimal, caBundle: { path: "/etc/ca.pem" } }), { noProxy: [] }).variables;
    expect(fromPath).toMatchObject({ SCALR_AGENT_CA_CERT: "/etc/ca.pem", SSL_CERT_FILE: "/etc/ca.pem" });
  });

  test("one proxy URL serves both schemes, in upper and lower case", () => {
    const v = renderAgentEnvironment(resolveAgentSettings({ ...minimal, proxy: { https: "http://p:8080" } }), { noProxy: [] }).variables;
    expect(v).toMatchObject({ HTTP_PROXY: "http://p:8080", HTTPS_PROXY: "http://p:8080", http_proxy: "http://p:8080", https_proxy: "http://p:8080" });
    expect(v.NO_PROXY).toBeUndefined();
  });

  test("a single-run serverless agent", () => {
    const v = renderAgentEnvironment(resolveAgentSettings({ ...minimal, single: true, driver: "local" }), { noProxy: [] }).variables;
    expect(v).toMatchObject({ SCALR_AGENT_SINGLE: "true", SCALR_AGENT_DRIVER: "local" });
  });

  test("Terraform references pass validation and render as references", () => {
    const stack = new TerraformStack(new App(), "s");
    const url = new TerraformVariable(stack, "url", { type: "string" });
    const n = new TerraformVariable(stack, "n", { type: "number" });
    const urlRef = url.stringValue;
    const s = resolveAgentSettings({ ...minimal, scalrUrl: urlRef, concurrency: n.numberValue });
    const v = renderAgentEnvironment(s, { noProxy: [] }).variables;
    expect(v.SCALR_URL).toBe(urlRef);
    expect(Token.isUnresolved(v.SCALR_AGENT_CONCURRENCY)).toBe(true);
  });
});

describe("resolveAgentSettings rejects bad input", () => {
  const cases: Array<[string, Partial<Record<keyof AgentSettings, unknown>> & Record<string, unknown>, string]> = [
    ["the URL is not https", { scalrUrl: "http://acme.scalr.io" }, 'AgentSettings: `scalrUrl` must be an https URL such as https://example.scalr.io, got: "http://acme.scalr.io"'],
    ["the URL is missing", { scalrUrl: undefined }, "AgentSettings: `scalrUrl` is required, got: nothing"],
    [
      "the token is a plain string",
      { token: "abcdefghijklmnopqrstuvwxyz0123" },
      "AgentSettings: `token` must be an AgentTokenSource (AgentTokenSource.fromTerraformValue(pool.tokenValue()), fromAwsSecretsManager(arn), …), never a literal token, got: a plain string of 30 characters (value hidden)",
    ],
    ["the pool kind is unknown", { poolKind: "gpu" }, 'AgentSettings: `poolKind` must be one of "run", "vcs", got: "gpu"'],
    ["the driver is unknown", { driver: "podman" }, 'AgentSettings: `driver` must be one of "docker", "local", "kubernetes", got: "podman"'],
    ["concurrency is 0", { concurrency: 0 }, "AgentSettings: `concurrency` must be a whole number from 1 to 50, got: 0"],
    ["concurrency is fractional", { concurrency: 2.5 }, "AgentSettings: `concurrency` must be a whole number from 1 to 50, got: 2.5"],
    ["concurrency is NaN", { concurrency: NaN }, "AgentSettings: `concurrency` must be a whole number from 1 to 50, got: NaN"],
    ["the data dir is relative", { dataDir: "data" }, 'AgentSettings: `dataDir` must be an absolute path without whitespace, got: "data"'],
    ["the name is empty", { name: "" }, "AgentSettings: `name` must be 1–128 letters, digits, '.', '_' or '-', got: \"\""],
    ["a field is misspelt", { concurency: 2 }, "AgentSettings: `concurency` is not a known field (did you mean `concurrency`?), got: 2"],
    ["the log format is unknown", { logFormat: "xml" }, 'AgentSettings: `logFormat` must be one of "json", "plain", "dev", got: "xml"'],
    ["debug is a string", { debug: "yes" }, 'AgentSettings: `debug` must be a boolean, got: "yes"'],
    ["the CA bundle sets both forms", { caBundle: { path: "/a.pem", pem: "-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----" } }, 'AgentSettings: `caBundle` must set exactly one of `path` or `pem`, got: {"path":"/a.pem","pem":"-----BEGIN CERTIFICATE-----x-----END CERTIFICATE-----"}'],
    ["the CA PEM has no certificate", { caBundle: { pem: "hello" } }, 'AgentSettings: `caBundle.pem` must contain at least one PEM CERTIFICATE block, got: "hello"'],
    ["the proxy has no URL", { proxy: { noProxy: ["x"] } }, 'AgentSettings: `proxy` must set `http` or `https`, got: {"noProxy":["x"]}'],
    ["the proxy URL is not a URL", { proxy: { http: "proxy:3128" } }, 'AgentSettings: `proxy.http` must be an http(s) proxy URL such as http://proxy.internal:3128, got: "proxy:3128"'],
    ["a no-proxy entry has a comma", { proxy: { http: "http://p:1", noProxy: ["a,b"] } }, 'AgentSettings: `proxy.noProxy[0]` must be one host, domain or CIDR without spaces or commas, got: "a,b"'],
    ["task CPU is out of range", { containerTask: { cpuLimit: 100 } }, "AgentSettings: `containerTask.cpuLimit` must be a number of cores from 0.01 to 64, got: 100"],
    ["task memory is too small", { containerTask: { memoryLimitMiB: 64 } }, "AgentSettings: `containerTask.memoryLimitMiB` must be a whole number from 128 to 262144, got: 64"],
    ["task CPU request exceeds the limit", { containerTask: { cpuRequest: 4, cpuLimit: 2 } }, "AgentSettings: `containerTask.cpuRequest` must not exceed `containerTask.cpuLimit` (2), got: 4"],
    ["task memory request exceeds the limit", { containerTask: { memoryRequestMiB: 4096, memoryLimitMiB: 2048 } }, "AgentSettings: `containerTask.memoryRequestMiB` must not exceed `containerTask.memoryLimitMiB` (2048), got: 4096"],
    ["a golden image is set in legacy mode", { containerTask: { imageMode: "legacy", image: "scalr/runner:0.2.0" } }, 'AgentSettings: `containerTask.image` applies only to `containerTask.imageMode` "golden", got: "scalr/runner:0.2.0"'],
    ["the image mode is unknown", { containerTask: { imageMode: "shiny" } }, 'AgentSettings: `containerTask.imageMode` must be one of "golden", "legacy", got: "shiny"'],
    ["the agent image is not a reference", { image: "Scalr Agent" }, 'AgentSettings: `image` must be an image reference such as scalr/agent:1.4.0, got: "Scalr Agent"'],
    ["drain has a short grace period", { shutdown: { mode: "drain", gracePeriodSeconds: 60 } }, 'AgentSettings: `shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 60'],
    ["graceful has a short grace period", { shutdown: { mode: "graceful", gracePeriodSeconds: 20 } }, 'AgentSettings: `shutdown.gracePeriodSeconds` must be at least 30 for `shutdown.mode` "graceful", got: 20'],
    [
      "the drain timeout outlasts the grace period",
      { shutdown: { mode: "drain", gracePeriodSeconds: 600, drainTimeoutSeconds: 600 } },
      "AgentSettings: `shutdown.drainTimeoutSeconds` plus `shutdown.graceShutdownTimeoutSeconds` (60) must be at most `shutdown.gracePeriodSeconds` − 10 (590) so runs finish before the runtime kills the agent, got: 600",
    ],
    [
      "the task grace timeout leaves no time to drain",
      { shutdown: { mode: "drain", gracePeriodSeconds: 120, graceShutdownTimeoutSeconds: 110 } },
      "AgentSettings: `shutdown.graceShutdownTimeoutSeconds` leaves no time to drain within `shutdown.gracePeriodSeconds` (120), got: 110",
    ],
    [
      "the graceful timeout outlasts the grace period",
      { shutdown: { mode: "graceful", gracePeriodSeconds: 60, graceShutdownTimeoutSeconds: 60 } },
      "AgentSettings: `shutdown.graceShutdownTimeoutSeconds` must be at most `shutdown.gracePeriodSeconds` − 10 (50) so tasks stop before the runtime kills the agent, got: 60",
    ],
    ["a drain timeout is set in graceful mode", { shutdown: { mode: "graceful", drainTimeoutSeconds: 60 } }, 'AgentSettings: `shutdown.drainTimeoutSeconds` applies only to `shutdown.mode` "drain", got: 60'],
    ["a grace timeout is set in force mode", { shutdown: { mode: "force", graceShutdownTimeoutSeconds: 5 } }, 'AgentSettings: `shutdown.graceShutdownTimeoutSeconds` applies only to `shutdown.mode` "drain" or "graceful", got: 5'],
    ["the shutdown mode is unknown", { shutdown: { mode: "sigkill" } }, 'AgentSettings: `shutdown.mode` must be one of "drain", "graceful", "force", got: "sigkill"'],
    ["a VCS agent sets concurrency", { poolKind: "vcs", concurrency: 2 }, 'AgentSettings: `concurrency` applies only to run agents (poolKind "run"), got: 2'],
    ["a VCS agent sets container-task limits", { poolKind: "vcs", containerTask: { cpuLimit: 1 } }, 'AgentSettings: `containerTask` applies only to run agents (poolKind "run"), got: {"cpuLimit":1}'],
    ["a VCS agent sets mirrors", { poolKind: "vcs", providerMirrors: [{ url: "https://m/" }] }, 'AgentSettings: `providerMirrors` applies only to run agents (poolKind "run"), got: an array of 1'],
    ["a single-run agent has concurrency 2", { single: true, concurrency: 2 }, "AgentSettings: `concurrency` must be 1 (or unset) when `single` is true: a single-run agent exits after one task, got: 2"],
    ["a mirror URL is http", { providerMirrors: [{ url: "http://m/" }] }, 'AgentSettings: `providerMirrors[0].url` must be an https URL, got: "http://m/"'],
    ["a cache limit is negative", { cache: { moduleCacheSizeLimitMiB: -1 } }, "AgentSettings: `cache.moduleCacheSizeLimitMiB` must be a whole number from 1 to 1048576, got: -1"],
    ["extra env sets the token", { extraEnv: { SCALR_AGENT_TOKEN: "abc" } }, "AgentSettings: `extraEnv.SCALR_AGENT_TOKEN` is reserved: set `token` instead, got: a plain string of 3 characters (value hidden)"],
    ["the hooks dir is relative", { hooksDir: "hooks" }, 'AgentSettings: `hooksDir` must be an absolute path without whitespace, got: "hooks"'],
    ["extra env sets the hooks dir", { extraEnv: { SCALR_AGENT_HOOKS_DIR: "/h" } }, 'AgentSettings: `extraEnv.SCALR_AGENT_HOOKS_DIR` is reserved: set `hooksDir` instead, got: "/h"'],
    ["extra env sets a legacy name", { extraEnv: { SCALR_DATA_HOME: "/x" } }, 'AgentSettings: `extraEnv.SCALR_DATA_HOME` is reserved: set `dataDir` instead, got: "/x"'],
    ["extra env sets a proxy in lower case", { extraEnv: { https_proxy: "http://p" } }, 'AgentSettings: `extraEnv.https_proxy` is reserved: set `proxy.https` instead, got: "http://p"'],
    ["extra env sets a task limit", { extraEnv: { SCALR_AGENT_CONTAINER_TASK_MEM_LIMIT: "1" } }, 'AgentSettings: `extraEnv.SCALR_AGENT_CONTAINER_TASK_MEM_LIMIT` is reserved: set `containerTask` instead, got: "1"'],
    ["an extra env name is invalid", { extraEnv: { "MY-VAR": "1" } }, "AgentSettings: `extraEnv[\"MY-VAR\"]` must be named with letters, digits and '_', not starting with a digit, got: \"MY-VAR\""],
    ["an extra env value is a number", { extraEnv: { PORT: 8080 } }, "AgentSettings: `extraEnv.PORT` must be a string, got: 8080"],
  ];

  test.each(cases)("fails when %s", (_name, overrides, expected) => {
    expect(messageOf(() => resolveAgentSettings({ ...minimal, ...overrides } as AgentSettings))).toBe(expected);
  });

  test("fails when a shutdown number is a Terraform reference: the rules need it at synth time", () => {
    const stack = new TerraformStack(new App(), "s");
    const n = new TerraformVariable(stack, "n", { type: "number" });
    expect(messageOf(() => resolveAgentSettings({ ...minimal, shutdown: { gracePeriodSeconds: n.numberValue } }))).toBe(
      "AgentSettings: `shutdown.gracePeriodSeconds` must be a whole number from 10 to 86400, known at synth time (not a Terraform reference), got: a Terraform reference",
    );
  });

  test("fails with one line per bad field, all at once", () => {
    const message = messageOf(() => resolveAgentSettings({ ...minimal, poolKind: "gpu", logFormat: "xml", concurrency: 99 } as unknown as AgentSettings));
    expect(message.split("\n")).toEqual([
      'AgentSettings: `poolKind` must be one of "run", "vcs", got: "gpu"',
      "AgentSettings: `concurrency` must be a whole number from 1 to 50, got: 99",
      'AgentSettings: `logFormat` must be one of "json", "plain", "dev", got: "xml"',
    ]);
  });

  test("reports field problems and the rules across other fields together, skipping rules on invalid fields", () => {
    const message = messageOf(() =>
      resolveAgentSettings({ ...minimal, concurrency: 0, shutdown: { mode: "drain", gracePeriodSeconds: 60 }, containerTask: { cpuRequest: 4, cpuLimit: 2 } }),
    );
    expect(message.split("\n")).toEqual([
      "AgentSettings: `concurrency` must be a whole number from 1 to 50, got: 0",
      "AgentSettings: `containerTask.cpuRequest` must not exceed `containerTask.cpuLimit` (2), got: 4",
      'AgentSettings: `shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 60',
    ]);
    // `single` is invalid, so the single/concurrency rule does not also fire.
    expect(messageOf(() => resolveAgentSettings({ ...minimal, single: "yes", concurrency: 5 } as unknown as AgentSettings)).split("\n")).toHaveLength(1);
  });

  test("names the construct path and the field prefix it is given", () => {
    const message = messageOf(() => resolveAgentSettings({ ...minimal, concurrency: 0 }, { subject: "vm/Fleet", fieldPrefix: "agent" }));
    expect(message).toBe("vm/Fleet: `agent.concurrency` must be a whole number from 1 to 50, got: 0");
    const cross = messageOf(() => resolveAgentSettings({ ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 30 } }, { subject: "vm/Fleet", fieldPrefix: "agent" }));
    expect(cross).toBe('vm/Fleet: `agent.shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 30');
  });

  test("fails when the settings are not an object", () => {
    expect(messageOf(() => resolveAgentSettings(undefined as unknown as AgentSettings))).toBe("AgentSettings: must be an object, got: nothing");
  });

  test("the error carries structured issues", () => {
    try {
      resolveAgentSettings({ ...minimal, concurrency: 0 });
    } catch (e) {
      expect((e as KitValidationError).subject).toBe("AgentSettings");
      expect((e as KitValidationError).issues).toEqual([{ field: "concurrency", message: "must be a whole number from 1 to 50", received: "0" }]);
    }
    expect.assertions(2);
  });
});
