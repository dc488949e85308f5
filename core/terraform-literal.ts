/**
 * Terraform reads every string in the synthesized JSON as a template: `${…}` is an interpolation and
 * `%{…}` a directive, and `$${` / `%%{` are their escapes
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1, and
 * https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping for JSON). cdktf
 * writes literal strings unchanged (checked with cdktf 0.21: an output value `a${var.x}` synthesizes
 * as `a${var.x}`), so a user's literal text that holds such a sequence would be evaluated by
 * Terraform: a spec author could read any variable of the stack, the provider's token included.
 *
 * These helpers escape the literal parts of a string and leave the kit's own references — cdktf
 * tokens, encoded as `${TfToken[…]}` and `#{TfToken[…]}` until the stack is resolved — untouched.
 */

const INTERPOLATION = /\$\{(?!TfToken\[)/g;
const DIRECTIVE = /%\{/g;

/** `text` with every literal `${` written `$${` and every `%{` written `%%{`; cdktf tokens pass through. */
export function terraformLiteral(text: string): string {
  // Most text has no "{" at all: returned as it is by a check small enough to inline everywhere.
  return text.includes("{") ? escapeTemplates(text) : text;
}

/** {@link terraformLiteral} of text that holds a "{". */
function escapeTemplates(text: string): string {
  // A reference is nothing but cdktf tokens: returned without running the two replacements.
  if (!text.includes("%{")) {
    let at = text.indexOf("${");
    while (at !== -1 && text.startsWith("TfToken[", at + 2)) at = text.indexOf("${", at + 2);
    if (at === -1) return text;
  }
  return text.replace(INTERPOLATION, "$$${").replace(DIRECTIVE, "%%{");
}

/** {@link terraformLiteral} applied to every string (keys of records included) in a JSON-like value. */
export function terraformLiterals<T>(value: T): T {
  return mapStrings(value) as T;
}

function mapStrings(value: unknown): unknown {
  if (typeof value === "string") return terraformLiteral(value);
  if (Array.isArray(value)) return value.map(mapStrings);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = mapStrings((value as Record<string, unknown>)[k]);
      // A key "__proto__" stays a key (an assignment would set the prototype instead).
      if (k === "__proto__") Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[terraformLiteral(k)] = v;
    }
    return out;
  }
  return value;
}

/** Reverses {@link terraformLiteral} on a resolved document (what Terraform reads as text). */
export function terraformText(text: string): string {
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** True when `text` holds a Terraform template sequence (`${` or `%{`) outside cdktf tokens. */
export function hasTemplateSequence(text: string): boolean {
  return new RegExp(INTERPOLATION.source).test(text) || new RegExp(DIRECTIVE.source).test(text);
}
