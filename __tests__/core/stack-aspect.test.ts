/**
 * The kit's one aspect per stack: visitors added to a stack run on every node of it at synthesis,
 * in the order they were added, through a single cdktf aspect (cdktf's aspect walk costs per
 * construct and per aspect).
 */
import { Aspects, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { addStackVisitor, stackVisitors } from "../../core/stack-aspect";

test("visitors run on every node of their stack only, in order, through one aspect", () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "a");
  const other = new TerraformStack(app, "b");
  new TerraformOutput(new Construct(stack, "Group"), "out", { value: "x" });
  new TerraformOutput(other, "elsewhere", { value: "y" });
  const seen: string[] = [];
  const visitor = (tag: string) => ({ visit: (node: IConstruct) => void seen.push(`${tag}:${node.node.path}`) });
  addStackVisitor(stack, visitor("first"));
  addStackVisitor(stack, visitor("second"));
  expect(Aspects.of(stack).all).toHaveLength(1);
  expect(stackVisitors(stack)).toHaveLength(2);
  expect(stackVisitors(other)).toEqual([]);
  Testing.synth(stack);
  expect(seen).toEqual(["first:a", "second:a", "first:a/Group", "second:a/Group", "first:a/Group/out", "second:a/Group/out"]);
});
