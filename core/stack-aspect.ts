/**
 * The kit's one aspect per stack. At synthesis cdktf walks every construct of a stack and, for each
 * aspect that applies there, renders the construct's path, copies its aspect list and looks up
 * where the aspect already ran (`invokeAspects` in cdktf 0.21's `lib/synthesize/synthesizer.js`):
 * a cost per construct and per aspect. The kit's per-node passes (the Scalr account ID, the
 * sensitive-output check) share this one aspect, so a stack of thousands of constructs pays once.
 */
import { Aspects, IAspect, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { ConstructState } from "./cdktf-internals";

/** Runs the kit's visitors of one stack on each node, in the order they were added. */
class KitStackAspect implements IAspect {
  public readonly visitors: IAspect[] = [];

  public visit(node: IConstruct): void {
    for (const v of this.visitors) v.visit(node);
  }
}

const ASPECTS = new ConstructState<TerraformStack, KitStackAspect>(
  "core.stack-aspect",
  "The one aspect the kit adds to a stack, which runs the kit's per-node passes (the Scalr account ID, the sensitive-output check)",
);

/** Runs `visitor` on every node of `stack` at synthesis, through the stack's one kit aspect. */
export function addStackVisitor(stack: TerraformStack, visitor: IAspect): void {
  let aspect = ASPECTS.get(stack);
  if (!aspect) {
    aspect = ASPECTS.set(stack, new KitStackAspect());
    Aspects.of(stack).add(aspect);
  }
  aspect.visitors.push(visitor);
}

/** The visitors the kit runs on `stack`'s nodes, in order. */
export function stackVisitors(stack: TerraformStack): readonly IAspect[] {
  return ASPECTS.get(stack)?.visitors ?? [];
}
