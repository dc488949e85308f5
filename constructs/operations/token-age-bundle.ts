import { ProcessBundle, bundleLambda, lambdaEntry } from "../runtime/lambda-bundle";

/** The Lambda `handler` setting for the token-age bundle: file `index.js`, export `handler`. */
export const TOKEN_AGE_LAMBDA_HANDLER = "index.handler";

/** The Lambda runtime the bundle targets (`target: node22`). */
export const TOKEN_AGE_LAMBDA_RUNTIME = "nodejs22.x";

/** The token-age Lambda's entry (`agent/token-age/handler`): see {@link lambdaEntry} for where it is looked for. */
export function tokenAgeEntry(): string {
  return lambdaEntry("token-age", "handler", "token-age Lambda");
}

const cached = new ProcessBundle("scalr-token-age-", (dir) => bundleLambda(tokenAgeEntry(), dir, "token-age Lambda"));

/**
 * Bundles the agent pool's token-age Lambda (agent/token-age/handler.ts) into one minified
 * `index.js` ({@link bundleLambda}) and returns its directory, for a `TerraformAsset` of type ARCHIVE
 * with Lambda handler {@link TOKEN_AGE_LAMBDA_HANDLER}. Without `outDir` the bundle is built once per
 * process and reused. The build's copy step (scripts/copy-handler-source.js) ships the sources of
 * agent/token-age, so an installed package bundles the same bytes.
 */
export function bundleTokenAge(options: { readonly outDir?: string } = {}): string {
  return options.outDir === undefined ? cached.get() : bundleLambda(tokenAgeEntry(), options.outDir, "token-age Lambda");
}
