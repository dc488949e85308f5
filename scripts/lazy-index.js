#!/usr/bin/env node
// @ts-check
/**
 * Rewrites dist/index.js (compiled from index.ts) into a lazy entry: every export is a getter that
 * loads its module on first access, so `require("cdktf-scalr-kit")` costs little and a program
 * pays only for the constructs it uses (the pattern of aws-cdk-lib's index). dist/index.d.ts, the
 * types, stays as tsc wrote it. Run by `npm run build` after tsc; an argument overrides the dist folder.
 *
 * index.ts names every export (`export { AgentPool, type AgentPoolProps } from "./constructs/scalr";`).
 * The lazy entry exports exactly its runtime names, the ones not marked `type` (types have no value
 * at run time). Each name is traced from the folder index it comes from down to the file that
 * defines it, through `export * from` and `export { … } from` lines, so `AgentPool` loads
 * constructs/scalr/agent-pool.js and what it imports, not every construct of the folder.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const ts = require("typescript");

const ROOT = path.resolve(__dirname, "..");
const DIST = path.resolve(process.argv[2] || path.join(ROOT, "dist"));

/** @param {string} file */
function parse(file) {
  return ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
}

/**
 * The source file of a module path relative to the root ("./constructs/scalr" → constructs/scalr/index.ts).
 * @param {string} mod
 * @returns {string | undefined}
 */
function sourceOf(mod) {
  return [`${mod}.ts`, path.join(mod, "index.ts")].map((f) => path.join(ROOT, f)).find((f) => fs.existsSync(f));
}

/**
 * `spec` (a relative import of `fromMod`) as a module path relative to the root, e.g. "./constructs/scalr/agent-pool".
 * @param {string} fromMod
 * @param {string} spec
 */
function join(fromMod, spec) {
  const file = /** @type {string} */ (sourceOf(fromMod));
  const dir = path.relative(ROOT, path.dirname(file)).split(path.sep).join("/");
  return `./${path.posix.join(dir, spec)}`;
}

/** @param {ts.Node} node */
const hasExport = (node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/**
 * Names bound by a binding name (`const { a, b: [c] } = …` binds a and c).
 * @param {ts.BindingName} name
 * @returns {string[]}
 */
function boundNames(name) {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : boundNames(e.name)));
}

/**
 * What a module's own statements export at run time (declarations with `export`, `export { a as b }`
 * without a module), and its re-exports: `export { a as b } from "./x"` and `export * from "./x"`.
 * Types (interfaces, type aliases, `export type`) are left out: they have no value.
 * @param {string} mod
 */
function exportsOf(mod) {
  const file = sourceOf(mod);
  if (!file) throw new Error(`cannot find the source of ${mod} (${mod}.ts or ${mod}/index.ts)`);
  /** @type {Set<string>} */
  const local = new Set();
  /** @type {Map<string, { mod: string; name: string }>} */
  const named = new Map();
  /** @type {string[]} */
  const star = [];
  for (const s of parse(file).statements) {
    if (ts.isExportDeclaration(s)) {
      if (s.isTypeOnly) continue;
      const from = s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
      if (from !== undefined && !from.startsWith(".")) continue; // a package's names: not traced
      if (!s.exportClause) {
        if (from !== undefined) star.push(join(mod, from));
      } else if (ts.isNamedExports(s.exportClause)) {
        for (const e of s.exportClause.elements) {
          if (e.isTypeOnly) continue;
          const name = e.name.text;
          if (from === undefined) local.add(name);
          else named.set(name, { mod: join(mod, from), name: (e.propertyName ?? e.name).text });
        }
      } else {
        local.add(s.exportClause.name.text); // export * as ns from "./x": a namespace object this module makes
      }
    } else if (hasExport(s)) {
      if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) boundNames(d.name).forEach((n) => local.add(n));
      else if ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) local.add(s.name.text);
      else if (ts.isModuleDeclaration(s) && ts.isIdentifier(s.name)) local.add(s.name.text);
    }
  }
  return { file, local, named, star };
}

/** @type {Map<string, ReturnType<typeof exportsOf>>} */
const parsed = new Map();
/** @param {string} mod */
const exportsOfCached = (mod) => parsed.get(mod) ?? parsed.set(mod, exportsOf(mod)).get(mod);

/**
 * The module that defines the runtime export `name` of `mod`, and its name there: down through
 * re-exports to the file whose own statements export it.
 * @param {string} mod
 * @param {string} name
 * @param {string[]} trail modules visited, for messages and cycles
 * @returns {{ mod: string; name: string } | undefined}
 */
function definition(mod, name, trail = []) {
  if (trail.includes(mod)) return undefined;
  const here = /** @type {ReturnType<typeof exportsOf>} */ (exportsOfCached(mod));
  if (here.local.has(name)) return { mod, name };
  const re = here.named.get(name);
  if (re) return definition(re.mod, re.name, [...trail, mod]);
  /** @type {Map<string, { mod: string; name: string }>} */
  const found = new Map(); // one definition reached through two `export *` paths is still one
  for (const m of here.star) {
    const d = definition(m, name, [...trail, mod]);
    if (d) found.set(`${d.mod}#${d.name}`, d);
  }
  const [first, second] = found.values();
  if (second) throw new Error(`${name} is exported by both ${first?.mod} and ${second.mod} (through ${mod})`);
  return first;
}

/**
 * The runtime names index.ts exports, with the folder index each comes from. index.ts holds only
 * `export { … } from "./…";` statements: anything else would have no place in the lazy entry, and
 * `export *` would publish every internal name of a folder.
 * @returns {Map<string, { mod: string; name: string }>}
 */
function entryExports() {
  const index = parse(path.join(ROOT, "index.ts"));
  /** @type {Map<string, { mod: string; name: string }>} */
  const names = new Map();
  for (const s of index.statements) {
    const from = ts.isExportDeclaration(s) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
    if (!ts.isExportDeclaration(s) || from === undefined || !from.startsWith("./") || !s.exportClause || !ts.isNamedExports(s.exportClause)) {
      const text = s.getText(index).split("\n")[0];
      throw new Error(`index.ts may only hold 'export { Name, type Type } from "./folder";' statements (names, not 'export *'), found:\n  ${text}`);
    }
    if (s.isTypeOnly) continue;
    for (const e of s.exportClause.elements) {
      if (!e.isTypeOnly) names.set(e.name.text, { mod: from, name: (e.propertyName ?? e.name).text });
    }
  }
  return names;
}

/** @type {Map<string, { mod: string; name: string }>} */
const owner = new Map();
for (const [name, from] of entryExports()) {
  const def = definition(from.mod, from.name);
  if (!def) throw new Error(`index.ts exports ${from.name} from ${from.mod}, which has no such value; if it is a type, export it as 'type ${name}'`);
  owner.set(name, def);
}

// What tsc compiled must agree: every name is a runtime export of the file it was traced to.
for (const [name, def] of owner) {
  const exported = require(path.join(DIST, def.mod));
  if (!Object.prototype.hasOwnProperty.call(exported, def.name)) {
    throw new Error(`${name}: ${path.join(DIST, def.mod)}.js does not export ${def.name} (a type exported without 'type' in index.ts, or a stale build?)`);
  }
}

/** The optional peer dependencies and their ranges, from package.json. */
function optionalPeers() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const meta = pkg.peerDependenciesMeta || {};
  return Object.fromEntries(Object.keys(meta).filter((n) => meta[n].optional).sort().map((n) => [n, pkg.peerDependencies[n]]));
}

const table = Object.fromEntries(
  [...owner.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, def]) => [name, def.name === name ? def.mod : [def.mod, def.name]]),
);
const lines = [
  '"use strict";',
  "// Lazy entry generated by scripts/lazy-index.js from index.ts: each export loads its module on first access.",
  'Object.defineProperty(exports, "__esModule", { value: true });',
  "const cache = {};",
  "// Optional peers (package.json peerDependenciesMeta): a construct that needs a missing one says which to install.",
  `const optionalPeers = ${JSON.stringify(optionalPeers())};`,
  "const load = (p, name) => {",
  "  if (cache[p]) return cache[p];",
  "  try {",
  "    return (cache[p] = require(p));",
  "  } catch (e) {",
  "    const missing = e && e.code === \"MODULE_NOT_FOUND\" && Object.keys(optionalPeers).find((peer) => String(e.message).includes(`'${peer}/`) || String(e.message).includes(`'${peer}'`));",
  "    if (!missing) throw e;",
  "    const err = new Error(`cdktf-scalr-kit: \\`${name}\\` needs the peer dependency ${missing} (${optionalPeers[missing]}), which is not installed; install it in your project: npm install ${missing}@\\\"${optionalPeers[missing]}\\\"`);",
  "    err.name = \"MissingPeerDependencyError\";",
  "    err.cause = e;",
  "    throw err;",
  "  }",
  "};",
  "// name: the module that defines it, or [module, its name there]",
  `const names = ${JSON.stringify(table, null, 1)};`,
  "for (const name of Object.keys(names)) {",
  '  const [mod, key] = typeof names[name] === "string" ? [names[name], name] : names[name];',
  "  Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load(mod, name)[key] });",
  "}",
  "",
];
fs.writeFileSync(path.join(DIST, "index.js"), lines.join("\n"));
