import type * as Yaml from "yaml";
import { tryDecodeTerraformJson } from "../../../../core/terraform-json";

// Reads a document argument (an OpenAPI `body`, a Helm `values` entry) the way Terraform and the
// service will see it, in every form a stack can write it:
// - JSON (`JSON.stringify`, `terraformJson` with `${jsonencode(ref)}` inside);
// - YAML, read as YAML 1.1 with merge keys (`<<: *anchor`) and aliases resolved, the way Helm's
//   sigs.k8s.io/yaml (go-yaml v2) reads values files (`yes`/`on` are booleans there too);
// - a Terraform call `${jsonencode({…})}` / `${yamlencode({…})}` (what `Fn.jsonencode` synthesizes
//   to), whose HCL object and tuple literals are read here; any other expression inside it (a
//   reference, a function call) becomes the string `<ref:expr>`.
// Anything else (`${file(…)}`, `${templatefile(…)}`, `${var.x}`) cannot be read at synth time:
// {@link readTerraformDocument} returns undefined, and the rules report it rather than pass it.

/** A value known only at apply time inside a read document: `<ref:expr>`, or a string with `${…}`. */
export function isUnknownValue(value: unknown): boolean {
  return typeof value === "string" && (value.startsWith("<ref:") || /(^|[^$])\$\{/.test(value));
}

/** The document `text` holds, or undefined when it cannot be read at synth time. */
export function readTerraformDocument(text: unknown): { readonly value: unknown } | undefined {
  if (typeof text !== "string") return text !== null && typeof text === "object" ? { value: text } : undefined;
  const trimmed = text.trim();
  const call = /^\$\{\s*(jsonencode|yamlencode)\s*\(([\s\S]*)\)\s*\}$/.exec(trimmed);
  if (call) {
    try {
      const parser = new HclLiteralParser(call[2] as string);
      const value = parser.expression();
      parser.end();
      return { value };
    } catch {
      return undefined;
    }
  }
  const json = tryDecodeTerraformJson(text);
  if (json !== undefined) return { value: json };
  if (/^\$\{[\s\S]*\}$/.test(trimmed) && !trimmed.startsWith("$${")) return undefined;
  try {
    // Loaded on first use: most stacks have no YAML document, and the parser is a tenth of KitChecks' load time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a document is YAML
    const { parseAllDocuments } = require("yaml") as typeof Yaml;
    const docs = parseAllDocuments(text, { version: "1.1", merge: true });
    if (!Array.isArray(docs) || docs.length > 1) return undefined; // more than one document: which one the reader takes is not ours to guess
    const doc = docs[0];
    if (doc === undefined) return { value: null };
    if (doc.errors.length > 0) return undefined;
    return { value: doc.toJS({ maxAliasCount: 1000 }) as unknown };
  } catch {
    return undefined;
  }
}

/** A reader of HCL literal expressions (objects, tuples, strings, numbers, bools, null). */
class HclLiteralParser {
  private i = 0;

  public constructor(private readonly text: string) {}

  public end(): void {
    this.skip(true);
    if (this.i < this.text.length) throw new SyntaxError(`unexpected ${this.text[this.i]} at ${this.i}`);
  }

  public expression(): unknown {
    this.skip(true);
    const start = this.i;
    const value = this.primary();
    this.skip(false);
    // An operator or a call after the literal (a conditional, `merge(…)`, `a.b`): not a literal.
    const next = this.text[this.i];
    if (next !== undefined && !",}]\n)".includes(next)) {
      this.i = start;
      return this.opaque();
    }
    return value;
  }

  private primary(): unknown {
    const c = this.text[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.tuple();
    if (c === '"') return this.string();
    const number = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(this.text.slice(this.i));
    if (number) {
      const after = this.text[this.i + number[0].length];
      if (after === undefined || !/[A-Za-z_.(]/.test(after)) {
        this.i += number[0].length;
        return Number(number[0]);
      }
    }
    const word = /^(true|false|null)(?![A-Za-z0-9_.\-[(])/.exec(this.text.slice(this.i));
    if (word) {
      this.i += word[0].length;
      return word[1] === "true" ? true : word[1] === "false" ? false : null;
    }
    return this.opaque();
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++; // {
    for (;;) {
      this.skip(true);
      if (this.text[this.i] === "}") {
        this.i++;
        return out;
      }
      const key = this.key();
      this.skip(false);
      const sep = this.text[this.i];
      if (sep !== "=" && sep !== ":") throw new SyntaxError(`expected = at ${this.i}`);
      this.i++;
      out[key] = this.expression();
      this.skip(false);
      if (this.text[this.i] === "," || this.text[this.i] === "\n") this.i++;
    }
  }

  private key(): string {
    const c = this.text[this.i];
    if (c === '"') return this.string();
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.text.slice(this.i));
    if (ident) {
      this.i += ident[0].length;
      return ident[0];
    }
    // `(expr) = value`: a key known only at apply time.
    return `<ref:${String(this.opaque())}>`;
  }

  private tuple(): unknown[] {
    const out: unknown[] = [];
    this.i++; // [
    for (;;) {
      this.skip(true);
      if (this.text[this.i] === "]") {
        this.i++;
        return out;
      }
      out.push(this.expression());
      this.skip(true);
      if (this.text[this.i] === ",") this.i++;
    }
  }

  /** A quoted string with HCL's escapes; `${…}` templates stay in it (the value is known at apply). */
  private string(): string {
    let out = "";
    this.i++; // "
    while (this.i < this.text.length) {
      const c = this.text[this.i] as string;
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === "\\") {
        const e = this.text[this.i + 1];
        const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.i += 2;
          continue;
        }
        const u = /^\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(this.text.slice(this.i));
        if (u) {
          out += String.fromCodePoint(parseInt((u[1] as string).slice(1), 16));
          this.i += u[0].length;
          continue;
        }
        throw new SyntaxError(`bad escape at ${this.i}`);
      }
      if ((c === "$" || c === "%") && this.text[this.i + 1] === c && this.text[this.i + 2] === "{") {
        out += `${c}{`; // `$${` and `%%{` are literal
        this.i += 3;
        continue;
      }
      if ((c === "$" || c === "%") && this.text[this.i + 1] === "{") {
        const end = this.balanced(this.i + 1);
        out += `\${${this.text.slice(this.i + 2, end - 1)}}`;
        this.i = end;
        continue;
      }
      out += c;
      this.i++;
    }
    throw new SyntaxError("unterminated string");
  }

  /** Any other expression, up to the end of its element: `<ref:expr>`. */
  private opaque(): string {
    const start = this.i;
    while (this.i < this.text.length) {
      const c = this.text[this.i] as string;
      if (c === "," || c === "}" || c === "]" || c === ")" || c === "\n") break;
      if (c === "(" || c === "[" || c === "{") {
        this.i = this.balanced(this.i);
        continue;
      }
      if (c === '"') {
        this.string();
        continue;
      }
      this.i++;
    }
    const expr = this.text.slice(start, this.i).trim();
    if (expr === "") throw new SyntaxError(`expected an expression at ${start}`);
    return `<ref:${expr}>`;
  }

  /** Index after the bracket closing the one at `from` (strings respected). */
  private balanced(from: number): number {
    const open = this.text[from] as string;
    const close = open === "(" ? ")" : open === "[" ? "]" : "}";
    let depth = 0;
    for (let j = from; j < this.text.length; j++) {
      const c = this.text[j];
      if (c === '"') {
        const save = this.i;
        this.i = j;
        this.string();
        j = this.i - 1;
        this.i = save;
        continue;
      }
      if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    throw new SyntaxError("unbalanced brackets");
  }

  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) this.i++;
      else if (c === "#" || (c === "/" && this.text[this.i + 1] === "/")) {
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
      } else return;
    }
  }
}

/**
 * A flag as Terraform converts it: `true`/`"true"` (and `"1"`, which some providers' string flags
 * take) are true, `false`/`"false"`/`"0"` false, a missing value `fallback`; anything else (a
 * reference, a typo) is `"unknown"` and must fail closed
 * (https://developer.hashicorp.com/terraform/language/expressions/types#type-conversion).
 */
export function flagOf(value: unknown, fallback: boolean): boolean | "unknown" {
  if (value === undefined || value === null) return fallback;
  if (value === true || value === false) return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  return "unknown";
}

/** A string argument, trimmed and upper-cased (`"none"` is `NONE`), or `"unknown"` for a reference. */
export function enumOf(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || isUnknownValue(value)) return "unknown";
  return value.trim().toUpperCase();
}

/** A `${ x.y }` reference with the whitespace HCL allows removed, so references compare as text. */
export function normalizeReference(value: unknown): string {
  return typeof value === "string" ? value.replace(/\$\{\s*([^}]*?)\s*\}/g, (_m, e: string) => `\${${e.replace(/\s+/g, "")}}`) : JSON.stringify(value) ?? "";
}
