import { App, TerraformStack, TerraformVariable } from "cdktf";
import { describeValue, fieldPath, formatIssue, isToken, KitValidationError } from "../../core/validation";

describe("describeValue", () => {
  test.each([
    [undefined, "", "nothing"],
    [null, "", "null"],
    ["abc", "", '"abc"'],
    [42, "", "42"],
    [NaN, "", "NaN"],
    [true, "", "true"],
    [[1, 2], "", "an array of 2"],
    [{ a: 1 }, "", '{"a":1}'],
    [new Map(), "", "an instance of Map"],
    [() => 1, "", "a function"],
    ["x".repeat(200), "", `"${"x".repeat(78)}…`],
    ["s3cr3t-value", "token", "a plain string of 12 characters (value hidden)"],
    ["s3cr3t-value", "webhook.headers[0].value", "a plain string of 12 characters (value hidden)"],
    [{ password: "p" }, "credentials", "an object (value hidden)"],
  ])("renders %p (field %p) as %p", (value, field, expected) => {
    expect(describeValue(value, field)).toBe(expected);
  });

  test("describes Terraform references instead of printing token strings", () => {
    const stack = new TerraformStack(new App(), "s");
    expect(describeValue(new TerraformVariable(stack, "v", {}).stringValue)).toBe("a Terraform reference");
  });
});

describe("KitValidationError", () => {
  test("formats one line per issue with the subject", () => {
    const e = new KitValidationError("stack/Pool", [
      { field: "name", message: "must not be empty", received: '""' },
      { field: "", message: "must be an object", received: "nothing" },
    ]);
    expect(e.message).toBe('stack/Pool: `name` must not be empty, got: ""\nstack/Pool: must be an object, got: nothing');
    expect(e.name).toBe("KitValidationError");
    expect(formatIssue("x", { field: "a.b", message: "m", received: "r" })).toBe("x: `a.b` m, got: r");
  });

  test("renders field paths", () => {
    expect(fieldPath(["environments", 2, "workspaces", 5, "agentPool"])).toBe("environments[2].workspaces[5].agentPool");
    expect(fieldPath(["extraEnv", "MY-VAR"])).toBe('extraEnv["MY-VAR"]');
  });
});

describe("isToken", () => {
  test("recognizes string, number and list tokens, and the elements of a list token", () => {
    const stack = new TerraformStack(new App(), "s");
    const list = new TerraformVariable(stack, "l", { type: "list(string)" }).listValue;
    const str = new TerraformVariable(stack, "s", { type: "string" }).stringValue;
    const num = new TerraformVariable(stack, "n", { type: "number" }).numberValue;
    expect([isToken(str), isToken(num), isToken(list), isToken(list[0])]).toEqual([true, true, true, true]);
    expect([isToken("#{not a token}"), isToken("subnet-1"), isToken(3)]).toEqual([false, false, false]);
  });
});
