import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AGENT_HELM_CHARTS, AgentHelmChart, HelmValuesInput, helmValuesDocument, renderHelmValues } from "../../../agent/k8s/render-helm-values";
import { AgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { describeValue } from "../../../core/validation";
import { messageOf } from "../../support/errors";
import { expectGolden } from "../../support/golden";
import { chartSchemaErrors } from "../../support/helm-charts";
import { decodeTerraformJson } from "../../support/terraform-json";

const ctx = { subject: "k8s/Agent" };
const token = AgentTokenSource.fromKubernetesSecret("scalr-token", "pool-token");
const PEM = "-----BEGIN CERTIFICATE-----\nTUlJQ0NPUlBDQQ==\n-----END CERTIFICATE-----\n";
const TASK_PEM = "-----BEGIN CERTIFICATE-----\nVEFTS0NB\n-----END CERTIFICATE-----\n";
const minimal: AgentSettings = { scalrUrl: "https://acme.scalr.io", token };

/** Per chart, every setting it supports, each with a different value so a crossed wire shows. */
const everything: Record<AgentHelmChart, HelmValuesInput> = {
  "agent-local": {
    chart: "agent-local",
    settings: {
      scalrUrl: "https://local.scalr.io/",
      token,
      poolKind: "run",
      driver: "local",
      concurrency: 1,
      dataDir: "/srv/local/data",
      cacheDir: "/srv/local/cache",
      hooksDir: "/srv/local/hooks",
      caBundle: { pem: PEM },
      proxy: { http: "http://proxy.local:3128", https: "http://proxy.local:3129", noProxy: [".svc", "10.0.0.0/8"] },
      logFormat: "plain",
      debug: true,
      shutdown: { mode: "graceful", gracePeriodSeconds: 300 },
      providerMirrors: [{ url: "https://mirror.local/providers/", include: ["registry.terraform.io/hashicorp/*"] }],
      cache: { providerCacheEnabled: true, providerCacheSizeLimitMiB: 4096 },
      image: "registry.local/scalr/agent:1.4.0",
      extraEnv: { TF_LOG: "warn" },
    },
    replicas: 3,
    resources: { requests: { cpu: "1500m", memory: "3Gi" }, limits: { cpu: "3", memory: "6Gi" } },
    nodeSelector: { "kubernetes.io/arch": "arm64" },
    tolerations: [{ key: "scalr", operator: "Equal", value: "local", effect: "NoSchedule" }],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    storage: { dataSizeLimit: "6Gi", cacheSizeLimit: "30Gi" },
    extraValues: { podAnnotations: { "example.com/team": "platform" } },
  },
  "agent-k8s": {
    chart: "agent-k8s",
    settings: {
      scalrUrl: "https://k8s.scalr.io",
      token,
      concurrency: 4,
      dataDir: "/var/lib/k8s-agent",
      caBundle: { path: "/etc/ssl/k8s-ca.pem" },
      proxy: { https: "http://proxy.k8s:8080" },
      containerTask: {
        cpuRequest: 0.5,
        cpuLimit: 2.5,
        memoryRequestMiB: 768,
        memoryLimitMiB: 6144,
        schedulingTimeoutSeconds: 111,
        acquireTimeoutSeconds: 222,
        caBundle: { pem: TASK_PEM },
        imageMode: "golden",
        image: "registry.k8s/scalr/runner:0.2.0",
      },
      logFormat: "dev",
      shutdown: { mode: "drain", gracePeriodSeconds: 1800 },
      cache: { providerCacheSizeLimitMiB: 2048, moduleCacheEnabled: true },
      image: "scalr/agent:1.3.0",
      extraEnv: { TF_LOG: "info" },
    },
    resources: { requests: { cpu: "250m", memory: "512Mi" } },
    nodeSelector: { pool: "scalr-agents" },
    tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }],
    extraValues: { agent: { kubernetes_task_labels: { team: "platform" } } },
  },
  "agent-job": {
    chart: "agent-job",
    settings: {
      scalrUrl: "https://job.scalr.io",
      token,
      dataDir: "/var/lib/job-agent/data",
      cacheDir: "/var/lib/job-agent/cache",
      caBundle: { pem: PEM },
      proxy: { http: "http://proxy.job:3128", noProxy: [".cluster.local"] },
      containerTask: { cpuRequest: 0.75, cpuLimit: 3, memoryRequestMiB: 1024, memoryLimitMiB: 8192, acquireTimeoutSeconds: 240, image: "scalr/runner:0.2.1" },
      logFormat: "json",
      debug: true,
      providerMirrors: [{ url: "https://mirror.job/" }],
      cache: { providerCacheEnabled: true, providerCacheSizeLimitMiB: 10240, moduleCacheEnabled: true, moduleCacheSizeLimitMiB: 1024, binaryCacheSizeLimitMiB: 3072 },
      image: "scalr/agent:1.4.0",
      extraEnv: { SCALR_AGENT_OTLP_ENDPOINT: "otel:4317" },
    },
    replicas: 2,
    resources: { requests: { cpu: "200m", memory: "384Mi" } },
    nodeSelector: { "node.kubernetes.io/pool": "runs" },
    tolerations: [{ key: "runs", operator: "Exists" }],
    storage: { dataSizeLimit: "5Gi", cacheSizeLimit: "2Gi" },
    extraValues: { task: { terminationGracePeriodSeconds: 900 }, otel: { enabled: true } },
  },
};

function render(input: HelmValuesInput): Record<string, any> {
  return renderHelmValues(input, ctx);
}

describe("renderHelmValues", () => {
  describe.each(AGENT_HELM_CHARTS)("%s", (chart) => {
    test("minimal values validate against the chart's own values.schema.json", () => {
      const errors = chartSchemaErrors(chart, render({ chart, settings: minimal }));
      if (errors) expect(errors).toEqual([]);
    });

    test("every supported setting renders where the chart reads it (golden) and validates", () => {
      const values = render(everything[chart]);
      const errors = chartSchemaErrors(chart, values);
      if (errors) expect(errors).toEqual([]);
      expectGolden(`helm/${chart}.values.json`, `${JSON.stringify(values, null, 2)}\n`);
    });

    test("the token is a Secret reference, never a value", () => {
      const values = render({ chart, settings: minimal });
      const agent = values.agent as Record<string, unknown>;
      expect(agent.token).toBeUndefined();
      if (chart === "agent-k8s") {
        expect(agent).toMatchObject({ tokenExistingSecret: "scalr-token", tokenExistingSecretKey: "pool-token" });
      } else {
        expect(agent.tokenExistingSecret).toEqual({ name: "scalr-token", key: "pool-token" });
      }
    });

    test("the metadata service is blocked by default and open only when asked", () => {
      const blocked = render({ chart, settings: minimal });
      const open = render({ chart, settings: minimal, allowMetadataService: true });
      const read = (v: Record<string, any>) =>
        chart === "agent-local" ? v.allowMetadataService : chart === "agent-k8s" ? !v.restrictMetadataService : v.task.allowMetadataService;
      expect(read(blocked)).toBe(false);
      expect(read(open)).toBe(true);
    });

    test("containers never escalate privileges and drop every capability", () => {
      const values = render({ chart, settings: minimal });
      const container = chart === "agent-job" ? values.agent.controller.securityContext : values.securityContext;
      expect(container).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    });
  });

  test("agent-local and agent-job pods run as non-root", () => {
    expect(render({ chart: "agent-local", settings: minimal })).toMatchObject({
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1000 },
      securityContext: { runAsNonRoot: true },
    });
    expect(render({ chart: "agent-job", settings: minimal })).toMatchObject({ global: { podSecurityContext: { runAsNonRoot: true, runAsUser: 1000 } } });
  });

  test("agent-local: the chart's shutdown contract (mode + grace period) is what the kit sets", () => {
    const values = render({ chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 600 } } });
    expect(values).toMatchObject({ agent: { shutdownMode: "drain" }, terminationGracePeriodSeconds: 600 });
    expect(values.extraEnv ?? {}).not.toHaveProperty("SCALR_AGENT_WORKER_DRAIN_TIMEOUT");
  });

  test("agent-k8s: shutdown timeouts go to the chart's own keys", () => {
    const values = render({ chart: "agent-k8s", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 90 } } });
    expect(values).toMatchObject({ agent: { worker_on_stop_action: "grace-shutdown", grace_shutdown_timeout: 80 }, terminationGracePeriodSeconds: 90 });
    expect(values.agent).not.toHaveProperty("worker_drain_timeout");
  });

  test("agent-job: the proxy reaches task pods through global.proxy", () => {
    const values = render({ chart: "agent-job", settings: { ...minimal, proxy: { http: "http://p:3128", noProxy: ["a", "b"] } } });
    expect(values.global.proxy).toEqual({ enabled: true, httpProxy: "http://p:3128", httpsProxy: "http://p:3128", noProxy: "a,b" });
    expect(values.agent.extraEnv ?? {}).not.toHaveProperty("HTTP_PROXY");
  });

  test("a VCS agent on agent-local renders without run-only values", () => {
    const values = render({ chart: "agent-local", settings: { ...minimal, poolKind: "vcs" } });
    expect(values.agent).not.toHaveProperty("providerNetworkMirrors");
    const errors = chartSchemaErrors("agent-local", values);
    if (errors) expect(errors).toEqual([]);
  });

  test("extra values add keys next to the kit's", () => {
    const values = render({ chart: "agent-local", settings: minimal, extraValues: { securityContext: { readOnlyRootFilesystem: true }, image: { pullPolicy: "Always" } } });
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(values.image).toEqual({ repository: "scalr/agent", tag: "1.4.0", pullPolicy: "Always" });
  });

  test("an image digest stays with the tag", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const values = render({ chart: "agent-local", settings: { ...minimal, image: `registry:5000/scalr/agent:1.4.0@${digest}` } });
    expect(values.image).toEqual({ repository: "registry:5000/scalr/agent", tag: `1.4.0@${digest}` });
  });

  test("the schema check itself catches values a chart rejects", () => {
    const errors = chartSchemaErrors("agent-local", { terminationGracePeriodSeconds: 5, agent: { shutdownMode: "soft" } });
    if (errors) expect(errors).toEqual(["/agent/shutdownMode must be equal to one of the allowed values", "/terminationGracePeriodSeconds must be >= 10"]);
    const jobErrors = chartSchemaErrors("agent-job", { agent: { extraEnv: { SCALR_AGENT_DEBUG: "yes" } } });
    if (jobErrors) expect(jobErrors.length).toBeGreaterThan(0);
  });

  test("references stay Terraform expressions in the values document", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const url = new TerraformVariable(stack, "scalr_url", { type: "string" });
    const values = render({ chart: "agent-local", settings: { ...minimal, scalrUrl: url.stringValue } });
    const doc = helmValuesDocument(values);
    new TerraformVariable(stack, "probe", { type: "string", default: doc });
    const synthesized: string = JSON.parse(Testing.synth(stack)).variable.probe.default;
    expect(synthesized).toContain('"url":${jsonencode(var.scalr_url)}');
    expect(decodeTerraformJson(synthesized)).toMatchObject({ agent: { url: "<ref:var.scalr_url>" } });
  });
});

describe("renderHelmValues fails at synth time", () => {
  const cases: Array<[string, HelmValuesInput, string]> = [
    ["when the chart is unknown", { chart: "agent-docker" as AgentHelmChart, settings: minimal }, 'k8s/Agent: `chart` must be one of "agent-local", "agent-k8s", "agent-job", got: "agent-docker"'],
    [
      "when a VCS pool uses agent-k8s",
      { chart: "agent-k8s", settings: { ...minimal, poolKind: "vcs" } },
      'k8s/Agent: `chart` must be "agent-local" for a VCS pool: the other charts start run tasks only, got: "agent-k8s"',
    ],
    [
      "when the drain grace period is below the chart's minimum",
      { chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 119 } } },
      'k8s/Agent: `settings.shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 119',
    ],
    [
      "when the graceful grace period is below the chart's minimum",
      { chart: "agent-k8s", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 29 } } },
      'k8s/Agent: `settings.shutdown.gracePeriodSeconds` must be at least 30 for `shutdown.mode` "graceful", got: 29',
    ],
    [
      "when extraEnv uses a reserved name",
      { chart: "agent-local", settings: { ...minimal, extraEnv: { SCALR_AGENT_DRIVER: "docker" } } },
      "k8s/Agent: `settings.extraEnv.SCALR_AGENT_DRIVER` is reserved: set `driver` instead, got: \"docker\"",
    ],
    [
      "when agent-local is given a concurrency above 1",
      { chart: "agent-local", settings: { ...minimal, concurrency: 2 } },
      "k8s/Agent: `settings.concurrency` must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`, got: 2",
    ],
    ["when the driver does not fit the chart", { chart: "agent-k8s", settings: { ...minimal, driver: "docker" } }, 'k8s/Agent: `settings.driver` must be "kubernetes" (or unset) for agent-k8s, got: "docker"'],
    [
      "when agent-local gets an explicit drain timeout it would not use",
      { chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 600, drainTimeoutSeconds: 400 } } },
      "k8s/Agent: `settings.shutdown.drainTimeoutSeconds` is derived by agent-local from `shutdown.gracePeriodSeconds` (530 for 600); leave it unset, got: 400",
    ],
    [
      "when agent-job gets shutdown settings",
      { chart: "agent-job", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 60 } } },
      "k8s/Agent: `settings.shutdown` is set by agent-job itself: its controller drains and each run lives in its own Job (tune `extraValues.task.terminationGracePeriodSeconds`), got: {\"mode\":\"graceful\",\"gracePeriodSeconds\":60}",
    ],
    [
      "when a CA bundle is a path for agent-local",
      { chart: "agent-local", settings: { ...minimal, caBundle: { path: "/etc/ca.pem" } } },
      'k8s/Agent: `settings.caBundle` must be given as `pem` for agent-local: the chart mounts the bundle from its values, got: "/etc/ca.pem"',
    ],
    ["when the agent is named", { chart: "agent-local", settings: { ...minimal, name: "a1" } }, 'k8s/Agent: `settings.name` is set by the chart: each pod registers under its own pod name, got: "a1"'],
    [
      "when agent-k8s is given replicas",
      { chart: "agent-k8s", settings: minimal, replicas: 2 },
      "k8s/Agent: `replicas` is not supported by agent-k8s: it runs one worker per matching node (use `nodeSelector`), got: 2",
    ],
    [
      "when agent-k8s is given an affinity",
      { chart: "agent-k8s", settings: minimal, affinity: { nodeAffinity: {} } },
      "k8s/Agent: `affinity` is not supported by agent-k8s (use `nodeSelector` and `tolerations`), got: {\"nodeAffinity\":{}}",
    ],
    [
      "when the token is not a Kubernetes Secret",
      { chart: "agent-local", settings: { ...minimal, token: AgentTokenSource.fromFile("/run/token") } },
      'k8s/Agent: `settings.token` must come from AgentTokenSource.fromKubernetesSecret(name, key) (or use HelmAgent, which stores a Terraform value in a Secret it creates): chart values never hold the token, got: "file"',
    ],
    [
      "when a node selector key is not a label key",
      { chart: "agent-local", settings: minimal, nodeSelector: { "bad key": "x" } },
      'k8s/Agent: `nodeSelector["bad key"]` must be a Kubernetes label key ([prefix/]name), got: "bad key"',
    ],
    [
      "when a toleration has a value with Exists",
      { chart: "agent-local", settings: minimal, tolerations: [{ key: "k", operator: "Exists", value: "v" }] },
      'k8s/Agent: `tolerations[0]` must not set `value` with operator "Exists", got: {"key":"k","operator":"Exists","value":"v"}',
    ],
    [
      "when a resource quantity is malformed",
      { chart: "agent-local", settings: minimal, resources: { limits: { memory: "2 GB" } } },
      'k8s/Agent: `resources.limits.memory` must be a Kubernetes quantity such as "1Gi", got: "2 GB"',
    ],
    [
      "when agent-local extraValues.extraEnv names the token variable",
      { chart: "agent-local", settings: minimal, extraValues: { extraEnv: { SCALR_AGENT_TOKEN: "t-secret" } } },
      "k8s/Agent: `extraValues.extraEnv.SCALR_AGENT_TOKEN` is reserved: set `token` instead, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when agent-k8s extraValues.extraEnv names a variable the kit renders",
      { chart: "agent-k8s", settings: minimal, extraValues: { extraEnv: { SCALR_AGENT_DRIVER: "docker" } } },
      'k8s/Agent: `extraValues.extraEnv.SCALR_AGENT_DRIVER` is reserved: set `driver` instead, got: "docker"',
    ],
    [
      "when agent-job extraValues.agent.extraEnv names the token variable",
      { chart: "agent-job", settings: minimal, extraValues: { agent: { extraEnv: { SCALR_TOKEN: "t-secret" } } } },
      "k8s/Agent: `extraValues.agent.extraEnv.SCALR_TOKEN` is reserved: set `token` instead, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when agent-job's controller extraEnv (list form) names the token variable",
      { chart: "agent-job", settings: minimal, extraValues: { agent: { controller: { extraEnv: [{ name: "TF_LOG", value: "info" }, { name: "SCALR_AGENT_TOKEN", value: "t-secret" }] } } } },
      'k8s/Agent: `extraValues.agent.controller.extraEnv[1].name` is reserved: set `token` instead, got: "SCALR_AGENT_TOKEN"',
    ],
    [
      "when agent-job's task worker and runner extraEnv name reserved variables",
      {
        chart: "agent-job",
        settings: minimal,
        extraValues: { task: { worker: { extraEnv: [{ name: "SCALR_URL", value: "https://other.scalr.io" }] }, runner: { extraEnv: [{ name: "HTTPS_PROXY", value: "http://p:3128" }] } } },
      },
      "k8s/Agent: `extraValues.task.worker.extraEnv[0].name` is reserved: set `scalrUrl` instead, got: \"SCALR_URL\"\nk8s/Agent: `extraValues.task.runner.extraEnv[0].name` is reserved: set `proxy.https` instead, got: \"HTTPS_PROXY\"",
    ],
    [
      "when the agent image is a digest without a tag",
      { chart: "agent-job", settings: { ...minimal, image: `registry.corp/scalr/agent@sha256:${"0".repeat(64)}` } },
      `k8s/Agent: \`settings.image\` must give a tag with the digest, e.g. registry.corp/scalr/agent:1.4.0@sha256:${"0".repeat(64)} (the charts render \`repository:tag\`, so a digest alone becomes \`registry.corp/scalr/agent:@sha256:${"0".repeat(64)}\`), got: ${describeValue(`registry.corp/scalr/agent@sha256:${"0".repeat(64)}`)}`,
    ],
    [
      "when extra values put the token in values",
      { chart: "agent-local", settings: minimal, extraValues: { agent: { token: "t-secret" } } },
      "k8s/Agent: `extraValues.agent.token` must not be set: the token is read from a Kubernetes Secret, never from Helm values, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when extra values hold a private key",
      { chart: "agent-job", settings: minimal, extraValues: { global: { tls: { clientKey: "-----BEGIN EC PRIVATE KEY-----" } } } },
      "k8s/Agent: `extraValues.global.tls.clientKey` must not be set: a private key in values is stored in the release in plain text; use `clientCertSecret`, got: a plain string of 30 characters (value hidden)",
    ],
    [
      "when an extra value has a typo",
      { chart: "agent-local", settings: minimal, extraValues: { replicaCont: 2 } },
      "k8s/Agent: `extraValues.replicaCont` is not a known field (did you mean `replicaCount`?), got: 2",
    ],
    [
      "when an extra value has the wrong type for the chart",
      { chart: "agent-k8s", settings: minimal, extraValues: { agent: { kubernetes_task_labels: ["a"] } } },
      "k8s/Agent: `extraValues.agent.kubernetes_task_labels` must be a record, got: an array of 1",
    ],
    [
      "when an extra value overrides what the kit renders",
      { chart: "agent-local", settings: minimal, extraValues: { terminationGracePeriodSeconds: 30 } },
      "k8s/Agent: `extraValues.terminationGracePeriodSeconds` is rendered by the kit from `settings.shutdown.gracePeriodSeconds`; set it there instead, got: 30",
    ],
    [
      "when an extra value replaces a whole object the kit fills",
      { chart: "agent-job", settings: minimal, extraValues: { task: { allowMetadataService: true } } },
      "k8s/Agent: `extraValues.task.allowMetadataService` is rendered by the kit from `allowMetadataService`; set it there instead, got: true",
    ],
    [
      "when an extra value is not plain data",
      { chart: "agent-local", settings: minimal, extraValues: { podAnnotations: { a: () => "x" } } },
      "k8s/Agent: `extraValues.podAnnotations.a` must be plain data (string, number, boolean, null, list or object), got: a function",
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });

  test("reports every problem at once", () => {
    const message = messageOf(() => render({ chart: "agent-local", settings: { ...minimal, name: "a", concurrency: 3 }, replicas: 1 }));
    expect(message.split("\n")).toEqual([
      'k8s/Agent: `settings.name` is set by the chart: each pod registers under its own pod name, got: "a"',
      "k8s/Agent: `settings.concurrency` must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`, got: 3",
    ]);
  });
});
