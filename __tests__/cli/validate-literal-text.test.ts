/**
 * `cdktf-scalr-kit validate` and the literal text of a spec (issue 12, item 10): `${…}` and `%{…}`
 * are valid (the constructs write them escaped; nothing is evaluated), cdktf's token marker is not,
 * and the synth-time warnings (deprecated `env`, OpenTofu hooks calling `terraform`) are printed
 * without failing.
 */
import { runCli } from "../../vending-machine/cli";

function validate(text: string, format: "text" | "github" = "text") {
  let out = "";
  let err = "";
  const code = runCli(["validate", "--format", format, "spec.yaml"], { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), readFile: () => text });
  return { code, out, err };
}

describe("cdktf-scalr-kit validate: literal text", () => {
  test("a value with ${…} and %{…} is valid", () => {
    const r = validate('variables:\n  - key: x\n    value: "${var.scalr_token}"\n    description: "%{ if x }y%{ endif }"\n');
    expect(r).toEqual({ code: 0, out: "spec.yaml: valid (0 environments, 0 workspaces, 1 stack)\n", err: "" });
  });

  test("a hook with ${VAR} is valid", () => {
    expect(validate('environments:\n  - name: dev\n    workspaces:\n      - name: w\n        hooks: { preInit: "echo ${TF_VAR_x}" }\n').code).toBe(0);
  });

  test("cdktf's token marker is a problem (exit 1)", () => {
    const r = validate('variables:\n  - { key: x, value: "${TfToken[TOKEN.1]}" }\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^spec\.yaml:2: variables\[0\]\.value: must be literal text: it holds cdktf's token marker/);
  });

  test("warnings are printed and do not fail", () => {
    const r = validate("variables:\n  - { key: X, category: env }\nenvironments:\n  - name: dev\n    workspaces:\n      - { name: w, iacPlatform: opentofu, hooks: { prePlan: terraform validate } }\n");
    expect(r.code).toBe(0);
    expect(r.err.trim().split("\n")).toEqual([
      expect.stringMatching(/^warning: spec\.yaml:2: variables\[0\]\.category: "env" is deprecated/),
      expect.stringMatching(/^warning: spec\.yaml:6: environments\[0\]\.workspaces\[0\]\.hooks\.prePlan: calls `terraform`/),
    ]);
    expect(validate("variables:\n  - { key: X, category: env }\n", "github").err).toMatch(/^::warning ::spec\.yaml:2: variables\[0\]\.category/);
  });
});
