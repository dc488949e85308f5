// The autoscaler's Lambda entry: the scheduled handler (./handler) wired to the real transports —
// Scalr over `fetch`, ECS through the AWS SDK, Auto Scaling through the signed Query API (./aws), and
// the Scalr token from Secrets Manager through one signed `GetSecretValue` call (no Secrets Manager
// SDK package). Bundled by constructs/autoscaling/autoscaler-bundle.ts; not re-exported by ./index
// (importing it builds the handler).
import {
  DescribeServicesCommand,
  ECSClient,
  GetTaskProtectionCommand,
  ListTasksCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from "@aws-sdk/client-ecs";
import { AwsCredentials, EcsCalls, FleetPort, HttpPost, asgFleet, ecsFleet, fetchPost, signPost } from "./aws";
import type { AutoscalerConfig } from "./config";
import { createAutoscaler } from "./handler";
import { fetchTransport } from "./scalr-api";

type Env = Readonly<Record<string, string | undefined>>;

/** The Lambda role's credentials, from the environment Lambda sets (`AWS_ACCESS_KEY_ID`, …). */
export function environmentCredentials(env: Env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/**
 * An AWS endpoint: the service-specific `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` (the
 * SDKs' own settings: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
 * else `https://<prefix>.<region>.amazonaws.com` (`.com.cn` in the China partition).
 */
export function awsEndpoint(env: Env, envSuffix: string, prefix: string, region: string): string {
  const given = env[`AWS_ENDPOINT_URL_${envSuffix}`] ?? env.AWS_ENDPOINT_URL;
  if (given) return given.replace(/\/$/, "");
  return `https://${prefix}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

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

/** The ECS calls over the AWS SDK client. */
export function sdkEcsCalls(client: ECSClient): EcsCalls {
  return {
    describeServices: (input) => client.send(new DescribeServicesCommand(input)),
    listTasks: (input) => client.send(new ListTasksCommand(input)),
    getTaskProtection: (input) => client.send(new GetTaskProtectionCommand(input)),
    updateService: (input) => client.send(new UpdateServiceCommand(input)),
    updateTaskProtection: (input) => client.send(new UpdateTaskProtectionCommand(input)),
  };
}

/** The fleet port for a configuration: ECS through the SDK, Auto Scaling through the signed Query API. */
export function realFleet(config: AutoscalerConfig, env: Env): FleetPort {
  if (config.target.kind === "ecs") return ecsFleet(sdkEcsCalls(new ECSClient({ maxAttempts: 3 })), config.target.cluster, config.target.name);
  const region = env.AWS_REGION ?? "";
  return asgFleet(fetchPost, { url: awsEndpoint(env, "AUTO_SCALING", "autoscaling", region), region, credentials: () => environmentCredentials(env), now: Date.now }, config.target.name);
}

/** The Lambda handler (`index.handler` in the bundle): one decision per scheduled event. */
export const handler = createAutoscaler({
  env: () => process.env,
  getSecret: (arn) => getSecretString(arn, { post: fetchPost, env: process.env, now: Date.now }),
  scalr: fetchTransport,
  createFleet: (config) => realFleet(config, process.env),
  write: (line) => void process.stdout.write(line),
});
