/**
 * Validating a vending-machine spec: every problem of the spec in one run, each at its path and
 * line — the fields the schema rejects (the constructs' own field rules among them), the rules
 * across fields and entries on the fields that are valid, and, when there are problems already,
 * the constructs' rules across fields (which `VendingMachine` otherwise meets as it builds).
 */
import { NOT_FAST, fastParse } from "../core/fast-parse";
import { isToken } from "../core/validation";
import { checkConstructRules } from "./construct-rules";
import { crossCheck } from "./cross-checks";
import { ResolvedSpec, specSchema } from "./spec-schema";
import { SpecDraft, SpecIssues } from "./spec-issues";
import { SpecPath, SpecSource, SpecText, readSpecText } from "./spec-source";
import type { VendingMachineSpec } from "./spec-types";

/**
 * Validates a spec: its shape and every field's rule, every reference by name, duplicate names,
 * Scalr's final-variable rule, pool kinds, the size of each stack and the constructs' rules across
 * fields. Throws one `SpecValidationError` listing every problem; returns the spec with
 * defaults applied.
 */
export function validateSpec(data: unknown, source: SpecSource = new SpecSource()): ResolvedSpec {
  const issues = new SpecIssues(source);
  // A valid spec free of token markers, in one walk, without zod's object machinery; anything else
  // through the schema and the marker search, which find and word every problem (core/fast-parse.ts).
  const fast = fastParse(specSchema, data, isLiteral);
  let spec: SpecDraft<ResolvedSpec> | undefined = fast === NOT_FAST ? undefined : fast;
  if (fast === NOT_FAST) {
    spec = issues.parse(specSchema, data);
    rejectTokenMarkers(data, [], issues);
  }
  crossCheck(spec, issues);
  // A valid spec meets the constructs' rules across fields when VendingMachine builds it; one with
  // problems is never built, so they run here, on the entries whose fields are valid.
  if (!issues.ok) checkConstructRules(spec, issues);
  issues.throwIfAny();
  return spec as ResolvedSpec;
}

/** Text with cdktf's token marker anywhere, in any of its forms (`${…}`, `#{…}`, `&{…}`) or none. */
const hasMarker = (v: unknown): boolean => typeof v === "string" && v.includes("TfToken[");

/** A value of a spec that holds no cdktf token: no marker in text, no reference object, map or list. */
const isLiteral = (v: unknown): boolean => !hasMarker(v) && !isToken(v);

/**
 * A spec holds literal text only. Text with `${…}` or `%{…}` is fine: the constructs write it
 * escaped (`$${…}`), so Terraform never evaluates it. But text holding cdktf's own token marker
 * (`${TfToken[TOKEN.n]}`, in any form) would be taken by cdktf for one of the stack's references
 * (the provider's token among them) and resolved into it: it is rejected, wherever it is (keys
 * too), as are reference objects and maps. A spec is plain data: an object of a class is rejected
 * too (its fields could be inherited, or computed when read).
 */
function rejectTokenMarkers(value: unknown, path: SpecPath, issues: SpecIssues): void {
  // One path array, extended and shortened in place: it is copied only for an issue (the spec has tens of thousands of values).
  const at = [...path];
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (hasMarker(v)) issues.add([...at], `must be literal text: it holds cdktf's token marker ("TfToken["), which cdktf would resolve to another value of the stack, got: ${JSON.stringify(v).slice(0, 80)}`);
      return;
    }
    if (typeof v !== "object" || v === null) {
      if (isToken(v)) issues.add([...at], "must be literal data: a spec holds no Terraform references, got: a Terraform reference");
      return;
    }
    if (isToken(v)) {
      // A cdktf reference object (e.g. `TerraformVariable.value`), list or map given as spec data.
      issues.add([...at], "must be literal data: a spec holds no Terraform references, got: a Terraform reference");
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        at.push(i);
        visit(v[i]);
        at.pop();
      }
      return;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
      issues.add([...at], `must be plain data (an object literal, or parsed YAML or JSON), got: ${typeof name === "string" && name !== "" && name !== "Object" ? `an instance of ${name}` : "an object whose prototype is not Object.prototype"}`);
      return;
    }
    for (const k of Object.keys(v)) {
      at.push(k);
      if (hasMarker(k)) issues.add([...at], "must be a literal key: it holds cdktf's token marker (\"TfToken[\")");
      visit((v as Record<string, unknown>)[k]);
      at.pop();
    }
  };
  visit(value);
}

/** A spec that passed {@link validateSpec}, with where it came from (accepted by VendingMachine as is). */
export class ValidatedSpec {
  public constructor(
    /** The spec, defaults applied. */
    public readonly spec: ResolvedSpec,
    /** Locates paths in the spec's text. */
    public readonly source: SpecSource,
  ) {}
}

/** Validates plain data or the result of {@link readSpecText} (passes a {@link ValidatedSpec} through). */
export function validateVendingMachineSpec(input: VendingMachineSpec | SpecText | ValidatedSpec): ValidatedSpec {
  if (input instanceof ValidatedSpec) return input;
  const text = input as Partial<SpecText>;
  const source = typeof text === "object" && text !== null && text.source instanceof SpecSource ? text.source : undefined;
  return source ? new ValidatedSpec(validateSpec(text.data, source), source) : new ValidatedSpec(validateSpec(input), new SpecSource());
}

/** Reads and validates spec text in one step. */
export function parseSpecText(text: string, file?: string): { spec: ResolvedSpec; source: SpecSource } {
  const { data, source } = readSpecText(text, file);
  return { spec: validateSpec(data, source), source };
}
