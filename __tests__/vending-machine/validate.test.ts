import { readSpecText } from "../../vending-machine/spec-source";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import { validateSpec, validateVendingMachineSpec } from "../../vending-machine/validate";
import { MANY_MISTAKES, MANY_MISTAKES_PROBLEMS } from "./cases";

/** Validates spec text named spec.yaml; returns its problems, one line each (none: valid). */
function problems(text: string): string[] {
  try {
    validateVendingMachineSpec(readSpecText(text, "spec.yaml"));
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(SpecValidationError);
    return (e as Error).message.split("\n");
  }
}

describe("validating a spec", () => {
  test("an invalid AWS field leaves the AWS rules across fields running on the others", () => {
    const spec = [
      "version: 1",
      "providerConfigurations:",
      "  - name: aws-a",
      "    aws: {auth: role-delegation, managedPolicyArns: [x]}",
      "environments: [{name: dev}]",
      "",
    ].join("\n");
    expect(problems(spec)).toEqual([
      'spec.yaml:4: providerConfigurations[0].aws.managedPolicyArns[0]: must be a managed policy ARN, got: "x"',
      'spec.yaml:4: providerConfigurations[0].aws.externalId: is required for auth "role-delegation", got: nothing',
    ]);
  });

  test("lists every problem of every kind in one run, each at its line", () => {
    expect(problems(MANY_MISTAKES)).toEqual(MANY_MISTAKES_PROBLEMS);
    try {
      validateVendingMachineSpec(readSpecText(MANY_MISTAKES, "spec.yaml"));
    } catch (e) {
      const issues = (e as SpecValidationError).specIssues;
      expect(issues).toHaveLength(MANY_MISTAKES_PROBLEMS.length);
      expect(issues.every((i) => i.line !== undefined)).toBe(true);
    }
  });

  test("plain data gets the same problems, without lines (in the order found)", () => {
    const { data } = readSpecText(MANY_MISTAKES);
    expect(() => validateSpec(data)).toThrow(SpecValidationError);
    try {
      validateSpec(data);
    } catch (e) {
      expect((e as SpecValidationError).specIssues.every((i) => i.line === undefined)).toBe(true);
      expect((e as Error).message.split("\n").sort()).toEqual(MANY_MISTAKES_PROBLEMS.map((p) => p.replace(/^spec\.yaml:\d+: /, "")).sort());
    }
  });

  test("a reference is not reported unknown when an entry's name is invalid: it may be that one", () => {
    const text = ["agentPools:", "  - name: ' gpu'", "environments:", "  - name: prod", "    defaultAgentPool: gpu"].join("\n");
    expect(problems(text)).toEqual(['spec.yaml:2: agentPools[0].name: must not start or end with whitespace, got: " gpu"']);
  });

  test("a pool of an invalid kind is still known by name, its kind not judged", () => {
    const text = ["agentPools:", "  - name: gpu", "    kind: gpu", "environments:", "  - name: prod", "    defaultAgentPool: gpu"].join("\n");
    expect(problems(text)).toEqual(['spec.yaml:3: agentPools[0].kind: must be one of "run", "vcs", got: "gpu"']);
  });

  test("a rule across fields is skipped when a field it reads is invalid", () => {
    expect(problems("stacks:\n  split: shards\n  shards: 0\n")).toEqual(["spec.yaml:3: stacks.shards: must be a whole number from 1 to 1000, got: 0"]);
    expect(problems("providerConfigurations:\n  - name: a\n    aws: oidc\n")).toEqual(['spec.yaml:3: providerConfigurations[0].aws: must be an object, got: "oidc"']);
    expect(problems("variables:\n  - key: pw\n    sensitive: 'yes'\n    valueFromTerraformVariable: pw\n")).toEqual(['spec.yaml:3: variables[0].sensitive: must be a boolean, got: "yes"']);
    expect(problems("variables:\n  - key: my-key\n    category: secret\n")).toEqual(['spec.yaml:3: variables[0].category: must be one of "terraform", "shell", "env", got: "secret"']);
    // An OIDC role with an invalid account name is not also missing one.
    expect(problems("providerConfigurations:\n  - name: a\n    aws: { auth: oidc, scalrAccountName: 'acme corp' }\n")).toEqual([
      "spec.yaml:3: providerConfigurations[0].aws.scalrAccountName: must be a Scalr account name (letters, digits, '_' or '-'), got: \"acme corp\"",
    ]);
  });

  test("a stack's size is not judged while a workspace's stack cannot be told", () => {
    const text = ["stacks: { split: environment, maxWorkspacesPerStack: 1 }", "environments:", "  - name: ' prod'", "    workspaces: [{ name: a }, { name: b }]"].join("\n");
    expect(problems(text)).toEqual(['spec.yaml:3: environments[0].name: must not start or end with whitespace, got: " prod"']);
  });

  test("the constructs' rules across fields run beside the other problems, once each", () => {
    const text = [
      "vcsProviders: [{ name: gh, id: vcs-abc }]",
      "providerConfigurations:",
      "  - { name: a, environments: all, aws: { auth: oidc, existingRoleArn: 'arn:aws:iam::123456789012:role/a' } }",
      "  - { name: b, environments: all, aws: { auth: oidc, existingRoleArn: 'arn:aws:iam::123456789012:role/b' } }",
      "environments:",
      "  - name: prod",
      "    defaultAgentPool: none",
      "    variables: [{ key: A-B, category: env, hcl: true }]",
      "    workspaces:",
      "      - name: w",
      "        vcs: { provider: gh, repository: acme/x, triggerPrefixes: [a], triggerPatterns: ['b/**'] }",
      "        moduleVersionId: modver-abc",
      "        providerConfigurations: [{ configuration: a, alias: east }, { configuration: b, alias: east }]",
    ].join("\n");
    expect(problems(text)).toEqual([
      'spec.yaml:7: environments[0].defaultAgentPool: no pool named "none"; pools are: (none)',
      "spec.yaml:8: environments[0].variables[0].key: must be a shell variable name (letters, digits or '_', not starting with a digit), got: \"A-B\"",
      "spec.yaml:8: environments[0].variables[0].hcl: applies only to terraform variables (shell and env variables are plain strings), got: true",
      "spec.yaml:11: environments[0].workspaces[0].vcs.triggerPatterns: cannot be combined with `vcs.triggerPrefixes`: Scalr takes one or the other, got: an array of 1",
      "spec.yaml:12: environments[0].workspaces[0].moduleVersionId: cannot be combined with `vcs`: a workspace is VCS-driven, module-driven or CLI-driven, got: \"modver-abc\"",
      'spec.yaml:13: environments[0].workspaces[0].providerConfigurations[1].alias: is already the alias of the aws configuration providerConfigurations[0]: aliases must be unique per provider kind, got: "east"',
    ]);
  });
});
