// The props of a token rotation (AgentPool `activeToken`, `tokenMaxAgeDays`; a token source's name)
// with bad input, and the token-age signal evaluated by Terraform itself.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitChecks } from "../../../constructs/checks/kit-checks";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { TOKEN_NAME_VARIABLE, resolveRuntimeSettings } from "../../../constructs/runtime/agent-runtime";
import { AgentPool, AgentPoolProps } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { IssueCollector } from "../../../core/issues";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

const pool = (props: Partial<AgentPoolProps>, stack = newStack()) => new AgentPool(stack, "Pool", { name: "rotate-run", ...props });

describe("AgentPool activeToken", () => {
  test("defaults to the first token; tokenSource() and tokenValue() follow activeToken", () => {
    const stack = newStack();
    const p = pool({ tokens: ["blue", "green"], activeToken: "green" }, stack);
    expect(p.activeTokenName).toBe("green");
    expect(p.tokenSource().name).toBe("green");
    expect(p.tokenSource("blue").name).toBe("blue");
    expect(pool({ tokens: ["blue", "green"] }).activeTokenName).toBe("blue");
    new TerraformOutput(stack, "value", { value: p.tokenValue(), sensitive: true });
    const json = JSON.parse(Testing.synth(stack));
    const [green] = Object.entries<any>(json.resource.scalr_agent_pool_token).find(([, t]) => t.description === "green") ?? [];
    expect(json.output.value.value).toBe(`\${scalr_agent_pool_token.${green}.token}`);
  });

  test("a token source names its token in descriptions, never its value", () => {
    expect(String(pool({ tokens: ["blue"] }).tokenSource())).toBe('AgentTokenSource(terraform reference, token "blue")');
  });

  test.each<[string, Partial<AgentPoolProps>, string]>([
    [
      "fails when activeToken is not one of tokens",
      { tokens: ["blue", "green"], activeToken: "red" },
      'stack/Pool: `activeToken` must be one of `tokens` ("blue", "green"): the runtimes\' token must exist in Scalr; remove a token only after `activeToken` names another one and its agents registered, got: "red"',
    ],
    [
      "fails when the active token is removed",
      { tokens: ["green"], activeToken: "blue" },
      'stack/Pool: `activeToken` must be one of `tokens` ("green"): the runtimes\' token must exist in Scalr; remove a token only after `activeToken` names another one and its agents registered, got: "blue"',
    ],
    ["fails when activeToken is not a string", { activeToken: 3 as unknown as string }, "stack/Pool: `activeToken` must be the name of one of `tokens`, got: 3"],
    ["fails when tokenMaxAgeDays is 0", { tokenMaxAgeDays: 0 }, "stack/Pool: `tokenMaxAgeDays` must be a whole number from 1 to 3650, got: 0"],
    ["fails when tokenMaxAgeDays is not whole", { tokenMaxAgeDays: 1.5 }, "stack/Pool: `tokenMaxAgeDays` must be a whole number from 1 to 3650, got: 1.5"],
  ])("%s", (_name, props, message) => {
    expect(messageOf(() => pool(props))).toBe(message);
  });

  test("fails when activeToken is a Terraform reference: it decides what the runtimes render", () => {
    const stack = newStack();
    const v = new TerraformVariable(stack, "active", { type: "string" });
    expect(messageOf(() => pool({ tokens: ["green"], activeToken: v.stringValue }, stack))).toBe(
      "stack/Pool: `activeToken` must be a literal token name (one of `tokens`), not a Terraform reference: it decides what the runtimes render, got: a Terraform reference",
    );
  });

  test("fails when a runtime still asks for a token that was removed", () => {
    expect(messageOf(() => pool({ tokens: ["green"] }).tokenSource("blue"))).toBe('stack/Pool: `tokens` has no token named "blue"; tokens are: green, got: "blue"');
  });

  test("fails when the token's creation time is asked for without tokenMaxAgeDays", () => {
    expect(messageOf(() => pool({}).tokenCreatedAt())).toBe("stack/Pool: `tokenMaxAgeDays` must be set to record when tokens were created (tokenCreatedAt), got: nothing");
  });
});

describe("the token's name on the runtimes", () => {
  test("fails when settings.extraEnv sets the variable the kit sets to the token's name", () => {
    const stack = newStack();
    const p = pool({ tokens: ["green"] }, stack);
    const settings = { scalrUrl: "https://rotate-acct.scalr.io", extraEnv: { [TOKEN_NAME_VARIABLE]: "green" } };
    expect(messageOf(() => new EcsAgentService(stack, "Agents", { name: "agents", pool: p, settings, ...NET }))).toBe(
      `stack/Agents: \`settings.extraEnv.${TOKEN_NAME_VARIABLE}\` is set by the kit to the name of the agent's pool token (it rolls the agents when the token changes): leave it out, got: a plain string of 5 characters (value hidden)`,
    );
  });

  test("the runtime helper adds the name to extraEnv, keeps the user's variables, and adds nothing for a token without a name or named default", () => {
    const stack = newStack();
    const issues = new IssueCollector({ subject: "probe" });
    const runtime = { tokenSources: { accepted: ["terraform" as const], message: "must be a Terraform value" } };
    const named = resolveRuntimeSettings(issues, { settings: { scalrUrl: "https://a.scalr.io", extraEnv: { TF_LOG: "warn" } }, pool: pool({ tokens: ["green"] }, stack) }, runtime);
    expect(named?.extraEnv).toEqual({ TF_LOG: "warn", [TOKEN_NAME_VARIABLE]: "green" });
    const v = new TerraformVariable(stack, "token", { type: "string", sensitive: true });
    const unnamed = resolveRuntimeSettings(issues, { settings: { scalrUrl: "https://a.scalr.io", token: AgentTokenSource.fromTerraformValue(v.stringValue) } }, runtime);
    expect(unnamed?.extraEnv).toBeUndefined();
    const byDefault = resolveRuntimeSettings(issues, { settings: { scalrUrl: "https://a.scalr.io" }, pool: new AgentPool(stack, "Default", { name: "default-pool" }) }, runtime);
    expect(byDefault?.extraEnv).toBeUndefined();
    expect(() => issues.throwIfAny()).not.toThrow();
  });

  test("a name given to a Terraform value of its own (a sensitive variable rotated by hand) is rendered as well", () => {
    const stack = newStack();
    const v = new TerraformVariable(stack, "token", { type: "string", sensitive: true });
    const fleet = new VmAgentFleet(stack, "Fleet", {
      name: "hand-rotated",
      os: "amazon-linux-2023",
      ...NET,
      settings: { scalrUrl: "https://a.scalr.io", token: AgentTokenSource.fromTerraformValue(v.stringValue, { name: "2025-06" }) },
    });
    expect(fleet.userData.document).toContain(`${TOKEN_NAME_VARIABLE}=2025-06`);
  });
});

/**
 * Applies `config` (Terraform JSON) with Terraform in a temporary directory, then plans it again
 * with the plan's clock moved `shiftHours` ahead in the check block, and returns that plan's output
 * and the recorded creation time before and after a second apply.
 */
function runAgeCheck(config: Record<string, unknown>, shiftHours: number): { plan: string; first: string; second: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-token-age-"));
  try {
    const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const tf = (...args: string[]) => execFileSync("terraform", [...args, "-no-color"], { cwd: dir, env, encoding: "utf8", stdio: "pipe" });
    const file = path.join(dir, "main.tf.json");
    fs.writeFileSync(file, JSON.stringify(config));
    tf("init", "-input=false");
    tf("apply", "-auto-approve", "-input=false");
    const first = tf("output", "-raw", "created");
    tf("apply", "-auto-approve", "-input=false");
    const second = tf("output", "-raw", "created");
    // Only the check's "now" moves: the recorded creation time stays what Terraform stored.
    const shifted = JSON.stringify(config.check).split("timecmp(plantimestamp(),").join(`timecmp(timeadd(plantimestamp(), \\"${shiftHours}h\\"),`);
    fs.writeFileSync(file, JSON.stringify({ ...config, check: JSON.parse(shifted) }));
    // Terraform wraps long messages: one space for any run of whitespace.
    return { plan: tf("plan", "-input=false").replace(/\s+/g, " "), first, second };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("token age (tokenMaxAgeDays)", () => {
  function synthAge(): { json: any; pool: AgentPool; stack: TerraformStack } {
    const stack = newStack();
    const p = pool({ tokens: ["blue", "green"], activeToken: "green", tokenMaxAgeDays: 90 }, stack);
    new TerraformOutput(stack, "created", { value: p.tokenCreatedAt("blue") });
    return { json: JSON.parse(Testing.synth(stack)), pool: p, stack };
  }

  test("each token gets a creation record stamped once with the plan's time and renewed with the token", () => {
    const { json } = synthAge();
    const tokens = json.resource.scalr_agent_pool_token;
    const records = Object.entries<any>(json.resource.terraform_data).filter(([k]) => k.includes("TokenCreated-"));
    expect(records).toHaveLength(2);
    for (const [, record] of records) {
      expect(record.input).toEqual({ createdAt: "${plantimestamp()}" });
      expect(record.lifecycle.ignore_changes).toEqual(["input"]);
      // A bare address: Terraform reads replace_triggered_by as references, not templates.
      const [trigger] = record.lifecycle.replace_triggered_by;
      expect(trigger).toMatch(/^scalr_agent_pool_token\.[A-Za-z0-9_-]+$/);
      expect(tokens).toHaveProperty(trigger.split(".")[1]);
    }
    expect(json.output.created.value).toMatch(/^\$\{terraform_data\.Pool_TokenCreated-blue_[0-9A-F]+\.output\["createdAt"\]\}$/);
  });

  test("the pool's kind guard is a bare address too", () => {
    const { json } = synthAge();
    const [guard] = Object.keys(json.resource.terraform_data).filter((k) => k.includes("KindGuard"));
    expect(Object.values<any>(json.resource.scalr_agent_pool)[0].lifecycle.replace_triggered_by).toEqual([`terraform_data.${guard}`]);
  });

  test("KitChecks reads a stack with the age check", () => {
    const { stack } = synthAge();
    KitChecks.of(stack);
    expect(() => Testing.synth(stack)).not.toThrow();
  });

  describe("evaluated by Terraform", () => {
    /** The pool's records and check as Terraform runs them, with stand-ins for the Scalr tokens (no Scalr provider here). */
    function runnable(): Record<string, unknown> {
      const { json } = synthAge();
      const standIns = Object.fromEntries(Object.keys(json.resource.scalr_agent_pool_token).map((k) => [k, { input: "token" }]));
      const records = Object.fromEntries(
        Object.entries<any>(json.resource.terraform_data)
          .filter(([k]) => k.includes("TokenCreated-"))
          .map(([k, r]) => [k, { ...r, lifecycle: { ...r.lifecycle, replace_triggered_by: r.lifecycle.replace_triggered_by.map((t: string) => t.replace(/^scalr_agent_pool_token\./, "terraform_data.")) } }]),
      );
      return { resource: { terraform_data: { ...standIns, ...records } }, check: json.check, output: json.output };
    }

    test("no warning while the tokens are younger than the maximum; the creation time stays put across applies", () => {
      const { plan, first, second } = runAgeCheck(runnable(), 89 * 24);
      expect(first).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(second).toBe(first);
      expect(plan).not.toContain("Check block assertion failed");
    });

    test("a warning per token, naming the pool and the token, once they are older than the maximum", () => {
      const { plan } = runAgeCheck(runnable(), 90 * 24 + 1);
      expect(plan).toContain("Warning: Check block assertion failed");
      expect(plan).toContain('Scalr agent pool rotate-run: token "blue" is older than 90 days (created ');
      expect(plan).toContain('Scalr agent pool rotate-run: token "green" is older than 90 days (created ');
    });
  });
});
