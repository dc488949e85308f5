// Token rotation without downtime, step by step, on every runtime: each step is one change of the
// pool's props, and the synthesized configurations of consecutive steps are compared resource by
// resource (addresses added, removed, changed), the way a plan would see them.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { gunzipSync } from "zlib";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../../constructs/ecs/fargate-agent-task";
import { HelmAgent } from "../../../constructs/k8s/helm-agent";
import { TOKEN_NAME_VARIABLE } from "../../../constructs/runtime/agent-runtime";
import { AgentPool, AgentPoolProps } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://rotate-acct.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

type Json = Record<string, any>;
type PoolStep = Pick<AgentPoolProps, "tokens" | "activeToken" | "tokenMaxAgeDays">;

/** The pool before the rotation, and the three steps of docs/token-rotation.md. */
const STEPS: Record<"before" | "add" | "switch" | "remove", PoolStep> = {
  before: { tokens: ["blue"] },
  add: { tokens: ["blue", "green"], activeToken: "blue" },
  switch: { tokens: ["blue", "green"], activeToken: "green" },
  remove: { tokens: ["green"], activeToken: "green" },
};

interface Runtime {
  readonly name: string;
  /** Builds the runtime on `pool` (its `pool` prop, or the pool's token source for a task without one). */
  readonly build: (stack: TerraformStack, pool: AgentPool) => void;
  /** The resource types whose blocks change when the runtimes switch tokens. */
  readonly changedOnSwitch: readonly string[];
  /** The document the rolling path reads, as rendered (user data, container definitions, chart values). */
  readonly rendered?: (json: Json) => string;
  /** The token's name in that document, as the agent's environment holds it. */
  readonly renderedTokenName?: (json: Json) => string | undefined;
}

const RUNTIMES: readonly Runtime[] = [
  {
    name: "VmAgentFleet",
    build: (stack, pool) => new VmAgentFleet(stack, "Fleet", { name: "rotate-fleet", os: "amazon-linux-2023", pool, ...NET, settings: { scalrUrl: SCALR_URL } }),
    // The secret's value, and the launch template (user data): a new template version, which the
    // group's instance refresh rolls out through the drain hook.
    changedOnSwitch: ["aws_launch_template", "aws_secretsmanager_secret_version"],
    rendered: (json) => userData(json),
    renderedTokenName: (json) => new RegExp(`^\\s*${TOKEN_NAME_VARIABLE}=(.*)$`, "m").exec(userData(json))?.[1],
  },
  {
    name: "EcsAgentService",
    build: (stack, pool) => new EcsAgentService(stack, "Agents", { name: "rotate-agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET }),
    // The secret's value, and the task definition (a new revision the service deploys).
    changedOnSwitch: ["aws_ecs_task_definition", "aws_secretsmanager_secret_version"],
    rendered: (json) => JSON.stringify(containers(json)),
    renderedTokenName: (json) => containers(json)[0].environment.find((e: { name: string }) => e.name === TOKEN_NAME_VARIABLE)?.value,
  },
  {
    name: "HelmAgent",
    build: (stack, pool) => new HelmAgent(stack, "Agent", { pool, settings: { scalrUrl: SCALR_URL } }),
    // The Secret's value, and the release's values (the pod template: a rollout).
    changedOnSwitch: ["helm_release", "kubernetes_secret_v1"],
    rendered: (json) => JSON.stringify(only(json, "helm_release").values),
    renderedTokenName: (json) => JSON.parse(only(json, "helm_release").values[0]).extraEnv?.[TOKEN_NAME_VARIABLE],
  },
  {
    // What ServerlessAgentPool builds on its own pool: a task started per run reads the secret when
    // it starts, so the new value alone moves every later run to the new token.
    name: "FargateAgentTask (serverless agents)",
    build: (stack, pool) => new FargateAgentTask(stack, "Task", { name: "rotate-task", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: pool.tokenSource() } }),
    changedOnSwitch: ["aws_secretsmanager_secret_version"],
  },
];

function synthStep(runtime: Runtime, step: PoolStep): Json {
  const stack = new TerraformStack(Testing.app(), "rotate");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  const pool = new AgentPool(stack, "Pool", { name: "rotate-run", ...step });
  runtime.build(stack, pool);
  return JSON.parse(Testing.synth(stack));
}

const userData = (json: Json): string => gunzipSync(Buffer.from(only(json, "aws_launch_template").user_data, "base64")).toString("utf8");
const containers = (json: Json): any[] => decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions);

function only(json: Json, type: string): any {
  const all = Object.values<any>(json.resource?.[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

/** Every resource block by address (`type.name`). */
function blocks(json: Json): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [type, byName] of Object.entries<Record<string, unknown>>(json.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) out.set(`${type}.${name}`, body);
  }
  return out;
}

/** What a plan from `a` to `b` would touch: addresses added, removed, and present in both with another block. */
function diff(a: Json, b: Json): { added: string[]; removed: string[]; changed: string[] } {
  const before = blocks(a);
  const after = blocks(b);
  return {
    added: [...after.keys()].filter((k) => !before.has(k)).sort(),
    removed: [...before.keys()].filter((k) => !after.has(k)).sort(),
    changed: [...after.keys()].filter((k) => before.has(k) && JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k))).sort(),
  };
}

const typeOf = (address: string) => address.split(".")[0];
const tokenAddress = (json: Json, name: string) =>
  Object.entries<any>(json.resource.scalr_agent_pool_token)
    .filter(([, t]) => t.description === name)
    .map(([k]) => `scalr_agent_pool_token.${k}`);

describe.each(RUNTIMES)("token rotation on $name", (runtime) => {
  const json = {
    before: synthStep(runtime, STEPS.before),
    add: synthStep(runtime, STEPS.add),
    switch: synthStep(runtime, STEPS.switch),
    remove: synthStep(runtime, STEPS.remove),
  };

  test("step 1 (add the new token): only the new token is added; the old one and the runtime are untouched", () => {
    const d = diff(json.before, json.add);
    expect(d.added).toEqual(tokenAddress(json.add, "green"));
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([]);
    // The old token keeps its address: adding a token never replaces another.
    expect(tokenAddress(json.add, "blue")).toEqual(tokenAddress(json.before, "blue"));
  });

  test("step 2 (switch activeToken): the runtime's secret takes the new token and its rolling trigger changes; nothing is added or removed", () => {
    const d = diff(json.add, json.switch);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed.map(typeOf).sort()).toEqual([...runtime.changedOnSwitch].sort());
    const [blue] = tokenAddress(json.switch, "blue");
    const [green] = tokenAddress(json.switch, "green");
    const secretValue = (j: Json) => JSON.stringify(Object.values<any>(j.resource.aws_secretsmanager_secret_version ?? j.resource.kubernetes_secret_v1)[0]);
    expect(secretValue(json.add)).toContain(`\${${blue}.token}`);
    expect(secretValue(json.switch)).toContain(`\${${green}.token}`);
    expect(secretValue(json.switch)).not.toContain(blue as string);
    if (runtime.rendered && runtime.renderedTokenName) {
      // The rolling trigger is the token's name, never its value.
      expect(runtime.renderedTokenName(json.add)).toBe("blue");
      expect(runtime.renderedTokenName(json.switch)).toBe("green");
      expect(runtime.rendered(json.switch)).not.toContain("scalr_agent_pool_token");
    }
  });

  test("step 3 (remove the old token): only the old token is removed; no runtime resource changes", () => {
    const d = diff(json.switch, json.remove);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual(tokenAddress(json.switch, "blue"));
    expect(d.changed).toEqual([]);
  });
});

describe("what makes each runtime roll at step 2", () => {
  test("VmAgentFleet: the group follows the template's latest version with a rolling instance refresh through the drain hook", () => {
    const json = synthStep(RUNTIMES[0] as Runtime, STEPS.switch);
    const group = only(json, "aws_autoscaling_group");
    const [templateName] = Object.keys(json.resource.aws_launch_template);
    expect(group.launch_template.version).toBe(`\${aws_launch_template.${templateName}.latest_version}`);
    expect(group.instance_refresh).toMatchObject({ strategy: "Rolling" });
    expect(only(json, "aws_launch_template").update_default_version).toBe(true);
    expect(only(json, "aws_autoscaling_lifecycle_hook").lifecycle_transition).toBe("autoscaling:EC2_INSTANCE_TERMINATING");
  });

  test("EcsAgentService: the service runs the task definition's current revision, new tasks before old ones stop", () => {
    const json = synthStep(RUNTIMES[1] as Runtime, STEPS.switch);
    const service = only(json, "aws_ecs_service");
    const [definitionName] = Object.keys(json.resource.aws_ecs_task_definition);
    expect(service.task_definition).toBe(`\${aws_ecs_task_definition.${definitionName}.arn}`);
    expect(service).toMatchObject({ deployment_minimum_healthy_percent: 100, deployment_maximum_percent: 200 });
  });
});

describe("rotating away from a pool's default token", () => {
  // A pool without `tokens` issues one token named "default", which renders no name: the first
  // rotation still rolls the runtimes at the switch, and nothing before it.
  const runtime = RUNTIMES[0] as Runtime;
  const before = synthStep(runtime, {});
  const add = synthStep(runtime, { tokens: ["default", "next"], activeToken: "default" });
  const switched = synthStep(runtime, { tokens: ["default", "next"], activeToken: "next" });
  const removed = synthStep(runtime, { tokens: ["next"] });

  test("the default token renders no name, and adding the next one changes no runtime resource", () => {
    expect(runtime.rendered?.(before)).not.toContain(TOKEN_NAME_VARIABLE);
    expect(runtime.renderedTokenName?.(add)).toBeUndefined();
    expect(diff(before, add)).toEqual({ added: tokenAddress(add, "next"), removed: [], changed: [] });
  });

  test("the switch rolls the fleet, and removing the default token afterwards changes nothing else", () => {
    expect(diff(add, switched).changed.map(typeOf).sort()).toEqual([...runtime.changedOnSwitch].sort());
    expect(runtime.renderedTokenName?.(switched)).toBe("next");
    // `activeToken` may be dropped with the old token: the only token is the active one.
    expect(diff(switched, removed)).toEqual({ added: [], removed: tokenAddress(switched, "default"), changed: [] });
  });
});

describe("token age tracking through the rotation", () => {
  const runtime = RUNTIMES[1] as Runtime;
  const step = (s: PoolStep) => synthStep(runtime, { ...s, tokenMaxAgeDays: 90 });
  const [before, add, switched, removed] = [step(STEPS.before), step(STEPS.add), step(STEPS.switch), step(STEPS.remove)];
  const record = (json: Json, name: string) =>
    Object.entries<any>(json.resource.terraform_data)
      .filter(([k]) => k.includes(`TokenCreated-${name}_`))
      .map(([k]) => `terraform_data.${k}`);

  test("each token brings its creation record along, and loses it with it; the runtime rolls only at the switch", () => {
    expect(diff(before, add)).toEqual({ added: [...record(add, "green"), ...tokenAddress(add, "green")].sort(), removed: [], changed: [] });
    expect(diff(add, switched).added).toEqual([]);
    expect(diff(add, switched).removed).toEqual([]);
    expect(diff(switched, removed)).toEqual({ added: [], removed: [...record(switched, "blue"), ...tokenAddress(switched, "blue")].sort(), changed: [] });
  });

  test("the age check holds one assertion per token of the step", () => {
    const asserts = (json: Json) => Object.values<any>(json.check)[0].assert.map((a: any) => /token "([a-z0-9-]+)"/.exec(a.error_message)?.[1]);
    expect(asserts(add)).toEqual(["blue", "green"]);
    expect(asserts(removed)).toEqual(["green"]);
  });
});
