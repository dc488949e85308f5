import { createHash, createHmac } from "crypto";

// AWS Signature Version 4 for the kit's Lambdas (the webhook handler's ECS calls, the autoscaler's
// ECS, Auto Scaling and Secrets Manager calls), over node:crypto only: no SDK package in the
// bundles. Tested against the AWS SDK's own signer (@smithy/signature-v4). Code that runs in Lambda
// imports from its own folder and from this one only.

type Env = Readonly<Record<string, string | undefined>>;

/** AWS credentials (the Lambda role's, from its environment). */
export interface AwsCredentials {
  /** Access key ID. */
  readonly accessKeyId: string;
  /** Secret access key. */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials. */
  readonly sessionToken?: string;
}

/**
 * The Lambda role's credentials, from the environment Lambda sets for every function
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export function environmentCredentials(env: Env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/**
 * An AWS endpoint: the service-specific `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL` (the
 * SDKs' own settings: https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
 * else `https://<prefix>.<region>.amazonaws.com` (`.com.cn` in the China partition:
 * https://docs.aws.amazon.com/general/latest/gr/ecs-service.html). FIPS and dual-stack endpoints
 * (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`) are not derived: set the URL instead.
 */
export function awsEndpoint(env: Env, envSuffix: string, prefix: string, region: string): string {
  const given = env[`AWS_ENDPOINT_URL_${envSuffix}`] ?? env.AWS_ENDPOINT_URL;
  if (given) return given.replace(/\/$/, "");
  return `https://${prefix}.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`;
}

const sha256hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s, "utf8").digest();

/**
 * Signs a POST with Signature Version 4: every header returned (the content type, `host`,
 * `x-amz-date`, the session token and `extraHeaders`, names in lower case) is signed; the query
 * string is not (the calls here have none). Returns the headers to send.
 * Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function signPost(opts: {
  readonly url: string;
  readonly body: string;
  readonly contentType: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly region: string;
  readonly service: string;
  readonly credentials: AwsCredentials;
  readonly now: number;
}): Record<string, string> {
  const u = new URL(opts.url);
  const amzDate = new Date(opts.now).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": opts.contentType,
    host: u.host,
    "x-amz-date": amzDate,
    ...opts.extraHeaders,
    ...(opts.credentials.sessionToken ? { "x-amz-security-token": opts.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = ["POST", u.pathname || "/", "", ...names.map((n) => `${n}:${headers[n]}`), "", names.join(";"), sha256hex(opts.body)].join("\n");
  const scope = `${date}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.credentials.secretAccessKey}`, date), opts.region), opts.service), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
}
