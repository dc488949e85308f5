/**
 * A problem in a vending-machine spec and the error that lists them all: each problem names its
 * path in the spec and, when the spec came from text, its line, so a pull-request check can point
 * at it (`spec.yaml:41: environments[2].workspaces[5].agentPool: no pool named "gpu"; …`).
 */
import { KitValidationError } from "../core/validation";

/** One problem in a spec. */
export interface SpecIssue {
  /** Where in the spec, e.g. `environments[2].workspaces[5].agentPool`. */
  readonly path: string;
  /** What is wrong, e.g. `no pool named "gpu"; pools are: aws-run, vcs`. */
  readonly message: string;
  /** 1-based line in the spec file, when the spec came from text and the path could be found. */
  readonly line?: number;
}

/** Formats an issue as `file:line: path: message` (parts left out when unknown). */
export function formatSpecIssue(issue: SpecIssue, file?: string): string {
  const where = file === undefined ? (issue.line === undefined ? "" : `line ${issue.line}: `) : issue.line === undefined ? `${file}: ` : `${file}:${issue.line}: `;
  return `${where}${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

/**
 * A spec that failed validation: every problem, one per line as `file:line: path: message`.
 * A {@link KitValidationError} whose subject is the file (or `spec`).
 */
export class SpecValidationError extends KitValidationError {
  /** The problems, in line order (those without a line last, in the order found). */
  public readonly specIssues: readonly SpecIssue[];
  /** The spec file name, when known. */
  public readonly file?: string;

  public constructor(issues: readonly SpecIssue[], file?: string) {
    // Line order, whatever order the checks found them in: a reader (or a pull-request
    // annotation list) goes down the file. The sort is stable, so one line's issues keep theirs.
    const specIssues = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    super(file ?? "spec", specIssues.map((i) => ({ field: i.path, message: i.message, received: "" })));
    this.name = "SpecValidationError";
    this.specIssues = specIssues;
    this.file = file;
    this.message = specIssues.map((i) => formatSpecIssue(i, file)).join("\n");
  }
}

