import { App, TerraformStack, TerraformVariable } from "cdktf";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { messageOf } from "../../support/errors";


describe("AgentTokenSource", () => {
  test("holds a Terraform reference", () => {
    const stack = new TerraformStack(new App(), "s");
    const ref = new TerraformVariable(stack, "token", { sensitive: true }).stringValue;
    const source = AgentTokenSource.fromTerraformValue(ref);
    expect(source).toMatchObject({ kind: "terraform", value: ref });
    expect(String(source)).toBe("AgentTokenSource(terraform reference)");
    expect(JSON.stringify({ source })).toBe('{"source":"AgentTokenSource(terraform reference)"}');
  });

  test("carries a token name, not a value, when given one", () => {
    const stack = new TerraformStack(new App(), "s");
    const ref = new TerraformVariable(stack, "token", { sensitive: true }).stringValue;
    const source = AgentTokenSource.fromTerraformValue(ref, { name: "fleet-2025-06" });
    expect(source).toMatchObject({ kind: "terraform", value: ref, name: "fleet-2025-06" });
    expect(AgentTokenSource.fromTerraformValue(ref).name).toBeUndefined();
    expect(String(source)).toBe('AgentTokenSource(terraform reference, token "fleet-2025-06")');
  });

  test.each<[string, unknown, string]>([
    ["fails when the name is not a token name", { name: "Fleet 2025" }, '`options.name` must be a literal token name: 1–63 lowercase letters, digits or \'-\', starting and ending with a letter or digit, got: "Fleet 2025"'],
    ["fails when the name is not a string", { name: 7 }, "`options.name` must be a literal token name: 1–63 lowercase letters, digits or '-', starting and ending with a letter or digit, got: 7"],
    ["fails when the options are not an object", "fleet", '`options` must be an object such as { name: "2025-06" }, got: "fleet"'],
    ["fails on an unknown option", { nmae: "fleet" }, '`options.nmae` is not an option (the options are: name), got: "fleet"'],
  ])("%s", (_name, options, message) => {
    const stack = new TerraformStack(new App(), "s");
    const ref = new TerraformVariable(stack, "token", { sensitive: true }).stringValue;
    expect(messageOf(() => AgentTokenSource.fromTerraformValue(ref, options as { name?: string }))).toBe(`AgentTokenSource.fromTerraformValue: ${message}`);
  });

  test("holds a Secrets Manager ARN, a Kubernetes Secret or a file", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:scalr-AbCd";
    expect(AgentTokenSource.fromAwsSecretsManager(arn, { jsonKey: "token" })).toMatchObject({ kind: "aws-secrets-manager", secretArn: arn, jsonKey: "token" });
    expect(AgentTokenSource.fromKubernetesSecret("scalr-agent")).toMatchObject({ kind: "kubernetes-secret", secretName: "scalr-agent", secretKey: "token" });
    expect(AgentTokenSource.fromFile("/run/scalr-agent/token")).toMatchObject({ kind: "file", path: "/run/scalr-agent/token" });
  });

  test("fails when given a literal token, without echoing it", () => {
    const message = messageOf(() => AgentTokenSource.fromTerraformValue("t-0123456789abcdefghij"));
    expect(message).toBe(
      "AgentTokenSource.fromTerraformValue: `value` must be a Terraform reference (an AgentPool token or a sensitive TerraformVariable), never a literal token, got: a plain string of 22 characters (value hidden)",
    );
    expect(message).not.toContain("0123456789");
  });

  test.each([
    [() => AgentTokenSource.fromAwsSecretsManager("scalr/token"), 'AgentTokenSource.fromAwsSecretsManager: `secretArn` must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got: "scalr/token"'],
    [
      () => AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:us-east-1:123456789012:secret:x", { jsonKey: "" }),
      'AgentTokenSource.fromAwsSecretsManager: `jsonKey` must be a non-empty string, got: ""',
    ],
    [() => AgentTokenSource.fromKubernetesSecret("Scalr_Token"), 'AgentTokenSource.fromKubernetesSecret: `name` must be a Kubernetes object name (lowercase RFC 1123 subdomain, at most 253 characters), got: "Scalr_Token"'],
    [() => AgentTokenSource.fromKubernetesSecret("scalr", "a key"), "AgentTokenSource.fromKubernetesSecret: `key` must be a Secret key (letters, digits, '-', '_', '.'), got: \"a key\""],
    [() => AgentTokenSource.fromFile("token.txt"), 'AgentTokenSource.fromFile: `path` must be an absolute path without whitespace, got: "token.txt"'],
  ])("fails on bad input (%#)", (fn, expected) => {
    expect(messageOf(fn)).toBe(expected);
  });

  test("reports every bad argument of one call together", () => {
    expect(messageOf(() => AgentTokenSource.fromAwsSecretsManager("scalr/token", { jsonKey: "" })).split("\n")).toEqual([
      'AgentTokenSource.fromAwsSecretsManager: `secretArn` must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got: "scalr/token"',
      'AgentTokenSource.fromAwsSecretsManager: `jsonKey` must be a non-empty string, got: ""',
    ]);
    expect(messageOf(() => AgentTokenSource.fromKubernetesSecret("Scalr_Token", "a key")).split("\n")).toHaveLength(2);
  });
});
