/**
 * The bad-input corpus of input Scalr or Terraform would not take (issue 12, item 10), one entry per
 * class, for the Scalr constructs and the vending-machine spec: each is the kit's error at synth
 * time naming the construct (or spec) path and the field — or, for Terraform template sequences,
 * text that is written literally.
 */
import { App, TerraformStack, Testing } from "cdktf";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { Environment } from "../../constructs/scalr/environment";
import { Variable } from "../../constructs/scalr/variable";
import { Workspace } from "../../constructs/scalr/workspace";
import { KitValidationError } from "../../core/validation";
import { readSpecText } from "../../vending-machine/spec-source";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import { validateVendingMachineSpec } from "../../vending-machine/validate";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";

const stack = (app: App = Testing.app(), id = "corpus") => new TerraformStack(app, id);

/** [class, build, the error line it must give]. */
const CONSTRUCT_CASES: readonly (readonly [string, () => unknown, RegExp])[] = [
  [
    "a VCS repository given as a URL",
    () => new Workspace(stack(), "Ws", { name: "ws", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository: "https://github.com/acme/infra" } }),
    /^corpus\/Ws: `vcs\.repository` must be the repository as "org\/repo" .*, got: "https:\/\/github\.com\/acme\/infra"$/,
  ],
  [
    "two agent pools of one name in two stacks of one app",
    () => {
      const app = Testing.app();
      new AgentPool(stack(app, "a"), "Pool", { name: "run" });
      new AgentPool(stack(app, "b"), "Pool", { name: "run" });
    },
    /^b\/Pool: `name` is already the name of the agent pool a\/Pool: .*, got: "run"$/,
  ],
  ["a NUL in a name", () => new Environment(stack(), "Env", { name: "prod\u0000" }), /^corpus\/Env: `name` must not contain control characters .*found U\+0000 at position 4.*, got: /],
  ["a line break in a branch", () => new Workspace(stack(), "Ws", { name: "ws", environment: "env-abc123", vcs: { providerId: "vcs-abc123", repository: "a/b", branch: "main\nx" } }), /`vcs\.branch` must not contain control characters .*U\+000A/],
  ["a bidi override in a path", () => new Workspace(stack(), "Ws", { name: "ws", environment: "env-abc123", workingDirectory: "net\u202Ework" }), /`workingDirectory` must not contain control characters .*U\+202E/],
  ["an any-typed value where a string is expected", () => new Variable(stack(), "V", { key: "x", description: Testing.app() as unknown as string }), /^corpus\/V: `description` must be a string, got: an instance of App$/],
];

describe("bad-input corpus: input Scalr or Terraform would not take (constructs)", () => {
  test.each(CONSTRUCT_CASES)("%s", (_what, build, line) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KitValidationError);
    expect((error as Error).message).toMatch(line);
  });

  test("Terraform template sequences stay literal", () => {
    const s = stack();
    new Variable(s, "V", { key: "x", value: "${var.scalr_token} %{if true}x%{endif}" });
    expect(Object.values<any>(JSON.parse(Testing.synth(s)).resource.scalr_variable)[0].value).toBe("$${var.scalr_token} %%{if true}x%%{endif}");
  });
});

const SPEC_CASES: readonly (readonly [string, string, RegExp])[] = [
  ["a VCS repository given as a URL", "vcsProviders: [{ name: gh, id: vcs-abc123 }]\nenvironments:\n  - name: dev\n    workspaces:\n      - { name: n, vcs: { provider: gh, repository: \"git@github.com:acme/infra.git\" } }\n", /^spec\.yaml:5: environments\[0\]\.workspaces\[0\]\.vcs\.repository: must be the repository as "org\/repo"/],
  ["two environments of one name", "environments:\n  - name: dev\n  - name: dev\n", /^spec\.yaml:3: environments\[1\]\.name: environment "dev" is already defined at environments\[0\]$/],
  ["two agent pools of one name", "agentPools:\n  - name: run\n  - name: run\n", /^spec\.yaml:3: agentPools\[1\]\.name: agent pool "run" is already defined at agentPools\[0\]$/],
  ["a control character in a tag name", 'tags: ["a\\u2066b"]\n', /^spec\.yaml:1: tags\[0\]: must not contain control characters/],
  ["cdktf's token marker in a value", 'variables:\n  - { key: x, value: "${TfToken[TOKEN.3]}" }\n', /^spec\.yaml:2: variables\[0\]\.value: must be literal text: it holds cdktf's token marker/],
];

describe("bad-input corpus: input Scalr or Terraform would not take (spec)", () => {
  test.each(SPEC_CASES)("%s", (_what, text, line) => {
    let error: unknown;
    try {
      validateVendingMachineSpec(readSpecText(text, "spec.yaml"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpecValidationError);
    expect((error as Error).message.split("\n")).toContainEqual(expect.stringMatching(line));
  });

  test("Terraform template sequences in a spec are valid and stay literal", () => {
    const vm = new VendingMachineStack(Testing.app(), "vm", { spec: readSpecText('variables:\n  - { key: x, value: "${var.scalr_token}" }\n', "spec.yaml") });
    expect(Object.values<any>(JSON.parse(Testing.synth(vm)).resource.scalr_variable)[0].value).toBe("$${var.scalr_token}");
  });
});
