import { KitRule, KitRuleFinding } from "../../rule";
import { booleanOf, scalrChartReleases, valueAt } from "../../scalr-charts";
import { SynthesizedStack } from "../../synthesized-stack";

/** Per chart: the value that blocks the metadata service, and the setting that does it. */
const BLOCKING = {
  "agent-local": { key: "allowMetadataService", blocked: false },
  "agent-k8s": { key: "restrictMetadataService", blocked: true },
  "agent-job": { key: "task.allowMetadataService", blocked: false },
} as const;

/** KIT-K8S-1: runs on Kubernetes cannot reach the cloud metadata service. */
export const KIT_K8S_1: KitRule = {
  id: "KIT-K8S-1",
  name: "k8s-metadata-service-blocked",
  area: "kubernetes",
  severity: "error",
  description:
    "Releases of Scalr's agent charts block 169.254.169.254 with the chart's NetworkPolicy: agent-local `allowMetadataService: false` (the chart's default is true), agent-k8s `restrictMetadataService: true` (default false), agent-job `task.allowMetadataService: false`.",
  rationale: "Runs execute arbitrary Terraform code; through the metadata service they would get the node's cloud credentials, which usually reach far beyond the run's workspace.",
  source: {
    title: "Scalr: agent-local chart 0.6.5 values (`allowMetadataService: true` by default)",
    url: "https://github.com/Scalr/agent-helm/blob/agent-local-0.6.5/charts/agent-local/values.yaml",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of scalrChartReleases(stack)) {
      const { key, blocked } = BLOCKING[r.chart];
      if (r.unreadable.length > 0) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart}: values[${r.unreadable.join(", ")}] cannot be read at synth time, so \`${key}: ${blocked}\` cannot be confirmed` });
        continue;
      }
      const value = booleanOf(valueAt(r.values, key));
      if (value !== blocked) {
        findings.push({ path: r.release.path, message: `helm_release ${r.chart} must set \`${key}: ${blocked}\` so runs cannot reach the metadata service (got ${JSON.stringify(value) ?? "nothing"})` });
      }
    }
    return findings;
  },
};
