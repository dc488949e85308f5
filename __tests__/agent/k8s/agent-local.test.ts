import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { expectGolden } from "../../support/golden";
import { chartSchemaErrors } from "../../support/helm-charts";
import { FailureCase, PEM, ctx, minimal, render, token } from "./fixtures";

/** Every setting agent-local supports, each with a different value so a crossed wire shows. */
const everything: HelmValuesInput = {
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
};

describe("agent-local", () => {
  test("minimal values validate against the chart's own values.schema.json", () => {
    const errors = chartSchemaErrors("agent-local", render({ chart: "agent-local", settings: minimal }));
    if (errors) expect(errors).toEqual([]);
  });

  test("every supported setting renders where the chart reads it (golden) and validates", () => {
    const values = render(everything);
    const errors = chartSchemaErrors("agent-local", values);
    if (errors) expect(errors).toEqual([]);
    expectGolden("helm/agent-local.values.json", `${JSON.stringify(values, null, 2)}\n`);
  });

  test("the token is a Secret reference, never a value", () => {
    const values = render({ chart: "agent-local", settings: minimal });
    const agent = values.agent as Record<string, unknown>;
    expect(agent.token).toBeUndefined();
    expect(agent.tokenExistingSecret).toEqual({ name: "scalr-token", key: "pool-token" });
  });

  test("the metadata service is blocked by default and open only when asked", () => {
    const blocked = render({ chart: "agent-local", settings: minimal });
    const open = render({ chart: "agent-local", settings: minimal, allowMetadataService: true });
    expect(blocked.allowMetadataService).toBe(false);
    expect(open.allowMetadataService).toBe(true);
  });

  test("containers never escalate privileges and drop every capability", () => {
    const values = render({ chart: "agent-local", settings: minimal });
    expect(values.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
  });

  test("agent-local pods run as non-root", () => {
    expect(render({ chart: "agent-local", settings: minimal })).toMatchObject({
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1000 },
      securityContext: { runAsNonRoot: true },
    });
  });

  test("agent-local: the chart's shutdown contract (mode + grace period) is what the kit sets", () => {
    const values = render({ chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 600 } } });
    expect(values).toMatchObject({ agent: { shutdownMode: "drain" }, terminationGracePeriodSeconds: 600 });
    expect(values.extraEnv ?? {}).not.toHaveProperty("SCALR_AGENT_WORKER_DRAIN_TIMEOUT");
  });

  test("a VCS agent on agent-local renders without run-only values", () => {
    const values = render({ chart: "agent-local", settings: { ...minimal, poolKind: "vcs" } });
    expect(values.agent).not.toHaveProperty("providerNetworkMirrors");
    const errors = chartSchemaErrors("agent-local", values);
    if (errors) expect(errors).toEqual([]);
  });

  test("the schema check itself catches values the chart rejects", () => {
    const errors = chartSchemaErrors("agent-local", { terminationGracePeriodSeconds: 5, agent: { shutdownMode: "soft" } });
    if (errors) expect(errors).toEqual(["/agent/shutdownMode must be equal to one of the allowed values", "/terminationGracePeriodSeconds must be >= 10"]);
  });
});

describe("agent-local fails at synth time", () => {
  const cases: FailureCase[] = [
    [
      "when agent-local is given a concurrency above 1",
      { chart: "agent-local", settings: { ...minimal, concurrency: 2 } },
      "k8s/Agent: `settings.concurrency` must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`, got: 2",
    ],
    [
      "when agent-local gets an explicit drain timeout it would not use",
      { chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 600, drainTimeoutSeconds: 400 } } },
      "k8s/Agent: `settings.shutdown.drainTimeoutSeconds` is derived by agent-local from `shutdown.gracePeriodSeconds` (530 for 600); leave it unset, got: 400",
    ],
    [
      "when a CA bundle is a path for agent-local",
      { chart: "agent-local", settings: { ...minimal, caBundle: { path: "/etc/ca.pem" } } },
      'k8s/Agent: `settings.caBundle` must be given as `pem` for agent-local: the chart sets SCALR_AGENT_CA_CERT itself, to the bundle it mounts from `agent.tls.caBundle` (rendered from `pem`), and rejects it in `extraEnv` (for a Secret you already have, leave `caBundle` unset and set `extraValues.agent.tls.caBundleSecret`), got: "/etc/ca.pem"',
    ],
    [
      "when extra values put the token in values",
      { chart: "agent-local", settings: minimal, extraValues: { agent: { token: "t-secret" } } },
      "k8s/Agent: `extraValues.agent.token` must not be set: the token is read from a Kubernetes Secret, never from Helm values, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when an extra value has a typo",
      { chart: "agent-local", settings: minimal, extraValues: { replicaCont: 2 } },
      "k8s/Agent: `extraValues.replicaCont` is not a known field (did you mean `replicaCount`?), got: 2",
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
