import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, DataResource, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { ValidateBinaryVersion } from "cdktf/lib/validations/validate-binary-version";
import { Construct } from "constructs";
import { ConstructState, constructStateSlots, handOverResolved, onStackSynthesis, resolveTokens, withoutTerraformVersionCheck } from "../../core/cdktf-internals";

// Pins the CDKTF behaviour the kit relies on beyond its public API: if an upgrade changes any of
// it, these tests fail here rather than a construct failing somewhere else.
describe("cdktf internals the kit relies on", () => {
  test("resolveTokens resolves a reference as toTerraform writes it", () => {
    const stack = new TerraformStack(new App(), "s");
    const v = new TerraformVariable(stack, "region", { type: "string" });
    expect(resolveTokens(stack, { region: v.stringValue, list: [v.stringValue, "x"] })).toEqual({ region: "${var.region}", list: ["${var.region}", "x"] });
  });

  test("a DataResource checks the synth machine's Terraform, and withoutTerraformVersionCheck removes that check only", () => {
    const stack = new TerraformStack(new App(), "s");
    // cdktf's check, as it would answer on a machine without a Terraform binary.
    const check = jest.spyOn(ValidateBinaryVersion.prototype, "validate").mockReturnValue(["Could not determine version of terraform"]);
    try {
      const plain = new DataResource(stack, "Plain", { input: { a: 1 } });
      expect(plain.node.validate()).toEqual(["Could not determine version of terraform"]);
      const guarded = new DataResource(stack, "Guarded", { input: { a: 1 } });
      guarded.node.addValidation({ validate: () => ["the construct's own"] });
      expect(withoutTerraformVersionCheck(guarded)).toBe(guarded);
      expect(guarded.node.validate()).toEqual(["the construct's own"]);
      expect(check).toHaveBeenCalledTimes(1);
    } finally {
      check.mockRestore();
    }
  });

  test("handOverResolved returns the handed result once, then resolves afresh", () => {
    const stack = new TerraformStack(new App(), "s");
    new TerraformOutput(stack, "out", { value: "v" });
    const fresh = stack.toTerraform();
    const handed = { handed: true };
    handOverResolved(stack, handed);
    expect(stack.toTerraform()).toBe(handed);
    expect(stack.toTerraform()).toEqual(fresh);
    handOverResolved(stack, handed);
    expect(stack.toTerraform()).toBe(handed);
  });

  test("TerraformStack.toTerraform is an own-instance-overridable method cdktf's synthesizer calls", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-internals-"));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "s");
    new TerraformOutput(stack, "out", { value: "real" });
    let calls = 0;
    const original = stack.toTerraform.bind(stack);
    Object.defineProperty(stack, "toTerraform", { configurable: true, writable: true, value: () => (calls++, original()) });
    try {
      app.synth();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    expect(calls).toBeGreaterThan(0);
  });

  test("onStackSynthesis calls back at synth with the stack's folder in the output directory", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-internals-"));
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "written");
      new TerraformOutput(stack, "out", { value: "v" });
      const seen: string[] = [];
      onStackSynthesis(new Construct(stack, "Writer"), (dir) => {
        seen.push(dir);
        fs.writeFileSync(path.join(dir, "extra.txt"), "x");
      });
      app.synth();
      expect(seen).toEqual([path.join(outdir, "stacks", "written")]);
      expect(fs.readFileSync(path.join(outdir, "stacks", "written", "extra.txt"), "utf8")).toBe("x");
      expect(fs.existsSync(path.join(outdir, "stacks", "written", "cdk.tf.json"))).toBe(true);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("ConstructState keeps a value per construct and lists its slot by name", () => {
    const slot = new ConstructState<TerraformStack, number>("test.counter", "a number per stack, for this test");
    const app = new App();
    const a = new TerraformStack(app, "a");
    const b = new TerraformStack(app, "b");
    expect(slot.getOrCreate(a, () => 1)).toBe(1);
    expect(slot.getOrCreate(a, () => 2)).toBe(1);
    expect(slot.get(b)).toBeUndefined();
    expect(slot.has(a)).toBe(true);
    expect(constructStateSlots()).toContainEqual({ name: "test.counter", description: "a number per stack, for this test" });
  });
});
