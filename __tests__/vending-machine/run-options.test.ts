/**
 * The typed run options in the vending-machine spec: `terraformRc` and `oidc` on environments and
 * workspaces, rendered as the Workspace and Environment constructs render them, with spec errors
 * and warnings at their spec paths.
 */
import { TerraformStack, Testing } from "cdktf";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";
import { readSpecText } from "../../vending-machine/spec-source";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import { VendingMachine } from "../../vending-machine/vending-machine";
import { warningsOf } from "../support/annotations";

function build(text: string): { stack: TerraformStack; json: any } {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  new VendingMachine(stack, "VendingMachine", { spec: readSpecText(text, "spec.yaml") });
  return { stack, json: JSON.parse(Testing.synth(stack)) };
}

function problems(text: string): string {
  try {
    build(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecValidationError);
    return (e as Error).message;
  }
  throw new Error("expected a SpecValidationError");
}

const SPEC = [
  "environments:",
  "  - name: prod",
  "    oidc: { audience: vault, final: true }",
  "    terraformRc:",
  "      providerInstallation:",
  "        - { method: network_mirror, url: 'https://mirror.example.com/providers/' }",
  "      credentials:",
  "        - { host: registry.example.com, tokenFromTerraformVariable: registry_token }",
  "    workspaces:",
  "      - name: vault",
  "        runTimeoutMinutes: 90",
  "        oidc: { expirySeconds: 3600 }",
].join("\n");

describe("vending-machine spec: run options", () => {
  test("environment and workspace options become shell variables at their scopes; the token comes from a sensitive Terraform variable", () => {
    const { json } = build(SPEC);
    const vars = Object.values<any>(json.resource.scalr_variable);
    const byKey = (k: string) => vars.filter((v) => v.key === k);
    expect(byKey("SCALR_OIDC_AUD")).toEqual([expect.objectContaining({ category: "shell", value: "vault", final: true, environment_id: expect.stringMatching(/^\$\{scalr_environment\./) })]);
    expect(byKey("SCALR_OIDC_EXP")).toEqual([expect.objectContaining({ category: "shell", value: "3600", final: false, workspace_id: expect.stringMatching(/^\$\{scalr_workspace\./) })]);
    const [rc] = byKey("SCALR_TERRAFORM_RC");
    expect(rc).toMatchObject({ category: "shell", sensitive: true });
    expect(rc.value).toContain('url = "https://mirror.example.com/providers/"');
    expect(rc.value).toContain("jsonencode(var.registry_token)");
    expect(json.variable.registry_token).toMatchObject({ type: "string", sensitive: true });
  });

  test("warns at the spec's path and line when the token expires before the workspace's run timeout", () => {
    const { stack } = build(SPEC);
    const warnings = warningsOf(stack).filter((w) => w.includes("expirySeconds"));
    expect(warnings).toEqual([expect.stringMatching(/^spec\.yaml:12: environments\[0\]\.workspaces\[0\]\.oidc\.expirySeconds: is 3600 seconds, shorter than the workspace's run operation timeout \(`runTimeoutMinutes: 90`/)]);
  });

  test("fails when a workspace sets an option the environment made final", () => {
    const text = SPEC.replace("        oidc: { expirySeconds: 3600 }", "        oidc: { audience: other }");
    expect(problems(text)).toContain(
      'spec.yaml:12: environments[0].workspaces[0].oidc.audience: redefines "SCALR_OIDC_AUD" (shell), which is final at environment scope in environments[0].oidc.audience: a final variable cannot be redefined below it',
    );
  });

  test("fails when a workspace option redefines an environment's final variable, and when a variable repeats an option of its scope", () => {
    const text = [
      "environments:",
      "  - name: prod",
      "    variables:",
      "      - { key: SCALR_TERRAFORM_RC, category: shell, value: 'x', final: true }",
      "    workspaces:",
      "      - name: w",
      "        terraformRc: { pluginCacheDir: /cache }",
      "        oidc: { audience: a }",
      "        variables:",
      "          - { key: SCALR_OIDC_AUD, category: shell, value: b }",
    ].join("\n");
    const message = problems(text);
    expect(message).toContain("spec.yaml:7: environments[0].workspaces[0].terraformRc: redefines \"SCALR_TERRAFORM_RC\" (shell), which is final at environment scope in environments[0].variables[0]");
    expect(message).toContain('spec.yaml:10: environments[0].workspaces[0].variables[0].key: "SCALR_OIDC_AUD" (shell) is set by `oidc.audience` at this scope: remove the variable, or drop `oidc.audience`');
  });

  test.each([
    ["a literal token field", "credentials: [{ host: r.example.com, token: abc }]", "environments[0].terraformRc.credentials[0].token"],
    ["an http mirror", "providerInstallation: [{ method: network_mirror, url: 'http://m.example.com/' }]", "environments[0].terraformRc.providerInstallation[0].url: must be an https URL"],
    ["a bad pattern", "providerInstallation: [{ method: direct, include: ['*/aws'] }]", "environments[0].terraformRc.providerInstallation[0].include[0]: must be a provider source pattern"],
    ["a reserved token variable", "credentials: [{ host: r.example.com, tokenFromTerraformVariable: scalr_token }]", 'environments[0].terraformRc.credentials[0].tokenFromTerraformVariable: must not be "scalr_token"'],
    ["a mirror without url (a construct rule, met while building)", "providerInstallation: [{ method: network_mirror }]", "environments[0].terraformRc.providerInstallation[0].url: is required for a network_mirror"],
  ])("fails on %s in terraformRc", (_what, rc, expected) => {
    expect(problems(["environments:", "  - name: prod", `    terraformRc: { ${rc} }`].join("\n"))).toContain(expected);
  });

  test("fails on an oidc expiry of 0", () => {
    expect(problems(["environments:", "  - name: prod", "    oidc: { expirySeconds: 0 }"].join("\n"))).toContain("spec.yaml:3: environments[0].oidc.expirySeconds: must be a whole number from 1 to 2147483647");
  });
});
