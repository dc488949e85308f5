// The documentation a user starts from: README.md and the guides under docs/.
//
// Every ```ts block of the markdown either starts with the comment `// fragment` (counted, not
// compiled) or is a complete module that imports the kit by its package name and compiles, under
// the compiler options of a `cdktf init --template=typescript` project, against the declarations
// the kit builds — as a user's project would see the installed package. The README stays short,
// the docs cite no document a user never sees, and every relative link leads to a file.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { emitDeclarations, formatDiagnostics } from "../support/declarations";

const ROOT = path.join(__dirname, "..", "..");
const PACKAGE_NAME = "cdktf-scalr-kit";

/** Counts of the snippets; a change to the docs that adds or removes one shows here. */
const EXPECTED_SNIPPETS = { complete: 27, fragment: 10 };

/**
 * The compiler options of the tsconfig.json that `cdktf init --template=typescript` writes (cdktf
 * 0.21), verbatim: snippets must compile in a project a user has just created.
 */
const TEMPLATE_COMPILER_OPTIONS = {
  alwaysStrict: true,
  charset: "utf8",
  declaration: true,
  experimentalDecorators: true,
  inlineSourceMap: true,
  inlineSources: true,
  lib: ["es2018"],
  module: "CommonJS",
  noEmitOnError: true,
  noFallthroughCasesInSwitch: true,
  noImplicitAny: true,
  noImplicitReturns: true,
  noImplicitThis: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  resolveJsonModule: true,
  strict: true,
  strictNullChecks: true,
  strictPropertyInitialization: true,
  stripInternal: true,
  target: "ES2018",
  incremental: true,
  skipLibCheck: true,
};

/** The markdown a user reads: README.md and docs/**, without the generated API reference. */
function markdownFiles(): string[] {
  const files = ["README.md"];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) return;
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) {
        if (child !== "docs/api") walk(child);
      } else if (entry.name.endsWith(".md")) {
        files.push(child);
      }
    }
  };
  walk("docs");
  return files.sort();
}

/** Every markdown file of the repository, without build output, dependencies, the API reference and the ADRs. */
function repositoryMarkdown(): string[] {
  const skip = new Set(["node_modules", ".git", "dist", "cdktf.out", "coverage", "temp", "docs/api", "docs/decisions"]);
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = rel ? path.posix.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) {
        if (!skip.has(child)) walk(child);
      } else if (entry.name.endsWith(".md")) {
        files.push(child);
      }
    }
  };
  walk("");
  return files.sort();
}

interface Snippet {
  /** Markdown file, relative to the repository root. */
  readonly file: string;
  /** Line of the markdown file holding the snippet's first line of code (1-based). */
  readonly line: number;
  readonly code: string;
  readonly fragment: boolean;
}

const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");

/** The fenced ```ts / ```typescript blocks of a markdown file. */
function tsBlocks(file: string): Snippet[] {
  const lines = read(file).split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    if (/^(ts|typescript)$/i.test(open[2]!)) {
      const code = lines.slice(i + 1, end).join("\n");
      snippets.push({ file, line: i + 2, code: `${code}\n`, fragment: /^\s*\/\/ fragment\b/.test(code) });
    }
    i = end;
  }
  return snippets;
}

const snippets = markdownFiles().flatMap(tsBlocks);
const complete = snippets.filter((s) => !s.fragment);

/**
 * A temporary directory laid out like a user's project after `npm install cdktf-scalr-kit`:
 * node_modules/cdktf-scalr-kit holds the repository's package.json and the declarations `tsc -p
 * tsconfig.build.json` emits under dist/; the kit's dependencies and peers (and @types/node) are
 * links into the repository's node_modules.
 */
function installKitDeclarations(tmp: string): void {
  const pkgDir = path.join(tmp, "node_modules", PACKAGE_NAME);
  fs.mkdirSync(pkgDir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(pkgDir, "package.json"));

  // The examples are not part of the package (package.json `files`: "!dist/examples").
  emitDeclarations(path.join(pkgDir, "dist"), (files) => files.filter((f) => !path.relative(ROOT, f).split(path.sep).includes("examples")));

  const pkg = JSON.parse(read("package.json"));
  const links = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), "@types/node"]);
  for (const name of links) {
    const target = path.join(ROOT, "node_modules", name);
    if (!fs.existsSync(target)) continue;
    const link = path.join(tmp, "node_modules", name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(target, link, "dir");
  }
}


/** Compiles every complete snippet in one program; returns one line per error, at its markdown file and line. */
function compileSnippets(tmp: string): string[] {
  const dir = path.join(tmp, "snippets");
  fs.mkdirSync(dir);
  const byFile = new Map<string, Snippet>();
  complete.forEach((s, i) => {
    const file = path.join(dir, `${String(i).padStart(3, "0")}-${s.file.replace(/[^A-Za-z0-9]+/g, "-")}-L${s.line}.ts`);
    fs.writeFileSync(file, s.code);
    byFile.set(file, s);
  });
  // TypeScript 5.5 removed `charset` (a no-op since output is always UTF-8) and rejects it (TS5102),
  // so a template project on today's compiler drops it too.
  const supported = Object.fromEntries(Object.entries(TEMPLATE_COMPILER_OPTIONS).filter(([name]) => name !== "charset"));
  const converted = ts.convertCompilerOptionsFromJson(supported, tmp);
  if (converted.errors.length > 0) throw new Error(formatDiagnostics(converted.errors));
  // `incremental` needs somewhere to keep its build info; nothing is emitted here anyway.
  const options: ts.CompilerOptions = { ...converted.options, tsBuildInfoFile: path.join(tmp, "snippets.tsbuildinfo") };
  const host = ts.createCompilerHost(options);
  // Resolve like a project in `tmp`: its node_modules, its @types — not the repository's.
  host.getCurrentDirectory = () => tmp;
  const program = ts.createProgram({ rootNames: [...byFile.keys()], options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const message = ts.flattenDiagnosticMessageText(d.messageText, "\n    ");
      const snippet = d.file ? byFile.get(path.resolve(d.file.fileName)) : undefined;
      if (!d.file || !snippet) return `${d.file ? path.relative(tmp, d.file.fileName) : "(options)"}: TS${d.code}: ${message}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${snippet.file}:${snippet.line + line}:${character + 1}: TS${d.code}: ${message}`;
    });
}

describe("documentation snippets", () => {
  let tmp: string | undefined;
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("are counted: complete modules and fragments", () => {
    expect({ complete: complete.length, fragment: snippets.length - complete.length }).toEqual(EXPECTED_SNIPPETS);
  });

  test("complete snippets import the kit by its package name", () => {
    const without = complete.filter((s) => !s.code.includes(`from "${PACKAGE_NAME}"`)).map((s) => `${s.file}:${s.line}`);
    expect(without).toEqual([]);
    const relative = complete.filter((s) => /from "\.{1,2}\//.test(s.code)).map((s) => `${s.file}:${s.line}`);
    expect(relative).toEqual([]);
  });

  test(
    "complete snippets compile against the built declarations under the cdktf template's compiler options",
    () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-doc-snippets-"));
      installKitDeclarations(tmp);
      const errors = compileSnippets(tmp);
      expect(errors).toEqual([]);
    },
    180_000,
  );
});

describe("documentation", () => {
  const files = markdownFiles();

  test("README.md is a short read (under 25,000 bytes)", () => {
    expect(fs.statSync(path.join(ROOT, "README.md")).size).toBeLessThan(25_000);
  });

  test("cites no document a user never sees (every markdown file but docs/api and docs/decisions)", () => {
    const citing = repositoryMarkdown()
      .flatMap((f) => read(f).split("\n").map((text, i) => ({ where: `${f}:${i + 1}`, text })))
      .filter(({ text }) => /seed 0\d\d|STYLE \d+|shared\/design/i.test(text))
      .map(({ where, text }) => `${where}: ${text.trim()}`);
    expect(citing).toEqual([]);
  });

  test("relative links in README.md and docs/*.md lead to files that exist", () => {
    const linking = files.filter((f) => f === "README.md" || /^docs\/[^/]+\.md$/.test(f));
    const broken: string[] = [];
    for (const file of linking) {
      // Code spans and fenced blocks are not links.
      const text = read(file)
        .replace(/^ {0,3}(`{3,}|~{3,})[\s\S]*?^ {0,3}\1`*\s*$/gm, (block) => block.replace(/[^\n]/g, " "))
        .replace(/`[^`\n]*`/g, (span) => " ".repeat(span.length));
      const lines = text.split("\n");
      lines.forEach((line, i) => {
        for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)) {
          const target = (match[1] ?? match[2])!;
          if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
          const resolved = path.relative(ROOT, path.join(ROOT, path.dirname(file), decodeURIComponent(target.split("#")[0]!)));
          // `npm run docs` generates docs/api/; it is not committed.
          if (resolved.split(path.sep).join("/").startsWith("docs/api")) continue;
          if (!fs.existsSync(path.join(ROOT, resolved))) broken.push(`${file}:${i + 1}: ${target}`);
        }
      });
    }
    expect(broken).toEqual([]);
  });
});
