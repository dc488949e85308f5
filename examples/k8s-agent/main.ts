import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Construct } from "constructs";
import { HelmAgent } from "../../constructs/k8s/helm-agent";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";

/**
 * Stack `k8s-agent`: a run pool served by `agent-job` (a Kubernetes Job per run) and a VCS pool
 * served by `agent-local` (the only chart for VCS agents), in one namespace. Kubernetes and Helm
 * read the cluster from `kubeconfig_path`; Scalr from `scalr_hostname` / `scalr_token`.
 */
export function k8sAgentExample(scope: Construct): TerraformStack {
  const stack = new TerraformStack(scope, "k8s-agent");
  new ScalrProviderFromVariables(stack, "Scalr");
  const kubeconfig = new TerraformVariable(stack, "kubeconfig_path", {
    type: "string",
    default: "~/.kube/config",
    description: "Path of the kubeconfig file of the cluster the agents run in.",
  });
  const scalrUrl = new TerraformVariable(stack, "scalr_url", {
    type: "string",
    description: "URL of the Scalr account the agents connect to, e.g. https://example.scalr.io.",
  });
  new KubernetesProvider(stack, "kubernetes", { configPath: kubeconfig.stringValue });
  new HelmProvider(stack, "helm", { kubernetes: { configPath: kubeconfig.stringValue } });

  const runPool = new AgentPool(stack, "RunPool", { name: "k8s-run" });
  const vcsPool = new AgentPool(stack, "VcsPool", { name: "k8s-vcs", kind: "vcs" });

  const runAgent = new HelmAgent(stack, "RunAgent", {
    chart: "agent-job",
    pool: runPool,
    replicas: 2,
    nodeSelector: { "kubernetes.io/os": "linux" },
    settings: {
      scalrUrl: scalrUrl.stringValue,
      containerTask: { cpuRequest: 1, cpuLimit: 4, memoryRequestMiB: 1024, memoryLimitMiB: 8192 },
      cache: { providerCacheEnabled: true, providerCacheSizeLimitMiB: 20480 },
    },
  });
  const vcsAgent = new HelmAgent(stack, "VcsAgent", {
    chart: "agent-local",
    pool: vcsPool,
    // Two VCS agents, so a node drain (the disruption budget allows one eviction at a time) never
    // cuts the VCS connection.
    replicas: 2,
    createNamespace: false,
    settings: { scalrUrl: scalrUrl.stringValue, shutdown: { mode: "graceful", gracePeriodSeconds: 60 } },
  });

  // What an operator needs next: `helm status <release> -n <namespace>`, and the pool in Scalr.
  for (const [name, agent] of [
    ["run_agent", runAgent],
    ["vcs_agent", vcsAgent],
  ] as const) {
    new TerraformOutput(stack, name, {
      description: `Helm release, namespace, chart and pool of ${agent.node.id}.`,
      value: { release: agent.releaseName, namespace: agent.namespaceName, chart: agent.chart, chart_version: agent.chartVersion, pool_id: agent.poolId },
    });
  }
  return stack;
}
