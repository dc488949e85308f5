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

/** One Scalr delivery: the body Scalr POSTs and the idempotency key it sends with it. */
export interface ScalrDelivery {
  /** Agent task ID: the unit of work one agent container picks up. */
  readonly taskId: string;
  /** Task type (`plan`, `apply`, `policy.check`, …). */
  readonly action: string;
  /** Run the task belongs to. */
  readonly runId: string;
  /** Workspace of the run. */
  readonly workspaceId: string;
  /** Environment of the workspace. */
  readonly environmentId: string;
  /** When Scalr created the task, as Scalr wrote it (e.g. `2026-11-02T10:15:00+0000`). */
  readonly createdAt: string;
  /** `Idempotency-Key` header (stable across redeliveries), else `task_id`. */
  readonly idempotencyKey: string;
}

/** Largest body accepted. Scalr's body is a few hundred bytes; anything near this is not Scalr. */
export const MAX_BODY_BYTES = 64 * 1024;

// Scalr IDs are short ASCII slugs (`run-…`, `ws-…`, `env-…`). Restricting them to characters ECS
// accepts in tags and `startedBy` means a value in a tag is the value Scalr sent, never a mangled one.
const ID = /^[A-Za-z0-9._:@+=/-]+$/;
const id = (what: string, max = 128) =>
  z.string(`must be a string (the ${what})`).check(
    z.minLength(1, `must not be empty (the ${what})`),
    z.maxLength(max, `must be at most ${max} characters (the ${what})`),
    z.regex(ID, `must hold only letters, digits and . _ : @ + = / - (the ${what})`),
  );

// Unknown fields are ignored, not rejected: Scalr may add fields, and a 400 would leave runs waiting.
const bodySchema = z.object(
  {
    task_id: id("agent task ID"),
    action: id("task type, e.g. plan", 64),
    run_id: id("run ID"),
    workspace_id: id("workspace ID"),
    environment_id: id("environment ID"),
    created_at: z
      .string("must be a string (the task creation time)")
      .check(
        z.maxLength(64, "must be at most 64 characters (the task creation time)"),
        z.regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/, "must be a timestamp like 2026-11-02T10:15:00+0000"),
      ),
  },
  "must be a JSON object",
);

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

function reject(invalid: Array<{ field: string; message: string }>, statusCode = 400): ParsedWebhook {
  const errors = invalid.map((i) => `\`${i.field}\` ${i.message}`);
  return {
    ok: false,
    outcome: "rejected",
    invalid: invalid.map((i) => i.field),
    response: jsonResponse(statusCode, { message: errors.join("; "), errors: invalid }),
  };
}

/**
 * Validates a webhook request: method `POST`, a JSON body with Scalr's fields, an optional
 * `Idempotency-Key`. A rejection names each bad field; 405 for other methods.
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
  const text = request.body ?? "";
  if (text.trim() === "") return reject([{ field: "body", message: "must be a JSON object with task_id, action, run_id, workspace_id, environment_id, created_at" }]);
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) return reject([{ field: "body", message: `must be at most ${MAX_BODY_BYTES} bytes` }], 413);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return reject([{ field: "body", message: "must be valid JSON" }]);
  }
  const invalid: Array<{ field: string; message: string }> = [];
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.length === 0 ? "body" : issue.path.join(".");
      const missing = issue.code === "invalid_type" && issue.path.length > 0 && typeof json === "object" && json !== null && !(String(issue.path[0]) in json);
      if (!invalid.some((i) => i.field === field)) invalid.push({ field, message: missing ? "is required" : issue.message });
    }
  }
  const header = headerValue(request.headers, "Idempotency-Key")?.trim();
  if (header !== undefined && header.length > 1024) invalid.push({ field: "Idempotency-Key", message: "must be at most 1024 characters" });
  if (!parsed.success || invalid.length > 0) return reject(invalid);
  const b = parsed.data;
  return {
    ok: true,
    delivery: {
      taskId: b.task_id,
      action: b.action,
      runId: b.run_id,
      workspaceId: b.workspace_id,
      environmentId: b.environment_id,
      createdAt: b.created_at,
      idempotencyKey: header !== undefined && header !== "" ? header : b.task_id,
    },
  };
}
