import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AgentAutoscaler } from "../../../constructs/autoscaling";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { FakeScalr, startFakeScalr } from "../../agent/autoscaler/fake-scalr";
import { FakeAws, FakeInstance, startFakeAws } from "./fake-aws";

// The handler as shipped: bundled at synth into the Lambda asset, unzipped here, configured only by
// the synthesized Lambda environment (Terraform references given values of the right shape), run
// against a loopback Scalr and a loopback AWS endpoint (ECS service + Secrets Manager).

const SCALR_URL = "https://acme.scalr.io";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:scalr-autoscaler-AbCdEf";
const POOL = "apool-v0o1e2eautoscale";
const taskId = (n: number) => n.toString(16).padStart(32, "0");
const taskArn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/scalr-agents/${taskId(n)}`;

/**
 * Synthesizes a stack built by `build` (an AWS provider in us-east-1, a Scalr provider, a pool),
 * unzips the autoscaler's Lambda asset, sets the process environment to the synthesized Lambda
 * environment (each Terraform reference given its `applied` value) plus fake credentials and the
 * loopback endpoints, routes fetches of SCALR_URL to the loopback Scalr, captures stdout in `lines`,
 * and loads the handler from the asset.
 */
function shipped(
  build: (stack: TerraformStack, pool: AgentPool) => void,
  applied: Record<string, string>,
  scalr: FakeScalr,
  aws: FakeAws,
  lines: string[],
): { dir: string; env: Record<string, string>; handler: Handler } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "autoscaler-e2e-"));
  const app = new App({ outdir: dir });
  const stack = new TerraformStack(app, "stack");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new ScalrProvider(stack, "scalr", {});
  build(stack, new AgentPool(stack, "Pool", { name: "agents" }));
  app.synth();
  const stackDir = path.join(dir, "stacks", "stack");
  const fn = Object.values<any>(JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).resource.aws_lambda_function)[0];
  const code = path.join(dir, "code");
  execFileSync("python3", ["-m", "zipfile", "-e", path.join(stackDir, fn.filename), code]);
  expect(fs.readdirSync(code)).toEqual(["index.js"]);
  // Terraform fills the references at apply; here each gets a value of the right shape.
  const env = Object.fromEntries(
    Object.entries<string>(fn.environment.variables).map(([k, v]) => [k, v.replace(/^\$\{([a-z_]+)\.[^.}]+\.([a-z_]+)\}$/, (_m, type: string, attr: string) => applied[`${type}.${attr}`] ?? `unknown ${type}.${attr}`)]),
  );
  for (const k of Object.keys(process.env)) if (k.startsWith("AWS_") && !k.startsWith("AWS_SDK_JS_")) delete process.env[k];
  Object.assign(process.env, env, {
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE0003",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_SESSION_TOKEN: "session",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: path.join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_ECS: aws.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_AUTO_SCALING: aws.url,
  });
  // SCALR_URL must be https; the handler's fetch of it goes to the loopback Scalr instead.
  const realFetch = globalThis.fetch;
  jest.spyOn(globalThis, "fetch").mockImplementation((input, init) => realFetch(String(input).startsWith(`${SCALR_URL}/`) ? String(input).replace(SCALR_URL, scalr.url) : input, init));
  jest.spyOn(process.stdout, "write").mockImplementation((chunk) => (lines.push(String(chunk)), true));
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(path.join(code, "index.js")).handler;
  });
  return { dir, env, handler: handler as Handler };
}

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;

describe("the autoscaler from the synthesized asset, configured by the synthesized Lambda environment", () => {
  let scalr: FakeScalr;
  let aws: FakeAws;
  let dir: string;
  let handler: Handler;
  let env: Record<string, string>;
  const lines: string[] = [];
  const saved = { ...process.env };
  const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "l-1" };
  const scheduled = { version: "0", source: "aws.events", "detail-type": "Scheduled Event", detail: {} };

  beforeAll(async () => {
    scalr = await startFakeScalr({ token: "sa-e2e-token", pools: [{ id: POOL }], environments: [{ id: "env-a", defaultPool: null }], workspaces: [{ id: "ws-1", env: "env-a", pool: POOL }] });
    aws = await startFakeAws({ cluster: "scalr-agents", name: "scalr-agents", desired: 1, tasks: [taskArn(1)] });
    aws.secrets.set(SECRET_ARN, "sa-e2e-token\n");
    ({ dir, env, handler } = shipped(
      (stack, pool) => {
        const service = new EcsAgentService(stack, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: SCALR_URL }, vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] });
        new AgentAutoscaler(stack, "Autoscaler", {
          pool,
          fleet: service,
          scalrUrl: SCALR_URL,
          scalrToken: { secretArn: SECRET_ARN },
          policy: { min: 0, max: 5, cooldownOutSeconds: 0, cooldownInSeconds: 0, maxStepIn: 5 },
        });
      },
      { "scalr_agent_pool.id": POOL, "aws_ecs_service.name": "scalr-agents", "aws_ecs_cluster.name": "scalr-agents" },
      scalr,
      aws,
      lines,
    ));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = saved;
    await Promise.all([scalr.close(), aws.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the environment holds references to this pool, service and cluster, and no token", () => {
    expect(env).toMatchObject({ SCALR_URL, SCALR_TOKEN_SECRET_ARN: SECRET_ARN, SCALR_AGENT_POOL_ID: POOL, TARGET_KIND: "ecs", TARGET_NAME: "scalr-agents", ECS_CLUSTER: "scalr-agents" });
    expect(JSON.stringify(env)).not.toContain("sa-e2e-token");
  });

  test("a queue scales the service out: token from Secrets Manager, busy task protected first, one decision line", async () => {
    scalr.state.runs = [1, 2, 3].map((i) => ({ id: `run-${i}`, status: "plan_queued", ws: "ws-1" }));
    scalr.state.agents = [{ id: "agent-1", name: taskId(1), status: "busy", pool: POOL }];
    const result = await handler(scheduled, context);
    expect(result).toMatchObject({ outcome: "scaled", pool: POOL, queued: 3, busy: 1, current: 1, target: 4, reason: "scale-out-demand" });
    expect(aws.service.desired).toBe(4);
    expect(aws.service.protectedTasks).toEqual(new Set([taskArn(1)]));
    const ops = aws.requests.map((r) => r.operation);
    expect(ops[0]).toBe("secretsmanager:GetSecretValue");
    expect(ops.filter((o) => o.startsWith("ecs:Update"))).toEqual(["ecs:UpdateTaskProtection", "ecs:UpdateService"]);
    const secretCall = aws.requests[0];
    expect(secretCall?.body).toEqual({ SecretId: SECRET_ARN });
    expect(secretCall?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0003\/\d{8}\/us-east-1\/secretsmanager\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, /);
    expect(aws.requests.find((r) => r.operation === "ecs:UpdateService")?.body).toEqual({ cluster: "scalr-agents", service: "scalr-agents", desiredCount: 4 });
    const log = JSON.parse(lines.filter((l) => l.includes('"scalr autoscaler"')).pop() ?? "{}");
    expect(log).toMatchObject({ outcome: "scaled", queued: 3, target: 4, QueuedRuns: 3 });
    expect(lines.join("")).not.toContain("sa-e2e-token");
  });

  test("the queue drained: idle tasks lose protection before the service scales in; the token is read once", async () => {
    scalr.state.runs = [];
    aws.service.tasks = [1, 2, 3, 4].map(taskArn);
    aws.service.protectedTasks = new Set([taskArn(1), taskArn(2)]);
    scalr.state.agents = [1, 2, 3, 4].map((n) => ({ id: `agent-${n}`, name: taskId(n), status: n === 1 ? "busy" : "idle", pool: POOL }));
    aws.requests.length = 0;
    const result = await handler(scheduled, context);
    expect(result).toMatchObject({ outcome: "scaled", current: 4, target: 1, reason: "scale-in-idle" });
    expect(aws.service.desired).toBe(1);
    expect(aws.service.protectedTasks).toEqual(new Set([taskArn(1)]));
    const updates = aws.requests.filter((r) => r.operation.startsWith("ecs:Update")).map((r) => `${r.operation}:${r.body.protectionEnabled ?? r.body.desiredCount}`);
    expect(updates).toEqual(["ecs:UpdateTaskProtection:true", "ecs:UpdateTaskProtection:false", "ecs:UpdateService:1"]);
    expect(aws.requests.some((r) => r.operation === "secretsmanager:GetSecretValue")).toBe(false);
  });

  test("agents named by host, not task: every task stays protected while one is busy, then all are released", async () => {
    scalr.state.runs = [];
    aws.service.tasks = [1, 2, 3].map(taskArn);
    aws.service.protectedTasks = new Set();
    aws.service.desired = 3;
    scalr.state.agents = [1, 2, 3].map((n) => ({ id: `agent-${n}`, name: `ip-10-0-0-${n}`, status: n === 2 ? "busy" : "idle", pool: POOL }));
    const busy = await handler(scheduled, context);
    expect(busy).toMatchObject({ current: 3, target: 3, reason: "hold-unmapped-busy", protection: { guard: true } });
    expect(aws.service.desired).toBe(3);
    expect(aws.service.protectedTasks).toEqual(new Set([1, 2, 3].map(taskArn)));

    scalr.state.agents = scalr.state.agents.map((a) => ({ ...a, status: "idle" }));
    const idle = await handler(scheduled, context);
    expect(idle).toMatchObject({ outcome: "scaled", reason: "scale-in-idle", protection: { guard: false } });
    expect(aws.service.protectedTasks).toEqual(new Set());
    expect(aws.service.desired).toBeLessThan(3);
  });
});

describe("the autoscaler from the synthesized asset, driving a VmAgentFleet's Auto Scaling group", () => {
  let scalr: FakeScalr;
  let aws: FakeAws;
  let dir: string;
  let handler: Handler;
  let env: Record<string, string>;
  const lines: string[] = [];
  const saved = { ...process.env };
  const context = { getRemainingTimeInMillis: () => 60_000, awsRequestId: "l-2" };
  const scheduled = { version: "0", source: "aws.events", "detail-type": "Scheduled Event", detail: {} };
  const instance = (n: number) => `i-${n.toString(16).padStart(17, "0")}`;
  const inService = (ids: number[], protectedIds: number[] = []): FakeInstance[] => ids.map((n) => ({ id: instance(n), state: "InService", protected: protectedIds.includes(n) }));

  beforeAll(async () => {
    scalr = await startFakeScalr({ token: "sa-e2e-token", pools: [{ id: POOL }], environments: [{ id: "env-a", defaultPool: null }], workspaces: [{ id: "ws-1", env: "env-a", pool: POOL }] });
    aws = await startFakeAws({ cluster: "none", name: "none", desired: 0, tasks: [], group: { name: "vm-agents", desired: 1, min: 0, max: 5, instances: inService([1]) } });
    aws.secrets.set(SECRET_ARN, "sa-e2e-token");
    ({ dir, env, handler } = shipped(
      (stack, pool) => {
        const fleet = new VmAgentFleet(stack, "Fleet", { name: "vm-agents", os: "amazon-linux-2023", pool, minSize: 0, maxSize: 5, vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"], settings: { scalrUrl: SCALR_URL } });
        new AgentAutoscaler(stack, "Autoscaler", { pool, fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 5, cooldownOutSeconds: 0, cooldownInSeconds: 0, maxStepIn: 5 } });
      },
      { "scalr_agent_pool.id": POOL, "aws_autoscaling_group.name": "vm-agents" },
      scalr,
      aws,
      lines,
    ));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = saved;
    await Promise.all([scalr.close(), aws.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("the environment names this group (kind asg), with no cluster and no token", () => {
    expect(env).toMatchObject({ SCALR_AGENT_POOL_ID: POOL, TARGET_KIND: "asg", TARGET_NAME: "vm-agents" });
    expect(env.ECS_CLUSTER).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain("sa-e2e-token");
  });

  test("a queue scales the group out; the busy instance (its agent named after it) is protected first", async () => {
    scalr.state.runs = [1, 2, 3].map((i) => ({ id: `run-${i}`, status: "plan_queued", ws: "ws-1" }));
    scalr.state.agents = [{ id: "agent-1", name: instance(1), status: "busy", pool: POOL }];
    const result = await handler(scheduled, context);
    expect(result).toMatchObject({ outcome: "scaled", queued: 3, busy: 1, current: 1, target: 4, reason: "scale-out-demand" });
    expect(aws.group.desired).toBe(4);
    expect(aws.group.instances.find((i) => i.id === instance(1))?.protected).toBe(true);
    const calls = aws.requests.filter((r) => r.operation.startsWith("autoscaling:Set")).map((r) => `${r.operation}:${r.body.ProtectedFromScaleIn ?? r.body.DesiredCapacity}`);
    expect(calls).toEqual(["autoscaling:SetInstanceProtection:true", "autoscaling:SetDesiredCapacity:4"]);
    expect(aws.requests.find((r) => r.operation === "autoscaling:SetDesiredCapacity")?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0003\/\d{8}\/us-east-1\/autoscaling\/aws4_request, /);
  });

  test("the queue drained: idle instances lose protection, then the group scales in to the busy one", async () => {
    scalr.state.runs = [];
    aws.group.instances = inService([1, 2, 3, 4], [1, 2]);
    aws.group.desired = 4;
    scalr.state.agents = [1, 2, 3, 4].map((n) => ({ id: `agent-${n}`, name: instance(n), status: n === 1 ? "busy" : "idle", pool: POOL }));
    aws.requests.length = 0;
    const result = await handler(scheduled, context);
    expect(result).toMatchObject({ outcome: "scaled", current: 4, target: 1, reason: "scale-in-idle" });
    expect(aws.group.desired).toBe(1);
    expect(aws.group.instances.filter((i) => i.protected).map((i) => i.id)).toEqual([instance(1)]);
    const calls = aws.requests.filter((r) => r.operation.startsWith("autoscaling:Set")).map((r) => `${r.operation}:${r.body.ProtectedFromScaleIn ?? r.body.DesiredCapacity}`);
    expect(calls).toEqual(["autoscaling:SetInstanceProtection:false", "autoscaling:SetDesiredCapacity:1"]);
  });

  test("a Scalr run event decides like the schedule: the last idle instance loses protection and goes", async () => {
    scalr.state.runs = [];
    aws.group.instances = inService([1], [1]);
    aws.group.desired = 1;
    scalr.state.agents = [{ id: "agent-1", name: instance(1), status: "idle", pool: POOL }];
    aws.requests.length = 0;
    const runExecuted = { version: "0", source: "aws.partner/scalr.com/acme", "detail-type": "RunExecuted", detail: { event: { "run-id": "run-1", result: "applied" } } };
    expect(await handler(runExecuted, context)).toMatchObject({ trigger: "run-event", outcome: "scaled", target: 0 });
    expect(aws.group.instances[0]?.protected).toBe(false);
  });

  test("Scalr unreachable: the signal is unknown, capacity and protection are held", async () => {
    aws.group.instances = inService([1, 2], [1]);
    aws.group.desired = 2;
    scalr.state.faults = Array.from({ length: 20 }, () => ({ status: 503 }));
    aws.requests.length = 0;
    const result = await handler(scheduled, { ...context, getRemainingTimeInMillis: () => 12_000 });
    expect(result).toMatchObject({ outcome: "held", reason: expect.stringMatching(/unknown/) });
    expect(aws.group.desired).toBe(2);
    expect(aws.requests.filter((r) => r.operation.startsWith("autoscaling:Set"))).toEqual([]);
    scalr.state.faults = [];
  });
});
