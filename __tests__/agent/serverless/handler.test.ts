import { createHash } from "crypto";
import { ANSWER_MARGIN_MS, API_GATEWAY_TIMEOUT_MS, createHandler, timeBudgetMs } from "../../../agent/serverless/handler";
import { CLIENT_TOKEN_WINDOW_MS, RETRY, ListTasksCall, RunTaskCall } from "../../../agent/serverless";
import { API_KEY, BODY, BODY_CREATED_MS, ENV, IDEMPOTENCY_KEY, lambdaContext, proxyEvent, scriptedRunTask, sdkError } from "./fixtures";

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
    // A fake clock, 10 s after BODY's created_at: never the wall clock.
    now: () => BODY_CREATED_MS + 10_000,
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

  test("a body without run_id still launches its agent (202); the log line says what was missing", async () => {
    const s = setup(ENV, { taskArn: TASK_ARN });
    const result = await s.handler(proxyEvent({ body: { ...BODY, run_id: undefined } }), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(s.lines[0] as string)).toMatchObject({ level: "info", outcome: "launched", missing: ["run_id"], idempotencyKey: IDEMPOTENCY_KEY });
    expect(s.ecs.calls).toHaveLength(1);
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

/**
 * The webhook's answers (docs/decisions/0008-webhook-answers.md), through the handler, on a fake
 * clock: 2xx means a task for this delivery exists; 4xx only for a request that cannot be a Scalr
 * delivery; 5xx for everything Scalr may redeliver.
 */
describe("the webhook contract", () => {
  const sha256 = (v: string) => createHash("sha256").update(v, "utf8").digest("hex");
  const arnOf = (token: string) => `arn:aws:ecs:us-east-1:123456789012:task/scalr-agents/${sha256(token).slice(0, 32)}`;

  /**
   * A fake ECS that keeps state like the real one: RunTask is idempotent on its clientToken (the
   * first answer is replayed), and ListTasks finds the tasks started with a `startedBy`.
   */
  function fakeEcs(firstAnswer: (token: string) => "task" | "failure" = () => "task") {
    const answers = new Map<string, { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> }>();
    const byStartedBy = new Map<string, string[]>();
    const runTokens: string[] = [];
    const runTask: RunTaskCall = async (input) => {
      const token = input.clientToken as string;
      runTokens.push(token);
      if (!answers.has(token)) {
        if (firstAnswer(token) === "task") {
          answers.set(token, { tasks: [{ taskArn: arnOf(token) }], failures: [] });
          byStartedBy.set(input.startedBy as string, [...(byStartedBy.get(input.startedBy as string) ?? []), arnOf(token)]);
        } else answers.set(token, { tasks: [], failures: [{ reason: "RESOURCE:ENI" }] });
      }
      return answers.get(token) as { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> };
    };
    const listTasks: ListTasksCall = async (input) => ({ taskArns: byStartedBy.get(input.startedBy as string) ?? [] });
    return { runTask, listTasks, runTokens, byStartedBy };
  }

  function handlerOn(ecs: { runTask: RunTaskCall; listTasks?: ListTasksCall }, clock: { t: number }) {
    const lines: string[] = [];
    const handler = createHandler({
      env: () => ENV,
      createRunTask: () => ecs.runTask,
      ...(ecs.listTasks ? { createListTasks: () => ecs.listTasks as ListTasksCall } : {}),
      write: (line) => lines.push(line),
      now: () => clock.t,
      sleep: async (ms) => void (clock.t += ms),
      random: () => 0.5,
    });
    return { handler, lines, log: (i = lines.length - 1) => JSON.parse(lines[i] as string) };
  }

  const delivery = (key: string | undefined, body: unknown) =>
    proxyEvent({ body, headers: { "Content-Type": "application/json", "x-api-key": API_KEY, ...(key === undefined ? {} : { "Idempotency-Key": key }) } });

  test("2xx: a delivery with a key and no body at all starts its agent; the log lists every field that was missing", async () => {
    const clock = { t: BODY_CREATED_MS };
    const ecs = fakeEcs();
    const h = handlerOn(ecs, clock);
    const result = await h.handler(delivery("atask-nobody", ""), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body).taskArn).toBe(ecs.byStartedBy.get("scalr/task/atask-nobody")?.[0]);
    expect(h.log()).toMatchObject({ outcome: "launched", missing: ["body"], tokenBasis: "clock", idempotencyKey: "atask-nobody" });
  });

  test("2xx: Scalr's AWS module's own test body, {}, launches too", async () => {
    const h = handlerOn(fakeEcs(), { t: BODY_CREATED_MS });
    const result = await h.handler(delivery("atask-empty-object", "{}"), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(h.log().missing).toEqual(["task_id", "action", "run_id", "workspace_id", "environment_id", "created_at"]);
  });

  test("2xx is never another delivery's task: keys that differ only in characters ECS does not take in startedBy each get their own task", async () => {
    const clock = { t: BODY_CREATED_MS + 10_000 };
    const ecs = fakeEcs();
    const h = handlerOn(ecs, clock);
    const a = await h.handler(delivery("atask.1", { ...BODY, task_id: "atask.1" }), lambdaContext());
    const b = await h.handler(delivery("atask_1", { ...BODY, task_id: "atask_1" }), lambdaContext());
    expect(h.log(1)).toMatchObject({ outcome: "launched" });
    expect(JSON.parse(a.body).taskArn).not.toBe(JSON.parse(b.body).taskArn);
    // A redelivery of the first, with a body that lost its fields, finds the first's task.
    const again = await h.handler(delivery("atask.1", "{}"), lambdaContext());
    expect(JSON.parse(again.body).taskArn).toBe(JSON.parse(a.body).taskArn);
    expect(h.log()).toMatchObject({ outcome: "already-running" });
  });

  test("a garbled created_at still gets a deterministic token, and a failed launch gets a new token in the next window", async () => {
    const failing = new Set<string>();
    const clock = { t: BODY_CREATED_MS + 10_000 };
    let outage = true;
    const ecs = fakeEcs((token) => {
      if (outage) failing.add(token);
      return outage ? "failure" : "task";
    });
    const body = { ...BODY, created_at: "02/11/2026 10:15" };
    const first = handlerOn(ecs, clock);
    expect((await first.handler(delivery(IDEMPOTENCY_KEY, body), lambdaContext())).statusCode).toBe(503);
    expect(first.log()).toMatchObject({ outcome: "ecs-failures", tokenBasis: "clock", malformed: ["created_at: not a timestamp like 2026-11-02T10:15:00+0000"] });
    // The same delivery on another handler instance (another Lambda) in the same window: the same token.
    const second = handlerOn(ecs, clock);
    expect((await second.handler(delivery(IDEMPOTENCY_KEY, body), lambdaContext())).statusCode).toBe(503);
    expect(ecs.runTokens[1]).toBe(ecs.runTokens[0]);
    outage = false;
    clock.t += CLIENT_TOKEN_WINDOW_MS;
    expect((await second.handler(delivery(IDEMPOTENCY_KEY, body), lambdaContext())).statusCode).toBe(202);
    expect(failing.has(ecs.runTokens[2] as string)).toBe(false);
  });

  test("5xx after retries: transient and unreadable ECS answers are retried within the time budget, then 503", async () => {
    const clock = { t: BODY_CREATED_MS + 10_000 };
    const answers: Array<Error | "empty"> = [sdkError("ServerException", 500), "empty", Object.assign(new SyntaxError("Unexpected end of JSON input"), { $metadata: { httpStatusCode: 200 } })];
    const tokens: string[] = [];
    const runTask: RunTaskCall = async (input) => {
      tokens.push(input.clientToken as string);
      const next = answers.shift();
      if (next === undefined) return { tasks: [{ taskArn: arnOf("x") }], failures: [] };
      if (next === "empty") return {};
      throw next;
    };
    const h = handlerOn({ runTask }, clock);
    const result = await h.handler(delivery(IDEMPOTENCY_KEY, BODY), lambdaContext());
    expect(result.statusCode).toBe(202);
    expect(h.log()).toMatchObject({ outcome: "launched", attempts: 4 });
    expect(new Set(tokens)).toEqual(new Set([IDEMPOTENCY_KEY]));

    const always: RunTaskCall = async () => ({});
    const started = clock.t;
    const g = handlerOn({ runTask: always }, clock);
    const failed = await g.handler(delivery(IDEMPOTENCY_KEY, BODY), lambdaContext());
    expect(failed.statusCode).toBe(503);
    expect(g.log()).toMatchObject({ outcome: "no-task", status: 503 });
    expect(g.log().attempts).toBeLessThanOrEqual(RETRY.maxAttempts);
    expect(clock.t - started).toBeLessThanOrEqual(API_GATEWAY_TIMEOUT_MS - ANSWER_MARGIN_MS);
  });

  test("4xx only for what cannot be a Scalr delivery: no key at all (400), another method (405)", async () => {
    const ecs = fakeEcs();
    const h = handlerOn(ecs, { t: BODY_CREATED_MS });
    expect((await h.handler(delivery(undefined, "{}"), lambdaContext())).statusCode).toBe(400);
    expect((await h.handler(proxyEvent({ method: "GET" }), lambdaContext())).statusCode).toBe(405);
    expect(ecs.runTokens).toEqual([]);
    // Without the header, a readable task_id is the key (Scalr sends the same value in both).
    expect((await h.handler(delivery(undefined, BODY), lambdaContext())).statusCode).toBe(202);
    expect(h.log()).toMatchObject({ idempotencyKey: BODY.task_id, missing: ["Idempotency-Key"] });
  });
});
