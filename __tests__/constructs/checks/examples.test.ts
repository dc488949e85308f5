import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { buildExamplesApp } from "../../../examples/app";
import { KitChecks } from "../../../constructs/checks";

describe("every example passes KitChecks", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-checks-examples-"));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = buildExamplesApp(new App({ outdir }));
  const stacks = app.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  for (const stack of stacks) KitChecks.of(stack);

  test("the examples app has stacks", () => {
    expect(stacks.map((s) => s.node.id)).toEqual(expect.arrayContaining(["agent-pool", "ecs-agent-service", "k8s-agent"]));
  });

  test.each(stacks.map((s) => [s.node.id, s] as const))("%s: no violation, warnings included", (_id, stack) => {
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("the app synthesizes with the checks as validations", () => {
    expect(() => app.synth()).not.toThrow();
  });
});
