/**
 * decodeTerraformJson reads a JSON argument as Terraform will render it, or refuses it: a template
 * directive or an interpolation other than one attribute of a resource, data source or local could
 * make Terraform render another document than the text reads.
 */
import { decodeTerraformJson, terraformJson, tryDecodeTerraformJson } from "../../core/terraform-json";

describe("decodeTerraformJson", () => {
  test("reads literal JSON, jsonencode spans and plain attribute references in strings", () => {
    expect(decodeTerraformJson('{"a":${jsonencode(aws_s3_bucket.b.arn)},"b":"${aws_s3_bucket.b.arn}/*","c":"${data.aws_region.r.name}","d":"${local.x}","e":"${aws_x.y.list[0]}"}')).toEqual({
      a: "<ref:aws_s3_bucket.b.arn>",
      b: "${aws_s3_bucket.b.arn}/*",
      c: "${data.aws_region.r.name}",
      d: "${local.x}",
      e: "${aws_x.y.list[0]}",
    });
  });

  test("reads Terraform's escapes as literal text, as terraformJson writes them", () => {
    const doc = terraformJson({ Resource: "arn:aws:s3:::b/${aws:username}/*", Note: "%{ not a directive }" });
    expect(doc).toContain("$${aws:username}");
    expect(doc).toContain("%%{");
    expect(tryDecodeTerraformJson(doc)).toBeDefined();
  });

  test.each([
    ["a template directive", '{"Action":"*","Sid":"a%{ if false }","Action":"s3:GetObject","Z":"%{ endif }"}'],
    ["a variable inside a string", '{"Sid":"${var.sid}","Action":"s3:GetObject"}'],
    ["a function call inside a string", '{"Sid":"${lower(var.sid)}"}'],
    ["a conditional inside a string", '{"Sid":"${var.a ? "x" : "y"}"}'],
    ["a directive after a jsonencode span", '{"a":${jsonencode(aws_x.y.z)},"b":"%{ for x in var.l }${x}%{ endfor }"}'],
  ])("refuses %s", (_what, doc) => {
    expect(() => decodeTerraformJson(doc)).toThrow(SyntaxError);
    expect(tryDecodeTerraformJson(doc)).toBeUndefined();
  });
});
