import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, LocalBackend, TerraformStack, Testing } from "cdktf";
import { VendingMachineSpec } from "../../vending-machine/spec-types";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";
import { vendingMachineExample } from "../../examples/vending-machine/main";
import { referenceCycles } from "../support/reference-graph";
import { checkAgainstScalrSchema, countScalrBlocks } from "../support/scalr-schema";
import { messageOf } from "../support/errors";

function spec(split: VendingMachineSpec["stacks"], workspaces = ["a", "b", "c", "d", "e", "f"]): VendingMachineSpec {
  return {
    stacks: split,
    agentPools: [{ name: "run" }],
    providerConfigurations: [{ name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } }],
    environments: ["dev", "prod"].map((name) => ({
      name,
      defaultAgentPool: "run",
      workspaces: workspaces.map((w) => ({ name: w, agentPool: "run", providerConfigurations: ["aws"], variables: [{ key: "x", value: w }] })),
    })),
  };
}

/** Synthesizes the whole app (cross-stack references are wired only then) and reads each stack. */
function synthAll(stacks: readonly TerraformStack[]): Record<string, any> {
  const app = stacks[0]!.node.root as App;
  app.synth();
  return Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", s.node.id, "cdk.tf.json"), "utf8"))]));
}

describe("VendingMachineStack", () => {
  test("one stack by default, with the Scalr provider and the AWS provider for the IAM role", () => {
    const vm = new VendingMachineStack(Testing.app(), "vending-machine", { spec: spec(undefined) });
    expect(vm.stacks.map((s) => s.node.id)).toEqual(["vending-machine"]);
    const json = JSON.parse(Testing.synth(vm));
    expect(json.provider.scalr).toHaveLength(1);
    expect(json.provider.aws).toEqual([{}]);
    expect(Object.keys(json.resource.scalr_workspace)).toHaveLength(12);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("split per environment: a shared stack and vending-machine-<env>, referenced one way through one local per object", () => {
    const vm = new VendingMachineStack(Testing.app(), "vending-machine", { spec: spec({ split: "environment" }) });
    expect(vm.stacks.map((s) => s.node.id)).toEqual(["vending-machine", "vending-machine-dev", "vending-machine-prod"]);
    const out = synthAll(vm.stacks);
    const shared = out["vending-machine"];
    expect(shared.resource.scalr_workspace).toBeUndefined();
    expect(Object.keys(shared.resource.scalr_environment)).toHaveLength(2);
    for (const env of ["dev", "prod"]) {
      const json = out[`vending-machine-${env}`];
      expect(json.provider.scalr).toHaveLength(1);
      expect(Object.keys(json.resource.scalr_workspace)).toHaveLength(6);
      // environment, pool and configuration: three locals, whatever the number of workspaces.
      expect(Object.keys(json.locals)).toHaveLength(3);
      expect(Object.values<string>(json.locals).every((v) => v.startsWith("${data.terraform_remote_state.cross-stack-reference-input-vending-machine.outputs."))).toBe(true);
      const ws = Object.values<any>(json.resource.scalr_workspace)[0];
      expect(ws.environment_id).toMatch(/^\$\{local\.cross-stack_Environment-/);
      expect(ws.agent_pool_id).toMatch(/^\$\{local\.cross-stack_Pool-run_/);
      expect(checkAgainstScalrSchema(json)).toEqual([]);
    }
    expect(checkAgainstScalrSchema(shared)).toEqual([]);
  });

  test("split into shards: every shard stack exists, and a workspace keeps its shard when others come and go", () => {
    const placement = (names: string[]) => {
      const vm = new VendingMachineStack(Testing.app(), "vending-machine", { spec: spec({ split: "shards", shards: 3 }, names) });
      expect(vm.stacks.map((s) => s.node.id)).toEqual(["vending-machine", "vending-machine-0", "vending-machine-1", "vending-machine-2"]);
      return new Map([...vm.vendingMachine.workspaces].map(([k, w]) => [k, TerraformStack.of(w).node.id]));
    };
    const before = placement(["a", "b", "c", "d", "e", "f"]);
    const after = placement(["0", "a", "c", "d", "f", "g"]);
    for (const [k, stack] of after) if (before.has(k)) expect(stack).toBe(before.get(k));
    expect(new Set(before.values()).size).toBeGreaterThan(1);
  });

  test("every account-scoped Scalr block of every stack takes account_id from scalr_account_id", () => {
    const vm = new VendingMachineStack(Testing.app(), "vending-machine", { spec: spec({ split: "environment" }) });
    const out = synthAll(vm.stacks);
    const accountId = "${(length(var.scalr_account_id) < 1) ? null : var.scalr_account_id}";
    for (const json of Object.values(out)) {
      expect(json.variable.scalr_account_id).toMatchObject({ type: "string", default: "" });
      for (const type of ["scalr_environment", "scalr_provider_configuration", "scalr_variable"]) {
        for (const block of Object.values<any>(json.resource[type] ?? {})) expect(block.account_id).toBe(accountId);
      }
    }
    expect(Object.keys(out["vending-machine-dev"].resource.scalr_variable)).toHaveLength(6);
    expect(Object.values<any>(out["vending-machine"].resource.scalr_agent_pool)[0]).not.toHaveProperty("account_id");
  });

  test("fails with a validation error, not a TypeError, when props are missing", () => {
    expect(messageOf(() => new VendingMachineStack(Testing.app(), "vending-machine", undefined as never))).toBe("vending-machine: must be an object, got: nothing");
  });

  test("fails when a stack would hold more workspaces than the bound", () => {
    expect(messageOf(() => new VendingMachineStack(Testing.app(), "vending-machine", { spec: spec({ split: "environment", maxWorkspacesPerStack: 5 }) }))).toBe(
      [
        'stacks.maxWorkspacesPerStack: stack "vending-machine-dev" (environments[0]) would hold 6 workspaces, more than 5: split the estate (`stacks.split: "shards"`) or raise the limit',
        'stacks.maxWorkspacesPerStack: stack "vending-machine-prod" (environments[1]) would hold 6 workspaces, more than 5: split the estate (`stacks.split: "shards"`) or raise the limit',
      ].join("\n"),
    );
  });
});

describe("VendingMachineStack with its state in Scalr", () => {
  test("every stack, shared and shard, gets a Scalr workspace named after it; shards read the shared one through Scalr's remote state", () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "vm-scalr-backend-")), stackTraces: false });
    const vm = new VendingMachineStack(app, "vending-machine", { spec: spec({ split: "shards", shards: 2 }), scalrBackend: { hostname: "example.scalr.io", environment: "platform" } });
    const json = synthAll(vm.stacks);
    for (const id of ["vending-machine", "vending-machine-0", "vending-machine-1"]) {
      expect(json[id].terraform.backend).toEqual({ remote: { hostname: "example.scalr.io", organization: "platform", workspaces: { name: id } } });
    }
    const remote = Object.values<any>(json["vending-machine-0"].data.terraform_remote_state);
    expect(remote).toEqual([{ backend: "remote", config: { hostname: "example.scalr.io", organization: "platform", workspaces: { name: "vending-machine" } } }]);
    fs.rmSync(app.outdir, { recursive: true, force: true });
  });

  test("bad backend settings name the stack and the field", () => {
    expect(messageOf(() => new VendingMachineStack(Testing.app(), "vm", { spec: spec(undefined), scalrBackend: { hostname: "https://example.scalr.io", environment: "platform" } }))).toMatch(/^vm: `hostname` must be the Scalr account's host name/);
    expect(messageOf(() => new VendingMachineStack(Testing.app(), "vm", { spec: spec(undefined), scalrBackend: "scalr" as never }))).toMatch(/^vm: `scalrBackend` must be \{ hostname, environment \}/);
  });
});

describe("examples/vending-machine", () => {
  test("synthesizes 4 stacks and their bootstrap stack, whose scalr_* blocks all match the provider schema", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "vm-example-"));
    try {
      const app = new App({ outdir, stackTraces: false });
      const stacks = vendingMachineExample(app);
      // As examples/app.ts does: the state of each stack next to cdktf.json.
      for (const stack of stacks) new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
      app.synth();
      expect(stacks.map((s) => s.node.id)).toEqual(["vending-machine", "vending-machine-dev", "vending-machine-prod", "vending-machine-staging", "vending-machine-bootstrap"]);
      let workspaces = 0;
      for (const id of stacks.map((s) => s.node.id)) {
        const text = fs.readFileSync(path.join(outdir, "stacks", id, "cdk.tf.json"), "utf8");
        expect(text).not.toContain(os.tmpdir());
        const json = JSON.parse(text);
        expect(countScalrBlocks(json)).toBeGreaterThan(0);
        expect(checkAgainstScalrSchema(json)).toEqual([]);
        expect(referenceCycles(json)).toEqual([]);
        workspaces += Object.keys(json.resource.scalr_workspace ?? {}).length;
      }
      // 10 from the spec, and one per vending stack in the bootstrap stack.
      expect(workspaces).toBe(14);
      const shared = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "vending-machine", "cdk.tf.json"), "utf8"));
      const vars = Object.values<any>(shared.resource.scalr_variable);
      expect(vars.find((v) => v.key === "aws_region")).toMatchObject({ final: true, value: "eu-west-1" });
      expect(Object.keys(shared.resource.scalr_agent_pool)).toHaveLength(2);
      const role = Object.values<any>(shared.resource.aws_iam_role)[0];
      expect(role.name).toBe("scalr-vending-machine");
      // Shared with dev, staging and prod through their defaults: the role trusts those runs only.
      expect(JSON.parse(role.assume_role_policy).Statement[0].Condition.StringLike["scalr.io:sub"]).toEqual([
        "account:acme:environment:dev:workspace:*",
        "account:acme:environment:staging:workspace:*",
        "account:acme:environment:prod:workspace:*",
      ]);
      expect(Object.values<any>(shared.resource.scalr_provider_configuration_default)).toHaveLength(3);
      const prod = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "vending-machine-prod", "cdk.tf.json"), "utf8"));
      const prodVars = Object.values<any>(prod.resource.scalr_variable);
      expect(prodVars.find((v) => v.key === "log_level")).toMatchObject({ value: "warn", category: "shell" });
      expect(prod.variable.prod_db_password).toMatchObject({ sensitive: true });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
