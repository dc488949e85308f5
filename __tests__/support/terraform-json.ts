import { decodeTerraformJson as decode } from "../../core/terraform-json";

/** The kit's runtime decoder of `terraformJson` output, typed loosely for assertions. */
export function decodeTerraformJson(doc: string): any {
  return decode(doc);
}
