import { parseHandlerConfig } from "../../../agent/serverless/config";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack, Testing, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { ServerlessAgentPool, ServerlessAgentPoolProps } from "../../../constructs/ecs/serverless-agent-pool";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { warningsOf } from "../../support/annotations";
import { messageOf } from "../../support/errors";
import { FakeEcs, ecsReply, startFakeEcs } from "../../support/fake-ecs";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://acme.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

function newStack(app = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function build(props: Partial<ServerlessAgentPoolProps> = {}): { json: any; pool: ServerlessAgentPool } {
  const stack = newStack();
  const pool = new ServerlessAgentPool(stack, "Serverless", { name: "scalr-serverless", settings: { scalrUrl: SCALR_URL }, ...NET, ...props });
  return { json: JSON.parse(Testing.synth(stack)), pool };
}

const only = (json: any, type: string): any => {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};
// The webhook handler (the pool also has its task-events Lambda).
const webhookFn = (json: any): any => {
  const all = Object.values<any>(json.resource.aws_lambda_function).filter((f) => f.function_name.endsWith("-webhook"));
  expect(all).toHaveLength(1);
  return all[0];
};
const policy = (json: any, name: string): any[] => decodeTerraformJson(Object.values<any>(json.resource.aws_iam_role_policy).find((p) => p.name === name).policy).Statement;

describe("ServerlessAgentPool", () => {
  const { json } = build();

  test("the Scalr pool calls the API's /trigger with the API key as a sensitive header", () => {
    const pool = only(json, "scalr_agent_pool");
    expect(pool.vcs_enabled).toBe(false);
    expect(pool.api_gateway_url).toMatch(/^\$\{aws_api_gateway_stage\.Serverless_Stage_[0-9A-F]+\.invoke_url\}\/trigger$/);
    expect(pool.header).toEqual([{ name: "x-api-key", value: expect.stringMatching(/^\$\{sensitive\(aws_api_gateway_api_key\.Serverless_ApiKey_[0-9A-F]+\.value\)\}$/), sensitive: true }]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("the pool's token fills the secret the task definition reads; the task runs one agent with the local driver", () => {
    expect(only(json, "aws_secretsmanager_secret_version").secret_string).toMatch(/^\$\{scalr_agent_pool_token\.Serverless_Pool_Token-default_[0-9A-F]+\.token\}$/);
    const c = decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions)[0];
    const env = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ SCALR_URL, SCALR_AGENT_SINGLE: "true", SCALR_AGENT_DRIVER: "local", SCALR_AGENT_WORKER_ON_STOP_ACTION: "drain" });
    expect(c.secrets).toEqual([{ name: "SCALR_AGENT_TOKEN", valueFrom: expect.stringMatching(/^<ref:aws_secretsmanager_secret\./) }]);
    expect(c.stopTimeout).toBe(120);
    expect(only(json, "aws_ecs_task_definition")).toMatchObject({ cpu: "2048", memory: "4096" });
  });

  test("the API method requires the key; the usage plan throttles and caps a day", () => {
    expect(only(json, "aws_api_gateway_method")).toMatchObject({ http_method: "POST", authorization: "NONE", api_key_required: true });
    expect(only(json, "aws_api_gateway_usage_plan")).toMatchObject({ throttle_settings: { rate_limit: 20, burst_limit: 100 }, quota_settings: { limit: 100000, period: "DAY" } });
    expect(only(json, "aws_api_gateway_usage_plan_key")).toMatchObject({ key_type: "API_KEY" });
    expect(only(json, "aws_api_gateway_rest_api").policy).toBeUndefined();
  });

  test("the intake defaults follow Fargate's launch limits: 20 req/s (RunTask's rate), a burst of 100 (the task launch bucket) held by 100 concurrent handlers", () => {
    const plan = only(json, "aws_api_gateway_usage_plan");
    expect(plan.throttle_settings.burst_limit).toBeLessThanOrEqual(webhookFn(json).reserved_concurrent_executions);
    expect(warningsOf(build().pool).filter((w) => w.includes("burstLimit"))).toEqual([]);
  });

  test("a supplied throttle and concurrency replace the defaults", () => {
    const { json: j } = build({ maxConcurrentLaunches: 250, throttle: { rateLimit: 40, burstLimit: 250, dailyQuota: 400_000 } });
    expect(only(j, "aws_api_gateway_usage_plan")).toMatchObject({ throttle_settings: { rate_limit: 40, burst_limit: 250 }, quota_settings: { limit: 400000, period: "DAY" } });
    expect(webhookFn(j).reserved_concurrent_executions).toBe(250);
  });

  test("warns when the burst admits more deliveries than the handler's concurrency holds", () => {
    const { pool } = build({ maxConcurrentLaunches: 20 });
    expect(warningsOf(pool).filter((w) => w.includes("burstLimit"))).toEqual([
      expect.stringMatching(/^stack\/Serverless: `throttle\.burstLimit` \(100\) is above `maxConcurrentLaunches` \(20\): deliveries past the Lambda's concurrency are refused by Lambda/),
    ]);
  });

  test("fails when throttle.burstLimit is 0 or maxConcurrentLaunches above 1000", () => {
    expect(messageOf(() => build({ throttle: { burstLimit: 0 } }))).toMatch(/stack\/Serverless: `throttle\.burstLimit` .*got: 0/);
    expect(messageOf(() => build({ maxConcurrentLaunches: 1001 }))).toMatch(/stack\/Serverless: `maxConcurrentLaunches` .*got: 1001/);
  });

  test("the handler runs Node.js 22 with a concurrency cap, its own log group, and the environment contract", () => {
    const fn = webhookFn(json);
    expect(fn).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", reserved_concurrent_executions: 100, timeout: 30 });
    expect(fn.filename).toMatch(/^assets\/Serverless_HandlerCode_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/);
    expect(Object.keys(fn.environment.variables).sort()).toEqual(["ASSIGN_PUBLIC_IP", "CLUSTER_ARN", "SECURITY_GROUP_IDS", "SUBNET_IDS", "TASK_DEFINITION_ARN"]);
    expect(fn.environment.variables).toMatchObject({ ASSIGN_PUBLIC_IP: "DISABLED", SUBNET_IDS: "subnet-0aaa1111,subnet-0bbb2222" });
    const logGroups = Object.values<any>(json.resource.aws_cloudwatch_log_group).map((g) => [g.name, g.retention_in_days]);
    expect(logGroups).toEqual(expect.arrayContaining([["/ecs/scalr-serverless", 30], ["/aws/lambda/scalr-serverless-webhook", 30]]));
  });

  test("the handler's role: RunTask on the task family in its cluster, PassRole on the two roles to ECS only, its own logs; no wildcard action", () => {
    const st = policy(json, "start-agent-tasks");
    expect(st.map((s) => s.Action)).toEqual([["ecs:RunTask"], ["ecs:ListTasks"], ["ecs:TagResource"], ["iam:PassRole"], ["logs:CreateLogStream", "logs:PutLogEvents"]]);
    expect(st[0].Resource).toEqual([expect.stringMatching(/^\$\{aws_ecs_task_definition\..*\.arn_without_revision\}:\*$/)]);
    expect(st[0].Condition).toEqual({ ArnEquals: { "ecs:cluster": expect.stringMatching(/^<ref:aws_ecs_cluster\./) } });
    // ListTasks authorizes on container instances (none on Fargate): "*", held to the cluster by condition.
    expect(st[1]).toMatchObject({ Sid: "FindDeliveryTask", Resource: "*", Condition: { ArnEquals: { "ecs:cluster": st[0].Condition.ArnEquals["ecs:cluster"] } } });
    expect(st[3].Resource).toEqual([expect.stringMatching(/^<ref:aws_iam_role\.Serverless_Agent_ExecutionRole_/), expect.stringMatching(/^<ref:aws_iam_role\.Serverless_Agent_TaskRole_/)]);
    expect(st[3].Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    for (const s of st) for (const a of s.Action) expect(a).not.toContain("*");
  });

  test("alarms on handler errors and throttles, API 5xx, failed launches, tasks that failed to start and time to start", () => {
    const alarms = Object.values<any>(json.resource.aws_cloudwatch_metric_alarm).map((a) => `${a.namespace}/${a.metric_name}`);
    expect(alarms.sort()).toEqual(["AWS/ApiGateway/5XXError", "AWS/Lambda/Errors", "AWS/Lambda/Throttles", "ScalrAgents/scalr-serverless/AgentLaunchFailures", "ScalrAgents/scalr-serverless/TasksFailedToStart", "ScalrAgents/scalr-serverless/TimeToRunningMs"]);
    const launchFailures = Object.values<any>(json.resource.aws_cloudwatch_log_metric_filter).filter((f) => f.metric_transformation.name === "AgentLaunchFailures");
    expect(launchFailures).toHaveLength(1);
    expect(launchFailures[0].metric_transformation).toMatchObject({ namespace: "ScalrAgents/scalr-serverless", name: "AgentLaunchFailures" });
    expect(launchFailures[0].pattern).toBe(
      '{ ($.outcome = "ecs-failures") || ($.outcome = "no-task") || ($.outcome = "throttled") || ($.outcome = "ecs-unavailable") || ($.outcome = "ecs-error") }',
    );
  });

  test("opt-outs and options: no alarms, spot with fallback, source CIDRs, public IP", () => {
    const { json: j } = build({ alarms: false, spot: true, allowedSourceCidrs: ["203.0.113.0/24"], assignPublicIp: true, maxConcurrentLaunches: 3 });
    expect(j.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    const fn = webhookFn(j);
    expect(fn.reserved_concurrent_executions).toBe(3);
    expect(fn.environment.variables).toMatchObject({
      ASSIGN_PUBLIC_IP: "ENABLED",
      CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE_SPOT","weight":1,"base":0}]',
      FALLBACK_TO_FARGATE: "true",
    });
    expect(decodeTerraformJson(only(j, "aws_api_gateway_rest_api").policy).Statement[0].Condition).toEqual({ IpAddress: { "aws:SourceIp": ["203.0.113.0/24"] } });
  });

  test('spot "read-only": the handler launches plans and policy checks on Spot, everything else on FARGATE', () => {
    const vars = webhookFn(build({ spot: "read-only" }).json).environment.variables;
    expect(vars).toMatchObject({ CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE_SPOT","weight":1,"base":0}]', FALLBACK_TO_FARGATE: "true" });
    expect(JSON.parse(vars.STRATEGY_ACTIONS)).toEqual(["plan", "policy.check", "checkov"]);
    // What the handler makes of it: the same variables, read by its own configuration parser.
    const config = parseHandlerConfig({ ...vars, CLUSTER_ARN: "arn:aws:ecs:eu-west-1:123456789012:cluster/c", TASK_DEFINITION_ARN: "arn:aws:ecs:eu-west-1:123456789012:task-definition/t:1", SUBNET_IDS: "subnet-0aaa1111", SECURITY_GROUP_IDS: "sg-0aaa1111" });
    expect(config.strategyActions).toEqual(["plan", "policy.check", "checkov"]);
    expect(webhookFn(build({ spot: true }).json).environment.variables.STRATEGY_ACTIONS).toBeUndefined();
  });

  test("two pools count their launch failures apart: each filter and alarm uses the pool's namespace", () => {
    const stack = newStack();
    new ServerlessAgentPool(stack, "A", { name: "pool-a", settings: { scalrUrl: SCALR_URL }, ...NET });
    new ServerlessAgentPool(stack, "B", { name: "pool-b", settings: { scalrUrl: SCALR_URL }, ...NET });
    const j = JSON.parse(Testing.synth(stack));
    const filters = Object.values<any>(j.resource.aws_cloudwatch_log_metric_filter)
      .filter((f) => f.metric_transformation.name === "AgentLaunchFailures")
      .map((f) => f.metric_transformation.namespace);
    const alarms = Object.values<any>(j.resource.aws_cloudwatch_metric_alarm)
      .filter((a) => a.metric_name === "AgentLaunchFailures")
      .map((a) => a.namespace);
    expect(filters.sort()).toEqual(["ScalrAgents/pool-a", "ScalrAgents/pool-b"]);
    expect(alarms.sort()).toEqual(["ScalrAgents/pool-a", "ScalrAgents/pool-b"]);
  });

  test("exposes what it builds", () => {
    const { pool } = build();
    expect(pool.pool.kind).toBe("run");
    expect(pool.task.containerName).toBe("agent");
    expect(pool.alarms).toHaveLength(6);
    expect(Token.isUnresolved(pool.webhookUrl)).toBe(true);
  });
});

describe("ServerlessAgentPool fails at synth time", () => {
  const cases: Array<[string, Partial<ServerlessAgentPoolProps>, string]> = [
    ["when the stop timeout is over 120", { stopTimeoutSeconds: 300 }, "stack/Serverless: `stopTimeoutSeconds` must be a whole number from 2 to 120, got: 300"],
    [
      "when the CPU/memory pair is not a Fargate size",
      { cpu: 512, memoryMiB: 512 },
      "stack/Serverless: `memoryMiB` must be a memory size Fargate offers with 512 CPU units (1024–4096 in steps of 1024 MiB), got: 512",
    ],
    ["when there are no subnets", { subnetIds: [] }, "stack/Serverless: `subnetIds` must list at least one subnet (private subnets with a NAT route to Scalr), got: an array of 0"],
    [
      "when drain mode gets a short stop timeout",
      { stopTimeoutSeconds: 60 },
      'stack/Serverless: `stopTimeoutSeconds` must be 120 with `settings.shutdown.mode` "drain" (drain needs at least 120 s; Fargate allows at most 120), or use mode "graceful", got: 60',
    ],
    [
      "when a token is given as a plain string",
      { settings: { scalrUrl: SCALR_URL, token: "agent-token-literal" } as never },
      "stack/Serverless: `settings.token` is not set here: the construct creates the pool and its token, got: a plain string of 19 characters (value hidden)",
    ],
    [
      "when spot is neither a boolean nor read-only",
      { spot: "plans" as never, cpuArchitecture: "X86_64" },
      'stack/Serverless: `spot` must be true, false or "read-only", got: "plans"',
    ],
    [
      "when Fargate Spot is asked for ARM64 tasks",
      { spot: true, cpuArchitecture: "ARM64" },
      'stack/Serverless: `spot` must be false with `cpuArchitecture` "ARM64": Fargate Spot runs only X86_64 Linux tasks, got: true',
    ],
    ["when a source range is not a CIDR", { allowedSourceCidrs: ["scalr.io"] }, 'stack/Serverless: `allowedSourceCidrs[0]` must be a CIDR block such as "203.0.113.0/24", got: "scalr.io"'],
    ["when the name is not a resource name", { name: "Scalr Serverless" }, "stack/Serverless: `name` must be 1–32 letters, digits or '-', starting with a letter, got: \"Scalr Serverless\""],
  ];
  test.each(cases)("fails %s", (_name, props, expected) => {
    expect(messageOf(() => build(props))).toBe(expected);
  });
});

describe("the handler from the synthesized asset, configured by the synthesized Lambda environment", () => {
  let fake: FakeEcs;
  let dir: string;
  let handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
  let env: Record<string, string>;
  const saved = { ...process.env };
  const event = (body: unknown, key = "atask-e2e-0001") => ({
    httpMethod: "POST",
    resource: "/trigger",
    path: "/trigger",
    headers: { "Content-Type": "application/json", "Idempotency-Key": key, "x-api-key": "k" },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { requestId: "r-1" },
  });
  // One Scalr task per test: the handler finds a delivery's running task by its Idempotency-Key.
  const deliveryOf = (n: number) => ({
    task_id: `atask-e2e-000${n}`,
    action: "apply",
    run_id: `run-e2e-000${n}`,
    workspace_id: "ws-e2e-0001",
    environment_id: "env-e2e-0001",
    // Now: the handler counts its clientToken window from created_at.
    created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "+0000"),
  });
  const delivery = deliveryOf(1);
  const context = { getRemainingTimeInMillis: () => 30_000, awsRequestId: "l-1" };

  beforeAll(async () => {
    fake = await startFakeEcs();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "serverless-e2e-"));
    const app = new App({ outdir: dir });
    const stack = newStack(app);
    new ServerlessAgentPool(stack, "Serverless", { name: "scalr-serverless", settings: { scalrUrl: SCALR_URL }, ...NET });
    app.synth();
    const stackDir = path.join(dir, "stacks", "stack");
    const fn = Object.values<any>(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).resource.aws_lambda_function).find((f) => f.function_name === "scalr-serverless-webhook");
    const code = path.join(dir, "code");
    execFileSync("python3", ["-m", "zipfile", "-e", path.join(stackDir, fn.filename), code]);
    // Terraform fills the references at apply; here each gets a value of the right shape.
    const applied: Record<string, string> = {
      aws_ecs_cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/scalr-serverless",
      aws_ecs_task_definition: "arn:aws:ecs:us-east-1:123456789012:task-definition/scalr-serverless:3",
      aws_security_group: "sg-0e2e0e2e0e2e0e2e0",
    };
    env = Object.fromEntries(
      Object.entries<string>(fn.environment.variables).map(([k, v]) => [k, v.replace(/^\$\{([a-z_]+)\.[^}]+\}$/, (_m, type: string) => applied[type] ?? `unknown ${type}`)]),
    );
    for (const k of Object.keys(process.env)) if (k.startsWith("AWS_") && !k.startsWith("AWS_SDK_JS_")) delete process.env[k];
    Object.assign(process.env, env, {
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE0002",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_REGION: "us-east-1",
      AWS_CONFIG_FILE: path.join(dir, "none"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL_ECS: fake.url,
    });
    jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require(path.join(code, "index.js")).handler;
    });
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = saved;
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    fake.requests.length = 0;
    fake.clearReplies();
  });

  test("one delivery starts one task with the stack's cluster, task definition, network and idempotency token", async () => {
    const res = await handler(event(delivery), context);
    expect(res.statusCode).toBe(202);
    const [call, ...more] = fake.runTaskRequests();
    expect(more).toEqual([]);
    expect(call).toMatchObject({
      cluster: env.CLUSTER_ARN,
      taskDefinition: env.TASK_DEFINITION_ARN,
      launchType: "FARGATE",
      clientToken: "atask-e2e-0001",
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0aaa1111", "subnet-0bbb2222"], securityGroups: ["sg-0e2e0e2e0e2e0e2e0"], assignPublicIp: "DISABLED" } },
    });
  });

  test("a redelivery finds the running task (ListTasks by startedBy, scoped to the cluster) and starts no other", async () => {
    const first = JSON.parse((await handler(event(deliveryOf(2), "atask-e2e-0002"), context)).body);
    const second = JSON.parse((await handler(event(deliveryOf(2), "atask-e2e-0002"), context)).body);
    expect(fake.runTaskRequests().map((r) => r.clientToken)).toEqual(["atask-e2e-0002"]);
    expect(second.taskArn).toBe(first.taskArn);
    expect(fake.requests.filter((r) => r.operation === "ListTasks").map((r) => r.body)).toEqual([
      { cluster: env.CLUSTER_ARN, startedBy: "scalr/task/atask-e2e-0002", maxResults: 10 },
      { cluster: env.CLUSTER_ARN, startedBy: "scalr/task/atask-e2e-0002", maxResults: 10 },
    ]);
  });

  test("a body the handler cannot read still starts the delivery's agent (2xx): the key is what counts", async () => {
    const res = await handler(event({ ...deliveryOf(5), run_id: 42 }, "atask-e2e-0005"), context);
    expect(res.statusCode).toBe(202);
    expect(fake.runTaskRequests().map((r) => r.clientToken)).toEqual(["atask-e2e-0005"]);
  });

  test("a throttled first call is retried and answers 2xx", async () => {
    fake.respondWith(ecsReply.throttling());
    const res = await handler(event(deliveryOf(3), "atask-e2e-0003"), context);
    expect(res.statusCode).toBe(202);
    expect(fake.runTaskRequests()).toHaveLength(2);
  });

  test("ECS failures answer 5xx so Scalr redelivers, when they last the time budget", async () => {
    fake.respondWith(...Array.from({ length: 40 }, () => ecsReply.failures("RESOURCE:ENI")));
    const short = { getRemainingTimeInMillis: () => 3_000, awsRequestId: "l-2" };
    const res = await handler(event(deliveryOf(4), "atask-e2e-0004"), short);
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
  });
});

test("the method resource is an API Gateway method (binding check)", () => {
  const stack = newStack();
  new ServerlessAgentPool(stack, "Serverless", { name: "s", settings: { scalrUrl: SCALR_URL }, ...NET });
  expect(Testing.synth(stack)).toHaveResourceWithProperties(ApiGatewayMethod, { api_key_required: true });
  expect(Testing.synth(stack)).toHaveResourceWithProperties(LambdaFunction, { runtime: "nodejs22.x" });
});
