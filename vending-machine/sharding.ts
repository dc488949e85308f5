/**
 * Where each workspace of a spec lands when the estate is split into several Terraform stacks
 * (`stacks.split`): by environment, or by a stable hash into a fixed number of shards.
 */
import type { ResolvedSpec } from "./spec-schema";

/** The stack a workspace lands in, by split mode (the name suffix after `vending-machine-`). */
export function shardOf(split: ResolvedSpec["stacks"], environment: string, workspace: string): string | undefined {
  if (split.split === "none") return undefined;
  if (split.split === "environment") return stackSuffix(environment);
  return String(fnv1a(`${environment}/${workspace}`) % (split.shards ?? 1));
}

/** A stack-name suffix from an environment name: lowercase letters, digits and '-'. */
export function stackSuffix(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "env";
}

/** 32-bit FNV-1a: a stable hash, so a workspace's shard never depends on other entries. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
