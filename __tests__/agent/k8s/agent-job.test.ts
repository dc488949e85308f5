import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { expectGolden } from "../../support/golden";
import { chartSchemaErrors } from "../../support/helm-charts";
import { FailureCase, PEM, ctx, minimal, render, token } from "./fixtures";

/** Every setting agent-job supports, each with a different value so a crossed wire shows. */
const everything: HelmValuesInput = {
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
    telemetry: { otlpEndpoint: "otel:4317", traces: true },
    extraEnv: { TF_LOG: "warn" },
  },
  replicas: 2,
  resources: { requests: { cpu: "200m", memory: "384Mi" } },
  nodeSelector: { "node.kubernetes.io/pool": "runs" },
  tolerations: [{ key: "runs", operator: "Exists" }],
  storage: { dataSizeLimit: "5Gi", cacheSizeLimit: "2Gi" },
  extraValues: { task: { terminationGracePeriodSeconds: 900 } },
};

describe("agent-job", () => {
  test("minimal values validate against the chart's own values.schema.json", () => {
    const errors = chartSchemaErrors("agent-job", render({ chart: "agent-job", settings: minimal }));
    if (errors) expect(errors).toEqual([]);
  });

  test("every supported setting renders where the chart reads it (golden) and validates", () => {
    const values = render(everything);
    const errors = chartSchemaErrors("agent-job", values);
    if (errors) expect(errors).toEqual([]);
    expectGolden("helm/agent-job.values.json", `${JSON.stringify(values, null, 2)}\n`);
  });

  test("the token is a Secret reference, never a value", () => {
    const values = render({ chart: "agent-job", settings: minimal });
    const agent = values.agent as Record<string, unknown>;
    expect(agent.token).toBeUndefined();
    expect(agent.tokenExistingSecret).toEqual({ name: "scalr-token", key: "pool-token" });
  });

  test("the metadata service is blocked by default and open only when asked", () => {
    const blocked = render({ chart: "agent-job", settings: minimal });
    const open = render({ chart: "agent-job", settings: minimal, allowMetadataService: true });
    expect(blocked.task.allowMetadataService).toBe(false);
    expect(open.task.allowMetadataService).toBe(true);
  });

  test("containers never escalate privileges and drop every capability", () => {
    const values = render({ chart: "agent-job", settings: minimal });
    expect(values.agent.controller.securityContext).toMatchObject({
      privileged: false,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  test("agent-job pods run as non-root", () => {
    expect(render({ chart: "agent-job", settings: minimal })).toMatchObject({ global: { podSecurityContext: { runAsNonRoot: true, runAsUser: 1000 } } });
  });

  test("agent-job: the proxy reaches task pods through global.proxy", () => {
    const values = render({ chart: "agent-job", settings: { ...minimal, proxy: { http: "http://p:3128", noProxy: ["a", "b"] } } });
    expect(values.global.proxy).toEqual({ enabled: true, httpProxy: "http://p:3128", httpsProxy: "http://p:3128", noProxy: "localhost,127.0.0.1,::1,kubernetes.default.svc,.svc,.cluster.local,169.254.170.23,fd00:ec2::23,a,b" });
    expect(values.agent.extraEnv ?? {}).not.toHaveProperty("HTTP_PROXY");
  });

  test("the schema check itself catches values the chart rejects", () => {
    const jobErrors = chartSchemaErrors("agent-job", { agent: { extraEnv: { SCALR_AGENT_DEBUG: "yes" } } });
    if (jobErrors) expect(jobErrors.length).toBeGreaterThan(0);
  });
});

describe("agent-job fails at synth time", () => {
  const cases: FailureCase[] = [
    [
      "when agent-job gets shutdown settings",
      { chart: "agent-job", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 60 } } },
      "k8s/Agent: `settings.shutdown` is set by agent-job itself: its controller drains and each run lives in its own Job (tune `extraValues.task.terminationGracePeriodSeconds`), got: {\"mode\":\"graceful\",\"gracePeriodSeconds\":60}",
    ],
    [
      "when extra values hold a private key",
      { chart: "agent-job", settings: minimal, extraValues: { global: { tls: { clientKey: "-----BEGIN EC PRIVATE KEY-----" } } } },
      "k8s/Agent: `extraValues.global.tls.clientKey` must not be set: a private key in values is stored in the release in plain text; use `clientCertSecret`, got: a plain string of 30 characters (value hidden)",
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
