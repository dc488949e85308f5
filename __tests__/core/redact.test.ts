import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { holdsSecret, isSecretName, redactData, redactSecrets, secretKind } from "../../core/redact";
import { KitValidationError, describeValue, isSensitiveField, parseIssues, strictProps } from "../../core/validation";

describe("redactSecrets: ordinary values stay as they are (no false positives)", () => {
  test.each([
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token",
    "arn:aws:iam::123456789012:role/scalr-agent",
    "0d81299f3c2b4a5e6f7a8b9c0d1e2f3a4b5c6d7e", // a git commit (40 hex digits)
    "sha256:0d81299f3c2b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/scalr/agent:1.4.0",
    "https://example.scalr.io",
    "http://proxy.internal:3128",
    "https://mirror.example.com/providers/",
    "/var/lib/scalr-agent",
    "/usr/local/share/ca-certificates/corp-root.crt",
    "env-v0o1example",
    "vpc-0abc1234",
    "10.0.0.0/16",
    "agent-token",
    "git@github.com:acme/infra.git",
    "team@example.com",
    "${var.token}",
    "must be one of \"run\", \"vcs\"",
    "projects/1/locations/global/workloadIdentityPools/p/providers/s",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmn", // 40 lower-case letters: no digit, no upper case
    "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>",
    "registry.corp/scalr/agent:1.4.0@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "alpine:3.19@sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "/opt/Scalr/Agent2/Configuration/Files/x1", // a path of 40 characters with a digit
    "SCALR_AGENT_TOKEN",
    "tokenExistingSecret",
  ])("%s", (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(describeValue(text)).toBe(JSON.stringify(text).length <= 80 ? JSON.stringify(text) : `${JSON.stringify(text).slice(0, 79)}…`);
  });
});

describe("redactSecrets: each form, with what is kept", () => {
  test.each([
    ["http://user:pass@proxy:3128", "http://***@proxy:3128"],
    ["https://u:p%40ss@mirror.example.com/x", "https://***@mirror.example.com/x"],
    ["https://token@example.scalr.io", "https://***@example.scalr.io"],
    ["user:pass@proxy:3128", "***@proxy:3128"],
    ["https://a.blob.core.windows.net/c?sv=1&sig=abc%2B", "https://a.blob.core.windows.net/c?sv=1&sig=<redacted: looks like an Azure SAS signature>"],
    ["AccountName=a;AccountKey=abc==;X=y", "AccountName=a;AccountKey=<redacted: looks like an Azure connection-string key>;X=y"],
    ["Authorization: Bearer abcdefgh12345", "Authorization: Bearer <redacted: looks like an HTTP authorization credential>"],
    ["GITHUB_TOKEN=abc123", "GITHUB_TOKEN=<redacted: looks like a secret>"],
    ["key AKIAIOSFODNN7EXAMPLE here", "key <redacted: looks like an AWS access key id> here"],
  ])("%s → %s", (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  test("a whole-value credential is named by its form", () => {
    expect(describeValue("AKIAIOSFODNN7EXAMPLE")).toBe("<redacted: looks like an AWS access key id>");
    expect(describeValue("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).toBe("<redacted: looks like an AWS secret access key>");
    expect(describeValue("ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toBe("<redacted: looks like a GitHub token>");
    expect(describeValue("-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----")).toBe("<redacted: looks like a PEM private key>");
    expect(secretKind("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln")).toMatch(/JWT/);
    expect(holdsSecret("plain text")).toBe(false);
  });

  test("a PEM key cut off before its END line still goes", () => {
    expect(redactSecrets("x -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN")).toBe("x <redacted: looks like a PEM private key>");
  });
});

describe("secret names", () => {
  test.each(["awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY", "clientSecret", "client-secret", "secretKey", "connectionString", "accountKey", "passphrase", "sig", "credentials", "serviceAccountKey"])(
    "%s holds a secret",
    (name) => {
      expect(isSecretName(name) || isSensitiveField(name)).toBe(true);
      expect(isSensitiveField(`a.b.${name}`)).toBe(true);
    },
  );

  test.each(["secretArn", "secretName", "tokenSecretKmsKeyArn", "auth", "name", "key", "region", "secretsManagerSecretId"])("%s refers to a secret or is none", (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  test.each(["tokens", "activeToken", "tokenMaxAgeDays", "tokenFromTerraformVariable", "tokenSecretArn"])("%s has \"token\" in its name but holds no secret: its value is shown", (name) => {
    expect(isSensitiveField(`pool.${name}`)).toBe(false);
    expect(describeValue("blue", name)).toBe('"blue"');
  });

  test.each(["token", "scalrToken", "apiToken", "providerMirrors[0].token"])("%s holds a secret: its value is hidden", (name) => {
    expect(isSensitiveField(name)).toBe(true);
  });
});

describe("nested values, keys and sensitive siblings", () => {
  test("an object is printed with values under secret names hidden and credentials redacted", () => {
    const shown = describeValue({ a: { clientSecret: "opaque-123456", b: "AKIAIOSFODNN7EXAMPLE" } });
    expect(shown).not.toContain("opaque-123456");
    expect(shown).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(shown).toContain('"clientSecret":"<redacted:');
  });

  test("a key that is a credential is redacted", () => {
    expect(JSON.stringify(redactData({ AKIAIOSFODNN7EXAMPLE: 1 }))).toBe('{"<redacted: looks like an AWS access key id>":1}');
  });

  test("the value of an entry marked `sensitive: true` is hidden in unknown-field and invalid-field messages", () => {
    const schema = strictProps({ key: z.string(), value: z.string(), sensitive: z.boolean() });
    const { issues } = parseIssues(schema, { key: "db", value: 42, sensitive: true });
    expect(issues.map((i) => i.received)).toEqual(["a number (value hidden)"]);
    const shown = describeValue({ key: "db", value: "opaque-987654", sensitive: true });
    expect(shown).not.toContain("opaque-987654");
  });

  test("an unknown field with a secret name never shows its value; its did-you-mean hint stays", () => {
    const schema = strictProps({ accessKeyId: z.string().optional(), region: z.string().optional() });
    const { issues } = parseIssues(schema, { awsSecretAccessKey: "opaque-555555", regin: "eu-west-1" });
    expect(issues).toEqual([
      { field: "awsSecretAccessKey", message: "is not a known field", received: "a plain string of 13 characters (value hidden)" },
      { field: "regin", message: "is not a known field (did you mean `region`?)", received: '"eu-west-1"' },
    ]);
  });

  test("a value once hidden as a secret is hidden wherever else it turns up", () => {
    expect(describeValue("Remembered-S3cret-1", "password")).toBe("a plain string of 19 characters (value hidden)");
    expect(describeValue("Remembered-S3cret-1", "name")).toBe("<redacted: value of a secret field>");
    expect(new KitValidationError("s", [{ field: "x", message: 'no pool named "Remembered-S3cret-1"', received: "nothing" }]).message).not.toContain("Remembered-S3cret-1");
  });
});

describe("KitValidationError and IssueCollector redact whatever they are given", () => {
  test("message, issues, toString and JSON", () => {
    const e = new KitValidationError("stack/P", [{ field: "proxy.http", message: "is bad", received: '"http://u:pw-1@proxy:3128"' }]);
    expect(e.message).toBe('stack/P: `proxy.http` is bad, got: "http://***@proxy:3128"');
    expect(String(e)).toBe(`KitValidationError: ${e.message}`);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: "KitValidationError", subject: "stack/P", message: e.message, issues: e.issues });
    e.message = "later: AKIAIOSFODNN7EXAMPLE";
    expect(e.message).toBe("later: <redacted: looks like an AWS access key id>");
  });

  test("IssueCollector.addIssue redacts an issue rendered elsewhere", () => {
    const c = new IssueCollector({ subject: "s" });
    c.addIssue({ field: "f", message: "m", received: '"ghp_abcdefghijklmnopqrstuvwxyz0123456789"' });
    expect(c.issues[0]?.received).toBe('"<redacted: looks like a GitHub token>"');
  });
});
