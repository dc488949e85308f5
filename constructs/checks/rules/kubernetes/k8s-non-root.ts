import { AgentHelmChart } from "../../../../agent/k8s";
import { findPodWeakenings } from "../../../../agent/k8s/pod-weakening";
import { KitRule, KitRuleFinding } from "../../rule";
import { isReference, scalrChartReleases, unknownChartMessage, unknownChartReleases, valueAt, valuesPath } from "../../scalr-charts";
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
    "Every container of a Scalr agent chart release runs as a non-root user: `runAsNonRoot: true` or a `runAsUser` other than 0, from its container or pod security context (chart defaults included), and no other security context in its values sets `runAsUser: 0` or `runAsNonRoot: false`. Values are read as Helm reads them (YAML anchors and merge keys, `set`/`set_list`/`set_sensitive`, charts named by URL or OCI reference); a value known only at apply time is a violation. agent-k8s workers run as root by the chart's design: HelmAgent acknowledges that with its reason.",
  rationale: "A run that escapes its process as root owns the container's filesystem and any host path mounted into it, and is one kernel bug away from the node.",
  source: {
    title: "Kubernetes: Pod Security Standards, Restricted (`runAsNonRoot`)",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const u of unknownChartReleases(stack)) findings.push({ path: u.release.path, message: unknownChartMessage("KIT-K8S-2") });
    for (const r of scalrChartReleases(stack)) {
      if (r.unreadable.length > 0) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: ${r.unreadable.join(", ")} cannot be read (a reference, a file or a template), so non-root pods cannot be confirmed at synth time; write the values as YAML or JSON, or acknowledge KIT-K8S-2 with a reason` });
        continue;
      }
      const known = new Set<string>();
      for (const c of CONTAINERS[r.chart]) {
        for (const p of [...c.pod, c.container]) known.add(p);
        const pod = Object.assign({}, ...c.pod.map((p) => record(valueAt(r.values, p)))) as Record<string, unknown>;
        const container = record(valueAt(r.values, c.container));
        const rawUser = container.runAsUser ?? pod.runAsUser;
        const nonRoot = container.runAsNonRoot ?? pod.runAsNonRoot;
        if (isReference(rawUser) || isReference(nonRoot)) {
          findings.push({
            path: r.release.path,
            message: `helm_release ${r.chart}: the ${c.name} container's runAsUser or runAsNonRoot is known only at apply time, so a non-root user cannot be confirmed at synth time; write it as a literal or acknowledge KIT-K8S-2 with a reason`,
          });
          continue;
        }
        const user = numberOf(rawUser);
        const root = user === 0 || (user === undefined && nonRoot !== true && nonRoot !== "true");
        if (root) {
          findings.push({
            path: r.release.path,
            message: `helm_release ${r.chart}: the ${c.name} container must not run as root (runAsUser ${user ?? "unset"}, runAsNonRoot ${JSON.stringify(nonRoot) ?? "unset"})`,
          });
        }
      }
      // Any other security context in the values (another container, a sidecar, a Job template).
      for (const w of findPodWeakenings(r.values, isReference, ["root"])) {
        const at = w.path.slice(0, -1).join(".");
        if (known.has(at)) continue;
        findings.push({
          path: r.release.path,
          message: w.unknown
            ? `helm_release ${r.chart}: \`${valuesPath(w.path)}\` is known only at apply time, so a non-root user cannot be confirmed at synth time; write it as a literal or acknowledge KIT-K8S-2 with a reason`
            : `helm_release ${r.chart}: \`${valuesPath(w.path)}\` must not run a container as root (${w.what})`,
        });
      }
    }
    return findings;
  },
};
