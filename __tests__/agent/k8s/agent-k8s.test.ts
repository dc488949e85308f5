import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { expectGolden } from "../../support/golden";
import { chartSchemaErrors } from "../../support/helm-charts";
import { FailureCase, PEM, TASK_PEM, ctx, minimal, render, token } from "./fixtures";

/** Every setting agent-k8s supports, each with a different value so a crossed wire shows. */
const everything: HelmValuesInput = {
  chart: "agent-k8s",
  settings: {
    scalrUrl: "https://k8s.scalr.io",
    token,
    concurrency: 4,
    dataDir: "/var/lib/k8s-agent",
    caBundle: { pem: PEM },
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
};

describe("agent-k8s", () => {
  test("minimal values validate against the chart's own values.schema.json", () => {
    const errors = chartSchemaErrors("agent-k8s", render({ chart: "agent-k8s", settings: minimal }));
    if (errors) expect(errors).toEqual([]);
  });

  test("every supported setting renders where the chart reads it (golden) and validates", () => {
    const values = render(everything);
    const errors = chartSchemaErrors("agent-k8s", values);
    if (errors) expect(errors).toEqual([]);
    expectGolden("helm/agent-k8s.values.json", `${JSON.stringify(values, null, 2)}\n`);
  });

  test("the token is a Secret reference, never a value", () => {
    const values = render({ chart: "agent-k8s", settings: minimal });
    const agent = values.agent as Record<string, unknown>;
    expect(agent.token).toBeUndefined();
    expect(agent).toMatchObject({ tokenExistingSecret: "scalr-token", tokenExistingSecretKey: "pool-token" });
  });

  test("the metadata service is blocked by default and open only when asked", () => {
    const blocked = render({ chart: "agent-k8s", settings: minimal });
    const open = render({ chart: "agent-k8s", settings: minimal, allowMetadataService: true });
    expect(blocked.restrictMetadataService).toBe(true);
    expect(open.restrictMetadataService).toBe(false);
  });

  test("containers never escalate privileges and drop every capability", () => {
    const values = render({ chart: "agent-k8s", settings: minimal });
    expect(values.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
  });

  test("agent-k8s: shutdown timeouts go to the chart's own keys", () => {
    const values = render({ chart: "agent-k8s", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 90 } } });
    expect(values).toMatchObject({ agent: { worker_on_stop_action: "grace-shutdown", grace_shutdown_timeout: 80 }, terminationGracePeriodSeconds: 90 });
    expect(values.agent).not.toHaveProperty("worker_drain_timeout");
  });
});

describe("agent-k8s fails at synth time", () => {
  const cases: FailureCase[] = [
    ["when the driver does not fit the chart", { chart: "agent-k8s", settings: { ...minimal, driver: "docker" } }, 'k8s/Agent: `settings.driver` must be "kubernetes" (or unset) for agent-k8s, got: "docker"'],
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
      "when an extra value has the wrong type for the chart",
      { chart: "agent-k8s", settings: minimal, extraValues: { agent: { kubernetes_task_labels: ["a"] } } },
      "k8s/Agent: `extraValues.agent.kubernetes_task_labels` must be a record, got: an array of 1",
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
