import { findSecret } from "../../secrets";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, record } from "../../synthesized-stack";
import { secretContext } from "./secret-sinks";

/** KIT-SEC-2: an output that shows a secret is sensitive. */
export const KIT_SEC_2: KitRule = {
  id: "KIT-SEC-2",
  name: "no-secret-in-plain-output",
  area: "secrets",
  severity: "error",
  description:
    "Outputs that show a secret (the same references as KIT-SEC-1: cross-stack and remote state values, locals followed, any HCL spelling) set `sensitive = true` as a literal; a `sensitive` flag given as a reference cannot be confirmed and is a violation that can be acknowledged. This covers every stack, including those without the Scalr constructs' own SensitiveOutputCheck.",
  rationale: "Plain outputs are printed by `terraform apply`, `terraform output` and CI logs, and exposed through remote state to every reader.",
  source: {
    title: "Terraform: output values, `sensitive`",
    url: "https://developer.hashicorp.com/terraform/language/values/outputs#sensitive-suppressing-values-in-cli-output",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const ctx = secretContext(stack);
    const raw = record(stack.json.output);
    for (const o of stack.outputs()) {
      if (o.sensitive) continue;
      const secret = findSecret(typeof o.value === "string" ? o.value : JSON.stringify(o.value) ?? "", ctx);
      if (!secret) continue;
      const flag = record(raw[o.name]).sensitive;
      const unknown = (typeof flag === "string" && flag.includes("${")) || secret.includes(" could not be confirmed");
      findings.push({
        path: o.path,
        message: unknown
          ? `output ${JSON.stringify(o.name)} shows ${secret}${typeof flag === "string" ? `, and its sensitive flag (${flag}) could not be confirmed at synth time` : ""}: set sensitive = true, or acknowledge KIT-SEC-2 on it with a reason`
          : `output ${JSON.stringify(o.name)} shows ${secret}: set sensitive = true`,
      });
    }
    return findings;
  },
};
