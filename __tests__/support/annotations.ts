import { IConstruct } from "constructs";

/** Every warning annotation (`Annotations.of(c).addWarning`) of `root` and the constructs below it. */
export function warningsOf(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === "@cdktf/warn")
    .map((m) => String(m.data));
}
