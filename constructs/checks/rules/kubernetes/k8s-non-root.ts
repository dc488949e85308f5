import { AgentHelmChart } from "../../../../agent/k8s";
import { KitRule, KitRuleFinding } from "../../rule";
import { scalrChartReleases, valueAt } from "../../scalr-charts";
import { SynthesizedStack, numberOf, record } from "../../synthesized-stack";

/** Per chart: each container's pod-level and container-level security context paths. */
const CONTAINERS: Readonly<Record<AgentHelmChart, ReadonlyArray<{ readonly name: string; readonly pod: readonly string[]; readonly container: string }>>> = {
  "agent-local": [{ name: "agent", pod: ["podSecurityContext"], container: "securityContext" }],
  "agent-k8s": [{ name: "agent", pod: ["podSecurityContext"], container: "securityContext" }],
  "agent-job": [
    { name: "controller", pod: ["global.podSecurityContext", "agent.podSecurityContext"], container: "agent.controller.securityContext" },
    { name: "task worker", pod: ["global.podSecurityContext", "task.podSecurityContext"], container: "task.worker.securityContext" },
    { name: "task runner", pod: ["global.podSecurityContext", "task.podSecurityContext"], container: "task.runner.securityContext" },
  ],
};

/** KIT-K8S-2: agent pods do not run as root. */
export const KIT_K8S_2: KitRule = {
  id: "KIT-K8S-2",
  name: "k8s-non-root",
  area: "kubernetes",
  severity: "error",
  description:
    "Every container of a Scalr agent chart release runs as a non-root user: `runAsNonRoot: true` or a `runAsUser` other than 0, from its container or pod security context (chart defaults included). agent-k8s workers run as root by the chart's design: HelmAgent acknowledges that with its reason.",
  rationale: "A run that escapes its process as root owns the container's filesystem and any host path mounted into it, and is one kernel bug away from the node.",
  source: {
    title: "Kubernetes: Pod Security Standards, Restricted (`runAsNonRoot`)",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of scalrChartReleases(stack)) {
      if (r.unreadable.length > 0) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: values[${r.unreadable.join(", ")}] cannot be read at synth time, so non-root pods cannot be confirmed` });
        continue;
      }
      for (const c of CONTAINERS[r.chart]) {
        const pod = Object.assign({}, ...c.pod.map((p) => record(valueAt(r.values, p)))) as Record<string, unknown>;
        const container = record(valueAt(r.values, c.container));
        const user = numberOf(container.runAsUser ?? pod.runAsUser);
        const nonRoot = container.runAsNonRoot ?? pod.runAsNonRoot;
        const root = user === 0 || (user === undefined && nonRoot !== true && nonRoot !== "true");
        if (root) {
          findings.push({
            path: r.release.path,
            message: `helm_release ${r.chart}: the ${c.name} container must not run as root (runAsUser ${user ?? "unset"}, runAsNonRoot ${JSON.stringify(nonRoot) ?? "unset"})`,
          });
        }
      }
    }
    return findings;
  },
};
