import * as fs from "fs";
import * as path from "path";

/**
 * The layout's rules (docs/decisions/0007-layout.md), checked over every import of the source:
 * no import circle anywhere, the core imports nothing of the kit, layers depend downwards only
 * (examples → stacks → vending-machine → constructs → agent → core), and code that runs in the
 * cloud imports nothing from CDKTF.
 */
const ROOT = path.join(__dirname, "..");
const SOURCE_ROOTS = ["index.ts", "core", "agent", "constructs", "vending-machine", "stacks", "examples"];

/** Layers from the bottom up; a module may import its own layer and those below it. */
const LAYERS: readonly { readonly name: string; readonly prefixes: readonly string[] }[] = [
  { name: "core", prefixes: ["core/"] },
  { name: "providers", prefixes: ["providers/"] },
  { name: "agent", prefixes: ["agent/"] },
  { name: "constructs", prefixes: ["constructs/"] },
  { name: "vending-machine", prefixes: ["vending-machine/"] },
  { name: "stacks", prefixes: ["stacks/"] },
  { name: "entry", prefixes: ["index.ts", "examples/"] },
];

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isDirectory()) for (const name of fs.readdirSync(abs)) walk(path.posix.join(rel, name));
    else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) out.push(rel);
  };
  SOURCE_ROOTS.forEach(walk);
  return out.sort();
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|require\(\s*["']([^"']+)["']\s*\)|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every import of `file`: relative ones resolved to a file of the tree, packages as named. */
function importsOf(file: string): { readonly local: string[]; readonly packages: string[] } {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? "";
    if (!spec.startsWith(".")) {
      packages.push(spec);
      continue;
    }
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const target = [`${base}.ts`, `${base}/index.ts`, base].find((c) => fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile());
    if (target) local.push(target);
  }
  return { local, packages };
}

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f)] as const));
const layerOf = (file: string) => LAYERS.findIndex((l) => l.prefixes.some((p) => file === p || file.startsWith(p)));

describe("the layout", () => {
  test("has no import circle anywhere in the source", () => {
    const cycles: string[][] = [];
    const state = new Map<string, "active" | "done">();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, "active");
      stack.push(f);
      for (const g of graph.get(f)?.local ?? []) {
        if (!graph.has(g)) continue;
        if (state.get(g) === "active") cycles.push([...stack.slice(stack.indexOf(g)), g]);
        else if (!state.has(g)) visit(g);
      }
      stack.pop();
      state.set(f, "done");
    };
    for (const f of files) if (!state.has(f)) visit(f);
    expect(cycles.map((c) => c.join(" → "))).toEqual([]);
  });

  test("the core imports nothing else of the kit", () => {
    const outside = files
      .filter((f) => f.startsWith("core/"))
      .flatMap((f) => (graph.get(f)?.local ?? []).filter((g) => !g.startsWith("core/")).map((g) => `${f} → ${g}`));
    expect(outside).toEqual([]);
  });

  test("layers import only their own layer and the layers below", () => {
    const upward: string[] = [];
    for (const [f, { local }] of graph) {
      for (const g of local) if (layerOf(g) > layerOf(f)) upward.push(`${f} (${LAYERS[layerOf(f)]?.name}) → ${g} (${LAYERS[layerOf(g)]?.name})`);
    }
    expect(upward).toEqual([]);
  });

  test("code that runs in the cloud imports nothing from CDKTF or the synth-time kit", () => {
    const bad: string[] = [];
    // agent/aws/ holds what both Lambdas share (the SigV4 signer); scripts/copy-handler-source.js
    // ships it next to each Lambda's sources.
    const shared = "agent/aws/";
    const cloudFolders = ["agent/serverless/", "agent/autoscaler/", "agent/token-age/", shared];
    for (const [f, { local, packages }] of graph) {
      const root = cloudFolders.find((c) => f.startsWith(c));
      if (!root) continue;
      for (const p of packages) if (/^(cdktf|constructs|@cdktf\/)/.test(p)) bad.push(`${f} → ${p}`);
      for (const g of local) if (!g.startsWith(root) && !(root !== shared && g.startsWith(shared))) bad.push(`${f} → ${g}`);
    }
    // Each folder holds code, so the rule is not vacuous.
    for (const c of cloudFolders) expect([...graph.keys()].some((f) => f.startsWith(c))).toBe(true);
    expect(bad).toEqual([]);
  });

  test("folder index files only re-export", () => {
    const indexes = files.filter((f) => f.endsWith("/index.ts") && !f.startsWith("examples/"));
    const bad = indexes.filter((f) => {
      const lines = fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").filter((l) => l.trim() && !l.trim().startsWith("//") && !l.trim().startsWith("*") && !l.trim().startsWith("/*"));
      return !lines.every((l) => /^export (\*|\{[^}]*\}) from "\.[^"]*";$/.test(l));
    });
    expect(bad).toEqual([]);
  });
});
