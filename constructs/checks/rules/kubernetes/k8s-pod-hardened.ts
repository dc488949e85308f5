import { findPodWeakenings } from "../../../../agent/k8s/pod-weakening";
import { KitRule, KitRuleFinding } from "../../rule";
import { isReference, scalrChartReleases, unknownChartMessage, unknownChartReleases, valuesPath } from "../../scalr-charts";
import { SynthesizedStack } from "../../synthesized-stack";

/** KIT-K8S-3: the values of an agent chart release do not weaken its pods. */
export const KIT_K8S_3: KitRule = {
  id: "KIT-K8S-3",
  name: "k8s-pod-hardened",
  area: "kubernetes",
  severity: "error",
  description:
    "The values of a Scalr agent chart release (however the chart is referenced: name, repository alias, OCI reference, URL) do not weaken its pods: no `privileged: true`, `allowPrivilegeEscalation: true`, added capabilities other than NET_BIND_SERVICE, `hostNetwork`/`hostPID`/`hostIPC`, `hostPort`, `hostPath` volumes, container runtime sockets (`/var/run/docker.sock`, containerd, CRI-O), `procMount: Unmasked`, Unconfined seccomp or AppArmor profiles or other SELinux types, anywhere in the values (YAML anchors and merge keys resolved, `set`/`set_list`/`set_sensitive` applied). A value known only at apply time is a violation. HelmAgent refuses the same in `extraValues`.",
  rationale:
    "Runs execute arbitrary Terraform code in these pods: a privileged container, a host namespace, a hostPath mount or the Docker socket hands them the node, every other pod on it and the node's credentials.",
  source: {
    title: "Kubernetes: Pod Security Standards (Baseline and Restricted controls)",
    url: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const u of unknownChartReleases(stack)) findings.push({ path: u.release.path, message: unknownChartMessage("KIT-K8S-3") });
    for (const r of scalrChartReleases(stack)) {
      if (r.unreadable.length > 0) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: ${r.unreadable.join(", ")} cannot be read (a reference, a file or a template), so hardened pods cannot be confirmed at synth time; write the values as YAML or JSON, or acknowledge KIT-K8S-3 with a reason` });
        continue;
      }
      for (const w of findPodWeakenings(r.values, isReference, ["privileges"])) {
        const at = valuesPath(w.path);
        findings.push({
          path: r.release.path,
          message: w.unknown
            ? `helm_release ${r.chart}: \`${at}\` (${w.what}) is known only at apply time, so hardened pods cannot be confirmed at synth time; write it as a literal or acknowledge KIT-K8S-3 with a reason`
            : `helm_release ${r.chart}: \`${at}\` weakens the hardened pod (${w.what}); remove it, or acknowledge KIT-K8S-3 with a reason`,
        });
      }
    }
    return findings;
  },
};
