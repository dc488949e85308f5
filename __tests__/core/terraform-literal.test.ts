import { App, TerraformStack, TerraformVariable } from "cdktf";
import { hasTemplateSequence, terraformLiteral, terraformLiterals, terraformText } from "../../core/terraform-literal";

describe("terraformLiteral", () => {
  test("escapes interpolations and directives, and nothing else", () => {
    expect(terraformLiteral("a ${var.x} %{ if true }b%{ endif } c")).toBe("a $${var.x} %%{ if true }b%%{ endif } c");
    expect(terraformLiteral("plain {braces} and $ signs")).toBe("plain {braces} and $ signs");
    expect(terraformLiteral("no braces at all")).toBe("no braces at all");
  });

  test("leaves cdktf tokens to be resolved", () => {
    const stack = new TerraformStack(new App({ stackTraces: false }), "s");
    const ref = new TerraformVariable(stack, "v", { type: "string" }).stringValue;
    expect(terraformLiteral(`x-${ref}-\${y}`)).toBe(`x-${ref}-$\${y}`);
  });

  test("gives what the two replacements give for any mix of tokens, sequences and braces (its shortcuts change no answer)", () => {
    const stack = new TerraformStack(new App({ stackTraces: false }), "s");
    const ref = new TerraformVariable(stack, "v", { type: "string" }).stringValue;
    const parts = ["${", "%{", "TfToken[", "{", "$", "%", "}", "x", ref, "#{TfToken[TOKEN.1]}"];
    const replaced = (t: string) => t.replace(/\$\{(?!TfToken\[)/g, "$$${").replace(/%\{/g, "%%{");
    let n = 0;
    // Every string of up to three parts.
    const texts = [""];
    for (let len = 0; len < 3; len++) for (const t of texts.slice()) for (const p of parts) texts.push(t + p);
    for (const t of texts) {
      expect(terraformLiteral(t)).toBe(replaced(t));
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    expect(terraformLiteral(`${ref}${ref}`)).toBe(`${ref}${ref}`);
  });

  test("terraformText reverses it", () => {
    const text = "a ${var.x} %{ if true }b%{ endif }";
    expect(terraformText(terraformLiteral(text))).toBe(text);
    expect(hasTemplateSequence(text)).toBe(true);
    expect(hasTemplateSequence("no template")).toBe(false);
  });
});

describe("terraformLiterals", () => {
  test("escapes every string and key of plain data, arrays included", () => {
    expect(terraformLiterals({ a: "${x}", "${k}": ["%{y}", 1, true, null], n: { m: "z" } })).toEqual({ a: "$${x}", "$${k}": ["%%{y}", 1, true, null], n: { m: "z" } });
  });

  test('keeps a "__proto__" key as a key, and the result a plain object', () => {
    const out = terraformLiterals(JSON.parse('{"__proto__": "${x}", "a": "b"}') as Record<string, unknown>);
    expect(Object.keys(out)).toEqual(["__proto__", "a"]);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toBe("$${x}");
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  test("passes objects that are not plain data through untouched", () => {
    const date = new Date(0);
    expect(terraformLiterals({ d: date }).d).toBe(date);
  });
});
