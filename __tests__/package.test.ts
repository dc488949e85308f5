import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";
import * as entry from "../index";
import { OPTIONAL_PEERS } from "../core/optional-peer";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** The TypeScript sources `npm run build` compiles (tsconfig.build.json's include, tests excluded). */
function buildSources(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(ROOT, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs)) if (name !== "node_modules" && name !== "__tests__") walk(path.join(rel, name));
    } else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts") && !rel.endsWith(".test.ts")) {
      out.push(abs);
    }
  };
  for (const root of JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.build.json"), "utf8")).include as string[]) walk(root);
  return out;
}

/**
 * Builds the package's JavaScript with the layout `npm run build` gives (one file per source, paths
 * relative to the root), then runs the build's lazy-entry step on it. esbuild transpiles each file
 * alone, as tsc does under `isolatedModules`, in a second instead of tsc's ~15 s: the type check
 * itself is `npm run typecheck`, and `npx cdktf synth` runs the real `npm run build`.
 */
function build(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kit-dist-"));
  // Resolve dependencies from the project, as they would be from an installed package.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules"), "dir");
  buildSync({ entryPoints: buildSources(), outdir: out, outbase: ROOT, format: "cjs", platform: "node", target: "node20", logLevel: "silent" });
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "lazy-index.js"), out], { cwd: ROOT, stdio: "pipe" });
  return out;
}

/**
 * Names the folders export for the kit's own use (schemas, parsers, helpers, renderers' pieces,
 * rule internals) that the package entry must not publish: index.ts names its exports one by one.
 */
const KNOWN_INTERNALS = [
  // core
  "parseOrThrow", "fieldError", "fieldPath", "formatIssue", "describeValue", "strictProps", "tokenOr", "isToken",
  "isSensitiveField", "intInRange", "literalIntInRange", "nonEmptyString", "decodeTerraformJson", "tryDecodeTerraformJson",
  // agent
  "agentSettingsSchema", "reservedEnvField", "AGENT_TOKEN_VARIABLE", "helmValuesOptionsShape", "renderParsedHelmValues",
  "CHART_VALUES", "checkFargateSize", "fargateMemoryOptions", "shellQuote", "quoteSystemdArg", "systemdEnvironment",
  "renderFetchTokenScript", "renderFirstBootScript", "renderDrainWatcherScript", "encodeEc2UserData", "VM_OS_PROFILES",
  "AWS_SECRET_FETCHER_PY", "AWS_LIFECYCLE_HELPER_PY",
  // constructs
  "awsOptionsShape", "fargateAgentShape", "fargateTaskProps", "secretResource", "ecrRepositoryOf", "clusterNameOf",
  "launchFailuresNamespace", "webhookHandlerEntry", "tokenAgeNamespace", "tokenAgeEntry", "bundleTokenAge", "ensureSensitiveOutputCheck", "registerLiteralSecret",
  "valueAt", "booleanOf", "isTrue", "record", "blocks", "numberOf", "searchText", "findSecret", "iamStatements",
  "unreadablePolicies", "isWildcardArn", "scalrChartReleases", "SynthesizedStack", "KIT_RULES", "applyKitChecks",
  // vending machine
  "validateSpec", "parseSpecText", "formatSpecIssue", "segmentsOf", "shardOf", "stackSuffix", "runCli",
];

const dist = build();
afterAll(() => fs.rmSync(dist, { recursive: true, force: true }));
const resolveExport = (target: string) => path.join(dist, target.replace(/^(\.\/)?dist\//, ""));

describe("the built package", () => {
  test("the lazy entry exports exactly what index.ts exports, each the same kind of thing", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lazy = require(path.join(dist, "index.js"));
    expect(Object.keys(lazy).sort()).toEqual(Object.keys(entry).sort());
    for (const [name, value] of Object.entries(entry)) expect(`${name}: ${typeof lazy[name]}`).toBe(`${name}: ${typeof value}`);
  });

  test("the entry exports none of the kit's internals", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lazy = require(path.join(dist, "index.js"));
    const leaked = KNOWN_INTERNALS.filter((name) => name in entry || name in lazy);
    expect(leaked).toEqual([]);
  });

  test("the entry does not load constructs or zod until they are used", () => {
    const code = `require(${JSON.stringify(path.join(dist, "index.js"))});
      const loaded = () => Object.keys(require.cache).filter((f) => /node_modules[\\\\/]zod[\\\\/]|constructs[\\\\/]scalr/.test(f)).length;
      const others = () => Object.keys(require.cache).filter((f) => /provider-aws|constructs[\\/](ecs|vm|k8s|checks)[\\/]/.test(f)).length;
      const before = loaded(); require(${JSON.stringify(path.join(dist, "index.js"))}).AgentPool; process.stdout.write(JSON.stringify([before, loaded(), others()]));`;
    const [before, after, others] = JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" }));
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
    // Only AgentPool's own file and what it imports: no other construct, no AWS bindings.
    expect(others).toBe(0);
  });

  test("index.ts exports from folder indexes only, never from a file inside a folder", () => {
    const index = fs.readFileSync(path.join(ROOT, "index.ts"), "utf8");
    const sources = [...index.matchAll(/^\s*(?:export|import)\b[^;]*?\bfrom\s+"([^"]+)"/gm)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.filter((s) => !fs.existsSync(path.join(ROOT, s, "index.ts")))).toEqual([]);
  });

  test("package.json entry points and subpath exports resolve to built files (declarations: to the sources tsc declares)", () => {
    // tsc writes X.d.ts next to X.js for every X.ts of the build.
    const declared = (target: string) => path.join(ROOT, target.replace(/^(\.\/)?dist\//, "").replace(/\.d\.ts$/, ".ts"));
    expect(fs.existsSync(resolveExport(pkg.main))).toBe(true);
    expect(fs.existsSync(declared(pkg.types))).toBe(true);
    const sub = pkg.exports["./providers/scalr/*"];
    expect(fs.existsSync(resolveExport(sub.default.replace("*", "agent-pool")))).toBe(true);
    expect(fs.existsSync(declared(sub.types.replace("*", "agent-pool")))).toBe(true);
    const tv = pkg.typesVersions["*"]["providers/scalr/*"][0];
    expect(fs.existsSync(declared(tv.replace("*", "workspace")))).toBe(true);
  });

  test("npm pack ships the built code, the docs, the changelog and the licence, and nothing of the repository's tooling", () => {
    // --ignore-scripts: the file list without the build (prepack cleans dist/ and builds it; CI's
    // platform-repo check inspects that tarball's dist/).
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    const outsideDist = files.filter((f) => !f.startsWith("dist/")).sort();
    const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
    const adrs = fs.readdirSync(path.join(ROOT, "docs", "decisions")).map((f) => `docs/decisions/${f}`);
    expect(outsideDist).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "bin/cdktf-scalr-kit.js", "bin/register-ts.js", ...docs, ...adrs, "package.json"].sort());
    expect(files.filter((f) => /(^|\/)(__tests__|examples|bench|scripts)\//.test(f) || f.endsWith(".test.js"))).toEqual([]);
  });

  test("peers are caret ranges the tests cover: the devDependencies are the highest tested, check:peers the lowest", () => {
    expect(pkg.peerDependencies).toEqual({
      cdktf: "^0.21.0",
      constructs: "^10.4.2",
      "@cdktf/provider-aws": "^21.0.0",
      "@cdktf/provider-kubernetes": "^12.0.0",
      "@cdktf/provider-helm": "^12.0.0",
    });
    for (const [name, range] of Object.entries(pkg.peerDependencies as Record<string, string>)) {
      // The installed (highest tested) version is inside the range: same major, not below the floor.
      const installed = (pkg.devDependencies[name] as string).split(".").map(Number);
      const floor = range.slice(1).split(".").map(Number);
      expect(`${name} ${installed[0]}`).toBe(`${name} ${floor[0]}`);
      const rank = (v: number[]) => v[0]! * 1e12 + v[1]! * 1e6 + v[2]!;
      expect(rank(installed)).toBeGreaterThanOrEqual(rank(floor));
    }
    // Only the constructs that need a provider load it: the providers are optional peers.
    expect(pkg.peerDependenciesMeta).toEqual({
      "@cdktf/provider-aws": { optional: true },
      "@cdktf/provider-kubernetes": { optional: true },
      "@cdktf/provider-helm": { optional: true },
    });
    expect(pkg.devDependencies["cdktf-cli"]).toBe(pkg.devDependencies.cdktf);
    // The constructs that load a provider on first use name the same ranges.
    const optional = Object.fromEntries(Object.keys(pkg.peerDependenciesMeta).map((name) => [name, pkg.peerDependencies[name]]));
    expect({ ...OPTIONAL_PEERS }).toEqual(optional);
    expect(pkg.scripts["check:peers"]).toBe("node scripts/check-peer-range.js");
  });

  test("a construct whose provider is not installed says which package to install; the others work", () => {
    // A node_modules like a project that installed cdktf and constructs but no AWS provider.
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "kit-no-aws-"));
    try {
      const nm = path.join(project, "node_modules");
      fs.mkdirSync(path.join(nm, "@cdktf"), { recursive: true });
      for (const e of fs.readdirSync(path.join(ROOT, "node_modules"))) {
        if (e !== "@cdktf") fs.symlinkSync(path.join(ROOT, "node_modules", e), path.join(nm, e));
      }
      for (const e of fs.readdirSync(path.join(ROOT, "node_modules", "@cdktf"))) {
        if (e !== "provider-aws") fs.symlinkSync(path.join(ROOT, "node_modules", "@cdktf", e), path.join(nm, "@cdktf", e));
      }
      const kit = path.join(nm, "cdktf-scalr-kit");
      fs.mkdirSync(kit);
      fs.cpSync(dist, kit, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
      const code = `const kit = require("cdktf-scalr-kit");
        const { App, Testing } = require("cdktf");
        const out = { agentPool: typeof kit.AgentPool };
        try { kit.EcsAgentService; } catch (e) { out.error = [e.name, e.message]; }
        // The vending machine without AWS provider configurations needs no AWS provider package.
        const app = Testing.app();
        const vm = new kit.VendingMachineStack(app, "vm", { spec: { version: 1, agentPools: [{ name: "run", kind: "run" }], environments: [{ name: "dev", workspaces: [{ name: "net" }] }] } });
        out.resources = Object.keys(JSON.parse(Testing.synth(vm)).resource).sort();
        // An AWS provider configuration does: a KitValidationError names the construct and the package.
        try { new kit.ProviderConfiguration(new (require("cdktf").TerraformStack)(app, "s"), "Aws", { name: "aws", aws: { auth: "role-delegation", externalId: "x-1234567890abcdefgh" } }); } catch (e) { out.aws = [e.name, e.message]; }
        process.stdout.write(JSON.stringify(out));`;
      const out = JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: project, encoding: "utf8" }));
      expect(out.agentPool).toBe("function");
      expect(out.error).toEqual([
        "MissingPeerDependencyError",
        'cdktf-scalr-kit: `EcsAgentService` needs the peer dependency @cdktf/provider-aws (^21.0.0), which is not installed; install it in your project: npm install @cdktf/provider-aws@"^21.0.0"',
      ]);
      expect(out.resources).toEqual(expect.arrayContaining(["scalr_agent_pool", "scalr_environment", "scalr_workspace"]));
      expect(out.aws).toEqual([
        "KitValidationError",
        's/Aws: `aws` needs the peer dependency @cdktf/provider-aws (^21.0.0), which is not installed: add it to your project with npm install @cdktf/provider-aws@"^21.0.0", got: @cdktf/provider-aws missing',
      ]);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
