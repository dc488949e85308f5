import { ApiGatewayApiKey } from "@cdktf/provider-aws/lib/api-gateway-api-key";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { ApiGatewayUsagePlanKey } from "@cdktf/provider-aws/lib/api-gateway-usage-plan-key";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Annotations, AssetType, Fn, Lazy, TerraformAsset, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { intInRange, isToken, strictProps, tokenOr } from "../../core/validation";
import { terraformJson } from "../../core/terraform-json";
import type { LaunchOutcome } from "../../agent/serverless/launch";
import { HANDLER_STARTED_BY_PREFIXES, TASKS_FAILED_TO_START_METRIC, TASK_EVENTS_ENVIRONMENT, TASK_EVENT_STATUSES, TIME_TO_RUNNING_METRIC } from "../../agent/serverless/task-events";
import { standInToken } from "../runtime/agent-runtime";
import { addReviewFile } from "../runtime/review-files";
import { AlarmsOption, alarmActions, alarmsOptionSchema, oneOccurrenceAlarm } from "../operations/alarm-actions";
import { DashboardBody } from "../operations/dashboard-body";
import { resolveTokens } from "../../core/cdktf-internals";
import { AgentPool } from "../scalr/agent-pool";
import { FargateAgentSettings, FargateAgentTask, FargateCollectorOptions, FargateSharedCacheOptions, checkFargateAgent, fargateAgentShape, fargateTaskProps } from "./fargate-agent-task";
import { WEBHOOK_HANDLER_LAMBDA_HANDLER, WEBHOOK_HANDLER_LAMBDA_RUNTIME, bundleWebhookHandler } from "./webhook-handler-bundle";
import { TASK_EVENTS_LAMBDA_HANDLER, TASK_EVENTS_LAMBDA_RUNTIME, bundleTaskEvents } from "./task-events-bundle";
import { lambdaAssumeRolePolicy } from "../runtime/lambda-role";

/** Settings of a serverless agent: one task per container, so no token (it comes from the pool) and no driver choice. */
export type ServerlessAgentSettings = Omit<FargateAgentSettings, "token" | "poolKind" | "single" | "driver" | "concurrency">;

/**
 * The webhook `action`s a `spot: "read-only"` pool launches on Fargate Spot: the task types Scalr
 * documents that change no infrastructure (https://docs.scalr.io/docs/serverless-webhooks: `action`
 * is the task type, e.g. `plan`, `apply`, `policy.check`, `checkov`).
 */
export const SERVERLESS_SPOT_READ_ONLY_ACTIONS: readonly string[] = ["plan", "policy.check", "checkov"];

/** Props of {@link ServerlessAgentPool}. */
export interface ServerlessAgentPoolProps {
  /** Name of the Scalr pool and prefix of the AWS resources (1–32 letters, digits, '-'). */
  readonly name: string;
  /** The agents: Scalr URL, proxy, CA bundle, image, shutdown mode, … */
  readonly settings: ServerlessAgentSettings;
  /** Environments that may use the pool. @default "all" */
  readonly environments?: "all" | readonly string[];
  /** VPC of the agent tasks. */
  readonly vpcId: string;
  /** Subnets of the agent tasks: private subnets with a NAT route to Scalr. */
  readonly subnetIds: readonly string[];
  /**
   * Give agent tasks a public IP (only for public subnets without NAT). Exposes the tasks' network
   * interfaces to the internet (the security group still admits no ingress).
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /** Fargate CPU units per agent. @default 2048 */
  readonly cpu?: number;
  /** Fargate memory (MiB) per agent. @default 4096 */
  readonly memoryMiB?: number;
  /** @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /** Container stop timeout, the agent's shutdown grace period (≤ 120). @default 120 */
  readonly stopTimeoutSeconds?: number;
  /** Log retention (agent and handler logs). @default 30 */
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
   * Run agents on FARGATE_SPOT (cheaper; AWS may stop a task with two minutes' notice). The handler
   * falls back to FARGATE when Spot has no capacity. X86_64 only: Fargate Spot does not run ARM64
   * Linux tasks.
   * - `true`: every agent task;
   * - `"read-only"`: only the task types that change nothing ({@link SERVERLESS_SPOT_READ_ONLY_ACTIONS}:
   *   plans and policy checks, by the webhook's `action`); applies, and any other or unnamed task
   *   type, run on on-demand FARGATE. Scalr does not document that the agent started for a task takes
   *   that very task (agents take work from the pool), so an apply may still land on a Spot agent
   *   started for a plan at the same moment; its drain on SIGTERM is the defence then.
   * @default false
   */
  readonly spot?: boolean | "read-only";
  /**
   * Most agent launches in flight at once (Lambda reserved concurrency): the deliveries held while
   * ECS's RunTask limit drains them. Reserved concurrency comes out of the account's Lambda
   * concurrency quota, of which Lambda keeps 100 unreserved: the default needs a quota of 200 or more.
   * @default 100
   */
  readonly maxConcurrentLaunches?: number;
  /**
   * API usage plan: requests per second, burst and daily quota. Deliveries past the burst are
   * answered 429 and depend on Scalr redelivering them (docs/decisions/0010-burst-intake.md).
   * @default { rateLimit: 20, burstLimit: 100, dailyQuota: 100000 }
   */
  readonly throttle?: { readonly rateLimit?: number; readonly burstLimit?: number; readonly dailyQuota?: number };
  /**
   * Only these source CIDRs may call the webhook (e.g. Scalr's published egress addresses).
   * @default - any source with the API key
   */
  readonly allowedSourceCidrs?: readonly string[];
  /**
   * CloudWatch alarms on handler errors and throttles, API 5xx, failed launches, agent tasks that
   * failed to start and slow starts (`<name>-time-to-start`, see `timeToStartTargetSeconds`). `false` turns
   * them off; `{ actions }` sends ALARM and OK to SNS topics (see docs/operations.md).
   * @default true (alarms without notifications)
   */
  readonly alarms?: AlarmsOption;
  /**
   * A CloudWatch dashboard of the pool (`scalr-agents-<name>`): webhook deliveries, launches by
   * outcome (a metric filter on the handler's log line, dimension `Outcome`), the handler's errors,
   * throttles and duration, the agent tasks' time to RUNNING, and the alarms.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Target of the time from a task's creation (the handler's RunTask) to RUNNING, in seconds: the
   * alarm `<name>-time-to-start` fires when its p95 over 15 minutes is above it. Fargate's start is
   * typically 30–45 s (docs/start-time.md); the default leaves room for a large image's pull.
   * 30–900 seconds.
   * @default 120
   */
  readonly timeToStartTargetSeconds?: number;
  /**
   * Names of the pool's tokens, for a rotation without downtime (docs/token-rotation.md): the
   * pool's `tokens`. Each run's task reads the active token's secret when it starts.
   * @default ["default"]
   */
  readonly tokens?: readonly string[];
  /** The token the agents use, one of `tokens` (the pool's `activeToken`). @default - the first of `tokens` */
  readonly activeToken?: string;
  /** Warn on every plan once a token is older than this many days (the pool's `tokenMaxAgeDays`). @default - no warning */
  readonly tokenMaxAgeDays?: number;
}

/**
 * The intake's default limits, sized from Fargate's documented launch limits
 * (https://docs.aws.amazon.com/AmazonECS/latest/userguide/throttling.html): the RunTask API takes
 * 20 calls per second, burst and sustained, and the task launch bucket holds 100, refilled at 20 per
 * second. So API Gateway admits what ECS can start — 20 per second sustained, a burst of 100 (the
 * tasks Fargate starts at once) — and the Lambda holds that burst while its RunTask retries drain
 * it at ECS's pace (100 at 20 per second: about 5 s of a 28 s budget). The daily quota only bounds a
 * leaked key: 100,000 a day is 1.2 per second on average. See docs/decisions/0010-burst-intake.md.
 */
export const SERVERLESS_INTAKE_DEFAULTS = {
  /** API Gateway usage plan: requests per second (the RunTask API's sustained rate). */
  rateLimit: 20,
  /** API Gateway usage plan: burst (Fargate's task launch bucket). */
  burstLimit: 100,
  /** API Gateway usage plan: requests a day. */
  dailyQuota: 100_000,
  /** Lambda reserved concurrency: the burst held while ECS drains it. */
  maxConcurrentLaunches: 100,
} as const;

/**
 * Default target of an agent task's time to RUNNING: AWS answers that "it's normal for new AWS
 * Fargate tasks to take 30-45 seconds or longer to start"
 * (https://repost.aws/questions/QUjZAzJd27SZWxXM7MgyxOZw/how-to-speed-up-provisioning-of-ecs-fargate-task),
 * most of it the image pull; 120 s leaves room for a large image from a registry outside the VPC
 * (docs/start-time.md).
 */
export const TIME_TO_START_TARGET_DEFAULT_SECONDS = 120;

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;

const propsSchema = strictProps({
  ...fargateAgentShape,
  environments: z.union([z.literal("all"), z.array(tokenOr(z.string().regex(/^env-[A-Za-z0-9]+$/, { error: "must be an environment ID" }))).min(1)]).default("all"),
  subnetIds: z
    .array(tokenOr(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet ID such as "subnet-0abc1234"' })), { error: "must be a list of subnet IDs" })
    .min(1, { error: "must list at least one subnet (private subnets with a NAT route to Scalr)" }),
  assignPublicIp: z.boolean().default(false),
  spot: z.union([z.boolean(), z.literal("read-only")], { error: 'must be true, false or "read-only"' }).default(false),
  maxConcurrentLaunches: intInRange(1, 1000).default(SERVERLESS_INTAKE_DEFAULTS.maxConcurrentLaunches),
  // Checked in full by the pool (its construct path and field names).
  tokens: z.array(z.string(), { error: "must be a list of token names" }).optional(),
  activeToken: z.string({ error: "must be the name of one of `tokens`" }).optional(),
  tokenMaxAgeDays: z.number({ error: "must be a whole number of days" }).optional(),
  throttle: strictProps({
    rateLimit: z.number().positive().max(10000).default(SERVERLESS_INTAKE_DEFAULTS.rateLimit),
    burstLimit: intInRange(1, 5000).default(SERVERLESS_INTAKE_DEFAULTS.burstLimit),
    dailyQuota: intInRange(1, 10_000_000).default(SERVERLESS_INTAKE_DEFAULTS.dailyQuota),
  }).default({ rateLimit: SERVERLESS_INTAKE_DEFAULTS.rateLimit, burstLimit: SERVERLESS_INTAKE_DEFAULTS.burstLimit, dailyQuota: SERVERLESS_INTAKE_DEFAULTS.dailyQuota }),
  allowedSourceCidrs: z.array(z.string().regex(CIDR, { error: 'must be a CIDR block such as "203.0.113.0/24"' })).min(1).optional(),
  alarms: alarmsOptionSchema,
  dashboard: z.boolean().default(true),
  timeToStartTargetSeconds: intInRange(30, 900).default(TIME_TO_START_TARGET_DEFAULT_SECONDS),
});

/** Webhook route Scalr calls. */
export const WEBHOOK_PATH = "trigger";
/** Metric the handler's failed-launch log lines count into, in the pool's namespace ({@link launchFailuresNamespace}). */
export const LAUNCH_FAILURES_METRIC = "AgentLaunchFailures";
/**
 * Metric of the handler's log lines by `outcome` (dimension `Outcome`), in the pool's namespace
 * ({@link launchFailuresNamespace}): one line per request, so one count per webhook delivery.
 */
export const DELIVERY_OUTCOMES_METRIC = "WebhookDeliveries";

/** Construct ids of the operations resources of a {@link ServerlessAgentPool} added beside its alarms (ids are public API). */
export const SERVERLESS_AGENT_POOL_OPERATIONS_IDS = {
  /** `aws_cloudwatch_log_metric_filter`: the handler's lines counted by outcome (with `dashboard`). */
  deliveryOutcomesFilter: "DeliveryOutcomesFilter",
  /** `aws_cloudwatch_dashboard` (with `dashboard`). */
  dashboard: "Dashboard",
  /** `aws_cloudwatch_log_group` of the task-events Lambda (with `alarms` or `dashboard`). */
  taskEventsLogGroup: "TaskEventsLogGroup",
  /** `aws_iam_role` of the task-events Lambda. */
  taskEventsRole: "TaskEventsRole",
  /** `aws_iam_role_policy` of the task-events Lambda: write its own logs, nothing else. */
  taskEventsPolicy: "TaskEventsPolicy",
  /** `aws_lambda_function`: one EMF line per agent task that reached RUNNING (`TimeToRunningMs`) or failed to start (`TasksFailedToStart`). */
  taskEvents: "TaskEvents",
  /** `aws_cloudwatch_event_rule`: this cluster's handler-started tasks reaching RUNNING or STOPPED. */
  taskStateRule: "TaskStateRule",
  /** `aws_cloudwatch_event_target` of the rule. */
  taskStateTarget: "TaskStateTarget",
  /** `aws_cloudwatch_log_metric_filter`: the handler's time from a delivery to RunTask's answer, per launch (with `dashboard`). */
  launchLatencyFilter: "LaunchLatencyFilter",
  /** `aws_lambda_permission`: EventBridge may invoke the Lambda, from the rule only. */
  taskEventsPermission: "TaskEventsPermission",
  /** `aws_cloudwatch_metric_alarm` `<name>-time-to-start` (with `alarms`). */
  timeToStartAlarm: "TimeToStartAlarm",
  /** `aws_cloudwatch_metric_alarm` `<name>-agent-tasks-failed-to-start` (with `alarms`). */
  tasksFailedToStartAlarm: "TasksFailedToStartAlarm",
} as const;

/**
 * Metric of the handler's time from a webhook delivery to RunTask's answer, per launched task
 * (milliseconds, the `durationMs` of its `launched` log line), in the pool's namespace
 * ({@link launchFailuresNamespace}): the handler's part of an agent's start.
 */
export const WEBHOOK_TO_RUN_TASK_METRIC = "WebhookToRunTaskMs";

/** CloudWatch namespace of a pool's launch-failure metric: one per pool, so each pool's alarm counts only its own launches. */
export function launchFailuresNamespace(poolName: string): string {
  return `ScalrAgents/${poolName}`;
}

/**
 * A Scalr serverless agent pool on AWS, wired end to end: Scalr POSTs each task to a REST API
 * (`POST /trigger`, API key required, usage plan), a Lambda starts one Fargate task per delivery
 * (idempotent on the delivery's `Idempotency-Key`), the task runs `scalr/agent` once
 * (`SCALR_AGENT_SINGLE`) with its token from Secrets Manager. The pool is created with the API's
 * URL and the key as a sensitive header, so nothing is copied between consoles.
 */
export class ServerlessAgentPool extends Construct {
  /** The Scalr pool (webhook, token). */
  public readonly pool: AgentPool;
  /** Task definition, roles, log group, security group and token secret of the agents. */
  public readonly task: FargateAgentTask;
  /** The ECS cluster (Container Insights on). */
  public readonly cluster: EcsCluster;
  /** The webhook handler. */
  public readonly handler: LambdaFunction;
  /** The handler's role. */
  public readonly handlerRole: IamRole;
  /** The REST API, its stage and key. */
  public readonly api: ApiGatewayRestApi;
  public readonly stage: ApiGatewayStage;
  public readonly apiKey: ApiGatewayApiKey;
  /** The alarms (empty with `alarms: false`). */
  public readonly alarms: readonly CloudwatchMetricAlarm[];
  /** `https://<api>.execute-api.<region>.amazonaws.com/<stage>/trigger`. */
  public readonly webhookUrl: string;
  /** ID of the Scalr pool (`apool-…`). */
  public readonly poolId: string;
  /** Name of the ECS cluster the agent tasks run in. */
  public readonly clusterName: string;
  /** ARN of the agents' task definition, revision included (the one the handler launches). */
  public readonly taskDefinitionArn: string;
  /** The webhook handler's log group, `/aws/lambda/<name>-webhook`: one JSON line per delivery. */
  public readonly handlerLogGroup: CloudwatchLogGroup;
  /** Name of the handler's log group. */
  public readonly handlerLogGroupName: string;
  /** Name of the agents' log group, `/ecs/<name>`. */
  public readonly agentLogGroupName: string;
  /** The dashboard (with `dashboard`, the default). */
  public readonly dashboard?: CloudwatchDashboard;
  /** The dashboard's widgets (escape hatch: add your own before synthesis). */
  public readonly dashboardBody?: DashboardBody;
  /**
   * The Lambda that writes `TimeToRunningMs` for each agent task reaching RUNNING, and
   * `TasksFailedToStart` for each that stopped before it ran (with `alarms` or `dashboard`, the
   * defaults).
   */
  public readonly taskEvents?: LambdaFunction;

  public constructor(scope: Construct, id: string, props: ServerlessAgentPoolProps) {
    super(scope, id);
    const subject = this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    // The token comes from the pool created below (a Terraform value): the settings are checked with a stand-in.
    const settings = issues.has("settings") ? undefined : { ...(props.settings as ServerlessAgentSettings), token: standInToken() };
    issues.rule(["settings"], () => {
      if ("token" in props.settings) {
        const given = (props.settings as { token?: unknown }).token;
        issues.add("settings.token", "is not set here: the construct creates the pool and its token", given, { sensitive: true });
      }
    });
    issues.rule(["spot", "cpuArchitecture"], () => {
      if (p.spot && p.cpuArchitecture === "ARM64") {
        // "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider.
        // Fargate Spot only supports Linux tasks with the X86_64 architecture." (Amazon ECS developer
        // guide, "Amazon ECS clusters for Fargate" / Fargate capacity provider considerations,
        // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)
        issues.add("spot", 'must be false with `cpuArchitecture` "ARM64": Fargate Spot runs only X86_64 Linux tasks', true);
      }
    });
    checkFargateAgent(issues, p, props?.settings, settings, true);
    issues.throwIfAny();
    if (p.throttle.burstLimit > p.maxConcurrentLaunches) {
      // API Gateway admits the burst, but Lambda throttles invocations past the reserved concurrency:
      // those deliveries get an error instead of a 429 and wait for Scalr's redelivery all the same.
      Annotations.of(this).addWarning(
        `${subject}: \`throttle.burstLimit\` (${p.throttle.burstLimit}) is above \`maxConcurrentLaunches\` (${p.maxConcurrentLaunches}): deliveries past the Lambda's concurrency are refused by Lambda and depend on Scalr redelivering them; keep the burst at or below the concurrency (docs/decisions/0010-burst-intake.md)`,
      );
    }

    this.cluster = new EcsCluster(this, "Cluster", { name: p.name, setting: [{ name: "containerInsights", value: "enabled" }] });

    // The pool needs the webhook URL and key; the URL needs the API. Build the API first.
    this.api = new ApiGatewayRestApi(this, "Api", {
      name: `${p.name}-webhook`,
      description: `Scalr serverless agent pool ${p.name}: Scalr posts tasks to /${WEBHOOK_PATH}`,
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    const route = new ApiGatewayResource(this, "TriggerResource", { restApiId: this.api.id, parentId: this.api.rootResourceId, pathPart: WEBHOOK_PATH });
    const method = new ApiGatewayMethod(this, "TriggerMethod", {
      restApiId: this.api.id,
      resourceId: route.id,
      httpMethod: "POST",
      authorization: "NONE",
      apiKeyRequired: true,
    });

    this.apiKey = new ApiGatewayApiKey(this, "ApiKey", { name: `${p.name}-scalr`, description: `Scalr sends it as x-api-key (pool ${p.name})` });

    // The stage URL exists only once the handler and the API are built, which need the pool's
    // token: the pool takes it lazily.
    this.pool = new AgentPool(this, "Pool", {
      name: p.name,
      environments: p.environments,
      tokens: p.tokens,
      activeToken: p.activeToken,
      tokenMaxAgeDays: p.tokenMaxAgeDays,
      webhook: {
        url: Lazy.stringValue({ produce: () => this.webhookUrl }),
        headers: [{ name: "x-api-key", value: this.apiKey.value, sensitive: true }],
      },
    });
    this.task = new FargateAgentTask(this, "Agent", fargateTaskProps(p, { ...(props.settings as ServerlessAgentSettings), token: this.pool.tokenSource() }), {
      single: true,
      subject,
    });
    new EcsClusterCapacityProviders(this, "CapacityProviders", {
      clusterName: this.cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    });

    // The handler: its own log group (created first, with retention), least-privilege role.
    const handlerName = `${p.name}-webhook`;
    const handlerLogs = new CloudwatchLogGroup(this, "HandlerLogGroup", { name: `/aws/lambda/${handlerName}`, retentionInDays: p.logRetentionDays });
    this.handlerLogGroup = handlerLogs;
    const { partition, region, account } = this.task;
    this.handlerRole = new IamRole(this, "HandlerRole", {
      name: `${p.name}-webhook-handler`,
      description: "Starts one Scalr agent task per webhook delivery",
      assumeRolePolicy: lambdaAssumeRolePolicy(account.accountId),
    });
    new IamRolePolicy(this, "HandlerPolicy", {
      role: this.handlerRole.id,
      name: "start-agent-tasks",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "RunAgentTask",
            Effect: "Allow",
            Action: ["ecs:RunTask"],
            Resource: [`${this.task.taskDefinition.arnWithoutRevision}:*`],
            Condition: { ArnEquals: { "ecs:cluster": this.cluster.arn } },
          },
          {
            // Before RunTask the handler looks for the delivery's task (startedBy): a redelivery
            // answers with it instead of starting another. ListTasks authorizes against container
            // instances, which Fargate tasks have none of: "*" scoped to the cluster by condition.
            Sid: "FindDeliveryTask",
            Effect: "Allow",
            Action: ["ecs:ListTasks"],
            Resource: "*",
            Condition: { ArnEquals: { "ecs:cluster": this.cluster.arn } },
          },
          {
            Sid: "TagAgentTaskAtLaunch",
            Effect: "Allow",
            Action: ["ecs:TagResource"],
            Resource: [`arn:${partition.partition}:ecs:${region.region}:${account.accountId}:task/${p.name}/*`],
            Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
          },
          {
            Sid: "PassAgentRoles",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: [this.task.executionRole.arn, this.task.taskRole.arn],
            Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
          },
          { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${handlerLogs.arn}:*`] },
        ],
      }),
    });

    const code = new TerraformAsset(this, "HandlerCode", { path: bundleWebhookHandler(), type: AssetType.ARCHIVE });
    const environment: Record<string, string> = {
      CLUSTER_ARN: this.cluster.arn,
      TASK_DEFINITION_ARN: this.task.taskDefinition.arn,
      SUBNET_IDS: p.subnetIds.some(isToken) ? Fn.join(",", [...p.subnetIds]) : p.subnetIds.join(","),
      SECURITY_GROUP_IDS: this.task.securityGroup.id,
      ASSIGN_PUBLIC_IP: p.assignPublicIp ? "ENABLED" : "DISABLED",
    };
    if (p.spot) {
      environment.CAPACITY_PROVIDER_STRATEGY = JSON.stringify([{ capacityProvider: "FARGATE_SPOT", weight: 1, base: 0 }]);
      environment.FALLBACK_TO_FARGATE = "true";
      if (p.spot === "read-only") environment.STRATEGY_ACTIONS = JSON.stringify(SERVERLESS_SPOT_READ_ONLY_ACTIONS);
    }
    this.handler = new LambdaFunction(this, "Handler", {
      functionName: handlerName,
      description: `Scalr serverless agent pool ${p.name}: starts one Fargate agent per task`,
      role: this.handlerRole.arn,
      runtime: WEBHOOK_HANDLER_LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: WEBHOOK_HANDLER_LAMBDA_HANDLER,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: 256,
      timeout: HANDLER_TIMEOUT_SECONDS,
      reservedConcurrentExecutions: p.maxConcurrentLaunches,
      environment: { variables: environment },
      dependsOn: [handlerLogs],
    });
    // The handler's environment, resolved, for review next to the stack (ARNs and IDs, no secret).
    addReviewFile(this, "handler-environment.json", () => `${JSON.stringify(resolveTokens(TerraformStack.of(this), environment), null, 2)}\n`);

    const integration = new ApiGatewayIntegration(this, "TriggerIntegration", {
      restApiId: this.api.id,
      resourceId: route.id,
      httpMethod: method.httpMethod,
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: this.handler.invokeArn,
    });
    new LambdaPermission(this, "InvokePermission", {
      functionName: this.handler.functionName,
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/*/POST/${WEBHOOK_PATH}`,
    });
    if (p.allowedSourceCidrs) {
      this.api.policy = terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: "execute-api:Invoke",
            Resource: "execute-api:/*",
            Condition: { IpAddress: { "aws:SourceIp": p.allowedSourceCidrs } },
          },
        ],
      });
    }
    const deployment = new ApiGatewayDeployment(this, "Deployment", {
      restApiId: this.api.id,
      // A new deployment whenever the route, its integration or the resource policy changes.
      triggers: { redeployment: Fn.sha1(Fn.jsonencode([route.id, method.id, method.apiKeyRequired, integration.id, integration.uri, p.allowedSourceCidrs ?? []])) },
      lifecycle: { createBeforeDestroy: true },
    });
    this.stage = new ApiGatewayStage(this, "Stage", { restApiId: this.api.id, deploymentId: deployment.id, stageName: "prod" });
    const plan = new ApiGatewayUsagePlan(this, "UsagePlan", {
      name: `${p.name}-scalr`,
      description: "Scalr webhook deliveries",
      apiStages: [{ apiId: this.api.id, stage: this.stage.stageName }],
      throttleSettings: { rateLimit: p.throttle.rateLimit, burstLimit: p.throttle.burstLimit },
      quotaSettings: { limit: p.throttle.dailyQuota, period: "DAY" },
    });
    new ApiGatewayUsagePlanKey(this, "UsagePlanKey", { keyId: this.apiKey.id, keyType: "API_KEY", usagePlanId: plan.id });

    this.webhookUrl = `${this.stage.invokeUrl}/${WEBHOOK_PATH}`;
    this.poolId = this.pool.poolId;
    this.clusterName = this.cluster.name;
    this.taskDefinitionArn = this.task.taskDefinitionArn;
    this.handlerLogGroupName = handlerLogs.name;
    this.agentLogGroupName = this.task.logGroupName;

    const actions = alarmActions(p.alarms);
    if (actions !== undefined || p.dashboard) this.taskEvents = this.taskEventsOf(p.name, p.logRetentionDays);
    this.alarms =
      actions === undefined
        ? []
        : [...this.createAlarms(p.name, handlerName, handlerLogs, actions), this.timeToStartAlarm(p.name, p.timeToStartTargetSeconds, actions), this.tasksFailedToStartAlarm(p.name, actions)];
    if (p.dashboard) {
      this.launchLatencyOf(p.name, handlerLogs);
      this.dashboardBody = this.dashboardOf(p.name, handlerName, handlerLogs);
      const body = this.dashboardBody;
      this.dashboard = new CloudwatchDashboard(this, SERVERLESS_AGENT_POOL_OPERATIONS_IDS.dashboard, {
        // 1–255 letters, digits, '-', '_' (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
        dashboardName: `scalr-agents-${p.name}`,
        dashboardBody: Lazy.stringValue({ produce: () => body.render() }),
      });
    }
  }

  /**
   * The dashboard's widgets, and the metric filter that counts the handler's lines by outcome. The
   * start of an agent is plotted in two parts: the handler's own time (webhook received → RunTask
   * answered, `WebhookToRunTaskMs`) and ECS's (task created → RUNNING, `TimeToRunningMs`).
   */
  private dashboardOf(poolName: string, handlerName: string, handlerLogs: CloudwatchLogGroup): DashboardBody {
    const namespace = launchFailuresNamespace(poolName);
    // Each handler line is JSON with `message: "scalr webhook"` and `outcome`
    // (agent/serverless/handler.ts); a metric filter on JSON events may publish a field's value as a
    // dimension: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
    // ("Publishing dimensions with metrics from values in JSON or space-delimited log events").
    // The outcomes are few (LaunchOutcome plus config-error and handler-error), so are the metrics.
    new CloudwatchLogMetricFilter(this, SERVERLESS_AGENT_POOL_OPERATIONS_IDS.deliveryOutcomesFilter, {
      name: `${poolName}-webhook-deliveries`,
      logGroupName: handlerLogs.name,
      pattern: DELIVERY_LOG_PATTERN,
      metricTransformation: { name: DELIVERY_OUTCOMES_METRIC, namespace, value: "1", dimensions: { Outcome: "$.outcome" } },
    });
    const api = { ApiName: this.api.name, Stage: this.stage.stageName };
    const fn = { FunctionName: handlerName };
    const outcome = (o: string, label = o) => ({ namespace, name: DELIVERY_OUTCOMES_METRIC, dimensions: { Outcome: o }, label });
    const body = new DashboardBody(this.task.region.region).add(
      {
        kind: "text",
        markdown: `# Scalr serverless agent pool ${poolName}\nScalr's webhook deliveries, the agent tasks they launched or failed to launch, and the handler. Logs: \`/aws/lambda/${handlerName}\` (one JSON line per delivery, with ECS's failure reason) and \`/ecs/${poolName}\` (the agents).`,
      },
      {
        kind: "metric",
        title: "Webhook deliveries: requests, 4xx, 5xx",
        metrics: [
          { namespace: "AWS/ApiGateway", name: "Count", dimensions: api, label: "requests" },
          { namespace: "AWS/ApiGateway", name: "4XXError", dimensions: api, label: "4xx (key, throttle, quota)" },
          { namespace: "AWS/ApiGateway", name: "5XXError", dimensions: api, label: "5xx" },
        ],
      },
      {
        kind: "metric",
        title: "Launches by outcome",
        stacked: true,
        periodSeconds: 300,
        metrics: [...LAUNCH_STARTED_OUTCOMES, ...LAUNCH_FAILURE_OUTCOMES, ...OTHER_OUTCOMES].map((o) => outcome(o)),
      },
      {
        kind: "metric",
        title: "Agent tasks that failed to start (ECS stop code TaskFailedToStart)",
        periodSeconds: 300,
        metrics: [{ namespace, name: TASKS_FAILED_TO_START_METRIC, dimensions: { Pool: poolName }, label: "failed to start (reason: task-events log)" }],
      },
      {
        kind: "metric",
        title: "Handler: invocations, errors, throttles",
        metrics: ["Invocations", "Errors", "Throttles"].map((m) => ({ namespace: "AWS/Lambda", name: m, dimensions: fn })),
      },
      {
        kind: "metric",
        title: "Handler duration (ms)",
        stat: "p95",
        metrics: [
          { namespace: "AWS/Lambda", name: "Duration", dimensions: fn, label: "p95" },
          { namespace: "AWS/Lambda", name: "Duration", dimensions: fn, stat: "Maximum", label: "maximum" },
        ],
      },
      {
        kind: "metric",
        title: "Agent start (ms): webhook → RunTask answered (handler), task created → RUNNING (ECS)",
        stat: "p95",
        periodSeconds: 300,
        width: 24,
        metrics: [
          { namespace, name: WEBHOOK_TO_RUN_TASK_METRIC, stat: "p50", label: "handler, p50" },
          { namespace, name: WEBHOOK_TO_RUN_TASK_METRIC, stat: "p95", label: "handler, p95" },
          { namespace, name: TIME_TO_RUNNING_METRIC, dimensions: { Pool: poolName }, stat: "p50", label: "to RUNNING, p50" },
          { namespace, name: TIME_TO_RUNNING_METRIC, dimensions: { Pool: poolName }, stat: "p95", label: "to RUNNING, p95" },
          { namespace, name: TIME_TO_RUNNING_METRIC, dimensions: { Pool: poolName }, stat: "p99", label: "to RUNNING, p99" },
        ],
      },
    );
    if (this.alarms.length > 0) body.add({ kind: "alarm", title: "Alarms", alarmArns: this.alarms.map((a) => a.arn) });
    return body;
  }

  /**
   * The task-events Lambda and what it needs: an EventBridge rule for this cluster's agent tasks
   * reaching RUNNING, its log group (created first, with retention), a role that may only write
   * those logs, a concurrency cap, and the permission for EventBridge to invoke it from this rule.
   */
  private taskEventsOf(poolName: string, retentionDays: number): LambdaFunction {
    const ids = SERVERLESS_AGENT_POOL_OPERATIONS_IDS;
    const functionName = `${poolName}-task-events`;
    const logs = new CloudwatchLogGroup(this, ids.taskEventsLogGroup, { name: `/aws/lambda/${functionName}`, retentionInDays: retentionDays });
    const role = new IamRole(this, ids.taskEventsRole, {
      name: functionName,
      description: "Writes the time Scalr agent tasks take to reach RUNNING, and the tasks that failed to start, to its own log group",
      assumeRolePolicy: lambdaAssumeRolePolicy(this.task.account.accountId),
    });
    new IamRolePolicy(this, ids.taskEventsPolicy, {
      role: role.id,
      name: "write-own-logs",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [{ Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${logs.arn}:*`] }],
      }),
    });
    const code = new TerraformAsset(this, "TaskEventsCode", { path: bundleTaskEvents(), type: AssetType.ARCHIVE });
    const fn = new LambdaFunction(this, ids.taskEvents, {
      functionName,
      description: `Scalr serverless agent pool ${poolName}: time from RunTask to RUNNING of each agent task, as a metric`,
      role: role.arn,
      runtime: TASK_EVENTS_LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: TASK_EVENTS_LAMBDA_HANDLER,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: 128,
      timeout: 10,
      // A few invocations at once are plenty for one line per task; EventBridge retries an invocation
      // Lambda throttles (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
      reservedConcurrentExecutions: TASK_EVENTS_CONCURRENCY,
      environment: {
        variables: {
          [TASK_EVENTS_ENVIRONMENT.clusterArn]: this.cluster.arn,
          [TASK_EVENTS_ENVIRONMENT.namespace]: launchFailuresNamespace(poolName),
          [TASK_EVENTS_ENVIRONMENT.pool]: poolName,
        },
      },
      dependsOn: [logs],
    });
    // ECS sends "ECS Task State Change" events to the default bus with source "aws.ecs"
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html); `detail`
    // carries the Task object's `clusterArn`, `lastStatus`, `stopCode` and, for tasks started with
    // one, `startedBy`. Prefix matching on a string field:
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-prefix-matching
    // Every STOPPED event is forwarded (one per task): the Lambda keeps those with stop code
    // TaskFailedToStart and logs why it skipped the others.
    const rule = new CloudwatchEventRule(this, ids.taskStateRule, {
      name: `${poolName}-task-state`,
      description: `Agent tasks of the Scalr serverless pool ${poolName} reaching RUNNING or STOPPED`,
      eventPattern: terraformJson({
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
          clusterArn: [this.cluster.arn],
          lastStatus: [...TASK_EVENT_STATUSES],
          startedBy: HANDLER_STARTED_BY_PREFIXES.map((prefix) => ({ prefix })),
        },
      }),
    });
    new CloudwatchEventTarget(this, ids.taskStateTarget, { rule: rule.name, arn: fn.arn, targetId: "task-events" });
    new LambdaPermission(this, ids.taskEventsPermission, {
      functionName: fn.functionName,
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
    });
    return fn;
  }

  /**
   * `<name>-time-to-start`: p95 of `TimeToRunningMs` above the target over three 5-minute periods.
   * No data (no agent started) is not breaching: an idle pool is not slow.
   */
  private timeToStartAlarm(name: string, targetSeconds: number, actions: string[]): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(this, SERVERLESS_AGENT_POOL_OPERATIONS_IDS.timeToStartAlarm, {
      alarmName: `${name}-time-to-start`,
      alarmDescription: `p95 of agent tasks' time from RunTask to RUNNING is above ${targetSeconds} s: runs wait for their agent (image pull, capacity, ENIs; see docs/operations.md)`,
      namespace: launchFailuresNamespace(name),
      metricName: TIME_TO_RUNNING_METRIC,
      dimensions: { Pool: name },
      extendedStatistic: "p95",
      period: 300,
      evaluationPeriods: 3,
      threshold: targetSeconds * 1000,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: actions,
      okActions: actions,
    });
  }

  /**
   * `<name>-agent-tasks-failed-to-start`: any agent task that ECS accepted but stopped before it
   * ran (an image that cannot be pulled, a secret that cannot be read, no free IP in the subnets).
   * RunTask succeeded for these, so the launch-failures alarm does not see them. No data is not
   * breaching.
   */
  private tasksFailedToStartAlarm(name: string, actions: string[]): CloudwatchMetricAlarm {
    return new CloudwatchMetricAlarm(this, SERVERLESS_AGENT_POOL_OPERATIONS_IDS.tasksFailedToStartAlarm, {
      alarmName: `${name}-agent-tasks-failed-to-start`,
      alarmDescription: `Agent tasks stopped before they ran (ECS stop code TaskFailedToStart): their runs wait. The reason is in /aws/lambda/${name}-task-events (stoppedReason; see docs/operations.md)`,
      namespace: launchFailuresNamespace(name),
      metricName: TASKS_FAILED_TO_START_METRIC,
      dimensions: { Pool: name },
      ...oneOccurrenceAlarm(actions),
    });
  }

  /**
   * The handler's part of each launch as a metric: its `launched` line carries `durationMs`, from
   * the request's arrival to RunTask's answer (agent/serverless/handler.ts). A metric filter on JSON
   * events may publish a numeric field as the metric's value
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html, "Using
   * metric filters to extract values from JSON log events"), and percentiles apply to it.
   */
  private launchLatencyOf(poolName: string, handlerLogs: CloudwatchLogGroup): void {
    new CloudwatchLogMetricFilter(this, SERVERLESS_AGENT_POOL_OPERATIONS_IDS.launchLatencyFilter, {
      name: `${poolName}-webhook-to-run-task`,
      logGroupName: handlerLogs.name,
      pattern: LAUNCHED_PATTERN,
      metricTransformation: { name: WEBHOOK_TO_RUN_TASK_METRIC, namespace: launchFailuresNamespace(poolName), value: "$.durationMs", unit: "Milliseconds" },
    });
  }

  private createAlarms(name: string, handlerName: string, handlerLogs: CloudwatchLogGroup, actions: string[]): CloudwatchMetricAlarm[] {
    const common = oneOccurrenceAlarm(actions);
    new CloudwatchLogMetricFilter(this, "LaunchFailuresFilter", {
      name: `${name}-agent-launch-failures`,
      logGroupName: handlerLogs.name,
      pattern: LAUNCH_FAILED_PATTERN,
      metricTransformation: { name: LAUNCH_FAILURES_METRIC, namespace: launchFailuresNamespace(name), value: "1" },
    });
    return [
      new CloudwatchMetricAlarm(this, "HandlerErrorsAlarm", {
        ...common,
        alarmName: `${name}-webhook-handler-errors`,
        alarmDescription: "The Scalr webhook handler failed: deliveries are retried by Scalr, runs may wait",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: handlerName },
      }),
      new CloudwatchMetricAlarm(this, "HandlerThrottlesAlarm", {
        ...common,
        alarmName: `${name}-webhook-handler-throttles`,
        alarmDescription: "The webhook handler hit its concurrency cap: raise maxConcurrentLaunches if runs queue",
        namespace: "AWS/Lambda",
        metricName: "Throttles",
        dimensions: { FunctionName: handlerName },
      }),
      new CloudwatchMetricAlarm(this, "Api5xxAlarm", {
        ...common,
        alarmName: `${name}-webhook-api-5xx`,
        alarmDescription: "The webhook API answered 5xx: Scalr redelivers, agents may start late",
        namespace: "AWS/ApiGateway",
        metricName: "5XXError",
        dimensions: { ApiName: this.api.name, Stage: this.stage.stageName },
      }),
      new CloudwatchMetricAlarm(this, "LaunchFailuresAlarm", {
        ...common,
        alarmName: `${name}-agent-launch-failures`,
        alarmDescription: "ECS could not start an agent task (capacity, subnets, image): runs wait until a redelivery succeeds",
        namespace: launchFailuresNamespace(name),
        metricName: LAUNCH_FAILURES_METRIC,
      }),
    ];
  }
}

/** Reserved concurrency of the task-events Lambda: each invocation writes one line. */
const TASK_EVENTS_CONCURRENCY = 5;
/** Lambda timeout: long enough for RunTask retries with backoff, short against Scalr's delivery timeout. */
const HANDLER_TIMEOUT_SECONDS = 30;
/** Handler outcomes where no agent started (the handler logs one JSON line per request with `outcome`). */
const LAUNCH_FAILURE_OUTCOMES: readonly LaunchOutcome[] = ["ecs-failures", "no-task", "throttled", "ecs-unavailable", "ecs-error"];
/** Handler outcomes where an agent task runs. */
const LAUNCH_STARTED_OUTCOMES: readonly LaunchOutcome[] = ["launched", "already-running"];
/** Handler outcomes of requests that were no launch: bad requests, the handler's own failures. */
const OTHER_OUTCOMES: readonly string[] = ["rejected", "method-not-allowed", "config-error", "handler-error"];
/** CloudWatch Logs filter matching every line of the handler (one per request). */
const DELIVERY_LOG_PATTERN = '{ $.message = "scalr webhook" }';
/** CloudWatch Logs filter matching the handler's log line for a launch that started a task. */
const LAUNCHED_PATTERN = '{ ($.message = "scalr webhook") && ($.outcome = "launched") }';
/** CloudWatch Logs filter matching the handler's log line for a launch that started no task. */
const LAUNCH_FAILED_PATTERN = `{ ${LAUNCH_FAILURE_OUTCOMES.map((o) => `($.outcome = "${o}")`).join(" || ")} }`;
