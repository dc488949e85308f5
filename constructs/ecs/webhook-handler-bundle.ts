import { ProcessBundle, bundleLambda, lambdaEntry } from "../runtime/lambda-bundle";

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

/** The handler's entry (`agent/serverless/handler`): see {@link lambdaEntry} for where it is looked for. */
export function webhookHandlerEntry(): string {
  return lambdaEntry("serverless", "handler", "webhook handler");
}

const cached = new ProcessBundle("scalr-webhook-handler-", (dir) => bundleLambda(webhookHandlerEntry(), dir, "webhook handler"));

/**
 * Bundles the webhook handler into one minified `index.js` ({@link bundleLambda}: CommonJS,
 * Node.js 22, its own ECS client and zod included, no absolute path, timestamp or source map) and returns its
 * directory, for a `TerraformAsset` of type ARCHIVE with Lambda handler
 * {@link WEBHOOK_HANDLER_LAMBDA_HANDLER}. Without `outDir` the bundle is built once per process and
 * reused (synthesizing many pools costs one build).
 */
export function bundleWebhookHandler(options: WebhookHandlerBundleOptions = {}): string {
  return options.outDir === undefined ? cached.get() : bundleLambda(webhookHandlerEntry(), options.outDir, "webhook handler");
}
