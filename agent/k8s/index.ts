export { AGENT_HELM_CHARTS, AGENT_HELM_REPOSITORY, type AgentHelmChart, DEFAULT_AGENT_CHART_VERSION } from "./agent-helm-chart";
export { type HelmAgentStorage, type HelmTokenSecret, type HelmValues, type HelmValuesInput, type HelmValuesOptions, helmValuesOptionsShape, type KubernetesResourceList, type KubernetesResources, type KubernetesToleration, type ParsedHelmValuesOptions } from "./helm-values-options";
export { helmValuesDocument } from "./helm-values-document";
export { type HelmReleaseContext } from "./agent-chart";
export { CHART_VALUES, KUBERNETES_NO_PROXY, renderHelmValues, renderParsedHelmValues } from "./render-helm-values";
