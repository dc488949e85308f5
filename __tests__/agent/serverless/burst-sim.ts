import * as path from "path";
import type { FakeEcs } from "../../support/fake-ecs";
import { tokenBucket } from "../../support/fake-ecs";
import { API_KEY, ENV } from "./fixtures";

// A discrete-event simulation of a burst of Scalr deliveries through a serverless pool: the sender
// (Scalr, with a stated redelivery schedule), API Gateway's usage-plan throttle and daily quota,
// the Lambda's reserved concurrency, and the real bundled handler calling a loopback ECS endpoint
// over HTTP. Time is simulated: the handler's clock, sleeps and jitter are injected, and the clock
// jumps to the next timer only when no HTTP call is in flight, so a run of minutes takes a second.

/** A milliseconds clock that jumps from timer to timer. */
export class SimClock {
  private t: number;
  private readonly timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;

  public constructor(startMs: number) {
    this.t = startMs;
  }

  /** The simulated time. */
  public readonly now = (): number => this.t;

  /** Resolves when the simulated clock reaches now + ms. */
  public readonly sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => this.schedule(this.t + Math.max(0, ms), resolve));

  /** Calls `fire` at simulated time `at`. */
  public schedule(at: number, fire: () => void): void {
    const timer = { at: Math.max(at, this.t), seq: this.seq++, fire };
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1]!.at > timer.at || (this.timers[i - 1]!.at === timer.at && this.timers[i - 1]!.seq > timer.seq))) i--;
    this.timers.splice(i, 0, timer);
  }

  /**
   * Runs until no timer is left: waits until `idle()` holds across an event-loop turn (no HTTP call in
   * flight, continuations run), then jumps to the next timer and fires every timer due then.
   */
  public async run(idle: () => boolean, limitMs: number): Promise<void> {
    const start = this.t;
    for (;;) {
      do await new Promise<void>((r) => setImmediate(r));
      while (!idle());
      await new Promise<void>((r) => setImmediate(r));
      if (!idle()) continue;
      const next = this.timers[0];
      if (next === undefined) return;
      if (next.at - start > limitMs) throw new Error(`the simulation ran past ${limitMs} ms of simulated time`);
      this.t = next.at;
      while (this.timers[0] !== undefined && this.timers[0].at === this.t) this.timers.shift()!.fire();
    }
  }
}

/** A deterministic PRNG in [0, 1) (mulberry32), for the handler's backoff jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The intake limits of a pool, as its synthesized configuration sets them. */
export interface IntakeLimits {
  /** Usage plan `throttle_settings.rate_limit`: requests per second (token bucket refill). */
  readonly rateLimit: number;
  /** Usage plan `throttle_settings.burst_limit`: token bucket capacity. */
  readonly burstLimit: number;
  /** Usage plan `quota_settings.limit` (period DAY). */
  readonly dailyQuota: number;
  /** Lambda `reserved_concurrent_executions`. */
  readonly reservedConcurrency: number;
  /** Lambda `timeout`, seconds. */
  readonly timeoutSeconds: number;
}

/** Reads the intake limits from a synthesized stack with one serverless pool. */
export function intakeLimitsOf(json: any): IntakeLimits {
  const one = (type: string) => {
    const all = Object.values<any>(json.resource?.[type] ?? {});
    if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
    return all[0];
  };
  const plan = one("aws_api_gateway_usage_plan");
  const fn = Object.values<any>(json.resource.aws_lambda_function).find((f) => String(f.function_name).endsWith("-webhook"));
  const [throttle] = [plan.throttle_settings].flat();
  const [quota] = [plan.quota_settings].flat();
  if (quota.period !== "DAY") throw new Error(`expected a daily quota, got period ${quota.period}`);
  return {
    rateLimit: Number(throttle.rate_limit),
    burstLimit: Number(throttle.burst_limit),
    dailyQuota: Number(quota.limit),
    reservedConcurrency: Number(fn.reserved_concurrent_executions),
    timeoutSeconds: Number(fn.timeout),
  };
}

/** How the sender redelivers a delivery that was not answered 2xx. */
export interface RedeliverySchedule {
  /** Wait before the k-th redelivery (k = 0 for the first), measured from the rejected answer. Its length is the number of redeliveries. */
  readonly delaysMs: readonly number[];
}

/** What happened to one delivery attempt. */
export interface AttemptRecord {
  /** Simulated ms since the burst began. */
  readonly at: number;
  /** Status the sender saw. */
  readonly status: number;
  /** Who answered: API Gateway's throttle or quota, the Lambda concurrency cap, the handler. */
  readonly by: "throttle" | "quota" | "concurrency" | "handler" | "gateway-timeout" | "sender-timeout";
}

/** The outcome of a burst. */
export interface BurstResult {
  /** Per delivery key: its attempts, in order. */
  readonly attempts: ReadonlyMap<string, readonly AttemptRecord[]>;
  /** Per delivery key: the task ARN of its 2xx, when it got one. */
  readonly delivered: ReadonlyMap<string, string>;
  /** Keys the sender gave up on. */
  readonly lost: readonly string[];
  /** Simulated ms from the first delivery to the last 2xx. */
  readonly drainMs: number;
  /** Answers by who gave them. */
  readonly rejectedBy: Readonly<Record<AttemptRecord["by"], number>>;
  /** Most handler invocations in flight at once. */
  readonly peakConcurrency: number;
  /** The handler's log lines. */
  readonly logs: readonly string[];
  /** Most RunTask calls one invocation made. */
  readonly maxHandlerAttempts: number;
}

type BundledHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
interface Bundle {
  createHandler(deps: unknown): BundledHandler;
  ecsRunTask(call: unknown): unknown;
  ecsListTasks(call: unknown): unknown;
  createEcsClient(options: unknown): unknown;
  nodeHttpPost: (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<unknown>;
}

/** Loads a fresh copy of the bundle (a cold start). */
export function loadBundle(bundleDir: string): Bundle {
  let mod: Bundle | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(path.join(bundleDir, "index.js"));
  });
  if (mod === undefined || typeof mod.createHandler !== "function" || typeof mod.createEcsClient !== "function") throw new Error("the bundle lacks createHandler / createEcsClient");
  return mod;
}

/** Scalr's `created_at` format. */
const scalrTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+0000");

/**
 * Sends `count` distinct deliveries, spread evenly over `arrivalWindowMs`, through the modelled
 * intake into the bundled handler, redelivering each rejected one on `schedule`, and runs the
 * simulation to its end.
 */
export async function runBurst(options: {
  readonly bundle: Bundle;
  readonly fake: FakeEcs;
  readonly clock: SimClock;
  readonly limits: IntakeLimits;
  readonly schedule: RedeliverySchedule;
  readonly count: number;
  readonly arrivalWindowMs?: number;
  /**
   * The sender stops waiting for an answer after this long and redelivers while the first invocation
   * still runs (Scalr's request timeout is not documented). @default - waits for the answer
   */
  readonly senderTimeoutMs?: number;
  /** Simulated time each ECS call takes (an assumption: ECS documents no latency). @default 100 */
  readonly callLatencyMs?: number;
  readonly seed?: number;
}): Promise<BurstResult> {
  const { bundle, fake, clock, limits, schedule, count } = options;
  const start = clock.now();
  let inFlightHttp = 0;
  const latency = options.callLatencyMs ?? 100;
  const post = async (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => {
    await clock.sleep(latency);
    inFlightHttp++;
    return bundle.nodeHttpPost(url, headers, body, timeoutMs).finally(() => inFlightHttp--);
  };
  const awsEnv = {
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE0001",
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key-for-loopback",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_ECS: fake.url,
  };
  const call = bundle.createEcsClient({ env: () => awsEnv, post, now: clock.now });
  const logs: string[] = [];
  const handler = bundle.createHandler({
    env: () => ENV,
    createRunTask: () => bundle.ecsRunTask(call),
    createListTasks: () => bundle.ecsListTasks(call),
    write: (line: string) => void logs.push(line),
    now: clock.now,
    sleep: clock.sleep,
    random: seededRandom(options.seed ?? 1),
  });

  // API Gateway's usage plan: a token bucket (burst capacity, refill at the rate) and a daily
  // quota (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html:
  // "API Gateway throttles requests to your API using the token bucket algorithm"; 429 when throttled).
  const gateway = tokenBucket({ capacity: limits.burstLimit, refillPerSecond: limits.rateLimit }, clock.now);
  let quotaUsed = 0;
  let running = 0;
  let peak = 0;
  const attempts = new Map<string, AttemptRecord[]>();
  const delivered = new Map<string, string>();
  const lost: string[] = [];
  const rejectedBy: Record<AttemptRecord["by"], number> = { throttle: 0, quota: 0, concurrency: 0, handler: 0, "gateway-timeout": 0, "sender-timeout": 0 };
  let maxHandlerAttempts = 0;
  let lastDelivery = start;

  const answered = (key: string, attempt: number, record: AttemptRecord, taskArn?: string) => {
    attempts.get(key)!.push(record);
    if (record.status >= 200 && record.status < 300) {
      delivered.set(key, taskArn ?? "");
      lastDelivery = Math.max(lastDelivery, clock.now());
      return;
    }
    rejectedBy[record.by]++;
    const delay = schedule.delaysMs[attempt];
    if (delay === undefined) lost.push(key);
    else clock.schedule(clock.now() + delay, () => deliver(key, attempt + 1));
  };

  const deliver = (key: string, attempt: number) => {
    const at = clock.now() - start;
    if (quotaUsed >= limits.dailyQuota) return answered(key, attempt, { at, status: 429, by: "quota" });
    if (!gateway.take()) return answered(key, attempt, { at, status: 429, by: "throttle" });
    quotaUsed++;
    // The reserved concurrency is the most invocations at once; one over it is throttled by Lambda,
    // which API Gateway answers with an error status (which one is not modelled: the sender treats
    // every non-2xx alike).
    if (running >= limits.reservedConcurrency) return answered(key, attempt, { at, status: 500, by: "concurrency" });
    running++;
    peak = Math.max(peak, running);
    const invoked = clock.now();
    const context = { getRemainingTimeInMillis: () => limits.timeoutSeconds * 1000 - (clock.now() - invoked), awsRequestId: `lambda-${key}-${attempt}` };
    const event = {
      resource: "/trigger",
      path: "/trigger",
      httpMethod: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key, "x-api-key": API_KEY },
      requestContext: { requestId: `req-${key}-${attempt}`, stage: "prod", requestTimeEpoch: invoked },
      body: JSON.stringify({ task_id: key, action: "plan", run_id: `run-${key}`, workspace_id: "ws-burst", environment_id: "env-burst", created_at: scalrTime(start) }),
      isBase64Encoded: false,
    };
    let timedOut = false;
    if (options.senderTimeoutMs !== undefined) {
      clock.schedule(invoked + options.senderTimeoutMs, () => {
        if (answeredAt === undefined) {
          timedOut = true;
          answered(key, attempt, { at: clock.now() - start, status: 0, by: "sender-timeout" });
        }
      });
    }
    let answeredAt: number | undefined;
    void handler(event, context).then((result) => {
      running--;
      answeredAt = clock.now();
      const log = JSON.parse(logs[logs.length - 1] ?? "{}") as { attempts?: number };
      maxHandlerAttempts = Math.max(maxHandlerAttempts, log.attempts ?? 0);
      if (timedOut) return; // the sender no longer listens
      // API Gateway's REST integration timeout, 29 s: past it the sender sees 504 whatever the handler answered.
      if (clock.now() - invoked > 29_000) return answered(key, attempt, { at: clock.now() - start, status: 504, by: "gateway-timeout" });
      const taskArn = result.statusCode === 202 ? (JSON.parse(result.body) as { taskArn: string }).taskArn : undefined;
      answered(key, attempt, { at: clock.now() - start, status: result.statusCode, by: "handler" }, taskArn);
    });
  };

  const window = options.arrivalWindowMs ?? 0;
  for (let i = 0; i < count; i++) {
    const key = `atask-burst${String(i).padStart(5, "0")}`;
    attempts.set(key, []);
    clock.schedule(start + Math.floor((i * window) / Math.max(1, count)), () => deliver(key, 0));
  }
  await clock.run(() => inFlightHttp === 0, 24 * 3600_000);
  return { attempts, delivered, lost, drainMs: lastDelivery - start, rejectedBy, peakConcurrency: peak, logs, maxHandlerAttempts };
}

/** Tasks the fake started, by `startedBy`. */
export function tasksByStartedBy(fake: FakeEcs): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const t of fake.tasks.values()) by.set(t.startedBy, [...(by.get(t.startedBy) ?? []), t.taskArn]);
  return by;
}
