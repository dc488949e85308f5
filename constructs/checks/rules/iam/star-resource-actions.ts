// The IAM actions KIT-IAM-2 lets a statement grant on `"Resource": "*"`, from the Service
// Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html):
// actions that list no resource type, and actions a condition key scopes instead.

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

/**
 * Actions that may use `"Resource": "*"` when a condition key scopes them instead. `ecs:ListTasks`
 * authorizes against container instances (the service authorization reference lists
 * `container-instance*` with the `ecs:cluster` condition key); Fargate tasks have no container
 * instance, so the grant is `*` with `ecs:cluster` naming the cluster.
 */
export const CONDITION_SCOPED_STAR_ACTIONS: Readonly<Record<string, string>> = {
  "ecs:ListTasks": "ecs:cluster",
};
