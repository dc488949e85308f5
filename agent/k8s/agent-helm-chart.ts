/**
 * Scalr's agent charts the kit renders values for (https://scalr.github.io/agent-helm/; sources:
 * https://github.com/Scalr/agent-helm/tree/master/charts).
 */
export type AgentHelmChart = "agent-local" | "agent-k8s" | "agent-job";

/** The charts, in the order the README presents them. */
export const AGENT_HELM_CHARTS: readonly AgentHelmChart[] = ["agent-local", "agent-k8s", "agent-job"];

/** Scalr's chart repository. */
export const AGENT_HELM_REPOSITORY = "https://scalr.github.io/agent-helm/";

/**
 * Chart version the kit pins by default (its appVersion is the default agent image, 1.4.0). The
 * kit's model of each chart's values follows this version (docs/decisions/0004-helm-values-from-agent-settings.md).
 */
export const DEFAULT_AGENT_CHART_VERSION = "0.6.5";
