import { Fn } from "cdktf";
import { terraformLiteral } from "./terraform-literal";
import { isToken } from "./validation";

/**
 * Serializes a value to a JSON string for a Terraform argument (IAM policies, container
 * definitions, Helm values). Terraform references inside become `${jsonencode(<expr>)}`, so a
 * referenced value is quoted and escaped by Terraform itself and can never break the JSON. Literal
 * `${` and `%{` in the value are escaped ({@link terraformLiteral}), so an IAM policy variable such
 * as `${aws:username}` reaches AWS as written instead of being evaluated by Terraform.
 */
export function terraformJson(value: unknown): string {
  const tokens: unknown[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if ((typeof v === "string" || typeof v === "number") && isToken(v)) {
      tokens.push(v);
      return `@@kit-token-${tokens.length - 1}@@`;
    }
    return v;
  });
  return terraformLiteral(text).replace(/"@@kit-token-(\d+)@@"/g, (_m, i: string) => Fn.jsonencode(tokens[Number(i)]));
}

const JSONENCODE_OPEN = "${jsonencode(";

/**
 * Decodes a JSON argument as {@link terraformJson} writes it, after the stack is resolved (IAM
 * policies, container definitions, Helm values), so checks can read what Terraform gets. Each
 * `${jsonencode(<expr>)}` becomes a string: a bare reference the string `"<ref:expr>"`, a string
 * template (`"${aws_x.y.arn}:*"`) that template. Throws a SyntaxError when `doc` is not such JSON.
 */
export function decodeTerraformJson(doc: string): unknown {
  let out = "";
  let i = 0;
  for (let start = doc.indexOf(JSONENCODE_OPEN); start >= 0; start = doc.indexOf(JSONENCODE_OPEN, i)) {
    out += checkedTemplateText(doc.slice(i, start), i);
    const argStart = start + JSONENCODE_OPEN.length;
    const argEnd = closingParen(doc, argStart);
    const arg = doc.slice(argStart, argEnd);
    out += JSON.stringify(arg.startsWith('"') ? (JSON.parse(arg) as string) : `<ref:${arg}>`);
    if (doc.slice(argEnd, argEnd + 2) !== ")}") throw new SyntaxError(`unterminated jsonencode at ${start}`);
    i = argEnd + 2;
  }
  return JSON.parse(out + checkedTemplateText(doc.slice(i), i)) as unknown;
}

/**
 * Text of the document outside its `jsonencode` spans, refused (a SyntaxError) where Terraform
 * would render something else than the text reads: a template directive (`%{ if … }`, `%{ for … }`)
 * or an interpolation other than one attribute of a resource or data source or a local (`${var.x}`,
 * a function call), whose value could close a JSON string and add members. Escaped
 * sequences (`$${`, `%%{`) are literal text
 * (https://developer.hashicorp.com/terraform/language/expressions/strings#escape-sequences-1).
 */
function checkedTemplateText(text: string, offset: number): string {
  const unescaped = text.replace(/\$\$\{|%%\{/g, "");
  const directive = unescaped.indexOf("%{");
  if (directive >= 0) throw new SyntaxError(`template directive near ${offset}`);
  for (let k = unescaped.indexOf("${"); k >= 0; k = unescaped.indexOf("${", k + 2)) {
    if (!PLAIN_REFERENCE.test(unescaped.slice(k))) throw new SyntaxError(`interpolation near ${offset}: not one attribute of a resource or data source`);
  }
  return text;
}

/**
 * `${aws_x.name.attr…}` or `${data.aws_x.name.attr…}` (one attribute, with indexes or nested
 * attributes, of a resource or data source), or `${local.name}`: a local KitChecks reads itself.
 */
const PLAIN_REFERENCE = /^\$\{\s*(?:(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_-]*)+|local\.[A-Za-z_][A-Za-z0-9_-]*(?:\[\d+\]|\.[A-Za-z_][A-Za-z0-9_-]*)*)\s*\}/;

/** {@link decodeTerraformJson}, or undefined when `doc` is not a string holding such JSON. */
export function tryDecodeTerraformJson(doc: unknown): unknown {
  if (typeof doc !== "string") return undefined;
  try {
    return decodeTerraformJson(doc);
  } catch {
    return undefined;
  }
}

/** Index of the `)` closing the call whose arguments start at `from` (quotes and nesting respected). */
function closingParen(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "(") depth++;
    else if (c === ")") {
      if (depth === 0) return i;
      depth--;
    }
  }
  throw new SyntaxError("unbalanced jsonencode call");
}
