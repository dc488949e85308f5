/**
 * `cdktf-scalr-kit`: the kit's command line (run through `bin/cdktf-scalr-kit.js`).
 *
 *   cdktf-scalr-kit validate [--format text|github] <spec.yaml|spec.json>...
 *
 * `validate` checks a vending-machine spec without writing anything and lists every problem in one
 * run: every field (by the constructs' own field rules), every reference by name, Scalr's
 * inheritance rules, stack sizes and the constructs' rules across fields; a valid spec's construct
 * tree is then built in memory, for what only the whole tree shows. It does not synthesize, so the
 * checks that run on the synthesized stacks (KitChecks' rules, aspects) and Terraform's own
 * plan-time checks are not run. Warnings (a deprecated spelling, an OpenTofu hook that calls
 * `terraform`) are printed as `warning: file:line: path: message` and do not fail. Text with `${…}` or
 * `%{…}` is valid: the constructs write it escaped, so Terraform never evaluates it. Exit code 0:
 * valid; 1: the spec has problems (one line each, `file:line: path: message`, in line order); 2:
 * usage error, unreadable file or an internal error.
 */
import * as fs from "fs";
import { App } from "cdktf";
import { readSpecText } from "./spec-source";
import { SpecIssue, SpecValidationError, formatSpecIssue } from "./spec-validation-error";
import { VendingMachineStack } from "./vending-machine-stack";

/** Where the command line writes and reads (tests pass their own). */
export interface CliIo {
  /** Normal output. */
  readonly out: (line: string) => void;
  /** Problems. */
  readonly err: (line: string) => void;
  /** Reads a file as UTF-8. */
  readonly readFile: (path: string) => string;
}

const USAGE = [
  "usage: cdktf-scalr-kit validate [--format text|github] <spec.yaml|spec.json>...",
  "",
  "  validate   check vending-machine specs without synthesizing",
  "             exit 0: valid, 1: problems found (one line each: file:line: path: message), 2: usage or I/O error",
  "  --format   text (default) or github (workflow commands: annotations on the pull request)",
].join("\n");

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (path) => fs.readFileSync(path, "utf8"),
};

/** Runs the command line; returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo = defaultIo): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command !== "validate") {
    io.err(command === undefined ? USAGE : `cdktf-scalr-kit: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  let format: "text" | "github" = "text";
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--format") {
      const value = rest[++i];
      if (value !== "text" && value !== "github") {
        io.err(`cdktf-scalr-kit validate: --format must be "text" or "github", got: ${value === undefined ? "nothing" : JSON.stringify(value)}`);
        return 2;
      }
      format = value;
    } else if (arg.startsWith("-")) {
      io.err(`cdktf-scalr-kit validate: unknown option ${arg}\n${USAGE}`);
      return 2;
    } else files.push(arg);
  }
  if (files.length === 0) {
    io.err(`cdktf-scalr-kit validate: name at least one spec file\n${USAGE}`);
    return 2;
  }

  let code = 0;
  for (const file of files) {
    const result = validateFile(file, io);
    if (result.kind === "io") {
      io.err(`${file}: ${result.message}`);
      code = 2;
    } else if (result.kind === "invalid") {
      for (const issue of result.issues) io.err(format === "github" ? githubAnnotation(issue, file) : formatSpecIssue(issue, file));
      code = Math.max(code, 1);
    } else {
      io.out(`${file}: valid (${result.summary})`);
      for (const w of result.warnings) io.err(format === "github" ? `::warning ::${w.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}` : `warning: ${w}`);
    }
  }
  return code;
}

type FileResult = { kind: "io"; message: string } | { kind: "invalid"; issues: readonly SpecIssue[] } | { kind: "valid"; summary: string; warnings: readonly string[] };

function validateFile(file: string, io: CliIo): FileResult {
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { kind: "io", message: code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read: ${(e as Error).message}` };
  }
  try {
    const spec = readSpecText(text, file);
    // Build the whole construct tree in memory (nothing is written): construct rules apply too.
    const app = new App({ stackTraces: false, skipValidation: true });
    const stack = new VendingMachineStack(app, "vending-machine", { spec });
    const vm = stack.vendingMachine;
    const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
    const warnings = app.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === "@cdktf/warn")
      .map((m) => String(m.data));
    return {
      kind: "valid",
      warnings,
      summary: `${plural(vm.environments.size, "environment")}, ${plural(vm.workspaces.size, "workspace")}, ${plural(stack.stacks.length, "stack")}`,
    };
  } catch (e) {
    if (e instanceof SpecValidationError) return { kind: "invalid", issues: e.specIssues };
    // Anything else is a bug in the kit, not in the spec: say so in one line, no stack trace.
    return { kind: "io", message: `internal error while checking the spec (please report it): ${String((e as Error)?.message ?? e).split("\n")[0]}` };
  }
}

/** A GitHub Actions workflow command: the problem shows as an annotation on the spec's line. */
function githubAnnotation(issue: SpecIssue, file: string): string {
  const escape = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const props = `file=${escape(file).replace(/,/g, "%2C").replace(/:/g, "%3A")}${issue.line === undefined ? "" : `,line=${issue.line}`}`;
  return `::error ${props}::${escape(issue.path ? `${issue.path}: ${issue.message}` : issue.message)}`;
}
