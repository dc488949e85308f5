import { Fn } from "cdktf";
import { isToken } from "./validation";

/**
 * Serializes a value to a JSON string for a Terraform argument (IAM policies, container
 * definitions, Helm values). Terraform references inside become `${jsonencode(<expr>)}`, so a
 * referenced value is quoted and escaped by Terraform itself and can never break the JSON.
 */
export function terraformJson(value: unknown): string {
  const tokens: unknown[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if ((typeof v === "string" || typeof v === "number") && isToken(v)) {
      tokens.push(v);
      return `@@kit-token-${tokens.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@kit-token-(\d+)@@"/g, (_m, i: string) => Fn.jsonencode(tokens[Number(i)]));
}
