import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Environment } from "../../../constructs/scalr/environment";
import { Variable, VariableProps } from "../../../constructs/scalr/variable";
import { Workspace } from "../../../constructs/scalr/workspace";
import { Variable as ScalrVariable } from "../../../providers/scalr/generated/providers/scalr/variable";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function secretRef(stack: TerraformStack): string {
  return new TerraformVariable(stack, "secret", { type: "string", sensitive: true }).stringValue;
}

describe("Variable", () => {
  test("defaults: an account-scope terraform variable, not final, not sensitive", () => {
    const stack = newStack();
    new Variable(stack, "Region", { key: "region", value: "eu-west-1" });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrVariable, { key: "region", value: "eu-west-1", category: "terraform", final: false, sensitive: false, hcl: false });
    const v = Object.values<any>(JSON.parse(out).resource.scalr_variable)[0];
    expect(v).not.toHaveProperty("workspace_id");
    expect(v).not.toHaveProperty("environment_id");
  });

  test("environment and workspace scope, by construct or by ID", () => {
    const stack = newStack();
    const env = new Environment(stack, "Prod", { name: "prod" });
    const ws = new Workspace(stack, "Net", { name: "net", environment: env });
    new Variable(stack, "A", { key: "a", environment: env, category: "shell", final: true });
    new Variable(stack, "B", { key: "b", workspace: ws, hcl: true, value: '["x"]' });
    new Variable(stack, "C", { key: "c", workspace: "ws-abc123", category: "env" });
    const json = JSON.parse(Testing.synth(stack));
    const vars = Object.values<any>(json.resource.scalr_variable);
    expect(vars.find((v) => v.key === "a")).toMatchObject({ environment_id: expect.stringMatching(/^\$\{scalr_environment\.Prod_[0-9A-F]+\.id\}$/), category: "shell", final: true });
    expect(vars.find((v) => v.key === "b")).toMatchObject({ workspace_id: expect.stringMatching(/^\$\{scalr_workspace\.Net_[0-9A-F]+\.id\}$/), hcl: true });
    // `env` is rendered as Scalr's `shell` (its deprecated old name).
    expect(vars.find((v) => v.key === "c")).toMatchObject({ workspace_id: "ws-abc123", category: "shell" });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("a sensitive value is a reference; a plaintext one needs the named opt-out", () => {
    const stack = newStack();
    new Variable(stack, "Db", { key: "db_password", value: secretRef(stack), sensitive: true });
    new Variable(stack, "Legacy", { key: "legacy", value: "hunter2-legacy", sensitive: true, allowPlaintextSensitiveValue: true });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ScalrVariable, { key: "db_password", value: "${var.secret}", sensitive: true });
  });

  describe("inheritance (Scalr's rules at synth time)", () => {
    test("a non-final variable may be redefined below it", () => {
      const stack = newStack();
      const env = new Environment(stack, "Prod", { name: "prod", variables: [{ key: "size", value: "m" }] });
      new Variable(stack, "Size", { key: "size", value: "s" });
      new Workspace(stack, "Ws", { name: "ws", environment: env, variables: [{ key: "size", value: "l" }] });
      expect(Object.keys(JSON.parse(Testing.synth(stack)).resource.scalr_variable)).toHaveLength(3);
    });

    test("the same key in another category is another variable", () => {
      const stack = newStack();
      const env = new Environment(stack, "Prod", { name: "prod" });
      new Variable(stack, "Region", { key: "region", final: true });
      expect(() => new Variable(stack, "ShellRegion", { key: "region", category: "shell", environment: env })).not.toThrow();
    });

    test("a final variable in one environment does not bind another environment's workspaces", () => {
      const stack = newStack();
      const a = new Environment(stack, "A", { name: "a", variables: [{ key: "k", final: true }] });
      const b = new Environment(stack, "B", { name: "b" });
      expect(a.variables.get("terraform:k")?.final).toBe(true);
      expect(() => new Workspace(stack, "Ws", { name: "ws", environment: b, variables: [{ key: "k" }] })).not.toThrow();
    });

    test("fails when a workspace redefines a final account variable", () => {
      const stack = newStack();
      new Variable(stack, "Region", { key: "region", value: "eu-west-1", final: true });
      const env = new Environment(stack, "Prod", { name: "prod" });
      expect(messageOf(() => new Workspace(stack, "Net", { name: "net", environment: env, variables: [{ key: "region", value: "us-east-1" }] }))).toBe(
        'stack/Net/Variable-terraform-region: `key` redefines "region" (terraform), which is final at account scope in stack/Region: a final variable cannot be redefined below it, got: "region"',
      );
    });

    test("fails when an environment redefines a final account variable", () => {
      const stack = newStack();
      new Variable(stack, "Region", { key: "region", category: "shell", final: true });
      expect(messageOf(() => new Environment(stack, "Prod", { name: "prod", variables: [{ key: "region", category: "shell" }] }))).toBe(
        'stack/Prod/Variable-shell-region: `key` redefines "region" (shell), which is final at account scope in stack/Region: a final variable cannot be redefined below it, got: "region"',
      );
    });

    test("fails when a workspace redefines a final environment variable", () => {
      const stack = newStack();
      const env = new Environment(stack, "Prod", { name: "prod", variables: [{ key: "vpc", final: true }] });
      expect(messageOf(() => new Variable(stack, "Vpc", { key: "vpc", workspace: new Workspace(stack, "Ws", { name: "ws", environment: env }) }))).toBe(
        'stack/Vpc: `key` redefines "vpc" (terraform), which is final at environment scope in stack/Prod/Variable-terraform-vpc: a final variable cannot be redefined below it, got: "vpc"',
      );
    });

    test("fails when a variable is made final above an existing redefinition (order does not matter)", () => {
      const stack = newStack();
      const env = new Environment(stack, "Prod", { name: "prod" });
      new Workspace(stack, "Ws", { name: "ws", environment: env, variables: [{ key: "vpc" }] });
      expect(messageOf(() => new Variable(stack, "Vpc", { key: "vpc", environment: env, final: true }))).toBe(
        'stack/Vpc: `final` cannot be true: "vpc" (terraform) is redefined below it in stack/Ws/Variable-terraform-vpc (make that one the only definition, or drop `final`), got: true',
      );
      expect(messageOf(() => new Variable(stack, "AccountVpc", { key: "vpc", final: true }))).toBe(
        'stack/AccountVpc: `final` cannot be true: "vpc" (terraform) is redefined below it in stack/Ws/Variable-terraform-vpc (make that one the only definition, or drop `final`), got: true',
      );
    });

    test("environments given by literal ID are placed in the hierarchy too", () => {
      const stack = newStack();
      new Variable(stack, "EnvFinal", { key: "k", environment: "env-abc123", final: true });
      expect(messageOf(() => new Workspace(stack, "Ws", { name: "ws", environment: "env-abc123", variables: [{ key: "k" }] }))).toBe(
        'stack/Ws/Variable-terraform-k: `key` redefines "k" (terraform), which is final at environment scope in stack/EnvFinal: a final variable cannot be redefined below it, got: "k"',
      );
    });

    test("the rules hold across stacks of one app", () => {
      const app = Testing.app();
      const account = new TerraformStack(app, "account");
      const team = new TerraformStack(app, "team");
      new Variable(account, "Region", { key: "region", final: true });
      const env = new Environment(team, "Prod", { name: "prod" });
      expect(messageOf(() => new Variable(team, "Region", { key: "region", environment: env }))).toBe(
        'team/Region: `key` redefines "region" (terraform), which is final at account scope in account/Region: a final variable cannot be redefined below it, got: "region"',
      );
    });

    test("fails when a key is defined twice at one scope", () => {
      const stack = newStack();
      const env = new Environment(stack, "Prod", { name: "prod" });
      new Variable(stack, "One", { key: "k", environment: env });
      expect(messageOf(() => new Variable(stack, "Two", { key: "k", environment: env }))).toBe(
        'stack/Two: `key` is already defined in this environment by stack/One ("k" (terraform)), got: "k"',
      );
      new Variable(stack, "Acc", { key: "k" });
      expect(messageOf(() => new Variable(stack, "Acc2", { key: "k" }))).toBe('stack/Acc2: `key` is already defined at account scope by stack/Acc ("k" (terraform)), got: "k"');
    });
  });

  describe("sensitive values never reach non-sensitive outputs", () => {
    test("a sensitive output may show a variable's value", () => {
      const stack = newStack();
      const v = new Variable(stack, "Db", { key: "db", value: secretRef(stack), sensitive: true });
      new TerraformOutput(stack, "out", { value: v.resource.value, sensitive: true });
      new TerraformOutput(stack, "id", { value: v.variableId });
      expect(() => Testing.synth(stack)).not.toThrow();
    });

    test.each<[string, (stack: TerraformStack, v: Variable) => unknown, string]>([
      ["a variable's value", (_s, v) => v.resource.value, "the secret scalr_variable.Db_"],
      ["a whole variable object", (_s, v) => v.resource.fqn, "the secret scalr_variable.Db_"],
      ["a sensitive Terraform variable", (s) => `prefix-${(s.node.findChild("secret") as TerraformVariable).stringValue}`, "the sensitive variable var.secret"],
    ])("fails when a non-sensitive output shows %s", (_name, value, fragment) => {
      const stack = newStack();
      const v = new Variable(stack, "Db", { key: "db", value: secretRef(stack), sensitive: true });
      new TerraformOutput(stack, "leak", { value: value(stack, v) });
      const message = messageOf(() => Testing.synth(stack));
      expect(message).toContain("stack/leak: `value` must not show ");
      expect(message).toContain(fragment);
      expect(message).toContain("in an output that is not sensitive: set `sensitive: true` on the output, got: a value that holds a secret (hidden)");
    });

    test("fails when a non-sensitive output copies a plaintext sensitive value", () => {
      const stack = newStack();
      new Variable(stack, "Legacy", { key: "legacy", value: "hunter2-legacy", sensitive: true, allowPlaintextSensitiveValue: true });
      new TerraformOutput(stack, "leak", { value: "the password is hunter2-legacy" });
      expect(messageOf(() => Testing.synth(stack))).toBe(
        "stack/leak: `value` must not show the value of a sensitive Scalr variable in an output that is not sensitive: set `sensitive: true` on the output, got: a value that holds a secret (hidden)",
      );
    });
  });

  test.each<[string, unknown, string]>([
    ["the key is missing", {}, "stack/V: `key` is required, got: nothing"],
    ["the key is not a Terraform name", { key: "1region" }, "stack/V: `key` must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit), got: \"1region\""],
    ["a shell key has a dash", { key: "MY-VAR", category: "shell" }, "stack/V: `key` must be a shell variable name (letters, digits or '_', not starting with a digit), got: \"MY-VAR\""],
    ["the category is unknown", { key: "k", category: "file" }, 'stack/V: `category` must be one of "terraform", "shell", "env", got: "file"'],
    ["a shell variable is HCL", { key: "K", category: "shell", hcl: true }, "stack/V: `hcl` applies only to terraform variables (shell and env variables are plain strings), got: true"],
    [
      "a sensitive value is a literal",
      { key: "k", value: "s3cret-value", sensitive: true },
      "stack/V: `value` must be a Terraform reference when `sensitive` is true (a sensitive variable or a secret store data source), or set `allowPlaintextSensitiveValue`, got: a plain string of 12 characters (value hidden)",
    ],
    ["both scopes are given", { key: "k", environment: "env-a1", workspace: "ws-b2" }, 'stack/V: `workspace` cannot be combined with `environment`: a variable has one scope (a workspace\'s environment is implied), got: "ws-b2"'],
    ["the environment is not an ID", { key: "k", environment: "prod" }, 'stack/V: `environment` must be an environment construct or an ID such as "env-v0o1example", got: "prod"'],
    ["a field is misspelt", { key: "k", sensitve: true }, "stack/V: `sensitve` is not a known field (did you mean `sensitive`?), got: true"],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new Variable(newStack(), "V", props as VariableProps))).toBe(expected);
  });
});
