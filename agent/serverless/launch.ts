import type { ListTasksCommandInput, ListTasksCommandOutput, RunTaskCommandInput, RunTaskCommandOutput } from "../aws/ecs-types";
import type { HandlerConfig } from "./config";
import { Placement, TokenWindowBasis, listTasksInput, runTaskInput, usesFargateSpot, windowClientTokenFor } from "./run-task";
import { ScalrDelivery, WebhookHttpRequest, WebhookHttpResponse, jsonResponse, parseWebhookRequest } from "./webhook";

/**
 * `RunTask` as the core needs it: the ECS call, bounded by `timeoutMs` (the handler's client abandons
 * it then). Tests pass a fake; the handler passes the real client (./ecs-client).
 */
export type RunTaskCall = (input: RunTaskCommandInput, options: { readonly timeoutMs: number }) => Promise<Pick<RunTaskCommandOutput, "tasks" | "failures">>;

/** `ListTasks` as the core needs it, bounded by `timeoutMs` like {@link RunTaskCall}. */
export type ListTasksCall = (input: ListTasksCommandInput, options: { readonly timeoutMs: number }) => Promise<Pick<ListTasksCommandOutput, "taskArns">>;

/** The ECS calls of a launch. Without `listTasks` the core does not look for a running task first. */
export interface EcsCalls {
  /** Starts the task. */
  readonly runTask: RunTaskCall;
  /** Finds a task the delivery already started (by `startedBy`). */
  readonly listTasks?: ListTasksCall;
}

/** Time and chance, injected so tests control them. */
export interface LaunchRuntime {
  /** Milliseconds, monotonic enough for deadlines. */
  now(): number;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  random(): number;
  /** How long the core may take before it must answer (the handler derives it from the Lambda's remaining time). */
  readonly timeBudgetMs: number;
}

/** Backoff of throttled or transient `RunTask` calls. */
export const RETRY = {
  /** First backoff ceiling; doubles per attempt ("full jitter": a uniform wait below the ceiling). */
  baseMs: 200,
  /** Largest backoff ceiling. */
  capMs: 4000,
  /**
   * Attempts per launch, the first included: enough that the time budget, not the count, ends a
   * launch ECS keeps throttling (15 full-jitter waits average about 23 s). A burst held by the
   * Lambda's concurrency drains at ECS's RunTask rate, so a delivery may lose the race for a token
   * many times before it wins one (docs/decisions/0010-burst-intake.md).
   */
  maxAttempts: 16,
  /** Longest single attempt: a hung connection is abandoned and retried (same `clientToken`, so no second task). */
  attemptTimeoutMs: 8000,
  /** An attempt is not started with less time than this left: it could not finish, and a timed-out attempt tells Scalr nothing. */
  minAttemptMs: 1500,
} as const;

/** What happened to a request, as logged (`outcome`) and alarmed on. */
export type LaunchOutcome =
  | "launched"
  | "already-running"
  | "rejected"
  | "method-not-allowed"
  | "ecs-failures"
  | "no-task"
  | "throttled"
  | "ecs-unavailable"
  | "ecs-error";

/** The fields of the one log line a request produces (the handler adds request ID and duration). */
export interface LaunchLog {
  /** What happened. */
  readonly outcome: LaunchOutcome;
  /** HTTP status answered. */
  readonly status: number;
  /** The delivery's `Idempotency-Key` (the agent task ID; not a secret), else its `task_id`. */
  readonly idempotencyKey?: string;
  /** Scalr's ids, each when the body held it readable. */
  readonly taskId?: string;
  /** Run ID. */
  readonly runId?: string;
  /** Workspace ID. */
  readonly workspaceId?: string;
  /** Environment ID. */
  readonly environmentId?: string;
  /** Task type. */
  readonly action?: string;
  /** The `clientToken` of the last launch (not a secret: it is Scalr's task ID or a hash of it). */
  readonly clientToken?: string;
  /** Position of `clientToken` in the delivery's chain, when an earlier token failed (0 is left out), or its clock window. */
  readonly clientTokenIndex?: number;
  /** `clock` when the delivery had no usable `created_at` and its token windows follow the clock. */
  readonly tokenBasis?: TokenWindowBasis;
  /** Body fields (and headers) the delivery lacked: it launched without them. */
  readonly missing?: readonly string[];
  /** Body fields (and headers) the delivery held unreadable, with why: it launched without them. */
  readonly malformed?: readonly string[];
  /** `ListTasks` could not tell whether the delivery's task runs (the launch went ahead; its token still guards). */
  readonly lookupError?: { readonly name: string; readonly message: string };
  /** Fields a rejected request got wrong. */
  readonly invalid?: readonly string[];
  /** ARN of the started (or already running) task. */
  readonly taskArn?: string;
  /** `RunTask` calls made. */
  readonly attempts?: number;
  /** Whether the on-demand FARGATE fallback was used. */
  readonly fallback?: boolean;
  /** ECS `failures`, reason and ARN. */
  readonly failures?: ReadonlyArray<{ readonly reason?: string; readonly arn?: string; readonly detail?: string }>;
  /** The last error, by name and message. */
  readonly error?: { readonly name: string; readonly message: string };
}

/** The core's answer: the HTTP response and the log fields. */
export interface LaunchResult {
  /** What to answer Scalr. */
  readonly response: WebhookHttpResponse;
  /** What to log. */
  readonly log: LaunchLog;
}

type ErrorKind = "throttled" | "transient" | "conflict" | "fatal";
/** How a retried call failed: an error's kind, or an answer the handler could not read. */
type RetryKind = ErrorKind | "unreadable";

const THROTTLING_ERRORS = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
]);
const NETWORK_ERRORS = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);

interface SdkLikeError {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  resourceIds?: unknown;
}

// ECS's client errors: the request itself is wrong (permissions, parameters, a missing cluster),
// and sending it again gives the same answer (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors).
const CLIENT_ERRORS = new Set([
  "AccessDeniedException",
  "BlockedException",
  "ClientException",
  "ClusterNotFoundException",
  "ConflictException",
  "InvalidParameterException",
  "PlatformTaskDefinitionIncompatibilityException",
  "PlatformUnknownException",
  "UnsupportedFeatureException",
]);

/**
 * Sorts an ECS call's error (the AWS SDK's shape, which ./ecs-client keeps): throttling and transient errors are retried; a token conflict means the task
 * exists; an error ECS answered for the request itself (a 4xx, or a known client error) is fatal.
 * Anything else — no HTTP status, a 2xx the client could not read, an unknown shape — is an answer the
 * handler could not read, and is retried like a transient one: the call may have worked.
 */
export function classifyError(error: unknown): ErrorKind {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkLikeError & { $fault?: unknown };
  const name = typeof e.name === "string" ? e.name : "";
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING_ERRORS.has(name) || status === 429) return "throttled";
  if (name === "ConflictException" && Array.isArray(e.resourceIds) && e.resourceIds.length > 0) return "conflict";
  if (name === "ServerException" || (status !== undefined && status >= 500)) return "transient";
  if (name === "TimeoutError" || name === "AbortError" || (typeof e.code === "string" && NETWORK_ERRORS.has(e.code))) return "transient";
  if (e.$retryable !== undefined && e.$retryable !== null) return "transient";
  if ((status !== undefined && status >= 400 && status < 500) || e.$fault === "client" || CLIENT_ERRORS.has(name)) return "fatal";
  return "transient";
}

function describeError(error: unknown): { name: string; message: string } {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkLikeError;
  const message = typeof e.message === "string" ? e.message : String(error);
  return { name: typeof e.name === "string" ? e.name : "Error", message: message.length > 500 ? `${message.slice(0, 497)}…` : message };
}

// Fargate answers "Capacity is unavailable at this time. Please try again later or in a different
// availability zone" as a RunTask failure when it cannot place the task.
const CAPACITY = /capacity/i;

type Attempted =
  | { kind: "task"; taskArn: string; attempts: number }
  | { kind: "failures"; failures: NonNullable<LaunchLog["failures"]>; attempts: number }
  | { kind: "no-task"; attempts: number }
  | { kind: "gave-up"; why: "throttled" | "transient"; error: unknown; attempts: number }
  | { kind: "fatal"; error: unknown; attempts: number };

/** One launch (primary or fallback): `RunTask`, retried with backoff on throttling and transient errors until the deadline. */
async function runWithRetries(input: RunTaskCommandInput, run: RunTaskCall, runtime: LaunchRuntime, deadline: number): Promise<Attempted> {
  // The caller starts only with RETRY.minAttemptMs left, and a retry is only scheduled when that much
  // remains after its wait, so every attempt has at least minAttemptMs.
  let attempts = 0;
  for (;;) {
    const left = deadline - runtime.now();
    attempts++;
    let error: unknown;
    try {
      const out = await run(input, { timeoutMs: Math.max(1, Math.min(left, RETRY.attemptTimeoutMs)) });
      const taskArn = (Array.isArray(out?.tasks) ? out.tasks : []).find((t) => typeof t?.taskArn === "string" && t.taskArn !== "")?.taskArn;
      if (taskArn !== undefined) return { kind: "task", taskArn, attempts };
      const failures = (Array.isArray(out?.failures) ? out.failures : []).map((f) => ({ reason: f?.reason, arn: f?.arn, detail: f?.detail }));
      if (failures.length > 0) return { kind: "failures", failures, attempts };
      // Neither a task nor a failure: an answer the handler cannot read. The same token again is
      // idempotent, so it is retried like a transient error.
      error = Object.assign(new Error("RunTask answered neither a task ARN nor a failure"), { name: "UnreadableAnswer" });
    } catch (e) {
      error = e;
    }
    const kind: RetryKind = error instanceof Error && error.name === "UnreadableAnswer" ? "unreadable" : classifyError(error);
    if (kind === "conflict") {
      // ECS already started a task for this token (a redelivery): that task is the answer.
      const ids = (error as { resourceIds: string[] }).resourceIds;
      return { kind: "task", taskArn: ids[0] as string, attempts };
    }
    if (kind === "fatal") return { kind: "fatal", error, attempts };
    const ceiling = Math.min(RETRY.capMs, RETRY.baseMs * 2 ** (attempts - 1));
    const wait = Math.floor(runtime.random() * ceiling);
    if (attempts >= RETRY.maxAttempts || runtime.now() + wait + RETRY.minAttemptMs > deadline) {
      return kind === "unreadable" ? { kind: "no-task", attempts } : { kind: "gave-up", why: kind, error, attempts };
    }
    await runtime.sleep(wait);
  }
}

/**
 * The handler's logic, free of transport: validates the request, answers with the delivery's task
 * when one already runs (`ListTasks` by `startedBy`), else starts one agent task with `RunTask`
 * (idempotent on the delivery's `clientToken`), retries throttling within the time budget, falls
 * back from Fargate Spot to on-demand when configured, and says what to answer and log.
 *
 * ECS answers a retried `clientToken` with the original result for 24 hours, a `failures` answer
 * possibly included. So each invocation uses one token, the delivery's token for the current
 * window since `created_at` ({@link windowClientTokenFor}): redeliveries within a window are
 * idempotent, and a delivery whose launch failed gets a token ECS has not seen in the next window.
 * `ListTasks` by `startedBy` answers with a task that already runs, whatever token started it.
 *
 * Answers (the contract: docs/decisions/0008-webhook-answers.md): 202 `{taskArn}` only when a
 * task for this delivery exists — started now, found by its `startedBy`, or named by ECS for this
 * delivery's token; 400 only when the request has no usable key; 405 for other methods; 503 when
 * ECS reports failures, answers unreadably or stays throttled or unavailable until the budget ends
 * (Scalr may redeliver); 502 when ECS rejects the request itself (permissions, parameters: the logs
 * say why). Missing or unreadable body fields never refuse a delivery: they are logged.
 */
export async function launchAgentTask(request: WebhookHttpRequest, config: HandlerConfig, ecs: RunTaskCall | EcsCalls, runtime: LaunchRuntime): Promise<LaunchResult> {
  const parsed = parseWebhookRequest(request);
  if (!parsed.ok) {
    const invalid = parsed.invalid.length > 0 ? { invalid: parsed.invalid } : {};
    return { response: parsed.response, log: { outcome: parsed.outcome, status: parsed.response.statusCode, ...invalid } };
  }
  const { runTask: run, listTasks } = typeof ecs === "function" ? { runTask: ecs, listTasks: undefined } : ecs;
  const d = parsed.delivery;
  // One token per invocation: the delivery's token for the current window (see CLIENT_TOKEN_WINDOW_MS).
  const { token, index, basis } = windowClientTokenFor(d.idempotencyKey, d.createdAt, runtime.now());
  const ids = deliveryIds(d, token, index, basis);
  const deadline = runtime.now() + runtime.timeBudgetMs;
  if (runtime.timeBudgetMs < RETRY.minAttemptMs) {
    return unavailable(ids, "throttled", 0, false, { name: "TimeBudgetExhausted", message: `only ${runtime.timeBudgetMs} ms left before the Lambda timeout` });
  }

  let lookupError: { name: string; message: string } | undefined;
  if (listTasks) {
    const found = await findRunningTask(d, config, listTasks, runtime, deadline);
    if (found.kind === "task") {
      return {
        response: jsonResponse(202, { taskArn: found.taskArn }),
        log: { outcome: "already-running", status: 202, ...ids, taskArn: found.taskArn, attempts: 0, fallback: false },
      };
    }
    if (found.kind === "error") lookupError = describeError(found.error);
    if (deadline - runtime.now() < RETRY.minAttemptMs) {
      return unavailable(ids, "throttled", 0, false, lookupError ?? { name: "TimeBudgetExhausted", message: "no time left after ListTasks" });
    }
  }

  let placement: Placement = "configured";
  let result = await runWithRetries(runTaskInput(d, config, placement, token), run, runtime, deadline);
  let attempts = result.attempts;
  if (config.fallbackToFargate && usesFargateSpot(config, d) && isCapacityFailure(result) && deadline - runtime.now() >= RETRY.minAttemptMs) {
    placement = "fargate";
    result = await runWithRetries(runTaskInput(d, config, placement, token), run, runtime, deadline);
    attempts += result.attempts;
  }
  const fallback = placement === "fargate";
  const chain = lookupError ? { lookupError } : {};

  switch (result.kind) {
    case "task":
      return {
        response: jsonResponse(202, { taskArn: result.taskArn }),
        log: { outcome: "launched", status: 202, ...ids, ...chain, taskArn: result.taskArn, attempts, fallback },
      };
    case "failures":
      return {
        response: jsonResponse(503, { message: "ECS did not start the agent task; Scalr may redeliver", failures: result.failures }, { "Retry-After": "10" }),
        log: { outcome: "ecs-failures", status: 503, ...ids, ...chain, attempts, fallback, failures: result.failures },
      };
    case "no-task":
      return {
        response: jsonResponse(503, { message: "ECS started no task and reported no failure; Scalr may redeliver" }, { "Retry-After": "10" }),
        log: { outcome: "no-task", status: 503, ...ids, ...chain, attempts, fallback },
      };
    case "gave-up":
      return unavailable({ ...ids, ...chain }, result.why === "throttled" ? "throttled" : "ecs-unavailable", attempts, fallback, describeError(result.error));
    case "fatal":
      return {
        response: jsonResponse(502, { message: "ECS rejected the RunTask request; see the handler's logs" }),
        log: { outcome: "ecs-error", status: 502, ...ids, ...chain, attempts, fallback, error: describeError(result.error) },
      };
  }
}

/**
 * The delivery's task if one runs (or is pending): one `ListTasks`, retried like `RunTask` on
 * throttling and transient errors. Any other error is reported, and the launch goes ahead (its
 * token still prevents a second task for a successful one).
 */
async function findRunningTask(
  d: ScalrDelivery,
  config: HandlerConfig,
  listTasks: ListTasksCall,
  runtime: LaunchRuntime,
  deadline: number,
): Promise<{ kind: "task"; taskArn: string } | { kind: "none" } | { kind: "error"; error: unknown }> {
  for (let attempts = 1; ; attempts++) {
    const left = deadline - runtime.now();
    let error: unknown;
    try {
      const out = await listTasks(listTasksInput(d, config), { timeoutMs: Math.max(1, Math.min(left, RETRY.attemptTimeoutMs)) });
      if (Array.isArray(out?.taskArns)) {
        const taskArn = out.taskArns.find((a) => typeof a === "string" && a !== "");
        return taskArn === undefined ? { kind: "none" } : { kind: "task", taskArn };
      }
      // No list at all: an answer the handler cannot read, retried like a transient error.
      error = Object.assign(new Error("ListTasks answered no taskArns list"), { name: "UnreadableAnswer" });
    } catch (e) {
      error = e;
    }
    const kind = error instanceof Error && error.name === "UnreadableAnswer" ? "transient" : classifyError(error);
    const ceiling = Math.min(RETRY.capMs, RETRY.baseMs * 2 ** (attempts - 1));
    const wait = Math.floor(runtime.random() * ceiling);
    // Keep time for RunTask: a lookup only retries while two attempts still fit.
    if ((kind !== "throttled" && kind !== "transient") || attempts >= 3 || runtime.now() + wait + 2 * RETRY.minAttemptMs > deadline) return { kind: "error", error };
    await runtime.sleep(wait);
  }
}

/** The log fields of a delivery: its key, the body fields it held, what it lacked, and its token. */
function deliveryIds(d: ScalrDelivery, clientToken: string, index: number, basis: TokenWindowBasis) {
  const present = <K extends string, V>(k: K, v: V | undefined) => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  return {
    idempotencyKey: d.idempotencyKey,
    ...present("taskId", d.taskId),
    ...present("runId", d.runId),
    ...present("workspaceId", d.workspaceId),
    ...present("environmentId", d.environmentId),
    ...present("action", d.action),
    ...(d.missing.length > 0 ? { missing: d.missing } : {}),
    ...(d.malformed.length > 0 ? { malformed: d.malformed } : {}),
    clientToken,
    ...(index !== 0 ? { clientTokenIndex: index } : {}),
    ...(basis === "clock" ? { tokenBasis: basis } : {}),
  };
}

function unavailable(ids: ReturnType<typeof deliveryIds> & { lookupError?: { name: string; message: string } }, outcome: "throttled" | "ecs-unavailable", attempts: number, fallback: boolean, error: { name: string; message: string }): LaunchResult {
  return {
    response: jsonResponse(503, { message: "ECS is throttling or unavailable; Scalr may redeliver" }, { "Retry-After": "10" }),
    log: { outcome, status: 503, ...ids, attempts, fallback, error },
  };
}

function isCapacityFailure(result: Attempted): boolean {
  if (result.kind === "failures") return result.failures.every((f) => CAPACITY.test(`${f.reason ?? ""} ${f.detail ?? ""}`));
  if (result.kind === "fatal") return CAPACITY.test(describeError(result.error).message);
  return false;
}
