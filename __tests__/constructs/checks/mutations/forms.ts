// Shared pieces of the mutation corpora (`mutations/<area>.test.ts`): a form is one syntactic way
// of writing a violation (or its compliant twin) as ordinary Terraform through L1 resources,
// escape hatches and raw blocks; each corpus asserts that its rule fires on every violating form
// and passes every compliant twin.
import { TerraformResource, TerraformStack } from "cdktf";
import { KitRule } from "../../../../constructs/checks";
import { violations } from "../rule-helpers";

/** One form: its name (what makes it different) and the stack it builds. */
export interface Form {
  readonly form: string;
  readonly build: (stack: TerraformStack) => void;
}

/** The violating forms and compliant twins of one rule. */
export interface Corpus {
  readonly rule: KitRule;
  readonly violating: readonly Form[];
  readonly compliant: readonly Form[];
}

/**
 * A resource written as raw Terraform JSON (`addOverride` of every argument): the form a user writes
 * for resource types the kit has no construct for, and the strongest escape hatch.
 */
export function raw(stack: TerraformStack, type: string, id: string, body: Record<string, unknown>): TerraformResource {
  const r = new TerraformResource(stack, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(body)) r.addOverride(k, v);
  return r;
}

/** Runs a corpus: every violating form fires the rule, every compliant twin passes it. */
export function runCorpus(corpus: Corpus): void {
  describe(`${corpus.rule.id} ${corpus.rule.name}: ${corpus.violating.length} violating forms, ${corpus.compliant.length} compliant twins`, () => {
    test.each(corpus.violating.map((f) => [f.form, f] as const))("fires: %s", (_name, f) => {
      const found = violations(corpus.rule, f.build);
      expect(found.length).toBeGreaterThan(0);
      for (const line of found) expect(line.startsWith(`${corpus.rule.id} `)).toBe(true);
    });
    test.each(corpus.compliant.map((f) => [f.form, f] as const))("passes: %s", (_name, f) => {
      expect(violations(corpus.rule, f.build)).toEqual([]);
    });
  });
}

/** How a finding that could not be decided at synth time reads (unknown values fail closed). */
export const UNCONFIRMED = /cannot be confirmed at synth time.*acknowledge KIT-[A-Z0-9]+-\d+ with a reason/;
