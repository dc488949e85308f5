import { PolicyReader, RESOURCE_POLICY_ARGUMENTS, isStarResource, isUnknownValue, isWildcardArn, restrictsCallers, unknownValuesMessage, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack } from "../../synthesized-stack";

const RESTRICTING = "aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce, aws:SourceIp, …";

/** KIT-IAM-4: resource policies name who may use the resource. */
export const KIT_IAM_4: KitRule = {
  id: "KIT-IAM-4",
  name: "resource-policy-named-principals",
  area: "iam",
  severity: "error",
  description:
    'Resource policies (Secrets Manager secrets, KMS keys, SQS queues, SNS topics, API Gateway REST APIs, ECR repositories and registries, S3 buckets and access points, CloudWatch Logs and EventBridge bus policies, EFS, Backup, Glacier, DynamoDB, Kinesis, OpenSearch/Elasticsearch; `aws_iam_policy_document`s they reference, composed documents included) do not Allow `"Principal": "*"`, `{"AWS": "*"}` or `NotPrincipal` unless a condition restricts the callers (a positive test of the caller\'s account, organization, ARN, source or network: `aws:SourceAccount`, `aws:PrincipalOrgID`, `aws:SourceVpce`, `aws:SourceIp`, …, with values that match less than everything); `aws_lambda_permission` with `principal = "*"` sets `source_arn`, `source_account` or `principal_org_id`. Principals or a policy known only at apply time are violations: they cannot be confirmed.',
  rationale:
    "A resource policy that admits any principal opens the secret, key, queue or API to every AWS account (or to anonymous callers): the agent's token secret, its KMS key and its launch API must be reachable only from the principals that need them.",
  source: {
    title: "AWS: IAM JSON policy elements, Principal (`*` is every principal, anonymous users included)",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const reader = new PolicyReader(stack);
    for (const [type, argument] of RESOURCE_POLICY_ARGUMENTS) {
      for (const r of stack.resources(type)) {
        const value = r.body[argument];
        if (value === undefined || value === null || value === "") continue;
        const read = reader.read(r.path, `${type}.${argument}`, value, false, true);
        for (const u of read.unreadable) findings.push({ path: u.path, message: unreadablePolicyMessage(u, "KIT-IAM-4", "the principals it grants") });
        for (const s of read.statements) {
          if (s.effect !== "Allow" || s.conditions.some(restrictsCallers)) continue;
          if (s.anyPrincipal) {
            findings.push({ path: s.path, message: `${s.where} must name the principals it grants, not any principal ("*"), or restrict the callers with a condition (${RESTRICTING})` });
          } else if (s.unknownPrincipals.length > 0) {
            findings.push({ path: s.path, message: unknownValuesMessage(s.where, s.unknownPrincipals, "KIT-IAM-4", "the principals it grants") });
          }
        }
      }
    }
    // Lambda's resource policy, one statement per aws_lambda_permission
    // (https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_permission).
    for (const r of stack.resources("aws_lambda_permission")) {
      const principal = typeof r.body.principal === "string" ? r.body.principal : "<a value that is not a string>";
      const any = principal.includes("*");
      const unknown = !any && (isUnknownValue(principal) || /^\$\{[^}]*\}$/.test(principal.trim()));
      if (!any && !unknown) continue;
      if (restrictedPermission(r.body)) continue;
      findings.push({
        path: r.path,
        message: any
          ? 'aws_lambda_permission with principal "*" must set source_arn, source_account or principal_org_id (without them any AWS account may invoke the function)'
          : unknownValuesMessage("aws_lambda_permission.principal", [principal], "KIT-IAM-4", "the principal it grants"),
      });
    }
    return findings;
  },
};

/** A permission whose callers are restricted by a source ARN, account or organization written in the stack (not a variable, not a wildcard). */
function restrictedPermission(body: Readonly<Record<string, unknown>>): boolean {
  const written = (v: unknown): v is string => typeof v === "string" && v.trim() !== "" && !isUnknownValue(v) && !/^[*?]*$/.test(v.trim());
  if (written(body.source_arn) && !isStarResource(body.source_arn) && !isWildcardArn(body.source_arn)) return true;
  return written(body.source_account) || written(body.principal_org_id);
}
