import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { AgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";

/** What the chart tests share: the subject, a Secret token, CA bundles, the smallest settings. */
export const ctx = { subject: "k8s/Agent" };
export const token = AgentTokenSource.fromKubernetesSecret("scalr-token", "pool-token");
export const PEM = "-----BEGIN CERTIFICATE-----\nTUlJQ0NPUlBDQQ==\n-----END CERTIFICATE-----\n";
export const TASK_PEM = "-----BEGIN CERTIFICATE-----\nVEFTS0NB\n-----END CERTIFICATE-----\n";
export const minimal: AgentSettings = { scalrUrl: "https://acme.scalr.io", token };

/** A failure case: name, input, the expected message. */
export type FailureCase = [string, HelmValuesInput, string];

export function render(input: HelmValuesInput): Record<string, any> {
  return renderHelmValues(input, ctx);
}
