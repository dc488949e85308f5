import { Aspects, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { SENSITIVE_SCALR_ATTRIBUTES, SensitiveOutputCheck } from "../../../constructs/scalr/sensitive-outputs";
import { Tag } from "../../../constructs/scalr/tag";
import { scalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

interface Block {
  attributes?: Record<string, { sensitive?: boolean }>;
  block_types?: Record<string, { block: Block }>;
}

function sensitivePaths(block: Block, prefix = ""): string[] {
  const own = Object.entries(block.attributes ?? {})
    .filter(([, a]) => a.sensitive)
    .map(([k]) => `${prefix}${k}`);
  const nested = Object.entries(block.block_types ?? {}).flatMap(([k, b]) => sensitivePaths(b.block, `${prefix}${k}.`));
  return [...own, ...nested];
}

describe("SensitiveOutputCheck", () => {
  test("covers every attribute the provider schema marks sensitive", () => {
    const schema = scalrSchema() as unknown as { resource_schemas: Record<string, { block: Block }>; data_source_schemas: Record<string, { block: Block }> };
    const expected: Record<string, string[]> = {};
    for (const [type, s] of Object.entries(schema.resource_schemas)) {
      const paths = sensitivePaths(s.block);
      if (paths.length > 0) expected[type] = paths;
    }
    for (const [type, s] of Object.entries(schema.data_source_schemas)) {
      const paths = sensitivePaths(s.block);
      if (paths.length > 0) expected[`data.${type}`] = paths;
    }
    for (const [type, paths] of Object.entries(expected)) {
      expect([type, SENSITIVE_SCALR_ATTRIBUTES[type]]).toEqual([type, expect.arrayContaining(paths)]);
    }
  });

  test("is added once per stack by the kit's constructs and checks outputs of other constructs too", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new Tag(stack, "A", { name: "a" });
    new Tag(stack, "B", { name: "b" });
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    new TerraformOutput(stack, "token", { value: pool.tokenValue() });
    expect(messageOf(() => Testing.synth(stack))).toMatch(/^stack\/token: `value` must not show the secret scalr_agent_pool_token\.Pool_Token-default_[0-9A-F]+\.token in an output/);
  });

  test("can be added by hand to a stack without kit constructs", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new TerraformOutput(stack, "marked", { value: "${sensitive(\"x\")}" });
    expect(() => Testing.synth(stack)).not.toThrow();
    const checked = new TerraformStack(Testing.app(), "checked");
    new TerraformOutput(checked, "marked", { value: "${sensitive(\"x\")}" });
    Aspects.of(checked).add(new SensitiveOutputCheck());
    expect(messageOf(() => Testing.synth(checked))).toBe(
      "checked/marked: `value` must not show a value marked sensitive(...) in an output that is not sensitive: set `sensitive: true` on the output, got: a value that holds a secret (hidden)",
    );
  });
});
