import * as fc from "fast-check";
import { KitValidationError, ValidationIssue, fieldPath } from "../../core/validation";
import { CORPUS, CORPUS_SUBJECTS, CorpusSubject, garbage, pathsOf, withValue } from "./subjects";

type Path = readonly (string | number)[];

/** The issues `subject` reports for `input` (none when it succeeds); anything but the kit's error fails. */
function issuesOf(subject: CorpusSubject, input: unknown): readonly ValidationIssue[] {
  try {
    subject.run(input as Record<string, unknown>);
    return [];
  } catch (e) {
    if (e instanceof KitValidationError) return e.issues;
    throw e;
  }
}

const line = (i: ValidationIssue) => `${i.field}: ${i.message}, got: ${i.received}`;
const unrelated = (a: Path, b: Path) => {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).some((seg, i) => seg !== b[i]);
};

/**
 * One input, several mistakes in unrelated fields: every mistake is reported in the same run
 * (nothing stops at the first problem), and the run reports nothing that no single mistake causes
 * (a cross-field rule does not fire on a field that is already invalid). A cross-field rule that a
 * lone mistake triggers may be skipped when another mistake invalidates a field it reads.
 */
/**
 * Checks that depend on another field by nature, per subject: `[mistake field prefix, field it
 * depends on]`. `extraValues` is checked against the chosen chart's values, so with an invalid
 * `chart` there is nothing to check it against.
 */
const DEPENDS_ON: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  renderHelmValues: [["extraValues", "chart"]],
  HelmAgent: [["extraValues", "chart"]],
  // `activeToken` is wrong only as "not one of `tokens`": with `tokens` invalid there is no list to check it against.
  "AgentPool token rotation": [["activeToken", "tokens"]],
};

/** Subjects of one field: they cannot hold two unrelated mistakes. */
const ONE_FIELD = ["Tag", "AgentTokenSource.fromTerraformValue options"];

// Subjects with fewer than two fields cannot hold two unrelated mistakes.
const SUBJECTS = CORPUS_SUBJECTS.filter((s) => pathsOf(s.baseline()).length >= 2);

test("covers every corpus subject with two or more fields", () => {
  expect(CORPUS_SUBJECTS.filter((s) => !SUBJECTS.includes(s)).map((s) => s.name)).toEqual(ONE_FIELD);
});

describe.each(SUBJECTS.map((s) => [s.name, s] as const))("every problem in one run: %s", (_name, subject) => {
  test("mistakes in unrelated fields are all reported together", () => {
    const leaves = pathsOf(subject.baseline());
    const fieldOf = (at: Path) => (subject.fieldFor ?? fieldPath)(at);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.constantFrom(...leaves), garbage), { minLength: 2, maxLength: 4, selector: ([p]) => fieldPath(p) }), (mistakes) => {
        const chosen = mistakes.filter(([p], i) => mistakes.every(([q], j) => j >= i || unrelated(p, q)));
        const alone = chosen.map(([p, v]) => ({ at: p, issues: issuesOf(subject, withValue(subject.baseline(), p, v)) })).filter((m) => m.issues.length > 0);
        fc.pre(alone.length >= 2);
        let input: unknown = subject.baseline();
        for (const m of alone) input = withValue(input, m.at, chosen.find(([p]) => p === m.at)?.[1]);
        const together = issuesOf(subject, input);
        const expected = new Set(alone.flatMap((m) => m.issues.map(line)));
        const mistaken = alone.map((m) => fieldOf(m.at));
        const excused = (field: string) =>
          (DEPENDS_ON[subject.name] ?? []).some(([prefix, decider]) => field.startsWith(prefix) && mistaken.some((f) => f === decider || f.startsWith(`${decider}.`) || f.startsWith(`${decider}[`)));
        for (const m of alone) {
          const field = fieldOf(m.at);
          if (excused(field)) continue;
          const reported = together.some((i) => field === "" || i.field === "" || i.field.startsWith(field) || field.startsWith(i.field));
          if (!reported) throw new Error(`${subject.name}: the mistake at \`${field}\` was not reported together with the others; got:\n${together.map(line).join("\n")}`);
        }
        const extra = together.map(line).filter((l) => !expected.has(l));
        if (extra.length > 0) throw new Error(`${subject.name}: reported what no single mistake causes:\n${extra.join("\n")}`);
      }),
      { seed: CORPUS.seed, numRuns: Math.ceil(CORPUS.runs / 2) },
    );
  });
});
