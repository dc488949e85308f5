import * as http from "http";
import * as https from "https";
import { awsEndpoint, environmentCredentials, signPost } from "../aws/sigv4";

// A small ECS client: one signed JSON 1.1 POST per call, errors shaped like the AWS SDK's, so the
// handler's retry logic (./launch `classifyError`) reads them as it read the SDK's. No SDK package
// is loaded: the bundle stays small and cold to load.

type Env = Readonly<Record<string, string | undefined>>;

/**
 * ECS speaks the AWS JSON 1.1 protocol: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, the request as a JSON object.
 * Sources: the example requests of https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Examples
 * and the service model (`awsJson1_1`, target prefix `AmazonEC2ContainerServiceV20141113`) the AWS
 * SDK for JavaScript v3 is generated from (`@aws-sdk/client-ecs`).
 */
export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113.";
/** The JSON 1.1 content type. */
export const AWS_JSON_1_1 = "application/x-amz-json-1.1";

/** One POST's answer. */
export interface HttpAnswer {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Response body text. */
  readonly body: string;
}

/**
 * A POST: rejects on a network error (with Node's `code`, e.g. `ECONNRESET`) or when `timeoutMs`
 * passes (an `AbortError`). Tests pass a scripted one; the client defaults to {@link nodeHttpPost}.
 */
export type HttpPostWithTimeout = (url: string, headers: Readonly<Record<string, string>>, body: string, timeoutMs: number) => Promise<HttpAnswer>;

// Keep-alive connections, as the SDK's Node.js handler keeps them: a warm Lambda reuses the TLS session.
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

/** An {@link HttpPostWithTimeout} over node:http / node:https (`fetch` would load undici at the first call: ~25 ms). */
export const nodeHttpPost: HttpPostWithTimeout = (url, headers, body, timeoutMs) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const u = new URL(url);
    const transport = u.protocol === "https:" ? https : u.protocol === "http:" ? http : undefined;
    if (transport === undefined) return reject(new Error(`unsupported endpoint protocol ${u.protocol} in ${u.origin}`));
    const req = transport.request(
      u,
      { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body, "utf8")) }, agent: agents[u.protocol as "http:" | "https:"], signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });

/**
 * An error ECS answered, shaped like the AWS SDK's service exceptions: `name` is the error code
 * (`ThrottlingException`, `ClientException`, `ConflictException`, …), `$fault` is `client` below
 * HTTP 500 and `server` from it, `$metadata.httpStatusCode` is the status, and the answer's other
 * members (e.g. `resourceIds` of a `ConflictException`) are copied onto the error.
 * Error codes: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html#API_RunTask_Errors
 * and https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 */
export class EcsServiceError extends Error {
  /** Which side failed, by HTTP status. */
  public readonly $fault: "client" | "server";
  /** The HTTP status and the request ID ECS gave. */
  public readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  /** Members of the error answer besides its type and message (e.g. `resourceIds`). */
  readonly [member: string]: unknown;

  public constructor(code: string, message: string, status: number, requestId: string | undefined, members: Readonly<Record<string, unknown>> = {}) {
    super(message);
    Object.assign(this, members);
    this.name = code;
    this.$fault = status < 500 ? "client" : "server";
    this.$metadata = { httpStatusCode: status, ...(requestId ? { requestId } : {}) };
  }
}

/**
 * An answer the client could not read: a body that is not a JSON object. `$metadata.httpStatusCode`
 * tells the handler whether ECS refused the request (4xx) or the call may have worked (2xx, 5xx), as
 * the SDK's deserialization errors do.
 */
export class EcsUnreadableAnswerError extends Error {
  /** The HTTP status. */
  public readonly $metadata: { readonly httpStatusCode: number };
  public constructor(operation: string, status: number) {
    super(`${operation}: HTTP ${status}, the answer is not a JSON object`);
    this.name = "EcsUnreadableAnswer";
    this.$metadata = { httpStatusCode: status };
  }
}

const header = (h: HttpAnswer["headers"], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The error code of a JSON 1.1 error answer, read as the AWS SDK reads it: the body's `__type`, then
 * `code`, then the `x-amzn-ErrorType` header; from the text, the part before a `,` and before a `:`,
 * and after a `#` (`com.amazonaws.ecs#ClientException` → `ClientException`).
 */
export function ecsErrorCode(body: Readonly<Record<string, unknown>>, headers: HttpAnswer["headers"]): string | undefined {
  const raw = body.__type ?? body.code ?? header(headers, "x-amzn-errortype");
  if (typeof raw !== "string" && typeof raw !== "number") return undefined;
  let code = String(raw).split(",")[0] ?? "";
  code = code.split(":")[0] ?? "";
  if (code.includes("#")) code = code.split("#")[1] ?? "";
  return code === "" ? undefined : code;
}

/** Where and as whom the calls go. */
export interface EcsClientOptions {
  /** The environment: credentials, `AWS_REGION`, `AWS_ENDPOINT_URL_ECS` / `AWS_ENDPOINT_URL`; read at each call. @default process.env */
  readonly env?: () => Env;
  /** The transport. @default nodeHttpPost */
  readonly post?: HttpPostWithTimeout;
  /** Clock for the signature. @default Date.now */
  readonly now?: () => number;
}

/** Options of one call. */
export interface EcsCallOptions {
  /** Abandon the call after this many milliseconds. @default 10000 */
  readonly timeoutMs?: number;
}

/** One ECS call: no retry (callers retry with their own budget). */
export type EcsCall = <Output = Record<string, unknown>>(operation: string, input: object, options?: EcsCallOptions) => Promise<Output>;

/**
 * An ECS client: `call("RunTask", input)` signs the input as a JSON 1.1 POST, sends it once and
 * returns the answer's JSON as it came (timestamps stay epoch seconds, not `Date`s as the SDK would
 * give them), or throws {@link EcsServiceError} / {@link EcsUnreadableAnswerError} / the network
 * error. Credentials, region and endpoint are read from the environment at each call (Lambda may
 * rotate the credentials between invocations).
 */
export function createEcsClient(options: EcsClientOptions = {}): EcsCall {
  const env = options.env ?? (() => process.env);
  const post = options.post ?? nodeHttpPost;
  const now = options.now ?? Date.now;
  return async <Output>(operation: string, input: object, callOptions: EcsCallOptions = {}): Promise<Output> => {
    const e = env();
    const region = e.AWS_REGION;
    if (!region) throw new Error("no AWS region in the environment (AWS_REGION)");
    const url = `${awsEndpoint(e, "ECS", "ecs", region)}/`;
    const body = JSON.stringify(input);
    const headers = signPost({
      url,
      body,
      contentType: AWS_JSON_1_1,
      extraHeaders: { "x-amz-target": `${ECS_TARGET_PREFIX}${operation}` },
      region,
      service: "ecs",
      credentials: environmentCredentials(e),
      now: now(),
    });
    const res = await post(url, headers, body, callOptions.timeoutMs ?? 10_000);
    let doc: unknown = {};
    if (res.body.trim() !== "") {
      try {
        doc = JSON.parse(res.body);
      } catch {
        doc = undefined;
      }
    }
    const ok = res.status >= 200 && res.status < 300;
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
      // An error status whose body is unreadable still says what failed, by its status and header.
      const code = ok ? undefined : ecsErrorCode({}, res.headers);
      if (code !== undefined) throw new EcsServiceError(code, "UnknownError", res.status, header(res.headers, "x-amzn-requestid"));
      throw new EcsUnreadableAnswerError(operation, res.status);
    }
    if (ok) return doc as Output;
    const answer = doc as Record<string, unknown>;
    const text = typeof answer.message === "string" ? answer.message : typeof answer.Message === "string" ? answer.Message : "UnknownError";
    // Keys that would change the error object itself (its prototype included) are not copied.
    const members = Object.fromEntries(Object.entries(answer).filter(([k]) => !["__type", "message", "Message", "name", "stack", "$fault", "$metadata", "__proto__", "constructor", "prototype"].includes(k)));
    throw new EcsServiceError(ecsErrorCode(answer, res.headers) ?? "Unknown", text, res.status, header(res.headers, "x-amzn-requestid"), members);
  };
}
