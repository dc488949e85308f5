/**
 * Everything the kit relies on that CDKTF does not offer as public API, in one place, each pinned
 * by a test in `__tests__/core/cdktf-internals.test.ts` so an upgrade of CDKTF (or a move to CDK
 * Terrain) fails there, loudly, instead of somewhere in a construct:
 *
 * - {@link resolveTokens}: cdktf's token resolver, which `TerraformStack.toTerraform` uses. cdktf
 *   exports no public resolver; its module `cdktf/lib/_tokens` is private.
 * - {@link handOverResolved}: a resolved stack handed to the next `toTerraform()` call, once, so
 *   synthesis does not resolve again what KitChecks has just resolved (a quarter of the synth time
 *   of a 10,000-workspace vending machine). It replaces `toTerraform` on the stack instance.
 * - {@link onStackSynthesis}: a callback at synth with the stack's folder in `cdktf.out`, through
 *   cdktf's `addCustomSynthesis` (how `TerraformAsset` writes its files), which the package root
 *   does not export.
 * - {@link withoutTerraformVersionCheck}: a `DataResource` (`terraform_data`) without the validation
 *   cdktf adds to it, which runs `terraform version` on the synth machine. constructs keeps a node's
 *   validations in its private `_validations` and offers no way to remove one.
 * - {@link ConstructState}: kit state attached to constructs (per-stack caches and registries).
 *   Constructs have no place for a library's private data, so it lives in weak maps keyed by the
 *   construct: it dies with the construct tree and never leaks between two apps in one process.
 *   Every slot is registered under a name ({@link constructStateSlots}) so they are all visible here.
 */
import * as path from "path";
import { TerraformStack } from "cdktf";
// cdktf 0.21's private resolver module (pinned by the test named above).
import { resolve } from "cdktf/lib/_tokens";
// cdktf 0.21's custom synthesis hook (not exported by the package root).
import { addCustomSynthesis } from "cdktf/lib/synthesize/synthesizer";
// cdktf 0.21's validation of the local Terraform binary's version (not exported by the package root).
import { ValidateTerraformVersion } from "cdktf/lib/validations/validate-terraform-version";
import { IConstruct } from "constructs";

/** Resolves every token in `value` as `TerraformStack.toTerraform` does, in the context of `stack`. */
export function resolveTokens(stack: TerraformStack, value: unknown): unknown {
  return resolve(stack, value) as unknown;
}

/**
 * Calls `write` when `construct`'s stack is synthesized into a folder (`cdktf synth`, `app.synth()`,
 * `Testing.fullSynthScope`), with that folder: `cdktf.out/stacks/<stack>`. One callback per
 * construct (cdktf keeps one custom synthesis per construct).
 */
export function onStackSynthesis(construct: IConstruct, write: (stackDirectory: string) => void): void {
  const stack = TerraformStack.of(construct);
  addCustomSynthesis(construct, {
    onSynthesize: (session) => write(path.join(session.outdir, session.manifest.forStack(stack).workingDirectory)),
  });
}

/**
 * `resource` without the validation cdktf's `DataResource` (`terraform_data`) adds to itself
 * (`lib/terraform-data-resource.js`, cdktf 0.21): at every synth it runs `terraform version` on the
 * synth machine, a process per resource, and fails the synth where no Terraform binary is
 * installed, as in a Node.js-only CI job. The Terraform that plans the stack is the one of its
 * workspace (in Scalr, or in CI), which the kit needs at 1.5 or later anyway (check blocks); the
 * synth machine's says nothing of it. The construct's other validations stay.
 */
export function withoutTerraformVersionCheck<T extends IConstruct>(resource: T): T {
  const node = resource.node as unknown as { _validations?: unknown };
  if (Array.isArray(node._validations)) node._validations = node._validations.filter((v) => !(v instanceof ValidateTerraformVersion));
  return resource;
}

/** The slot of each stack whose `toTerraform` hands over a resolved result. */
const RESOLVED = new WeakMap<TerraformStack, Readonly<Record<string, unknown>>>();
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Makes the next `stack.toTerraform()` call return `json` (what a validation just resolved, with
 * nothing changed since) instead of resolving the stack again; any later call resolves afresh.
 */
export function handOverResolved(stack: TerraformStack, json: Readonly<Record<string, unknown>>): void {
  if (!RESOLVED.has(stack)) {
    const resolveStack = stack.toTerraform.bind(stack);
    Object.defineProperty(stack, "toTerraform", {
      configurable: true,
      writable: true,
      value: () => {
        const handed = RESOLVED.get(stack);
        RESOLVED.set(stack, EMPTY);
        return handed !== undefined && handed !== EMPTY ? handed : resolveStack();
      },
    });
  }
  RESOLVED.set(stack, json);
}

const SLOTS: { readonly name: string; readonly description: string }[] = [];

/**
 * Private kit state attached to constructs of type `K`. Declare one per concern at module level,
 * with a name and a sentence saying what it holds.
 */
export class ConstructState<K extends IConstruct, V> {
  private readonly values = new WeakMap<K, V>();

  public constructor(
    public readonly name: string,
    public readonly description: string,
  ) {
    SLOTS.push({ name, description });
  }

  /** The value attached to `key`, if any. */
  public get(key: K): V | undefined {
    return this.values.get(key);
  }

  /** True when `key` has a value. */
  public has(key: K): boolean {
    return this.values.has(key);
  }

  /** Attaches `value` to `key` and returns it. */
  public set(key: K, value: V): V {
    this.values.set(key, value);
    return value;
  }

  /** The value attached to `key`, made by `create` on first use. */
  public getOrCreate(key: K, create: () => V): V {
    const existing = this.values.get(key);
    return existing !== undefined || this.values.has(key) ? (existing as V) : this.set(key, create());
  }
}

/** Every {@link ConstructState} slot declared by the modules loaded so far. */
export function constructStateSlots(): readonly { readonly name: string; readonly description: string }[] {
  return [...SLOTS];
}
