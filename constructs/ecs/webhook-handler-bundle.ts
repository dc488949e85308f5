import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";

/** The Lambda `handler` setting for the bundle: file `index.js`, export `handler`. */
export const WEBHOOK_HANDLER_LAMBDA_HANDLER = "index.handler";

/** The Lambda runtime the bundle targets (`target: node22`). */
export const WEBHOOK_HANDLER_LAMBDA_RUNTIME = "nodejs22.x";

/** Options of {@link bundleWebhookHandler}. */
export interface WebhookHandlerBundleOptions {
  /**
   * Directory to write `index.js` into (created if missing; other files in it are left alone, so
   * give it an empty one).
   * @default - a temporary directory, made once per process and removed when the process exits
   */
  readonly outDir?: string;
}

/**
 * The handler's entry, relative to this file (the compiled package keeps the layout under `dist/`:
 * constructs/ecs → ../../agent/serverless), first found of:
 * 1. `agent/serverless/handler.ts` — running from the TypeScript sources (ts-jest, ts-node);
 * 2. `agent/serverless/source/handler.ts` — the sources copied into the package by the build, so an
 *    installed package bundles exactly what the repository does (same bytes, same asset hash);
 * 3. `agent/serverless/handler.js` — tsc's CommonJS output: works, but CommonJS defeats
 *    tree-shaking, so the bundle is about twice the size.
 */
export function webhookHandlerEntry(): string {
  const dir = path.resolve(__dirname, "..", "..", "agent", "serverless");
  const candidates = [path.join(dir, "handler.ts"), path.join(dir, "source", "handler.ts"), path.join(dir, "handler.js")];
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) throw new Error(`webhook handler entry not found; looked for ${candidates.map((c) => path.relative(dir, c)).join(", ")} in the kit's agent/serverless`);
  return found;
}

let defaultDir: string | undefined;

/**
 * Bundles the webhook handler with esbuild into one minified `index.js` (CommonJS, Node.js 22,
 * AWS SDK and zod included) and returns its directory, for a `TerraformAsset` of type ARCHIVE with
 * Lambda handler {@link WEBHOOK_HANDLER_LAMBDA_HANDLER}.
 *
 * The output holds no absolute path, timestamp or source map, so the asset hash depends only on the
 * kit's code and locked dependencies, not on the machine or working directory. The AWS SDK is
 * bundled, not taken from the Lambda runtime: the version is the one this package pins and tests,
 * and a runtime update cannot change the handler's behaviour under it.
 *
 * Without `outDir` the bundle is built once per process and reused (synthesizing many pools costs
 * one build).
 */
export function bundleWebhookHandler(options: WebhookHandlerBundleOptions = {}): string {
  if (options.outDir === undefined && defaultDir !== undefined && fs.existsSync(path.join(defaultDir, "index.js"))) return defaultDir;
  const outDir = options.outDir ?? makeDefaultDir();
  const entry = webhookHandlerEntry();
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
    // ES modules first: the SDK's dist-es tree-shakes to the one command used.
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    // The SDK loads node:http and friends with `import()`; as `require` they load the same modules
    // synchronously, and the bundle also runs where dynamic import is unavailable (jest's vm).
    supported: { "dynamic-import": false },
    write: false,
    outfile: path.join(outDir, "index.js"),
    logLevel: "silent",
  });
  const [file, ...rest] = result.outputFiles;
  if (file === undefined || rest.length > 0) throw new Error(`webhook handler bundle: expected one output file, got ${result.outputFiles.length}`);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "index.js"), file.contents);
  return outDir;
}

function makeDefaultDir(): string {
  defaultDir = fs.mkdtempSync(path.join(os.tmpdir(), "scalr-webhook-handler-"));
  const dir = defaultDir;
  // The asset is copied into cdktf.out during synth, in this process; after that the copy is not needed.
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
