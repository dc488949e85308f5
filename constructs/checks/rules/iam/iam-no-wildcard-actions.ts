import { attachedPolicy, hasReference, iamStatements, isWildcardAction, policyAttachments, unknownValuesMessage, unreadablePolicies, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";

/**
 * AWS managed policies that grant wildcard actions over a whole service or more, by name (the
 * last segment of `arn:<partition>:iam::aws:policy/<path>/<name>`), from AWS's managed policy
 * reference (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html):
 * AdministratorAccess (`*` on `*`) and its variants (`AdministratorAccess-Amplify`, …),
 * PowerUserAccess (`NotAction` iam/organizations/account on `*`), every `…FullAccess` (IAMFullAccess
 * is `iam:*`, AmazonS3FullAccess `s3:*`, …), every `…ReadWrite` (SecretsManagerReadWrite is
 * `secretsmanager:*` on `*`), every `…PowerUser` (AWSKeyManagementServicePowerUser,
 * AmazonEC2ContainerRegistryPowerUser), the `…Admin…` policies (AWSCodeArtifactAdminAccess, the
 * job-function policies SystemAdministrator, NetworkAdministrator, DatabaseAdministrator:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html) and the
 * job function DataScientist.
 */
export const BROAD_MANAGED_POLICY_NAMES: readonly RegExp[] = [/Admin/i, /PowerUser/i, /FullAccess/i, /ReadWrite/i, /^DataScientist$/i];

/** KIT-IAM-1: IAM grants name their actions. */
export const KIT_IAM_1: KitRule = {
  id: "KIT-IAM-1",
  name: "iam-no-wildcard-actions",
  area: "iam",
  severity: "error",
  description:
    "Allow statements (policies, inline policies, trust policies, `aws_iam_policy_document` with the documents it composes through `source_policy_documents`/`override_policy_documents`) list their actions without a wildcard (`*`, or `?`, which IAM reads as one character; action names are case-insensitive) and do not use `NotAction`; roles, users and groups do not attach broad AWS managed policies (AdministratorAccess, PowerUserAccess, every `…FullAccess`, `…ReadWrite`, `…PowerUser`, `…Admin…`, in any partition, `${partition}` included). Actions or an attached ARN known only at apply time, and a policy that cannot be read at synth time (e.g. `Fn.jsonencode`, which synthesizes to HCL), are violations too.",
  rationale: "The agent's roles are reachable from every run it executes; a wildcard grants whatever AWS adds to the service later, and least privilege is what keeps a compromised run contained.",
  source: {
    title: "AWS: IAM JSON policy elements, Action (case-insensitive names, `*` and `?` wildcards)",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow") continue;
      const unknown = [...s.actions, ...s.notActions].filter(hasReference);
      const wild = s.actions.filter((a) => !unknown.includes(a) && isWildcardAction(a));
      if (wild.length > 0) findings.push({ path: s.path, message: `${s.where} must name its actions, not ${wild.map((a) => JSON.stringify(a)).join(", ")}` });
      if (unknown.length > 0) findings.push({ path: s.path, message: unknownValuesMessage(s.where, unknown, "KIT-IAM-1", "named actions") });
      if (s.notActions.length > 0) findings.push({ path: s.path, message: `${s.where} must not Allow with NotAction: it grants every other action` });
    }
    for (const p of unreadablePolicies(stack)) findings.push({ path: p.path, message: unreadablePolicyMessage(p, "KIT-IAM-1", "named actions") });
    for (const a of policyAttachments(stack)) {
      const policy = attachedPolicy(stack, a.arn);
      if (policy.kind === "aws-managed" && BROAD_MANAGED_POLICY_NAMES.some((n) => n.test(policy.name))) {
        findings.push({ path: a.path, message: `${a.where} must not attach ${policy.arn}: AWS's ${policy.name} grants wildcard actions` });
      } else if (policy.kind === "unknown") {
        findings.push({
          path: a.path,
          message: `${a.where} holds ${policy.holds}, known only at apply time, so the attached policy cannot be confirmed not to be a broad AWS managed policy: write the ARN in the stack (or reference an aws_iam_policy of the stack), or acknowledge KIT-IAM-1 with a reason`,
        });
      }
    }
    return findings;
  },
};
