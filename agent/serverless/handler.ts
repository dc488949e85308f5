import type { ListTasksCommandOutput, RunTaskCommandOutput } from "../aws/ecs-types";
import * as z from "zod/mini";
import { HandlerConfig, HandlerConfigError, parseHandlerConfig } from "./config";
import { EcsCall, createEcsClient } from "./ecs-client";
import { LaunchLog, ListTasksCall, RunTaskCall, launchAgentTask } from "./launch";
import { WebhookHttpResponse, jsonResponse } from "./webhook";

/** The fields of an API Gateway REST proxy integration event (payload 1.0) the handler reads. */
export interface ApiGatewayProxyEvent {
  /** HTTP method. */
  readonly httpMethod: string;
  /** Headers, last value wins; null when there are none. */
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  /** Body text, base64 when `isBase64Encoded`. */
  readonly body?: string | null;
  /** Whether `body` is base64. */
  readonly isBase64Encoded?: boolean | null;
  /**
   * Request context; `requestId` correlates with API Gateway's access logs, `requestTimeEpoch`
   * (milliseconds) is when API Gateway received the request: its integration timeout runs from then.
   */
  readonly requestContext?: { readonly requestId?: string; readonly requestTimeEpoch?: number } | null;
}

/** The proxy integration's response. */
export interface ApiGatewayProxyResult {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Response body. */
  readonly body: string;
}

/** The part of the Lambda context the handler uses. */
export interface LambdaContextLike {
  /** Milliseconds until Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
  /** Lambda's request ID, used when the event has none. */
  readonly awsRequestId?: string;
}

// The transport, for tests that drive the bundle's own client on a simulated clock (the burst test).
export { createEcsClient, nodeHttpPost } from "./ecs-client";

/** API Gateway REST integrations time out after 29 s by default; past that Scalr gets a 504 whatever the Lambda does. */
export const API_GATEWAY_TIMEOUT_MS = 29_000;
/** Time kept back from the budget to answer and write the log line. */
export const ANSWER_MARGIN_MS = 1_000;

/** What a handler instance is built from; the exported `handler` uses the process environment and the real ECS client. */
export interface HandlerDependencies {
  /** The Lambda environment (read once, at the first invocation). */
  readonly env: () => Readonly<Record<string, string | undefined>>;
  /** Makes the `RunTask` call; invoked once, at the first invocation that needs ECS. */
  readonly createRunTask: () => RunTaskCall;
  /**
   * Makes the `ListTasks` call that finds a delivery's running task before launching; invoked once.
   * @default - no lookup (the clientToken alone prevents duplicates)
   */
  readonly createListTasks?: () => ListTasksCall;
  /** Writes one log line. */
  readonly write: (line: string) => void;
  /** Milliseconds clock. @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

const eventSchema = z.object(
  {
    httpMethod: z.string("must be a string"),
    headers: z.nullish(z.record(z.string(), z.optional(z.string("must be a string")), "must be an object of strings")),
    body: z.nullish(z.string("must be a string")),
    isBase64Encoded: z.nullish(z.boolean("must be a boolean")),
  },
  "must be an API Gateway proxy event",
);

/** A `RunTask` call through the ECS client ({@link createEcsClient}): one attempt per call (the core retries), abandoned after `timeoutMs`. */
export function ecsRunTask(call: EcsCall): RunTaskCall {
  return (input, { timeoutMs }) => call<Pick<RunTaskCommandOutput, "tasks" | "failures">>("RunTask", input, { timeoutMs });
}

/** A `ListTasks` call through the ECS client, like {@link ecsRunTask}. */
export function ecsListTasks(call: EcsCall): ListTasksCall {
  return (input, { timeoutMs }) => call<Pick<ListTasksCommandOutput, "taskArns">>("ListTasks", input, { timeoutMs });
}

/**
 * Milliseconds the core may take: until the earlier of the Lambda's timeout and API Gateway's
 * (29 s from when it received the request, `requestContext.requestTimeEpoch`; without it, 29 s from
 * now), less the margin to answer.
 */
export function timeBudgetMs(remainingMs: number, requestTimeEpoch: unknown, now: number): number {
  const gateway = typeof requestTimeEpoch === "number" && Number.isFinite(requestTimeEpoch) ? requestTimeEpoch + API_GATEWAY_TIMEOUT_MS - now : API_GATEWAY_TIMEOUT_MS;
  return Math.min(remainingMs, gateway, API_GATEWAY_TIMEOUT_MS) - ANSWER_MARGIN_MS;
}

/**
 * Builds a Lambda handler around {@link launchAgentTask}. The configuration is validated at the
 * first invocation and kept; a bad one answers 500 and logs every bad variable on each request
 * (never a crash loop). The ECS client is made at the first request that needs it, so an
 * `AWS_ENDPOINT_URL_ECS` set before then is honoured.
 */
export function createHandler(deps: HandlerDependencies): (event: unknown, context: LambdaContextLike) => Promise<ApiGatewayProxyResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  let config: HandlerConfig | HandlerConfigError | undefined;
  let runTask: RunTaskCall | undefined;
  let listTasks: ListTasksCall | undefined;

  const loadConfig = () => {
    if (config === undefined) {
      try {
        config = parseHandlerConfig(deps.env());
      } catch (e) {
        if (!(e instanceof HandlerConfigError)) throw e;
        config = e;
      }
    }
    return config;
  };

  return async (event, context) => {
    const started = now();
    const rawEvent = (typeof event === "object" && event !== null ? event : {}) as { httpMethod?: unknown; requestContext?: { requestId?: unknown; requestTimeEpoch?: unknown } };
    const requestId = typeof rawEvent.requestContext?.requestId === "string" ? rawEvent.requestContext.requestId : context.awsRequestId;
    const method = typeof rawEvent.httpMethod === "string" ? rawEvent.httpMethod : undefined;
    const answer = (response: WebhookHttpResponse, log: LaunchLog | { readonly outcome: string; readonly [field: string]: unknown }): ApiGatewayProxyResult => {
      const status = response.statusCode;
      const level = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
      // One line per request. Headers are never logged: they carry the API key.
      deps.write(`${JSON.stringify({ level, message: "scalr webhook", requestId, method, ...log, status, durationMs: now() - started })}\n`);
      return { statusCode: status, headers: { ...response.headers }, body: response.body };
    };

    try {
      const cfg = loadConfig();
      if (cfg instanceof HandlerConfigError) {
        return answer(jsonResponse(500, { message: "the webhook handler is misconfigured; see its logs" }), { outcome: "config-error", error: { name: cfg.name, message: cfg.message } });
      }
      const parsedEvent = eventSchema.safeParse(event);
      if (!parsedEvent.success) {
        const field = parsedEvent.error.issues[0]?.path.join(".") || "event";
        return answer(jsonResponse(400, { message: `\`${field}\` ${parsedEvent.error.issues[0]?.message ?? "is invalid"}` }), { outcome: "rejected", invalid: [field] });
      }
      const e = parsedEvent.data;
      const body = e.body === null || e.body === undefined ? e.body : e.isBase64Encoded ? Buffer.from(e.body, "base64").toString("utf8") : e.body;
      runTask ??= deps.createRunTask();
      listTasks ??= deps.createListTasks?.();
      const budget = timeBudgetMs(context.getRemainingTimeInMillis(), rawEvent.requestContext?.requestTimeEpoch, now());
      const result = await launchAgentTask({ method: e.httpMethod, headers: e.headers ?? {}, body }, cfg, { runTask, listTasks }, { now, sleep, random, timeBudgetMs: budget });
      return answer(result.response, result.log);
    } catch (error) {
      const err = error instanceof Error ? { name: error.name, message: error.message } : { name: "Error", message: String(error) };
      return answer(jsonResponse(500, { message: "the webhook handler failed; see its logs" }), { outcome: "handler-error", error: err });
    }
  };
}

/**
 * The Lambda entry (`index.handler` in the bundle): API Gateway REST proxy event in, proxy result out.
 * Reads the environment named by `HANDLER_ENVIRONMENT`; ECS calls are made once each, without
 * retries of their own, because the core retries within the Lambda's remaining time.
 */
let ecsCall: EcsCall | undefined;
const client = () => (ecsCall ??= createEcsClient());
export const handler = createHandler({
  env: () => process.env,
  createRunTask: () => ecsRunTask(client()),
  createListTasks: () => ecsListTasks(client()),
  write: (line) => process.stdout.write(line),
});
