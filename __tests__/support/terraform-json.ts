const OPEN = "${jsonencode(";

/**
 * Decodes a JSON argument as synthesized by `terraformJson` (IAM policies, container definitions,
 * Helm values). Terraform references are embedded as `${jsonencode(<expr>)}`: a bare reference
 * becomes the string `"<ref:expr>"`, a string template (`"${aws_x.y.arn}:*"`) becomes that template.
 */
export function decodeTerraformJson(doc: string): any {
  let out = "";
  let i = 0;
  for (let start = doc.indexOf(OPEN); start >= 0; start = doc.indexOf(OPEN, i)) {
    out += doc.slice(i, start);
    const argStart = start + OPEN.length;
    const argEnd = closingParen(doc, argStart);
    const arg = doc.slice(argStart, argEnd);
    out += JSON.stringify(arg.startsWith('"') ? (JSON.parse(arg) as string) : `<ref:${arg}>`);
    if (doc.slice(argEnd, argEnd + 2) !== ")}") throw new Error(`unterminated jsonencode at ${start}`);
    i = argEnd + 2;
  }
  return JSON.parse(out + doc.slice(i));
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
  throw new Error("unbalanced jsonencode call");
}
