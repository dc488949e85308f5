import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Fn, Lazy } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { intInRange, isToken, strictProps, tokenOr } from "../../core/validation";
import { AlarmsOption, alarmActions, alarmsOptionSchema } from "../operations/alarm-actions";
import { autoscalerWidgets, noAgentAlarm, noAgentAlarmMinutesSchema, noAgentAlarmNames, whenAutoscalersKnown } from "../operations/autoscaler-monitoring";
import { DashboardBody } from "../operations/dashboard-body";
import { fiveMinuteMetric, sustainedConditionAlarm } from "../operations/metric-math-alarm";
import { RuntimeAgentSettings, resolveRuntimeSettings, runtimePoolSchema } from "../runtime/agent-runtime";
import { AgentPool } from "../scalr/agent-pool";
import { ECS_AGENT_RUNTIME, FargateAgentSettings, FargateCollectorOptions, FargateSharedCacheOptions, FargateAgentTask, checkFargateAgent, fargateAgentShape, fargateTaskProps } from "./fargate-agent-task";

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
  /** An OpenTelemetry collector sidecar for the agent's metrics: see `FargateAgentTaskProps.collector`. @default false */
  readonly collector?: boolean | FargateCollectorOptions;
  /**
   * CloudWatch alarms: fewer agents running than desired for 15 minutes (tasks that fail to start,
   * e.g. the token secret cannot be read, or keep stopping), and, when an AgentAutoscaler drives the
   * service, no agent online while runs wait (`noAgentAlarmMinutes`). `false` turns them off;
   * `{ actions }` sends ALARM and OK to SNS topics (see docs/operations.md).
   * @default true (alarms without notifications)
   */
  readonly alarms?: AlarmsOption;
  /**
   * Minutes runs may wait with no agent of the pool online (busy or idle) before the alarm fires,
   * read from the autoscaler's metrics (only with an AgentAutoscaler on this service). A multiple
   * of 5, 5–120: the alarm evaluates 5-minute periods.
   * @default 15
   */
  readonly noAgentAlarmMinutes?: number;
  /** A CloudWatch dashboard of the service (`scalr-agents-<name>`). @default true */
  readonly dashboard?: boolean;
}

/** Construct ids of the operations resources of an {@link EcsAgentService} (ids are public API: a renamed id replaces the resource). */
export const ECS_AGENT_SERVICE_OPERATIONS_IDS = {
  /** `aws_cloudwatch_metric_alarm`: fewer tasks running than desired (Container Insights). */
  tasksBelowDesired: "TasksBelowDesiredAlarm",
  /** `aws_cloudwatch_metric_alarm`: no agent online while runs wait (with an AgentAutoscaler), one per autoscaler: `NoAgentAlarm`, `NoAgentAlarm2`, … */
  noAgentAlarm: "NoAgentAlarm",
  /** `aws_cloudwatch_dashboard`. */
  dashboard: "Dashboard",
} as const;

/** Minutes the service may run fewer agents than desired before its alarm fires (three 5-minute periods). */
export const ECS_TASKS_BELOW_DESIRED_MINUTES = 15;
/**
 * Container Insights' namespace of ECS service task counts (`DesiredTaskCount`, `RunningTaskCount`,
 * `PendingTaskCount`, dimensions `ClusterName` and `ServiceName`), collected when the cluster has
 * Container Insights on: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
 */
const CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights";

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
  alarms: alarmsOptionSchema,
  noAgentAlarmMinutes: noAgentAlarmMinutesSchema,
  dashboard: z.boolean().default(true),
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
  /** The service's alarms (empty with `alarms: false`); an autoscaler on the service adds its no-agent alarm at synth. */
  public readonly alarms: CloudwatchMetricAlarm[] = [];
  /** The dashboard (with `dashboard`, the default). */
  public readonly dashboard?: CloudwatchDashboard;
  /** The dashboard's widgets (escape hatch: add your own before synthesis). */
  public readonly dashboardBody?: DashboardBody;

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
    const ops = this.operate(p.name, alarmActions(p.alarms), p.noAgentAlarmMinutes, p.dashboard);
    this.dashboard = ops.dashboard;
    this.dashboardBody = ops.body;
  }

  /** The alarms and the dashboard; an AgentAutoscaler on the service adds its alarm and panels at synth. */
  private operate(name: string, actions: string[] | undefined, noAgentMinutes: number, dashboard: boolean): { dashboard?: CloudwatchDashboard; body?: DashboardBody } {
    const ids = ECS_AGENT_SERVICE_OPERATIONS_IDS;
    const service = { ClusterName: this.clusterName, ServiceName: this.serviceName };
    if (actions !== undefined) {
      const count = (metricName: string, stat: string) => fiveMinuteMetric(CONTAINER_INSIGHTS_NAMESPACE, metricName, service, stat);
      this.alarms.push(
        sustainedConditionAlarm(this, ids.tasksBelowDesired, {
          alarmName: `${name}-tasks-below-desired`,
          description: `The ECS service ${name} has run fewer Scalr agents than desired for ${ECS_TASKS_BELOW_DESIRED_MINUTES} minutes: tasks fail to start (token secret or image unreadable: ResourceInitializationError, CannotPullContainerError) or keep stopping. Read the stopped reason of the service's stopped tasks and the service's events.`,
          // Every 5-minute period, even the most agents running stayed below the fewest desired:
          // a deployment (up to 200 % running) or a scale-out that starts within minutes does not
          // count. Without Container Insights data the alarm shows INSUFFICIENT_DATA, not OK.
          metricQuery: [
            { id: "desired", metric: count("DesiredTaskCount", "Minimum"), returnData: false },
            { id: "running", metric: count("RunningTaskCount", "Maximum"), returnData: false },
            { id: "missing", expression: "desired - running", label: "Agents missing (desired − running)", returnData: true },
          ],
          minutes: ECS_TASKS_BELOW_DESIRED_MINUTES,
          treatMissingData: "missing",
          actions,
        }),
      );
    }
    let body: DashboardBody | undefined;
    let board: CloudwatchDashboard | undefined;
    if (dashboard) {
      body = new DashboardBody(this.task.region.region).add(
        {
          kind: "text",
          markdown: `# Scalr agents: ECS service ${name}\nAgents desired vs. running (a gap that lasts means tasks fail to start: read their stopped reason), their CPU and memory. Logs: \`/ecs/${name}\`.`,
        },
        {
          kind: "metric",
          title: "Agents: desired, running, pending",
          stat: "Maximum",
          metrics: ["DesiredTaskCount", "RunningTaskCount", "PendingTaskCount"].map((m) => ({ namespace: CONTAINER_INSIGHTS_NAMESPACE, name: m, dimensions: service })),
        },
        {
          kind: "metric",
          title: "CPU and memory utilization (% of the task size)",
          stat: "Average",
          periodSeconds: 300,
          // The service's utilization, free for Fargate services:
          // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_utilization.html
          metrics: [
            { namespace: "AWS/ECS", name: "CPUUtilization", dimensions: service, label: "CPU average" },
            { namespace: "AWS/ECS", name: "CPUUtilization", dimensions: service, stat: "Maximum", label: "CPU busiest agent" },
            { namespace: "AWS/ECS", name: "MemoryUtilization", dimensions: service, label: "memory average" },
            { namespace: "AWS/ECS", name: "MemoryUtilization", dimensions: service, stat: "Maximum", label: "memory busiest agent" },
          ],
        },
      );
      const rendered = body;
      board = new CloudwatchDashboard(this, ids.dashboard, {
        // 1–255 letters, digits, '-', '_' (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
        dashboardName: `scalr-agents-${name}`,
        dashboardBody: Lazy.stringValue({ produce: () => rendered.render() }),
      });
    }
    whenAutoscalersKnown(this, { kind: "ecs", name: this.serviceName, cluster: this.clusterName }, (pools) => {
      pools.forEach((pool, i) => {
        const names = noAgentAlarmNames(name, i);
        if (actions !== undefined) {
          this.alarms.push(
            noAgentAlarm(this, names.id, {
              pool,
              alarmName: names.alarmName,
              description: `Runs of the pool have waited ${noAgentMinutes} minutes with no agent of the ECS service ${name} online (busy or idle): tasks fail to start, read the token, pull the image or reach Scalr. Check the service's tasks-below-desired alarm, its stopped tasks and /ecs/${name}.`,
              minutes: noAgentMinutes,
              actions,
            }),
          );
        }
        body?.add(...autoscalerWidgets(pool));
      });
      if (this.alarms.length > 0) body?.add({ kind: "alarm", title: "Alarms", alarmArns: this.alarms.map((a) => a.arn) });
    });
    return { dashboard: board, body };
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
