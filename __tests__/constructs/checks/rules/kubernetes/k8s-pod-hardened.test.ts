import { App, TerraformStack, Testing } from "cdktf";
import { KIT_RULES, SynthesizedStack } from "../../../../../constructs/checks";
import { KIT_K8S_3 } from "../../../../../constructs/checks/rules/kubernetes/k8s-pod-hardened";
import { buildExamplesApp } from "../../../../../examples/app";
import { helmAgent, release, violations } from "../../rule-helpers";

/** The rule's findings (through KitChecks once the rule is in KIT_RULES). */
function findings(build: (stack: TerraformStack) => void): string[] {
  if (KIT_RULES.includes(KIT_K8S_3)) return violations(KIT_K8S_3, build);
  const stack = new TerraformStack(Testing.app(), "stack");
  build(stack);
  return KIT_K8S_3.check(SynthesizedStack.of(stack)).map((f) => `${KIT_K8S_3.id} ${f.path}: ${f.message}`);
}

describe("KIT-K8S-3 k8s-pod-hardened", () => {
  test("compliant: HelmAgent with each chart; chart defaults; hardening values", () => {
    for (const chart of ["agent-local", "agent-k8s", "agent-job"] as const) {
      expect(findings((s) => helmAgent(s, { chart }))).toEqual([]);
      expect(findings((s) => release(s, chart, {}))).toEqual([]);
    }
    expect(findings((s) => release(s, "agent-local", { securityContext: { privileged: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } }))).toEqual([]);
  });

  test("non-compliant: each weakening, with its path", () => {
    expect(
      findings((s) =>
        release(s, "agent-local", {
          securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } },
          extraVolumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
        }),
      ),
    ).toEqual([
      "KIT-K8S-3 stack/Release: helm_release agent-local: `securityContext.privileged` weakens the hardened pod (privileged: true); remove it, or acknowledge KIT-K8S-3 with a reason",
      "KIT-K8S-3 stack/Release: helm_release agent-local: `securityContext.capabilities.add` weakens the hardened pod (added capabilities SYS_ADMIN); remove it, or acknowledge KIT-K8S-3 with a reason",
      "KIT-K8S-3 stack/Release: helm_release agent-local: `extraVolumes[0].hostPath` weakens the hardened pod (a hostPath volume); remove it, or acknowledge KIT-K8S-3 with a reason",
      "KIT-K8S-3 stack/Release: helm_release agent-local: `extraVolumes[0].hostPath.path` weakens the hardened pod (the container runtime socket (docker.sock)); remove it, or acknowledge KIT-K8S-3 with a reason",
    ]);
  });

  test("non-compliant: a value known only at apply time, and a chart known only at apply time", () => {
    expect(findings((s) => release(s, "agent-job", { task: { hostNetwork: "${var.host}" } }))).toEqual([
      "KIT-K8S-3 stack/Release: helm_release agent-job: `task.hostNetwork` (hostNetwork: true) is known only at apply time, so hardened pods cannot be confirmed at synth time; write it as a literal or acknowledge KIT-K8S-3 with a reason",
    ]);
    expect(findings((s) => release(s, "${var.chart}", {}))).toEqual([
      "KIT-K8S-3 stack/Release: helm_release: its chart is known only at apply time, so it may be one of Scalr's agent charts whose values cannot be confirmed at synth time; name the chart literally, or (if it is not a Scalr agent chart) acknowledge KIT-K8S-3 with a reason",
    ]);
  });

  test("every example passes it", () => {
    const app = buildExamplesApp(new App({ outdir: "/tmp/kit-k8s-3-examples" }));
    const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
    expect(stacks.flatMap((s) => KIT_K8S_3.check(SynthesizedStack.of(s)))).toEqual([]);
  });
});
