import { Token } from "cdktf";
import { z } from "zod";
import { isSecretName, redactData, redactSecrets, rememberSecret, secretKind } from "./redact";

/**
 * One problem with one field: where it is, what is wrong, and what was received.
 */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `shutdown.gracePeriodSeconds` or `environments[2]`. */
  readonly field: string;
  /** What the field must be, phrased to follow the field name: `must be one of "run", "vcs"`. */
  readonly message: string;
  /** The received value, rendered for humans (secrets are never echoed). */
  readonly received: string;
}

/**
 * The kit's one error type for bad input. It names the construct path (or another subject such as
 * a spec file) and every bad field with what was received and what is allowed, one line per field:
 *
 * ```text
 * agent-pool/RunPool: `kind` must be one of "run", "vcs", got: "gpu"
 * ```
 */
export class KitValidationError extends Error {
  /** Construct path, or what else was validated (`AgentSettings`, a spec file). */
  public readonly subject: string;
  /** Every problem found, in input order. */
  public readonly issues: readonly ValidationIssue[];

  public constructor(subject: string, issues: readonly ValidationIssue[]) {
    // Secrets are hidden by value here too, whoever built the issues: URL userinfo, anything that
    // looks like a credential, text that came from a secret field (core/redact.ts).
    const safeSubject = redactSecrets(subject);
    const safe = issues.map((i) => ({ field: redactSecrets(i.field), message: redactSecrets(i.message), received: redactSecrets(i.received) }));
    super(safe.map((i) => formatIssue(safeSubject, i)).join("\n"));
    this.name = "KitValidationError";
    this.subject = safeSubject;
    this.issues = safe;
    // A subclass that sets its own message (a spec's `file:line: path: message` lines) is redacted too.
    let message = this.message;
    Object.defineProperty(this, "message", {
      configurable: true,
      enumerable: false,
      get: () => message,
      set: (text: unknown) => {
        message = redactSecrets(String(text));
      },
    });
  }

  /** What `JSON.stringify` shows of the error: its name, subject, message and issues, all redacted. */
  public toJSON(): { name: string; subject: string; message: string; issues: readonly ValidationIssue[] } {
    return { name: this.name, subject: this.subject, message: this.message, issues: this.issues };
  }
}

/** `subject: \`field\` message, got: received` (the field part is left out for the whole input). */
export function formatIssue(subject: string, issue: ValidationIssue): string {
  const field = issue.field ? `\`${issue.field}\` ` : "";
  return `${subject}: ${field}${issue.message}, got: ${issue.received}`;
}

/** Where a validation runs: the subject named in messages and a prefix for every field. */
export interface ValidationContext {
  /** Construct path or other subject, e.g. `agent-pool/RunPool`. */
  readonly subject: string;
  /** Prepended to every field, e.g. `agent` turns `concurrency` into `agent.concurrency`. */
  readonly fieldPrefix?: string;
}

const TOKEN_BRANCH = "__unresolved_terraform_token__";

/** Accepts any unresolved Terraform token (a reference known only at apply time). */
const unresolvedToken = z.custom<never>((v) => isToken(v), { error: TOKEN_BRANCH });

/**
 * The same, for a schema of strings or of numbers: a token given as an object (cdktf types some
 * values `any`, e.g. `TerraformVariable.value` or `Lazy.anyValue`, so TypeScript lets an
 * IResolvable through where a string is expected) is encoded as a string (number) token, so the
 * kit's string (number) operations work on it instead of failing with a TypeError.
 */
const unresolvedStringToken = unresolvedToken.transform((v: unknown) => (isTokenObject(v) ? Token.asString(v) : v) as never);
const unresolvedNumberToken = unresolvedToken.transform((v: unknown) => (isTokenObject(v) ? Token.asNumber(v) : v) as never);

/** An unresolved token that is an object (an IResolvable), not an encoded string, number or list. */
function isTokenObject(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Token.isUnresolved(v);
}

/** The type of the values a schema checks, through its optional/default/pipe wrappers. */
function baseType(schema: z.ZodType): string {
  let def = (schema as unknown as { _zod: { def: { type: string; in?: z.ZodType; innerType?: z.ZodType } } })._zod.def;
  for (;;) {
    const inner = def.type === "pipe" ? def.in : def.innerType;
    if (inner === undefined || !["pipe", "optional", "default", "prefault", "nullable", "readonly"].includes(def.type)) return def.type;
    def = (inner as unknown as { _zod: { def: typeof def } })._zod.def;
  }
}

/**
 * Wraps a schema so an unresolved Terraform token passes unchecked: its value is known only at
 * apply time, so synth-time checks cannot judge it. For a string (number) schema, a token given as
 * an IResolvable object comes out as a string (number) token.
 */
export function tokenOr<T extends z.ZodType>(schema: T): z.ZodType<z.output<T>, z.input<T>> {
  const type = baseType(schema);
  // A string (number) schema is tried first: a literal passes there without a failed token branch
  // (an issue object per field), and no token object passes a string or number schema. Any other
  // schema could take a token object apart (a record schema copies its fields): the token goes first.
  if (type === "string") return z.union([schema, unresolvedStringToken]) as unknown as z.ZodType<z.output<T>, z.input<T>>;
  if (type === "number") return z.union([schema, unresolvedNumberToken]) as unknown as z.ZodType<z.output<T>, z.input<T>>;
  return z.union([unresolvedToken, schema]) as unknown as z.ZodType<z.output<T>, z.input<T>>;
}

/** True for values that are unresolved Terraform tokens. */
export function isToken(value: unknown): boolean {
  // Every cdktf string marker (`${TfToken[…]}`, `#{TfToken[…]}`, `&{TfToken[…]}`) holds "TfToken[":
  // a string without it is literal, and the regex test is skipped (it runs for every field checked).
  if (typeof value === "string" && !value.includes("TfToken[")) return false;
  // An element of a list token (`variable.listValue`) is encoded as `#{TfToken[…]}`, which
  // Token.isUnresolved recognizes only inside its one-element list.
  return Token.isUnresolved(value) || (typeof value === "string" && value.startsWith("#{") && Token.isUnresolved([value]));
}

/**
 * Parses `input` with `schema`; on failure throws one {@link KitValidationError} listing every
 * bad field. Returns the parsed value with defaults applied.
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, ctx: ValidationContext): z.output<T> {
  const { data, issues } = parseIssues(schema, input, ctx.fieldPrefix ?? "");
  if (issues.length === 0) return data as z.output<T>;
  throw new KitValidationError(ctx.subject, issues);
}

/**
 * Parses `input` with `schema` and returns the parsed value (undefined on failure) with every
 * problem as a {@link ValidationIssue}, each field prefixed with `fieldPrefix`.
 */
export function parseIssues<T extends z.ZodType>(schema: T, input: unknown, fieldPrefix = ""): { readonly data: z.output<T> | undefined; readonly issues: ValidationIssue[] } {
  const result = safeParse(schema, input, { reportInput: true, error: defaultMessage });
  if (result.success) return { data: result.data as z.output<T>, issues: [] };
  return { data: undefined, issues: toIssues(result.error.issues, fieldPrefix, [], input) };
}

/**
 * zod's own error class JSON-serializes every issue with its input up front, which throws a
 * TypeError when props hold constructs (circular). This one only keeps the issues.
 */
class IssueList {
  public constructor(public readonly issues: z.core.$ZodIssue[]) {}
}
const safeParse = z.core._safeParse(IssueList as unknown as typeof z.core.$ZodError);

/** Builds a single-field error. */
export function fieldError(
  ctx: ValidationContext,
  field: string,
  message: string,
  received: unknown,
  options: { readonly sensitive?: boolean } = {},
): KitValidationError {
  const full = joinField(ctx.fieldPrefix ?? "", field);
  return new KitValidationError(ctx.subject, [{ field: full, message, received: describeValue(received, full, options.sensitive) }]);
}

/** Renders a field path from zod path segments: `a.b[2].c`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function joinField(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith("[") ? `${prefix}${field}` : `${prefix}.${field}`;
}

/** Last field names whose values are secrets: never echoed back in a message. */
const SENSITIVE_NAME = /token|password|credential|apikey|secretvalue|privatekey|clientkey/i;
/** Whole field paths whose values are secrets (webhook header values). */
const SENSITIVE_PATH = /headers?(\[\d+\])?\.value$/i;
/**
 * Field names with "token" in them that hold no secret: a pool's token names and its choice among
 * them, a token's age limit, the name of the Terraform variable that holds a token, a secret's ARN.
 * Their values are echoed (credential-looking values are still redacted by value).
 */
const NOT_SECRET_NAME = /^(tokens|activeToken|tokenMaxAgeDays|tokenFromTerraformVariable|tokenSecretArn)$/;

/**
 * True when a field's value must never be echoed in a message: its last name is the kit's name
 * for a secret (`token`, `password`, …) or any common name for a credential (`awsSecretAccessKey`,
 * `AWS_SECRET_ACCESS_KEY`, `clientSecret`, `connectionString`, …; see core/redact.ts).
 */
export function isSensitiveField(field: string): boolean {
  const last = field.split(/[.[\]"]+/).filter(Boolean).pop() ?? "";
  if (NOT_SECRET_NAME.test(last)) return false;
  return SENSITIVE_NAME.test(last) || SENSITIVE_PATH.test(field) || isSecretName(last);
}

/**
 * Renders a received value for a message; secrets are described, never shown. A value is hidden
 * when its field is sensitive (by name, or `sensitive` given) and, whatever the field, where it looks
 * like a credential: a whole-value credential becomes `<redacted: looks like an AWS access key id>`,
 * URL userinfo becomes `***`, and values under secret names inside objects are hidden.
 */
export function describeValue(value: unknown, field = "", sensitive = isSensitiveField(field)): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (isToken(value)) return "a Terraform reference";
  if (typeof value === "string") {
    if (sensitive) {
      rememberSecret(value);
      return `a plain string of ${value.length} characters (value hidden)`;
    }
    const kind = secretKind(value);
    if (kind !== undefined) return `<redacted: ${kind.startsWith("value of") ? kind : `looks like ${kind}`}>`;
    return truncate(JSON.stringify(redactSecrets(value)));
  }
  if (sensitive && (typeof value === "number" || typeof value === "bigint")) return `a ${typeof value} (value hidden)`;
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  const ctor = proto?.constructor?.name;
  if (ctor && ctor !== "Object") return `an instance of ${ctor}`;
  if (sensitive) {
    try {
      redactData(value, () => true);
    } catch {
      // cyclic: nothing to remember
    }
    return "an object (value hidden)";
  }
  try {
    return truncate(JSON.stringify(redactData(value, (name) => isSensitiveField(name))));
  } catch {
    return "an object";
  }
}

function truncate(s: string, max = 80): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** The kit's wording for zod's built-in checks, used unless a schema gives its own message. */
function defaultMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(String(issue.expected))}`;
    case "too_small": {
      const min = String(issue.minimum);
      if (issue.origin === "string") return min === "1" ? "must not be empty" : `must be at least ${min} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return min === "1" ? "must not be empty" : `must have at least ${min} entries`;
      return issue.inclusive ? `must be at least ${min}` : `must be greater than ${min}`;
    }
    case "too_big": {
      const max = String(issue.maximum);
      if (issue.origin === "string") return `must be at most ${max} characters long`;
      if (issue.origin === "array" || issue.origin === "set") return `must have at most ${max} entries`;
      return issue.inclusive ? `must be at most ${max}` : `must be less than ${max}`;
    }
    case "invalid_value":
      return issue.values.length === 1 ? `must be ${list(issue.values)}` : `must be one of ${list(issue.values)}`;
    case "invalid_format":
      return `must be a valid ${issue.format}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    case "unrecognized_keys": {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      if (shape) KNOWN_KEYS.set(issue.keys, Object.keys(shape));
      return "is not a known field";
    }
    default:
      return "is invalid";
  }
}

/**
 * True when a union branch refused the input's type at its root and said nothing else (a plain
 * type mismatch, or a token-or-value union whose value branch did that).
 */
function refusesType(branch: readonly z.core.$ZodIssue[]): boolean {
  const [only] = branch;
  if (branch.length !== 1 || only === undefined || only.path.length > 0) return false;
  if (only.code === "invalid_type") return true;
  return only.code === "invalid_union" && only.errors.every((b) => b.some((i) => i.message === TOKEN_BRANCH) || refusesType(b));
}

/**
 * True when the value at `path` in `root` came from a field holding a secret: its name says so, or
 * it is the `value` of an object marked `sensitive: true` (a Scalr variable, a webhook header).
 */
function sensitiveAt(root: unknown, path: readonly PropertyKey[], field: string): boolean {
  if (isSensitiveField(field)) return true;
  const last = path[path.length - 1];
  if (last !== "value") return false;
  let parent: unknown = root;
  for (const seg of path.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return false;
    parent = (parent as Record<PropertyKey, unknown>)[seg];
  }
  const flag = parent !== null && typeof parent === "object" ? (parent as { sensitive?: unknown }).sensitive : undefined;
  return flag === true || flag === "true";
}

function toIssues(issues: readonly z.core.$ZodIssue[], prefix: string, base: readonly PropertyKey[] = [], root?: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "invalid_union") {
      // A token-or-value union: report the value branch only.
      const branches = issue.errors.filter((b) => !b.some((i) => i.message === TOKEN_BRANCH));
      if (branches.length === 1 && branches[0]) {
        out.push(...toIssues(branches[0], prefix, path, root));
        continue;
      }
      // A union of a value and an object (an image reference or its parts): when the input is an
      // object, the branches that refused its type say nothing, and the object branch's field
      // problems are the ones to report, however many there are.
      const matched = branches.filter((b) => !refusesType(b));
      if (matched.length === 1 && matched[0] && matched[0].every((i) => i.path.length > 0)) {
        out.push(...toIssues(matched[0], prefix, path, root));
        continue;
      }
    }
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(issue);
      for (const key of issue.keys) {
        const hint = closest(key, known.filter((k) => !issue.keys.includes(k)));
        out.push({
          field: joinField(prefix, fieldPath([...path, key])),
          message: hint ? `is not a known field (did you mean \`${hint}\`?)` : "is not a known field",
          received: describeValue((issue.input as Record<string, unknown> | undefined)?.[key], key, sensitiveAt(root, [...path, key], key)),
        });
      }
      continue;
    }
    const field = joinField(prefix, fieldPath(path));
    const message = field === "" && issue.code === "invalid_type" ? `must be ${article(issue.expected)}` : issue.message;
    out.push({ field, message, received: describeValue(issue.input, field, sensitiveAt(root, path, field)) });
  }
  return out;
}

/**
 * The fields of the object schema that reported each `unrecognized_keys` issue, by the issue's
 * `keys` array (zod's final issue no longer names its schema; the error map still sees it, and the
 * final issue keeps the same array).
 */
const KNOWN_KEYS = new WeakMap<readonly string[], readonly string[]>();

function knownKeys(issue: { readonly keys: readonly string[] }): readonly string[] {
  return KNOWN_KEYS.get(issue.keys) ?? [];
}

/**
 * A strict object schema (unknown keys are errors, typos get a "did you mean" hint).
 */
export function strictProps<S extends z.core.$ZodLooseShape>(shape: S) {
  const schema = z.strictObject(shape);
  SHAPES.set(schema, shape);
  return schema;
}

/**
 * The field schemas of each `strictProps` schema, so a collector can parse an invalid input field by
 * field (keyed by schema object: schemas are module-level constants, never construct state).
 */
const SHAPES = new WeakMap<z.ZodType, z.core.$ZodLooseShape>();

/** The field schemas of a schema made with {@link strictProps}, or undefined for any other schema. */
export function shapeOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  return SHAPES.get(schema) as Readonly<Record<string, z.ZodType>> | undefined;
}

/** The known name closest to `name` (edit distance ≤ 3), for "did you mean" hints. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** A whole number within [min, max], or a Terraform token. */
export function intInRange(min: number, max: number) {
  return tokenOr(literalIntInRange(min, max));
}

/**
 * A whole number within [min, max] known at synth time: for values that cross-field rules check
 * (a Terraform token here is reported as "must be a whole number").
 */
export function literalIntInRange(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z
    .number({ error: message })
    .refine((n) => !isToken(n), { error: `${message}, known at synth time (not a Terraform reference)`, abort: true })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

/**
 * C0 and C1 control characters (NUL, tab, line breaks, escape, …, U+0080–U+009F) and the Unicode
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069,
 * https://www.unicode.org/reports/tr9/#Explicit_Directional_Embeddings): in a name, a branch or a
 * path they are invisible or reorder what a reviewer reads (the "Trojan Source" class,
 * https://nvd.nist.gov/vuln/detail/CVE-2021-42574), and a line break splits a value that is later
 * written one per line (trigger patterns).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** The message for a string holding a {@link CONTROL_CHARACTER}, naming the first one and where it is. */
export function controlCharacterMessage(value: unknown): string {
  const text = typeof value === "string" ? value : "";
  const m = CONTROL_CHARACTER.exec(text);
  const found = m ? ` (found U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at position ${m.index})` : "";
  return `must not contain control characters (NUL, tabs, line breaks, U+0000–U+001F, U+007F–U+009F) or bidirectional overrides (U+202A–U+202E, U+2066–U+2069)${found}: remove them`;
}

/** `schema` (a string schema) refined to reject {@link CONTROL_CHARACTER}s. */
export function withoutControlCharacters(schema: z.ZodString) {
  return schema.refine((s) => !CONTROL_CHARACTER.test(s), { error: (issue) => controlCharacterMessage(issue.input) });
}

/**
 * A name-like single line: non-empty, without leading/trailing whitespace, control characters or
 * bidirectional overrides; or a Terraform token.
 */
export function nameString(maxLength = 255) {
  return tokenOr(
    withoutControlCharacters(
      z
        .string()
        .min(1)
        .max(maxLength)
        .refine((s) => s.trim() === s, { error: "must not start or end with whitespace" }),
    ),
  );
}

/** A non-empty string without leading/trailing whitespace, or a Terraform token. */
export function nonEmptyString(maxLength = 255) {
  return tokenOr(
    z
      .string()
      .min(1)
      .max(maxLength)
      .refine((s) => s.trim() === s, { error: "must not start or end with whitespace" }),
  );
}
