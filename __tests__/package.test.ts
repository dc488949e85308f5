import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as entry from "../index";

const ROOT = path.join(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));

/** Builds the package the way `npm run build` does, into a temporary folder. */
function build(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kit-dist-"));
  // Resolve dependencies from the project, as they would be from an installed package.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules"), "dir");
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--outDir", out, "--incremental", "false"], {
    cwd: ROOT,
    stdio: "pipe",
  });
  execFileSync(process.execPath, [path.join(ROOT, "scripts", "lazy-index.js"), out], { cwd: ROOT, stdio: "pipe" });
  return out;
}

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

  test("the entry does not load constructs or zod until they are used", () => {
    const code = `require(${JSON.stringify(path.join(dist, "index.js"))});
      const loaded = () => Object.keys(require.cache).filter((f) => /node_modules[\\\\/]zod[\\\\/]|constructs[\\\\/]scalr/.test(f)).length;
      const before = loaded(); require(${JSON.stringify(path.join(dist, "index.js"))}).AgentPool; process.stdout.write(JSON.stringify([before, loaded()]));`;
    const [before, after] = JSON.parse(execFileSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8" }));
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  });

  test("package.json entry points and subpath exports resolve to built files", () => {
    expect(fs.existsSync(resolveExport(pkg.main))).toBe(true);
    expect(fs.existsSync(resolveExport(pkg.types))).toBe(true);
    const sub = pkg.exports["./providers/scalr/*"];
    for (const target of [sub.types, sub.default]) expect(fs.existsSync(resolveExport(target.replace("*", "agent-pool")))).toBe(true);
    const tv = pkg.typesVersions["*"]["providers/scalr/*"][0];
    expect(fs.existsSync(path.join(dist, tv.replace(/^dist\//, "").replace("*", "workspace")))).toBe(true);
  });

  test("pins cdktf and the prebuilt providers so they install together", () => {
    expect(pkg.peerDependencies).toMatchObject({
      cdktf: "0.21.0",
      "@cdktf/provider-aws": "21.22.1",
      "@cdktf/provider-kubernetes": "12.1.1",
      "@cdktf/provider-helm": "12.1.2",
    });
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.devDependencies[name]).toBeDefined();
    expect(pkg.devDependencies["cdktf-cli"]).toBe("0.21.0");
  });
});
