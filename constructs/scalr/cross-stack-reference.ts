import { TerraformLocal, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { ConstructState } from "../../core/cdktf-internals";
import { isToken } from "../../core/validation";

/**
 * The local of a consumer's stack that holds a cross-stack reference to one attribute of another
 * stack's construct (its ID). It keeps the reference it makes, so reading it costs nothing.
 */
class CrossStackReference extends TerraformLocal {
  /** `local.<name>`, made once. */
  public readonly reference: string;

  public constructor(
    stack: TerraformStack,
    id: string,
    /** The owner's attribute the local holds. */
    public readonly held: string,
  ) {
    super(stack, id, held);
    this.reference = this.asString;
  }
}

/**
 * `value`, a reference to an attribute of `owner` (its ID: one attribute per owner), as `consumer`
 * should use it. In the same stack that is `value` itself. From another stack it is a `local` of
 * the consumer's stack holding the cross-stack reference, made once per stack and found again in
 * the construct tree: cdktf builds a cross-stack reference anew (output lookup, remote-state token
 * and stack trace) every time one is resolved, so a thousand workspaces naming one shared
 * environment would cost a thousand of them; through the local it is one.
 */
export function referenceFrom(consumer: IConstruct, owner: IConstruct, value: string): string {
  if (isToken(value) === false) return value;
  // A construct's own child (a workspace's variable) is in its stack: no stack to look up.
  if (consumer.node.scope === owner && !TerraformStack.isStack(consumer)) return value;
  const stack = TerraformStack.of(consumer);
  if (stack === TerraformStack.of(owner)) return value;
  // Thousands of workspaces reference one environment: the local is found by its owner, without
  // building its id and searching the stack's children each time.
  const existing = crossStackReferences.get(stack)?.get(owner) ?? localFor(stack, owner, value);
  if (existing.held !== value) throw new Error(`${owner.node.path}: a cross-stack reference from ${stack.node.path} already holds another attribute of it`);
  return existing.reference;
}

/**
 * The local of `stack` that holds `value`, the attribute of `owner`: found in the stack or made,
 * and recorded by owner. Apart from {@link referenceFrom}, which calls it once per stack and owner.
 */
function localFor(stack: TerraformStack, owner: IConstruct, value: string): CrossStackReference {
  const id = `cross-stack_${owner.node.id.replace(/[^A-Za-z0-9_-]/g, "_")}_${owner.node.addr.slice(-8)}`;
  const existing = stack.node.tryFindChild(id) ?? new CrossStackReference(stack, id, value);
  if (!(existing instanceof CrossStackReference)) throw new Error(`${owner.node.path}: ${existing.node.path} is taken by a construct that is not a cross-stack reference`);
  crossStackReferences.getOrCreate(stack, () => new Map()).set(owner, existing);
  return existing;
}

/** The cross-stack reference locals of each consumer stack, by the construct they refer to. */
const crossStackReferences = new ConstructState<TerraformStack, Map<IConstruct, CrossStackReference>>(
  "scalr.cross-stack-references",
  "The cross-stack reference locals of a consumer stack, by the construct (in another stack) whose ID each holds",
);
