/**
 * The vending machine on a first real deployment (issue 12): variable categories, repository
 * identifiers, names unique in the account, control characters, literal text, OpenTofu hooks, the
 * token handoff to the stacks that run a pool's agents, and the ready stack's outputs.
 */
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, Lazy, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { KitChecks } from "../../constructs/checks/kit-checks";
import { KIT_SEC_1 } from "../../constructs/checks/rules/secrets/no-secret-in-plain-configuration";
import { KIT_SEC_2 } from "../../constructs/checks/rules/secrets/no-secret-in-plain-output";
import { SynthesizedStack } from "../../constructs/checks/synthesized-stack";
import { readSpecText } from "../../vending-machine/spec-source";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import type { VendingMachineSpec } from "../../vending-machine/spec-types";
import { validateVendingMachineSpec } from "../../vending-machine/validate";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";
import { warningsOf } from "../support/annotations";

function problems(text: string): string[] {
  try {
    validateVendingMachineSpec(readSpecText(text, "spec.yaml"));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SpecValidationError);
    return (e as Error).message.split("\n");
  }
}

function build(text: string, app: App = Testing.app()): VendingMachineStack {
  return new VendingMachineStack(app, "vending-machine", { spec: readSpecText(text, "spec.yaml") });
}

function json(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe("variable categories in a spec", () => {
  test("env renders as shell, with one warning at the spec path and line", () => {
    const stack = build(
      "variables:\n  - key: LOG_LEVEL\n    value: info\n    category: env\nenvironments:\n  - name: dev\n    variables:\n      - { key: A, category: env }\n    workspaces:\n      - name: app\n        variables:\n          - { key: B, category: env }\n          - { key: C, category: shell }\n",
    );
    expect(Object.values<any>(json(stack).resource.scalr_variable).map((v) => v.category)).toEqual(["shell", "shell", "shell", "shell"]);
    expect(warningsOf(stack)).toEqual([
      expect.stringMatching(/^spec\.yaml:4: variables\[0\]\.category: "env" is deprecated: /),
      expect.stringMatching(/^spec\.yaml:8: environments\[0\]\.variables\[0\]\.category: "env" is deprecated: /),
      expect.stringMatching(/^spec\.yaml:12: environments\[0\]\.workspaces\[0\]\.variables\[0\]\.category: "env" is deprecated: /),
    ]);
  });

  test("a final shell variable and an env variable of one key: rejected, naming both paths", () => {
    expect(problems("variables:\n  - { key: LOG_LEVEL, category: shell, final: true }\nenvironments:\n  - name: dev\n    variables:\n      - { key: LOG_LEVEL, category: env }\n")).toEqual([
      'spec.yaml:6: environments[0].variables[0].key: redefines "LOG_LEVEL" (env), which is final at account scope in variables[0]: a final variable cannot be redefined below it',
    ]);
  });
});

describe("input Scalr or Terraform would not take", () => {
  test("a repository URL", () => {
    expect(problems("vcsProviders: [{ name: gh, id: vcs-abc123 }]\nenvironments:\n  - name: dev\n    workspaces:\n      - name: net\n        vcs: { provider: gh, repository: \"https://github.com/acme/infra\" }\n")).toEqual([
      expect.stringMatching(/^spec\.yaml:6: environments\[0\]\.workspaces\[0\]\.vcs\.repository: must be the repository as "org\/repo" .*not a URL/),
    ]);
  });

  test("two pools or two environments of one name: both spec paths", () => {
    expect(problems("agentPools:\n  - name: run\n  - name: run\nenvironments:\n  - name: dev\n  - name: dev\n")).toEqual([
      'spec.yaml:3: agentPools[1].name: agent pool "run" is already defined at agentPools[0]',
      'spec.yaml:6: environments[1].name: environment "dev" is already defined at environments[0]',
    ]);
  });

  test("a pool of the spec named like a pool of another stack of the app", () => {
    const app = Testing.app();
    build("agentPools:\n  - name: run\n", app);
    expect(() => new VendingMachineStack(app, "other", { spec: readSpecText("agentPools:\n  - name: run\n", "other.yaml") })).toThrow(
      /other\.yaml:2: agentPools\[0\]\.name: is already the name of the agent pool vending-machine\/VendingMachine\/Pool-run/,
    );
  });

  test("control characters in names, branches and paths", () => {
    const spec = [
      "vcsProviders: [{ name: gh, id: vcs-abc123 }]",
      'tags: ["team\\u202Ex"]',
      "environments:",
      '  - name: "dev\\u0000"',
      "    workspaces:",
      '      - name: "net\\nx"',
      '        vcs: { provider: gh, repository: acme/infra, branch: "main\\u2066" }',
      '        workingDirectory: "a\\tb"',
    ].join("\n");
    const lines = problems(spec);
    for (const path of ["tags[0]", "environments[0].name", "environments[0].workspaces[0].name", "environments[0].workspaces[0].vcs.branch", "environments[0].workspaces[0].workingDirectory"]) {
      expect(lines).toContainEqual(expect.stringContaining(`${path}: must not contain control characters`));
    }
  });

  test("a value with ${…} is valid, stays literal, and synthesizes escaped", () => {
    const text = "variables:\n  - key: x\n    value: \"${var.scalr_token}\"\n    description: \"%{ if true }y%{ endif }\"\n";
    expect(problems(text)).toEqual([]);
    const v = Object.values<any>(json(build(text)).resource.scalr_variable)[0];
    expect(v.value).toBe("$${var.scalr_token}");
    expect(v.description).toBe("%%{ if true }y%%{ endif }");
  });

  test("cdktf's token marker in a spec is rejected (cdktf would resolve it to a value of the stack)", () => {
    expect(problems('variables:\n  - key: x\n    value: "${TfToken[TOKEN.1]}"\n')).toEqual([expect.stringMatching(/^spec\.yaml:3: variables\[0\]\.value: must be literal text: it holds cdktf's token marker/)]);
  });

  test("so are references given as plain spec data, wherever they are: a string, a number, an object", () => {
    const stack = new TerraformStack(Testing.app(), "refs");
    const text = new TerraformVariable(stack, "text", { type: "string" }).stringValue;
    const count = new TerraformVariable(stack, "count", { type: "number" }).numberValue;
    const tokenProblems = (spec: unknown): string[] => {
      try {
        validateVendingMachineSpec(spec as VendingMachineSpec);
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(SpecValidationError);
        return (e as Error).message.split("\n").filter((l) => /token marker|holds no Terraform references/.test(l));
      }
    };
    expect(tokenProblems({ variables: [{ key: "x", value: text }] })).toEqual([expect.stringMatching(/^variables\[0\]\.value: must be literal text: it holds cdktf's token marker/)]);
    expect(tokenProblems({ stacks: { split: "shards", shards: count }, environments: [] })).toEqual([expect.stringMatching(/^stacks\.shards: must be literal data: a spec holds no Terraform references/)]);
    expect(() => validateVendingMachineSpec({ stacks: { split: "shards", shards: 0.5 }, environments: [] } as VendingMachineSpec)).toThrow(/^(?![\s\S]*stacks\.shards: must be a whole number[\s\S]*stacks\.shards: must be a whole number)/);
    expect(tokenProblems({ variables: [{ key: "x", value: Lazy.anyValue({ produce: () => "v" }) }] })).toEqual([expect.stringMatching(/^variables\[0\]\.value: must be literal data: a spec holds no Terraform references/)]);
    expect(tokenProblems({ environments: [{ name: "dev", workspaces: [{ name: "app", varFiles: ["a.tfvars", text] }] }] })).toEqual([
      expect.stringMatching(/^environments\[0\]\.workspaces\[0\]\.varFiles\[1\]: must be literal text: it holds cdktf's token marker/),
    ]);
    // An object cdktf resolves: anything with a `resolve` method, and a map whose key is a map token.
    expect(tokenProblems({ variables: [{ key: "k", value: { resolve: () => "injected" } }] })).toEqual([expect.stringMatching(/^variables\[0\]\.value: must be literal data: a spec holds no Terraform references/)]);
    // The marker in any form, or none, is refused in text.
    for (const marked of ["&{TfToken[TOKEN.1]}", "x#{TfToken[TOKEN.1]}", "%{TfToken[TOKEN.1]}", "TfToken[TOKEN.1]", "${TfToken[]}"]) {
      expect(tokenProblems({ variables: [{ key: "k", value: marked }] })).toEqual([expect.stringMatching(/^variables\[0\]\.value: must be literal text: it holds cdktf's token marker/)]);
    }
  });

  test("a map token's key in a map of the spec is refused, from YAML too (cdktf would resolve the whole map)", () => {
    const spec = 'providerConfigurations:\n  - name: a\n    aws: { auth: oidc, scalrAccountName: acme, roleName: r, defaultTags: { "&{TfToken[TOKEN.1]}": v } }\n';
    expect(problems(spec)).toEqual([expect.stringMatching(/^spec\.yaml:3: providerConfigurations\[0\]\.aws\.defaultTags: must be literal data: a spec holds no Terraform references/)]);
  });

  test("a spec is plain data: an object of a class is refused, wherever it is (its fields could be inherited or computed)", () => {
    class Entry {
      public readonly key = "k";
      public get value(): string {
        return "v";
      }
    }
    const refused = (spec: unknown) => {
      try {
        validateVendingMachineSpec(spec as VendingMachineSpec);
        return [];
      } catch (e) {
        return (e as Error).message.split("\n").filter((l) => /plain data/.test(l));
      }
    };
    expect(refused({ variables: [new Entry()] })).toEqual(["variables[0]: must be plain data (an object literal, or parsed YAML or JSON), got: an instance of Entry"]);
    const link = Object.assign(Object.create({ alias: "inherited" }) as object, { configuration: "aws" });
    expect(
      refused({
        providerConfigurations: [{ name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } }],
        environments: [{ name: "dev", workspaces: [{ name: "app", providerConfigurations: [link] }] }],
      }),
    ).toEqual(["environments[0].workspaces[0].providerConfigurations[0]: must be plain data (an object literal, or parsed YAML or JSON), got: an object whose prototype is not Object.prototype"]);
  });
});

describe("OpenTofu workspaces whose hooks call terraform", () => {
  test("a warning at the spec path and line, once", () => {
    const stack = build("environments:\n  - name: dev\n    workspaces:\n      - name: app\n        iacPlatform: opentofu\n        hooks:\n          prePlan: terraform fmt -check\n");
    expect(warningsOf(stack)).toEqual([
      expect.stringMatching(/^spec\.yaml:7: environments\[0\]\.workspaces\[0\]\.hooks\.prePlan: calls `terraform`, but the workspace runs OpenTofu .*unverified/),
    ]);
  });
});

describe("VendingMachineStack: outputs and the token handoff", () => {
  const SPEC = "agentPools:\n  - name: aws-run\nenvironments:\n  - name: dev\n    defaultAgentPool: aws-run\n";

  test("outputs the pool and environment IDs by name, plain, and no token", () => {
    const out = json(build(SPEC)).output;
    expect(out.agent_pool_ids.value).toEqual({ "aws-run": expect.stringMatching(/^\$\{scalr_agent_pool\.[^.]+\.id\}$/) });
    expect(out.environment_ids.value).toEqual({ dev: expect.stringMatching(/^\$\{scalr_environment\.[^.]+\.id\}$/) });
    expect(out.agent_pool_ids.sensitive).toBeUndefined();
    expect(JSON.stringify(out)).not.toMatch(/scalr_agent_pool_token/);
  });

  test("another stack of the app takes the token through a sensitive cross-stack output only; KitChecks pass on both", () => {
    const app = Testing.app();
    const vm = build(SPEC, app);
    const agents = new TerraformStack(app, "agents");
    new AwsProvider(agents, "aws", {});
    KitChecks.of(agents);
    new SecretsmanagerSecretVersion(agents, "Token", { secretId: "scalr-agent-token", secretString: vm.tokenSource("aws-run").value! });
    // KitChecks run on both stacks as the app synthesizes (they throw on a violation).
    app.synth();
    const read = (name: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8"));
    const producer = read("vending-machine").output;
    const handoff = Object.entries<any>(producer).filter(([name]) => name.startsWith("cross-stack-output-"));
    expect(handoff).toHaveLength(1);
    expect(handoff[0]![1]).toMatchObject({ sensitive: true, value: expect.stringMatching(/^\$\{scalr_agent_pool_token\.[^.]+\.token\}$/) });
    for (const [name, o] of Object.entries<any>(producer)) if (String(o.value).includes("scalr_agent_pool_token")) expect([name, o.sensitive]).toEqual([name, true]);
    expect(read("agents").resource.aws_secretsmanager_secret_version.Token.secret_string).toMatch(/terraform_remote_state\..*\.outputs\.cross-stack-output-scalr_agent_pool_token/);
  });

  test("KitChecks know the handed-over token: a plain output or an ECS environment of it is reported", () => {
    const app = Testing.app();
    const vm = build(SPEC, app);
    const agents = new TerraformStack(app, "agents");
    new TerraformOutput(agents, "leak", { value: vm.tokenSource("aws-run").value });
    app.synth();
    const view = SynthesizedStack.of(agents);
    expect(KIT_SEC_2.check(view).map((f) => f.message)).toEqual([expect.stringMatching(/^output "leak" shows the secret scalr_agent_pool_token\.token of another stack/)]);
    expect(KIT_SEC_1.check(view)).toEqual([]);
  });

  test("an unknown pool name gives the kit's error listing the pools", () => {
    expect(() => build(SPEC).tokenSource("gpu")).toThrow('vending-machine: `agentPool` names no agent pool of the spec; pools are: aws-run, got: "gpu"');
  });
});
