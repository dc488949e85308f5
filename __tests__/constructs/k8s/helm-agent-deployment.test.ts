import { TerraformStack, Testing } from "cdktf";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { HelmAgent, HelmAgentProps } from "../../../constructs/k8s/helm-agent";
import { KitChecks } from "../../../constructs/checks/kit-checks";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";
import { k8sAgentExample } from "../../../examples/k8s-agent/main";
import { warningsOf } from "../../support/annotations";

const SCALR_URL = "https://acme.scalr.io";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function synth(stack: TerraformStack): Record<string, any> {
  return JSON.parse(Testing.synth(stack));
}

function releases(json: Record<string, any>): any[] {
  return Object.values<any>(json.resource.helm_release);
}

describe("HelmAgent: a shared namespace, whatever the declaration order", () => {
  test.each([
    ["the creating agent first", true],
    ["the creating agent last", false],
  ])("%s: the sharing agent's release, Secret and budget reference the namespace resource", (_name, creatorFirst) => {
    const stack = newStack();
    const runPool = new AgentPool(stack, "RunPool", { name: "run" });
    const vcsPool = new AgentPool(stack, "VcsPool", { name: "vcs", kind: "vcs" });
    const creator = () => new HelmAgent(stack, "Run", { pool: runPool, namespace: "agents", settings: { scalrUrl: SCALR_URL } });
    const sharer = () => new HelmAgent(stack, "Vcs", { pool: vcsPool, namespace: "agents", createNamespace: false, replicas: 2, settings: { scalrUrl: SCALR_URL } });
    if (creatorFirst) {
      creator();
      sharer();
    } else {
      sharer();
      creator();
    }
    const json = synth(stack);
    const ref = /^\$\{kubernetes_namespace_v1\.Run_Namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/;
    const byName = Object.fromEntries(releases(json).map((r) => [r.name, r.namespace]));
    expect(byName.vcs).toMatch(ref);
    expect(byName.run).toMatch(ref);
    const secrets = Object.values<any>(json.resource.kubernetes_secret_v1);
    expect(secrets.map((s) => s.metadata.namespace)).toEqual([expect.stringMatching(ref), expect.stringMatching(ref)]);
    expect(Object.values<any>(json.resource.kubernetes_pod_disruption_budget_v1)[0].metadata.namespace).toMatch(ref);
  });
});

describe("HelmAgent: tokenSecret", () => {
  test("is not a prop: an existing Secret is named by settings.token", () => {
    const stack = newStack();
    const props = { chart: "agent-job", tokenSecret: { name: "mine", key: "token" }, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromKubernetesSecret("mine") } } as HelmAgentProps;
    expect(messageOf(() => new HelmAgent(stack, "Agent", props))).toBe(
      'stack/Agent: `tokenSecret` is not a HelmAgent prop: name an existing Secret with `settings.token: AgentTokenSource.fromKubernetesSecret(name, key)` (without one, HelmAgent creates the Secret from the pool token), got: an object (value hidden)',
    );
  });

  test("the props type has no tokenSecret", () => {
    const stack = newStack();
    // @ts-expect-error tokenSecret is not a HelmAgent prop
    const props: HelmAgentProps = { settings: { scalrUrl: SCALR_URL }, tokenSecret: { name: "x", key: "y" } };
    expect(() => new HelmAgent(stack, "Agent", props)).toThrow(/`tokenSecret` is not a HelmAgent prop/);
  });
});

describe("HelmAgent: the metadata service is blocked where runs execute", () => {
  test("agent-k8s: task pods get the release's task labels and a NetworkPolicy that selects them", () => {
    const stack = newStack();
    const agent = new HelmAgent(stack, "Run", { chart: "agent-k8s", pool: new AgentPool(stack, "Pool", { name: "run" }), settings: { scalrUrl: SCALR_URL } });
    const json = synth(stack);
    const values = decodeTerraformJson(releases(json)[0].values[0]);
    const labels = { "app.kubernetes.io/instance": "run", "app.kubernetes.io/component": "task" };
    expect(values.agent.kubernetes_task_labels).toEqual(labels);
    expect(values.restrictMetadataService).toBe(true);
    expect(agent.taskNetworkPolicy).toBeDefined();
    const policy = Object.values<any>(json.resource[NetworkPolicyV1.tfResourceType])[0];
    expect(policy).toEqual({
      metadata: {
        name: "run-task-metadata",
        namespace: releases(json)[0].namespace,
        labels: { "app.kubernetes.io/managed-by": "cdktf-scalr-kit", "app.kubernetes.io/instance": "run" },
      },
      spec: {
        pod_selector: { match_labels: labels },
        policy_types: ["Egress"],
        egress: [
          { to: [{ namespace_selector: {} }], ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }] },
          { to: [{ ip_block: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] },
        ],
      },
    });
    expect(KitChecks.of(stack, { rules: ["KIT-K8S-1"] }).report().violations).toEqual([]);
  });

  test("agent-local and agent-job: the chart's own policy covers the pods that run Terraform; no extra policy", () => {
    for (const chart of ["agent-local", "agent-job"] as const) {
      const stack = newStack();
      const agent = new HelmAgent(stack, "Run", { chart, pool: new AgentPool(stack, "Pool", { name: "run" }), settings: { scalrUrl: SCALR_URL } });
      expect(agent.taskNetworkPolicy).toBeUndefined();
      expect(synth(stack).resource.kubernetes_network_policy_v1).toBeUndefined();
    }
  });

  test("agent-k8s with allowMetadataService: no task policy", () => {
    const stack = newStack();
    new HelmAgent(stack, "Run", { chart: "agent-k8s", allowMetadataService: true, pool: new AgentPool(stack, "Pool", { name: "run" }), settings: { scalrUrl: SCALR_URL } });
    expect(synth(stack).resource.kubernetes_network_policy_v1).toBeUndefined();
  });
});

describe("HelmAgent: proxy and the API server", () => {
  const proxy = { http: "http://proxy.corp:3128" };
  test.each(["agent-k8s", "agent-job"] as const)("%s with a proxy and no serviceCidr: a warning names the gap and the fix", (chart) => {
    const stack = newStack();
    new HelmAgent(stack, "Run", { chart, pool: new AgentPool(stack, "Pool", { name: "run" }), settings: { scalrUrl: SCALR_URL, proxy } });
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stack\/Run: `serviceCidr` is not set/);
    expect(warnings[0]).toContain("KUBERNETES_SERVICE_HOST");
  });

  test("no warning with serviceCidr, with a CIDR in noProxy, or on agent-local", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "run" });
    new HelmAgent(stack, "A", { chart: "agent-job", namespace: "a", serviceCidr: "10.100.0.0/16", pool, settings: { scalrUrl: SCALR_URL, proxy } });
    new HelmAgent(stack, "B", { chart: "agent-k8s", namespace: "b", pool, settings: { scalrUrl: SCALR_URL, proxy: { ...proxy, noProxy: ["10.100.0.0/16"] } } });
    new HelmAgent(stack, "C", { namespace: "c", pool, settings: { scalrUrl: SCALR_URL, proxy } });
    expect(warningsOf(stack)).toEqual([]);
  });
});

describe("HelmAgent: what an operator needs next", () => {
  test("release name, namespace, chart, version, repository and the pool id", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "run" });
    const agent = new HelmAgent(stack, "Run", { chart: "agent-job", chartVersion: "0.6.4", pool, namespace: "agents", settings: { scalrUrl: SCALR_URL } });
    expect(agent.releaseName).toBe("run");
    expect(agent.namespaceName).toBe("agents");
    expect(agent.chart).toBe("agent-job");
    expect(agent.chartVersion).toBe("0.6.4");
    expect(agent.repository).toBe("https://scalr.github.io/agent-helm/");
    expect(agent.poolId).toBe(pool.poolId);
  });

  test("no pool id without a pool", () => {
    const stack = newStack();
    const agent = new HelmAgent(stack, "Run", { settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromKubernetesSecret("t") } });
    expect(agent.poolId).toBeUndefined();
  });
});

describe("HelmAgent: literal text stays literal", () => {
  test("a repository URL with a template sequence is escaped", () => {
    const stack = newStack();
    new HelmAgent(stack, "Run", { repository: "https://charts.corp/${var.x}/%{if true}", pool: new AgentPool(stack, "Pool", { name: "run" }), settings: { scalrUrl: SCALR_URL } });
    expect(releases(synth(stack))[0].repository).toBe("https://charts.corp/$${var.x}/%%{if true}");
  });
});

test("the k8s-agent example outputs each agent's release, namespace, chart, version and pool id, none of them sensitive", () => {
  const json = JSON.parse(Testing.synth(k8sAgentExample(Testing.app())));
  for (const name of ["run_agent", "vcs_agent"]) {
    expect(json.output[name].sensitive).toBeUndefined();
    expect(json.output[name].value).toEqual({
      release: name.replace("_", "-"),
      namespace: "scalr-agent",
      chart: name === "run_agent" ? "agent-job" : "agent-local",
      chart_version: "0.6.5",
      pool_id: expect.stringMatching(/^\$\{scalr_agent_pool\.(Run|Vcs)Pool_[A-Za-z0-9_]+\.id\}$/),
    });
  }
});
