import { iamStatements, unreadablePolicies, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";

/** AWS managed policies that grant `*` actions. */
const BROAD_MANAGED_POLICIES = /^arn:aws[a-z-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;

/** KIT-IAM-1: IAM grants name their actions. */
export const KIT_IAM_1: KitRule = {
  id: "KIT-IAM-1",
  name: "iam-no-wildcard-actions",
  area: "iam",
  severity: "error",
  description:
    "Allow statements (policies, inline policies, trust policies, `aws_iam_policy_document`) list their actions without `*` and do not use `NotAction`; roles do not attach AdministratorAccess, PowerUserAccess or IAMFullAccess. A policy that cannot be read at synth time (e.g. `Fn.jsonencode`, which synthesizes to HCL) is a violation too.",
  rationale: "The agent's roles are reachable from every run it executes; a wildcard grants whatever AWS adds to the service later, and least privilege is what keeps a compromised run contained.",
  source: {
    title: "AWS: IAM security best practices, grant least privilege",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow") continue;
      const wild = s.actions.filter((a) => a.includes("*"));
      if (wild.length > 0) findings.push({ path: s.path, message: `${s.where} must name its actions, not ${wild.map((a) => JSON.stringify(a)).join(", ")}` });
      if (s.notActions.length > 0) findings.push({ path: s.path, message: `${s.where} must not Allow with NotAction: it grants every other action` });
    }
    for (const p of unreadablePolicies(stack)) findings.push({ path: p.path, message: unreadablePolicyMessage(p, "KIT-IAM-1", "named actions") });
    for (const r of stack.resources("aws_iam_role_policy_attachment", "aws_iam_policy_attachment")) {
      const arn = r.body.policy_arn;
      if (typeof arn === "string" && BROAD_MANAGED_POLICIES.test(arn)) findings.push({ path: r.path, message: `${r.type} must not attach ${arn}: it grants * actions` });
    }
    // Resources attaching a list of policies: the role's own list and the exclusive attachment set
    // (ProviderConfiguration's `managedPolicyArns` becomes the latter).
    const lists = [
      ["aws_iam_role", "managed_policy_arns"],
      ["aws_iam_role_policy_attachments_exclusive", "policy_arns"],
    ] as const;
    for (const [type, field] of lists) {
      for (const r of stack.resources(type)) {
        const arns: unknown[] = Array.isArray(r.body[field]) ? (r.body[field] as unknown[]) : [];
        for (const arn of arns) {
          if (typeof arn === "string" && BROAD_MANAGED_POLICIES.test(arn)) findings.push({ path: r.path, message: `${type} must not attach ${arn}: it grants * actions` });
        }
      }
    }
    return findings;
  },
};
