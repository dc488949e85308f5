import { createHash } from "crypto";
import {
  CLIENT_TOKEN_WINDOW_MS,
  HandlerConfig,
  RETRY,
  chainClientTokenFor,
  classifyError,
  clockClientTokenFor,
  fallbackClientTokenFor,
  launchAgentTask,
  parseHandlerConfig,
  parseScalrTime,
  windowClientTokenFor,
} from "../../../agent/serverless";
import { BODY, BODY_TAGS, ENV, IDEMPOTENCY_KEY, RUN_TASK_REQUEST, scriptedRunTask, sdkError, virtualRuntime } from "./fixtures";

const config: HandlerConfig = parseHandlerConfig(ENV);
const spot: HandlerConfig = parseHandlerConfig({
  ...ENV,
  CAPACITY_PROVIDER_STRATEGY: JSON.stringify([{ capacityProvider: "FARGATE_SPOT", weight: 3 }, { capacityProvider: "FARGATE", weight: 1, base: 1 }]),
  FALLBACK_TO_FARGATE: "true",
});
const sha256 = (v: string) => createHash("sha256").update(v, "utf8").digest("hex");
const TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/scalr-agents/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

const post = (body: unknown = BODY, headers: Record<string, string> = { "Idempotency-Key": IDEMPOTENCY_KEY }) => ({
  method: "POST",
  headers,
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const json = (r: { response: { body: string } }) => JSON.parse(r.response.body);

describe("launchAgentTask", () => {
  test("a valid delivery starts one task with the configured cluster, task definition and network, and answers 202 with its ARN", async () => {
    const ecs = scriptedRunTask({ taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(202);
    expect(json(result)).toEqual({ taskArn: TASK_ARN });
    expect(ecs.calls).toHaveLength(1);
    expect(ecs.calls[0]?.input).toEqual({
      ...RUN_TASK_REQUEST,
      tags: BODY_TAGS,
      propagateTags: "TASK_DEFINITION",
    });
    expect(result.log).toEqual({
      outcome: "launched",
      status: 202,
      idempotencyKey: IDEMPOTENCY_KEY,
      taskId: BODY.task_id,
      runId: BODY.run_id,
      workspaceId: BODY.workspace_id,
      environmentId: BODY.environment_id,
      action: BODY.action,
      clientToken: IDEMPOTENCY_KEY,
      taskArn: TASK_ARN,
      attempts: 1,
      fallback: false,
    });
  });

  test("a redelivery makes the same RunTask request, with the same clientToken", async () => {
    const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN });
    await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(ecs.calls[1]?.input).toEqual(ecs.calls[0]?.input);
  });

  test("without an Idempotency-Key the token is task_id; the header name is case-insensitive", async () => {
    const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN }, { taskArn: TASK_ARN });
    await launchAgentTask(post(BODY, {}), config, ecs.run, virtualRuntime());
    await launchAgentTask(post(BODY, { "idempotency-key": "lower-case-key" }), config, ecs.run, virtualRuntime());
    await launchAgentTask(post(BODY, { "Idempotency-Key": "  " }), config, ecs.run, virtualRuntime());
    expect(ecs.calls.map((c) => c.input.clientToken)).toEqual([BODY.task_id, "lower-case-key", BODY.task_id]);
  });

  test("a key ECS would not accept as a token (over 64 characters, or not printable ASCII) is hashed, deterministically", async () => {
    const long = `atask-${"x".repeat(80)}`;
    const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN }, { taskArn: TASK_ARN });
    await launchAgentTask(post(BODY, { "Idempotency-Key": long }), config, ecs.run, virtualRuntime());
    await launchAgentTask(post(BODY, { "Idempotency-Key": long }), config, ecs.run, virtualRuntime());
    await launchAgentTask(post(BODY, { "Idempotency-Key": "clé avec espace" }), config, ecs.run, virtualRuntime());
    const [a, b, c] = ecs.calls.map((x) => x.input.clientToken);
    expect(a).toBe(createHash("sha256").update(long).digest("hex"));
    expect(b).toBe(a);
    expect(c).toMatch(/^[0-9a-f]{64}$/);
  });

  test("startedBy is the key's alone, within ECS's 128 characters of A-Za-z0-9_/-, and never shared by two keys", async () => {
    const keys = ["atask-1", "a.b", "a_b", `atask-${"k".repeat(111)}`, `atask-${"k".repeat(112)}`, "scalr/task/x", "clé"];
    const ecs = scriptedRunTask(...keys.map(() => ({ taskArn: TASK_ARN })));
    for (const key of keys) await launchAgentTask(post({ ...BODY, run_id: "run.with:odd@chars" }, { "Idempotency-Key": key }), config, ecs.run, virtualRuntime());
    const startedBy = ecs.calls.map((c) => c.input.startedBy as string);
    expect(startedBy[0]).toBe("scalr/task/atask-1");
    expect(startedBy[3]).toBe(`scalr/task/atask-${"k".repeat(111)}`);
    expect(startedBy[4]).toBe(`scalr/sha256/${sha256(`atask-${"k".repeat(112)}`)}`);
    for (const s of startedBy) expect(s).toMatch(/^[A-Za-z0-9_/-]{1,128}$/);
    expect(new Set(startedBy).size).toBe(keys.length);
  });

  test("a method other than POST answers 405 with Allow: POST and calls nothing", async () => {
    const ecs = scriptedRunTask();
    const result = await launchAgentTask({ ...post(), method: "GET" }, config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(405);
    expect(result.response.headers).toMatchObject({ Allow: "POST" });
    expect(result.log.outcome).toBe("method-not-allowed");
    expect(ecs.calls).toHaveLength(0);
  });

  describe("a delivery with a key launches whatever its body holds; what was missing or unreadable is logged", () => {
    const withoutTask: Record<string, string> = { ...BODY };
    delete withoutTask.task_id;
    const cases: Array<[string, unknown, { missing?: string[]; malformed?: RegExp[] }]> = [
      ["task_id is missing", withoutTask, { missing: ["task_id"] }],
      ["action is null", { ...BODY, action: null }, { missing: ["action"] }],
      ["run_id is not a string", { ...BODY, run_id: 42 }, { malformed: [/^run_id: must be a string \(the run ID\)$/] }],
      ["workspace_id is empty", { ...BODY, workspace_id: "" }, { malformed: [/^workspace_id: must not be empty/] }],
      ["environment_id has a space", { ...BODY, environment_id: "env 1" }, { malformed: [/^environment_id: must hold only letters/] }],
      ["action is too long", { ...BODY, action: "a".repeat(65) }, { malformed: [/^action: must be at most 64 characters/] }],
      ["created_at is not a timestamp", { ...BODY, created_at: "yesterday" }, { malformed: [/^created_at: not a timestamp like 2026-11-02T10:15:00\+0000$/] }],
      ["the body is empty", "", { missing: ["body"] }],
      ["the body is not JSON", "{task_id:", { malformed: [/^body: not valid JSON$/] }],
      ["the body is a JSON array", [BODY], { malformed: [/^body: not a JSON object$/] }],
      ["the body is Scalr's AWS module's test, {}", {}, { missing: ["task_id", "action", "run_id", "workspace_id", "environment_id", "created_at"] }],
      ["the body is over 64 KiB", { ...BODY, padding: "p".repeat(70_000) }, { malformed: [/^body: larger than 65536 bytes, not read$/] }],
    ];
    test.each(cases)("%s", async (_name, body, expected) => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN });
      const result = await launchAgentTask(post(body), config, ecs.run, virtualRuntime());
      expect(result.response.statusCode).toBe(202);
      expect(json(result)).toEqual({ taskArn: TASK_ARN });
      expect(ecs.calls).toHaveLength(1);
      expect(ecs.calls[0]?.input).toMatchObject({ startedBy: `scalr/task/${IDEMPOTENCY_KEY}`, tags: expect.arrayContaining([{ key: "scalr:idempotency-key", value: IDEMPOTENCY_KEY }]) });
      expect(result.log.outcome).toBe("launched");
      expect(result.log.idempotencyKey).toBe(IDEMPOTENCY_KEY);
      if (expected.missing) expect(result.log.missing).toEqual(expected.missing);
      else expect(result.log.missing).toBeUndefined();
      if (expected.malformed) expect(result.log.malformed).toEqual(expected.malformed.map((m) => expect.stringMatching(m)));
      else expect(result.log.malformed).toBeUndefined();
    });

    test("tags hold the key and only the fields that arrived readable", async () => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN });
      await launchAgentTask(post({ run_id: BODY.run_id, action: 7 }), config, ecs.run, virtualRuntime());
      expect(ecs.calls[0]?.input.tags).toEqual([
        { key: "scalr:idempotency-key", value: IDEMPOTENCY_KEY },
        { key: "scalr:run-id", value: BODY.run_id },
      ]);
    });

    test("without an Idempotency-Key and without a readable task_id, there is no delivery to launch: 400, no call", async () => {
      for (const body of [{ ...BODY, task_id: undefined }, "", { ...BODY, task_id: 5 }]) {
        const ecs = scriptedRunTask();
        const result = await launchAgentTask(post(body, {}), config, ecs.run, virtualRuntime());
        expect(result.response.statusCode).toBe(400);
        expect(json(result).message).toMatch(/^`Idempotency-Key` is required: Scalr sends the agent task ID in it/);
        expect(result.log).toMatchObject({ outcome: "rejected", status: 400, invalid: ["Idempotency-Key"] });
        expect(ecs.calls).toHaveLength(0);
      }
    });

    test("an Idempotency-Key over 1024 characters is not used; a readable task_id stands in", async () => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN });
      const result = await launchAgentTask(post(BODY, { "Idempotency-Key": "k".repeat(1025) }), config, ecs.run, virtualRuntime());
      expect(result.response.statusCode).toBe(202);
      expect(ecs.calls[0]?.input.clientToken).toBe(BODY.task_id);
      expect(result.log.malformed).toEqual(["Idempotency-Key: longer than 1024 characters"]);
    });
  });

  test("fields Scalr may add later are ignored", async () => {
    const ecs = scriptedRunTask({ taskArn: TASK_ARN });
    const result = await launchAgentTask(post({ ...BODY, agent_pool_id: "apool-1", extra: { nested: true } }), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(202);
  });

  test("a throttled call is retried after a jittered backoff, then answers 202", async () => {
    const rt = virtualRuntime(28_000, () => 0.5);
    const ecs = scriptedRunTask(sdkError("ThrottlingException", 400), sdkError("ThrottlingException", 400), { taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, rt);
    expect(result.response.statusCode).toBe(202);
    expect(result.log).toMatchObject({ outcome: "launched", attempts: 3 });
    expect(rt.sleeps).toEqual([RETRY.baseMs * 0.5, RETRY.baseMs * 2 * 0.5]);
    expect(new Set(ecs.calls.map((c) => c.input.clientToken))).toEqual(new Set([IDEMPOTENCY_KEY]));
  });

  test("HTTP 429, ServerException and network errors are retried too", async () => {
    const network = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const ecs = scriptedRunTask(sdkError("TooManyRequests", 429), sdkError("ServerException", 500), network, { taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.log).toMatchObject({ outcome: "launched", attempts: 4 });
  });

  test("throttling that outlasts the time budget answers 503, and no attempt starts without time to finish", async () => {
    const rt = virtualRuntime(10_000, () => 0.99);
    const throttled = Array.from({ length: 20 }, () => sdkError("ThrottlingException", 400));
    const ecs = scriptedRunTask(...throttled);
    const start = rt.now();
    const run: typeof ecs.run = async (input, opts) => {
      expect(rt.now() + RETRY.minAttemptMs).toBeLessThanOrEqual(start + 10_000);
      rt.advance(300); // each call takes 300 ms
      return ecs.run(input, opts);
    };
    const result = await launchAgentTask(post(), config, run, rt);
    expect(result.response.statusCode).toBe(503);
    expect(result.response.headers).toMatchObject({ "Retry-After": "10" });
    expect(result.log).toMatchObject({ outcome: "throttled", error: { name: "ThrottlingException" } });
    expect(ecs.calls.length).toBeGreaterThan(2);
    expect(ecs.calls.length).toBeLessThanOrEqual(RETRY.maxAttempts);
    expect(rt.now() - start).toBeLessThanOrEqual(10_000);
  });

  test("no more than maxAttempts calls even with time to spare", async () => {
    const ecs = scriptedRunTask(...Array.from({ length: 20 }, () => sdkError("ThrottlingException", 400)));
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime(1_000_000, () => 0));
    expect(result.log).toMatchObject({ outcome: "throttled", attempts: RETRY.maxAttempts });
  });

  test("each attempt is bounded by the attempt timeout and by the time left", async () => {
    const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN });
    await launchAgentTask(post(), config, ecs.run, virtualRuntime(28_000));
    await launchAgentTask(post(), config, ecs.run, virtualRuntime(5_000));
    expect(ecs.calls.map((c) => c.timeoutMs)).toEqual([RETRY.attemptTimeoutMs, 5_000]);
  });

  test("too little time left to make a call answers 503 without calling", async () => {
    const ecs = scriptedRunTask();
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime(RETRY.minAttemptMs - 1));
    expect(result.response.statusCode).toBe(503);
    expect(ecs.calls).toHaveLength(0);
  });

  test("ECS failures answer 503 at once, with the reasons (Scalr redelivers); one token per invocation", async () => {
    const ecs = scriptedRunTask({ failures: [{ reason: "RESOURCE:ENI" }] }, { taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(503);
    expect(json(result).failures).toEqual([{ reason: "RESOURCE:ENI" }]);
    expect(ecs.calls.map((c) => c.input.clientToken)).toEqual([IDEMPOTENCY_KEY]);
    expect(result.log).toMatchObject({ outcome: "ecs-failures", attempts: 1 });
  });

  test("tokens: the key in the first window after created_at, then sha256(key + \":\" + i)", () => {
    const created = "2026-11-02T10:15:00+0000";
    const at = (minutes: number) => Date.parse("2026-11-02T10:15:00Z") + minutes * 60_000;
    expect([0, 1, 2].map((i) => chainClientTokenFor("k", i))).toEqual(["k", sha256("k:0"), sha256("k:1")]);
    expect(windowClientTokenFor("k", created, at(-3))).toEqual({ token: sha256("k:-2"), index: -1, basis: "created_at" });
    expect(windowClientTokenFor("k", created, at(4.9))).toEqual({ token: "k", index: 0, basis: "created_at" });
    expect(windowClientTokenFor("k", created, at(5))).toEqual({ token: sha256("k:0"), index: 1, basis: "created_at" });
    expect(windowClientTokenFor("k", created, at(12))).toEqual({ token: sha256("k:1"), index: 2, basis: "created_at" });
    expect(CLIENT_TOKEN_WINDOW_MS).toBe(300_000);
  });

  test("created_at is read in Scalr's format and its ISO 8601 variants; anything else is not a time", () => {
    const t = Date.parse("2026-11-02T10:15:00Z");
    for (const text of ["2026-11-02T10:15:00+0000", "2026-11-02T10:15:00Z", "2026-11-02 10:15:00+00:00", "2026-11-02T12:15:00+0200", "2026-11-02T05:15:00-05", "2026-11-02T10:15", "2026-11-02T10:15:00"]) {
      expect([text, parseScalrTime(text)]).toEqual([text, t]);
    }
    expect(parseScalrTime("2026-11-02T10:15:00.250+0000")).toBe(t + 250);
    expect(parseScalrTime("2026-11-02T10:15:00.123456Z")).toBe(t + 123);
    for (const text of ["yesterday", "", "2026-02-31T10:15:00Z", "2026-13-02T10:15:00Z", "2026-11-02T24:00:00Z", "1730542500", "2026-11-02T10:15:00+2500", "2026-11-02"]) {
      expect([text, parseScalrTime(text)]).toEqual([text, undefined]);
    }
  });

  describe("every created_at the handler accepts rotates the token every window, deterministically per delivery", () => {
    const W = CLIENT_TOKEN_WINDOW_MS;
    const now = Date.parse("2026-11-02T10:15:00Z") + 42_000;
    const tokensOver = (createdAt: string | undefined, key = "k") => [0, 1, 2, 3].map((i) => windowClientTokenFor(key, createdAt, now + i * W).token);

    test.each([
      ["Scalr's format", "2026-11-02T10:15:00+0000"],
      ["garbled", "yesterday"],
      ["missing", undefined],
      ["a day that does not exist", "2026-02-31T10:15:00Z"],
      ["far in the future", "2099-01-01T00:00:00Z"],
      ["long ago", "1970-01-01T00:00:00Z"],
      ["a few minutes ahead (clock skew)", "2026-11-02T10:18:00+0000"],
    ])("%s", (_name, createdAt) => {
      const tokens = tokensOver(createdAt);
      expect(new Set(tokens).size).toBe(4);
      expect(tokensOver(createdAt)).toEqual(tokens);
      expect(tokensOver(createdAt, "other-key").some((t) => tokens.includes(t))).toBe(false);
      for (const t of tokens) expect(t).toMatch(/^[\x21-\x7e]{1,64}$/);
    });

    test("without a usable created_at the windows follow the clock: sha256(key + \":clock:\" + window)", () => {
      const window = Math.floor(now / W);
      expect(windowClientTokenFor("k", "yesterday", now)).toEqual({ token: clockClientTokenFor("k", window), index: window, basis: "clock" });
      expect(clockClientTokenFor("k", window)).toBe(sha256(`k:clock:${window}`));
      expect(windowClientTokenFor("k", "2099-01-01T00:00:00Z", now).basis).toBe("clock");
      // Within the skew, a created_at ahead of the clock counts windows from it: -1 before it.
      expect(windowClientTokenFor("k", "2026-11-02T10:18:00+0000", now)).toEqual({ token: sha256("k:-2"), index: -1, basis: "created_at" });
    });

    test("a redelivery whose created_at is garbled launches in the next clock window after a failed one", async () => {
      const answers = new Map<string, { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> }>();
      let outage = true;
      const run = async (input: { clientToken?: string }) => {
        const token = input.clientToken as string;
        if (!answers.has(token)) answers.set(token, outage ? { tasks: [], failures: [{ reason: "RESOURCE:ENI" }] } : { tasks: [{ taskArn: TASK_ARN }], failures: [] });
        return answers.get(token) as { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> };
      };
      const garbled = post({ ...BODY, created_at: "not a time" });
      const first = await launchAgentTask(garbled, config, run, virtualRuntime(28_000, () => 0.5, now));
      expect(first.response.statusCode).toBe(503);
      expect(first.log).toMatchObject({ tokenBasis: "clock", malformed: ["created_at: not a timestamp like 2026-11-02T10:15:00+0000"] });
      outage = false;
      expect((await launchAgentTask(garbled, config, run, virtualRuntime(28_000, () => 0.5, now + W))).response.statusCode).toBe(202);
    });
  });

  test("against an ECS that replays each token's first answer: redeliveries in the window repeat it; the next window launches", async () => {
    let outage = true;
    const answers = new Map<string, { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> }>();
    const calls: string[] = [];
    const run = async (input: { clientToken?: string }) => {
      const token = input.clientToken as string;
      calls.push(token);
      if (!answers.has(token)) answers.set(token, outage ? { tasks: [], failures: [{ reason: "RESOURCE:ENI" }] } : { tasks: [{ taskArn: TASK_ARN }], failures: [] });
      return answers.get(token) as { tasks: Array<{ taskArn: string }>; failures: Array<{ reason: string }> };
    };
    const created = Date.parse(BODY.created_at.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
    const at = (ms: number) => ({ ...virtualRuntime(), now: () => created + ms });
    expect((await launchAgentTask(post(), config, run, at(10_000))).response.statusCode).toBe(503);
    outage = false;
    expect((await launchAgentTask(post(), config, run, at(60_000))).response.statusCode).toBe(503);
    expect((await launchAgentTask(post(), config, run, at(CLIENT_TOKEN_WINDOW_MS + 1_000))).response.statusCode).toBe(202);
    expect(calls).toEqual([IDEMPOTENCY_KEY, IDEMPOTENCY_KEY, sha256(`${IDEMPOTENCY_KEY}:0`)]);
  });

  describe("with ListTasks", () => {
    const list = (...answers: Array<string[] | Error>) => {
      const calls: any[] = [];
      const listTasks = async (input: any) => {
        calls.push(input);
        const a = answers.shift();
        if (a === undefined) throw new Error("unexpected ListTasks call");
        if (a instanceof Error) throw a;
        return { taskArns: a };
      };
      return { listTasks, calls };
    };

    test("a task the delivery already started (running or pending) is the answer: 202, no RunTask", async () => {
      const ecs = scriptedRunTask();
      const lt = list([TASK_ARN]);
      const result = await launchAgentTask(post(), config, { runTask: ecs.run, listTasks: lt.listTasks }, virtualRuntime());
      expect(result.response.statusCode).toBe(202);
      expect(json(result)).toEqual({ taskArn: TASK_ARN });
      expect(result.log).toMatchObject({ outcome: "already-running", taskArn: TASK_ARN, attempts: 0 });
      expect(lt.calls).toEqual([{ cluster: ENV.CLUSTER_ARN, startedBy: `scalr/task/${IDEMPOTENCY_KEY}`, maxResults: 10 }]);
      expect(ecs.calls).toHaveLength(0);
    });

    test("no running task: RunTask as usual", async () => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN });
      const result = await launchAgentTask(post(), config, { runTask: ecs.run, listTasks: list([]).listTasks }, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "launched", attempts: 1 });
      expect(result.log.lookupError).toBeUndefined();
    });

    test("a throttled ListTasks is retried; a ListTasks that keeps failing is logged and the launch goes ahead", async () => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN });
      const retried = list(sdkError("ThrottlingException", 400), [TASK_ARN]);
      expect((await launchAgentTask(post(), config, { runTask: ecs.run, listTasks: retried.listTasks }, virtualRuntime())).log.outcome).toBe("already-running");
      const denied = list(sdkError("AccessDeniedException", 400));
      const result = await launchAgentTask(post(), config, { runTask: ecs.run, listTasks: denied.listTasks }, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "launched", lookupError: { name: "AccessDeniedException" } });
    });
  });

  test("an answer with neither a task nor a failure is retried within the budget with the same token; if it stays so, 503", async () => {
    const rt = virtualRuntime(28_000, () => 0.5);
    const ecs = scriptedRunTask({ empty: true }, { empty: true }, { taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, rt);
    expect(result.response.statusCode).toBe(202);
    expect(result.log).toMatchObject({ outcome: "launched", attempts: 3 });
    expect(new Set(ecs.calls.map((c) => c.input.clientToken))).toEqual(new Set([IDEMPOTENCY_KEY]));
    const never = scriptedRunTask(...Array.from({ length: RETRY.maxAttempts }, () => ({ empty: true as const })));
    const failed = await launchAgentTask(post(), config, never.run, virtualRuntime());
    expect(failed.response.statusCode).toBe(503);
    expect(failed.log).toMatchObject({ outcome: "no-task", attempts: RETRY.maxAttempts });
  });

  test("an answer the SDK could not read (no HTTP status, or a 2xx it failed to parse) is retried like a transient error", async () => {
    const unparsable = Object.assign(new SyntaxError("Unexpected token < in JSON"), { $metadata: { httpStatusCode: 200 } });
    const shapeless = "not even an Error";
    const ecs = scriptedRunTask(unparsable, Object.assign(new Error(shapeless), { name: "Error" }), { taskArn: TASK_ARN });
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(202);
    expect(result.log).toMatchObject({ outcome: "launched", attempts: 3 });
    expect(classifyError(undefined)).toBe("transient");
    expect(classifyError(sdkError("InvalidParameterException", 400))).toBe("fatal");
    expect(classifyError(Object.assign(new Error("x"), { name: "ClusterNotFoundException" }))).toBe("fatal");
  });

  test("an error ECS will repeat (access denied, bad parameter) answers 502 after one call", async () => {
    const ecs = scriptedRunTask(sdkError("AccessDeniedException", 400));
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(502);
    expect(result.log).toMatchObject({ outcome: "ecs-error", attempts: 1, error: { name: "AccessDeniedException" } });
    expect(ecs.calls).toHaveLength(1);
  });

  test("a ConflictException naming the task this token started answers 202 with that task", async () => {
    const ecs = scriptedRunTask(sdkError("ConflictException", 400, { resourceIds: [TASK_ARN] }));
    const result = await launchAgentTask(post(), config, ecs.run, virtualRuntime());
    expect(result.response.statusCode).toBe(202);
    expect(json(result)).toEqual({ taskArn: TASK_ARN });
  });

  describe("Fargate Spot", () => {
    test("a capacity provider strategy replaces the launch type", async () => {
      const ecs = scriptedRunTask({ taskArn: TASK_ARN });
      await launchAgentTask(post(), spot, ecs.run, virtualRuntime());
      expect(ecs.calls[0]?.input).toMatchObject({
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 3 }, { capacityProvider: "FARGATE", weight: 1, base: 1 }],
      });
      expect(ecs.calls[0]?.input.launchType).toBeUndefined();
    });

    test("a capacity failure falls back once to launch type FARGATE, with its own deterministic token", async () => {
      const capacity = { failures: [{ reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" }] };
      const ecs = scriptedRunTask(capacity, { taskArn: TASK_ARN }, capacity, { taskArn: TASK_ARN });
      const first = await launchAgentTask(post(), spot, ecs.run, virtualRuntime());
      await launchAgentTask(post(), spot, ecs.run, virtualRuntime());
      expect(first.response.statusCode).toBe(202);
      expect(first.log).toMatchObject({ outcome: "launched", fallback: true, attempts: 2 });
      const [primary, fallback, primary2, fallback2] = ecs.calls.map((c) => c.input);
      expect(fallback?.launchType).toBe("FARGATE");
      expect(fallback?.capacityProviderStrategy).toBeUndefined();
      expect(fallback?.clientToken).toMatch(/^[0-9a-f]{64}$/);
      expect(fallback?.clientToken).not.toBe(primary?.clientToken);
      expect(fallback?.networkConfiguration).toEqual(primary?.networkConfiguration);
      expect([primary2?.clientToken, fallback2?.clientToken]).toEqual([primary?.clientToken, fallback?.clientToken]);
    });

    test("with STRATEGY_ACTIONS only those task types use the strategy: a plan on Spot, an apply or an untyped delivery on FARGATE", async () => {
      const plansOnSpot = { ...spot, strategyActions: ["plan", "policy.check"] };
      const ecs = scriptedRunTask({ taskArn: TASK_ARN }, { taskArn: TASK_ARN }, { taskArn: TASK_ARN });
      await launchAgentTask(post({ ...BODY, action: "plan" }), plansOnSpot, ecs.run, virtualRuntime());
      await launchAgentTask(post({ ...BODY, action: "apply" }, { "Idempotency-Key": "task-apply-1" }), plansOnSpot, ecs.run, virtualRuntime());
      const untyped: Record<string, unknown> = { ...BODY };
      delete untyped.action;
      await launchAgentTask(post(untyped, { "Idempotency-Key": "task-untyped-1" }), plansOnSpot, ecs.run, virtualRuntime());
      const [plan, apply, none] = ecs.calls.map((c) => c.input);
      expect(plan).toMatchObject({ capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT" }, { capacityProvider: "FARGATE" }] });
      expect(plan?.launchType).toBeUndefined();
      for (const input of [apply, none]) {
        expect(input?.launchType).toBe("FARGATE");
        expect(input?.capacityProviderStrategy).toBeUndefined();
      }
      // An on-demand delivery keeps its own primary token (not the fallback's).
      expect(apply?.clientToken).toBe("task-apply-1");
    });

    test("an on-demand delivery never falls back (its capacity failure is not Spot's)", async () => {
      const ecs = scriptedRunTask({ failures: [{ reason: "Capacity is unavailable at this time." }] }, { taskArn: TASK_ARN });
      const result = await launchAgentTask(post({ ...BODY, action: "apply" }), { ...spot, strategyActions: ["plan"] }, ecs.run, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: false });
      expect(ecs.calls).toHaveLength(1);
    });

    test("without FALLBACK_TO_FARGATE a capacity failure is not retried on FARGATE: 503, Scalr redelivers", async () => {
      const ecs = scriptedRunTask({ failures: [{ reason: "Capacity is unavailable at this time." }] }, { taskArn: TASK_ARN });
      const result = await launchAgentTask(post(), { ...spot, fallbackToFargate: false }, ecs.run, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: false });
      expect(ecs.calls.map((c) => [c.input.clientToken, c.input.launchType])).toEqual([[IDEMPOTENCY_KEY, undefined]]);
    });

    test("a failure other than capacity does not fall back", async () => {
      const ecs = scriptedRunTask({ failures: [{ reason: "MISSING" }] }, { taskArn: TASK_ARN });
      const result = await launchAgentTask(post(), spot, ecs.run, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: false });
      expect(ecs.calls.map((c) => c.input.launchType)).toEqual([undefined]);
    });

    test("a fallback that fails too answers 503; the fallback has its own token", async () => {
      const capacity = { failures: [{ reason: "Capacity is unavailable at this time." }] };
      const ecs = scriptedRunTask(capacity, capacity, { taskArn: TASK_ARN });
      const result = await launchAgentTask(post(), spot, ecs.run, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: true, attempts: 2 });
      expect(ecs.calls.map((c) => c.input.clientToken)).toEqual([IDEMPOTENCY_KEY, fallbackClientTokenFor(IDEMPOTENCY_KEY)]);
    });

    test("a fallback that fails for the whole budget answers 503 and says it fell back", async () => {
      const capacity = { failures: [{ reason: "Capacity is unavailable at this time." }] };
      const ecs = scriptedRunTask(...Array.from({ length: 10 }, () => capacity));
      const rt = virtualRuntime(3_000);
      const run: typeof ecs.run = async (input, opts) => {
        rt.advance(900);
        return ecs.run(input, opts);
      };
      const result = await launchAgentTask(post(), spot, run, rt);
      expect(result.response.statusCode).toBe(503);
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: true, attempts: 2 });
    });

    test("FALLBACK_TO_FARGATE without FARGATE_SPOT in the strategy does nothing", async () => {
      const ecs = scriptedRunTask({ failures: [{ reason: "Capacity is unavailable at this time." }] }, { taskArn: TASK_ARN });
      const result = await launchAgentTask(post(), { ...config, fallbackToFargate: true }, ecs.run, virtualRuntime());
      expect(result.log).toMatchObject({ outcome: "ecs-failures", fallback: false });
      expect(ecs.calls.map((c) => c.input.launchType)).toEqual(["FARGATE"]);
    });
  });
});
