import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { HelmAgent, HelmAgentProps } from "../../../constructs/k8s/helm-agent";
import { KitChecks } from "../../../constructs/checks/kit-checks";
import { describeValue } from "../../../core/validation";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { chartSchemaErrors } from "../../support/helm-charts";
import { decodeTerraformJson } from "../../support/terraform-json";

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

describe("HelmAgent", () => {
  test("defaults: agent-local 0.6.5 from Scalr's repository, its own namespace, the pool token in a Secret, no disruption budget for one replica", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "k8s-run" });
    new HelmAgent(stack, "RunAgent", { pool, settings: { scalrUrl: SCALR_URL } });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(Release, {
      name: "run-agent",
      repository: "https://scalr.github.io/agent-helm/",
      chart: "agent-local",
      version: "0.6.5",
      atomic: true,
      cleanup_on_fail: true,
      timeout: 600,
    });
    expect(out).toHaveResourceWithProperties(NamespaceV1, {
      metadata: {
        name: "scalr-agent",
        labels: {
          "app.kubernetes.io/managed-by": "cdktf-scalr-kit",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    });
    expect(Object.values<any>(synth(stack).resource.kubernetes_secret_v1)[0]).toMatchObject({
      metadata: { name: "run-agent-token", namespace: expect.stringMatching(/^\$\{kubernetes_namespace_v1\./) },
      type: "Opaque",
    });
    expect(Object.values<any>(synth(stack).resource.kubernetes_secret_v1)[0].data).toEqual({
      token: expect.stringMatching(/^\$\{scalr_agent_pool_token\.Pool_Token-default_[0-9A-F]+\.token\}$/),
    });
    // One replica: a budget of maxUnavailable 1 would protect nothing.
    expect(synth(stack).resource.kubernetes_pod_disruption_budget_v1).toBeUndefined();
    const release: any = releases(synth(stack))[0];
    expect(release.namespace).toMatch(/^\$\{kubernetes_namespace_v1\.RunAgent_Namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/);
    expect(release.depends_on).toEqual([expect.stringMatching(/^kubernetes_secret_v1\.RunAgent_TokenSecret_/)]);
    const values = decodeTerraformJson(release.values[0]);
    expect(values).toMatchObject({ agent: { url: SCALR_URL, tokenExistingSecret: { name: "run-agent-token", key: "token" } } });
  });

  test("the token appears only in the Secret: never in the release values", () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, "agent_token", { type: "string", sensitive: true });
    new HelmAgent(stack, "Agent", { chart: "agent-job", settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromTerraformValue(token.stringValue) } });
    const json = synth(stack);
    expect(JSON.stringify(json.resource.helm_release)).not.toContain("var.agent_token");
    expect(JSON.stringify(json.resource.kubernetes_secret_v1)).toContain("${var.agent_token}");
  });

  test.each(["agent-local", "agent-k8s", "agent-job"] as const)("%s: the synthesized values decode and validate against the chart's schema", (chart) => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    const url = new TerraformVariable(stack, "scalr_url", { type: "string" });
    new HelmAgent(stack, "Agent", { chart, pool, settings: { scalrUrl: url.stringValue } });
    const values = decodeTerraformJson(releases(synth(stack))[0].values[0]);
    expect(values).toMatchObject({ agent: { url: "<ref:var.scalr_url>" } });
    const errors = chartSchemaErrors(chart, values);
    if (errors) expect(errors).toEqual([]);
  });

  test("agent-local with more than one replica gets a budget over its agent pods (at most one evicted at a time)", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "k8s-run" });
    const agent = new HelmAgent(stack, "RunAgent", { pool, replicas: 3, settings: { scalrUrl: SCALR_URL } });
    expect(Object.values<any>(synth(stack).resource.kubernetes_pod_disruption_budget_v1)[0].metadata.name).toBe("run-agent-agents");
    expect(Testing.synth(stack)).toHaveResourceWithProperties(PodDisruptionBudgetV1, {
      spec: { max_unavailable: "1", selector: { match_labels: { "app.kubernetes.io/name": "agent-local", "app.kubernetes.io/instance": "run-agent" } } },
    });
    expect(agent.podDisruptionBudget).toBeDefined();
  });

  test("agent-k8s gets no budget: its controller and worker DaemonSet pods share the selector labels, and a budget over DaemonSet pods blocks drains", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    const agent = new HelmAgent(stack, "Agent", { chart: "agent-k8s", pool, settings: { scalrUrl: SCALR_URL } });
    expect(synth(stack).resource.kubernetes_pod_disruption_budget_v1).toBeUndefined();
    expect(agent.podDisruptionBudget).toBeUndefined();
  });

  test("agent-job brings its own disruption budgets; the kit adds none", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    new HelmAgent(stack, "Agent", { chart: "agent-job", pool, settings: { scalrUrl: SCALR_URL } });
    expect(synth(stack).resource.kubernetes_pod_disruption_budget_v1).toBeUndefined();
  });

  test("an existing Secret is referenced, not created", () => {
    const stack = newStack();
    new HelmAgent(stack, "Agent", {
      chart: "agent-k8s",
      settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromKubernetesSecret("synced-token", "value") },
    });
    const json = synth(stack);
    expect(json.resource.kubernetes_secret_v1).toBeUndefined();
    const values = decodeTerraformJson(releases(json)[0].values[0]);
    expect(values).toMatchObject({ agent: { tokenExistingSecret: "synced-token", tokenExistingSecretKey: "value" } });
    expect(releases(json)[0].depends_on).toBeUndefined();
  });

  test("an existing namespace is used as named; a namespace of another agent in the stack is referenced", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    const vcs = new AgentPool(stack, "Vcs", { name: "v", kind: "vcs" });
    new HelmAgent(stack, "Run", { pool, namespace: "agents", settings: { scalrUrl: SCALR_URL } });
    new HelmAgent(stack, "VcsAgent", { pool: vcs, namespace: "agents", createNamespace: false, settings: { scalrUrl: SCALR_URL } });
    new HelmAgent(stack, "Other", { pool, namespace: "elsewhere", createNamespace: false, settings: { scalrUrl: SCALR_URL } });
    const json = synth(stack);
    expect(Object.keys(json.resource.kubernetes_namespace_v1)).toHaveLength(1);
    const byName = Object.fromEntries(releases(json).map((r) => [r.name, r.namespace]));
    expect(byName["vcs-agent"]).toBe(byName.run);
    expect(byName.run).toMatch(/^\$\{kubernetes_namespace_v1\./);
    expect(byName.other).toBe("elsewhere");
  });

  test("a namespace created by an agent deeper in the construct tree is found; one of another stack is not", () => {
    const app = Testing.app();
    const first = new TerraformStack(app, "first");
    const second = new TerraformStack(app, "second");
    for (const stack of [first, second]) new ScalrProvider(stack, "scalr", {});
    const team = new Construct(first, "Team");
    new HelmAgent(team, "Run", { pool: new AgentPool(first, "Pool", { name: "p" }), namespace: "agents", settings: { scalrUrl: SCALR_URL } });
    new HelmAgent(first, "Vcs", { pool: new AgentPool(first, "VcsPool", { name: "v", kind: "vcs" }), namespace: "agents", createNamespace: false, settings: { scalrUrl: SCALR_URL } });
    // The same name in another stack is another namespace: created there, not referenced.
    new HelmAgent(second, "Run", { pool: new AgentPool(second, "Pool", { name: "p2" }), namespace: "agents", settings: { scalrUrl: SCALR_URL } });
    const byName = Object.fromEntries(releases(synth(first)).map((r) => [r.name, r.namespace]));
    expect(byName.vcs).toBe(byName.run);
    expect(byName.vcs).toMatch(/^\$\{kubernetes_namespace_v1\.Team_Run_Namespace_[0-9A-F]+\.metadata\[0\]\.name\}$/);
    expect(Object.keys(synth(second).resource.kubernetes_namespace_v1)).toHaveLength(1);
  });

  test("opting out of the disruption budget, a pinned mirror and a release name", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    new HelmAgent(stack, "Agent", {
      pool,
      replicas: 2,
      podDisruptionBudget: false,
      repository: "oci://registry.corp/charts",
      chartVersion: "0.6.4",
      releaseName: "scalr-run",
      settings: { scalrUrl: SCALR_URL },
    });
    const json = synth(stack);
    expect(json.resource.kubernetes_pod_disruption_budget_v1).toBeUndefined();
    expect(releases(json)[0]).toMatchObject({ name: "scalr-run", repository: "oci://registry.corp/charts", version: "0.6.4" });
  });

  test("exposes what it builds", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p", kind: "vcs" });
    const agent = new HelmAgent(stack, "Vcs", { pool, settings: { scalrUrl: SCALR_URL } });
    expect(agent.chart).toBe("agent-local");
    expect(agent.releaseName).toBe("vcs");
    expect(agent.namespaceName).toBe("scalr-agent");
    expect(agent.tokenSecret).toBeDefined();
    expect(agent.podDisruptionBudget).toBeUndefined();
    expect(agent.values).toMatchObject({ agent: { shutdownMode: "drain" } });
  });
});

test("agent-k8s passes KitChecks with its root workers acknowledged, and the acknowledgement is recorded", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-agent-"));
  try {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "stack");
    new ScalrProvider(stack, "scalr", {});
    new KubernetesProvider(stack, "kubernetes", {});
    new HelmProvider(stack, "helm", {});
    const checks = KitChecks.of(stack);
    new HelmAgent(stack, "Agent", { chart: "agent-k8s", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL } });
    app.synth();
    expect(checks.report().errors).toEqual([]);
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "stack", "cdk.tf.json"), "utf8"));
    expect(json["//"].kit_checks.acknowledged).toEqual([expect.objectContaining({ rule: "KIT-K8S-2", scope: "stack/Agent" })]);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});

describe("HelmAgent fails at synth time", () => {
  const DIGEST_ONLY = `scalr/agent@sha256:${"a".repeat(64)}`;
  const base = (stack: TerraformStack): HelmAgentProps => ({ pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL } });
  const cases: Array<[string, (stack: TerraformStack) => HelmAgentProps, string]> = [
    [
      "when a VCS pool is put on agent-k8s",
      (stack) => ({ chart: "agent-k8s", pool: new AgentPool(stack, "Vcs", { name: "v", kind: "vcs" }), settings: { scalrUrl: SCALR_URL } }),
      'stack/Agent: `chart` must be "agent-local" for a VCS pool: the other charts start run tasks only, got: "agent-k8s"',
    ],
    [
      "when the chart version is a range",
      (stack) => ({ ...base(stack), chartVersion: "~0.6" }),
      'stack/Agent: `chartVersion` must be an exact 0.6.x chart version such as 0.6.5 (the kit renders values for the 0.6 charts; ranges make plans drift), got: "~0.6"',
    ],
    [
      "when the release name is not a DNS label",
      (stack) => ({ ...base(stack), releaseName: "Scalr_Agent" }),
      'stack/Agent: `releaseName` must be a lowercase DNS label of at most 53 characters (a-z, 0-9, \'-\', starting and ending with a letter or digit), got: "Scalr_Agent"',
    ],
    [
      "when the release name is a Terraform reference",
      (stack) => ({ ...base(stack), releaseName: new TerraformVariable(stack, "release", { type: "string" }).stringValue }),
      "stack/Agent: `releaseName` must be known at synth time (a literal, not a Terraform reference): it also names the token Secret and the PodDisruptionBudget, got: a Terraform reference",
    ],
    [
      "when a disruption budget is asked for agent-k8s",
      (stack) => ({ ...base(stack), chart: "agent-k8s", podDisruptionBudget: true }),
      "stack/Agent: `podDisruptionBudget` is not supported by agent-k8s: its controller and worker DaemonSet pods share the chart's labels, and a budget over DaemonSet pods blocks every node drain, got: true",
    ],
    [
      "when a disruption budget is asked for one agent-local replica",
      (stack) => ({ ...base(stack), podDisruptionBudget: true }),
      "stack/Agent: `podDisruptionBudget` needs `replicas` > 1: with one agent pod a budget of maxUnavailable 1 protects nothing, got: true",
    ],
    [
      "when the image is a digest without a tag",
      (stack) => ({ ...base(stack), settings: { scalrUrl: SCALR_URL, image: DIGEST_ONLY } }),
      `stack/Agent: \`settings.image\` must give a tag with the digest, e.g. scalr/agent:1.4.0@sha256:${"a".repeat(64)} (the charts render \`repository:tag\`, so a digest alone becomes \`scalr/agent:@sha256:${"a".repeat(64)}\`), got: ${describeValue(DIGEST_ONLY)}`,
    ],
    [
      "when extraValues.extraEnv names the token variable",
      (stack) => ({ ...base(stack), extraValues: { extraEnv: { SCALR_AGENT_TOKEN: "t" } } }),
      "stack/Agent: `extraValues.extraEnv.SCALR_AGENT_TOKEN` is reserved: set `token` instead, got: a plain string of 1 characters (value hidden)",
    ],
    [
      "when the namespace is too long",
      (stack) => ({ ...base(stack), namespace: "n".repeat(64) }),
      `stack/Agent: \`namespace\` must be a lowercase DNS label of at most 63 characters, got: "${"n".repeat(64)}"`,
    ],
    [
      "when there is no token",
      () => ({ settings: { scalrUrl: SCALR_URL } }),
      "stack/Agent: `settings.token` is required when `pool` is not given (e.g. AgentTokenSource.fromKubernetesSecret(name)), got: nothing",
    ],
    [
      "when the token lives in Secrets Manager",
      () => ({
        settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:t-AbCdEf") },
      }),
      "stack/Agent: `settings.token` must be a Terraform value (HelmAgent stores it in a Secret) or AgentTokenSource.fromKubernetesSecret(name, key) (e.g. synced by External Secrets), got: \"aws-secrets-manager\"",
    ],
    [
      "when the pool kind contradicts the pool",
      (stack) => ({ ...base(stack), settings: { scalrUrl: SCALR_URL, poolKind: "vcs" } }),
      'stack/Agent: `settings.poolKind` must match `pool` (a run pool), or be left unset, got: "vcs"',
    ],
    [
      "when the grace period is below the drain minimum",
      (stack) => ({ ...base(stack), settings: { scalrUrl: SCALR_URL, shutdown: { mode: "drain", gracePeriodSeconds: 60 } } }),
      'stack/Agent: `settings.shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 60',
    ],
    [
      "when extraEnv names a reserved variable",
      (stack) => ({ ...base(stack), settings: { scalrUrl: SCALR_URL, extraEnv: { SCALR_URL: "https://other.scalr.io" } } }),
      'stack/Agent: `settings.extraEnv.SCALR_URL` is reserved: set `scalrUrl` instead, got: "https://other.scalr.io"',
    ],
    ["when the pool is not an AgentPool", () => ({ pool: { kind: "run" } as never, settings: { scalrUrl: SCALR_URL } }), 'stack/Agent: `pool` must be an AgentPool, got: {"kind":"run"}'],
    [
      "when a prop is misspelled",
      (stack) => ({ ...base(stack), namespce: "x" }) as HelmAgentProps,
      'stack/Agent: `namespce` is not a known field (did you mean `namespace`?), got: "x"',
    ],
  ];

  test.each(cases)("fails %s", (_name, props, expected) => {
    const stack = newStack();
    expect(messageOf(() => new HelmAgent(stack, "Agent", props(stack)))).toBe(expected);
  });

  test("fails when two agents of a stack create the same namespace", () => {
    const stack = newStack();
    new HelmAgent(stack, "First", base(stack));
    const pool = new AgentPool(stack, "Pool2", { name: "p2" });
    expect(messageOf(() => new HelmAgent(stack, "Second", { pool, settings: { scalrUrl: SCALR_URL } }))).toBe(
      'stack/Second: `namespace` is already created by stack/First in this stack; set `createNamespace: false` here to share it, got: "scalr-agent"',
    );
  });
});
