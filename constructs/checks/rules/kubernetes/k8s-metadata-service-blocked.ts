import { KitRule, KitRuleFinding } from "../../rule";
import { ScalrChartRelease, booleanOf, isReference, scalrChartReleases, unknownChartMessage, unknownChartReleases, valueAt } from "../../scalr-charts";
import { SynthesizedStack, TerraformBlock, blocks, record } from "../../synthesized-stack";

/**
 * Per chart: the value that blocks the metadata service with the chart's NetworkPolicy, and whether
 * that policy selects the pods where runs execute:
 * - agent-local runs in the agent pods, which its policy selects (Scalr/agent-helm
 *   charts/agent-local/templates/networkpolicy.yaml @ cf283e1);
 * - agent-job's policy selects its task pods (`app.kubernetes.io/component: task`,
 *   charts/agent-job/templates/networkpolicy.yaml and templates/task.yaml @ cf283e1);
 * - agent-k8s's policy selects only the controller and worker pods (the chart's selector labels,
 *   charts/agent-k8s/templates/networkpolicy.yaml @ cf283e1); the task pods carry the labels of
 *   `agent.kubernetes_task_labels` (templates/controller.yaml) and need a policy of their own.
 */
const BLOCKING = {
  "agent-local": { key: "allowMetadataService", blocked: false, coversTasks: true },
  "agent-k8s": { key: "restrictMetadataService", blocked: true, coversTasks: false },
  "agent-job": { key: "task.allowMetadataService", blocked: false, coversTasks: true },
} as const;

const METADATA_IP = "169.254.169.254";

/** KIT-K8S-1: runs on Kubernetes cannot reach the cloud metadata service. */
export const KIT_K8S_1: KitRule = {
  id: "KIT-K8S-1",
  name: "k8s-metadata-service-blocked",
  area: "kubernetes",
  severity: "error",
  description:
    "Releases of Scalr's agent charts block 169.254.169.254 with the chart's NetworkPolicy: agent-local `allowMetadataService: false` (the chart's default is true), agent-k8s `restrictMetadataService: true` (default false), agent-job `task.allowMetadataService: false`. agent-k8s's policy selects only its controller and workers, so its task pods (where runs execute) need `agent.kubernetes_task_labels` and a `kubernetes_network_policy_v1` in the release namespace that selects them and excepts 169.254.169.254 (HelmAgent creates both).",
  rationale: "Runs execute arbitrary Terraform code; through the metadata service they would get the node's cloud credentials, which usually reach far beyond the run's workspace.",
  source: {
    title: "Scalr: agent-helm charts at cf283e1 (templates/networkpolicy.yaml of each chart)",
    url: "https://github.com/Scalr/agent-helm/tree/cf283e1/charts",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const policies = stack.resources("kubernetes_network_policy_v1", "kubernetes_network_policy");
    for (const u of unknownChartReleases(stack)) findings.push({ path: u.release.path, message: unknownChartMessage("KIT-K8S-1") });
    for (const r of scalrChartReleases(stack)) {
      const { key, blocked, coversTasks } = BLOCKING[r.chart];
      if (r.unreadable.length > 0) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: ${r.unreadable.join(", ")} cannot be read (a reference, a file or a template), so \`${key}: ${blocked}\` cannot be confirmed at synth time; write the values as YAML or JSON, or acknowledge KIT-K8S-1 with a reason` });
        continue;
      }
      const value = booleanOf(valueAt(r.values, key));
      if (isReference(value)) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: \`${key}\` is known only at apply time, so \`${key}: ${blocked}\` cannot be confirmed at synth time; write it as a literal or acknowledge KIT-K8S-1 with a reason` });
      } else if (value !== blocked) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart} must set \`${key}: ${blocked}\` so runs cannot reach the metadata service (got ${JSON.stringify(value) ?? "nothing"})` });
      } else if (!coversTasks && !taskPodsCovered(r, policies)) {
        findings.push({
          path: r.release.path,
          message: `helm_release ${r.chart}: the chart's NetworkPolicy does not select the task pods where runs execute; label them with \`agent.kubernetes_task_labels\` and add a kubernetes_network_policy_v1 in the release namespace that selects those labels and blocks ${METADATA_IP} (HelmAgent does both)`,
        });
      }
    }
    return findings;
  },
};

/** A NetworkPolicy of the release namespace selects the release's task pods and lets none of them reach the metadata service. */
function taskPodsCovered(r: ScalrChartRelease, policies: readonly TerraformBlock[]): boolean {
  const labels = record(valueAt(r.values, "agent.kubernetes_task_labels"));
  if (Object.keys(labels).length === 0) return false;
  const namespace = r.release.body.namespace ?? "default";
  return policies.some((p) => {
    const metadata = blocks(p.body.metadata)[0] ?? {};
    if ((metadata.namespace ?? "default") !== namespace) return false;
    const spec = blocks(p.body.spec)[0] ?? {};
    const selector = record(blocks(spec.pod_selector)[0]?.match_labels);
    const selects = Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
    const types = Array.isArray(spec.policy_types) ? spec.policy_types : [];
    return selects && types.includes("Egress") && blocks(spec.egress).every(egressBlocksMetadata);
  });
}

/** An egress rule that does not allow the metadata address (in-cluster selectors never match it). */
function egressBlocksMetadata(rule: Record<string, unknown>): boolean {
  const to = blocks(rule.to);
  if (to.length === 0) return false; // no `to`: every destination
  return to.every((peer) => {
    const ipBlock = blocks(peer.ip_block)[0];
    if (!ipBlock) return true;
    if (typeof ipBlock.cidr !== "string" || !ipv4CidrContains(ipBlock.cidr, METADATA_IP)) return true;
    const except = Array.isArray(ipBlock.except) ? ipBlock.except : [];
    return except.some((e) => typeof e === "string" && ipv4CidrContains(e, METADATA_IP));
  });
}

function ipv4CidrContains(cidr: string, ip: string): boolean {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return false;
  const bits = Number(m[2]);
  const toInt = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  const masked = (n: number) => Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
  return bits <= 32 && (mask === 0 || masked(toInt(m[1] as string)) === masked(toInt(ip)));
}
