/**
 * `cdktf-scalr-kit`: the kit's command line (run through `bin/cdktf-scalr-kit.js`).
 *
 *   cdktf-scalr-kit validate [--format text|github] <spec.yaml|spec.json>...
 *   cdktf-scalr-kit render docker-compose --settings <settings.yaml|json> --out <dir>
 *   cdktf-scalr-kit render dockerfile --settings <settings.yaml|json> --out <dir> [--ca-bundle <pem>] [--label key=value]...
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
 *
 * `render` writes files for a runtime the kit does not deploy, from a settings file of AgentSettings
 * fields (YAML or JSON; see docs/docker-hosts.md): `docker-compose` writes `compose.yaml`,
 * `docker-run.sh` and `agent.env.example` for a Docker host; `dockerfile` writes the `Dockerfile` of an
 * agent image with a CA bundle (and `ca-bundle.crt` when the bundle is given). The settings file
 * never holds the token: `token: { file: <path> }` names the env file on the host that does. Exit
 * code 0: written; 1: the settings have problems (one line each); 2: usage or I/O error.
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { parse as parseYaml } from "yaml";
import { AgentDockerfileOptions, OciImageLabels, renderAgentDockerfile, renderDockerHost } from "../agent/docker";
import { AgentSettings, AgentTokenSource } from "../agent/settings";
import { KitValidationError, formatIssue } from "../core/validation";
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
  /** Writes a file (creating its folder) with a file mode. @default - the file system */
  readonly writeFile?: (path: string, content: string, mode: number) => void;
}

const USAGE = [
  "usage: cdktf-scalr-kit validate [--format text|github] <spec.yaml|spec.json>...",
  "       cdktf-scalr-kit render docker-compose --settings <file> --out <dir>",
  "       cdktf-scalr-kit render dockerfile --settings <file> --out <dir> [--ca-bundle <pem>] [--label key=value]...",
  "",
  "  validate   check vending-machine specs without synthesizing",
  "             exit 0: valid, 1: problems found (one line each: file:line: path: message), 2: usage or I/O error",
  "  --format   text (default) or github (workflow commands: annotations on the pull request)",
  "  render     write files for a runtime the kit does not deploy, from AgentSettings fields (YAML or JSON)",
  "             docker-compose: compose.yaml, docker-run.sh, agent.env.example (the token stays in the env file named by token.file)",
  "             dockerfile: Dockerfile (+ ca-bundle.crt) of an agent image with the CA bundle baked in",
  "             exit 0: written, 1: the settings have problems (one line each), 2: usage or I/O error",
].join("\n");

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  readFile: (file) => fs.readFileSync(file, "utf8"),
};

function writeFileDefault(file: string, content: string, mode: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  fs.chmodSync(file, mode);
}

/** Runs the command line; returns the exit code. */
export function runCli(argv: readonly string[], io: CliIo = defaultIo): number {
  const [command, ...rest] = argv;
  if (command === "--help" || command === "-h" || command === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command === "render") return runRender(rest, io);
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

/** The default token env file on a Docker host. */
const DEFAULT_TOKEN_ENV_FILE = "/etc/scalr-agent/token.env";
const LABEL_KEYS: readonly (keyof OciImageLabels)[] = ["title", "description", "version", "revision", "source", "created", "vendor", "authors", "url", "documentation", "licenses"];

function runRender(argv: readonly string[], io: CliIo): number {
  const [what, ...rest] = argv;
  const name = `cdktf-scalr-kit render ${what ?? ""}`.trim();
  if (what !== "docker-compose" && what !== "dockerfile") {
    io.err(`cdktf-scalr-kit render: name what to render: docker-compose or dockerfile, got: ${what === undefined ? "nothing" : JSON.stringify(what)}\n${USAGE}`);
    return 2;
  }
  const flags: { settings?: string; out?: string; caBundle?: string } = {};
  const labels: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const value = rest[i + 1];
    const known = arg === "--settings" || arg === "--out" || (what === "dockerfile" && (arg === "--ca-bundle" || arg === "--label"));
    if (!known) {
      io.err(`${name}: unknown option ${arg}\n${USAGE}`);
      return 2;
    }
    if (value === undefined || value.startsWith("--")) {
      io.err(`${name}: ${arg} needs a value`);
      return 2;
    }
    i++;
    if (arg === "--label") {
      const eq = value.indexOf("=");
      const key = value.slice(0, eq) as keyof OciImageLabels;
      if (eq < 1 || !LABEL_KEYS.includes(key)) {
        io.err(`${name}: --label must be key=value with key one of ${LABEL_KEYS.join(", ")}, got: ${JSON.stringify(value)}`);
        return 2;
      }
      labels[key] = value.slice(eq + 1);
    } else if (arg === "--settings") flags.settings = value;
    else if (arg === "--out") flags.out = value;
    else flags.caBundle = value;
  }
  if (flags.settings === undefined || flags.out === undefined) {
    io.err(`${name}: --settings and --out are required\n${USAGE}`);
    return 2;
  }
  const settingsFile = flags.settings;
  const read = (file: string): string | undefined => {
    try {
      return io.readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.err(`${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read: ${(e as Error).message}`}`);
      return undefined;
    }
  };
  const text = read(settingsFile);
  if (text === undefined) return 2;
  let caPem: string | undefined;
  if (flags.caBundle !== undefined) {
    caPem = read(flags.caBundle);
    if (caPem === undefined) return 2;
  }
  const loaded = settingsFromFile(text, settingsFile);
  if (typeof loaded === "string") {
    io.err(loaded);
    return 1;
  }
  const write = io.writeFile ?? writeFileDefault;
  const ctx = { subject: settingsFile };
  try {
    const written: string[] = [];
    const put = (file: string, content: string, mode = 0o644) => {
      const target = path.join(flags.out as string, file);
      write(target, content, mode);
      written.push(target);
    };
    if (what === "docker-compose") {
      const files = renderDockerHost(loaded, {}, ctx);
      put("compose.yaml", files.composeYaml);
      put("docker-run.sh", files.dockerRunScript, 0o755);
      put("agent.env.example", files.tokenEnvFileExample);
      io.out(`wrote ${written.join(", ")}`);
      io.out(`next: on the host, copy agent.env.example to ${files.tokenEnvFile} (chmod 0600), put the token in it, then: docker compose up -d`);
    } else {
      let settings = loaded;
      if (caPem !== undefined) {
        if (settings.caBundle?.pem !== undefined) {
          io.err(`${settingsFile}: \`caBundle.pem\` and --ca-bundle both give the bundle: keep one`);
          return 1;
        }
        // --ca-bundle gives the bundle's text; a `caBundle.path` in the settings says where it goes in the image.
        settings = { ...settings, caBundle: settings.caBundle?.path !== undefined ? settings.caBundle : { pem: caPem } };
      }
      const options: AgentDockerfileOptions = { labels };
      const recipe = renderAgentDockerfile(settings, options, ctx);
      put("Dockerfile", recipe.dockerfile);
      const contextFiles: Record<string, string> = { ...recipe.contextFiles };
      if (caPem !== undefined) contextFiles[recipe.caBundleFile] = caPem;
      for (const [file, content] of Object.entries(contextFiles)) put(file, content);
      io.out(`wrote ${written.join(", ")}`);
      if (Object.keys(contextFiles).length === 0) io.out(`next: put the CA bundle (private and public CAs) in ${flags.out} as ${recipe.caBundleFile}, then: docker build --tag <registry>/<repository>:<tag> ${flags.out}`);
      else io.out(`next: docker build --tag <registry>/<repository>:<tag> ${flags.out}, push it, and set \`image\` in every runtime's settings to it`);
    }
    return 0;
  } catch (e) {
    if (e instanceof KitValidationError) {
      for (const issue of e.issues) io.err(formatIssue(settingsFile, issue));
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) {
      io.err(`${name}: cannot write to ${flags.out}: ${(e as Error).message}`);
      return 2;
    }
    io.err(`${name}: internal error (please report it): ${String((e as Error)?.message ?? e).split("\n")[0]}`);
    return 2;
  }
}

/**
 * AgentSettings from a settings file (YAML or JSON): every field of AgentSettings that has a plain
 * value, and `token: { file: <absolute path> }`, the env file on the host holding the token (the
 * default is /etc/scalr-agent/token.env). A token itself is refused. Returns a problem line instead
 * when the file cannot be used.
 */
function settingsFromFile(text: string, file: string): AgentSettings | string {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    return `${file}: not YAML or JSON: ${String((e as Error).message).split("\n")[0]}`;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return `${file}: must hold a map of AgentSettings fields`;
  const { token, ...rest } = data as Record<string, unknown>;
  let tokenFile = DEFAULT_TOKEN_ENV_FILE;
  if (token !== undefined) {
    const keys = token !== null && typeof token === "object" && !Array.isArray(token) ? Object.keys(token) : [];
    const given = (token as { file?: unknown } | null)?.file;
    if (keys.length !== 1 || typeof given !== "string") {
      // Never echoed: a string here may be the token itself.
      return `${file}: \`token\` must be { file: <absolute path of the env file on the host that holds SCALR_AGENT_TOKEN=…> }, never the token itself, got: ${typeof token === "string" ? `a string of ${token.length} characters (value hidden)` : "another value"}`;
    }
    tokenFile = given;
  }
  try {
    return { ...(rest as Omit<AgentSettings, "token">), token: AgentTokenSource.fromFile(tokenFile) } as AgentSettings;
  } catch (e) {
    if (e instanceof KitValidationError) return e.issues.map((i) => formatIssue(file, { ...i, field: "token.file" })).join("\n");
    throw e;
  }
}
