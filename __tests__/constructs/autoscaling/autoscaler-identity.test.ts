import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentAutoscaler } from "../../../constructs/autoscaling/agent-autoscaler";
import { AUTOSCALER_SCALR_IDENTITY_IDS, AutoscalerScalrIdentity, AutoscalerScalrIdentityProps } from "../../../constructs/autoscaling/autoscaler-identity";
import { KitChecks } from "../../../constructs/checks";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { resolveTokens } from "../../../core/cdktf-internals";
import { isToken } from "../../../core/validation";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { warningsOf } from "../../support/annotations";
import { messageOf } from "../../support/errors";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";

const SCALR_URL = "https://acme.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };
/** Permissions a custom role may hold (their sufficiency for the autoscaler is unverified; the construct takes them as given). */
const READS = ["accounts:read", "agent-pools:read", "workspaces:read", "runs-queue:read"];

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function build(over: Partial<AutoscalerScalrIdentityProps> = {}) {
  const stack = newStack();
  const identity = new AutoscalerScalrIdentity(stack, "Identity", { name: "agent-autoscaler", ...over });
  return { stack, identity, json: JSON.parse(Testing.synth(stack)) };
}

const blocks = (json: any, section: "resource" | "data", type: string): any[] => Object.values<any>(json[section]?.[type] ?? {});
const only = (json: any, section: "resource" | "data", type: string): any => {
  const xs = blocks(json, section, type);
  expect(xs).toHaveLength(1);
  return xs[0];
};
/** `${<address>.<attr>}` of a block of this construct. */
const ref = (address: string, attr: string) => expect.stringMatching(new RegExp(`^\\$\\{${address.replace(/\./g, "\\.")}_[0-9A-F]+\\.${attr}\\}$`));
/** Every string of `value` with its path. */
function strings(value: unknown, path = ""): [string, string][] {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}
const TOKEN_REF = /scalr_service_account_token\.Identity_Token_[0-9A-F]+(\.token|\[|\s*\})/;

describe("AutoscalerScalrIdentity, default: the system role read-only at the account scope", () => {
  const { json, identity } = build();

  test("a service account (Active), its token, an access policy; the current account and the read-only role looked up", () => {
    expect(Object.keys(json.resource).sort()).toEqual(["scalr_access_policy", "scalr_service_account", "scalr_service_account_token"]);
    expect(Object.keys(json.data).sort()).toEqual(["scalr_current_account", "scalr_role"]);
    expect(only(json, "resource", "scalr_service_account")).toEqual({
      name: "agent-autoscaler",
      description: "Reads the agent pool queue for the Scalr agent autoscaler (managed by Terraform)",
      status: "Active",
    });
    expect(only(json, "resource", "scalr_service_account_token")).toEqual({
      service_account_id: ref("scalr_service_account.Identity_ServiceAccount", "id"),
      description: "Scalr agent autoscaler (managed by Terraform)",
    });
  });

  test("the system role is looked up by name without an account ID (system roles are account-less)", () => {
    expect(only(json, "data", "scalr_role")).toEqual({ name: "read-only" });
    expect(json.resource.scalr_role).toBeUndefined();
  });

  test("the policy binds this service account, at the current account's scope, to that role and nothing else", () => {
    const policy = only(json, "resource", "scalr_access_policy");
    expect(policy).toEqual({
      subject: { type: "service_account", id: ref("scalr_service_account.Identity_ServiceAccount", "id") },
      scope: { type: "account", id: ref("data.scalr_current_account.Identity_Account", "id") },
      role_ids: [ref("data.scalr_role.Identity_ReadOnlyRole", "id")],
    });
  });

  test("the token is a reference to the provider's sensitive attribute, and appears nowhere in the stack", () => {
    expect(isToken(identity.token)).toBe(true);
    const stack = newStack();
    const i = new AutoscalerScalrIdentity(stack, "Identity", { name: "agent-autoscaler" });
    expect(resolveTokens(stack, i.token)).toMatch(/^\$\{scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token\}$/);
    expect(strings(json).filter(([, v]) => TOKEN_REF.test(v))).toEqual([]);
    expect(json.output).toBeUndefined();
  });

  test("fields expose the blocks: IDs, email, role and account as references", () => {
    const stack = newStack();
    const i = new AutoscalerScalrIdentity(stack, "Identity", { name: "agent-autoscaler" });
    expect(resolveTokens(stack, i.serviceAccountId)).toMatch(/^\$\{scalr_service_account\.Identity_ServiceAccount_[0-9A-F]+\.id\}$/);
    expect(resolveTokens(stack, i.email)).toMatch(/^\$\{scalr_service_account\.Identity_ServiceAccount_[0-9A-F]+\.email\}$/);
    expect(resolveTokens(stack, i.roleId)).toMatch(/^\$\{data\.scalr_role\.Identity_ReadOnlyRole_[0-9A-F]+\.id\}$/);
    expect(resolveTokens(stack, i.accountId)).toMatch(/^\$\{data\.scalr_current_account\.Identity_Account_[0-9A-F]+\.id\}$/);
    expect(i.customRole).toBeUndefined();
    expect(i.systemRole).toBeDefined();
  });

  test("every block matches the Scalr provider schema", () => {
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("construct ids are the documented ones", () => {
    const ids = identity.node.children.map((c) => c.node.id).sort();
    const used = Object.values(AUTOSCALER_SCALR_IDENTITY_IDS).filter((x) => x !== AUTOSCALER_SCALR_IDENTITY_IDS.customRole);
    expect(ids).toEqual([...used].sort());
  });

  test("a usual name gives no warning", () => {
    expect(warningsOf(identity)).toEqual([]);
  });
});

describe("AutoscalerScalrIdentity options", () => {
  test("accountId: the service account's account and the policy's scope, no account lookup", () => {
    const { json } = build({ accountId: "acc-v0o1example" });
    expect(json.data.scalr_current_account).toBeUndefined();
    expect(only(json, "resource", "scalr_service_account").account_id).toBe("acc-v0o1example");
    expect(only(json, "resource", "scalr_access_policy").scope).toEqual({ type: "account", id: "acc-v0o1example" });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("customRole: a scalr_role of exactly those permissions is the one bound; the system role is not looked up", () => {
    const { json, identity } = build({ customRole: { name: "autoscaler-reader", permissions: READS } });
    expect(json.data.scalr_role).toBeUndefined();
    expect(only(json, "resource", "scalr_role")).toEqual({
      name: "autoscaler-reader",
      description: "Reads agent pools, their workspaces, the runs queue and agents for the Scalr agent autoscaler",
      permissions: READS,
    });
    expect(only(json, "resource", "scalr_access_policy").role_ids).toEqual([ref("scalr_role.Identity_Role", "id")]);
    expect(identity.systemRole).toBeUndefined();
    expect(identity.node.children.map((c) => c.node.id)).toContain(AUTOSCALER_SCALR_IDENTITY_IDS.customRole);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
    expect(warningsOf(identity)).toEqual([]);
  });

  test("descriptions reach the blocks, literal ${ escaped", () => {
    const { json } = build({ description: "team ${var.x}", tokenDescription: "token of ${var.y}", customRole: { name: "r", description: "role %{if}", permissions: ["*:read"] } });
    expect(only(json, "resource", "scalr_service_account").description).toBe("team $${var.x}");
    expect(only(json, "resource", "scalr_service_account_token").description).toBe("token of $${var.y}");
    expect(only(json, "resource", "scalr_role").description).toBe("role %%{if}");
  });

  test("a custom role without accounts:read warns (what Scalr's IAM guide asks of users and teams)", () => {
    const { identity } = build({ customRole: { name: "r", permissions: ["agent-pools:read", "runs-queue:read"] } });
    expect(warningsOf(identity)).toEqual([expect.stringMatching(/^stack\/Identity: `customRole\.permissions` has no "accounts:read": .*unverified/)]);
  });

  test("a name an email cannot hold as it is warns (unverified rule), never fails", () => {
    const { identity } = build({ name: "agent autoscaler+1" });
    expect(warningsOf(identity)).toEqual([expect.stringMatching(/^stack\/Identity: `name` "agent autoscaler\+1" holds " ", "\+": .*unverified/)]);
    const long = build({ name: "a".repeat(65) });
    expect(warningsOf(long.identity)).toEqual([expect.stringMatching(/is longer than 64 bytes.*unverified/)]);
    expect(warningsOf(build({ name: "a".repeat(64) }).identity)).toEqual([]);
  });
});

describe("the token, handed to AgentAutoscaler", () => {
  function stackWithAutoscaler() {
    const stack = newStack();
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const identity = new AutoscalerScalrIdentity(stack, "Identity", { name: "agent-autoscaler" });
    const pool = new AgentPool(stack, "Pool", { name: "ecs-agents" });
    const service = new EcsAgentService(stack, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET });
    const autoscaler = new AgentAutoscaler(stack, "Autoscaler", { pool, fleet: service, scalrUrl: SCALR_URL, scalrToken: { value: identity.token }, policy: { min: 0, max: 10 } });
    return { stack, identity, autoscaler };
  }

  test("goes into the autoscaler's secret version only: never the Lambda environment, a tag or an output", () => {
    const { stack } = stackWithAutoscaler();
    const json = JSON.parse(Testing.synth(stack));
    const places = strings(json).filter(([, v]) => TOKEN_REF.test(v));
    expect(places).toEqual([[expect.stringMatching(/^resource\.aws_secretsmanager_secret_version\.Autoscaler_TokenSecretValue_[0-9A-F]+\.secret_string$/), expect.any(String)]]);
    expect(places[0]![1]).toMatch(/^\$\{scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token\}$/);
    expect(Object.keys(json.resource.aws_lambda_function)).toHaveLength(1);
    expect(JSON.stringify(json.resource.aws_lambda_function)).not.toMatch(/scalr_service_account_token/);
  });

  test("KitChecks: every rule passes with no acknowledgement", () => {
    const { stack } = stackWithAutoscaler();
    const checks = KitChecks.of(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const report = checks.report();
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toEqual([]);
  });

  test("KitChecks: the same stack with the token copied into the Lambda environment fails KIT-SEC-1", () => {
    const { stack, identity, autoscaler } = stackWithAutoscaler();
    autoscaler.function.addOverride("environment.variables.SCALR_TOKEN", identity.token);
    const lines = KitChecks.of(stack).report().violations.map((v) => v.line);
    expect(lines).toEqual([
      expect.stringMatching(
        /^KIT-SEC-1 stack\/Autoscaler\/Function: aws_lambda_function must not hold the secret scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token in environment\.variables\.SCALR_TOKEN/,
      ),
    ]);
  });

  test("a plain output of the token fails the synth, naming the output and not the value; a sensitive one passes", () => {
    const plain = newStack();
    new TerraformOutput(plain, "autoscaler_token", { value: new AutoscalerScalrIdentity(plain, "Identity", { name: "agent-autoscaler" }).token });
    const message = messageOf(() => Testing.synth(plain));
    expect(message).toMatch(/^stack\/autoscaler_token: `value` must not show the secret scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token in an output that is not sensitive: set `sensitive: true`/);
    expect(message).toMatch(/got: a value that holds a secret \(hidden\)$/);
    const hidden = newStack();
    new TerraformOutput(hidden, "autoscaler_token", { value: new AutoscalerScalrIdentity(hidden, "Identity", { name: "agent-autoscaler" }).token, sensitive: true });
    expect(() => Testing.synth(hidden)).not.toThrow();
  });

  test("plain outputs of the service account's ID and email pass", () => {
    const stack = newStack();
    const i = new AutoscalerScalrIdentity(stack, "Identity", { name: "agent-autoscaler" });
    new TerraformOutput(stack, "sa", { value: i.serviceAccountId });
    new TerraformOutput(stack, "email", { value: i.email });
    expect(() => Testing.synth(stack)).not.toThrow();
  });
});

describe("AutoscalerScalrIdentity rejects bad input, naming the construct path and the field", () => {
  const attempt = (props: Record<string, unknown>) => messageOf(() => new AutoscalerScalrIdentity(newStack(), "Identity", props as unknown as AutoscalerScalrIdentityProps));
  const ok = { name: "agent-autoscaler" };

  test.each<[string, Record<string, unknown>, RegExp]>([
    ["name missing", {}, /^stack\/Identity: `name` .*, got: nothing$/],
    ["name empty (the provider requires it)", { name: "" }, /^stack\/Identity: `name` must not be empty, got: ""$/],
    ["name with surrounding whitespace", { name: " sa " }, /^stack\/Identity: `name` must not start or end with whitespace, got: " sa "$/],
    ["name with a line break", { name: "sa\nx" }, /^stack\/Identity: `name` must not contain control characters/],
    ["name not a string", { name: 7 }, /^stack\/Identity: `name` must be a string, got: 7$/],
    ["description empty", { ...ok, description: "" }, /^stack\/Identity: `description` must not be empty/],
    ["tokenDescription with a control character", { ...ok, tokenDescription: "a\u0007b" }, /^stack\/Identity: `tokenDescription` must not contain control characters/],
    ["accountId", { ...ok, accountId: "account-1" }, /^stack\/Identity: `accountId` must be a Scalr account ID such as "acc-v0o1example", got: "account-1"$/],
    ["customRole not an object", { ...ok, customRole: "read" }, /^stack\/Identity: `customRole` /],
    ["customRole.name missing", { ...ok, customRole: { permissions: ["agent-pools:read"] } }, /^stack\/Identity: `customRole\.name` .*got: nothing$/],
    ["customRole.permissions empty", { ...ok, customRole: { name: "r", permissions: [] } }, /^stack\/Identity: `customRole\.permissions` must hold at least one permission, got: an array of 0$/],
    ["customRole.permissions over 128", { ...ok, customRole: { name: "r", permissions: Array.from({ length: 129 }, (_, i) => `r${i}:read`) } }, /`customRole\.permissions` must hold at most 128 permissions/],
    ["customRole.permissions[] not an ID", { ...ok, customRole: { name: "r", permissions: ["agent-pools:read", "read agent pools"] } }, /^stack\/Identity: `customRole\.permissions\[1\]` must be a permission ID "<resource type>:<action>" .*got: "read agent pools"$/],
    ["customRole.permissions[] a write", { ...ok, customRole: { name: "r", permissions: ["runs:create"] } }, /^stack\/Identity: `customRole\.permissions\[0\]` must be a read permission .*the autoscaler only reads from Scalr, got: "runs:create"$/],
    ["customRole.permissions[] everything", { ...ok, customRole: { name: "r", permissions: ["*:*"] } }, /`customRole\.permissions\[0\]` must be a read permission/],
    ["customRole.permissions[] all actions of a type", { ...ok, customRole: { name: "r", permissions: ["workspaces:*"] } }, /`customRole\.permissions\[0\]` must be a read permission/],
    ["customRole.permissions[] twice", { ...ok, customRole: { name: "r", permissions: ["agent-pools:read", "agent-pools:read"] } }, /^stack\/Identity: `customRole\.permissions\[1\]` is listed twice/],
    ["customRole unknown key", { ...ok, customRole: { name: "r", permissions: ["agent-pools:read"], permisions: [] } }, /^stack\/Identity: `customRole(\.permisions)?` /],
    ["an unknown prop", { ...ok, roleName: "admin" }, /^stack\/Identity: `roleName` is not a known field/],
  ])("%s", (_name, props, message) => {
    expect(attempt(props)).toMatch(message);
  });

  test("read actions of specific kinds are accepted (read-…)", () => {
    expect(() => build({ customRole: { name: "r", permissions: ["accounts:read", "environments:read-runs-queue"] } })).not.toThrow();
  });

  test("every problem is reported at once", () => {
    const m = attempt({ name: "", accountId: "x", customRole: { name: "r", permissions: ["runs:cancel"] } });
    expect(m.split("\n")).toHaveLength(3);
  });

  test("Terraform references pass unchecked", () => {
    const stack = newStack();
    const name = new TerraformVariable(stack, "sa_name", { type: "string" }).stringValue;
    const accountId = new TerraformVariable(stack, "account", { type: "string" }).stringValue;
    const identity = new AutoscalerScalrIdentity(stack, "Identity", { name, accountId });
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json, "resource", "scalr_service_account")).toMatchObject({ name: "${var.sa_name}", account_id: "${var.account}" });
    expect(warningsOf(identity)).toEqual([]);
  });
});
