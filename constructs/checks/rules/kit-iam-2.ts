import { iamStatements } from "../iam";
import { KitRule, KitRuleFinding } from "../rule";
import { SynthesizedStack } from "../synthesized-stack";

/**
 * Actions AWS grants only on `"Resource": "*"`: the service authorization reference lists no
 * resource type for them, so a statement of these alone may (must) use `*`.
 */
export const RESOURCE_STAR_ONLY_ACTIONS: readonly string[] = [
  // Pulling images: the token covers every registry of the account.
  "ecr:GetAuthorizationToken",
  "sts:GetCallerIdentity",
  // Read-only EC2 and Auto Scaling lookups (the drain watcher, Lambda in a VPC).
  "ec2:DescribeInstances",
  "ec2:DescribeTags",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "autoscaling:DescribeAutoScalingGroups",
  "autoscaling:DescribeAutoScalingInstances",
  "autoscaling:DescribeLifecycleHooks",
  // ECS task definitions are registered and described account-wide.
  "ecs:DescribeTaskDefinition",
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:ListClusters",
  "ecs:ListTaskDefinitions",
  // Metrics and traces.
  "cloudwatch:PutMetricData",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  // Session Manager channels (SSM instead of SSH).
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
];

const STAR_ONLY = new Set(RESOURCE_STAR_ONLY_ACTIONS.map((a) => a.toLowerCase()));

/** KIT-IAM-2: IAM grants name their resources. */
export const KIT_IAM_2: KitRule = {
  id: "KIT-IAM-2",
  name: "iam-scoped-resources",
  severity: "error",
  description:
    "Allow statements name their resources (ARNs, or ARN patterns such as `<log-group-arn>:*`): no `\"Resource\": \"*\"` and no `NotResource`, except for statements whose every action AWS grants only on `*` (RESOURCE_STAR_ONLY_ACTIONS: ecr:GetAuthorizationToken, sts:GetCallerIdentity, EC2/Auto Scaling describe calls, …).",
  rationale: "`Resource: \"*\"` lets the agent (and every run) read every secret or start every task the action allows, not just its own token secret or task definition.",
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow" || s.trust) continue;
      if (s.notResources.length > 0) {
        findings.push({ path: s.path, message: `${s.where} must not Allow with NotResource: it grants every other resource` });
        continue;
      }
      if (!s.resources.includes("*")) continue;
      const scoped = s.actions.filter((a) => !STAR_ONLY.has(a.toLowerCase()));
      if (scoped.length > 0 || s.actions.length === 0) {
        findings.push({
          path: s.path,
          message: `${s.where} must name its resources instead of "*" for ${scoped.map((a) => JSON.stringify(a)).join(", ") || "its actions"} (only actions AWS grants on "*" alone may use it; put them in a statement of their own)`,
        });
      }
    }
    return findings;
  },
};
