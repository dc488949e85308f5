import { Aspects, TerraformLocal, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment } from "../../../constructs/scalr/environment";
import { SensitiveOutputCheck } from "../../../constructs/scalr/sensitive-outputs";
import { Tag } from "../../../constructs/scalr/tag";
import { Variable } from "../../../constructs/scalr/variable";
import { Workspace } from "../../../constructs/scalr/workspace";
import { constructStateSlots } from "../../../core/cdktf-internals";
import { stackVisitors } from "../../../core/stack-aspect";
import { ScalrProviderFromVariables } from "../../../constructs/scalr/scalr-provider-from-variables";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";

/**
 * What the Scalr constructs keep between constructs lives in the construct tree (cross-stack
 * locals, the stack's SensitiveOutputCheck, the stack's OIDC provider) or in named ConstructState
 * slots of the app (variable inheritance, literal secrets): never in module state shared by apps.
 */

function newStack(app = Testing.app(), id = "stack"): TerraformStack {
  const stack = new TerraformStack(app, id);
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

describe("state the Scalr constructs share", () => {
  test("a cross-stack reference is one local of the consumer's stack, however many constructs use it", () => {
    const app = Testing.app();
    const shared = newStack(app, "shared");
    const team = newStack(app, "team");
    const env = new Environment(shared, "Prod", { name: "prod" });
    const pool = new AgentPool(shared, "Pool", { name: "run" });
    for (let i = 0; i < 5; i++) new Workspace(team, `Ws${i}`, { name: `ws-${i}`, environment: env, agentPool: pool });
    const locals = team.node.children.filter((c): c is TerraformLocal => c instanceof TerraformLocal);
    expect(locals.map((l) => l.node.id).sort()).toEqual([expect.stringMatching(/^cross-stack_Pool_[0-9a-f]{8}$/), expect.stringMatching(/^cross-stack_Prod_[0-9a-f]{8}$/)]);
    const json = JSON.parse(Testing.synth(team));
    const workspaces = Object.values<any>(json.resource.scalr_workspace);
    expect(new Set(workspaces.map((w) => w.environment_id)).size).toBe(1);
    expect(workspaces[0].environment_id).toMatch(/^\$\{local\.cross-stack_Prod_[0-9a-f]{8}\}$/);
    expect(new Set(workspaces.map((w) => w.agent_pool_id)).size).toBe(1);
  });

  test("a pool's ID is one reference, however often it is read", () => {
    const pool = new AgentPool(newStack(), "Pool", { name: "run" });
    expect(pool.poolId).toBe(pool.poolId);
  });

  test("each stack gets one SensitiveOutputCheck, however many constructs it holds, and one kit aspect runs the kit's passes", () => {
    const stack = newStack();
    new ScalrProviderFromVariables(stack, "Scalr");
    new AgentPool(stack, "Pool", { name: "run" });
    new Tag(stack, "Tag", { name: "t" });
    new Environment(stack, "Env", { name: "prod", variables: [{ key: "a" }, { key: "b" }] });
    const checks = [...Aspects.of(stack).all, ...stackVisitors(stack)].filter((a) => a instanceof SensitiveOutputCheck);
    expect(checks).toHaveLength(1);
    // cdktf's aspect walk costs per construct and per aspect: the account ID and the output check share one.
    expect(Aspects.of(stack).all).toHaveLength(1);
    expect(stackVisitors(stack)).toHaveLength(2);
  });

  test("a SensitiveOutputCheck the stack's owner added serves: the kit adds none, and it still fails the synth", () => {
    const stack = newStack();
    Aspects.of(stack).add(new SensitiveOutputCheck());
    const pool = new AgentPool(stack, "Pool", { name: "run" });
    expect(stackVisitors(stack).filter((a) => a instanceof SensitiveOutputCheck)).toHaveLength(0);
    new TerraformOutput(stack, "leak", { value: pool.tokenValue() });
    expect(() => Testing.synth(stack)).toThrow(/leak: `value` must not show the secret scalr_agent_pool_token/);
  });

  test("variable inheritance and literal secrets are per app: two apps in one process do not see each other", () => {
    const a = newStack();
    const b = newStack();
    new Variable(a, "Region", { key: "region", value: "eu-west-1", final: true });
    expect(() => new Variable(b, "Region", { key: "region", value: "us-east-1", environment: "env-abc123" })).not.toThrow();
    expect(messageOf(() => new Variable(a, "EnvRegion", { key: "region", environment: "env-abc123" }))).toMatch(/^stack\/EnvRegion: `key` redefines "region" \(terraform\), which is final at account scope in stack\/Region/);

    new Variable(a, "Password", { key: "password", value: "hunter2-literal", sensitive: true, allowPlaintextSensitiveValue: true });
    new TerraformOutput(b, "echo", { value: "hunter2-literal" });
    expect(() => Testing.synth(b)).not.toThrow();
    new TerraformOutput(a, "echo", { value: "hunter2-literal" });
    expect(messageOf(() => Testing.synth(a))).toMatch(/^stack\/echo: `value` must not show the value of a sensitive Scalr variable/);
  });

  test("the app-wide state is in named ConstructState slots", () => {
    const names = constructStateSlots().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["scalr.variable-inheritance", "scalr.literal-secrets", "scalr.checked-variable-props"]));
  });
});
