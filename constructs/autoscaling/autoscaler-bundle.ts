import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";

/** The Lambda `handler` setting for the bundle: file `index.js`, export `handler`. */
export const AUTOSCALER_LAMBDA_HANDLER = "index.handler";

/** The Lambda runtime the bundle targets (`target: node22`). */
export const AUTOSCALER_LAMBDA_RUNTIME = "nodejs22.x";

/** Options of {@link bundleAutoscaler}. */
export interface AutoscalerBundleOptions {
  /**
   * Directory to write `index.js` into (created if missing; give it an empty one).
   * @default - a temporary directory, made once per process and removed when the process exits
   */
  readonly outDir?: string;
}

/**
 * The autoscaler's Lambda entry, relative to this file (constructs/autoscaling → ../../agent/autoscaler),
 * first found of:
 * 1. `agent/autoscaler/lambda.ts` — running from the TypeScript sources (ts-jest, ts-node);
 * 2. `agent/autoscaler/source/lambda.ts` — the sources copied into the package by the build (same
 *    bytes, same asset hash as the repository's);
 * 3. `agent/autoscaler/lambda.js` — tsc's CommonJS output (works; a larger bundle).
 */
export function autoscalerEntry(): string {
  const dir = path.resolve(__dirname, "..", "..", "agent", "autoscaler");
  const candidates = [path.join(dir, "lambda.ts"), path.join(dir, "source", "lambda.ts"), path.join(dir, "lambda.js")];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) throw new Error(`autoscaler entry not found; looked for ${candidates.map((c) => path.relative(dir, c)).join(", ")} in the kit's agent/autoscaler`);
  return found;
}

let defaultDir: string | undefined;

/**
 * Bundles the autoscaler with esbuild into one minified `index.js` (CommonJS, Node.js 22, the ECS
 * SDK client and zod included) and returns its directory, for a `TerraformAsset` of type ARCHIVE
 * with Lambda handler {@link AUTOSCALER_LAMBDA_HANDLER}. Same settings as the webhook handler's
 * bundle (constructs/ecs/webhook-handler-bundle.ts): no absolute path, timestamp or source map in
 * the output, so the asset hash depends only on the kit's code and locked dependencies.
 * Without `outDir` the bundle is built once per process and reused.
 */
export function bundleAutoscaler(options: AutoscalerBundleOptions = {}): string {
  if (options.outDir === undefined && defaultDir !== undefined && fs.existsSync(path.join(defaultDir, "index.js"))) return defaultDir;
  const outDir = options.outDir ?? makeDefaultDir();
  const entry = autoscalerEntry();
  const result = buildSync({
    entryPoints: [entry],
    tsconfigRaw: { compilerOptions: { strict: true, useDefineForClassFields: true } },
    absWorkingDir: path.dirname(entry),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    supported: { "dynamic-import": false },
    write: false,
    outfile: path.join(outDir, "index.js"),
    logLevel: "silent",
  });
  const [file, ...rest] = result.outputFiles;
  if (file === undefined || rest.length > 0) throw new Error(`autoscaler bundle: expected one output file, got ${result.outputFiles.length}`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "index.js"), file.contents);
  return outDir;
}

function makeDefaultDir(): string {
  defaultDir = fs.mkdtempSync(path.join(os.tmpdir(), "scalr-autoscaler-"));
  const dir = defaultDir;
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
