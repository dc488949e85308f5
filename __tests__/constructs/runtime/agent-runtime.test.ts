import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { IssueCollector } from "../../../core/issues";
import { isToken } from "../../../core/validation";
import { AgentRuntime, checkTokenSource, resolveRuntimeSettings } from "../../../constructs/runtime/agent-runtime";
import { AgentPool } from "../../../constructs/scalr/agent-pool";

const SCALR_URL = "https://acme.scalr.io";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf";

/** A runtime like VmAgentFleet's: both pool kinds, a Terraform value or a Secrets Manager secret. */
const LENIENT: AgentRuntime = {
  tokenSources: { accepted: ["terraform", "aws-secrets-manager"], message: "must be a Terraform value or a Secrets Manager secret", example: "AgentTokenSource.fromAwsSecretsManager(arn)" },
};
/** A runtime like the ECS constructs': run pools only, any other token value reported by the runtime. */
const STRICT: AgentRuntime = {
  poolKinds: { accepted: ["run"], message: "must be a run pool" },
  poolKindMatchesPool: false,
  tokenSources: { accepted: ["terraform", "aws-secrets-manager"], message: "must be a Terraform value or a Secrets Manager secret on ECS", strict: true },
};

function pools(): { run: AgentPool; vcs: AgentPool } {
  const stack = new TerraformStack(Testing.app(), "stack");
  return { run: new AgentPool(stack, "Run", { name: "run" }), vcs: new AgentPool(stack, "Vcs", { name: "vcs", kind: "vcs" }) };
}

function resolve(input: { settings: any; pool?: AgentPool }, runtime: AgentRuntime) {
  const issues = new IssueCollector({ subject: "stack/Agent" });
  const settings = resolveRuntimeSettings(issues, input, runtime);
  return { settings, issues: issues.issues.map((i) => `${i.field} ${i.message}, got: ${i.received}`) };
}

describe("resolveRuntimeSettings", () => {
  test("takes the token and the kind from the pool", () => {
    const { vcs } = pools();
    const { settings, issues } = resolve({ settings: { scalrUrl: SCALR_URL }, pool: vcs }, LENIENT);
    expect(issues).toEqual([]);
    expect(settings?.poolKind).toBe("vcs");
    expect(settings?.token.kind).toBe("terraform");
    expect(isToken(settings?.token.value)).toBe(true);
    expect(settings?.scalrUrl).toBe(SCALR_URL);
  });

  test("a token in the settings wins over the pool's; without a pool the kind defaults to run", () => {
    const { run } = pools();
    const token = AgentTokenSource.fromAwsSecretsManager(SECRET_ARN);
    expect(resolve({ settings: { scalrUrl: SCALR_URL, token }, pool: run }, LENIENT).settings?.token).toBe(token);
    expect(resolve({ settings: { scalrUrl: SCALR_URL, token } }, LENIENT).settings?.poolKind).toBe("run");
  });

  test("without a token or a pool: required, with the runtime's example when it has one; the settings still come back, with a stand-in token", () => {
    const { settings, issues } = resolve({ settings: { scalrUrl: SCALR_URL } }, LENIENT);
    expect(issues).toEqual(["settings.token is required when `pool` is not given (e.g. AgentTokenSource.fromAwsSecretsManager(arn)), got: nothing"]);
    expect(settings).toMatchObject({ scalrUrl: SCALR_URL, poolKind: "run", token: { kind: "terraform" } });
    // The stand-in never reaches a configuration: resolving it throws.
    const stack = new TerraformStack(Testing.app(), "stack");
    new TerraformOutput(stack, "leak", { value: settings?.token.value });
    expect(() => Testing.synth(stack)).toThrow(/stand-in agent token/);
    expect(resolve({ settings: { scalrUrl: SCALR_URL } }, STRICT).issues).toEqual(["settings.token is required when `pool` is not given, got: nothing"]);
  });

  test("a pool kind the runtime does not serve, and settings.poolKind against the pool, are reported together with the token", () => {
    const { run, vcs } = pools();
    // The settings are checked as the agent the runtime would run: a run agent.
    expect(resolve({ settings: { scalrUrl: SCALR_URL }, pool: vcs }, STRICT)).toMatchObject({ settings: { poolKind: "run" }, issues: ['pool must be a run pool, got: "vcs"'] });
    const file = AgentTokenSource.fromFile("/run/token");
    expect(resolve({ settings: { scalrUrl: SCALR_URL, poolKind: "vcs", token: file }, pool: run }, LENIENT)).toEqual({
      settings: { scalrUrl: SCALR_URL, poolKind: "run", token: file },
      issues: ['settings.poolKind must match `pool` (a run pool), or be left unset, got: "vcs"', 'settings.token must be a Terraform value or a Secrets Manager secret, got: "file"'],
    });
    // A runtime that leaves settings.poolKind to AgentSettings keeps it as given.
    expect(resolve({ settings: { scalrUrl: SCALR_URL, poolKind: "vcs" }, pool: run }, STRICT)).toMatchObject({ settings: { poolKind: "vcs" }, issues: [] });
  });

  test("a value that is no token source: left to AgentSettings, unless the runtime is strict (never echoed)", () => {
    const literal = { scalrUrl: SCALR_URL, token: "agent-token-literal" };
    expect(resolve({ settings: literal }, LENIENT)).toEqual({ settings: { ...literal, poolKind: "run" }, issues: [] });
    const strict = resolve({ settings: literal }, STRICT);
    expect(strict.issues).toEqual(["settings.token must be a Terraform value or a Secrets Manager secret on ECS, got: a plain string of 19 characters (value hidden)"]);
    expect(strict.settings?.token).toBeInstanceOf(AgentTokenSource);
  });

  test("settings the props schema rejected resolve to nothing; a rejected pool neither gives a token nor asks for one", () => {
    const rejected = new IssueCollector({ subject: "stack/Agent" });
    rejected.add("settings", "must be an object of agent settings", "x");
    expect(resolveRuntimeSettings(rejected, { settings: "x" as never }, LENIENT)).toBeUndefined();
    const whole = new IssueCollector({ subject: "stack/Agent" });
    whole.add("", "must be an object", undefined);
    expect(resolveRuntimeSettings(whole, undefined as never, LENIENT)).toBeUndefined();
    const pool = new IssueCollector({ subject: "stack/Agent" });
    pool.add("pool", "must be an AgentPool", { kind: "vcs" });
    expect(resolveRuntimeSettings(pool, { settings: { scalrUrl: SCALR_URL }, pool: { kind: "vcs" } as never }, LENIENT)).toMatchObject({ poolKind: "run", token: { kind: "terraform" } });
    expect(pool.issues.map((i) => i.field)).toEqual(["pool"]);
  });
});

describe("checkTokenSource", () => {
  test("accepts the runtime's sources, reports another kind by name, and stands in for a value a strict runtime rejects", () => {
    const issues = new IssueCollector({ subject: "s" });
    const asm = AgentTokenSource.fromAwsSecretsManager(SECRET_ARN);
    const k8s = AgentTokenSource.fromKubernetesSecret("token");
    expect(checkTokenSource(issues, asm, STRICT)).toBe(asm);
    expect(checkTokenSource(issues, k8s, STRICT)).toBe(k8s);
    expect(checkTokenSource(issues, undefined, STRICT)).toBeInstanceOf(AgentTokenSource);
    expect(checkTokenSource(issues, "literal", LENIENT)).toBe("literal");
    expect(issues.issues.map((i) => i.received)).toEqual(['"kubernetes-secret"', "nothing"]);
  });
});
