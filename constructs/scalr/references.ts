import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { SCALR_ID } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { isToken } from "../../core/validation";
import { referenceFrom } from "./cross-stack-reference";
import type { IAgentPool, IEnvironment, IPolicyGroup, IProviderConfiguration, ITag, IWorkspace } from "./interfaces";

/**
 * How the Scalr L2 constructs refer to each other. Every reference is either the construct itself
 * (so the kit can check intent: pool kinds, inheritance, sharing) or a Scalr ID / Terraform
 * reference for objects managed elsewhere. Construct types are recognised by a brand symbol
 * rather than `instanceof`, so the construct files do not import each other at run time.
 */

const BRAND = Symbol.for("cdktf-scalr-kit.scalr-kind");

/** The Scalr object kinds the L2 constructs brand themselves with. */
export type ScalrKind = "agent-pool" | "environment" | "workspace" | "provider-configuration" | "policy-group" | "tag";

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

/**
 * Reports every entry of `values` that repeats an earlier one (literal values only; `key`
 * normalises values before comparing; entries that already have a problem are left out). Run it in
 * an `issues.rule` that reads `field`.
 */
export function checkUnique(
  issues: IssueCollector,
  field: string,
  values: readonly unknown[],
  key: (v: unknown) => unknown = (v) => v,
  describe: (v: unknown) => unknown = (v) => v,
): void {
  const seen = new Set<unknown>();
  values.forEach((v, i) => {
    if (isToken(v) || (!issues.ok && issues.has(`${field}[${i}]`))) return;
    const k = key(v);
    if (seen.has(k)) issues.add(`${field}[${i}]`, "is listed twice", describe(v), { sensitive: false });
    seen.add(k);
  });
}

/**
 * Reports a secret given as a literal string: secrets enter the configuration only as references
 * (a sensitive variable, a secret store's data source), so they never sit in the synthesized JSON
 * or in a repository (docs/secrets-and-state.md).
 */
export function requireReference(issues: IssueCollector, field: string, value: unknown): void {
  if (value !== undefined && !isToken(value)) {
    issues.add(
      field,
      "must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration",
      value,
      { sensitive: true },
    );
  }
}

/** Zod schemas of references, by kind. */
export const ref = {
  agentPool: () =>
    z.custom<IAgentPool | string>((v) => isKind(v, "agent-pool") || isToken(v) || (typeof v === "string" && SCALR_ID.agentPool.test(v)), {
      error: 'must be an AgentPool or an agent pool ID such as "apool-v0o1example"',
    }),
  environment: () => constructOrId<IEnvironment>("environment", SCALR_ID.environment, "env-v0o1example"),
  workspace: () => constructOrId<IWorkspace>("workspace", SCALR_ID.workspace, "ws-v0o1example"),
  tag: () => constructOrId<ITag>("tag", SCALR_ID.tag, "tag-v0o1example"),
  policyGroup: () => constructOrId<IPolicyGroup>("policy-group", SCALR_ID.policyGroup, "pgrp-v0o1example"),
  providerConfiguration: () => constructOrId<IProviderConfiguration>("provider-configuration", SCALR_ID.providerConfiguration, "pcfg-v0o1example"),
};

/** Identity of a reference for duplicate checks: a construct's path, or the ID itself. */
export function refKey(value: unknown): unknown {
  return Construct.isConstruct(value) ? value.node.path : value;
}

/** Tag IDs of a list of tag references, as `consumer` uses them (see {@link referenceFrom}). */
export function tagIds(tags: readonly (ITag | string)[], consumer?: IConstruct): string[] {
  return tags.map((t) => (isKind(t, "tag") ? (consumer ? referenceFrom(consumer, t as ITag, (t as ITag).tagId) : (t as ITag).tagId) : (t as string)));
}

/** The ID of a provider configuration reference, as `consumer` uses it (see {@link referenceFrom}). */
export function providerConfigurationId(c: IProviderConfiguration | string, consumer?: IConstruct): string {
  if (!isKind(c, "provider-configuration")) return c as string;
  const config = c as IProviderConfiguration;
  return consumer ? referenceFrom(consumer, config, config.providerConfigurationId) : config.providerConfigurationId;
}
