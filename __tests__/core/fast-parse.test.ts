/**
 * fastParse must give exactly what the schema's parse gives, or give up: over every spec of the
 * vending-machine tests and thousands of mutations of them (each value replaced by odd and invalid
 * ones, each key removed, an unknown key added), and on the zod constructs it walks itself.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { NOT_FAST, fastParse } from "../../core/fast-parse";
import { specSchema } from "../../vending-machine/spec-schema";
import { readSpecText } from "../../vending-machine/spec-source";
import { INVALID_SPECS, MANY_MISTAKES } from "../vending-machine/cases";
import { EVERY_FIELD } from "../vending-machine/every-field-spec";

const EXAMPLE = readSpecText(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "vending-machine", "spec.yaml"), "utf8")).data;

// The vending-machine benchmark's own spec generator (a plain JS script run by `npm run bench`):
// the spec whose validation the benchmark measures is one the walker is held to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateSpec } = require("../../bench/vending-machine.js") as { generateSpec(n: number): unknown };

const SPECS: ReadonlyArray<readonly [string, unknown]> = [
  ["examples/vending-machine/spec.yaml", EXAMPLE],
  ["a spec with every workspace field", EVERY_FIELD],
  ["the vending-machine benchmark's spec of 200 workspaces", generateSpec(200)],
  ["the spec with many mistakes", yamlData(MANY_MISTAKES)],
  ...INVALID_SPECS.flatMap(([what, text]) => {
    const data = yamlData(text);
    return data === undefined ? [] : [[`the spec where ${what}`, data] as const];
  }),
];

/** The data of a spec text, or undefined when the text is no YAML (some invalid specs are not). */
function yamlData(text: string): unknown {
  try {
    return readSpecText(text).data;
  } catch {
    return undefined;
  }
}

/** What the schema says: its value, or that it rejects the input. */
function zodAnswer(schema: z.ZodType, input: unknown): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false };
}

/** Holds fastParse to the schema on one input; says whether the schema accepts it and whether fastParse took the fast way. */
function agrees(schema: z.ZodType, input: unknown): { readonly valid: boolean; readonly fast: boolean } {
  const expected = zodAnswer(schema, input);
  const fast = fastParse(schema, input);
  if (!expected.ok) {
    expect(fast).toBe(NOT_FAST);
    return { valid: false, fast: false };
  }
  if (fast !== NOT_FAST) expect(fast).toStrictEqual(expected.value);
  return { valid: true, fast: fast !== NOT_FAST };
}

const ODD_VALUES: readonly unknown[] = ["", " padded", "line\nbreak", "${TfToken[TOKEN.1]}", "x".repeat(300), 0, 1.5, true, null, [], { unknown: 1 }];

/** Every mutation of `value`: each leaf replaced by each odd value, each key removed, an unknown key added to each object. */
function* mutations(value: unknown): Generator<unknown> {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) for (const m of mutations(value[i])) yield value.map((v, j) => (j === i ? m : v));
    return;
  }
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    yield { ...o, unknownField: "x" };
    for (const k of Object.keys(o)) {
      yield Object.fromEntries(Object.entries(o).filter(([key]) => key !== k));
      yield { ...o, [k]: undefined };
      for (const m of mutations(o[k])) yield { ...o, [k]: m };
    }
    return;
  }
  yield* ODD_VALUES;
}

describe.each(SPECS)("fastParse on %s", (_name, spec) => {
  test("gives the schema's own value", () => {
    const answer = zodAnswer(specSchema, spec);
    if (answer.ok) expect(fastParse(specSchema, spec)).toStrictEqual(answer.value);
    else expect(fastParse(specSchema, spec)).toBe(NOT_FAST);
  });
});

/** `value` with every list cut to its first two entries: the same kinds of fields, fewer of each. */
function trimmed(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 2).map(trimmed);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)]));
  return value;
}

/** The specs whose every mutation the walker is held to. */
const MUTATED: ReadonlyArray<readonly [string, unknown]> = [
  ["a spec with every workspace field", EVERY_FIELD],
  ["examples/vending-machine/spec.yaml (each list cut to two entries)", trimmed(EXAMPLE)],
];

test.each(MUTATED)("fastParse agrees with the schema on every mutation of %s, and takes the fast way for the valid ones", (_name, spec) => {
  let count = 0;
  let fast = 0;
  let valid = 0;
  for (const m of mutations(spec)) {
    count++;
    const r = agrees(specSchema, m);
    if (r.valid) valid++;
    if (r.fast) fast++;
  }
  expect(count).toBeGreaterThan(700);
  // The schema accepts many mutations (a value for an optional field, a removed optional key):
  // those take the fast way, except where a union or custom rule sits above the changed value.
  expect(fast).toBeGreaterThan(valid / 2);
});

describe("fastParse on the zod constructs it walks", () => {
  const schema = z.strictObject({
    name: z.string().min(1),
    note: z.string().optional(),
    list: z.array(z.string()).default([]),
    flags: z.strictObject({ on: z.boolean().default(true) }).default({ on: true }),
    made: z.array(z.strictObject({ x: z.number() })).default(() => [{ x: 1 }]),
    either: z.union([z.string(), z.strictObject({ id: z.string() })]).optional(),
  });

  test("keeps a key the input has even when its value is undefined, and sets an absent one only for a default", () => {
    const value = fastParse(schema, { name: "a", note: undefined });
    expect(value).toStrictEqual(schema.parse({ name: "a", note: undefined }));
    expect(Object.keys(value as object)).toEqual(["name", "note", "list", "flags", "made"]);
  });

  test("hands out each default as a value of its own, as zod does", () => {
    type Parsed = { list: string[]; flags: { on: boolean }; made: { x: number }[] };
    const value = fastParse(z.array(schema), [{ name: "a" }, { name: "b" }, { name: "c" }]) as Parsed[];
    for (const [a, b] of [
      [value[0], value[1]],
      [value[1], value[2]],
    ] as [Parsed, Parsed][]) {
      expect(a.list).not.toBe(b.list);
      expect(a.flags).not.toBe(b.flags);
      expect(a.made).not.toBe(b.made);
      expect(a.made[0]).not.toBe(b.made[0]);
    }
    (value[1] as Parsed).list.push("x");
    expect((value[2] as Parsed).list).toEqual([]);
  });

  test("gives up on what it does not walk plainly: unknown keys, loose objects, class instances", () => {
    expect(fastParse(schema, { name: "a", other: 1 })).toBe(NOT_FAST);
    expect(fastParse(z.object({ a: z.string() }), { a: "x" })).toBe(NOT_FAST);
    expect(fastParse(schema, new (class {
      public name = "a";
    })())).toBe(NOT_FAST);
  });

  test("asks the schema itself for an object with checks of its own, and gives up when they fail", () => {
    const refined = z.strictObject({ a: z.string(), b: z.string().default("") }).refine((o) => o.a !== "bad");
    expect(fastParse(refined, { a: "x" })).toStrictEqual({ a: "x", b: "" });
    expect(fastParse(refined, { a: "bad" })).toBe(NOT_FAST);
  });

  test("asks the schema itself for unions, and gives up on a rejected value", () => {
    expect(fastParse(schema, { name: "a", either: { id: "x" } })).toStrictEqual(schema.parse({ name: "a", either: { id: "x" } }));
    expect(fastParse(schema, { name: "a", either: { id: 1 } })).toBe(NOT_FAST);
    expect(fastParse(schema, { name: "" })).toBe(NOT_FAST);
  });

  test("matches zod where a walker could slip: -0, a default over a transform yielding undefined, a Date default, transforms", () => {
    const cases: [z.ZodType, unknown][] = [
      [z.array(z.number()), [0, -0, 0]],
      [z.strictObject({ a: z.string().transform((): string | undefined => undefined).default("d") }), { a: "x" }],
      [z.strictObject({ at: z.date().default(new Date(0)) }), {}],
      [z.array(z.strictObject({ tags: z.set(z.string()).default(new Set(["a"])) })), [{}, {}]],
      [z.array(z.string().transform((s) => `${s}!`)), ["a", "a"]],
    ];
    for (const [schema, input] of cases) {
      const expected = schema.parse(input);
      const fast = fastParse(schema, input);
      expect(fast).toStrictEqual(expected);
      if (Array.isArray(expected)) expect((fast as unknown[]).map((v) => Object.is(v, -0))).toEqual(expected.map((v) => Object.is(v, -0)));
    }
  });

  test("matches zod on absent keys: required unless optional on input (z.unknown() too), nothing when optional both ways, a default's value", () => {
    const cases: [z.ZodType, "error" | "fast"][] = [
      [z.strictObject({ a: z.unknown() }), "error"],
      [z.strictObject({ a: z.any() }), "error"],
      [z.strictObject({ a: z.union([z.string(), z.undefined()]) }), "error"],
      [z.strictObject({ a: z.unknown().optional() }), "fast"],
      [z.strictObject({ a: z.string().transform((s) => `${s}!`).optional() }), "fast"],
      [z.strictObject({ a: z.string().default("d").optional() }), "fast"],
      [z.strictObject({ a: z.string().optional().default("d") }), "fast"],
      [z.strictObject({ a: z.unknown().default(undefined) }), "fast"],
      [z.strictObject({ a: z.string().default("d") }), "fast"],
    ];
    for (const [schema, expected] of cases) {
      const zod = schema.safeParse({});
      const fast = fastParse(schema, {});
      expect([zod.success, fast === NOT_FAST]).toEqual(expected === "error" ? [false, true] : [true, false]);
      if (zod.success) {
        expect(fast).toStrictEqual(zod.data);
        expect(Object.keys(fast as object)).toEqual(Object.keys(zod.data as object));
      }
    }
  });

  test("gives up on shapes with a symbol key or a key __proto__, whose handling by zod a key walk would miss", () => {
    const symbol = Symbol("s");
    const withSymbol = z.strictObject({ a: z.string(), [symbol]: z.string() });
    expect(withSymbol.safeParse({ a: "x" }).success).toBe(false);
    expect(fastParse(withSymbol, { a: "x" })).toBe(NOT_FAST);
    const withProto = z.strictObject({ ["__proto__"]: z.strictObject({ b: z.string() }).optional() });
    const input = JSON.parse('{"__proto__":{"b":"x"}}') as unknown;
    expect(Object.getPrototypeOf(withProto.parse(input))).toBe(Object.prototype);
    expect(fastParse(withProto, input)).toBe(NOT_FAST);
  });

  test("asks a transform for every value, also under an optional or a default", () => {
    for (const wrap of [(t: z.ZodType) => t.optional(), (t: z.ZodType) => t.default("d")]) {
      let calls = 0;
      const schema = z.array(wrap(z.string().transform((s) => `${s}#${calls++}`)));
      const zod = schema.parse(["a", "a"]);
      calls = 0;
      expect(fastParse(schema, ["a", "a"])).toStrictEqual(zod);
    }
  });

  test("gives up on a shape key the input only inherits (zod would read it): a polluted Object.prototype", () => {
    const schema = z.strictObject({ name: z.string(), polluted: z.string().optional() });
    (Object.prototype as Record<string, unknown>).polluted = "evil";
    try {
      expect(fastParse(schema, { name: "a" })).toBe(NOT_FAST);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(fastParse(schema, { name: "a" })).toStrictEqual({ name: "a" });
  });

  test("asks once per distinct primitive value of a field", () => {
    const check = jest.fn((s: string) => s.length > 0);
    const field = z.string().refine(check);
    const input = Array.from({ length: 50 }, (_, i) => ({ v: i % 2 === 0 ? "a" : "b" }));
    expect(fastParse(z.array(z.strictObject({ v: field })), input)).toStrictEqual(input);
    expect(check).toHaveBeenCalledTimes(2);
  });
});

describe("fastParse with accept (the vending machine's token-marker refusal, in the same walk)", () => {
  /** Refuses text with cdktf's token marker and, to cover numbers, 13; records what it was offered. */
  const refusing = (offered?: Set<unknown>) => (v: unknown) => {
    offered?.add(v);
    return !(typeof v === "string" && v.includes("TfToken[")) && v !== 13;
  };

  /** Every primitive (`values`) and every key (`keys`) within `value`. */
  function contents(value: unknown, out: { values: unknown[]; keys: string[] } = { values: [], keys: [] }) {
    if (Array.isArray(value)) value.forEach((v) => contents(v, out));
    else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        out.keys.push(k);
        contents(v, out);
      }
    } else out.values.push(value);
    return out;
  }

  test.each(MUTATED)("over every mutation of %s: fast exactly when the walk without it is and all is accepted, every primitive offered", (_name, spec) => {
    let refused = 0;
    let fast = 0;
    const inputs = [spec, replaceFirstString(spec, 13), ...mutations(spec)];
    for (const m of inputs) {
      const offered = new Set<unknown>();
      const plain = fastParse(specSchema, m);
      const withAccept = fastParse(specSchema, m, refusing(offered));
      const { values, keys } = contents(m);
      const accept = refusing();
      if (plain === NOT_FAST || !values.every(accept) || !keys.every(accept)) {
        expect(withAccept).toBe(NOT_FAST);
        if (plain !== NOT_FAST) refused++;
        continue;
      }
      fast++;
      expect(withAccept).toStrictEqual(plain);
      // Keys of strict objects are checked against the shape's own names; every primitive is offered.
      for (const v of values) expect(offered.has(v)).toBe(true);
    }
    // The mutations put the marker (and 13) where the schema takes them: those walks were refused.
    expect(refused).toBeGreaterThan(20);
    expect(fast).toBeGreaterThan(100);
  });

  test("searches values the schema takes whole (unions, records) for refused primitives and keys", () => {
    const schema = z.strictObject({
      either: z.union([z.string(), z.strictObject({ id: z.string() })]).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      n: z.array(z.union([z.number(), z.string()])).optional(),
    });
    const accept = refusing();
    expect(fastParse(schema, { either: { id: "ok" }, labels: { a: "b" }, n: [1, "x"] }, accept)).toStrictEqual({ either: { id: "ok" }, labels: { a: "b" }, n: [1, "x"] });
    expect(fastParse(schema, { either: { id: "${TfToken[TOKEN.7]}" } }, accept)).toBe(NOT_FAST);
    expect(fastParse(schema, { labels: { "${TfToken[TOKEN.7]}": "b" } }, accept)).toBe(NOT_FAST);
    expect(fastParse(schema, { labels: { a: "${TfToken[TOKEN.7]}" } }, accept)).toBe(NOT_FAST);
    expect(fastParse(schema, { n: [1, 13] }, accept)).toBe(NOT_FAST);
    // Arrays and objects are offered too (a cdktf reference object, a map whose key is a map token),
    // and a class's object is not accepted where the schema takes a value whole.
    const refuseMarked = (v: unknown) => !(typeof v === "object" && v !== null && Object.prototype.hasOwnProperty.call(v, "marked"));
    expect(fastParse(schema, { labels: { marked: "b" } }, refuseMarked)).toBe(NOT_FAST);
    expect(fastParse(schema, { labels: { marked: "b" } }, accept)).toStrictEqual({ labels: { marked: "b" } });
    expect(fastParse(schema, { n: Object.assign([1], { marked: true }) }, refuseMarked)).toBe(NOT_FAST);
    expect(fastParse(schema, { either: new (class {
      public id = "ok";
    })() }, accept)).toBe(NOT_FAST);
    expect(fastParse(schema, { either: { id: "ok" } }, refuseMarked)).toStrictEqual({ either: { id: "ok" } });
  });
});

/** `value` with its first string (depth first) replaced by `by`. */
function replaceFirstString(value: unknown, by: unknown): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === "string") {
      done = true;
      return by;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}
