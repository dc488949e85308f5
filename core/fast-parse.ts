/**
 * A faster way to the value a zod schema gives for a large, valid input, with the schema as the
 * only rule: {@link fastParse} walks the input along the schema's strict objects, arrays, defaults
 * and optionals itself, and asks the schema's own field schemas for every other value, once per
 * distinct primitive value. It returns what `schema.parse(input)` returns, or {@link NOT_FAST} as
 * soon as anything is not plainly valid (an unknown key, a rejected value, an object-level check):
 * the caller then parses with the schema, which finds and words every problem.
 *
 * Why: a vending-machine spec holds thousands of workspaces whose values repeat (pools, versions,
 * providers, branches, variable keys), and zod's object machinery is the largest part of a
 * 1,000-workspace synth's validation cost while its code is still cold (docs/development.md,
 * "Performance"). The walker reproduces zod 4's object output exactly (zod 4.6's `$ZodObject`, which
 * reads each field schema's `optin` and `optout`): keys in the shape's order, a key the input has is
 * kept even when its value is `undefined`; an absent key is an error when its schema is not
 * optional on input (even `z.unknown()`, since zod 4.4), adds nothing when its schema is optional
 * both ways, and is set when its schema yields a value (a default, which is also set when it
 * yields `undefined`); a default's value is a shallow copy each time, as zod hands it out.
 * `__tests__/core/fast-parse.test.ts` holds it to `schema.parse` over every spec of the test suite
 * and mutations of them.
 *
 * With `accept`, the walk also gives up on any value the caller refuses (the vending machine refuses
 * cdktf tokens, which a spec may not hold): every primitive of the input is offered to it once per
 * distinct value, and every array; a value the schema takes whole (a union, a record, …) is offered
 * whole and searched through, every object, array, key and primitive in it. A strict object the
 * walker walks is not offered: its keys must be the shape's own, and its value is a new object of
 * those keys only. A walk that succeeds has offered all the rest, so the caller needs no second pass.
 *
 * For schemas like the spec's: a default made by a function is taken as a pure factory (called
 * once per parse, its flat result copied for each use), and a field schema that transforms
 * (`pipe`, `transform`, …) is asked for every value; a schema whose defaults count or whose
 * refinements have side effects would see fewer calls than zod makes.
 */
import { z } from "zod";

/** What {@link fastParse} returns when the input needs the schema's full parse. */
export const NOT_FAST: unique symbol = Symbol("not-fast");

type Def = {
  readonly type: string;
  readonly checks?: readonly unknown[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;
const hasChecks = (def: Def): boolean => def.checks !== undefined && def.checks.length > 0;
const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A plain array or object whose members are all primitives (a Date, a Set, a Map is none). */
function isFlat(value: object): boolean {
  return (Array.isArray(value) || isPlainObject(value)) && Object.values(value).every((v) => typeof v !== "object" || v === null);
}

/** Schema types whose output may differ from one call to the next for one input. */
const TRANSFORMING: ReadonlySet<string> = new Set(["pipe", "transform", "custom", "catch", "prefault", "lazy"]);

/** Whether `def` or a schema it wraps (an optional's, a default's, … inner schema) may transform. */
function transforms(def: Def): boolean {
  for (let d: Def | undefined = def; d !== undefined; d = d.innerType === undefined ? undefined : defOf(d.innerType)) {
    if (TRANSFORMING.has(d.type)) return true;
  }
  return false;
}

/**
 * A default's value as zod hands it out: a shallow copy for each use (zod 4's `$ZodDefault` returns
 * `util.shallowClone` of it), so no two parsed values share it.
 */
function fresh(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  return Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
}

/**
 * `schema.parse(input)`'s value when `input` is valid and made of plain objects, arrays and
 * primitives that `accept`, when given, accepts (as the file's header says); {@link NOT_FAST}
 * otherwise (never a wrong value: when in doubt it gives up).
 */
export function fastParse<T extends z.ZodType>(schema: T, input: unknown, accept?: (value: unknown) => boolean): z.output<T> | typeof NOT_FAST {
  return new Walker(accept).parse(planOf(schema), input) as z.output<T> | typeof NOT_FAST;
}

/** How the walker takes an object or array value for a schema ({@link Plan.kind}). */
const enum Kind {
  /** A strict object without checks of its own: walked key by key. */
  Object,
  /** An array without checks of its own: walked element by element. */
  Array,
  /** A default or an optional: the inner schema's walk. */
  Wrapper,
  /** A schema the walker gives up on for such values (a loose object, a def it cannot read). */
  GiveUp,
  /** Anything else (unions, records, custom checks, transforms): the schema itself. */
  Whole,
}

/**
 * What the walker needs of a schema, read from its def once: schemas are module-level constants
 * and a spec has tens of thousands of values. One class for every kind, so the walk sees one shape.
 */
class Plan {
  private static count = 0;
  /** Index of this plan's memo in a walk. */
  public readonly id = Plan.count++;
  public readonly kind: Kind;
  /** Whether the schema's answer for a primitive may be kept and reused (no transform). */
  public readonly memoizable: boolean;
  public readonly isDefault: boolean;
  /**
   * As a field, what zod makes of the key's absence: an error (`required`), nothing (`omitted`), or
   * the schema's value for `undefined`, kept even when that is `undefined` (`defaulted`) or only
   * when it is not (`parsed`).
   */
  public readonly absent: "required" | "omitted" | "defaulted" | "parsed";
  /** Object: the shape, its keys, and (made on first walk, so recursive schemas end) their plans. */
  public readonly shape: Readonly<Record<string, z.ZodType>> | undefined;
  public readonly keys: readonly string[];
  private fieldPlans: readonly Plan[] | undefined = undefined;
  private readonly inner: z.ZodType | undefined;
  private innerPlan: Plan | undefined = undefined;

  public constructor(public readonly schema: z.ZodType) {
    const def = defOf(schema);
    this.memoizable = !transforms(def);
    this.isDefault = def.type === "default";
    const { optin, optout } = (schema as unknown as { _zod: { optin?: string; optout?: string } })._zod;
    this.absent =
      optin === undefined ? "required" : optout === "optional" ? (optin === "optional" ? "omitted" : "parsed") : optin === "defaulted" ? "defaulted" : "parsed";
    // Strict objects only (catchall `never`): any other catchall keeps or checks unknown keys.
    // A key "__proto__" (which zod skips) or a symbol key (which zod parses, and Object.keys
    // leaves out) is given up on.
    const strictObject =
      def.type === "object" &&
      def.shape !== undefined &&
      def.catchall !== undefined &&
      defOf(def.catchall).type === "never" &&
      !Object.prototype.hasOwnProperty.call(def.shape, "__proto__") &&
      Object.getOwnPropertySymbols(def.shape).length === 0;
    this.shape = strictObject ? def.shape : undefined;
    this.keys = strictObject ? Object.keys(def.shape!) : [];
    this.inner = def.type === "array" ? def.element : def.type === "default" || def.type === "optional" ? def.innerType : undefined;
    this.kind = hasChecks(def)
      ? Kind.Whole
      : def.type === "object"
        ? strictObject
          ? Kind.Object
          : Kind.GiveUp
        : def.type === "array" || def.type === "default" || def.type === "optional"
          ? this.inner
            ? def.type === "array"
              ? Kind.Array
              : Kind.Wrapper
            : Kind.GiveUp
          : Kind.Whole;
  }

  /** The plans of an object's fields, in the order of {@link keys}. */
  public fields(): readonly Plan[] {
    return (this.fieldPlans ??= this.keys.map((k) => planOf(this.shape![k]!)));
  }

  /** The plan of an array's element, or of a default's or an optional's inner schema. */
  public child(): Plan {
    return (this.innerPlan ??= planOf(this.inner!));
  }
}

const PLANS = new WeakMap<z.ZodType, Plan>();
function planOf(schema: z.ZodType): Plan {
  let plan = PLANS.get(schema);
  if (!plan) PLANS.set(schema, (plan = new Plan(schema)));
  return plan;
}

class Walker {
  /** Per plan id: primitive input → primitive output (only values the schema and `accept` accepted). */
  private readonly memos: (Map<unknown, unknown> | undefined)[] = [];

  public constructor(private readonly accept: ((value: unknown) => boolean) | undefined) {}

  public parse(plan: Plan, value: unknown): unknown {
    if (typeof value !== "object" || value === null) return this.leaf(plan, value);
    switch (plan.kind) {
      case Kind.Object:
        return this.object(plan, value);
      case Kind.Array:
        return Array.isArray(value) && (!this.accept || this.accept(value)) ? this.array(plan.child(), value) : NOT_FAST;
      // A default or an optional passes a defined value to its inner schema unchanged; a default
      // applies itself again when the inner schema yields undefined (zod 4's handleDefaultResult).
      case Kind.Wrapper: {
        const inner = this.parse(plan.child(), value);
        return inner === undefined && plan.isDefault ? this.leaf(plan, undefined) : inner;
      }
      case Kind.GiveUp:
        return NOT_FAST;
      default:
        return this.whole(plan, value);
    }
  }

  private object(plan: Plan, value: object): unknown {
    const shape = plan.shape!;
    if (!isPlainObject(value)) return NOT_FAST;
    for (const key in value) if (!Object.prototype.hasOwnProperty.call(shape, key)) return NOT_FAST;
    const keys = plan.keys;
    const fields = plan.fields();
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const field = fields[i]!;
      const has = Object.prototype.hasOwnProperty.call(value, key);
      if (!has) {
        // zod reads `input[key]`: a value inherited through the prototype is one the walker would miss.
        if (key in value || field.absent === "required") return NOT_FAST;
        if (field.absent === "omitted") continue;
      }
      const parsed = this.parse(field, has ? value[key] : undefined);
      if (parsed === NOT_FAST) return NOT_FAST;
      if (has || parsed !== undefined || field.absent === "defaulted") out[key] = parsed;
    }
    return out;
  }

  private array(element: Plan, value: readonly unknown[]): unknown {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const parsed = this.parse(element, value[i]);
      if (parsed === NOT_FAST) return NOT_FAST;
      out[i] = parsed;
    }
    return out;
  }

  /** A primitive (or `undefined`): the schema's answer, asked once per distinct value. */
  private leaf(plan: Plan, value: unknown): unknown {
    // -0 and 0 are one key of a Map; a transform may give another value at each call.
    const memoizable = plan.memoizable && !Object.is(value, -0);
    let known = memoizable ? this.memos[plan.id] : undefined;
    if (known?.has(value)) return fresh(known.get(value));
    if (this.accept && !this.accept(value)) return NOT_FAST;
    const r = plan.schema.safeParse(value);
    if (!r.success) return NOT_FAST;
    if (!memoizable) return r.data;
    // An object for `undefined` is a default's: kept when it is flat, so that a shallow copy is a
    // whole new value (a default made by a function may nest objects); any other object is not kept.
    if (typeof r.data === "object" && r.data !== null && (value !== undefined || !isFlat(r.data))) return r.data;
    if (!known) this.memos[plan.id] = known = new Map();
    known.set(value, r.data);
    return fresh(r.data);
  }

  /** Anything else (unions, custom checks, transforms): the schema itself. */
  private whole(plan: Plan, value: unknown): unknown {
    if (this.accept && !accepted(value, this.accept)) return NOT_FAST;
    const r = plan.schema.safeParse(value);
    return r.success ? r.data : NOT_FAST;
  }
}

/**
 * Whether `accept` accepts `value` and every array, object, key and primitive within it; an object
 * that is not plain (a class's, whose fields the schema could read through its prototype) is not
 * searched, and not accepted.
 */
function accepted(value: unknown, accept: (value: unknown) => boolean): boolean {
  if (!accept(value)) return false;
  if (Array.isArray(value)) return value.every((v) => accepted(v, accept));
  if (isPlainObject(value)) return Object.keys(value).every((k) => accept(k) && accepted(value[k], accept));
  return typeof value !== "object" || value === null;
}
