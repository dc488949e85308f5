import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";

/**
 * The entry of code the kit bundles into a Lambda function, in `agent/<folder>` (relative to this
 * file: constructs/runtime → ../../agent; the compiled package keeps the layout under `dist/`),
 * first found of:
 * 1. `<folder>/<base>.ts` — running from the TypeScript sources (ts-jest, ts-node);
 * 2. `<folder>/source/<base>.ts` — the sources copied into the package by the build
 *    (scripts/copy-handler-source.js), so an installed package bundles exactly what the repository
 *    does (same bytes, same asset hash);
 * 3. `<folder>/<base>.js` — tsc's CommonJS output: works, but CommonJS defeats tree-shaking, so the
 *    bundle is about twice the size.
 */
export function lambdaEntry(folder: string, base: string, what: string): string {
  const dir = path.resolve(__dirname, "..", "..", "agent", folder);
  const candidates = [path.join(dir, `${base}.ts`), path.join(dir, "source", `${base}.ts`), path.join(dir, `${base}.js`)];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) throw new Error(`${what} entry not found; looked for ${candidates.map((c) => path.relative(dir, c)).join(", ")} in the kit's agent/${folder}`);
  return found;
}

/**
 * Bundles `entry` with esbuild into one minified `index.js` (CommonJS, Node.js 22, every dependency
 * included) written to `outDir`, for a `TerraformAsset` of type ARCHIVE with Lambda handler
 * `index.handler`.
 *
 * The output holds no absolute path, timestamp or source map, so the asset hash depends only on the
 * kit's code and locked dependencies, not on the machine or working directory. Nothing is taken
 * from the Lambda runtime (whose AWS SDK could change under the function): the handlers sign their
 * few AWS calls themselves.
 */
export function bundleLambda(entry: string, outDir: string, what: string): string {
  const result = buildSync({
    entryPoints: [entry],
    // Fixed TypeScript settings instead of the nearest tsconfig.json, which differs between the
    // repository and an installed package (and would change the output, e.g. "use strict").
    tsconfigRaw: { compilerOptions: { strict: true, useDefineForClassFields: true } },
    // Paths esbuild records are relative to this directory; the minified output keeps none of them.
    absWorkingDir: path.dirname(entry),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    // ES modules first: packages that ship both tree-shake to what is used.
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    // A dependency's `import()` of a node: module becomes `require`: the same module, loaded
    // synchronously, and the bundle also runs where dynamic import is unavailable (jest's vm).
    supported: { "dynamic-import": false },
    write: false,
    outfile: path.join(outDir, "index.js"),
    logLevel: "silent",
  });
  const [file, ...rest] = result.outputFiles;
  if (file === undefined || rest.length > 0) throw new Error(`${what} bundle: expected one output file, got ${result.outputFiles.length}`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "index.js"), file.contents);
  return outDir;
}

/**
 * A bundle built once per process into a temporary directory (synthesizing many pools or fleets
 * costs one build), removed when the process exits: the asset is copied into cdktf.out during
 * synth, in this process, and the temporary copy is not needed after that.
 */
export class ProcessBundle {
  private dir: string | undefined;

  public constructor(
    private readonly prefix: string,
    private readonly build: (outDir: string) => string,
  ) {}

  /** The bundle's directory, built on first use. */
  public get(): string {
    if (this.dir !== undefined && fs.existsSync(path.join(this.dir, "index.js"))) return this.dir;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), this.prefix));
    this.dir = dir;
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    return this.build(dir);
  }
}
