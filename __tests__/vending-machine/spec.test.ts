import { TerraformStack, Testing } from "cdktf";
import { KitValidationError } from "../../core/validation";
import { shardOf } from "../../vending-machine/sharding";
import { readSpecText } from "../../vending-machine/spec-source";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import { parseSpecText, validateSpec } from "../../vending-machine/validate";
import { VendingMachine } from "../../vending-machine/vending-machine";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";
import { INVALID_SPECS } from "./cases";

/** Builds a VendingMachine from spec text named spec.yaml; returns the error message. */
function problems(text: string): string {
  try {
    const stack = new TerraformStack(Testing.app(), "stack");
    new ScalrProvider(stack, "scalr", {});
    new VendingMachine(stack, "VendingMachine", { spec: readSpecText(text, "spec.yaml") });
  } catch (e) {
    // A spec error is always this one type, never a raw exception with a stack trace.
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e).toBeInstanceOf(KitValidationError);
    expect((e as Error).message).not.toMatch(/\n\s+at /);
    return (e as Error).message;
  }
  throw new Error("expected a SpecValidationError");
}

describe("vending-machine spec", () => {
  test(`covers at least 30 invalid specs (${INVALID_SPECS.length})`, () => {
    expect(INVALID_SPECS.length).toBeGreaterThanOrEqual(30);
  });

  test.each(INVALID_SPECS)("fails when %s", (_what, text, expected) => {
    expect(problems(text)).toBe(expected);
  });

  test("reports every reference problem at once, each with its line, in line order", () => {
    const text = ["agentPools:", "  - name: aws-run", "environments:", "  - name: a", "    defaultAgentPool: gpu", "    tags: [x]", "  - name: a"].join("\n");
    expect(problems(text)).toBe(
      [
        'spec.yaml:5: environments[0].defaultAgentPool: no pool named "gpu"; pools are: aws-run',
        'spec.yaml:6: environments[0].tags[0]: no tag named "x"; tags are: (none)',
        'spec.yaml:7: environments[1].name: environment "a" is already defined at environments[0]',
      ].join("\n"),
    );
  });

  test("several construct errors of one workspace come out in line order, rules across fields with the field rules", () => {
    const text = [
      "vcsProviders: [{ name: gh, id: vcs-abc }]",
      "environments:",
      "  - name: e",
      "    workspaces:",
      "      - name: w",
      "        runTimeoutMinutes: 0",
      "        version: latest",
      '        vcs: { provider: gh, repository: foo, branch: main, versionConstraint: "~> 1" }',
    ].join("\n");
    expect(problems(text)).toBe(
      [
        "spec.yaml:6: environments[0].workspaces[0].runTimeoutMinutes: must be a whole number from 1 to 10080, got: 0",
        'spec.yaml:7: environments[0].workspaces[0].version: must be an exact version such as "1.9.8", got: "latest"',
        'spec.yaml:8: environments[0].workspaces[0].vcs.repository: must be a repository as "org/repo", got: "foo"',
        'spec.yaml:8: environments[0].workspaces[0].vcs.versionConstraint: cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint, got: "~> 1"',
      ].join("\n"),
    );
  });

  test("issues without a line keep the order they were found in, after those with one", () => {
    const error = new SpecValidationError([
      { path: "b", message: "second", line: undefined },
      { path: "c", message: "third", line: 9 },
      { path: "a", message: "first", line: undefined },
      { path: "d", message: "fourth", line: 2 },
    ]);
    expect(error.specIssues.map((i) => i.path)).toEqual(["d", "c", "b", "a"]);
  });

  test("JSON specs get lines too", () => {
    const text = JSON.stringify({ environments: [{ name: "prod", workspaces: [{ name: "a", agentPool: "gpu" }] }] }, null, 2);
    expect(problems(text)).toBe('spec.yaml:8: environments[0].workspaces[0].agentPool: no pool named "gpu"; pools are: (none)');
  });

  test("plain data has paths but no lines", () => {
    expect(() => validateSpec({ environments: [{ name: "prod", defaultAgentPool: "gpu" }] })).toThrow(
      'environments[0].defaultAgentPool: no pool named "gpu"; pools are: (none)',
    );
    try {
      validateSpec({ environments: [{ name: "prod", defaultAgentPool: "gpu" }] });
    } catch (e) {
      expect((e as SpecValidationError).specIssues).toEqual([{ path: "environments[0].defaultAgentPool", message: 'no pool named "gpu"; pools are: (none)', line: undefined }]);
    }
  });

  test("a non-final variable may be redefined below; defaults are applied", () => {
    const { spec } = parseSpecText(
      ["variables:", "  - key: log_level", "    value: info", "environments:", "  - name: prod", "    workspaces:", "      - name: a", "        variables:", "          - key: log_level", "            value: warn"].join("\n"),
      "spec.yaml",
    );
    expect(spec.stacks).toEqual({ split: "none", maxWorkspacesPerStack: 1000 });
    expect(spec.environments[0]?.workspaces[0]).toMatchObject({ iacPlatform: "terraform", autoApply: false, deletionProtection: true, workingDirectory: "" });
  });

  test("a workspace's shard depends only on its own names", () => {
    const stacks = { split: "shards" as const, shards: 8, maxWorkspacesPerStack: 1000 };
    const before = ["a", "b", "c", "d"].map((w) => shardOf(stacks, "prod", w));
    expect(["a", "b", "c", "d"].map((w) => shardOf(stacks, "prod", w))).toEqual(before);
    expect(new Set(Array.from({ length: 200 }, (_, i) => shardOf(stacks, "prod", `ws-${i}`))).size).toBe(8);
    expect(shardOf({ split: "environment", maxWorkspacesPerStack: 1 }, "Team A/Prod", "x")).toBe("team-a-prod");
    expect(shardOf({ split: "none", maxWorkspacesPerStack: 1 }, "prod", "x")).toBeUndefined();
  });
});
