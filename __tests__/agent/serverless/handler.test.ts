import { ANSWER_MARGIN_MS, API_GATEWAY_TIMEOUT_MS, createHandler, timeBudgetMs } from "../../../agent/serverless/handler";
import { API_KEY, BODY, ENV, IDEMPOTENCY_KEY, lambdaContext, proxyEvent, scriptedRunTask } from "./fixtures";

const TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/scalr-agents/aa11bb22cc33dd44ee55ff6677889900";

function setup(env: Record<string, string | undefined> = ENV, ...steps: Parameters<typeof scriptedRunTask>) {
  const ecs = scriptedRunTask(...steps);
  const lines: string[] = [];
  let envReads = 0;
  let clientsMade = 0;
  const handler = createHandler({
    env: () => {
      envReads++;
      return env;
    },
    createRunTask: () => {
      clientsMade++;
      return ecs.run;
    },
    write: (line) => lines.push(line),
    sleep: async () => undefined,
  });
  return { handler, ecs, lines, counts: () => ({ envReads, clientsMade }) };
}

describe("handler (API Gateway transport)", () => {
  test("a delivery answers 202 with the task ARN and writes one JSON log line, without headers or the API key", async () => {
    const s = setup(ENV, { taskArn: TASK_ARN });
    const result = await s.handler(proxyEvent(), lambdaContext());
    expect(result).toEqual({ statusCode: 202, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ taskArn: TASK_ARN }) });
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]?.endsWith("\n")).toBe(true);
    expect(s.lines[0]?.slice(0, -1)).not.toContain("\n");
    const log = JSON.parse(s.lines[0] as string);
    expect(log).toMatchObject({
      level: "info",
      message: "scalr webhook",
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      method: "POST",
      outcome: "launched",
      status: 202,
      taskId: BODY.task_id,
      runId: BODY.run_id,
      clientToken: IDEMPOTENCY_KEY,
      taskArn: TASK_ARN,
    });
    expect(typeof log.durationMs).toBe("number");
    expect(s.lines[0]).not.toContain(API_KEY);
    expect(s.lines[0]).not.toMatch(/x-api-key|headers/i);
  });

  test("a base64 body (binary media types) is decoded", async () => {
    const s = setup(ENV, { taskArn: TASK_ARN });
    expect((await s.handler(proxyEvent({ base64: true }), lambdaContext())).statusCode).toBe(202);
  });

  test("a malformed body answers 400 naming the field, logs at warn, and calls nothing", async () => {
    const s = setup(ENV);
    const result = await s.handler(proxyEvent({ body: { ...BODY, run_id: undefined } }), lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).message).toBe("`run_id` is required");
    expect(JSON.parse(s.lines[0] as string)).toMatchObject({ level: "warn", outcome: "rejected", invalid: ["run_id"] });
    expect(s.ecs.calls).toHaveLength(0);
  });

  test("an event that is not an API Gateway proxy event answers 400", async () => {
    const s = setup(ENV);
    const result = await s.handler({ detail: "not from API Gateway" }, lambdaContext());
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).message).toMatch(/^`httpMethod` must be a string/);
  });

  test("a PUT answers 405", async () => {
    const s = setup(ENV);
    const result = await s.handler(proxyEvent({ method: "PUT" }), lambdaContext());
    expect(result.statusCode).toBe(405);
    expect(result.headers).toMatchObject({ Allow: "POST" });
  });

  test("a bad configuration answers 500 on every request with a log line naming the variables, read once, never throwing", async () => {
    const s = setup({ ...ENV, SUBNET_IDS: "", ASSIGN_PUBLIC_IP: "yes" });
    for (let i = 0; i < 2; i++) {
      const result = await s.handler(proxyEvent(), lambdaContext());
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body).message).toBe("the webhook handler is misconfigured; see its logs");
    }
    const log = JSON.parse(s.lines[1] as string);
    expect(log).toMatchObject({ level: "error", outcome: "config-error", status: 500 });
    expect(log.error.message).toContain("`SUBNET_IDS` must name at least one");
    expect(log.error.message).toContain("`ASSIGN_PUBLIC_IP` must be");
    expect(s.counts()).toEqual({ envReads: 1, clientsMade: 0 });
  });

  test("the ECS client is made at the first request, once", async () => {
    const s = setup(ENV, { taskArn: TASK_ARN }, { taskArn: TASK_ARN });
    expect(s.counts().clientsMade).toBe(0);
    await s.handler(proxyEvent(), lambdaContext());
    await s.handler(proxyEvent(), lambdaContext());
    expect(s.counts()).toEqual({ envReads: 1, clientsMade: 1 });
  });

  test("the time budget is the Lambda's remaining time less the answer margin, capped by API Gateway's 29 s", async () => {
    const s = setup(ENV, { taskArn: TASK_ARN });
    await s.handler(proxyEvent(), lambdaContext(5_000));
    expect(s.ecs.calls[0]?.timeoutMs).toBe(5_000 - ANSWER_MARGIN_MS);
    const late = setup(ENV);
    const result = await late.handler(proxyEvent(), lambdaContext(2_000));
    expect(result.statusCode).toBe(503); // 1 s left after the margin: not enough for a call
    expect(late.ecs.calls).toHaveLength(0);
  });

  test("API Gateway's 29 s run from when it received the request (requestTimeEpoch): time spent before the Lambda started counts", async () => {
    const received = 1_800_000_000_000;
    const ecs = scriptedRunTask({ taskArn: TASK_ARN });
    const handler = createHandler({ env: () => ENV, createRunTask: () => ecs.run, write: () => undefined, now: () => received + 25_000, sleep: async () => undefined });
    const event = { ...proxyEvent(), requestContext: { ...proxyEvent().requestContext, requestTimeEpoch: received } };
    // The Lambda has 30 s left, but API Gateway answers Scalr 4 s from now.
    await handler(event, lambdaContext(30_000));
    expect(ecs.calls[0]?.timeoutMs).toBe(4_000 - ANSWER_MARGIN_MS);
  });

  test("the budget is the smaller of the Lambda's remaining time and API Gateway's deadline", () => {
    const now = 1_000_000;
    expect(timeBudgetMs(10_000, now - 1_000, now)).toBe(10_000 - ANSWER_MARGIN_MS);
    expect(timeBudgetMs(30_000, now - 10_000, now)).toBe(API_GATEWAY_TIMEOUT_MS - 10_000 - ANSWER_MARGIN_MS);
    expect(timeBudgetMs(60_000, undefined, now)).toBe(API_GATEWAY_TIMEOUT_MS - ANSWER_MARGIN_MS);
    expect(timeBudgetMs(60_000, "soon", now)).toBe(API_GATEWAY_TIMEOUT_MS - ANSWER_MARGIN_MS);
  });

  test("a ListTasks call is made once per cold start and used before RunTask", async () => {
    let made = 0;
    const ecs = scriptedRunTask();
    const handler = createHandler({
      env: () => ENV,
      createRunTask: () => ecs.run,
      createListTasks: () => {
        made++;
        return async () => ({ taskArns: [TASK_ARN] });
      },
      write: () => undefined,
    });
    const first = await handler(proxyEvent(), lambdaContext());
    await handler(proxyEvent(), lambdaContext());
    expect(JSON.parse(first.body)).toEqual({ taskArn: TASK_ARN });
    expect(made).toBe(1);
    expect(ecs.calls).toHaveLength(0);
  });

  test("with minutes left, throttling is retried for at most API Gateway's 29 s less the margin", async () => {
    let t = 0;
    const ecs = scriptedRunTask(...Array.from({ length: 50 }, () => Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })));
    const handler = createHandler({
      env: () => ENV,
      createRunTask: () => async (input, opts) => {
        t += 2_000; // each call takes 2 s
        return ecs.run(input, opts);
      },
      write: () => undefined,
      now: () => t,
      sleep: async (ms) => void (t += ms),
      random: () => 0.99,
    });
    const result = await handler(proxyEvent(), lambdaContext(900_000));
    expect(result.statusCode).toBe(503);
    expect(t).toBeLessThanOrEqual(API_GATEWAY_TIMEOUT_MS - ANSWER_MARGIN_MS);
    expect(t).toBeGreaterThan(20_000);
  });

  test("an unexpected error answers 500 with a log line instead of throwing", async () => {
    const handler = createHandler({
      env: () => ENV,
      createRunTask: () => {
        throw new Error("region is missing");
      },
      write: (line) => lines.push(line),
    });
    const lines: string[] = [];
    const result = await handler(proxyEvent(), lambdaContext());
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ outcome: "handler-error", error: { message: "region is missing" } });
  });
});
