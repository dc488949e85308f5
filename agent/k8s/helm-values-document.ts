import { HelmValues } from "./helm-values-options";
import { terraformJson } from "../../core/terraform-json";

/** Serializes chart values for `helm_release.values`: JSON (a YAML subset), references kept as Terraform expressions. */
export function helmValuesDocument(values: HelmValues): string {
  return terraformJson(values);
}
