import { KitValidationError, ValidationContext } from "./validation";

/**
 * The package's optional peer dependencies and the ranges it supports (package.json
 * `peerDependencies` with `peerDependenciesMeta.optional`; a test keeps the two equal). Only the
 * constructs that create a provider's resources load it, so a project that uses the Scalr side only
 * installs none of them.
 */
export const OPTIONAL_PEERS = {
  "@cdktf/provider-aws": "^21.0.0",
  "@cdktf/provider-helm": "^12.0.0",
  "@cdktf/provider-kubernetes": "^12.0.0",
} as const;

/** One of {@link OPTIONAL_PEERS}. */
export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/**
 * Runs `load` (a `require` of a module of `peer`) and returns what it loaded. When `peer` is not
 * installed, throws a KitValidationError naming `ctx.subject` and `field` (the prop that needs the
 * provider) and the command that installs it, instead of Node's "Cannot find module".
 */
export function loadOptionalPeer<T>(peer: OptionalPeer, load: () => T, ctx: ValidationContext, field: string): T {
  try {
    return load();
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    const message = e instanceof Error ? e.message : "";
    if (code !== "MODULE_NOT_FOUND" || !(message.includes(`'${peer}/`) || message.includes(`'${peer}'`))) throw e;
    const range = OPTIONAL_PEERS[peer];
    const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
    throw new KitValidationError(ctx.subject, [
      {
        field: `${prefix}${field}`,
        message: `needs the peer dependency ${peer} (${range}), which is not installed: add it to your project with npm install ${peer}@"${range}"`,
        received: `${peer} missing`,
      },
    ]);
  }
}
