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
 * "Performance"). The walker reproduces zod 4's object output exactly: keys in the shape's
 * order, a key the input has is kept even when its value is `undefined`, an absent key is set
 * only when its schema yields a value (a default); a default's value is a shallow copy each time,
 * as zod hands it out. `__tests__/core/fast-parse.test.ts` holds it to
 * `schema.parse` over every spec of the test suite and mutations of them.
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
 * primitives; {@link NOT_FAST} otherwise (never a wrong value: when in doubt it gives up).
 */
export function fastParse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> | typeof NOT_FAST {
  return new Walker().parse(schema, input) as z.output<T> | typeof NOT_FAST;
}

class Walker {
  /** Per field schema: primitive input → primitive output (only values the schema accepted). */
  private readonly memo = new Map<z.ZodType, Map<unknown, unknown>>();

  public parse(schema: z.ZodType, value: unknown): unknown {
    if (typeof value !== "object" || value === null) return this.leaf(schema, value);
    const def = defOf(schema);
    if (hasChecks(def)) return this.whole(schema, value);
    switch (def.type) {
      case "object":
        return this.object(def, value);
      case "array":
        return Array.isArray(value) && def.element ? this.array(def.element, value) : NOT_FAST;
      // A default or an optional passes a defined value to its inner schema unchanged; a default
      // applies itself again when the inner schema yields undefined (zod 4's handleDefaultResult).
      case "default":
      case "optional": {
        if (!def.innerType) return NOT_FAST;
        const inner = this.parse(def.innerType, value);
        return inner === undefined && def.type === "default" ? this.leaf(schema, undefined) : inner;
      }
      default:
        return this.whole(schema, value);
    }
  }

  private object(def: Def, value: object): unknown {
    const shape = def.shape;
    // Strict objects only (catchall `never`): any other catchall keeps or checks unknown keys.
    if (!shape || !isPlainObject(value) || !def.catchall || defOf(def.catchall).type !== "never") return NOT_FAST;
    for (const key in value) if (!Object.prototype.hasOwnProperty.call(shape, key)) return NOT_FAST;
    const out: Record<string, unknown> = {};
    for (const key in shape) {
      const has = Object.prototype.hasOwnProperty.call(value, key);
      // zod reads `input[key]`: a value inherited through the prototype is one the walker would miss.
      if (!has && key in value) return NOT_FAST;
      const parsed = this.parse(shape[key] as z.ZodType, has ? value[key] : undefined);
      if (parsed === NOT_FAST) return NOT_FAST;
      if (parsed !== undefined || has) out[key] = parsed;
    }
    return out;
  }

  private array(element: z.ZodType, value: readonly unknown[]): unknown {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const parsed = this.parse(element, value[i]);
      if (parsed === NOT_FAST) return NOT_FAST;
      out[i] = parsed;
    }
    return out;
  }

  /** A primitive (or `undefined`): the schema's answer, asked once per distinct value. */
  private leaf(schema: z.ZodType, value: unknown): unknown {
    // -0 and 0 are one key of a Map; a transform may give another value at each call.
    const memoizable = !Object.is(value, -0) && !TRANSFORMING.has(defOf(schema).type);
    let known = memoizable ? this.memo.get(schema) : undefined;
    if (known?.has(value)) return fresh(known.get(value));
    const r = schema.safeParse(value);
    if (!r.success) return NOT_FAST;
    if (!memoizable) return r.data;
    // An object for `undefined` is a default's: kept when it is flat, so that a shallow copy is a
    // whole new value (a default made by a function may nest objects); any other object is not kept.
    if (typeof r.data === "object" && r.data !== null && (value !== undefined || !isFlat(r.data))) return r.data;
    if (!known) this.memo.set(schema, (known = new Map()));
    known.set(value, r.data);
    return fresh(r.data);
  }

  /** Anything else (unions, custom checks, transforms): the schema itself. */
  private whole(schema: z.ZodType, value: unknown): unknown {
    const r = schema.safeParse(value);
    return r.success ? r.data : NOT_FAST;
  }
}
