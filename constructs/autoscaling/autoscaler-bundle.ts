import { ProcessBundle, bundleLambda, lambdaEntry } from "../runtime/lambda-bundle";

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

/** The autoscaler's Lambda entry (`agent/autoscaler/lambda`): see {@link lambdaEntry} for where it is looked for. */
export function autoscalerEntry(): string {
  return lambdaEntry("autoscaler", "lambda", "autoscaler");
}

const cached = new ProcessBundle("scalr-autoscaler-", (dir) => bundleLambda(autoscalerEntry(), dir, "autoscaler"));

/**
 * Bundles the autoscaler into one minified `index.js` ({@link bundleLambda}, the same settings as
 * the webhook handler's bundle: its signed AWS calls and zod included, no absolute path, timestamp or
 * source map) and returns its directory, for a `TerraformAsset` of type ARCHIVE with Lambda handler
 * {@link AUTOSCALER_LAMBDA_HANDLER}. Without `outDir` the bundle is built once per process and reused.
 */
export function bundleAutoscaler(options: AutoscalerBundleOptions = {}): string {
  return options.outDir === undefined ? cached.get() : bundleLambda(autoscalerEntry(), options.outDir, "autoscaler");
}
