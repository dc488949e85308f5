import { z } from "zod";
import { intInRange, tokenOr } from "../../core/validation";

// Building blocks of the kit's model of each chart's values (see each chart's module). A model
// lists every top-level key (and every `agent` key) of the chart's values.yaml, so a typo in
// `extraValues` fails instead of being ignored by Helm, with types for the values the kit or the
// chart's values.schema.json constrain (docs/decisions/0004-helm-values-from-agent-settings.md).

/**
 * A key the model knows but does not type: optional, as every key of values.yaml is (zod 4.4+ makes a
 * bare `z.unknown()` key required: https://github.com/colinhacks/zod/pull/6388).
 */
const anyValue = z.unknown().optional();
export const bool = z.boolean();
export const obj = z.record(z.string(), z.unknown());
export const stringMap = z.record(z.string(), tokenOr(z.string()));
export const int = (min: number) => intInRange(min, 2147483647);

/** The chart's `token` value: never set, the token comes from a Secret. */
export const noToken = z
  .unknown()
  .refine((v) => v === undefined, {
    error: "must not be set: the token is read from a Kubernetes Secret, never from Helm values",
    abort: true,
  })
  .optional();

const noClientKey = z
  .unknown()
  .refine((v) => v === undefined, {
    error: "must not be set: a private key in values is stored in the release in plain text; use `clientCertSecret`",
    abort: true,
  })
  .optional();

/** The charts' `tls` block, without `clientKey`. */
export const tls = z.looseObject({ clientKey: noClientKey });

/** Keys the model knows but does not type. */
export const keys = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, anyValue]));
