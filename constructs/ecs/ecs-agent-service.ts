import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { intInRange, isToken, strictProps, tokenOr } from "../../core/validation";
import { RuntimeAgentSettings, resolveRuntimeSettings, runtimePoolSchema } from "../runtime/agent-runtime";
import { AgentPool } from "../scalr/agent-pool";
import { ECS_AGENT_RUNTIME, FargateAgentSettings, FargateSharedCacheOptions, FargateAgentTask, checkFargateAgent, fargateAgentShape, fargateTaskProps } from "./fargate-agent-task";

/** {@link FargateAgentSettings} where the token may come from `pool` ({@link RuntimeAgentSettings}). */
export type EcsAgentServiceSettings = RuntimeAgentSettings<FargateAgentSettings>;

/** Autoscaling of an {@link EcsAgentService} on the agents' average CPU. */
export interface EcsAgentServiceAutoscaling {
  /** Fewest agents. */
  readonly minCount: number;
  /** Most agents. */
  readonly maxCount: number;
  /** Target average CPU (percent). @default 60 */
  readonly targetCpuPercent?: number;
  /**
   * Let autoscaling remove agents. A removed agent drains for at most `stopTimeoutSeconds` (Fargate
   * allows 120 s): a run still going after that is interrupted.
   * @default false
   */
  readonly allowScaleIn?: boolean;
}

/** Props of {@link EcsAgentService}. */
export interface EcsAgentServiceProps {
  /** Name of the service, task family and related resources (1–32 letters, digits, '-'). */
  readonly name: string;
  /**
   * The agents. The token is a Terraform value (stored in a Secrets Manager secret the construct
   * creates) or `AgentTokenSource.fromAwsSecretsManager(arn)` (a secret you already have).
   */
  readonly settings: EcsAgentServiceSettings;
  /** The run pool the agents join; supplies the token unless `settings.token` is set. @default - none */
  readonly pool?: AgentPool;
  /** VPC of the tasks. */
  readonly vpcId: string;
  /** Subnets of the tasks (private, with a NAT route to Scalr). */
  readonly subnetIds: readonly string[];
  /** Give tasks a public IP (public subnets without NAT only). @default false */
  readonly assignPublicIp?: boolean;
  /** ECS cluster ARN or name. @default - a new cluster with Container Insights */
  readonly cluster?: string;
  /** Agents to run. @default 2 */
  readonly desiredCount?: number;
  /** Scale on CPU between `minCount` and `maxCount`. @default - a fixed `desiredCount` */
  readonly autoscaling?: EcsAgentServiceAutoscaling;
  /** Fargate CPU units per agent. @default 2048 */
  readonly cpu?: number;
  /** Fargate memory (MiB) per agent. @default 4096 */
  readonly memoryMiB?: number;
  /** @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /** Container stop timeout, the agent's shutdown grace period (≤ 120). @default 120 */
  readonly stopTimeoutSeconds?: number;
  /** Log retention in days. @default 30 */
  readonly logRetentionDays?: number;
  /**
   * A provider and binary cache on EFS shared by all agents (encrypted at rest and in transit,
   * mounted through an access point with the task role): `true` creates the file system with mount
   * targets in `subnetIds` (one subnet per Availability Zone); `{ fileSystemId }` uses yours. See
   * docs/decisions/0012-shared-provider-cache.md and FargateAgentTaskProps.sharedCache.
   * @default false
   */
  readonly sharedCache?: boolean | FargateSharedCacheOptions;
}

const propsSchema = strictProps({
  ...fargateAgentShape,
  pool: runtimePoolSchema.optional(),
  subnetIds: z
    .array(tokenOr(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet ID such as "subnet-0abc1234"' })), { error: "must be a list of subnet IDs" })
    .min(1, { error: "must list at least one subnet (private subnets with a NAT route to Scalr)" }),
  assignPublicIp: z.boolean().default(false),
  cluster: tokenOr(z.string().min(1)).optional(),
  desiredCount: intInRange(0, 1000).default(2),
  autoscaling: strictProps({
    minCount: intInRange(0, 1000),
    maxCount: intInRange(1, 1000),
    targetCpuPercent: intInRange(10, 95).default(60),
    allowScaleIn: z.boolean().default(false),
  })
    .refine((a) => a.minCount <= a.maxCount, { error: "must have `minCount` ≤ `maxCount`" })
    .optional(),
});

/**
 * A persistent Fargate service of Scalr agents from one AgentSettings: polling agents (local
 * driver) that stay up, a deployment circuit breaker with rollback, deployments that start new
 * agents before the old ones drain, and optional CPU autoscaling that never removes agents unless
 * asked to.
 */
export class EcsAgentService extends Construct {
  /** The ECS service (escape hatch). */
  public readonly service: EcsService;
  /** Task definition, roles, log group, security group and token secret of the agents. */
  public readonly task: FargateAgentTask;
  /** The cluster, when the construct creates it. */
  public readonly clusterResource?: EcsCluster;
  /** The scaling target, with `autoscaling`. */
  public readonly scalingTarget?: AppautoscalingTarget;
  /** Name of the cluster the service runs in (the created one, or the one given by `cluster`). */
  public readonly clusterName: string;
  /** Name of the ECS service (for `aws ecs describe-services`, `update-service --desired-count`). */
  public readonly serviceName: string;
  /** ARN of the agents' task definition, revision included. */
  public readonly taskDefinitionArn: string;
  /** Name of the agents' log group, `/ecs/<name>`. */
  public readonly logGroupName: string;
  /** ID of the pool the agents join, when `pool` is given. */
  public readonly poolId?: string;

  public constructor(scope: Construct, id: string, props: EcsAgentServiceProps) {
    super(scope, id);
    const subject = this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    const settings = resolveRuntimeSettings(issues, props, ECS_AGENT_RUNTIME);
    checkFargateAgent(issues, p, props?.settings, settings);
    issues.throwIfAny();

    // A service's tasks pull the image when they start (deployments, replacements), not per run.
    this.task = new FargateAgentTask(this, "Agent", fargateTaskProps(p, settings as FargateAgentSettings), { subject, persistent: true });
    if (p.cluster === undefined) {
      this.clusterResource = new EcsCluster(this, "Cluster", { name: p.name, setting: [{ name: "containerInsights", value: "enabled" }] });
    }
    // A literal cluster name or ARN stays literal in the JSON (`${` would be a Terraform template).
    const givenCluster = p.cluster === undefined ? undefined : terraformLiteral(p.cluster);
    const cluster = this.clusterResource?.arn ?? (givenCluster as string);

    this.service = new EcsService(this, "Resource", {
      name: p.name,
      cluster,
      taskDefinition: this.task.taskDefinition.arn,
      launchType: "FARGATE",
      desiredCount: p.autoscaling ? p.autoscaling.minCount : p.desiredCount,
      // New agents start before old ones stop, so a deployment never leaves the pool empty; old
      // agents drain for stopTimeoutSeconds.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
      propagateTags: "SERVICE",
      networkConfiguration: {
        subnets: [...p.subnetIds],
        securityGroups: [this.task.securityGroup.id],
        assignPublicIp: p.assignPublicIp,
      },
      lifecycle: p.autoscaling ? { ignoreChanges: ["desired_count"] } : undefined,
    });
    this.clusterName = this.clusterResource?.name ?? clusterNameOf(givenCluster as string);
    this.serviceName = this.service.name;
    this.taskDefinitionArn = this.task.taskDefinitionArn;
    this.logGroupName = this.task.logGroupName;
    this.poolId = props.pool?.poolId;

    if (p.autoscaling) {
      const clusterName = this.clusterName;
      this.scalingTarget = new AppautoscalingTarget(this, "ScalingTarget", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${clusterName}/${this.service.name}`,
        minCapacity: p.autoscaling.minCount,
        maxCapacity: p.autoscaling.maxCount,
      });
      new AppautoscalingPolicy(this, "CpuScaling", {
        name: `${p.name}-cpu`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: this.scalingTarget.serviceNamespace,
        scalableDimension: this.scalingTarget.scalableDimension,
        resourceId: this.scalingTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: p.autoscaling.targetCpuPercent,
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          disableScaleIn: !p.autoscaling.allowScaleIn,
          scaleOutCooldown: 60,
          scaleInCooldown: 600,
        },
      });
    }
  }
}

/**
 * The cluster name in an ECS cluster ARN or name (`arn:…:cluster/<name>` or `<name>`), as Application
 * Auto Scaling's `service/<cluster>/<service>` resource ID needs it. A Terraform reference (e.g.
 * `aws_ecs_cluster.x.arn`) is split by Terraform at apply time: the last `/`-separated part.
 */
export function clusterNameOf(cluster: string): string {
  if (isToken(cluster)) return Fn.element(Fn.reverse(Fn.split("/", cluster)), 0) as string;
  return cluster.split("/").pop() as string;
}
