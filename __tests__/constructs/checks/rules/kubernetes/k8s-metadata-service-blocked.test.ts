import { Release } from "@cdktf/provider-helm/lib/release";
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
      "KIT-K8S-1 stack/Release: helm_release agent-job: values[0] cannot be read at synth time, so `task.allowMetadataService: false` cannot be confirmed",
    ]);
  });
});
