/**
 * Collects every problem of one spec, each at its spec path (and line): the spec's counterpart of
 * core's `IssueCollector`. A spec's paths run through its lists (`environments[2].workspaces[5]`),
 * so the value it hands the later checks keeps every list entry at its index, an invalid entry as
 * far as its valid fields go, and a check is skipped when a field it reads is invalid.
 */
import { z } from "zod";
import { redactSecrets } from "../core/redact";
import { KitValidationError, parseIssues, shapeOf } from "../core/validation";
import { SpecPath, SpecSource, segmentsOf } from "./spec-source";
import { SpecIssue, SpecValidationError } from "./spec-validation-error";

/**
 * A spec value as far as it is valid: every object field optional (an invalid field is absent) and
 * every list entry possibly undefined (an entry that is not even an object), list indexes kept.
 * Defaults are applied to the fields that are valid.
 */
export type SpecDraft<T> = T extends string | number | boolean | bigint | symbol | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? readonly (SpecDraft<U> | undefined)[]
    : { readonly [K in keyof T]?: SpecDraft<T[K]> };

/** Every problem of one spec, with the paths the schema rejected. */
export class SpecIssues {
  private readonly found: SpecIssue[] = [];
  /** Path of each problem found, as segments (for {@link SpecIssues.flagged}). */
  private readonly foundPaths: SpecPath[] = [];
  /** Paths of the fields the schema rejected (for {@link SpecIssues.invalid}). */
  private readonly rejected: SpecPath[] = [];

  public constructor(
    /** Locates paths in the spec's text. */
    public readonly source: SpecSource,
  ) {}

  /** Every problem found so far, in the order found. */
  public get issues(): readonly SpecIssue[] {
    return this.found;
  }

  /** True when nothing was found. */
  public get ok(): boolean {
    return this.found.length === 0;
  }

  /**
   * Parses `data` with `schema`, recording every field the schema rejects (`message, got: value`).
   * Returns the parsed value; when some fields are invalid, the {@link SpecDraft} of the fields that
   * parse on their own (undefined when `data` itself is unusable).
   */
  public parse<T extends z.ZodType>(schema: T, data: unknown): SpecDraft<z.output<T>> | undefined {
    const { data: parsed, issues } = parseIssues(schema, data);
    if (issues.length === 0) return parsed as SpecDraft<z.output<T>>;
    for (const i of issues) {
      const path = segmentsOf(i.field);
      this.rejected.push(path);
      this.push(path, `${i.message}, got: ${i.received}`);
    }
    return draftOf(schema, data) as SpecDraft<z.output<T>> | undefined;
  }

  /** Adds a problem found by a check across fields or entries. */
  public add(path: SpecPath, message: string): void {
    this.push(path, message);
  }

  /**
   * Adds every issue of a construct's validation error, each at `at` + the issue's field (the spec's
   * field names are the constructs' prop names). Anything but a {@link KitValidationError} (or a
   * spec's own error) is rethrown: it is a bug, not a problem of the spec.
   */
  public addConstructError(at: SpecPath, error: unknown): void {
    if (!(error instanceof KitValidationError) || error instanceof SpecValidationError) throw error;
    for (const i of error.issues) {
      const path = [...at, ...segmentsOf(i.field)];
      // A field the schema rejected was left out of the construct: what the construct says of it
      // (e.g. "is required") repeats that mistake.
      if (this.rejected.some((r) => related(r, path) && r.length <= path.length)) continue;
      this.push(path, `${i.message}, got: ${i.received}`);
    }
  }

  /**
   * True when the schema rejected `path`, a field inside it, or a field it lies in: a check that
   * reads it would see a missing or partial value.
   */
  public invalid(path: SpecPath): boolean {
    return this.rejected.some((r) => related(r, path));
  }

  /** The keys directly inside `path` that the schema rejected (unknown or invalid fields). */
  public rejectedKeys(path: SpecPath): (string | number)[] {
    return this.rejected.filter((r) => r.length > path.length && path.every((seg, i) => r[i] === seg)).map((r) => r[path.length]!);
  }

  /** True when any problem (the schema's or a check's) is at `path` or inside it. */
  public flagged(path: SpecPath): boolean {
    return this.foundPaths.some((r) => r.length >= path.length && related(r, path));
  }

  /**
   * Runs a check unless the schema rejected one of the fields it `reads` (their values would be
   * missing or partial).
   */
  public rule(reads: readonly SpecPath[], check: () => void): void {
    if (this.rejected.length > 0 && reads.some((r) => this.invalid(r))) return;
    check();
  }

  /** Throws one {@link SpecValidationError} listing every problem, if any. */
  public throwIfAny(): void {
    if (this.found.length > 0) throw new SpecValidationError(this.found, this.source.file);
  }

  private push(path: SpecPath, message: string): void {
    this.foundPaths.push(path);
    // Messages quote spec values (a pool named by mistake with a token): redacted by value.
    this.found.push(this.source.issue(path, redactSecrets(message)));
  }
}

/** True when one path is the other or lies inside it. */
function related(a: SpecPath, b: SpecPath): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The part of `value` that `schema` accepts, list indexes kept: a valid value as parsed (defaults
 * applied); for an invalid object made with `strictProps`, its fields that are valid on their own
 * (recursively); for an invalid list, each entry so; anything else undefined.
 */
function draftOf(schema: z.ZodType, value: unknown): unknown {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  if (value === undefined || value === null || typeof value !== "object") return undefined;
  const s = unwrap(schema);
  const shape = shapeOf(s);
  if (shape) {
    if (Array.isArray(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const v = draftOf(field, (value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }
  const def = (s as unknown as { def: { type: string; element?: z.ZodType; options?: readonly z.ZodType[] } }).def;
  if (def.type === "array" && def.element && Array.isArray(value)) {
    const element = def.element;
    return value.map((v) => draftOf(element, v));
  }
  if (def.type === "union" && def.options) {
    // The option of the value's own form: a list for a list, an object for an object.
    for (const option of def.options) {
      const o = unwrap(option);
      const isList = (o as unknown as { def: { type: string } }).def.type === "array";
      if (isList === Array.isArray(value) && (isList || shapeOf(o))) return draftOf(o, value);
    }
  }
  return undefined;
}

/** The schema inside `.optional()`, `.default()` and `.nullable()` wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (def.innerType && (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault")) s = def.innerType;
    else return s;
  }
}
