/**
 * Where a vending-machine spec came from: YAML or JSON text read with its line positions, so every
 * problem found later (by path) is reported at its line.
 */
import type * as Yaml from "yaml";
import type { LineCounter, Node } from "yaml";
import { fieldPath } from "../core/validation";
import { SpecIssue, SpecValidationError } from "./spec-validation-error";

/** The YAML parser, loaded on first use: a spec given as an object never needs it. */
function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a spec is read from text
  return require("yaml") as typeof Yaml;
}

/** A path in the spec: property names and list indexes. */
export type SpecPath = readonly (string | number)[];

/** Where a spec came from: locates paths in its text. */
export class SpecSource {
  /** The file name shown in messages (as given: keep it relative for stable output). */
  public readonly file?: string;
  private readonly doc?: Yaml.Document.Parsed;
  private readonly lines?: LineCounter;

  /** @internal use {@link readSpecText} */
  public constructor(file?: string, doc?: Yaml.Document.Parsed, lines?: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** The 1-based line of `path`, or of its deepest part present in the text. */
  public lineOf(path: SpecPath): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    const { isMap, isPair, isScalar, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /** An issue at `path`, with its line. */
  public issue(path: SpecPath, message: string): SpecIssue {
    return { path: fieldPath(path), message, line: this.lineOf(path) };
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}

/** The result of reading a spec's text: the plain data and where it came from. */
export interface SpecText {
  /** The data (not validated yet). */
  readonly data: unknown;
  /** Locates paths in the text. */
  readonly source: SpecSource;
}

/**
 * Parses YAML or JSON text (JSON is YAML). Syntax errors and duplicate keys become a
 * {@link SpecValidationError} with their lines.
 * @param file the name shown in messages
 */
export function readSpecText(text: string, file?: string): SpecText {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      doc.errors.map((e) => ({ path: "", message: `not valid YAML or JSON: ${e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`, line: e.linePos?.[0].line })),
      file,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new SpecValidationError([{ path: "", message: (e as Error).message }], file);
  }
  return { data, source: new SpecSource(file, doc, lines) };
}

/** Parses a field path as rendered by `fieldPath` (`a.b[2]["c d"]`) back into segments. */
export function segmentsOf(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}
