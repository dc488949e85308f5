import { Testing } from "cdktf";
import * as fc from "fast-check";
import { AgentSettings, reservedEnvField, resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { renderAgentEnvironment } from "../../agent/settings/render-env";
import { renderEcsContainerEnvironment } from "../../agent/ecs/render-ecs";
import { renderHelmValues } from "../../agent/k8s";
import { renderVmUserData } from "../../agent/vm";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../constructs/ecs/fargate-agent-task";
import { HelmAgent } from "../../constructs/k8s/helm-agent";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { Environment } from "../../constructs/scalr/environment";
import { Tag } from "../../constructs/scalr/tag";
import { Workspace } from "../../constructs/scalr/workspace";
import { CORPUS, freshStack } from "./subjects";

/** What valid input must never turn into. */
const BROKEN = /undefined|NaN|\[object Object\]|TfToken|Token\[/;
const params = { seed: CORPUS.seed, numRuns: CORPUS.runs } as const;

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
const host = fc.tuple(label, label).map(([a, b]) => `${a}.${b}.example`);
const shutdown = fc.oneof(
  fc.record({ mode: fc.constant("drain" as const), gracePeriodSeconds: fc.integer({ min: 140, max: 86400 }) }),
  fc.record({ mode: fc.constant("graceful" as const), gracePeriodSeconds: fc.integer({ min: 30, max: 86400 }) }),
  fc.record({ mode: fc.constant("force" as const), gracePeriodSeconds: fc.integer({ min: 10, max: 86400 }) }),
);
const extraEnv = fc.dictionary(
  fc.stringMatching(/^[A-Z][A-Z0-9_]{0,15}$/).filter((n) => reservedEnvField(n) === undefined),
  fc.stringMatching(/^[a-z0-9 ./:_-]{0,30}$/),
  { maxKeys: 4 },
);
const cores = fc.integer({ min: 1, max: 6400 }).map((n) => n / 100);

/** Random AgentSettings the schema accepts (run agents, literal values so VM user data renders). */
const settings: fc.Arbitrary<AgentSettings> = fc.record(
  {
    scalrUrl: host.map((h) => `https://${h}`),
    token: fc.constant(AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent-token")),
    concurrency: fc.integer({ min: 1, max: 50 }),
    logFormat: fc.constantFrom("json" as const, "plain" as const, "dev" as const),
    debug: fc.boolean(),
    shutdown,
    disconnectOnStop: fc.boolean(),
    proxy: fc.record({ http: fc.tuple(host, fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `http://${h}:${p}`), noProxy: fc.array(host, { maxLength: 3 }) }),
    containerTask: fc.tuple(cores, cores).map(([a, b]) => ({ cpuRequest: Math.min(a, b), cpuLimit: Math.max(a, b) })),
    cache: fc.record({ providerCacheEnabled: fc.boolean(), providerCacheSizeLimitMiB: fc.integer({ min: 1, max: 1048576 }) }),
    extraEnv,
  },
  { requiredKeys: ["scalrUrl", "token"] },
);

describe("valid-but-random input renders without undefined, NaN or [object Object]", () => {
  test("AgentSettings: environment, ECS container and VM user data", () => {
    fc.assert(
      fc.property(settings, (s) => {
        const resolved = resolveAgentSettings(s);
        const env = renderAgentEnvironment(resolved, { noProxy: [] });
        for (const value of Object.values(env.variables)) expect(value).not.toMatch(BROKEN);
        expect(JSON.stringify(renderEcsContainerEnvironment(resolved, { subject: "ecs" }))).not.toMatch(BROKEN);
        expect(renderVmUserData({ ...s, driver: "docker" }, { os: "ubuntu-24.04" }).document).not.toMatch(BROKEN);
      }),
      { ...params, numRuns: Math.ceil(CORPUS.runs / 2) },
    );
  });

  test("Helm values of each chart", () => {
    const helmSettings = fc.record({ scalrUrl: host.map((h) => `https://${h}`), logFormat: fc.constantFrom("json" as const, "plain" as const), debug: fc.boolean(), extraEnv });
    fc.assert(
      fc.property(fc.constantFrom("agent-local" as const, "agent-k8s" as const, "agent-job" as const), helmSettings, fc.integer({ min: 0, max: 100 }), (chart, s, replicas) => {
        const values = renderHelmValues(
          { chart, replicas: chart === "agent-k8s" ? undefined : replicas, settings: { ...s, token: AgentTokenSource.fromKubernetesSecret("agent-token") } },
          { subject: "helm" },
        );
        expect(JSON.stringify(values)).not.toMatch(BROKEN);
      }),
      params,
    );
  });

  test("constructs synthesize: pools, Scalr objects, Fargate agents, Helm agents", () => {
    const fargate = fc.constantFrom(
      { cpu: 256, memoryMiB: 512 },
      { cpu: 1024, memoryMiB: 2048 },
      { cpu: 4096, memoryMiB: 30720 },
      { cpu: 16384, memoryMiB: 122880 },
    );
    fc.assert(
      fc.property(
        label,
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }),
        fargate,
        fc.integer({ min: 30, max: 120 }),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom("agent-local" as const, "agent-job" as const),
        (name, tokens, size, stopTimeoutSeconds, desiredCount, chart) => {
          const stack = freshStack();
          const pool = new AgentPool(stack, "Pool", { name: `${name} pool`, tokens });
          const tag = new Tag(stack, "Tag", { name: `team-${name}` });
          const env = new Environment(stack, "Env", { name: `env ${name}`, tags: [tag] });
          new Workspace(stack, "Ws", { name: `ws-${name}`, environment: env, agentPool: pool });
          new EcsAgentService(stack, "Service", {
            name: `svc-${name}`,
            pool,
            vpcId: "vpc-0abc1234",
            subnetIds: ["subnet-0abc1234"],
            desiredCount,
            ...size,
            stopTimeoutSeconds,
            settings: { scalrUrl: "https://example.scalr.io", shutdown: { mode: stopTimeoutSeconds === 120 ? "drain" : "graceful" } },
          });
          new FargateAgentTask(stack, "Task", {
            name: `task-${name}`,
            vpcId: "vpc-0abc1234",
            settings: { scalrUrl: "https://example.scalr.io", token: pool.tokenSource(tokens[tokens.length - 1]), single: true },
          });
          new HelmAgent(stack, "Helm", { chart, pool, settings: { scalrUrl: "https://example.scalr.io" } });
          expect(Testing.synth(stack)).not.toMatch(BROKEN);
        },
      ),
      { ...params, numRuns: Math.ceil(CORPUS.runs / 2) },
    );
  });
});
