import { TerraformStack, Testing } from "cdktf";
import { Tag, TagProps } from "../../../constructs/scalr/tag";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { Tag as ScalrTag } from "../../../providers/scalr/generated/providers/scalr/tag";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

describe("Tag", () => {
  test("an account tag with its name", () => {
    const stack = newStack();
    const tag = new Tag(stack, "Team", { name: "team:payments" });
    expect(tag.tagName).toBe("team:payments");
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrTag, { name: "team:payments" });
    expect(checkAgainstScalrSchema(JSON.parse(out))).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ["the name is empty", { name: "" }, 'stack/Tag: `name` must not be empty, got: ""'],
    ["the name is missing", {}, "stack/Tag: `name` is required, got: nothing"],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new Tag(newStack(), "Tag", props as TagProps))).toBe(expected);
  });
});
