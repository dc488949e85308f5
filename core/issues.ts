import { z } from "zod";
import { redactSecrets } from "./redact";
import { KitValidationError, ValidationContext, ValidationIssue, describeValue, parseIssues, shapeOf } from "./validation";

/**
 * Collects every problem of one input (props of a construct, AgentSettings, a spec) so they are
 * reported together in one {@link KitValidationError}: field rules from the schema and cross-field
 * rules alike. An input with N mistakes in distinct fields yields N issues in one run.
 *
 * ```ts
 * const issues = new IssueCollector({ subject: this.node.path });
 * const p = issues.parse(propsSchema, props);          // every field problem; partial data
 * issues.rule(["kind", "webhook"], () => {             // skipped if `kind` or `webhook` is invalid
 *   if (p.kind === "vcs" && p.webhook) issues.add("webhook", "applies only to run pools", p.webhook);
 * });
 * issues.throwIfAny();                                  // one error listing all of them
 * ```
 */
export class IssueCollector {
  private readonly found: ValidationIssue[] = [];

  public constructor(public readonly ctx: ValidationContext) {}

  /** Every problem found so far, in the order found. */
  public get issues(): readonly ValidationIssue[] {
    return this.found;
  }

  /** Adds one problem with `field` (relative to the context's field prefix). */
  public add(field: string, message: string, received: unknown, options: { readonly sensitive?: boolean } = {}): void {
    const full = joinField(this.ctx.fieldPrefix ?? "", field);
    this.found.push({ field: full, message, received: describeValue(received, full, options.sensitive) });
  }

  /**
   * Adds an issue (its field already complete, its received value already rendered). Its text is
   * redacted by value (core/redact.ts): a caller that rendered a value itself cannot leak a credential.
   */
  public addIssue(issue: ValidationIssue): void {
    this.found.push({ field: redactSecrets(issue.field), message: redactSecrets(issue.message), received: redactSecrets(issue.received) });
  }

  /**
   * Runs a validation that throws (e.g. a nested `resolveAgentSettings`) and collects its issues;
   * returns its result, or undefined when it found problems. Other errors propagate.
   */
  public collect<T>(validate: () => T): T | undefined {
    try {
      return validate();
    } catch (e) {
      if (e instanceof KitValidationError) {
        this.addAll(e);
        return undefined;
      }
      throw e;
    }
  }

  /** Adds every issue of an error another validation threw (e.g. a nested `resolveAgentSettings`). */
  public addAll(error: KitValidationError): void {
    this.found.push(...error.issues);
  }

  /**
   * True when `field` (relative to the context's prefix) or a field above or below it already has
   * a problem: `aws` is invalid when `aws.auth` is, and `aws.auth` when `aws` is.
   */
  public has(field: string): boolean {
    // Most props have no problem: no path to build (every rule of every construct asks).
    if (this.found.length === 0) return false;
    const full = joinField(this.ctx.fieldPrefix ?? "", field);
    return this.found.some((i) => related(i.field, full));
  }

  /**
   * True when none of `fields` (each below `prefix`, e.g. `variables[2].`) has a problem yet: the
   * guard of a rule written out rather than through {@link rule} (on a hot path, where a closure per
   * call costs). Nothing found yet (the usual case) answers at once, without building a field path.
   */
  public valid(fields: readonly string[], prefix = ""): boolean {
    if (this.found.length === 0) return true;
    for (const f of fields) if (this.has(`${prefix}${f}`)) return false;
    return true;
  }

  /**
   * Runs a cross-field rule unless one of the fields it `reads` already has a problem (its value
   * would be missing or meaningless). A {@link KitValidationError} thrown by the rule is collected,
   * so rules written as `throw fieldError(...)` report alongside the rest; other errors propagate.
   */
  public rule(reads: readonly string[], check: () => void): void {
    if (!this.valid(reads)) return;
    try {
      check();
    } catch (e) {
      if (e instanceof KitValidationError) this.addAll(e);
      else throw e;
    }
  }

  /**
   * Parses `input` with `schema`, collecting every field problem. Returns the parsed value; when
   * some fields are invalid, a partial value holding the fields that parsed on their own (defaults
   * applied), so cross-field rules on valid fields still run. Rules must name what they read in
   * {@link rule}: invalid fields are absent from the partial value.
   */
  public parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
    const { data, issues } = parseIssues(schema, input, this.ctx.fieldPrefix ?? "");
    this.found.push(...issues);
    if (issues.length === 0) return data as z.output<T>;
    return partial(schema, input) as z.output<T>;
  }

  /** True when nothing was found. */
  public get ok(): boolean {
    return this.found.length === 0;
  }

  /** Throws one {@link KitValidationError} with every problem found, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new KitValidationError(this.ctx.subject, this.found);
  }
}

/** True when one field path is the other, or one lies inside the other. */
function related(a: string, b: string): boolean {
  if (a === b) return true;
  const inside = (x: string, y: string) => x.startsWith(y) && (x[y.length] === "." || x[y.length] === "[");
  return inside(a, b) || inside(b, a) || a === "" || b === "";
}

function joinField(prefix: string, field: string): string {
  if (!prefix) return field;
  if (!field) return prefix;
  return field.startsWith("[") ? `${prefix}${field}` : `${prefix}.${field}`;
}

/**
 * The fields of an object input that parse on their own, for a schema made with `strictProps`
 * (possibly optional or defaulted); nested `strictProps` objects are taken field by field too.
 * Anything else yields undefined.
 */
function partial(schema: z.ZodType, input: unknown): unknown {
  const shape = shapeOf(unwrap(schema));
  if (!shape || typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, fieldSchema] of Object.entries(shape)) {
    const value = (input as Record<string, unknown>)[key];
    const r = (fieldSchema as z.ZodType).safeParse(value);
    if (r.success) {
      if (r.data !== undefined) out[key] = r.data;
    } else if (value !== undefined) {
      const inner = partial(fieldSchema as z.ZodType, value);
      if (inner !== undefined) out[key] = inner;
    }
  }
  return out;
}

/** The schema inside `.optional()`, `.default()` and `.nullable()` wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (let i = 0; i < 5; i++) {
    const def = (s as unknown as { def?: { type?: string; innerType?: z.ZodType } }).def;
    if (def && (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault") && def.innerType) s = def.innerType;
    else break;
  }
  return s;
}
