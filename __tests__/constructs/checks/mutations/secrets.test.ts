// Mutation corpus of the secrets rules (issue 13, token tracing): the same violation — the agent
// token (or another secret) in a plaintext place — written in every form we know, each with a
// compliant twin. KIT-SEC-1: every source form into one plaintext sink, then one source into every
// sink form. KIT-SEC-2: every source form into a plain output.
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { DataKubernetesSecretV1 } from "@cdktf/provider-kubernetes/lib/data-kubernetes-secret-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { App, Fn, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { KitRule } from "../../../../constructs/checks/rule";
import { KIT_SEC_1 } from "../../../../constructs/checks/rules/secrets/no-secret-in-plain-configuration";
import { KIT_SEC_2 } from "../../../../constructs/checks/rules/secrets/no-secret-in-plain-output";
import { SynthesizedStack } from "../../../../constructs/checks/synthesized-stack";
import { AgentPool } from "../../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../../constructs/vm/vm-agent-fleet";
import { NET, SINK_FORMS } from "./secrets-corpus";

/** The findings of `rule` over `stack` (KitChecks' run needs no registration for this). */
function findings(rule: KitRule, stack: TerraformStack): string[] {
  return rule.check(SynthesizedStack.of(stack)).map((f) => `${f.path}: ${f.message}`);
}

/** A stack (and, for cross-stack forms, its producer) in a fresh app. */
function stacks(): { app: App; stack: TerraformStack; producer: TerraformStack } {
  const app = Testing.app();
  return { app, stack: new TerraformStack(app, "stack"), producer: new TerraformStack(app, "producer") };
}

/** The token reference of a pool in `scope`: `scalr_agent_pool_token.<id>.token`. */
function tokenRef(scope: TerraformStack): string {
  const ref = new AgentPool(scope, "Pool", { name: "p" }).tokenValue();
  return ref;
}
/** The bare expression of the pool's token (no `${}`), after resolution. */
const TOKEN_EXPR = "scalr_agent_pool_token.Pool_Token-default_F35A092E";

/**
 * A source form: writes the secret into `stack` and returns the string to put in a sink (a
 * Terraform expression or template), plus whether the finding can only be unconfirmed.
 */
type SourceForm = (s: { stack: TerraformStack; producer: TerraformStack }) => string;

const SOURCE_FORMS: Record<string, SourceForm> = {
  "reference": ({ stack }) => tokenRef(stack),
  "reference in a template": ({ stack }) => `#!/bin/sh\nexport SCALR_AGENT_TOKEN=${tokenRef(stack)}\n`,
  "HCL whitespace ${ x.y }": ({ stack }) => (tokenRef(stack), `\${ ${TOKEN_EXPR}.token }`),
  "HCL whitespace around the dots": ({ stack }) => (tokenRef(stack), `\${${TOKEN_EXPR} . token}`),
  "newlines inside ${}": ({ stack }) => (tokenRef(stack), `\${\n  ${TOKEN_EXPR}\n  .token\n}`),
  "template directive %{ if }": ({ stack }) => (tokenRef(stack), `%{ if true }\${${TOKEN_EXPR}.token}%{ endif }`),
  "base64encode(...)": ({ stack }) => Fn.base64encode(tokenRef(stack)),
  "base64gzip(...)": ({ stack }) => Fn.base64gzip(tokenRef(stack)),
  "jsonencode(...)": ({ stack }) => Fn.jsonencode({ token: tokenRef(stack) }),
  "format(...)": ({ stack }) => Fn.format("Bearer %s", [tokenRef(stack)]),
  "join(...)": ({ stack }) => Fn.join(",", ["a", tokenRef(stack)]),
  "lookup(whole object, ...)": ({ stack }) => (tokenRef(stack), `\${lookup(${TOKEN_EXPR}, "token", "")}`),
  'index expression x["token"]': ({ stack }) => (tokenRef(stack), `\${${TOKEN_EXPR}["token"]}`),
  "count index x[0].token": ({ stack }) => (tokenRef(stack), `\${${TOKEN_EXPR}[0].token}`),
  "splat x[*].token": ({ stack }) => (tokenRef(stack), `\${join("", ${TOKEN_EXPR}[*].token)}`),
  "nonsensitive(...)": ({ stack }) => (tokenRef(stack), `\${nonsensitive(${TOKEN_EXPR}.token)}`),
  "sensitive(...)": () => Fn.sensitive("x"),
  "Secrets Manager secret version": ({ stack }) => new SecretsmanagerSecretVersion(stack, "V", { secretId: "x", secretString: "y" }).secretString,
  "Secrets Manager data source": ({ stack }) => new DataAwsSecretsmanagerSecretVersion(stack, "Ds", { secretId: "x" }).secretString,
  "SecureString parameter": ({ stack }) => new SsmParameter(stack, "Secure", { name: "t", type: "SecureString", value: "${var.x}" }).value,
  "SSM parameter data source": ({ stack }) => new DataAwsSsmParameter(stack, "DsParam", { name: "t" }).value,
  "sensitive variable": ({ stack }) => new TerraformVariable(stack, "agent_token", { type: "string", sensitive: true }).stringValue,
  "Kubernetes Secret data": ({ stack }) => Fn.lookup(new SecretV1(stack, "K", { metadata: { name: "k" }, data: { t: "x" } }).data, "t", ""),
  "Kubernetes Secret data source": ({ stack }) => Fn.lookup(new DataKubernetesSecretV1(stack, "DsK", { metadata: { name: "k" } }).data, "t", ""),
  "Secret manifest's data": ({ stack }) => (new Manifest(stack, "SecretManifest", { manifest: { kind: "Secret", apiVersion: "v1", metadata: { name: "k" } } }), "${kubernetes_manifest.SecretManifest.object.data.t}"),
  "a local": ({ stack }) => new TerraformLocal(stack, "tok", tokenRef(stack)).asString,
  "a local holding a local": ({ stack }) => new TerraformLocal(stack, "outer", { v: new TerraformLocal(stack, "inner", tokenRef(stack)).asString }).asString,
  "cross-stack: attribute": ({ producer }) => tokenRef(producer),
  "cross-stack: function around it": ({ producer }) => Fn.base64encode(tokenRef(producer)),
  "cross-stack: data source attribute": ({ producer }) => new DataAwsSecretsmanagerSecretVersion(producer, "Ds", { secretId: "x" }).secretString,
  "cross-stack: whole data source": ({ producer }) => Fn.jsonencode(new DataAwsSecretsmanagerSecretVersion(producer, "Ds", { secretId: "x" }).fqn),
  "cross-stack: whole object, attribute after": ({ producer }) => Fn.lookup(new DataAwsSecretsmanagerSecretVersion(producer, "Ds", { secretId: "x" }).fqn, "secret_string", ""),
  "cross-stack: sensitive variable (unconfirmed)": ({ producer }) => new TerraformVariable(producer, "tok", { type: "string", sensitive: true }).stringValue,
  "cross-stack: local (unconfirmed)": ({ producer }) => new TerraformLocal(producer, "loc", tokenRef(producer)).asString,
  "remote state output named as a secret": () => "${data.terraform_remote_state.pools.outputs.agent_token}",
  'remote state output ["token"]': () => '${data.terraform_remote_state.pools.outputs["pool_token"]}',
  "whole remote state outputs (unconfirmed)": () => '${lookup(data.terraform_remote_state.pools.outputs, "x", "")}',
};

/** Twins: a non-secret value in the same shape (the pool's ID, a secret's ARN, a plain output). */
const PLAIN_FORMS: Record<string, SourceForm> = {
  "pool ID": ({ stack }) => new AgentPool(stack, "Pool", { name: "p" }).poolId,
  "pool ID, HCL whitespace": ({ stack }) => (new AgentPool(stack, "Pool", { name: "p" }), "${ scalr_agent_pool.Pool_8B5D7C6B . id }"),
  "token resource ID": ({ stack }) => (tokenRef(stack), `\${${TOKEN_EXPR}.id}`),
  "secret version ARN": ({ stack }) => new SecretsmanagerSecretVersion(stack, "V", { secretId: "x", secretString: "y" }).arn,
  "String parameter value": ({ stack }) => new SsmParameter(stack, "Plain", { name: "t", type: "String", value: "v" }).value,
  "Kubernetes Secret name": ({ stack }) => new SecretV1(stack, "K", { metadata: { name: "k" }, data: { t: "x" } }).metadata.name,
  "plain variable": ({ stack }) => new TerraformVariable(stack, "region", { type: "string" }).stringValue,
  "local holding an ID": ({ stack }) => new TerraformLocal(stack, "id", new AgentPool(stack, "Pool", { name: "p" }).poolId).asString,
  "cross-stack: pool ID": ({ producer }) => new AgentPool(producer, "Pool", { name: "p" }).poolId,
  "cross-stack: secret version ARN": ({ producer }) => new SecretsmanagerSecretVersion(producer, "V", { secretId: "x", secretString: "y" }).arn,
  "remote state output that is not a secret": () => "${data.terraform_remote_state.pools.outputs.pool_id}",
  "a literal with base64 user data": () => Buffer.from("#!/bin/sh\necho hello\n").toString("base64"),
};

/** The representative plaintext sink: an SSM String parameter. */
const plainParameter = (stack: TerraformStack, value: string) => new SsmParameter(stack, "Sink", { name: "sink", type: "String", value });
/** The representative secret sink: a Secrets Manager secret version. */
const secretVersion = (stack: TerraformStack, value: string) => new SecretsmanagerSecretVersion(stack, "Sink", { secretId: "x", secretString: value });

/** Holds for every line: fired on the sink, and unconfirmed forms say so and how to acknowledge. */
function expectFired(lines: string[], sinkPath: string, unconfirmed: boolean): void {
  const hits = lines.filter((l) => l.startsWith(`${sinkPath}:`));
  expect(hits).toHaveLength(1);
  if (unconfirmed) expect(hits[0]).toMatch(/could not be confirmed.*acknowledge KIT-SEC-[12]/);
}

describe("KIT-SEC-1 mutations: every source form into a plaintext sink", () => {
  test.each(Object.keys(SOURCE_FORMS))("%s in an SSM String parameter fires", (form) => {
    const s = stacks();
    plainParameter(s.stack, SOURCE_FORMS[form]!(s));
    expectFired(findings(KIT_SEC_1, prepared(s)), "stack/Sink", form.includes("unconfirmed"));
  });
  test.each(Object.keys(SOURCE_FORMS).filter((f) => !f.includes("unconfirmed")))("twin: %s in a secret version passes", (form) => {
    const s = stacks();
    secretVersion(s.stack, SOURCE_FORMS[form]!(s));
    expect(findings(KIT_SEC_1, prepared(s))).toEqual([]);
  });
  test.each(Object.keys(PLAIN_FORMS))("twin: %s in an SSM String parameter passes", (form) => {
    const s = stacks();
    const value = PLAIN_FORMS[form]!(s);
    expect(typeof value).toBe("string");
    plainParameter(s.stack, value);
    expect(findings(KIT_SEC_1, prepared(s))).toEqual([]);
  });
});

describe("KIT-SEC-2 mutations: every source form into a plain output", () => {
  test.each(Object.keys(SOURCE_FORMS))("%s in a plain output fires", (form) => {
    const s = stacks();
    new TerraformOutput(s.stack, "leak", { value: SOURCE_FORMS[form]!(s) });
    expectFired(findings(KIT_SEC_2, prepared(s)), "stack/leak", form.includes("unconfirmed"));
  });
  test.each(Object.keys(SOURCE_FORMS))("twin: %s in a sensitive output passes", (form) => {
    const s = stacks();
    new TerraformOutput(s.stack, "leak", { value: SOURCE_FORMS[form]!(s), sensitive: true });
    expect(findings(KIT_SEC_2, prepared(s))).toEqual([]);
  });
  test("a sensitive flag given as a reference cannot be confirmed", () => {
    const s = stacks();
    new TerraformOutput(s.stack, "leak", { value: tokenRef(s.stack) }).addOverride("sensitive", "${var.hide}");
    expectFired(findings(KIT_SEC_2, prepared(s)), "stack/leak", true);
  });
});

describe("KIT-SEC-1 mutations: the token into every sink form", () => {
  test.each(Object.keys(SINK_FORMS))("%s fires", (form) => {
    const s = stacks();
    const sink = SINK_FORMS[form]!;
    const path = sink.build(s.stack, tokenRef(s.stack), false);
    expectFired(findings(KIT_SEC_1, prepared(s)), path, sink.unconfirmed === true);
  });
  test.each(Object.keys(SINK_FORMS))("twin: %s passes", (form) => {
    const s = stacks();
    const sink = SINK_FORMS[form]!;
    const pool = new AgentPool(s.stack, "Pool", { name: "p" });
    sink.build(s.stack, sink.twinKeepsSecret ? pool.tokenValue() : pool.poolId, true);
    expect(findings(KIT_SEC_1, prepared(s))).toEqual([]);
  });

  test("VmAgentFleet tags holding the token: every tagged resource fires", () => {
    const s = stacks();
    new AwsProvider(s.stack, "aws", { region: "eu-west-1" });
    const pool = new AgentPool(s.stack, "Pool", { name: "p" });
    new VmAgentFleet(s.stack, "Fleet", { name: "f", os: "amazon-linux-2023", pool, ...NET, settings: { scalrUrl: "https://example.scalr.io" }, tags: { Leak: pool.tokenValue() } });
    const lines = findings(KIT_SEC_1, prepared(s)).filter((l) => / in (tags|tag\[|tag_specifications)/.test(l));
    // Every tagged resource of the fleet, and each place a launch template copies tags to.
    for (const type of ["aws_autoscaling_group", "aws_iam_role", "aws_launch_template", "aws_secretsmanager_secret", "aws_security_group"]) {
      expect(lines.filter((l) => l.includes(`: ${type} must not hold`)).length).toBeGreaterThanOrEqual(1);
    }
    expect(lines.filter((l) => l.includes("tag_specifications"))).toHaveLength(2);
  });
});

/** Runs cdktf's preparation (cross-stack references become remote state reads and outputs), then returns the consumer. */
function prepared(s: { app: App; stack: TerraformStack; producer: TerraformStack }): TerraformStack {
  for (const st of [s.producer, s.stack]) st.prepareStack();
  return s.stack;
}
