import { iamStatements, isWildcardArn, unreadablePolicies, unreadablePolicyMessage } from "../iam";
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
  // Session Manager (SSM instead of SSH): the instance registers itself and opens its channels;
  // AWS's own minimal Session Manager instance policy grants these on "*".
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
];

const STAR_ONLY = new Set(RESOURCE_STAR_ONLY_ACTIONS.map((a) => a.toLowerCase()));

/**
 * Actions that may use `"Resource": "*"` when a condition key scopes them instead. `ecs:ListTasks`
 * authorizes against container instances (the service authorization reference lists
 * `container-instance*` with the `ecs:cluster` condition key); Fargate tasks have no container
 * instance, so the grant is `*` with `ecs:cluster` naming the cluster.
 */
export const CONDITION_SCOPED_STAR_ACTIONS: Readonly<Record<string, string>> = {
  "ecs:ListTasks": "ecs:cluster",
};

const CONDITION_SCOPED = new Map(Object.entries(CONDITION_SCOPED_STAR_ACTIONS).map(([a, k]) => [a.toLowerCase(), k.toLowerCase()]));

/** KIT-IAM-2: IAM grants name their resources. */
export const KIT_IAM_2: KitRule = {
  id: "KIT-IAM-2",
  name: "iam-scoped-resources",
  severity: "error",
  description:
    "Allow statements name their resources (ARNs, or ARN patterns such as `<log-group-arn>:*`): no `\"Resource\": \"*\"`, no ARN whose region, account and resource are all wildcards (`arn:aws:secretsmanager:*:*:secret:*`) and no `NotResource`, except for statements whose every action AWS grants only on `*` (RESOURCE_STAR_ONLY_ACTIONS: ecr:GetAuthorizationToken, sts:GetCallerIdentity, EC2/Auto Scaling describe calls, …) or is scoped by its condition key (CONDITION_SCOPED_STAR_ACTIONS: `ecs:ListTasks` with `ecs:cluster`). A policy that cannot be read at synth time (`Fn.jsonencode({…})`, `file(…)`) is a violation: its resources cannot be confirmed.",
  rationale: "`Resource: \"*\"` lets the agent (and every run) read every secret or start every task the action allows, not just its own token secret or task definition.",
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const p of unreadablePolicies(stack)) {
      if (!p.where.startsWith("aws_iam_role.assume_role_policy")) findings.push({ path: p.path, message: unreadablePolicyMessage(p, "KIT-IAM-2", "named resources") });
    }
    for (const s of iamStatements(stack)) {
      if (s.effect !== "Allow" || s.trust) continue;
      if (s.notResources.length > 0) {
        findings.push({ path: s.path, message: `${s.where} must not Allow with NotResource: it grants every other resource` });
        continue;
      }
      const wildcardArns = s.resources.filter(isWildcardArn);
      if (wildcardArns.length > 0) {
        findings.push({
          path: s.path,
          message: `${s.where} must name its resources, not ${wildcardArns.map((a) => JSON.stringify(a)).join(", ")} (region, account and resource all wildcards: every resource of the type)`,
        });
      }
      if (!s.resources.includes("*")) continue;
      const scoped = s.actions.filter((a) => !STAR_ONLY.has(a.toLowerCase()) && !conditionScoped(a, s.conditionKeys));
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

/** An action allowed on `*` because the statement tests the condition key that scopes it. */
function conditionScoped(action: string, conditionKeys: readonly string[]): boolean {
  const key = CONDITION_SCOPED.get(action.toLowerCase());
  return key !== undefined && conditionKeys.includes(key);
}
