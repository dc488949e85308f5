import type { RunTaskCommandInput } from "@aws-sdk/client-ecs";
import type { RunTaskCall } from "../../../agent/serverless";

/** A valid handler environment; every value differs from every other so a swapped field shows. */
export const ENV = {
  CLUSTER_ARN: "arn:aws:ecs:us-east-1:123456789012:cluster/scalr-agents",
  TASK_DEFINITION_ARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/scalr-agent-run:7",
  SUBNET_IDS: "subnet-0a1b2c3d4e5f60718, subnet-0b2c3d4e5f6071829",
  SECURITY_GROUP_IDS: "sg-0c3d4e5f607182930",
  ASSIGN_PUBLIC_IP: "DISABLED",
} as const;

/** A Scalr webhook body as documented (scalr-facts §4.2). */
export const BODY = {
  task_id: "atask-v0p6k8bq1lh1nqf5e",
  action: "plan",
  run_id: "run-v0p6k8b1dr3t5k1mm",
  workspace_id: "ws-v0p6k8aq4c2sdkl9a",
  environment_id: "env-v0p6k8a7pqrstu0vb",
  // Now, in Scalr's format: the handler's clientToken window counts from created_at.
  created_at: new Date().toISOString().replace(/\.\d{3}Z$/, "+0000"),
} as const;

/** The idempotency key Scalr sends: the agent task ID. */
export const IDEMPOTENCY_KEY = "atask-v0p6k8bq1lh1nqf5e-key";

/** The RunTask request a delivery of BODY makes with ENV (without its tags). */
export const RUN_TASK_REQUEST = {
  cluster: ENV.CLUSTER_ARN,
  taskDefinition: ENV.TASK_DEFINITION_ARN,
  count: 1,
  launchType: "FARGATE",
  networkConfiguration: {
    awsvpcConfiguration: { subnets: ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"], securityGroups: ["sg-0c3d4e5f607182930"], assignPublicIp: "DISABLED" },
  },
  clientToken: IDEMPOTENCY_KEY,
  startedBy: `scalr/task/${IDEMPOTENCY_KEY}`,
} as const;

/** The tags of a delivery of BODY with IDEMPOTENCY_KEY. */
export const BODY_TAGS = [
  { key: "scalr:idempotency-key", value: IDEMPOTENCY_KEY },
  { key: "scalr:task-id", value: BODY.task_id },
  { key: "scalr:run-id", value: BODY.run_id },
  { key: "scalr:workspace-id", value: BODY.workspace_id },
  { key: "scalr:environment-id", value: BODY.environment_id },
  { key: "scalr:action", value: BODY.action },
] as const;

/** BODY's created_at in milliseconds: virtual clocks start 10 s after it (inside its first token window). */
export const BODY_CREATED_MS = Date.parse(BODY.created_at.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));

/** The API key header a pool sends; it must never reach a log line. */
export const API_KEY = "k3y-Zq9XwT7vLm2NpR4sB6dF8hJ0";

/** An API Gateway REST proxy event (payload 1.0) for a delivery. */
export function proxyEvent(overrides: { body?: unknown; method?: string; headers?: Record<string, string>; base64?: boolean } = {}) {
  const raw = overrides.body === undefined ? JSON.stringify(BODY) : typeof overrides.body === "string" ? overrides.body : JSON.stringify(overrides.body);
  return {
    resource: "/trigger",
    path: "/trigger",
    httpMethod: overrides.method ?? "POST",
    headers: overrides.headers ?? { "Content-Type": "application/json", "Idempotency-Key": IDEMPOTENCY_KEY, "x-api-key": API_KEY },
    multiValueHeaders: null,
    queryStringParameters: null,
    requestContext: { requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", stage: "prod", httpMethod: overrides.method ?? "POST" },
    body: overrides.base64 ? Buffer.from(raw, "utf8").toString("base64") : raw,
    isBase64Encoded: overrides.base64 ?? false,
  };
}

/** A Lambda context with `remainingMs` left. */
export const lambdaContext = (remainingMs = 30_000) => ({ getRemainingTimeInMillis: () => remainingMs, awsRequestId: "lambda-req-0001" });

/** A scripted `RunTask`: each call takes the next step (a result or an error to throw), recording inputs. */
export function scriptedRunTask(...steps: Array<{ taskArn: string } | { failures: Array<{ reason: string }> } | { empty: true } | Error>) {
  const calls: Array<{ input: RunTaskCommandInput; timeoutMs: number }> = [];
  const run: RunTaskCall = async (input, { timeoutMs }) => {
    calls.push({ input, timeoutMs });
    const step = steps.shift();
    if (step === undefined) throw new Error(`unexpected RunTask call #${calls.length}`);
    if (step instanceof Error) throw step;
    if ("taskArn" in step) return { tasks: [{ taskArn: step.taskArn }], failures: [] };
    if ("failures" in step) return { tasks: [], failures: step.failures };
    return { tasks: [], failures: [] };
  };
  return { run, calls };
}

/** An SDK-shaped service error. */
export function sdkError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name}: simulated`), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, ...extra });
}

/** A virtual clock: `sleep` advances it, so tests of backoff take no time. It starts at `start` (10 s after BODY's created_at). */
export function virtualRuntime(timeBudgetMs = 28_000, random = () => 0.5, start = BODY_CREATED_MS + 10_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
    random,
    timeBudgetMs,
    sleeps,
  };
}
