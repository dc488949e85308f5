import { TerraformLocal, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { ValidationContext, fieldError, isToken } from "../../core/validation";
import type { AgentPool } from "./agent-pool";
import type { Environment } from "./environment";
import type { PolicyGroup } from "./policy-group";
import type { ProviderConfiguration } from "./provider-configuration";
import type { Tag } from "./tag";

/**
 * How the Scalr L2 constructs refer to each other. Every reference is either the construct itself
 * (so the kit can check intent: pool kinds, inheritance, sharing) or a Scalr ID / Terraform
 * reference for objects managed elsewhere. Construct types are recognised by a brand symbol
 * rather than `instanceof`, so the construct files do not import each other at run time.
 */

const BRAND = Symbol.for("cdktf-scalr-kit.scalr-kind");

/** The Scalr object kinds the L2 constructs brand themselves with. */
export type ScalrKind = "environment" | "workspace" | "provider-configuration" | "policy-group" | "tag";

/** Marks a construct as a kit construct of `kind`. */
export function brand(construct: IConstruct, kind: ScalrKind): void {
  Object.defineProperty(construct, BRAND, { value: kind, enumerable: false });
}

/** True when `value` is a kit construct of `kind`. */
export function isKind(value: unknown, kind: ScalrKind): boolean {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: string })[BRAND] === kind;
}

/** A zod schema accepting a kit construct of `kind`, or an ID matching `idPattern` (or a Terraform reference). */
export function constructOrId<T extends IConstruct>(kind: ScalrKind, idPattern: RegExp, example: string) {
  const what = kind.replace(/-/g, " ");
  const message = `must be ${/^[aeiou]/.test(what) ? "an" : "a"} ${what} construct or an ID such as "${example}"`;
  return z.custom<T | string>(
    (v) => isKind(v, kind) || isToken(v) || (typeof v === "string" && idPattern.test(v)),
    { error: message },
  );
}

/**
 * ID patterns of the Scalr objects the constructs refer to (prefixes from the provider docs).
 * Storage profiles have none: no source states their ID format, so they are checked for being
 * non-empty only.
 */
export const SCALR_ID = {
  environment: /^env-[A-Za-z0-9]+$/,
  workspace: /^ws-[A-Za-z0-9]+$/,
  agentPool: /^apool-[A-Za-z0-9]+$/,
  providerConfiguration: /^pcfg-[A-Za-z0-9]+$/,
  policyGroup: /^pgrp-[A-Za-z0-9]+$/,
  tag: /^tag-[A-Za-z0-9]+$/,
  vcsProvider: /^vcs-[A-Za-z0-9]+$/,
  moduleVersion: /^modver-[A-Za-z0-9]+$/,
} as const;

/**
 * A construct id derived from a name (Scalr names may hold characters construct ids reserve, such
 * as `/`). Ids derived from names, never from positions, keep every other entry's address when
 * one is added or removed.
 *
 * The mapping is injective, so two names never share an id: `/` becomes `%2F` and `%`, the
 * escape character, becomes `%25`. Every other character is kept, so names without `/` or `%`
 * (the usual ones: letters, digits, `-`, `.`, `_`, `:`) keep the ids they always had.
 */
export function idFromName(prefix: string, name: string): string {
  return `${prefix}-${name.replace(/%/g, "%25").replace(/\//g, "%2F")}`;
}

/** Throws when a literal value appears twice; `key` normalises values before comparing. */
export function checkUnique(
  ctx: ValidationContext,
  field: string,
  values: readonly unknown[],
  key: (v: unknown) => unknown = (v) => v,
  describe: (v: unknown) => unknown = (v) => v,
): void {
  const seen = new Set<unknown>();
  values.forEach((v, i) => {
    if (isToken(v)) return;
    const k = key(v);
    if (seen.has(k)) throw fieldError(ctx, `${field}[${i}]`, "is listed twice", describe(v), { sensitive: false });
    seen.add(k);
  });
}

/**
 * Throws when a secret is given as a literal string: secrets enter the configuration only as
 * references (a sensitive variable, a secret store's data source), so they never sit in the
 * synthesized JSON or in a repository (STYLE 7).
 */
export function requireReference(ctx: ValidationContext, field: string, value: unknown): void {
  if (value !== undefined && !isToken(value)) {
    throw fieldError(
      ctx,
      field,
      "must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration",
      value,
      { sensitive: true },
    );
  }
}

/** Zod schemas of references, by kind. */
export const ref = {
  environment: () => constructOrId<Environment>("environment", SCALR_ID.environment, "env-v0o1example"),
  tag: () => constructOrId<Tag>("tag", SCALR_ID.tag, "tag-v0o1example"),
  policyGroup: () => constructOrId<PolicyGroup>("policy-group", SCALR_ID.policyGroup, "pgrp-v0o1example"),
  providerConfiguration: () => constructOrId<ProviderConfiguration>("provider-configuration", SCALR_ID.providerConfiguration, "pcfg-v0o1example"),
};

/** Identity of a reference for duplicate checks: a construct's path, or the ID itself. */
export function refKey(value: unknown): unknown {
  return Construct.isConstruct(value) ? value.node.path : value;
}

/** Tag IDs of a list of tag references, as `consumer` uses them (see {@link referenceFrom}). */
export function tagIds(tags: readonly (Tag | string)[], consumer?: IConstruct): string[] {
  return tags.map((t) => (isKind(t, "tag") ? (consumer ? referenceFrom(consumer, t as Tag, (t as Tag).tagId) : (t as Tag).tagId) : (t as string)));
}

/** The ID of a provider configuration reference, as `consumer` uses it (see {@link referenceFrom}). */
export function providerConfigurationId(c: ProviderConfiguration | string, consumer?: IConstruct): string {
  if (!isKind(c, "provider-configuration")) return c as string;
  const config = c as ProviderConfiguration;
  return consumer ? referenceFrom(consumer, config, config.providerConfigurationId) : config.providerConfigurationId;
}

const poolIds = new WeakMap<AgentPool, string>();

/**
 * The ID of an AgentPool, made once per pool: `AgentPool.poolId` makes a new Terraform reference on
 * every read, and each reference costs a stack trace in cdktf (and, across stacks, an output
 * lookup at synth) — at thousands of workspaces on one pool that is most of the overhead.
 */
export function agentPoolId(pool: AgentPool): string {
  let id = poolIds.get(pool);
  if (id === undefined) poolIds.set(pool, (id = pool.poolId));
  return id;
}

const localReferences = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * `value`, a reference to an attribute of `owner`, as `consumer` should use it. In the same stack
 * that is `value` itself. From another stack it is a `local` of the consumer's stack holding the
 * cross-stack reference, made once per stack: cdktf builds a cross-stack reference anew (output
 * lookup, remote-state token and stack trace) every time one is resolved, so a thousand workspaces
 * naming one shared environment would cost a thousand of them; through the local it is one.
 */
export function referenceFrom(consumer: IConstruct, owner: IConstruct, value: string): string {
  if (isToken(value) === false) return value;
  const stack = TerraformStack.of(consumer);
  if (stack === TerraformStack.of(owner)) return value;
  let refs = localReferences.get(stack);
  if (!refs) localReferences.set(stack, (refs = new Map()));
  let local = refs.get(value);
  if (local === undefined) {
    const name = `${owner.node.id.replace(/[^A-Za-z0-9_-]/g, "_")}_${owner.node.addr.slice(-8)}`;
    refs.set(value, (local = new TerraformLocal(stack, `cross-stack_${name}`, value).asString));
  }
  return local;
}
