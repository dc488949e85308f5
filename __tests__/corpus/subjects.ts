import * as os from "os";
import * as path from "path";
import { App, Lazy, TerraformStack } from "cdktf";
import * as fc from "fast-check";
import { AgentSettings, resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { HelmValuesInput, renderHelmValues } from "../../agent/k8s";
import { fieldPath } from "../../core/validation";
import { renderEcsContainerEnvironment } from "../../agent/ecs/render-ecs";
import { VmUserDataOptions, renderVmUserData } from "../../agent/vm";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../constructs/ecs/fargate-agent-task";
import { ServerlessAgentPool } from "../../constructs/ecs/serverless-agent-pool";
import { HelmAgent } from "../../constructs/k8s/helm-agent";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { Environment } from "../../constructs/scalr/environment";
import { PolicyGroup } from "../../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../../constructs/scalr/provider-configuration";
import { Tag } from "../../constructs/scalr/tag";
import { Variable } from "../../constructs/scalr/variable";
import { Workspace } from "../../constructs/scalr/workspace";
import { VmAgentFleet } from "../../constructs/vm/vm-agent-fleet";
import { AutoscalerScalrIdentity } from "../../constructs/autoscaling/autoscaler-identity";
import { ScalrBackendProps, scalrBackend } from "../../constructs/scalr/scalr-backend";
import { AgentAutoscaler, AgentAutoscalerProps } from "../../constructs/autoscaling/agent-autoscaler";
import { BOOTSTRAP_SUBJECTS } from "./subjects-bootstrap";
import { CACHE_SUBJECTS } from "./subjects-cache";
import { COLLECTOR_SUBJECTS } from "./subjects-collector";
import { COLLECTOR_SERVICE_SUBJECTS } from "./subjects-collector-service";
import { ECS_OPERATIONS_SUBJECTS } from "./subjects-ecs-operations";
import { IMAGE_SUBJECTS } from "./subjects-image";
import { NETWORK_SUBJECTS } from "./subjects-network";
import { OPERATIONS_SUBJECTS } from "./subjects-operations";
import { ROTATION_SUBJECTS } from "./subjects-rotation";
import { RUN_OPTIONS_SUBJECTS } from "./subjects-run-options";
import { TIME_TO_START_SUBJECTS } from "./subjects-time-to-start";
import { TOKEN_AGE_SUBJECTS } from "./subjects-token-age";

/** Seed and run counts of the corpus: fixed, so a failure reproduces; bounded, so the suite stays fast. */
export const CORPUS = { seed: 20260731, runs: 40 } as const;

/** One app for every corpus stack: no synthesis writes to it, and a new App per run costs a temp dir. */
const OUTDIR = path.join(os.tmpdir(), "kit-corpus-never-written");
let stacks = 0;
/** A fresh stack (new App each time, so per-stack registries start empty). */
export function freshStack(): TerraformStack {
  return new TerraformStack(new App({ outdir: OUTDIR }), `corpus${stacks++}`);
}

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token";
const asmToken = () => AgentTokenSource.fromAwsSecretsManager(SECRET_ARN);

/** A valid, fully populated AgentSettings (every field a value the schema accepts). */
export function validSettings(): AgentSettings {
  return {
    scalrUrl: "https://example.scalr.io",
    token: asmToken(),
    poolKind: "run",
    name: "agent-1",
    concurrency: 2,
    single: false,
    dataDir: "/var/lib/scalr-agent",
    cacheDir: "/var/cache/scalr-agent",
    proxy: { http: "http://proxy.internal:3128", noProxy: [".corp.example"] },
    containerTask: { cpuRequest: 1, cpuLimit: 2, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
    logFormat: "json",
    debug: false,
    shutdown: { mode: "drain", gracePeriodSeconds: 3660 },
    disconnectOnStop: true,
    providerMirrors: [{ url: "https://mirror.example.com/providers/" }],
    cache: { providerCacheEnabled: true, providerCacheSizeLimitMiB: 1024 },
    telemetry: { otlpEndpoint: "otel-collector:4317", metrics: true, traces: false },
    image: "scalr/agent:1.4.0",
    extraEnv: { TF_LOG: "warn" },
  };
}

/**
 * Something the corpus feeds bad input to: a function of one input object, a valid baseline
 * input, and where errors about a mutated path should point.
 */
export interface CorpusSubject {
  readonly name: string;
  /** A valid input (the corpus checks it passes first). */
  readonly baseline: () => Record<string, unknown>;
  /** Runs the subject on `input` (throws on bad input). */
  readonly run: (input: Record<string, unknown>) => unknown;
  /** The field an error about the value at `at` names (or starts with). @default fieldPath(at) */
  readonly fieldFor?: (at: readonly (string | number)[]) => string;
}

/**
 * A run for an AgentAutoscaler that drives the fleet `make` builds, once per process: a fleet renders
 * its whole runtime (user data, task definition), and the corpus runs the autoscaler thousands of
 * times; each run adds its autoscaler to the fleet's stack under a new id.
 */
function sharedFleet(make: (stack: TerraformStack) => VmAgentFleet | EcsAgentService): (input: Record<string, unknown>) => unknown {
  let shared: { stack: TerraformStack; fleet: VmAgentFleet | EcsAgentService } | undefined;
  let runs = 0;
  return (input) => {
    if (!shared) {
      const stack = freshStack();
      shared = { stack, fleet: make(stack) };
    }
    return new AgentAutoscaler(shared.stack, `Subject${runs++}`, { ...(input as unknown as AgentAutoscalerProps), fleet: shared.fleet });
  };
}

const construct =
  <P>(ctor: new (scope: TerraformStack, id: string, props: P) => unknown) =>
  (input: Record<string, unknown>) =>
    new ctor(freshStack(), "Subject", input as P);

/**
 * Every subject of the bad-input corpus. A new construct needs only an entry here with a valid
 * baseline. (VendingMachine's spec has its own 44-case corpus of invalid specs.)
 */
export const CORPUS_SUBJECTS: readonly CorpusSubject[] = [
  { name: "resolveAgentSettings", baseline: () => ({ ...validSettings() }), run: (input) => resolveAgentSettings(input as unknown as AgentSettings) },
  {
    name: "renderEcsContainerEnvironment",
    baseline: () => ({ ...validSettings() }),
    run: (input) => renderEcsContainerEnvironment(resolveAgentSettings(input as unknown as AgentSettings), { subject: "ecs" }),
  },
  {
    name: "renderHelmValues",
    baseline: () => ({
      chart: "agent-job",
      settings: { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromKubernetesSecret("agent-token"), logFormat: "json", proxy: { http: "http://proxy:3128" } },
      replicas: 2,
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "agents", effect: "NoSchedule" }],
      allowMetadataService: false,
      storage: { dataSizeLimit: "8Gi" },
      extraValues: { agent: { podAnnotations: { team: "platform" } } },
    }),
    run: (input) => renderHelmValues(input as unknown as HelmValuesInput, { subject: "helm" }),
  },
  {
    name: "renderVmUserData",
    baseline: () => ({
      settings: { ...validSettings(), token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN), cacheDir: undefined },
      options: { os: "ubuntu-24.04", installMode: "docker", packageManagerProxy: true },
    }),
    run: (input) => renderVmUserData(input?.settings as AgentSettings, input?.options as VmUserDataOptions, { subject: "vm" }),
    // Settings and options are two arguments: their fields are named without the argument.
    fieldFor: (at) => fieldPath(at.slice(1)),
  },
  {
    name: "AgentPool",
    baseline: () => ({
      name: "aws-run",
      kind: "run",
      environments: ["env-v0o1example"],
      webhook: { url: "https://abc.execute-api.eu-west-1.amazonaws.com/prod/trigger", headers: [{ name: "x-api-key", value: Lazy.stringValue({ produce: () => "${var.key}" }), sensitive: true }] },
      tokens: ["default", "canary"],
    }),
    run: construct(AgentPool),
  },
  { name: "Environment", baseline: () => ({ name: "production", remoteBackend: true, maskSensitiveOutput: true }), run: construct(Environment) },
  {
    name: "Workspace",
    baseline: () => ({ name: "network", environment: "env-v0o1example", workingDirectory: "infra/network", autoApply: false, runTimeoutMinutes: 60, iacPlatform: "opentofu" }),
    run: construct(Workspace),
  },
  { name: "Variable", baseline: () => ({ key: "region", value: "eu-west-1", category: "terraform", environment: "env-v0o1example" }), run: construct(Variable) },
  { name: "ProviderConfiguration", baseline: () => ({ name: "k8s", kubernetes: { host: "https://k8s.example.com" } }), run: construct(ProviderConfiguration) },
  { name: "PolicyGroup", baseline: () => ({ name: "guardrails", vcsProviderId: "vcs-gh123", repository: { identifier: "acme/opa", branch: "main" } }), run: construct(PolicyGroup) },
  { name: "Tag", baseline: () => ({ name: "team-platform" }), run: construct(Tag) },
  {
    name: "HelmAgent",
    baseline: () => ({
      chart: "agent-job",
      settings: { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromKubernetesSecret("agent-token") },
      replicas: 2,
      namespace: "scalr-agents",
      nodeSelector: { "kubernetes.io/os": "linux" },
      timeoutSeconds: 600,
    }),
    run: construct(HelmAgent),
  },
  {
    // The pool supplies the token and the kind: garbage there must not reach a method call.
    name: "HelmAgent (token from pool)",
    baseline: () => ({ chart: "agent-local", settings: { scalrUrl: "https://example.scalr.io" }, pool: new AgentPool(freshStack(), "Pool", { name: "vcs", kind: "vcs" }) }),
    run: construct(HelmAgent),
  },
  {
    name: "FargateAgentTask",
    baseline: () => ({ name: "agents", vpcId: "vpc-0abc1234", settings: { scalrUrl: "https://example.scalr.io", token: asmToken(), concurrency: 1 }, cpu: 1024, memoryMiB: 2048, stopTimeoutSeconds: 120, logRetentionDays: 30 }),
    run: construct(FargateAgentTask),
  },
  {
    name: "EcsAgentService",
    baseline: () => ({
      name: "agents",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken() },
      desiredCount: 2,
      autoscaling: { minCount: 1, maxCount: 4 },
      assignPublicIp: false,
    }),
    run: construct(EcsAgentService),
  },
  {
    name: "EcsAgentService (token from pool)",
    baseline: () => ({ name: "agents", vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234"], settings: { scalrUrl: "https://example.scalr.io" }, pool: new AgentPool(freshStack(), "Pool", { name: "run" }) }),
    run: construct(EcsAgentService),
  },
  {
    name: "ServerlessAgentPool",
    baseline: () => ({
      name: "serverless",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234", "subnet-0def5678"],
      settings: { scalrUrl: "https://example.scalr.io" },
      spot: true,
      maxConcurrentLaunches: 5,
      throttle: { rateLimit: 2, burstLimit: 4, dailyQuota: 1000 },
      allowedSourceCidrs: ["203.0.113.0/24"],
      alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:alerts"] },
    }),
    run: construct(ServerlessAgentPool),
  },
  {
    name: "VmAgentFleet",
    baseline: () => ({
      name: "fleet",
      os: "amazon-linux-2023",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      instanceType: "m7i.large",
      minSize: 1,
      maxSize: 3,
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken(), concurrency: 2, proxy: { http: "http://proxy.corp:3128" } },
    }),
    run: construct(VmAgentFleet),
  },
  {
    name: "AgentAutoscaler",
    baseline: () => ({
      pool: "apool-v0o1example",
      scalrUrl: "https://example.scalr.io",
      scalrToken: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-autoscaler-AbCdEf" },
      policy: { min: 0, max: 4, minIdle: 1 },
      scheduleExpression: "rate(2 minutes)",
      alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:oncall"] },
    }),
    // The service it drives is built once and shared (the corpus mutates the autoscaler's own props;
    // each run adds its autoscaler under a new id).
    run: sharedFleet((stack) => new EcsAgentService(stack, "Agents", { name: "agents", vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234"], settings: { scalrUrl: "https://example.scalr.io", token: asmToken() } })),
  },
  {
    name: "scalrBackend",
    baseline: () => ({ hostname: "example.scalr.io", environment: "platform", workspace: "platform-network" }),
    run: (input) => scalrBackend(freshStack(), input as unknown as ScalrBackendProps),
  },
  {
    name: "AutoscalerScalrIdentity",
    baseline: () => ({
      name: "agent-autoscaler",
      description: "reads the queue",
      tokenDescription: "autoscaler token",
      accountId: "acc-v0o1example",
      customRole: { name: "autoscaler-reader", description: "reads", permissions: ["accounts:read", "agent-pools:read"] },
    }),
    run: construct(AutoscalerScalrIdentity),
  },
  {
    name: "AgentAutoscaler (VmAgentFleet)",
    baseline: () => ({
      pool: "apool-v0o1example",
      scalrUrl: "https://example.scalr.io",
      scalrToken: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-autoscaler-AbCdEf" },
      policy: { min: 0, max: 3, timeZone: "Europe/Berlin", schedules: [{ days: ["Mon", "Tue"], start: "08:00", end: "18:00", min: 1, minIdle: 1 }] },
      agentConcurrency: 2,
      runEvents: { eventBusName: "aws.partner/scalr.com/example" },
    }),
    // The group it drives (0–3 instances) is built once and shared, as above.
    run: sharedFleet(
      (stack) =>
        new VmAgentFleet(stack, "Fleet", {
          name: "agents",
          os: "amazon-linux-2023",
          vpcId: "vpc-0abc1234",
          subnetIds: ["subnet-0abc1234"],
          minSize: 0,
          maxSize: 3,
          settings: { scalrUrl: "https://example.scalr.io", token: asmToken() },
        }),
    ),
  },
  ...IMAGE_SUBJECTS,
  ...NETWORK_SUBJECTS,
  ...BOOTSTRAP_SUBJECTS,
  ...RUN_OPTIONS_SUBJECTS,
  ...OPERATIONS_SUBJECTS,
  ...ROTATION_SUBJECTS,
  ...CACHE_SUBJECTS,
  ...ECS_OPERATIONS_SUBJECTS,
  ...COLLECTOR_SUBJECTS,
  ...COLLECTOR_SERVICE_SUBJECTS,
  ...TIME_TO_START_SUBJECTS,
  ...TOKEN_AGE_SUBJECTS,
];

/** Values no input should ever hold: wrong types, NaN, huge strings, nested garbage, null and undefined. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, -0, "", " ", "undefined", "[object Object]", "x".repeat(70_000), {}, [], [[]], true, false),
  fc.constantFrom<unknown>(Symbol("corpus"), 10n ** 30n, () => "fn", new Date(0), /regex/, new Map([["a", 1]]), Object.create(null)),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 30 }),
  fc.string({ minLength: 300, maxLength: 2000 }),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.anything({ maxDepth: 2, withNullPrototype: true, withBigInt: true }), { maxKeys: 4 }),
);

/** Every path of plain-object and array values within `value` (not into class instances). */
export function pathsOf(value: unknown, at: readonly (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...at, i]);
      out.push(...pathsOf(v, [...at, i]));
    });
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out.push([...at, k]);
      out.push(...pathsOf(v, [...at, k]));
    }
  }
  return out;
}

/** A deep copy of `input` (plain objects and arrays; class instances shared) with `at` set to `value`. */
export function withValue(input: unknown, at: readonly (string | number)[], value: unknown): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  if (Array.isArray(input)) {
    const copy = [...input];
    copy[head as number] = withValue(input[head as number], rest, value);
    return copy;
  }
  const obj = input as Record<string, unknown>;
  return { ...obj, [head]: withValue(obj[head], rest, value) };
}
