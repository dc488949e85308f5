import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleWebhookHandler } from "../../../constructs/ecs/webhook-handler-bundle";
import { FakeEcs, ecsReply, startFakeEcs } from "../../support/fake-ecs";
import { API_KEY, BODY, ENV, RUN_TASK_REQUEST, lambdaContext, proxyEvent } from "./fixtures";

// The bundled handler (what the Lambda runs) with the real AWS SDK, against a local ECS endpoint.

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

let fake: FakeEcs;
let bundleDir: string;
const savedEnv = { ...process.env };
const logLines: string[] = [];

/** A fresh copy of the bundle (a cold start): it reads the environment at its first invocation. */
function coldStart(env: Record<string, string | undefined>): Handler {
  for (const k of Object.keys(process.env)) if (/^(AWS_(?!SDK_JS_)|CLUSTER_ARN|TASK_DEFINITION_ARN|SUBNET_IDS|SECURITY_GROUP_IDS|ASSIGN_PUBLIC_IP|CAPACITY_PROVIDER_STRATEGY|FALLBACK_TO_FARGATE)/.test(k)) delete process.env[k];
  Object.assign(process.env, {
    // Dummy credentials and no shared config: the SDK signs with these and looks nowhere else.
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE0001",
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key-for-loopback",
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: path.join(bundleDir, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(bundleDir, "no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_ECS: fake.url,
    ...env,
  });
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(path.join(bundleDir, "index.js")).handler;
  });
  if (handler === undefined) throw new Error("the bundle exports no handler");
  return handler;
}

beforeAll(async () => {
  fake = await startFakeEcs();
  bundleDir = bundleWebhookHandler({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), "handler-loopback-")) });
  jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    logLines.push(String(chunk));
    return true;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  process.env = savedEnv;
  await fake.close();
  fs.rmSync(bundleDir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.clearReplies();
  logLines.length = 0;
});

/** A delivery of its own Scalr task (the handler looks up running tasks by run and task ID). */
const deliveryEvent = (key: string) =>
  proxyEvent({ body: { ...BODY, task_id: key, run_id: `run-${key}` }, headers: { "Content-Type": "application/json", "Idempotency-Key": key, "x-api-key": API_KEY } });

describe("the bundled handler against a loopback ECS endpoint (real SDK)", () => {
  let handler: Handler;
  beforeAll(() => {
    handler = coldStart(ENV);
  });

  test("one valid delivery → a signed ListTasks for its task, then one signed RunTask with the configured cluster, task definition, network and clientToken → 202", async () => {
    const result = await handler(proxyEvent(), lambdaContext());
    expect(result.statusCode).toBe(202);
    const taskArn = JSON.parse(result.body).taskArn;
    expect(fake.tasks.has(taskArn)).toBe(true);
    expect(fake.requests.map((r) => r.operation)).toEqual(["ListTasks", "RunTask"]);
    const [list, req] = fake.requests;
    expect(list?.body).toEqual({ cluster: ENV.CLUSTER_ARN, startedBy: RUN_TASK_REQUEST.startedBy, maxResults: 10 });
    expect(list?.headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0001\//);
    expect(req?.headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKE0001\/\d{8}\/us-east-1\/ecs\/aws4_request/);
    expect(req?.body).toMatchObject({
      ...RUN_TASK_REQUEST,
    });
    expect(req?.body.tags).toContainEqual({ key: "scalr:run-id", value: BODY.run_id });
    const logs = logLines.filter((l) => l.includes('"scalr webhook"'));
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0] as string)).toMatchObject({ outcome: "launched", taskArn });
    expect(logLines.join("")).not.toContain(API_KEY);
  });

  test("a redelivery while the task runs → ListTasks finds it → 202 with it, no RunTask", async () => {
    const first = await handler(deliveryEvent("atask-redelivered"), lambdaContext());
    const again = await handler(deliveryEvent("atask-redelivered"), lambdaContext());
    expect(again.statusCode).toBe(202);
    expect(JSON.parse(again.body).taskArn).toBe(JSON.parse(first.body).taskArn);
    expect(fake.runTaskRequests().map((b) => b.clientToken)).toEqual(["atask-redelivered"]);
    expect(JSON.parse(logLines.filter((l) => l.includes('"scalr webhook"'))[1] as string)).toMatchObject({ outcome: "already-running" });
  });

  test("a redelivery after the task stopped → the same clientToken, and ECS answers with the same task", async () => {
    const first = await handler(deliveryEvent("atask-stopped"), lambdaContext());
    fake.stopTask(JSON.parse(first.body).taskArn);
    const again = await handler(deliveryEvent("atask-stopped"), lambdaContext());
    expect(JSON.parse(again.body).taskArn).toBe(JSON.parse(first.body).taskArn);
    expect(fake.runTaskRequests().map((b) => b.clientToken)).toEqual(["atask-stopped", "atask-stopped"]);
  });

  test("a body the handler cannot read → the delivery's agent starts anyway (202), and the log names the field", async () => {
    logLines.length = 0;
    const result = await handler(proxyEvent({ body: '{"task_id": 7}', headers: { "Content-Type": "application/json", "Idempotency-Key": "atask-unreadable", "x-api-key": API_KEY } }), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(fake.requests.map((r) => r.operation)).toEqual(["ListTasks", "RunTask"]);
    const log = JSON.parse(logLines.find((l) => l.includes("scalr webhook")) as string);
    expect(log).toMatchObject({ outcome: "launched", malformed: ["task_id: must be a string (the agent task ID)"], missing: expect.arrayContaining(["run_id", "created_at"]) });
  });

  test("no Idempotency-Key and no readable task_id → 400 and no call", async () => {
    const result = await handler(proxyEvent({ body: "{}", headers: { "Content-Type": "application/json", "x-api-key": API_KEY } }), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).message).toMatch(/^`Idempotency-Key` is required/);
    expect(fake.requests).toHaveLength(0);
  });

  test("a throttled first call → retried → 202", async () => {
    fake.respondWith(ecsReply.throttling());
    const result = await handler(deliveryEvent("atask-throttled"), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(fake.runTaskRequests().map((b) => b.clientToken)).toEqual(["atask-throttled", "atask-throttled"]);
    expect(JSON.parse(logLines.find((l) => l.includes('"scalr webhook"')) as string)).toMatchObject({ outcome: "launched", attempts: 2 });
  });

  test("ECS failures → 503 with the reasons after one RunTask with the delivery's token (Scalr redelivers)", async () => {
    fake.respondWith(ecsReply.failures("RESOURCE:ENI"));
    const result = await handler(deliveryEvent("atask-failing"), lambdaContext(3_000));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).failures).toEqual([{ reason: "RESOURCE:ENI" }]);
    expect(fake.runTaskRequests().map((b) => b.clientToken)).toEqual(["atask-failing"]);
  });

  test("ECS replays a failed token's answer: a redelivery in the same window gets the failures again (the next window's token launches: unit-tested with a virtual clock)", async () => {
    fake.respondWith(ecsReply.failures("RESOURCE:ENI"));
    expect((await handler(deliveryEvent("atask-cached"), lambdaContext(3_000))).statusCode).toBe(503);
    fake.clearReplies();
    expect((await handler(deliveryEvent("atask-cached"), lambdaContext())).statusCode).toBe(503);
    expect(fake.runTaskRequests().map((b) => b.clientToken)).toEqual(["atask-cached", "atask-cached"]);
  });

  test("an access error → 502 after one RunTask (the SDK does not retry on its own)", async () => {
    fake.respondWith(ecsReply.error("AccessDeniedException", "not authorized to perform: ecs:RunTask"));
    const result = await handler(deliveryEvent("atask-denied"), lambdaContext());
    expect(result.statusCode).toBe(502);
    expect(fake.runTaskRequests()).toHaveLength(1);
  });
});

describe("the bundled handler, other configurations", () => {
  test("FARGATE_SPOT with fallback: a capacity failure → a FARGATE launch with another token → 202", async () => {
    const handler = coldStart({
      ...ENV,
      CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE_SPOT","weight":1}]',
      FALLBACK_TO_FARGATE: "true",
    });
    fake.respondWith(ecsReply.capacityUnavailable());
    const result = await handler(deliveryEvent("atask-spot"), lambdaContext());
    expect(result.statusCode).toBe(202);
    const [spot, onDemand] = fake.runTaskRequests();
    expect(spot).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }], clientToken: "atask-spot" });
    expect(spot.launchType).toBeUndefined();
    expect(onDemand).toMatchObject({ launchType: "FARGATE" });
    expect(onDemand.clientToken).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a bad Lambda environment → 500 with a log line, no call", async () => {
    const handler = coldStart({ ...ENV, TASK_DEFINITION_ARN: "scalr-agent-run" });
    const result = await handler(proxyEvent(), lambdaContext());
    expect(result.statusCode).toBe(500);
    expect(fake.requests).toHaveLength(0);
    expect(logLines.join("")).toContain("`TASK_DEFINITION_ARN` must be an ECS task definition ARN");
  });
});
