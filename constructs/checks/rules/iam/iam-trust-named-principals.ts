import { iamStatements, unknownValuesMessage, unreadablePolicies, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";

/** KIT-IAM-3: trust policies name who may assume the role. */
export const KIT_IAM_3: KitRule = {
  id: "KIT-IAM-3",
  name: "iam-trust-named-principals",
  area: "iam",
  severity: "error",
  description:
    'Trust policies (`aws_iam_role.assume_role_policy`, and `aws_iam_policy_document` statements with principals and no resources, composed documents included) do not Allow `"Principal": "*"`, `{"AWS": "*"}` or `NotPrincipal`; principals known only at apply time (a variable) and a trust policy that cannot be read at synth time (`Fn.jsonencode({…})`, `file(…)`) are violations: their principals cannot be confirmed.',
  rationale:
    "A role any AWS principal may assume hands the agent's permissions (its token secret, RunTask, PassRole) to every AWS account; conditions on such a statement are easy to get wrong and hard to review.",
  source: {
    title: "AWS: IAM JSON policy elements, Principal",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const p of unreadablePolicies(stack)) {
      if (p.trust !== false) findings.push({ path: p.path, message: unreadablePolicyMessage(p, "KIT-IAM-3", "the trusted principals") });
    }
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow" || !s.trust) continue;
      if (s.anyPrincipal) findings.push({ path: s.path, message: `${s.where} must name the principals it trusts, not any principal ("*"): name the service, account or role` });
      else if (s.unknownPrincipals.length > 0) findings.push({ path: s.path, message: unknownValuesMessage(s.where, s.unknownPrincipals, "KIT-IAM-3", "the trusted principals") });
    }
    return findings;
  },
};
