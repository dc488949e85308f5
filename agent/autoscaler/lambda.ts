// The autoscaler's Lambda entry: the scheduled handler (./handler) wired to the real transports —
// Scalr over `fetch`, ECS and the Scalr token's Secrets Manager read through signed JSON 1.1 calls,
// Auto Scaling through the signed Query API (./aws): no AWS SDK package in the bundle. Bundled by
// constructs/autoscaling/autoscaler-bundle.ts; not re-exported by ./index (importing it builds the
// handler).
import type {
  DescribeServicesCommandOutput,
  GetTaskProtectionCommandOutput,
  ListTasksCommandOutput,
} from "../aws/ecs-types";
import { AwsCredentials, EcsCalls, FleetPort, HttpPost, asgFleet, ecsFleet, fetchPost, signPost } from "./aws";
import type { AutoscalerConfig } from "./config";
import { createAutoscaler } from "./handler";
import { fetchTransport } from "./scalr-api";
import { awsEndpoint, environmentCredentials } from "../aws/sigv4";

type Env = Readonly<Record<string, string | undefined>>;

// Credentials and endpoints as agent/aws/sigv4.ts reads them (shared with the webhook handler).
export { awsEndpoint, environmentCredentials };

/**
 * Signs a JSON 1.1 POST (`X-Amz-Target` protocol, as Secrets Manager speaks it) with Signature
 * Version 4 ({@link signPost}).
 */
export function signJsonPost(opts: {
  readonly url: string;
  readonly body: string;
  readonly target: string;
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly now: number;
}): Record<string, string> {
  const { target, ...rest } = opts;
  return signPost({ ...rest, contentType: "application/x-amz-json-1.1", extraHeaders: { "x-amz-target": target } });
}

/** Secrets Manager answered with an error (`__type` such as `ResourceNotFoundException`, `AccessDeniedException`). */
export class SecretReadError extends Error {
  public constructor(
    /** The error type. */
    public readonly code: string,
    message: string,
    /** HTTP status. */
    public readonly status: number,
  ) {
    super(`GetSecretValue: ${code}${message ? `: ${message}` : ""}`);
    this.name = "SecretReadError";
  }
}

/**
 * Reads a secret's `SecretString` with one signed `GetSecretValue` call, in the secret's own region
 * (from its ARN). The value never appears in an error.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
export async function getSecretString(arn: string, deps: { readonly post: HttpPost; readonly env: Env; readonly now: () => number }): Promise<string> {
  const region = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(arn)?.[1] ?? deps.env.AWS_REGION;
  if (!region) throw new Error(`no region in ${arn} and none in AWS_REGION`);
  const url = `${awsEndpoint(deps.env, "SECRETS_MANAGER", "secretsmanager", region)}/`;
  const body = JSON.stringify({ SecretId: arn });
  const headers = signJsonPost({ url, body, target: "secretsmanager.GetSecretValue", region, service: "secretsmanager", credentials: environmentCredentials(deps.env), now: deps.now() });
  const res = await deps.post(url, headers, body);
  let doc: { SecretString?: unknown; __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    doc = JSON.parse(res.body) as typeof doc;
  } catch {
    throw new SecretReadError("UnreadableResponse", `HTTP ${res.status}, not JSON`, res.status);
  }
  if (res.status < 200 || res.status >= 300) {
    const code = String(doc.__type ?? `HTTP${res.status}`).split("#").pop() ?? "";
    throw new SecretReadError(code, String(doc.message ?? doc.Message ?? ""), res.status);
  }
  if (typeof doc.SecretString !== "string" || doc.SecretString.trim() === "") throw new SecretReadError("NoSecretString", "the secret has no SecretString (a binary secret, or empty)", res.status);
  return doc.SecretString.trim();
}

/**
 * An ECS error answer, named by its code as the AWS SDK names it (the body's `__type`, before any
 * `:` and after any `#`), `UnreadableResponse` when the body is not JSON.
 * Codes: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 */
export class EcsCallError extends Error {
  public constructor(
    code: string,
    message: string,
    /** HTTP status. */
    public readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** Where and as whom the ECS calls go. */
export interface EcsEndpoint {
  /** `https://ecs.<region>.amazonaws.com`, or a test endpoint ({@link awsEndpoint}). */
  readonly url: string;
  /** Region (signing scope). */
  readonly region: string;
  /** Credentials, read at each call. */
  readonly credentials: () => AwsCredentials;
  /** Clock for the signature. */
  readonly now: () => number;
  /** Waits between attempts. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. @default Math.random */
  readonly random?: () => number;
}

/** Attempts per ECS call, the first included (as the SDK client's `maxAttempts: 3` the autoscaler used). */
export const ECS_MAX_ATTEMPTS = 3;

// Throttling codes retried with the longer base (the SDK's standard retry mode: 500 ms for throttling, 100 ms otherwise).
const ECS_THROTTLING = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ThrottledException"]);

/**
 * One ECS operation as a signed JSON 1.1 POST (`X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`: the example requests of
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html#API_DescribeServices_Examples).
 * Throttling, 5xx answers and network errors are retried up to {@link ECS_MAX_ATTEMPTS} times with
 * full-jitter backoff; other errors throw {@link EcsCallError} at once. Answers come back as their
 * JSON (timestamps stay epoch seconds; the fleet reads none).
 */
export async function ecsJsonCall<Output>(post: HttpPost, endpoint: EcsEndpoint, operation: string, input: object): Promise<Output> {
  const url = `${endpoint.url}/`;
  const body = JSON.stringify(input);
  const sleep = endpoint.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = endpoint.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    let retryable: boolean;
    let error: unknown;
    let throttled = false;
    try {
      const headers = signJsonPost({ url, body, target: `AmazonEC2ContainerServiceV20141113.${operation}`, region: endpoint.region, service: "ecs", credentials: endpoint.credentials(), now: endpoint.now() });
      const res = await post(url, headers, body);
      let doc: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = res.body.trim() === "" ? {} : JSON.parse(res.body);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
      } catch {
        doc = undefined;
      }
      if (res.status >= 200 && res.status < 300 && doc !== undefined) return doc as Output;
      const code = typeof doc?.__type === "string" ? (doc.__type.split(":")[0] ?? "").split("#").pop() || `HTTP${res.status}` : doc === undefined ? "UnreadableResponse" : `HTTP${res.status}`;
      const message = typeof doc?.message === "string" ? doc.message : typeof doc?.Message === "string" ? doc.Message : `HTTP ${res.status}`;
      error = new EcsCallError(code, `${operation}: ${message}`, res.status);
      throttled = ECS_THROTTLING.has(code) || res.status === 429;
      retryable = throttled || res.status >= 500;
    } catch (e) {
      // The transport threw: a network error or its timeout. The signer's own errors (no credentials) are not retried.
      if (e instanceof Error && /no AWS credentials/.test(e.message)) throw e;
      error = e;
      retryable = true;
    }
    if (!retryable || attempt >= ECS_MAX_ATTEMPTS) throw error;
    await sleep(Math.floor(random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** (attempt - 1))));
  }
}

/** The ECS calls a service fleet makes, each one {@link ecsJsonCall}. */
export function jsonEcsCalls(post: HttpPost, endpoint: EcsEndpoint): EcsCalls {
  const call = <O>(operation: string, input: object) => ecsJsonCall<O>(post, endpoint, operation, input);
  return {
    describeServices: (input) => call<Pick<DescribeServicesCommandOutput, "services" | "failures">>("DescribeServices", input),
    listTasks: (input) => call<Pick<ListTasksCommandOutput, "taskArns" | "nextToken">>("ListTasks", input),
    getTaskProtection: (input) => call<Pick<GetTaskProtectionCommandOutput, "protectedTasks" | "failures">>("GetTaskProtection", input),
    updateService: (input) => call("UpdateService", input),
    updateTaskProtection: (input) => call("UpdateTaskProtection", input),
  };
}

/** The fleet port for a configuration: ECS through signed JSON 1.1 calls, Auto Scaling through the signed Query API. */
export function realFleet(config: AutoscalerConfig, env: Env): FleetPort {
  const region = env.AWS_REGION ?? "";
  const credentials = () => environmentCredentials(env);
  if (config.target.kind === "ecs") {
    return ecsFleet(jsonEcsCalls(fetchPost, { url: awsEndpoint(env, "ECS", "ecs", region), region, credentials, now: Date.now }), config.target.cluster, config.target.name);
  }
  return asgFleet(fetchPost, { url: awsEndpoint(env, "AUTO_SCALING", "autoscaling", region), region, credentials, now: Date.now }, config.target.name);
}

/** The Lambda handler (`index.handler` in the bundle): one decision per scheduled event. */
export const handler = createAutoscaler({
  env: () => process.env,
  getSecret: (arn) => getSecretString(arn, { post: fetchPost, env: process.env, now: Date.now }),
  scalr: fetchTransport,
  createFleet: (config) => realFleet(config, process.env),
  write: (line) => void process.stdout.write(line),
});
