import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";

/** KIT-SEC-2: an output that shows a secret is sensitive. */
export const KIT_SEC_2: KitRule = {
  id: "KIT-SEC-2",
  name: "no-secret-in-plain-output",
  area: "secrets",
  severity: "error",
  description:
    "Outputs that show a secret (the same references as KIT-SEC-1) set `sensitive = true`. This covers every stack, including those without the Scalr constructs' own SensitiveOutputCheck.",
  rationale: "Plain outputs are printed by `terraform apply`, `terraform output` and CI logs, and exposed through remote state to every reader.",
  source: {
    title: "Terraform: output values, `sensitive`",
    url: "https://developer.hashicorp.com/terraform/language/values/outputs#sensitive-suppressing-values-in-cli-output",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const o of stack.outputs()) {
      if (o.sensitive) continue;
      const secret = stack.findSecret(o.value);
      if (secret) findings.push({ path: o.path, message: `output ${JSON.stringify(o.name)} shows ${secret}: set sensitive = true` });
    }
    return findings;
  },
};
