import { Release } from "@cdktf/provider-helm/lib/release";
import { NetworkPolicyV1, NetworkPolicyV1Config } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { TerraformStack } from "cdktf";
import { KIT_K8S_1 } from "../../../../../constructs/checks/rules/kubernetes/k8s-metadata-service-blocked";
import { violations, helmAgent, release } from "../../rule-helpers";

describe("KIT-K8S-1 k8s-metadata-service-blocked", () => {
  test("compliant: HelmAgent with each chart (its defaults block the metadata service)", () => {
    for (const chart of ["agent-local", "agent-k8s", "agent-job"] as const) {
      expect(violations(KIT_K8S_1, (s) => helmAgent(s, { chart }))).toEqual([]);
    }
  });

  test("non-compliant: HelmAgent opting out, and raw releases relying on unsafe chart defaults", () => {
    expect(violations(KIT_K8S_1, (s) => helmAgent(s, { chart: "agent-job", allowMetadataService: true }))).toEqual([
      "KIT-K8S-1 stack/Agent/Resource: helm_release agent-job must set `task.allowMetadataService: false` so runs cannot reach the metadata service (got true)",
    ]);
    expect(violations(KIT_K8S_1, (s) => release(s, "agent-local", {}))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-local must set `allowMetadataService: false` so runs cannot reach the metadata service (got true)",
    ]);
    expect(violations(KIT_K8S_1, (s) => release(s, "scalr/agent-k8s", { restrictMetadataService: false }))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-k8s must set `restrictMetadataService: true` so runs cannot reach the metadata service (got false)",
    ]);
  });

  test("set blocks override values, as in Helm; YAML values are read", () => {
    expect(
      violations(KIT_K8S_1, (s) => {
        const r = release(s, "agent-local", { allowMetadataService: false });
        r.addOverride("set", [{ name: "allowMetadataService", value: "true" }]);
      }),
    ).toHaveLength(1);
    expect(violations(KIT_K8S_1, (s) => new Release(s, "Release", { name: "a", chart: "agent-local", values: ["allowMetadataService: false\n"] }))).toEqual([]);
  });

  test("non-compliant: values that are only a reference cannot be confirmed", () => {
    expect(violations(KIT_K8S_1, (s) => new Release(s, "Release", { name: "a", chart: "agent-job", values: ["${var.values}"] }))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-job: values[0] cannot be read (a reference, a file or a template), so `task.allowMetadataService: false` cannot be confirmed at synth time; write the values as YAML or JSON, or acknowledge KIT-K8S-1 with a reason",
    ]);
  });

  describe("agent-k8s task pods (where runs execute)", () => {
    const LABELS = { "app.kubernetes.io/instance": "agent", "app.kubernetes.io/component": "task" };
    const k8sRelease = (s: TerraformStack, labels: Record<string, string> = LABELS) =>
      new Release(s, "Release", { name: "agent", namespace: "agents", chart: "agent-k8s", values: [JSON.stringify({ restrictMetadataService: true, agent: { kubernetes_task_labels: labels } })] });
    const policy = (s: TerraformStack, override: Partial<NetworkPolicyV1Config["spec"]> = {}, namespace = "agents") =>
      new NetworkPolicyV1(s, "Policy", {
        metadata: { name: "tasks", namespace },
        spec: {
          podSelector: { matchLabels: LABELS },
          policyTypes: ["Egress"],
          egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] }],
          ...override,
        },
      });
    const GAP =
      "KIT-K8S-1 stack/Release: helm_release agent-k8s: the chart's NetworkPolicy does not select the task pods where runs execute; label them with `agent.kubernetes_task_labels` and add a kubernetes_network_policy_v1 in the release namespace that selects those labels and blocks 169.254.169.254 (HelmAgent does both)";

    test("compliant: task labels and a policy of the release namespace that selects them and excepts the metadata address", () => {
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s), policy(s)))).toEqual([]);
    });

    test("non-compliant: restrictMetadataService alone (the chart's policy selects only the controller and workers)", () => {
      expect(violations(KIT_K8S_1, (s) => release(s, "agent-k8s", { restrictMetadataService: true }))).toEqual([GAP]);
    });

    test("non-compliant: no policy, a policy elsewhere, one that selects other pods, or one that lets the metadata address through", () => {
      expect(violations(KIT_K8S_1, (s) => k8sRelease(s))).toEqual([GAP]);
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s), policy(s, {}, "other")))).toEqual([GAP]);
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s, { team: "x" }), policy(s)))).toEqual([GAP]);
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s), policy(s, { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] })))).toEqual([GAP]);
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s), policy(s, { egress: [{ ports: [{ port: "443" }] }] })))).toEqual([GAP]);
      expect(violations(KIT_K8S_1, (s) => (k8sRelease(s), policy(s, { policyTypes: ["Ingress"] })))).toEqual([GAP]);
    });
  });
});
