import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment } from "../../../constructs/scalr/environment";
import { ProviderConfiguration } from "../../../constructs/scalr/provider-configuration";
import { Tag } from "../../../constructs/scalr/tag";
import { Workspace, WorkspaceProps } from "../../../constructs/scalr/workspace";
import { ProviderConfiguration as ScalrProviderConfiguration } from "../../../providers/scalr/generated/providers/scalr/provider-configuration";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { Workspace as ScalrWorkspace } from "../../../providers/scalr/generated/providers/scalr/workspace";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function k8s(stack: TerraformStack, id: string, name: string): ProviderConfiguration {
  const token = new TerraformVariable(stack, `${id}Token`, { type: "string", sensitive: true }).stringValue;
  return new ProviderConfiguration(stack, id, { name, kubernetes: { host: "https://k8s.example.com", token } });
}

function workspaceJson(json: any): any {
  return Object.values<any>(json.resource.scalr_workspace)[0];
}

describe("Workspace", () => {
  test("defaults: a CLI-driven Terraform workspace, approval required, deletion protected", () => {
    const stack = newStack();
    new Workspace(stack, "Ws", { name: "cli", environment: "env-abc123" });
    const ws = workspaceJson(JSON.parse(Testing.synth(stack)));
    expect(ws).toMatchObject({ name: "cli", environment_id: "env-abc123", iac_platform: "terraform", auto_apply: false, deletion_protection_enabled: true, working_directory: "" });
    for (const absent of ["vcs_repo", "vcs_provider_id", "module_version_id", "agent_pool_id", "terraform_version", "hooks", "provider_configuration", "run_operation_timeout"]) {
      expect(ws).not.toHaveProperty(absent);
    }
  });

  test("a VCS-driven OpenTofu workspace on a run pool, with hooks, timeout and trigger prefixes", () => {
    const stack = newStack();
    const env = new Environment(stack, "Prod", { name: "prod" });
    const pool = new AgentPool(stack, "Pool", { name: "aws-run" });
    const tag = new Tag(stack, "Team", { name: "team:net" });
    const ws = new Workspace(stack, "Net", {
      name: "network",
      environment: env,
      agentPool: pool,
      iacPlatform: "opentofu",
      version: "1.8.5",
      autoApply: true,
      runTimeoutMinutes: 45,
      workingDirectory: "stacks/network",
      vcs: { providerId: "vcs-gh123", repository: "acme/infra", branch: "main", triggerPrefixes: ["stacks/network", "modules/vpc"], submodules: true },
      hooks: { preInit: "./install-tools.sh", postApply: "./notify.sh" },
      tags: [tag],
      varFiles: ["prod.tfvars"],
    });
    expect(ws.environment).toBe(env);
    expect(ws.agentPool).toBe(pool);
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrWorkspace, {
      name: "network",
      iac_platform: "opentofu",
      terraform_version: "1.8.5",
      auto_apply: true,
      run_operation_timeout: 45,
      working_directory: "stacks/network",
      vcs_provider_id: "vcs-gh123",
      var_files: ["prod.tfvars"],
      vcs_repo: [{ identifier: "acme/infra", branch: "main", trigger_prefixes: ["stacks/network", "modules/vpc"], dry_runs_enabled: true, ingress_submodules: true }],
      hooks: [{ pre_init: "./install-tools.sh", pre_plan: "", post_plan: "", pre_apply: "", post_apply: "./notify.sh" }],
    });
    const json = JSON.parse(out);
    const w = workspaceJson(json);
    expect(w.agent_pool_id).toMatch(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/);
    expect(w.environment_id).toMatch(/^\$\{scalr_environment\.Prod_[0-9A-F]+\.id\}$/);
    expect(w.tag_ids).toEqual([expect.stringMatching(/^\$\{scalr_tag\.Team_[0-9A-F]+\.id\}$/)]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("trigger patterns become one gitignore-style string; a version constraint replaces the branch", () => {
    const stack = newStack();
    new Workspace(stack, "Ws", {
      name: "mod",
      environment: "env-abc123",
      vcs: { providerId: "vcs-gh123", repository: "acme/mod", versionConstraint: "~> 1.2", triggerPatterns: ["*.tf", "!docs/"], dryRuns: false },
    });
    const ws = workspaceJson(JSON.parse(Testing.synth(stack)));
    expect(ws.vcs_repo).toEqual([{ identifier: "acme/mod", version_constraint: "~> 1.2", trigger_patterns: "*.tf\n!docs/", dry_runs_enabled: false, ingress_submodules: false }]);
  });

  test("a module-driven workspace", () => {
    const stack = newStack();
    new Workspace(stack, "Ws", { name: "m", environment: "env-abc123", moduleVersionId: "modver-xyz789" });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ScalrWorkspace, { module_version_id: "modver-xyz789" });
  });

  test("provider configurations with aliases are linked and shared with the workspace's environment", () => {
    const stack = newStack();
    const env = new Environment(stack, "Prod", { name: "prod" });
    const main = k8s(stack, "Main", "k8s-main");
    const dr = k8s(stack, "Dr", "k8s-dr");
    new Workspace(stack, "Ws", { name: "apps", environment: env, providerConfigurations: [main, { configuration: dr, alias: "dr" }, "pcfg-ext123"] });
    const json = JSON.parse(Testing.synth(stack));
    const ws = workspaceJson(json);
    expect(ws.provider_configuration).toEqual([
      { id: expect.stringMatching(/scalr_provider_configuration\.Main_/), alias: "" },
      { id: expect.stringMatching(/scalr_provider_configuration\.Dr_/), alias: "dr" },
      { id: "pcfg-ext123", alias: "" },
    ]);
    for (const pc of Object.values<any>(json.resource.scalr_provider_configuration)) {
      expect(pc.environments).toEqual([expect.stringMatching(/^\$\{scalr_environment\.Prod_[0-9A-F]+\.id\}$/)]);
    }
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ScalrProviderConfiguration, { name: "k8s-dr" });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("variables become Variable constructs with ids from their keys", () => {
    const stack = newStack();
    const ws = new Workspace(stack, "Ws", { name: "w", environment: "env-abc123", variables: [{ key: "b" }, { key: "A", category: "shell" }] });
    expect([...ws.variables.keys()]).toEqual(["terraform:b", "shell:A"]);
    expect([...ws.variables.values()].map((v) => v.node.id)).toEqual(["Variable-terraform-b", "Variable-shell-A"]);
  });

  test.each<[string, Partial<WorkspaceProps> | Record<string, unknown>, string]>([
    ["the name is missing", { name: undefined }, "stack/Ws: `name` is required, got: nothing"],
    ["the environment is a name", { environment: "prod" }, 'stack/Ws: `environment` must be an environment construct or an ID such as "env-v0o1example", got: "prod"'],
    ["the platform is unknown", { iacPlatform: "pulumi" }, 'stack/Ws: `iacPlatform` must be one of "terraform", "opentofu", got: "pulumi"'],
    ["the version is a constraint", { version: "~> 1.9" }, 'stack/Ws: `version` must be an exact version such as "1.9.8", got: "~> 1.9"'],
    ["the timeout is zero", { runTimeoutMinutes: 0 }, "stack/Ws: `runTimeoutMinutes` must be a whole number from 1 to 10080, got: 0"],
    ["the working directory is absolute", { workingDirectory: "/etc" }, "stack/Ws: `workingDirectory` must be a directory relative to the repository, without '..', got: \"/etc\""],
    ["the repository is not org/repo", { vcs: { providerId: "vcs-a1", repository: "infra" } }, 'stack/Ws: `vcs.repository` must be a repository as "org/repo", got: "infra"'],
    ["the VCS provider is a name", { vcs: { providerId: "github", repository: "a/b" } }, 'stack/Ws: `vcs.providerId` must be a VCS provider ID such as "vcs-v0o1example", got: "github"'],
    [
      "a branch and a version constraint are both set",
      { vcs: { providerId: "vcs-a1", repository: "a/b", branch: "main", versionConstraint: "~> 1.0" } },
      'stack/Ws: `vcs.versionConstraint` cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint, got: "~> 1.0"',
    ],
    [
      "trigger prefixes and patterns are both set",
      { vcs: { providerId: "vcs-a1", repository: "a/b", triggerPrefixes: ["x"], triggerPatterns: ["*.tf"] } },
      "stack/Ws: `vcs.triggerPatterns` cannot be combined with `vcs.triggerPrefixes`: Scalr takes one or the other, got: an array of 1",
    ],
    ["a trigger prefix climbs out", { vcs: { providerId: "vcs-a1", repository: "a/b", triggerPrefixes: ["../x"] } }, "stack/Ws: `vcs.triggerPrefixes[0]` must be a path relative to the repository, without '..', got: \"../x\""],
    [
      "VCS and module sources are both set",
      { vcs: { providerId: "vcs-a1", repository: "a/b" }, moduleVersionId: "modver-a1" },
      'stack/Ws: `moduleVersionId` cannot be combined with `vcs`: a workspace is VCS-driven, module-driven or CLI-driven, got: "modver-a1"',
    ],
    ["a hook is empty", { hooks: { prePlan: "" } }, 'stack/Ws: `hooks.prePlan` must not be empty, got: ""'],
    ["a hook stage is unknown", { hooks: { postInit: "x" } }, 'stack/Ws: `hooks.postInit` is not a known field (did you mean `preInit`?), got: "x"'],
    ["the agent pool is a name", { agentPool: "gpu" }, 'stack/Ws: `agentPool` must be an AgentPool or an agent pool ID such as "apool-v0o1example", got: "gpu"'],
    ["a provider configuration is linked twice", { providerConfigurations: ["pcfg-a1", "pcfg-a1"] }, "stack/Ws: `providerConfigurations[1]` is listed twice, got: \"pcfg-a1\""],
    ["a var file is empty", { varFiles: ["prod.tfvars", ""] }, 'stack/Ws: `varFiles[1]` must not be empty, got: ""'],
    ["an alias is not an identifier", { providerConfigurations: [{ configuration: "pcfg-a1", alias: "d r" }] }, "stack/Ws: `providerConfigurations[0].alias` must be a provider alias (letters, digits, '_' or '-'), got: \"d r\""],
    ["a variable key repeats", { variables: [{ key: "a" }, { key: "a", value: "x" }] }, 'stack/Ws: `variables[1]` is listed twice, got: "a"'],
    ["a variable is HCL in shell", { variables: [{ key: "A", category: "shell", hcl: true }] }, "stack/Ws: `variables[0].hcl` applies only to terraform variables (shell and env variables are plain strings), got: true"],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new Workspace(newStack(), "Ws", { name: "w", environment: "env-abc123", ...props } as WorkspaceProps))).toBe(expected);
  });

  test("different provider kinds may share an alias; configurations given as IDs are not checked (kind unknown)", () => {
    const stack = newStack();
    const kube = k8s(stack, "Kube", "k8s");
    const aws = new ProviderConfiguration(stack, "Aws", { name: "aws", environments: "all", aws: { auth: "oidc", existingRoleArn: "arn:aws:iam::123456789012:role/scalr" } });
    new Workspace(stack, "Ws", {
      name: "w",
      environment: "env-abc123",
      providerConfigurations: [kube, aws, { configuration: kube, alias: "east" }, { configuration: aws, alias: "east" }, { configuration: "pcfg-a1", alias: "east" }],
    });
    expect(workspaceJson(JSON.parse(Testing.synth(stack))).provider_configuration.map((l: any) => l.alias)).toEqual(["", "", "east", "east", "east"]);
  });

  test("fails when two configurations of one kind share an alias", () => {
    const stack = newStack();
    const a = k8s(stack, "A", "k8s-a");
    const b = k8s(stack, "B", "k8s-b");
    const aws = new ProviderConfiguration(stack, "Aws", { name: "aws", environments: "all", aws: { auth: "oidc", existingRoleArn: "arn:aws:iam::123456789012:role/scalr" } });
    expect(
      messageOf(() => new Workspace(stack, "Ws", { name: "w", environment: "env-abc123", providerConfigurations: [{ configuration: a, alias: "east" }, { configuration: aws, alias: "east" }, { configuration: b, alias: "east" }] })),
    ).toBe('stack/Ws: `providerConfigurations[2].alias` is already the alias of the kubernetes configuration providerConfigurations[0]: aliases must be unique per provider kind, got: "east"');
  });

  test("fails when two configurations of one kind are both the default (unaliased) provider", () => {
    const stack = newStack();
    const a = k8s(stack, "A", "k8s-a");
    const b = k8s(stack, "B", "k8s-b");
    expect(messageOf(() => new Workspace(stack, "Ws", { name: "w", environment: "env-abc123", providerConfigurations: [a, b] }))).toBe(
      "stack/Ws: `providerConfigurations[1].alias` is required: providerConfigurations[0] is already the default (unaliased) kubernetes configuration, and aliases must be unique per provider kind, got: nothing",
    );
  });

  test("fails when the agent pool is a VCS pool", () => {
    const stack = newStack();
    const vcs = new AgentPool(stack, "Vcs", { name: "ghe", kind: "vcs" });
    expect(messageOf(() => new Workspace(stack, "Ws", { name: "w", environment: "env-abc123", agentPool: vcs }))).toBe(
      'stack/Ws: `agentPool` must be a run pool: stack/Vcs is a VCS pool, got: "ghe"',
    );
  });

  test("fails when a provider configuration in another stack would be shared automatically", () => {
    const app = Testing.app();
    const shared = new TerraformStack(app, "shared");
    const team = new TerraformStack(app, "team");
    const pc = k8s(shared, "K8s", "k8s");
    const env = new Environment(team, "Prod", { name: "prod" });
    expect(messageOf(() => new Workspace(team, "Ws", { name: "w", environment: env, providerConfigurations: [pc] }))).toBe(
      'team/Ws: `providerConfigurations[0]` cannot share shared/K8s with team/Prod automatically: they are in different stacks (the references would run both ways); share the configuration with "all" or list the environment\'s ID in its `environments`, got: "k8s"',
    );
  });
});
