import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { helmValuesDocument } from "../../../agent/k8s";
import { decodeTerraformJson } from "../../support/terraform-json";
import { minimal, render } from "./fixtures";

describe("helmValuesDocument", () => {
  test("references stay Terraform expressions in the values document", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const url = new TerraformVariable(stack, "scalr_url", { type: "string" });
    const values = render({ chart: "agent-local", settings: { ...minimal, scalrUrl: url.stringValue } });
    const doc = helmValuesDocument(values);
    new TerraformVariable(stack, "probe", { type: "string", default: doc });
    const synthesized: string = JSON.parse(Testing.synth(stack)).variable.probe.default;
    expect(synthesized).toContain('"url":${jsonencode(var.scalr_url)}');
    expect(decodeTerraformJson(synthesized)).toMatchObject({ agent: { url: "<ref:var.scalr_url>" } });
  });
});
