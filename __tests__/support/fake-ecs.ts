import { createHash } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A local ECS endpoint speaking the JSON 1.1 protocol the AWS SDK uses (`POST /`,
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`), for tests that run the real SDK
 * through `AWS_ENDPOINT_URL_ECS`. It implements `RunTask` the way ECS documents it: a `clientToken`
 * seen before with the same parameters returns the original result (the task it started, or the
 * `failures` it answered: ECS documents that a retry returns the original result, and does not say
 * failures are exempt); with other parameters, `ConflictException` naming the task. Replies can be
 * queued to throttle or fail (error replies are not kept: the request did not complete). `ListTasks`
 * filters the started tasks by cluster, `startedBy` and desired status.
 */

/** The ECS JSON 1.1 target prefix. */
export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";

/** One request the fake received. */
export interface RecordedEcsRequest {
  /** Operation, from `X-Amz-Target` (e.g. `RunTask`). */
  readonly operation: string;
  /** Parsed JSON body. */
  readonly body: any;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A queued answer to the next `RunTask`. */
export type FakeEcsReply =
  /** ECS's default: start the task (idempotent on `clientToken`). */
  | { readonly kind: "run" }
  /** ECS answers 200 with these `failures` and no task. */
  | { readonly kind: "failures"; readonly failures: ReadonlyArray<{ readonly reason: string; readonly arn?: string; readonly detail?: string }> }
  /** ECS answers 200 with neither task nor failure. */
  | { readonly kind: "empty" }
  /** An error response: `type` like `ThrottlingException`, `AccessDeniedException`. */
  | { readonly kind: "error"; readonly type: string; readonly message: string; readonly status: number; readonly extra?: Record<string, unknown> };

/** Ready-made replies. */
export const ecsReply = {
  /** Start the task. */
  run: (): FakeEcsReply => ({ kind: "run" }),
  /** What ECS answers when it throttles RunTask. */
  throttling: (): FakeEcsReply => ({ kind: "error", type: "ThrottlingException", message: "Rate exceeded", status: 400 }),
  /** Fargate could not place the task. */
  capacityUnavailable: (): FakeEcsReply => ({
    kind: "failures",
    failures: [{ reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" }],
  }),
  /** Any `failures` answer. */
  failures: (...reasons: string[]): FakeEcsReply => ({ kind: "failures", failures: reasons.map((reason) => ({ reason })) }),
  /** A 200 with no task and no failure. */
  empty: (): FakeEcsReply => ({ kind: "empty" }),
  /** An error response. */
  error: (type: string, message: string, status = 400): FakeEcsReply => ({ kind: "error", type, message, status }),
};

/**
 * A token bucket as ECS and Fargate document their account limits: it holds at most `capacity`
 * tokens (the burst), refills `refillPerSecond` (the sustained rate), and each call takes one.
 * Sources: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html ("Amazon ECS
 * uses the token bucket algorithm … bucket maximum capacity … bucket refill rate") and
 * https://docs.aws.amazon.com/AmazonECS/latest/userguide/throttling.html (Fargate: the RunTask API
 * "20 calls per second (burst and sustained)"; the tasks and pods launch bucket 100, refill 20/s).
 */
export interface TokenBucketRate {
  /** Bucket maximum capacity (burst). */
  readonly capacity: number;
  /** Bucket refill rate, tokens per second (sustained). */
  readonly refillPerSecond: number;
}

/** Fargate's documented RunTask API limit: 20 calls per second, burst and sustained (https://docs.aws.amazon.com/AmazonECS/latest/userguide/throttling.html, "Throttling the RunTask API in Fargate"). */
export const FARGATE_RUN_TASK_RATE: TokenBucketRate = { capacity: 20, refillPerSecond: 20 };
/** Fargate's documented task launch bucket for on-demand (and, separately, Spot) tasks: 100, refill 20 per second (same page, table "Fargate Resource rate quota"). */
export const FARGATE_TASK_LAUNCH_RATE: TokenBucketRate = { capacity: 100, refillPerSecond: 20 };

/** Options of {@link startFakeEcs}. */
export interface FakeEcsOptions {
  /** Milliseconds clock of the buckets (a simulated clock in burst tests). @default Date.now */
  readonly now?: () => number;
  /**
   * Throttle `RunTask` calls with this bucket: a call without a token is answered `ThrottlingException`
   * ("Rate exceeded", HTTP 400, as the ECS API reference shows it) and is not kept for its token.
   * @default - no throttle
   */
  readonly runTaskRate?: TokenBucketRate;
  /**
   * Throttle task launches with this bucket (one token per started task; an idempotent replay starts
   * none). What ECS answers when this bucket is empty is not documented: the fake answers
   * `ThrottlingException` as for the call bucket (unverified).
   * @default - no throttle
   */
  readonly taskLaunchRate?: TokenBucketRate;
}

/** A token bucket on a clock: `take()` is true when a token was there. */
export function tokenBucket(rate: TokenBucketRate, now: () => number): { take(): boolean } {
  let tokens = rate.capacity;
  let at = now();
  return {
    take: () => {
      const t = now();
      tokens = Math.min(rate.capacity, tokens + ((t - at) / 1000) * rate.refillPerSecond);
      at = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

/** A running fake ECS endpoint. */
export interface FakeEcs {
  /** Base URL (`http://127.0.0.1:<port>`), for `AWS_ENDPOINT_URL_ECS`. */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedEcsRequest[];
  /** The bodies of the `RunTask` requests received, in order. */
  runTaskRequests(): any[];
  /** Queues replies for the next `RunTask` calls; when the queue is empty, tasks are started. */
  respondWith(...replies: FakeEcsReply[]): void;
  /** Drops the replies still queued. */
  clearReplies(): void;
  /** The tasks started, by ARN. */
  readonly tasks: ReadonlyMap<string, any>;
  /** `RunTask` calls answered `ThrottlingException` by the rate buckets (not the queued replies). */
  readonly throttled: () => number;
  /** Marks a task stopped (desired status STOPPED): `ListTasks` for RUNNING no longer lists it. */
  stopTask(taskArn: string): void;
  /** Stops the server and drops keep-alive connections. */
  close(): Promise<void>;
}

const REGION = "us-east-1";
const ACCOUNT = "123456789012";

/** Starts a fake ECS endpoint on a free loopback port. */
export async function startFakeEcs(options: FakeEcsOptions = {}): Promise<FakeEcs> {
  const now = options.now ?? Date.now;
  const callBucket = options.runTaskRate ? tokenBucket(options.runTaskRate, now) : undefined;
  const launchBucket = options.taskLaunchRate ? tokenBucket(options.taskLaunchRate, now) : undefined;
  let throttled = 0;
  const requests: RecordedEcsRequest[] = [];
  const queue: FakeEcsReply[] = [];
  const tasks = new Map<string, any>();
  // clientToken → the parameters it was first used with and the answer ECS gave (a task or failures)
  const tokens = new Map<string, { params: string; taskArn?: string; answer: unknown }>();

  const send = (res: http.ServerResponse, status: number, payload: unknown, errorType?: string) => {
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      "Content-Type": "application/x-amz-json-1.1",
      "Content-Length": Buffer.byteLength(body),
      "x-amzn-RequestId": createHash("md5").update(String(requests.length)).digest("hex"),
      ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
    });
    res.end(body);
  };
  const sendError = (res: http.ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}) =>
    send(res, status, { __type: type, message, ...extra }, type);

  const runTask = (res: http.ServerResponse, body: any) => {
    if (callBucket && !callBucket.take()) {
      throttled++;
      return sendError(res, 400, "ThrottlingException", "Rate exceeded");
    }
    const { clientToken, ...rest } = body;
    const params = JSON.stringify(rest);
    const seen = typeof clientToken === "string" ? tokens.get(clientToken) : undefined;
    if (seen && seen.params === params) return send(res, 200, seen.taskArn ? { tasks: [tasks.get(seen.taskArn)], failures: [] } : seen.answer);
    if (seen?.taskArn) {
      return sendError(res, 400, "ConflictException", "The clientToken was already used with different parameters.", { resourceIds: [seen.taskArn] });
    }
    const remember = (answer: unknown, taskArn?: string) => {
      if (typeof clientToken === "string") tokens.set(clientToken, { params, taskArn, answer });
    };
    const reply = queue.shift() ?? ecsReply.run();
    if (reply.kind === "error") return sendError(res, reply.status, reply.type, reply.message, reply.extra);
    if (reply.kind === "failures" || reply.kind === "empty") {
      const answer = { tasks: [], failures: reply.kind === "failures" ? reply.failures : [] };
      remember(answer);
      return send(res, 200, answer);
    }
    if (typeof body.taskDefinition !== "string" || body.taskDefinition === "") return sendError(res, 400, "InvalidParameterException", "taskDefinition is required");
    if (launchBucket && !launchBucket.take()) {
      throttled++;
      return sendError(res, 400, "ThrottlingException", "Rate exceeded");
    }
    if (body.launchType !== undefined && body.capacityProviderStrategy !== undefined) {
      return sendError(res, 400, "InvalidParameterException", "Specifying both a launch type and capacity provider strategy is not supported.");
    }
    const cluster = String(body.cluster ?? "default").split("/").pop();
    const id = createHash("sha256").update(`${tasks.size}:${params}`).digest("hex").slice(0, 32);
    const taskArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${id}`;
    const provider = body.capacityProviderStrategy?.[0]?.capacityProvider;
    const task = {
      taskArn,
      clusterArn: body.cluster,
      taskDefinitionArn: body.taskDefinition,
      lastStatus: "PROVISIONING",
      desiredStatus: "RUNNING",
      ...(provider ? { capacityProviderName: provider } : { launchType: body.launchType ?? "FARGATE" }),
      startedBy: body.startedBy,
      tags: body.tags ?? [],
      createdAt: 1_700_000_000,
    };
    tasks.set(taskArn, task);
    remember(undefined, taskArn);
    return send(res, 200, { tasks: [task], failures: [] });
  };

  const clusterName = (c: unknown) => String(c ?? "default").split("/").pop();
  const listTasks = (res: http.ServerResponse, body: any) => {
    const desired = body.desiredStatus ?? "RUNNING";
    const taskArns = [...tasks.values()]
      .filter((t) => clusterName(t.clusterArn) === clusterName(body.cluster))
      .filter((t) => body.startedBy === undefined || t.startedBy === body.startedBy)
      .filter((t) => t.desiredStatus === desired)
      .map((t) => t.taskArn as string);
    return send(res, 200, { taskArns });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return sendError(res, 400, "SerializationException", "body is not JSON");
      }
      const operation = target.startsWith(ECS_TARGET_PREFIX) ? target.slice(ECS_TARGET_PREFIX.length) : target;
      requests.push({ operation, body, headers: { ...req.headers } });
      if (req.method !== "POST" || !target.startsWith(ECS_TARGET_PREFIX)) return sendError(res, 400, "UnknownOperationException", `unknown target ${target}`);
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) return sendError(res, 400, "SerializationException", "wrong content type");
      if (operation === "RunTask") return runTask(res, body);
      if (operation === "ListTasks") return listTasks(res, body);
      return sendError(res, 400, "UnknownOperationException", `the fake implements RunTask and ListTasks only, got ${operation}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tasks,
    throttled: () => throttled,
    runTaskRequests: () => requests.filter((r) => r.operation === "RunTask").map((r) => r.body),
    respondWith: (...replies) => void queue.push(...replies),
    clearReplies: () => void queue.splice(0),
    stopTask: (taskArn) => {
      const task = tasks.get(taskArn);
      if (task) task.desiredStatus = "STOPPED";
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
