import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { TerraformStack, Testing } from "cdktf";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { KitChecks } from "../../constructs/checks/kit-checks";
import { ImagePullCredentials } from "../../agent/settings/agent-image";
import { KitValidationError, describeValue, formatIssue } from "../../core/validation";
import { runCli } from "../../vending-machine/cli";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import type { VendingMachineSpec } from "../../vending-machine/spec-types";
import { validateVendingMachineSpec } from "../../vending-machine/validate";
import { readSpecText } from "../../vending-machine/spec-source";
import { CORPUS_SUBJECTS, CorpusSubject, pathsOf, withValue } from "./subjects";

/**
 * Secrets never reach an error message, whatever field they are put in: one canary per credential
 * form (core/redact.ts cites where each form is documented), URL userinfo, and plain values under
 * secret names, fed through every error path the kit has — every corpus subject (constructs and
 * renderers) at every field and as unknown fields, every token-source and pull-credential factory,
 * the vending-machine spec validation and its command line, and KitValidationError itself.
 */

const b64url = (s: string) => Buffer.from(s).toString("base64url");
/** 40 base64 characters (an AWS secret access key's shape), from a readable seed. */
const fill = (seed: string, n: number, alphabet = "A-Za-z0-9") => {
  const chars = alphabet === "A-Za-z0-9" ? "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" : alphabet;
  let out = seed;
  for (let i = 0; out.length < n; i++) out += chars[(i * 7 + seed.length) % chars.length];
  return out.slice(0, n);
};

interface Canary {
  /** The credential form. */
  readonly form: string;
  /** The value put into a field. */
  readonly value: string;
  /** Substrings that must appear in no message. */
  readonly needles: readonly string[];
}

const SCALR_JWT = `${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url('{"domain":"canary.scalr.io","sub":"apool-canary1","jti":"ScalrCanaryJti1"}')}.${b64url("scalr-canary-signature-bytes")}`;
const OTHER_JWT = `${b64url('{"alg":"HS256"}')}.${b64url('{"sub":"jwt-canary-subject"}')}.${b64url("jwt-canary-sig")}`;
const AWS_SECRET = fill("wJalrXUtnFEMI/K7MDENG/CanaryKey", 40);
const AZURE_STORAGE_KEY = `${fill("AzureCanaryStorageKey0+/", 86)}==`;
const PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCanaryPemBody";
const RSA_BODY = "MIIEowIBAAKCAQEAcanaryRsaBody0123456789";
const SSH_BODY = "b3BlbnNzaC1rZXktdjEAAAAACanarySshBody";
const GCP_KEY_JSON = JSON.stringify({
  type: "service_account",
  project_id: "canary-project",
  private_key_id: "c4n4ry0gcp0key0id0123456789abcdef01234567",
  private_key: `-----BEGIN PRIVATE KEY-----\nGcpCanaryPrivateKeyBody0123456789\n-----END PRIVATE KEY-----\n`,
  client_email: "canary@canary-project.iam.gserviceaccount.com",
});

export const CANARIES: readonly Canary[] = [
  { form: "Scalr token (JWT)", value: SCALR_JWT, needles: [SCALR_JWT.split(".")[1]!, SCALR_JWT.split(".")[2]!] },
  { form: "JWT", value: OTHER_JWT, needles: [OTHER_JWT.split(".")[1]!] },
  { form: "AWS access key id (AKIA)", value: "AKIACANARY0EXAMPLE01", needles: ["AKIACANARY0EXAMPLE01", "CANARY0EXAMPLE01"] },
  { form: "AWS access key id (ASIA)", value: "ASIACANARY0EXAMPLE02", needles: ["CANARY0EXAMPLE02"] },
  { form: "AWS secret access key", value: AWS_SECRET, needles: [AWS_SECRET.slice(8, 36)] },
  { form: "Azure client secret", value: "Ab18Q~CanaryAzureClientSecret.0123-xy", needles: ["CanaryAzureClientSecret"] },
  { form: "Azure storage account key", value: AZURE_STORAGE_KEY, needles: [AZURE_STORAGE_KEY.slice(0, 40)] },
  {
    form: "Azure connection string",
    value: `DefaultEndpointsProtocol=https;AccountName=canaryacct;AccountKey=ConnCanaryKey0123456789abcdefXYZ==;EndpointSuffix=core.windows.net`,
    needles: ["ConnCanaryKey0123456789"],
  },
  { form: "Azure SAS URL (sig=)", value: "https://canaryacct.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=SasCanarySignature%2Bab12%3D", needles: ["SasCanarySignature"] },
  { form: "GCP service-account key (JSON)", value: GCP_KEY_JSON, needles: ["GcpCanaryPrivateKeyBody", "c4n4ry0gcp0key0id"] },
  { form: "GCP API key", value: `AIza${fill("SyCanaryGcpApiKey", 35)}`, needles: ["SyCanaryGcpApiKey"] },
  { form: "PEM private key", value: `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\n-----END PRIVATE KEY-----\n`, needles: [PEM_BODY.slice(-20)] },
  { form: "PEM RSA private key", value: `-----BEGIN RSA PRIVATE KEY-----\n${RSA_BODY}\n-----END RSA PRIVATE KEY-----`, needles: ["canaryRsaBody"] },
  { form: "OpenSSH private key", value: `-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_BODY}\n-----END OPENSSH PRIVATE KEY-----`, needles: ["CanarySshBody"] },
  { form: "GitHub token (ghp_)", value: `ghp_${fill("CanaryGithubClassic", 36)}`, needles: ["CanaryGithubClassic"] },
  { form: "GitHub token (github_pat_)", value: `github_pat_${fill("11CanaryFineGrained_", 82)}`, needles: ["CanaryFineGrained"] },
  { form: "URL userinfo (proxy)", value: "http://proxyuser:Pr0xyCanaryPass@proxy.corp:3128", needles: ["Pr0xyCanaryPass", "proxyuser:"] },
  { form: "URL userinfo (mirror)", value: "https://mirroruser:M1rrorCanaryPass@mirror.example.com/providers/", needles: ["M1rrorCanaryPass", "mirroruser:"] },
  { form: "URL userinfo (Scalr URL)", value: "https://scalruser:ScalrUrlCanaryPass@example.scalr.io", needles: ["ScalrUrlCanaryPass"] },
  { form: "URL userinfo without scheme", value: "produser:NoSchemeCanaryPass@proxy.corp:8080", needles: ["NoSchemeCanaryPass"] },
  { form: "HTTP bearer credential", value: "Bearer BearerCanaryOpaque0123456789", needles: ["BearerCanaryOpaque"] },
  { form: "secret assignment", value: "AWS_SECRET_ACCESS_KEY=AssignCanaryOpaque0123", needles: ["AssignCanaryOpaque"] },
];

/** An opaque secret no pattern knows: hidden only because of the name of the field that holds it. */
const PLAIN = "PlainCanary-opaque-value-7f3a";
/** Field names that hold secrets although the kit has no such field (cloud SDK and tool spellings). */
const SECRET_NAMES = ["awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY", "secretAccessKey", "clientSecret", "client_secret", "password", "token", "apiKey", "privateKey", "connectionString", "sessionToken", "accountKey"];

const NEEDLES = [...CANARIES.flatMap((c) => c.needles), PLAIN];

/**
 * Every text an error shows: message, string form, JSON, stack, and each issue (and a spec error's
 * `specIssues`, which the `validate` command prints, unless `specIssues` is false).
 */
function textsOf(error: unknown): string[] {
  const e = error as Error;
  const out = [String(e?.message), String(e), String(e?.stack)];
  try {
    out.push(JSON.stringify(e));
  } catch {
    // not serializable: nothing shown
  }
  if (error instanceof KitValidationError) {
    out.push(error.subject);
    for (const i of error.issues) out.push(i.field, i.message, i.received, formatIssue(error.subject, i));
  }
  if (error instanceof SpecValidationError) for (const i of error.specIssues) out.push(i.path, i.message);
  return out;
}

/** Fails when any needle appears in any text of `error`; `where` names the case. */
function expectNoNeedle(error: unknown, where: string): void {
  for (const text of textsOf(error)) {
    for (const needle of NEEDLES) {
      if (text.includes(needle)) throw new Error(`${where}: the message shows a secret (${JSON.stringify(needle)}):\n${text.slice(0, 600)}`);
    }
  }
}

/** Runs `fn`; returns its error (a KitValidationError is required when it throws), or undefined. */
function errorOf(fn: () => unknown, where: string): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof KitValidationError)) throw new Error(`${where}: threw ${(e as Error)?.name} instead of KitValidationError: ${String((e as Error)?.message).slice(0, 300)}`);
    return e;
  }
}

function objectPaths(value: unknown): (string | number)[][] {
  return [[], ...pathsOf(value)].filter((at) => {
    const v = at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], value);
    return v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
  });
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], value);
}

/**
 * The canary forms fed at the `i`-th of `count` fields: the Scalr token at every field, and the other
 * forms in rotation, three per field, so each form still reaches many fields of every subject
 * (redaction keys on the value's form and on the field's name, not on the pair). With too few fields
 * to cover every form in rotation, every form goes to every field.
 */
function formsAt(i: number, count: number): readonly Canary[] {
  const others = CANARIES.length - 1;
  if (count * 3 < others) return CANARIES;
  return [CANARIES[0]!, ...[0, 1, 2].map((k) => CANARIES[1 + ((i * 3 + k) % others)]!)];
}

/** Feeds `input` to `subject`; counts the errors checked. */
function check(subject: CorpusSubject, input: unknown, where: string, counter: { errors: number }): void {
  const error = errorOf(() => subject.run(input as Record<string, unknown>), `${subject.name} ${where}`);
  if (error === undefined) return;
  counter.errors++;
  expectNoNeedle(error, `${subject.name} ${where}`);
}

describe("the canaries", () => {
  test.each(CANARIES.map((c) => [c.form, c] as const))("%s is redacted by value, named by its form", (_form, c) => {
    const shown = describeValue(c.value, "someField");
    for (const n of c.needles) expect(shown).not.toContain(n);
    expect(shown).toMatch(/<redacted|\*\*\*@/);
  });

  test("URL credentials keep scheme and host", () => {
    expect(describeValue("http://proxyuser:Pr0xyCanaryPass@proxy.corp:3128", "proxy.http")).toBe('"http://***@proxy.corp:3128"');
  });
});

describe.each(CORPUS_SUBJECTS.map((s) => [s.name, s] as const))("secret messages: %s", (_name, subject) => {
  test("a canary of every form at the fields, every field with the Scalr token and three other forms", () => {
    const counter = { errors: 0 };
    const paths = pathsOf(subject.baseline());
    const used = new Set<string>();
    paths.forEach((path, i) => {
      for (const c of formsAt(i, paths.length)) {
        used.add(c.form);
        check(subject, withValue(subject.baseline(), path, c.value), `${c.form} at ${path.join(".")}`, counter);
      }
      // Nested inside an object where one is expected, and in a list.
      check(subject, withValue(subject.baseline(), path, { a: { b: CANARIES[0]!.value, c: [CANARIES[4]!.value] } }), `nested at ${path.join(".")}`, counter);
    });
    expect(counter.errors).toBeGreaterThan(0);
    expect([...used].sort()).toEqual(CANARIES.map((c) => c.form).sort());
  });

  test("unknown fields: a canary under a secret name, a plain secret under every secret name, a canary as the key, a misspelt field", () => {
    const counter = { errors: 0 };
    const base = subject.baseline();
    const used = new Set<string>();
    // Per object: the Scalr token in each of the four ways, and the other forms spread over them
    // (each form once per object), so every form meets every way across the subject's objects.
    const spread = (objIndex: number, way: number) => {
      const others = CANARIES.slice(1);
      const per = Math.ceil(others.length / 4);
      const start = ((way + objIndex) % 4) * per;
      return [CANARIES[0]!, ...others.slice(start, start + per)];
    };
    objectPaths(base).forEach((obj, objIndex) => {
      const target = at(base, obj) as Record<string, unknown>;
      for (const c of spread(objIndex, 0)) {
        used.add(c.form);
        check(subject, withValue(base, [...obj, "awsSecretAccessKey"], c.value), `unknown awsSecretAccessKey = ${c.form} at ${obj.join(".")}`, counter);
      }
      for (const c of spread(objIndex, 1)) {
        used.add(c.form);
        check(subject, withValue(base, [...obj, c.value.slice(0, 120)], 1), `${c.form} as a key at ${obj.join(".")}`, counter);
      }
      for (const c of spread(objIndex, 2)) {
        used.add(c.form);
        check(subject, withValue(base, [...obj, "extra"], { a: { b: c.value } }), `nested ${c.form} in an unknown field at ${obj.join(".")}`, counter);
      }
      for (const name of SECRET_NAMES) {
        if (name in target) continue;
        check(subject, withValue(base, [...obj, name], PLAIN), `plain secret as unknown ${name} at ${obj.join(".")}`, counter);
        check(subject, withValue(base, [...obj, "extra"], { nested: { [name]: PLAIN } }), `plain secret under ${name} inside an unknown field at ${obj.join(".")}`, counter);
      }
      // A misspelt known field: the did-you-mean hint and the value.
      const known = Object.keys(target).find((k) => k.length > 3);
      if (known) {
        for (const c of spread(objIndex, 3)) {
          used.add(c.form);
          check(subject, withValue(base, [...obj, `${known}x`], c.value), `misspelt ${known} = ${c.form} at ${obj.join(".")}`, counter);
        }
      }
    });
    expect(counter.errors).toBeGreaterThan(0);
    expect(used.size).toBe(CANARIES.length);
  });
});

describe("secret messages: token-source and pull-credential factories", () => {
  const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token";
  const factories: ReadonlyArray<readonly [string, (v: string) => unknown]> = [
    ["AgentTokenSource.fromTerraformValue", (v) => AgentTokenSource.fromTerraformValue(v)],
    ["AgentTokenSource.fromAwsSecretsManager", (v) => AgentTokenSource.fromAwsSecretsManager(v)],
    ["AgentTokenSource.fromAwsSecretsManager (ARN with it)", (v) => AgentTokenSource.fromAwsSecretsManager(`${ARN}:${v}`)],
    ["AgentTokenSource.fromAwsSecretsManager jsonKey", (v) => AgentTokenSource.fromAwsSecretsManager(v, { jsonKey: "" })],
    ["AgentTokenSource.fromKubernetesSecret", (v) => AgentTokenSource.fromKubernetesSecret(v)],
    ["AgentTokenSource.fromKubernetesSecret key", (v) => AgentTokenSource.fromKubernetesSecret("agent-token", v)],
    ["AgentTokenSource.fromFile", (v) => AgentTokenSource.fromFile(v)],
    ["ImagePullCredentials.fromAwsSecretsManager", (v) => ImagePullCredentials.fromAwsSecretsManager(v)],
    ["ImagePullCredentials.fromKubernetesSecret", (v) => ImagePullCredentials.fromKubernetesSecret(v)],
  ];

  test.each(factories.map(([n, f]) => [n, f] as const))("%s: every canary fails without being shown", (name, factory) => {
    let errors = 0;
    for (const value of CANARIES.map((c) => c.value)) {
      const error = errorOf(() => factory(value), name);
      if (error === undefined) continue;
      errors++;
      expectNoNeedle(error, `${name}(${value.slice(0, 12)}…)`);
    }
    expect(errors).toBeGreaterThan(0);
  });

  // A token of a form no pattern knows, passed where a reference belongs: the token-source factories
  // show its length and what is wrong, never the text (a fresh value per factory, so no earlier
  // message taught the redactor this value).
  test.each(factories.filter(([n]) => n.startsWith("AgentTokenSource") && !n.includes("ARN with it")).map(([n, f], i) => [n, f, i] as const))(
    "%s: an opaque token of an unknown form is not shown either",
    (name, factory, i) => {
      const opaque = `Opaque${i}Token#Canary9x${"Zq7".repeat(8)}`;
      const error = errorOf(() => factory(opaque), name);
      expect(error).toBeInstanceOf(KitValidationError);
      for (const text of textsOf(error)) expect(text).not.toContain(`Opaque${i}Token#Canary`);
    },
  );

  test("a token source's and pull credential's string forms show no secret", () => {
    const sources = [AgentTokenSource.fromAwsSecretsManager(ARN, { jsonKey: "token" }), AgentTokenSource.fromKubernetesSecret("agent-token"), ImagePullCredentials.fromAwsSecretsManager(ARN)];
    for (const s of sources) expect(`${String(s)} ${JSON.stringify(s)}`).not.toMatch(/Canary/i);
  });
});

/** A spec that validates, with every kind of entry. */
function baselineSpec(): VendingMachineSpec {
  return {
    version: 1,
    vcsProviders: [{ name: "github", id: "vcs-gh123" }],
    agentPools: [{ name: "aws-run" }, { name: "vcs", kind: "vcs" }],
    tags: ["platform"],
    providerConfigurations: [
      { name: "gcp", google: { serviceAccountEmail: "sa@p.iam.gserviceaccount.com", workloadProviderName: "projects/1/locations/global/workloadIdentityPools/p/providers/s" } },
    ],
    policyGroups: [{ name: "opa", vcsProvider: "github", repository: { identifier: "acme/opa", branch: "main" } }],
    variables: [{ key: "region", value: "eu-west-1" }],
    environments: [
      {
        name: "prod",
        defaultAgentPool: "aws-run",
        policyGroups: ["opa"],
        tags: ["platform"],
        variables: [{ key: "db_password", valueFromTerraformVariable: "db_password", sensitive: true, category: "env" }],
        workspaces: [
          {
            name: "net",
            agentPool: "aws-run",
            vcs: { provider: "github", repository: "acme/net", branch: "main" },
            workingDirectory: "net",
            providerConfigurations: ["gcp"],
            variables: [{ key: "cidr", value: "10.0.0.0/16" }],
          },
        ],
      },
    ],
  };
}

describe("secret messages: vending-machine spec validation", () => {
  test("the baseline spec is valid", () => {
    expect(() => validateVendingMachineSpec(baselineSpec())).not.toThrow();
  });

  /** Feeds a canary of every form to every field of the spec and as unknown fields. */
  function specCorpus(): void {
    const base = baselineSpec();
    let errors = 0;
    const run = (spec: unknown, where: string) => {
      const error = errorOf(() => validateVendingMachineSpec(spec as VendingMachineSpec), where);
      if (error === undefined) return;
      errors++;
      expectNoNeedle(error, where);
    };
    const paths = pathsOf(base);
    const used = new Set<string>();
    paths.forEach((path, i) => {
      for (const c of formsAt(i, paths.length)) {
        used.add(c.form);
        run(withValue(base, path, c.value), `${c.form} at ${path.join(".")}`);
      }
    });
    expect([...used].sort()).toEqual(CANARIES.map((c) => c.form).sort());
    for (const obj of objectPaths(base)) {
      for (const c of CANARIES) run(withValue(base, [...obj, "awsSecretAccessKey"], c.value), `unknown field = ${c.form} at ${obj.join(".")}`);
      for (const name of SECRET_NAMES) run(withValue(base, [...obj, name], PLAIN), `plain secret as ${name} at ${obj.join(".")}`);
    }
    // A sensitive variable's value, invalid: hidden because the variable is sensitive.
    run(withValue(base, ["environments", 0, "variables", 0], { key: "db_password", value: 42, sensitive: true }), "sensitive variable value");
    expect(errors).toBeGreaterThan(CANARIES.length);
  }

  // One pass checks every text: the error's message, string form, JSON and `issues` (a
  // KitValidationError's), and the spec error's own `specIssues` list, which `validate` prints.
  test("a canary of every form at every field, and as unknown fields: never in the error's message, string, JSON, issues or specIssues", () => {
    specCorpus();
  });

  /** Runs `validate` on specs with a canary at `where` (a spec path); returns what leaked. */
  function cliLeaks(where: Record<string, readonly (string | number)[]>): string[] {
    const base = baselineSpec();
    const cases: [string, unknown][] = [];
    for (const c of CANARIES) for (const [what, path] of Object.entries(where)) cases.push([`${c.form} as ${what}`, withValue(base, path, c.value)]);
    const leaks: string[] = [];
    for (const [where, spec] of cases) {
      let printed = "";
      const code = runCli(["validate", "spec.json"], { out: (l) => (printed += `${l}\n`), err: (l) => (printed += `${l}\n`), readFile: () => JSON.stringify(spec) });
      expect(code).not.toBe(2);
      if (NEEDLES.some((needle) => printed.includes(needle))) leaks.push(`${where}: ${printed.trim()}`);
    }
    return leaks;
  }

  test("the validate command line prints no canary given as a field value, an unknown field or a name", () => {
    const leaks = cliLeaks({
      "an unknown field": ["environments", 0, "workspaces", 0, "awsSecretAccessKey"],
      "an environment name": ["environments", 0, "name"],
      "a working directory": ["environments", 0, "workspaces", 0, "workingDirectory"],
      "a repository": ["environments", 0, "workspaces", 0, "vcs", "repository"],
      "a variable value": ["variables", 0, "value"],
    });
    expect(leaks).toEqual([]);
  });

  // KNOWN GAP, the same as above: a canary given where a name is referred to is quoted by the
  // cross-checks ("no pool named …") and printed from `specIssues` unredacted.
  test("the validate command line prints no canary given as a reference by name", () => {
    const leaks = cliLeaks({
      "a pool reference": ["environments", 0, "workspaces", 0, "agentPool"],
      "a VCS provider reference": ["environments", 0, "workspaces", 0, "vcs", "provider"],
      "a policy group reference": ["environments", 0, "policyGroups", 0],
    });
    expect(leaks).toEqual([]);
  });

  test("YAML that fails to parse shows no canary", () => {
    for (const c of CANARIES) {
      const error = errorOf(() => readSpecText(`environments:\n  - name: [${JSON.stringify(c.value)}\n  bad: : :\n`, "spec.yaml"), c.form);
      if (error !== undefined) expectNoNeedle(error, `YAML error with ${c.form}`);
    }
  });
});

describe("secret messages: KitValidationError itself", () => {
  test.each(CANARIES.map((c) => [c.form, c] as const))("%s in subject, field, message and received: message, toString and JSON redact it", (_form, c) => {
    const e = new KitValidationError(`stack/${c.value}`, [{ field: `extra["${c.value}"]`, message: `is not known (was ${c.value})`, received: JSON.stringify(c.value) }]);
    expectNoNeedle(e, c.form);
    // A subclass that writes its own message is redacted too.
    e.message = `custom: ${c.value}`;
    expectNoNeedle(e, `${c.form} (message set later)`);
  });
});

describe("secret messages: KitChecks violations", () => {
  // KNOWN GAP (fix outside this file): a KitChecks rule quotes the attribute value it judged
  // (`(got "…")`, constructs/checks/synthesized-stack.ts describeValue), unredacted. Flip to `test`
  // when that describeValue (or KitChecks' report) passes its text through `redactSecrets`.
  test("a canary in an attribute a rule judges is not quoted in the violation", () => {
    const leaks: string[] = [];
    for (const c of CANARIES) {
      const stack = new TerraformStack(Testing.app(), "stack");
      new EbsVolume(stack, "Volume", { availabilityZone: "eu-west-1a", size: 10 }).addOverride("encrypted", c.value);
      const lines = KitChecks.of(stack, { rules: ["KIT-EC2-3"] }).report().violations.map((v) => v.line);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) if (NEEDLES.some((n) => line.includes(n))) leaks.push(`${c.form}: ${line}`);
    }
    expect(leaks).toEqual([]);
  });
});
