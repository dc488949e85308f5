import * as z from "zod/mini";

/** An HTTP request as the core sees it, independent of API Gateway's event shape. */
export interface WebhookHttpRequest {
  /** HTTP method, any case. */
  readonly method: string;
  /** Request headers; names in any case (HTTP header names are case-insensitive). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text (already base64-decoded), if any. */
  readonly body: string | null | undefined;
}

/** An HTTP response as the core produces it. */
export interface WebhookHttpResponse {
  /** HTTP status code. */
  readonly statusCode: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/**
 * One Scalr delivery: the `Idempotency-Key` Scalr sends with it and whatever of the documented body
 * fields arrived readable (https://docs.scalr.io/docs/serverless-webhooks, "Request body" and
 * "Headers"). Only the key is needed to start the delivery's agent; the body fields only enrich the
 * task's tags and the log line.
 */
export interface ScalrDelivery {
  /** `Idempotency-Key` header ("The agent task ID. The value stays the same across delivery retries"), else a readable `task_id`. */
  readonly idempotencyKey: string;
  /** Agent task ID: the unit of work one agent container picks up. */
  readonly taskId?: string;
  /** Task type (`plan`, `apply`, `policy.check`, …). */
  readonly action?: string;
  /** Run the task belongs to. */
  readonly runId?: string;
  /** Workspace of the run. */
  readonly workspaceId?: string;
  /** Environment of the workspace. */
  readonly environmentId?: string;
  /** When Scalr created the task, as Scalr wrote it (e.g. `2026-11-02T10:15:00+0000`). */
  readonly createdAt?: string;
  /** Body fields (or `body` itself) that were absent. */
  readonly missing: readonly string[];
  /** Body fields (or `body` itself) that were present but unreadable, with why. */
  readonly malformed: readonly string[];
}

/** Largest body read. Scalr's body is a few hundred bytes; a larger one is not parsed (the delivery still launches). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Longest `Idempotency-Key` accepted. Scalr sends the agent task ID, a short slug. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 1024;

// Scalr IDs are short ASCII slugs (`run-…`, `ws-…`, `env-…`). Only values of characters ECS accepts
// in tag values are used, so a value in a tag is the value Scalr sent, never a mangled one.
const ID = /^[A-Za-z0-9._:@+=/-]+$/;
const id = (what: string, max = 128) =>
  z.string(`must be a string (the ${what})`).check(
    z.minLength(1, `must not be empty (the ${what})`),
    z.maxLength(max, `must be at most ${max} characters (the ${what})`),
    z.regex(ID, `must hold only letters, digits and . _ : @ + = / - (the ${what})`),
  );

// Scalr writes `2026-11-02T10:15:00+0000`; ISO 8601 variants (`Z`, `+00:00`, a space for `T`,
// seconds and fractions optional) are read too. No zone means UTC.
const SCALR_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch of a Scalr `created_at`, or undefined when it is not a real date and time. */
export function parseScalrTime(text: string): number | undefined {
  const m = SCALR_TIME.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fraction * 1000);
  // Date.UTC rolls 31 February over into March: a day the month does not have is not a date.
  if (new Date(local).getUTCDate() !== day) return undefined;
  const zone = m[8];
  if (zone === undefined || zone === "Z" || zone === "z") return local;
  const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!z) return undefined;
  const offsetMinutes = Number(z[2]) * 60 + Number(z[3] ?? "0");
  if (Number(z[2]) > 23 || Number(z[3] ?? "0") > 59) return undefined;
  return local - (z[1] === "-" ? -1 : 1) * offsetMinutes * 60_000;
}

/** The documented body fields, each read on its own: one unreadable field never hides the others. */
const FIELDS = {
  task_id: id("agent task ID"),
  action: id("task type, e.g. plan", 64),
  run_id: id("run ID"),
  workspace_id: id("workspace ID"),
  environment_id: id("environment ID"),
  created_at: z
    .string("must be a string (the task creation time)")
    .check(z.maxLength(64, "must be at most 64 characters (the task creation time)"), z.minLength(1, "must not be empty (the task creation time)")),
} as const;
type BodyField = keyof typeof FIELDS;
const BODY_FIELDS = Object.keys(FIELDS) as BodyField[];

/** The outcome of reading a request: the delivery, or the response that rejects it. */
export type ParsedWebhook =
  | { readonly ok: true; readonly delivery: ScalrDelivery }
  | { readonly ok: false; readonly response: WebhookHttpResponse; readonly outcome: "method-not-allowed" | "rejected"; readonly invalid: readonly string[] };

/** Header lookup that ignores case, as HTTP does. */
export function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower && v !== undefined) return v;
  return undefined;
}

/** A JSON response with the headers every answer carries. */
export function jsonResponse(statusCode: number, payload: unknown, headers: Record<string, string> = {}): WebhookHttpResponse {
  return { statusCode, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(payload) };
}

/** The body as a JSON object, or why it is not one (`missing` / `malformed`). */
function readBody(text: string | null | undefined): { fields: Record<string, unknown>; missing?: string; malformed?: string } {
  if (text === null || text === undefined || text.trim() === "") return { fields: {}, missing: "body" };
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) return { fields: {}, malformed: `body: larger than ${MAX_BODY_BYTES} bytes, not read` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { fields: {}, malformed: "body: not valid JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return { fields: {}, malformed: "body: not a JSON object" };
  return { fields: json as Record<string, unknown> };
}

/**
 * Reads a webhook request. A delivery needs only method `POST` and a key: the `Idempotency-Key`
 * header, else a readable `task_id` (the same value, per Scalr's reference). Every body field is
 * optional: each one that is absent or unreadable is named in `missing` / `malformed` and left out,
 * and the delivery still starts its agent — Scalr's own AWS module starts a task without reading the
 * body, and a 4xx is an answer Scalr has no reason to redeliver (see docs/decisions/0008). The
 * request is refused only when it cannot be a Scalr delivery: 405 for other methods, 400 when there
 * is no usable key at all (no delivery to be idempotent on).
 */
export function parseWebhookRequest(request: WebhookHttpRequest): ParsedWebhook {
  if (request.method.toUpperCase() !== "POST") {
    return {
      ok: false,
      outcome: "method-not-allowed",
      invalid: [],
      response: jsonResponse(405, { message: `method ${request.method} is not allowed; Scalr delivers with POST` }, { Allow: "POST" }),
    };
  }
  const missing: string[] = [];
  const malformed: string[] = [];
  const body = readBody(request.body);
  if (body.missing !== undefined) missing.push(body.missing);
  if (body.malformed !== undefined) malformed.push(body.malformed);
  const values: Partial<Record<BodyField, string>> = {};
  if (body.missing === undefined && body.malformed === undefined) {
    for (const field of BODY_FIELDS) {
      if (!(field in body.fields) || body.fields[field] === undefined || body.fields[field] === null) {
        missing.push(field);
        continue;
      }
      const parsed = FIELDS[field].safeParse(body.fields[field]);
      if (!parsed.success) malformed.push(`${field}: ${parsed.error.issues[0]?.message ?? "unreadable"}`);
      else if (field === "created_at" && parseScalrTime(parsed.data) === undefined) malformed.push("created_at: not a timestamp like 2026-11-02T10:15:00+0000");
      else values[field] = parsed.data;
    }
  }

  const header = headerValue(request.headers, "Idempotency-Key")?.trim();
  let key: string | undefined;
  if (header === undefined || header === "") missing.push("Idempotency-Key");
  else if (header.length > MAX_IDEMPOTENCY_KEY_LENGTH) malformed.push(`Idempotency-Key: longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  else key = header;
  key ??= values.task_id;
  if (key === undefined) {
    const errors = [{ field: "Idempotency-Key", message: "is required: Scalr sends the agent task ID in it (a readable `task_id` in the body would do too)" }];
    return {
      ok: false,
      outcome: "rejected",
      invalid: ["Idempotency-Key"],
      response: jsonResponse(400, { message: errors.map((e) => `\`${e.field}\` ${e.message}`).join("; "), errors }),
    };
  }
  return {
    ok: true,
    delivery: {
      idempotencyKey: key,
      ...(values.task_id !== undefined ? { taskId: values.task_id } : {}),
      ...(values.action !== undefined ? { action: values.action } : {}),
      ...(values.run_id !== undefined ? { runId: values.run_id } : {}),
      ...(values.workspace_id !== undefined ? { workspaceId: values.workspace_id } : {}),
      ...(values.environment_id !== undefined ? { environmentId: values.environment_id } : {}),
      ...(values.created_at !== undefined ? { createdAt: values.created_at } : {}),
      missing,
      malformed,
    },
  };
}
