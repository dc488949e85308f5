import * as fc from "fast-check";
import { KitValidationError, fieldPath } from "../../core/validation";
import { CORPUS, CORPUS_SUBJECTS, CorpusSubject, garbage, pathsOf, withValue } from "./subjects";

/**
 * Runs `subject` on `input`: it must succeed or throw the kit's error, whose every issue names a
 * field (the mutated one, a parent or a child of it) in the kit's format — never a TypeError,
 * never `undefined`, `NaN` or `[object Object]` in what it says.
 */
function expectKitOutcome(subject: CorpusSubject, input: unknown, at: readonly (string | number)[] | undefined): void {
  let error: unknown;
  try {
    subject.run(input as Record<string, unknown>);
    return;
  } catch (e) {
    error = e;
  }
  const where = at === undefined ? "the whole input" : `\`${fieldPath(at)}\``;
  if (!(error instanceof KitValidationError)) {
    const e = error as Error | undefined;
    throw new Error(`${subject.name}: garbage at ${where} threw ${e?.name ?? typeof error} instead of KitValidationError: ${String(e?.message ?? error).slice(0, 300)}`);
  }
  expect(error.issues.length).toBeGreaterThan(0);
  for (const issue of error.issues) {
    expect(typeof issue.field).toBe("string");
    expect(`${issue.field} ${issue.message}`).not.toMatch(/undefined|NaN|\[object Object\]/);
    expect(issue.message.length).toBeGreaterThan(0);
    expect(issue.received.length).toBeGreaterThan(0);
  }
  for (const line of error.message.split("\n")) expect(line).toMatch(/^[^:]+: (`[^`]*` )?\S.*, got: .+$/);
  if (at !== undefined && at.length > 0) {
    const expected = (subject.fieldFor ?? fieldPath)(at);
    const related = (field: string) => expected === "" || field === "" || field.startsWith(expected) || expected.startsWith(field);
    if (!error.issues.some((i) => related(i.field))) {
      throw new Error(`${subject.name}: garbage at ${where} was reported under ${error.issues.map((i) => `\`${i.field}\``).join(", ")} instead of \`${expected}\``);
    }
  }
}

const params = { seed: CORPUS.seed, numRuns: CORPUS.runs } as const;

describe.each(CORPUS_SUBJECTS.map((s) => [s.name, s] as const))("bad-input corpus: %s", (_name, subject) => {
  test("the baseline input is valid", () => {
    expect(() => subject.run(subject.baseline())).not.toThrow();
  });

  test("garbage at any field (nested ones included) gives the kit's error naming that field", () => {
    const paths = pathsOf(subject.baseline());
    fc.assert(
      fc.property(fc.constantFrom(...paths), garbage, (at, value) => {
        expectKitOutcome(subject, withValue(subject.baseline(), at, value), at);
      }),
      params,
    );
  });

  test("an unknown key on any object gives the kit's error (or is accepted where keys are free-form)", () => {
    const objects = [[], ...pathsOf(subject.baseline())].filter((at) => {
      const v = at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], subject.baseline());
      return v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
    });
    fc.assert(
      fc.property(fc.constantFrom(...objects), fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,15}$/), garbage, (at, key, value) => {
        const base = subject.baseline();
        const target = at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], base) as Record<string, unknown>;
        fc.pre(!(key in target));
        expectKitOutcome(subject, withValue(base, [...at, key], value), [...at, key]);
      }),
      params,
    );
  });

  test("garbage as the whole input gives the kit's error", () => {
    fc.assert(
      fc.property(garbage, (value) => expectKitOutcome(subject, value, [])),
      { ...params, numRuns: Math.ceil(CORPUS.runs / 2) },
    );
  });
});
