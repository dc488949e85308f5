import { IamCondition, iamStatements, isStarResource, isUnknownValue, isWildcardArn, unknownValuesMessage, unreadablePolicies, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";
import { CONDITION_SCOPED_STAR_ACTIONS, RESOURCE_STAR_ONLY_ACTIONS } from "./star-resource-actions";

const STAR_ONLY = new Set(RESOURCE_STAR_ONLY_ACTIONS.map((a) => a.toLowerCase()));

const CONDITION_SCOPED = new Map(Object.entries(CONDITION_SCOPED_STAR_ACTIONS).map(([a, k]) => [a.toLowerCase(), k.toLowerCase()]));

/** KIT-IAM-2: IAM grants name their resources. */
export const KIT_IAM_2: KitRule = {
  id: "KIT-IAM-2",
  name: "iam-scoped-resources",
  area: "iam",
  severity: "error",
  description:
    "Allow statements name their resources (ARNs, or ARN patterns such as `<log-group-arn>:*`): no `\"Resource\": \"*\"` (nor `**`, `arn:aws:*` or another pattern that matches every ARN), no ARN whose account and resource are wildcards (`arn:aws:secretsmanager:*:*:secret:*`, `secret:**`, `secret:*-??????`; IAM reads `?` as one character) and no `NotResource`, except for statements whose every action AWS grants only on `*` (RESOURCE_STAR_ONLY_ACTIONS: ecr:GetAuthorizationToken, sts:GetCallerIdentity, EC2/Auto Scaling describe calls, …) or is scoped by its condition key (CONDITION_SCOPED_STAR_ACTIONS: `ecs:ListTasks` with `ecs:cluster`). Resources known only at apply time (a variable, another stack's output) and a policy that cannot be read at synth time (`Fn.jsonencode({…})`, `file(…)`) are violations: their resources cannot be confirmed.",
  rationale: "`Resource: \"*\"` lets the agent (and every run) read every secret or start every task the action allows, not just its own token secret or task definition.",
  source: {
    title: "AWS: Service Authorization Reference (resource types and condition keys per action)",
    url: "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const p of unreadablePolicies(stack)) {
      if (p.trust !== true) findings.push({ path: p.path, message: unreadablePolicyMessage(p, "KIT-IAM-2", "named resources") });
    }
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow" || s.trust) continue;
      if (s.notResources.length > 0) {
        findings.push({ path: s.path, message: `${s.where} must not Allow with NotResource: it grants every other resource` });
        continue;
      }
      const unknown = s.resources.filter(isUnknownValue);
      if (unknown.length > 0) findings.push({ path: s.path, message: unknownValuesMessage(s.where, unknown, "KIT-IAM-2", "named resources") });
      const star = s.resources.filter((r) => !unknown.includes(r) && isStarResource(r));
      const wildcardArns = s.resources.filter((r) => !unknown.includes(r) && !star.includes(r) && isWildcardArn(r));
      if (wildcardArns.length > 0) {
        findings.push({
          path: s.path,
          message: `${s.where} must name its resources, not ${wildcardArns.map((a) => JSON.stringify(a)).join(", ")} (account and resource all wildcards: every resource of the type)`,
        });
      }
      if (star.length === 0) continue;
      const scoped = s.actions.filter((a) => !STAR_ONLY.has(a.toLowerCase()) && !conditionScoped(a, s.conditions));
      if (scoped.length > 0 || s.actions.length === 0) {
        findings.push({
          path: s.path,
          message: `${s.where} must name its resources instead of ${star.map((r) => JSON.stringify(r)).join(", ")} for ${scoped.map((a) => JSON.stringify(a)).join(", ") || "its actions"} (only actions AWS grants on "*" alone may use it; put them in a statement of their own)`,
        });
      }
    }
    return findings;
  },
};

/**
 * An action allowed on `*` because the statement tests the condition key that scopes it, positively
 * (not `…IfExists`, not negated) and with values that are neither wildcards nor variables.
 */
function conditionScoped(action: string, conditions: readonly IamCondition[]): boolean {
  const key = CONDITION_SCOPED.get(action.toLowerCase());
  return (
    key !== undefined &&
    conditions.some(
      (c) =>
        c.key === key &&
        /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/i.test(c.operator) &&
        c.values.length > 0 &&
        c.values.every((v) => !isUnknownValue(v) && !isStarResource(v) && !isWildcardArn(v) && !/^[*?]*$/.test(v.trim())),
    )
  );
}
