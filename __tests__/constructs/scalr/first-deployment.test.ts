/**
 * What Scalr and Terraform do with the Scalr constructs' input on a first real deployment (issue
 * 12): variable categories, repository identifiers, names unique in the account, control
 * characters, literal text that Terraform would evaluate, and OpenTofu hooks that call `terraform`.
 */
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment } from "../../../constructs/scalr/environment";
import { PolicyGroup } from "../../../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../../../constructs/scalr/provider-configuration";
import { Tag } from "../../../constructs/scalr/tag";
import { Variable } from "../../../constructs/scalr/variable";
import { Workspace } from "../../../constructs/scalr/workspace";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { warningsOf } from "../../support/annotations";

function newStack(app: App = Testing.app(), id = "stack"): TerraformStack {
  const stack = new TerraformStack(app, id);
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function resources(stack: TerraformStack, type: string): any[] {
  return Object.values<any>(JSON.parse(Testing.synth(stack)).resource[type] ?? {});
}

describe("variable categories: terraform and shell; env is the deprecated spelling of shell", () => {
  test("env renders as shell, with a warning naming the construct path and the field", () => {
    const stack = newStack();
    new Variable(stack, "Log", { key: "LOG_LEVEL", value: "info", category: "env" });
    new Variable(stack, "Shell", { key: "TF_LOG", value: "warn", category: "shell" });
    expect(resources(stack, "scalr_variable").map((v) => v.category)).toEqual(["shell", "shell"]);
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stack\/Log: `category` "env" is deprecated: .*"shell"/);
  });

  test("environment and workspace entries: env renders as shell and warns once per entry; ids keep the spelling", () => {
    const stack = newStack();
    const env = new Environment(stack, "Prod", { name: "prod", variables: [{ key: "A", category: "env" }] });
    const ws = new Workspace(stack, "Net", { name: "net", environment: "env-abc123", variables: [{ key: "B", category: "env" }] });
    expect(env.node.tryFindChild("Variable-env-A")).toBeDefined();
    expect(ws.node.tryFindChild("Variable-env-B")).toBeDefined();
    expect(resources(stack, "scalr_variable").map((v) => v.category)).toEqual(["shell", "shell"]);
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^stack\/Prod\/Variable-env-A: `category` "env"/), expect.stringMatching(/^stack\/Net\/Variable-env-B: `category` "env"/)]);
  });

  test("a final shell variable and an env variable of the same key: the lower one is rejected (one key space)", () => {
    const stack = newStack();
    const env = new Environment(stack, "Prod", { name: "prod" });
    new Variable(stack, "Account", { key: "LOG_LEVEL", value: "info", category: "shell", final: true });
    expect(messageOf(() => new Variable(stack, "Lower", { key: "LOG_LEVEL", value: "debug", category: "env", environment: env }))).toMatch(
      /^stack\/Lower: `key` redefines "LOG_LEVEL" \(shell\), which is final at account scope in stack\/Account/,
    );
  });

  test("a final env variable above a shell redefinition is rejected too", () => {
    const stack = newStack();
    new Variable(stack, "Below", { key: "X", category: "shell", workspace: "ws-abc123" });
    expect(messageOf(() => new Variable(stack, "Above", { key: "X", category: "env", final: true }))).toMatch(/^stack\/Above: `final` cannot be true: "X" \(env\) is redefined below it in stack\/Below/);
  });

  test("env and shell of one key twice at one scope are a duplicate", () => {
    expect(messageOf(() => new Workspace(newStack(), "Ws", { name: "ws", environment: "env-abc123", variables: [{ key: "A", category: "shell" }, { key: "A", category: "env" }] }))).toBe(
      'stack/Ws: `variables[1]` is listed twice, got: "A"',
    );
  });
});

describe("repository identifiers are org/repo, not URLs", () => {
  test.each(["https://github.com/acme/infra", "git@github.com:acme/infra.git", "acme/infra.git", "github.com:443/acme/infra", "/acme/infra", "acme//infra"])("%s is rejected", (repository) => {
    const message = messageOf(() => new Workspace(newStack(), "Ws", { name: "ws", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository } }));
    expect(message).toMatch(/^stack\/Ws: `vcs.repository` must be (the repository|a repository) as "org\/repo"/);
  });

  test("a URL gets advice to use the identifier", () => {
    expect(messageOf(() => new PolicyGroup(newStack(), "G", { name: "g", vcsProviderId: "vcs-abc123", repository: { identifier: "https://github.com/acme/opa" } }))).toBe(
      'stack/G: `repository.identifier` must be the repository as "org/repo" (the VCS provider\'s identifier), not a URL or clone address: e.g. "acme/infra" for https://github.com/acme/infra, got: "https://github.com/acme/opa"',
    );
  });

  test.each(["acme/infra", "acme-corp/infra.live", "group/subgroup/repo"])("%s is accepted", (repository) => {
    expect(() => new Workspace(newStack(), "Ws", { name: "ws", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository } })).not.toThrow();
  });
});

describe("names Scalr keeps unique in an account, across the stacks of one app", () => {
  test("two agent pools of one name in two stacks: the second is rejected, naming the first", () => {
    const app = Testing.app();
    new AgentPool(newStack(app, "a"), "Pool", { name: "aws-run" });
    expect(messageOf(() => new AgentPool(newStack(app, "b"), "Pool", { name: "aws-run" }))).toBe(
      'b/Pool: `name` is already the name of the agent pool a/Pool: Scalr agent pool names are unique in an account, so rename one of them, got: "aws-run"',
    );
  });

  test("two environments of one name: a warning naming both (unverified rule)", () => {
    const app = Testing.app();
    new Environment(newStack(app, "a"), "Prod", { name: "prod" });
    const b = newStack(app, "b");
    new Environment(b, "Prod", { name: "prod" });
    expect(warningsOf(b)).toEqual([expect.stringMatching(/^b\/Prod: `name` "prod" is already the name of the environment a\/Prod; .*unverified: https:\/\/docs\.scalr\.io/)]);
  });

  test("different names, or one name in two apps, pass", () => {
    const app = Testing.app();
    new AgentPool(newStack(app, "a"), "Pool", { name: "aws-run" });
    expect(() => new AgentPool(newStack(app, "b"), "Pool", { name: "aws-vcs", kind: "vcs" })).not.toThrow();
    expect(() => new AgentPool(newStack(Testing.app(), "a"), "Pool", { name: "aws-run" })).not.toThrow();
  });
});

describe("control characters and bidirectional overrides", () => {
  const bad = [
    ["NUL", "prod\u0000"],
    ["a line break", "prod\nx"],
    ["a C1 control", "pro\u0085d"],
    ["a bidi override", "prod\u202Eevil"],
    ["a bidi isolate", "\u2066prod"],
  ] as const;

  test.each(bad)("%s in an environment name is rejected, naming the character", (_what, name) => {
    expect(messageOf(() => new Environment(newStack(), "Env", { name }))).toMatch(/^stack\/Env: `name` must not contain control characters .* \(found U\+[0-9A-F]{4} at position \d+\): remove them, got: /);
  });

  test.each([
    ["a tag name", () => new Tag(newStack(), "T", { name: "team\u202Ex" }), "name"],
    ["a pool name", () => new AgentPool(newStack(), "P", { name: "run\u0000" }), "name"],
    ["a branch", () => new Workspace(newStack(), "W", { name: "w", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository: "a/b", branch: "main\n" } }), "vcs.branch"],
    ["a working directory", () => new Workspace(newStack(), "W", { name: "w", environment: "env-abc123", workingDirectory: "net\u2067work" }), "workingDirectory"],
    ["a trigger pattern", () => new Workspace(newStack(), "W", { name: "w", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository: "a/b", triggerPatterns: ["a/**\n!b"] } }), "vcs.triggerPatterns[0]"],
    ["a policy path", () => new PolicyGroup(newStack(), "G", { name: "g", vcsProviderId: "vcs-abc123", repository: { identifier: "a/b", path: "pol\u0007icies" } }), "repository.path"],
    ["a provider configuration name", () => new ProviderConfiguration(newStack(), "C", { name: "k8s\t", kubernetes: { host: "https://k8s.example.com" } }), "name"],
  ] as const)("%s is rejected", (_what, make, field) => {
    expect(messageOf(make)).toContain(`\`${field}\` must not contain control characters`);
  });

  test("hooks may span lines", () => {
    expect(() => new Workspace(newStack(), "W", { name: "w", environment: "env-abc123", hooks: { prePlan: "set -e\ntflint" } })).not.toThrow();
  });
});

describe("literal text stays literal (Terraform template sequences are escaped)", () => {
  test("a variable value, a description and a key with ${…} or %{…} are written escaped", () => {
    const stack = newStack();
    new Variable(stack, "V", { key: "x", value: "${var.scalr_token}", description: "%{ if true }leak%{ endif }" });
    const [v] = resources(stack, "scalr_variable");
    expect(v.value).toBe("$${var.scalr_token}");
    expect(v.description).toBe("%%{ if true }leak%%{ endif }");
  });

  test("a shell hook's ${VAR} reaches Scalr as written, and names too", () => {
    const stack = newStack();
    new Workspace(stack, "W", { name: "app-${x}", environment: "env-abc123", hooks: { preInit: 'echo "${TF_VAR_region}"', postApply: "./notify.sh %{x}" } });
    new Environment(stack, "E", { name: "env-${x}" });
    new AgentPool(stack, "P", { name: "pool-${x}" });
    new Tag(stack, "T", { name: "tag-${x}" });
    const [ws] = resources(stack, "scalr_workspace");
    expect(ws.name).toBe("app-$${x}");
    expect(ws.hooks[0].pre_init).toBe('echo "$${TF_VAR_region}"');
    expect(ws.hooks[0].post_apply).toBe("./notify.sh %%{x}");
    expect(resources(stack, "scalr_environment")[0].name).toBe("env-$${x}");
    expect(resources(stack, "scalr_agent_pool")[0].name).toBe("pool-$${x}");
    expect(resources(stack, "scalr_tag")[0].name).toBe("tag-$${x}");
  });

  test("every text field of a Workspace that may hold ${…} or %{…} is written escaped", () => {
    const stack = newStack();
    const t = (field: string) => `${field}-\${x}-%{y}`;
    new Workspace(stack, "W", {
      name: t("name"),
      environment: "env-abc123",
      workingDirectory: t("dir"),
      vcs: { providerId: "vcs-abc123", repository: "acme/infra", branch: t("branch"), triggerPatterns: [t("pattern")] },
      hooks: { preInit: t("preInit"), prePlan: t("prePlan"), postPlan: t("postPlan"), preApply: t("preApply"), postApply: t("postApply") },
      varFiles: [t("varFile")],
      providerConfigurations: [{ configuration: "pcfg-abc123", alias: "east" }],
    });
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "string") strings.push(v);
      else if (typeof v === "object" && v !== null) Object.entries(v).forEach(([k, x]) => k !== "//" && walk(x));
    };
    walk(resources(stack, "scalr_workspace")[0]);
    const written = strings.filter((s) => s.includes("{x}"));
    expect(written.sort()).toEqual(
      ["name", "dir", "branch", "pattern", "preInit", "prePlan", "postPlan", "preApply", "postApply", "varFile"].map((f) => `${f}-$\${x}-%%{y}`).sort(),
    );
  });

  test("an ID a construct gives as text is escaped too (a subclass's pinned pool ID)", () => {
    const stack = newStack();
    class PinnedPool extends AgentPool {
      public override get poolId(): string {
        return "apool-${var.scalr_token}";
      }
    }
    new Workspace(stack, "W", { name: "w", environment: "env-abc123", agentPool: new PinnedPool(stack, "P", { name: "p" }) });
    expect(resources(stack, "scalr_workspace")[0].agent_pool_id).toBe("apool-$${var.scalr_token}");
  });

  test("references stay references", () => {
    const stack = newStack();
    const v = new TerraformVariable(stack, "region", { type: "string" });
    new Variable(stack, "V", { key: "x", value: `prefix-${v.stringValue}-\${literal}` });
    expect(resources(stack, "scalr_variable")[0].value).toBe("prefix-${var.region}-$${literal}");
  });
});

describe("OpenTofu workspaces whose hooks call terraform", () => {
  test.each(["terraform fmt -check", "set -e; terraform validate", "cd x && terraform init -backend=false", "$(terraform version)"])("%s warns (unverified)", (hook) => {
    const stack = newStack();
    new Workspace(stack, "W", { name: "w", environment: "env-abc123", iacPlatform: "opentofu", hooks: { prePlan: hook } });
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^stack\/W: `hooks.prePlan` calls `terraform`, but the workspace runs OpenTofu .*unverified: https:\/\/docs\.scalr\.io\/docs\/hooks-1.*call `tofu` instead$/)]);
  });

  test.each([
    ["a Terraform workspace", "terraform", "terraform fmt -check"],
    ["tofu", "opentofu", "tofu fmt -check"],
    ["terraform-docs and .tfvars", "opentofu", "terraform-docs md . && cat prod.terraform.tfvars"],
  ] as const)("%s: no warning", (_what, iacPlatform, hook) => {
    const stack = newStack();
    new Workspace(stack, "W", { name: "w", environment: "env-abc123", iacPlatform, hooks: { prePlan: hook } });
    expect(warningsOf(stack)).toEqual([]);
  });
});
