import { KIT_K8S_2 } from "../../../../../constructs/checks/rules/kubernetes/k8s-non-root";
import { violations, helmAgent, release } from "../../rule-helpers";

describe("KIT-K8S-2 k8s-non-root", () => {
  test("compliant: HelmAgent with agent-local and agent-job; chart defaults of agent-job", () => {
    expect(violations(KIT_K8S_2, (s) => helmAgent(s, { chart: "agent-local" }))).toEqual([]);
    expect(violations(KIT_K8S_2, (s) => helmAgent(s, { chart: "agent-job" }))).toEqual([]);
    expect(violations(KIT_K8S_2, (s) => release(s, "agent-job", {}))).toEqual([]);
  });

  test("non-compliant: agent-k8s workers run as root; agent-job runner forced to root", () => {
    expect(violations(KIT_K8S_2, (s) => release(s, "agent-k8s", {}))).toEqual([
      "KIT-K8S-2 stack/Release: helm_release agent-k8s: the agent container must not run as root (runAsUser 0, runAsNonRoot false)",
    ]);
    expect(violations(KIT_K8S_2, (s) => release(s, "agent-job", { task: { runner: { securityContext: { runAsUser: 0 } } } }))).toEqual([
      "KIT-K8S-2 stack/Release: helm_release agent-job: the task runner container must not run as root (runAsUser 0, runAsNonRoot true)",
    ]);
  });
});
