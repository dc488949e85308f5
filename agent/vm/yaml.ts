/**
 * A small YAML emitter for the documents the kit renders (cloud-config). It covers what those
 * documents use — maps with ordered keys, lists, strings, booleans and numbers — and favours
 * readability: multi-line strings become literal blocks (`|`) so scripts and units read as files in
 * golden-file diffs, and every string that YAML could read as anything else is double-quoted.
 *
 * Why not a YAML library: the package keeps `zod` as its only dependency, and this subset is small
 * enough to test completely (the tests parse every rendered document back with a real YAML parser).
 */

/** A value the emitter can write. */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

const INDENT = "  ";
/** Strings written without quotes: conservative, so no YAML 1.1/1.2 reader sees a non-string. */
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_ ./:@%+=-]*$/;
/** Plain-looking strings that YAML 1.1 (PyYAML, cloud-init) reads as booleans, null or numbers. */
const AMBIGUOUS = /^(y|n|yes|no|on|off|true|false|null|~|[-+]?(\.\d+|\d[\d_]*(\.[\d_]*)?)([eE][-+]?\d+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|nan)|\d+(:[0-5]?\d)+(\.\d*)?)$/i;
/** True when a literal block can hold `text` as is: printable text, tabs and newlines only. */
function blockSafe(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0xfeff) return false;
  }
  return true;
}

/** Renders `value` as a YAML document body (no `---`), ending with a newline. */
export function toYaml(value: YamlValue): string {
  return `${emit(value, 0).join("\n")}\n`;
}

function emit(value: YamlValue, level: number): string[] {
  if (Array.isArray(value)) return emitList(value as readonly YamlValue[], level);
  if (typeof value === "object") return emitMap(value as { readonly [key: string]: YamlValue | undefined }, level);
  return [`${INDENT.repeat(level)}${scalar(value)}`];
}

function emitMap(map: { readonly [key: string]: YamlValue | undefined }, level: number): string[] {
  const pad = INDENT.repeat(level);
  const out: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (value === undefined) continue;
    const k = scalar(key);
    if (isMultiline(value)) out.push(`${pad}${k}: ${blockHeader(value)}`, ...blockBody(value, level + 1));
    else if (isCollection(value) && !isEmpty(value) && !isFlowList(value)) out.push(`${pad}${k}:`, ...emit(value, level + 1));
    else out.push(`${pad}${k}: ${inline(value)}`);
  }
  return out;
}

function emitList(list: readonly YamlValue[], level: number): string[] {
  const pad = INDENT.repeat(level);
  const out: string[] = [];
  for (const item of list) {
    if (isMultiline(item)) {
      out.push(`${pad}- ${blockHeader(item)}`, ...blockBody(item, level + 1));
    } else if (isCollection(item) && !isEmpty(item) && !isFlowList(item)) {
      // "- key: value" with the rest of the map aligned under the first key.
      const [first = "", ...rest] = emit(item, level + 1);
      out.push(`${pad}- ${first.slice(pad.length + INDENT.length)}`, ...rest);
    } else {
      out.push(`${pad}- ${inline(item)}`);
    }
  }
  return out;
}

function isCollection(v: YamlValue): v is readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined } {
  return typeof v === "object";
}

function isEmpty(v: YamlValue): boolean {
  return Array.isArray(v) ? v.length === 0 : typeof v === "object" && Object.values(v).every((x) => x === undefined);
}

/** A short list of scalars reads best in flow style, e.g. a runcmd argv `[systemctl, restart, docker]`. */
function isFlowList(v: YamlValue): boolean {
  return Array.isArray(v) && v.every((x) => typeof x !== "object" && !isMultiline(x)) && inline(v).length <= 100;
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) return `[${(v as readonly YamlValue[]).map((x) => scalar(x as string | number | boolean)).join(", ")}]`;
  if (typeof v === "object") return "{}";
  return scalar(v);
}

function scalar(v: string | number | boolean): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`cannot render ${v} in YAML`);
    return String(v);
  }
  if (PLAIN.test(v) && !AMBIGUOUS.test(v) && !v.endsWith(" ") && !v.includes(" #")) return v;
  // JSON string escapes are a subset of YAML double-quoted escapes.
  return JSON.stringify(v);
}

function isMultiline(v: YamlValue): v is string {
  return typeof v === "string" && v.includes("\n") && blockSafe(v) && !/[ \t]\n|[ \t]$/.test(v) && !v.startsWith("\n");
}

/** `|` keeps one final newline, `|-` none, `|+` all; an indentation digit when the text starts with a space. */
function blockHeader(text: string): string {
  const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
  const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+";
  const indicator = /^[ \t]/.test(text) ? String(INDENT.length) : "";
  return `|${indicator}${chomp}`;
}

function blockBody(text: string, level: number): string[] {
  const pad = INDENT.repeat(level);
  const body = text.endsWith("\n") ? text.replace(/\n+$/, "") : text;
  const extra = (/\n*$/.exec(text)?.[0].length ?? 0) - 1;
  const lines = body.split("\n").map((line) => (line === "" ? "" : `${pad}${line}`));
  for (let i = 0; i < extra; i++) lines.push("");
  return lines;
}
