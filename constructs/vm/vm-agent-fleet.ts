import { AutoscalingGroup, AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsAmi } from "@cdktf/provider-aws/lib/data-aws-ami";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Annotations, Lazy, Token } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { IssueCollector } from "../../core/issues";
import { KitValidationError, ValidationIssue, describeValue, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { terraformJson } from "../../core/terraform-json";
import { terraformLiterals } from "../../core/terraform-literal";
import { EC2_USER_DATA_MAX_BYTES, encodeEc2UserData } from "../../agent/vm/ec2-user-data";
import { renderVmUserData, VmInstallMode, VmUserData } from "../../agent/vm/render-user-data";
import { VM_OPERATING_SYSTEMS, VmOperatingSystem } from "../../agent/vm/vm-os";
import { VmTokenFetch } from "../../agent/vm/vm-token-fetch";
import { VM_LOG_EVENTS } from "../../agent/vm/log-events";
import { AlarmsOption, alarmActions, alarmsOptionSchema } from "../operations/alarm-actions";
import { autoscalerWidgets, noAgentAlarm, noAgentAlarmNames, whenAutoscalersKnown } from "../operations/autoscaler-monitoring";
import { DashboardBody } from "../operations/dashboard-body";
import { logMetricAlarm } from "../operations/log-metric-alarm";
import { ecrPullStatements } from "../image/ecr-pull-permissions";
import { AgentRuntime, RuntimeAgentSettings, resolveRuntimeSettings, runtimePoolSchema } from "../runtime/agent-runtime";
import { addReviewFile } from "../runtime/review-files";
import { AgentPool } from "../scalr/agent-pool";
import { EC2_INSTANCE_TYPES, Ec2Architecture } from "./ec2-instance-types";
import { VM_AMI_SSM_PARAMETERS } from "./vm-ami-parameters";

/** AgentSettings where the token and pool kind may come from `pool` ({@link RuntimeAgentSettings}). */
export type VmAgentFleetSettings = RuntimeAgentSettings;

/**
 * What VmAgentFleet takes from a pool and a token: both pool kinds, and a token its instances can
 * fetch at boot from Secrets Manager (a Terraform value goes into a secret the fleet creates).
 */
const EC2_AGENT_RUNTIME: AgentRuntime = {
  tokenSources: {
    accepted: ["terraform", "aws-secrets-manager"],
    message: "must be a Terraform value (VmAgentFleet stores it in a Secrets Manager secret) or AgentTokenSource.fromAwsSecretsManager(arn)",
    example: "AgentTokenSource.fromAwsSecretsManager(arn)",
  },
};

/** Spot capacity of a {@link VmAgentFleet}. */
export interface VmAgentFleetSpot {
  /** On-demand instances the group always keeps before adding spot ones. @default 0 */
  readonly onDemandBaseCapacity?: number;
  /** Percentage of on-demand instances above the base capacity. @default 0 (all spot above the base) */
  readonly onDemandPercentageAboveBaseCapacity?: number;
  /** How spot capacity is chosen among the instance types. @default "price-capacity-optimized" */
  readonly allocationStrategy?: "price-capacity-optimized" | "capacity-optimized" | "capacity-optimized-prioritized" | "lowest-price";
}

/** How an instance refresh (after a launch template change) replaces instances. */
export interface VmAgentFleetInstanceRefresh {
  /** Healthy capacity kept during the refresh, in percent of the desired capacity. @default 100 */
  readonly minHealthyPercentage?: number;
  /** Capacity allowed during the refresh, in percent: above 100, new instances start before old ones drain. @default 200 */
  readonly maxHealthyPercentage?: number;
}

/** Props of {@link VmAgentFleet}. */
export interface VmAgentFleetProps {
  /**
   * Name of the Auto Scaling group and launch template, prefix of the instance role and security
   * group, and part of the token secret's name (`scalr-agent/<name>/pool-token`). Known at synth
   * time: the user data names the group and the secret literally.
   */
  readonly name: string;
  /**
   * The agent: Scalr URL, concurrency, proxy, CA bundle, shutdown, … (all known at synth time). The
   * token is a Terraform value (stored in a Secrets Manager secret this construct creates) or
   * `AgentTokenSource.fromAwsSecretsManager(arn)` (a secret you already have).
   */
  readonly settings: VmAgentFleetSettings;
  /** The pool the agents join; supplies the token and kind unless `settings` names them. @default - none */
  readonly pool?: AgentPool;
  /** Operating system of the instances. */
  readonly os: VmOperatingSystem;
  /** CPU architecture of the instances and their image. @default "x86_64" */
  readonly architecture?: Ec2Architecture;
  /**
   * The image. Required for `rocky-9`, which has no public SSM parameter.
   * @default - the current image of `os` and `architecture`, read from AWS's public SSM parameter at plan time
   */
  readonly amiId?: string;
  /** Instance type (the first choice with mixed instances). @default - "t3.large" on x86_64, "t4g.large" on arm64 (8 GiB) */
  readonly instanceType?: string;
  /** More instance types for a mixed-instances group (spot pools, capacity). Each must fit the agent too. @default [] */
  readonly additionalInstanceTypes?: readonly string[];
  /**
   * Memory in MiB of instance types the kit does not know (see `EC2_INSTANCE_TYPES`), e.g.
   * `{ "x8g.large": 32768 }`; also overrides a known type's value.
   * @default {}
   */
  readonly instanceMemoryMiB?: Readonly<Record<string, number>>;
  /** Memory kept for the OS, Docker and the agent itself, in MiB. @default 1024 */
  readonly osReserveMiB?: number;
  /**
   * Memory one run needs, in MiB: concurrency × this + the OS reserve must fit the instance (Scalr's
   * sizing rule, https://docs.scalr.io/docs/self-hosted-agents-pools).
   * @default - `settings.containerTask.memoryLimitMiB` when set, else 512 (Scalr's figure for most workloads)
   */
  readonly taskMemoryMiB?: number;
  /** VPC of the security group. */
  readonly vpcId: string;
  /** Subnets the instances run in (private subnets with a route out: NAT or proxy). */
  readonly subnetIds: readonly string[];
  /** @default 1 */
  readonly minSize?: number;
  /** @default 3 */
  readonly maxSize?: number;
  /** @default - not managed by Terraform (starts at `minSize`; scaling policies or operators change it) */
  readonly desiredCapacity?: number;
  /** Root volume size in GiB (gp3, encrypted). @default 50 */
  readonly rootVolumeSizeGiB?: number;
  /** KMS key (ARN) that encrypts the root volume. @default - the account's default EBS key */
  readonly rootVolumeKmsKeyId?: string;
  /**
   * Give instances a public IP address. Risky: the instances become reachable from the internet
   * wherever the security group allows (none by default), and they reach out without a NAT or proxy.
   * @default false
   */
  readonly associatePublicIp?: boolean;
  /** More security groups for the instances. @default [] */
  readonly securityGroupIds?: readonly string[];
  /** Spot capacity (turns on capacity rebalancing, which replaces instances through the drain). @default - on-demand only */
  readonly spot?: VmAgentFleetSpot;
  /**
   * Heartbeat timeout of the termination lifecycle hook, in seconds: how long Auto Scaling waits for
   * the drain without a heartbeat. It must outlast the drain on its own (at least
   * `settings.shutdown.gracePeriodSeconds` + 60), so a lost heartbeat never cuts a run short.
   * @default - `settings.shutdown.gracePeriodSeconds` + 60 (at most 7200, EC2 Auto Scaling's maximum)
   */
  readonly lifecycleHookTimeoutSeconds?: number;
  /** Instance refresh preferences. @default - keep 100 % healthy, start new instances before draining old ones */
  readonly instanceRefresh?: VmAgentFleetInstanceRefresh;
  /**
   * Days an instance serves before EC2 Auto Scaling replaces it (through the drain hook), so a fleet
   * that never scales in still rolls onto the current AMI and a fresh boot. 1–365, or 0 for no limit
   * (one day is EC2 Auto Scaling's minimum, so 0–365 is the whole range).
   * Busy instances protected from scale-in (AgentAutoscaler) are not replaced until they are idle.
   * @default 30
   */
  readonly maxInstanceLifetimeDays?: number;
  /** How the agent is installed. @default "docker" */
  readonly installMode?: VmInstallMode;
  /**
   * The customer-managed KMS key (ARN) that encrypts the token secret. The instance role gets
   * `kms:Decrypt` on it, only through Secrets Manager (`kms:ViaService`); a secret this construct
   * creates is encrypted with it.
   * @default - the AWS managed key `aws/secretsmanager`, which needs no grant
   */
  readonly tokenSecretKmsKeyArn?: string;
  /** Send the OS package manager through the agent's proxy. @default true */
  readonly packageManagerProxy?: boolean;
  /** Tags for the group, its instances and volumes. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Days the fleet's log group (`/scalr-agent/<name>`: the agent, its token fetch, Docker, the drain
   * watcher and first boot, shipped from each instance's journal) keeps events. One of CloudWatch
   * Logs' retention values.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * CloudWatch alarms: token fetch failures at boot, drain timeouts on scale-in, and, when an
   * AgentAutoscaler drives the fleet, no agent online while runs wait (`noAgentAlarmMinutes`).
   * `false` turns them off; `{ actions }` sends ALARM and OK to SNS topics (see docs/operations.md).
   * @default true (alarms without notifications)
   */
  readonly alarms?: AlarmsOption;
  /**
   * Minutes runs may wait with no agent of the pool online (busy or idle) before the alarm fires,
   * read from the autoscaler's metrics (only with an AgentAutoscaler on this fleet). A multiple of
   * 5, 5–120: the alarm evaluates 5-minute periods.
   * @default 15
   */
  readonly noAgentAlarmMinutes?: number;
  /** A CloudWatch dashboard of the fleet (`scalr-agents-<name>`). @default true */
  readonly dashboard?: boolean;
}

/** Scalr's documented limit of concurrent runs per agent (https://docs.scalr.io/docs/self-hosted-agents-pools), used when `concurrency` is unset. */
export const AGENT_DEFAULT_CONCURRENCY = 5;
/** Memory per run when nothing says otherwise: "512MB of RAM ... for each run" (https://docs.scalr.io/docs/self-hosted-agents-pools). */
export const DEFAULT_TASK_MEMORY_MIB = 512;
/** Memory kept for the OS, Docker and the agent. */
export const DEFAULT_OS_RESERVE_MIB = 1024;
/** EC2 Auto Scaling's maximum heartbeat timeout of a lifecycle hook. */
export const LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS = 7200;
/** Seconds the hook waits beyond the agent's grace period: the watcher's poll plus completing the action. */
export const DRAIN_COMPLETION_MARGIN_SECONDS = 60;
/** The termination lifecycle hook's name (the drain watcher names it literally). */
export const VM_DRAIN_HOOK_NAME = "scalr-agent-drain";
/** CloudWatch Logs' retention values (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html). */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
/** The autoscaler's embedded metrics (agent/autoscaler/handler.ts, `embeddedMetrics`). */
/**
 * Auto Scaling group metrics the dashboard plots, collected at one-minute granularity (free of
 * charge: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-metrics.html).
 */
const GROUP_METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupMinSize", "GroupMaxSize"] as const;

/** Construct ids of the operations resources of a {@link VmAgentFleet} (ids are public API: a renamed id replaces the resource). */
export const VM_AGENT_FLEET_OPERATIONS_IDS = {
  /** `aws_cloudwatch_log_group` `/scalr-agent/<name>`. */
  logGroup: "LogGroup",
  /** `aws_iam_role_policy`: the instances write their journal to the log group. */
  logsPolicy: "LogsPolicy",
  /** `aws_cloudwatch_log_metric_filter` + `aws_cloudwatch_metric_alarm` (`…Filter`, `…Alarm`): token fetch failures. */
  tokenFetchFailures: "TokenFetchFailures",
  /** `aws_cloudwatch_log_metric_filter` + `aws_cloudwatch_metric_alarm` (`…Filter`, `…Alarm`): drain timeouts. */
  drainTimeouts: "DrainTimeouts",
  /** `aws_cloudwatch_metric_alarm`: no agent online while runs wait (with an AgentAutoscaler), one per autoscaler: `NoAgentAlarm`, `NoAgentAlarm2`, … */
  noAgentAlarm: "NoAgentAlarm",
  /** `aws_cloudwatch_dashboard`. */
  dashboard: "Dashboard",
} as const;

const NAME = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;
const instanceType = z.string().regex(INSTANCE_TYPE, { error: 'must be an EC2 instance type such as "t3.large"' });

const propsSchema = strictProps({
  name: z.string().regex(NAME, { error: "must be 1–32 letters, digits or '-', starting with a letter" }),
  // Validated in full by renderVmUserData, with every field named `settings.…`.
  settings: z.custom<VmAgentFleetSettings>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { error: "must be an object of agent settings" }),
  pool: runtimePoolSchema.optional(),
  os: z.enum(VM_OPERATING_SYSTEMS as [VmOperatingSystem, ...VmOperatingSystem[]]),
  architecture: z.enum(["x86_64", "arm64"]).default("x86_64"),
  amiId: tokenOr(z.string().regex(/^ami-[0-9a-f]{8,17}$/, { error: 'must be an AMI ID such as "ami-0abc1234def567890"' })).optional(),
  instanceType: instanceType.optional(),
  additionalInstanceTypes: z.array(instanceType).default([]),
  instanceMemoryMiB: z.record(z.string(), literalIntInRange(512, 33554432)).default({}),
  osReserveMiB: literalIntInRange(256, 65536).default(DEFAULT_OS_RESERVE_MIB),
  taskMemoryMiB: literalIntInRange(128, 262144).optional(),
  vpcId: tokenOr(z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC ID such as "vpc-0abc1234"' })),
  subnetIds: tokenOr(z.array(tokenOr(z.string().regex(/^subnet-[0-9a-f]+$/, { error: 'must be a subnet ID such as "subnet-0abc1234"' }))).min(1)),
  minSize: literalIntInRange(0, 1000).default(1),
  maxSize: literalIntInRange(1, 1000).default(3),
  desiredCapacity: literalIntInRange(0, 1000).optional(),
  rootVolumeSizeGiB: literalIntInRange(8, 16384).default(50),
  rootVolumeKmsKeyId: tokenOr(z.string().regex(/^arn:aws[a-z-]*:kms:/, { error: "must be a KMS key ARN" })).optional(),
  associatePublicIp: z.boolean().default(false),
  securityGroupIds: z.array(tokenOr(z.string().regex(/^sg-[0-9a-f]+$/, { error: 'must be a security group ID such as "sg-0abc1234"' }))).default([]),
  spot: strictProps({
    onDemandBaseCapacity: literalIntInRange(0, 1000).default(0),
    onDemandPercentageAboveBaseCapacity: literalIntInRange(0, 100).default(0),
    allocationStrategy: z.enum(["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"]).default("price-capacity-optimized"),
  }).optional(),
  lifecycleHookTimeoutSeconds: literalIntInRange(30, LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS).optional(),
  instanceRefresh: strictProps({
    minHealthyPercentage: literalIntInRange(0, 100).default(100),
    maxHealthyPercentage: literalIntInRange(100, 200).default(200),
  }).default({ minHealthyPercentage: 100, maxHealthyPercentage: 200 }),
  // At least one day (86,400 s), 0 clears it:
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-max-instance-lifetime.html
  maxInstanceLifetimeDays: literalIntInRange(0, 365).default(30),
  installMode: z.enum(["docker", "package"]).default("docker"),
  tokenSecretKmsKeyArn: tokenOr(z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, { error: 'must be a KMS key ARN such as "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"' })).optional(),
  packageManagerProxy: z.boolean().default(true),
  tags: z.record(z.string(), tokenOr(z.string())).default({}),
  logRetentionDays: z
    .number()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { error: `must be a CloudWatch Logs retention: ${RETENTION_DAYS.join(", ")}` })
    .default(30),
  alarms: alarmsOptionSchema,
  noAgentAlarmMinutes: literalIntInRange(5, 120)
    .refine((m) => typeof m !== "number" || m % 5 === 0, { error: "must be a multiple of 5 (the alarm evaluates 5-minute periods)" })
    .default(15),
  dashboard: z.boolean().default(true),
}) satisfies z.ZodType<VmAgentFleetProps>;

/**
 * Scalr agents on an EC2 Auto Scaling group that never kills a running run.
 *
 * Each instance boots the kit's cloud-init document (`renderVmUserData`, rendered at synth time and
 * gzip-compressed into the launch template): Docker and the pinned `scalr/agent` under systemd, the
 * pool token fetched at boot from Secrets Manager by the instance role, and a drain watcher. When
 * Auto Scaling terminates an instance (scale-in, instance refresh, capacity rebalancing), a
 * termination lifecycle hook holds it; the watcher sees the target lifecycle state `Terminated`,
 * stops the agent (which drains: no new runs, running runs finish), sends heartbeats and then
 * completes the hook.
 *
 * Secure defaults: IMDSv2 only with a hop limit of 1 (task containers cannot reach the instance
 * role), an encrypted gp3 root volume, no public IP, no SSH key (Session Manager instead), a
 * security group without ingress, and an instance role that can read only its own token secret,
 * answer only its own group's lifecycle hook, and open Session Manager sessions (not the rest of
 * Systems Manager: no parameters, documents or Run Command).
 *
 * @example
 * new VmAgentFleet(this, "Fleet", {
 *   name: "scalr-agents", os: "amazon-linux-2023", pool, vpcId, subnetIds,
 *   settings: { scalrUrl: "https://example.scalr.io", concurrency: 4 },
 * });
 */
export class VmAgentFleet extends Construct {
  /** The Auto Scaling group (escape hatch). */
  public readonly resource: AutoscalingGroup;
  /** The launch template. */
  public readonly launchTemplate: LaunchTemplate;
  /** The instance role (add the permissions your runs need through their provider configuration, not here). */
  public readonly role: IamRole;
  /** The instance profile of `role`. */
  public readonly instanceProfile: IamInstanceProfile;
  /** The instances' security group: egress only. */
  public readonly securityGroup: SecurityGroup;
  /** The secret holding the pool token, when the token is a Terraform value. */
  public readonly tokenSecret?: SecretsmanagerSecret;
  /** The secret's value (the pool token), when the token is a Terraform value. */
  public readonly tokenSecretVersion?: SecretsmanagerSecretVersion;
  /** The instance role's ECR pull permissions, when `settings.image` is in ECR (e.g. AgentImageMirror). */
  public readonly imagePullPolicy?: IamRolePolicy;
  /** The termination lifecycle hook the drain watcher answers. */
  public readonly lifecycleHook: AutoscalingLifecycleHook;
  /** The rendered user data: the literal `#cloud-config` (`userData.document`) and its parts. */
  public readonly userData: VmUserData;
  /** Size of the gzip-compressed user data, in bytes (EC2 accepts at most 16384). */
  public readonly userDataBytes: number;
  /** Every instance type of the group with the memory the sizing rule used. */
  public readonly instanceTypes: readonly { readonly instanceType: string; readonly memoryMiB: number }[];
  /** The name of the group (and of the launch template). */
  public readonly fleetName: string;
  /** The Auto Scaling group's name (a reference to the group: outputs and dependants wait for it). */
  public readonly autoScalingGroupName: string;
  /** The launch template's ID. */
  public readonly launchTemplateId: string;
  /** The instance role's name (attach the policies your operations need to it, never run permissions). */
  public readonly instanceRoleName: string;
  /**
   * ARN of the Secrets Manager secret the instances read the pool token from: the one this
   * construct created, or the one given as `settings.token`. An ARN, not the secret: safe to output.
   */
  public readonly tokenSecretArn: string;
  /** ID of the pool the agents join (`apool-…`), when `pool` was given. */
  public readonly poolId?: string;
  /** The log group the instances ship their journal to (agent, token fetch, Docker, drain, first boot). */
  public readonly logGroup: CloudwatchLogGroup;
  /** The namespace of the fleet's log metrics (`TokenFetchFailures`, `DrainTimeouts`). */
  public readonly metricNamespace: string;
  /** The fleet's alarms (empty with `alarms: false`); an autoscaler on the fleet adds its own at synth. */
  public readonly alarms: CloudwatchMetricAlarm[] = [];
  /** The dashboard (with `dashboard`, the default). */
  public readonly dashboard?: CloudwatchDashboard;
  /** The dashboard's widgets (escape hatch: add your own before synthesis). */
  public readonly dashboardBody?: DashboardBody;

  public constructor(scope: Construct, id: string, props: VmAgentFleetProps) {
    super(scope, id);
    const subject = this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    const settings = resolveRuntimeSettings(issues, props, EC2_AGENT_RUNTIME);

    const settingsCtx = { subject, fieldPrefix: "settings" };
    // Every field of the settings, whatever else is wrong; the VM's own rules follow with the user data.
    let grace = 0;
    if (settings) issues.rule([], () => (grace = resolveAgentSettings(settings, settingsCtx).shutdown.gracePeriodSeconds));

    let userData: VmUserData | undefined;
    let hookTimeout = 0;
    if (settings) {
      // Renders the user data (the VM's rules for the settings, named `settings.…`); the drain watcher
      // and the token fetch reach the instance by deterministic names: the group's and the secret's.
      issues.rule(["settings", "pool", "name", "os", "installMode", "packageManagerProxy", "lifecycleHookTimeoutSeconds"], () => {
        hookTimeout = p.lifecycleHookTimeoutSeconds ?? Math.min(LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS, grace + DRAIN_COMPLETION_MARGIN_SECONDS);
        userData = renderVmUserData(
          settings,
          {
            os: p.os,
            installMode: p.installMode,
            packageManagerProxy: p.packageManagerProxy,
            tokenFetch: settings.token instanceof AgentTokenSource && settings.token.kind === "terraform" ? VmTokenFetch.awsSecretsManager(tokenSecretName(p.name)) : undefined,
            logShipping: { logGroupName: fleetLogGroupName(p.name) },
            autoScalingDrain: {
              autoScalingGroupName: p.name,
              lifecycleHookName: VM_DRAIN_HOOK_NAME,
              // A few heartbeats per timeout: one lost call never lets the hook expire.
              heartbeatIntervalSeconds: Math.min(300, Math.max(10, Math.floor(hookTimeout / 4))),
            },
          },
          settingsCtx,
        );
      });
    }

    let instanceTypes: { instanceType: string; memoryMiB: number }[] = [];
    let encoded: { base64: string; bytes: number } | undefined;
    if (userData) {
      const s = userData.settings;
      issues.rule(["instanceType", "architecture", "additionalInstanceTypes", "instanceMemoryMiB", "osReserveMiB", "taskMemoryMiB"], () => {
        const found: ValidationIssue[] = [];
        instanceTypes = this.checkSizing(p, s, found);
        if (found.length > 0) throw new KitValidationError(subject, found);
      });
      issues.rule(["lifecycleHookTimeoutSeconds"], () => {
        const found: ValidationIssue[] = [];
        checkDrainTimeouts(p.lifecycleHookTimeoutSeconds, s.shutdown.gracePeriodSeconds, found);
        if (found.length > 0) throw new KitValidationError(subject, found);
      });
    }
    issues.rule(["amiId", "os", "architecture"], () => {
      if (p.amiId === undefined && VM_AMI_SSM_PARAMETERS[p.os]?.[p.architecture] === undefined) {
        issues.add("amiId", `is required for \`os\` "${p.os}": AWS publishes no public SSM parameter for its images; pass the ${p.os} AMI of your region`, undefined);
      }
    });
    issues.rule(["desiredCapacity", "minSize", "maxSize"], () => {
      if (p.desiredCapacity !== undefined && (p.desiredCapacity < p.minSize || p.desiredCapacity > p.maxSize)) {
        issues.add("desiredCapacity", `must be within \`minSize\` (${p.minSize}) and \`maxSize\` (${p.maxSize})`, p.desiredCapacity);
      }
    });
    issues.rule(["instanceRefresh"], () => {
      const refresh = p.instanceRefresh;
      if (refresh.maxHealthyPercentage - refresh.minHealthyPercentage > 100) {
        issues.add(
          "instanceRefresh.maxHealthyPercentage",
          `must be at most \`instanceRefresh.minHealthyPercentage\` + 100 (${refresh.minHealthyPercentage + 100}), EC2 Auto Scaling's limit`,
          refresh.maxHealthyPercentage,
        );
      }
    });
    issues.rule(["minSize", "maxSize"], () => {
      if (p.minSize > p.maxSize) issues.add("minSize", `must not exceed \`maxSize\` (${p.maxSize})`, p.minSize);
    });
    if (userData) {
      const document = userData.document;
      try {
        encoded = encodeEc2UserData(document);
      } catch {
        issues.addAll(
          new KitValidationError(subject, [
            {
              field: "settings",
              message: `must render user data of at most ${EC2_USER_DATA_MAX_BYTES} bytes gzip-compressed (EC2's limit); shorten the CA bundle (\`settings.caBundle.pem\`) or pass it as a path`,
              received: `${document.length} characters`,
            },
          ]),
        );
      }
    }
    issues.throwIfAny();
    // Valid from here on: the settings resolved, the user data rendered and encoded.
    const token = (settings as NonNullable<typeof settings>).token;
    this.userData = userData as VmUserData;
    this.userDataBytes = (encoded as { bytes: number }).bytes;
    // The plan shows the user data as gzip+base64: the document itself, for review, next to the stack.
    addReviewFile(this, "user-data.yaml", () => this.userData.document);
    this.instanceTypes = instanceTypes;
    this.fleetName = p.name;
    const ssmParameter = VM_AMI_SSM_PARAMETERS[p.os]?.[p.architecture];

    for (const warning of this.userData.warnings) Annotations.of(this).addWarning(`${subject}: ${warning}`);
    // Tag keys and values are user text: literal in Terraform (`${` and `%{` escaped).
    const tags = terraformLiterals({ Name: p.name, ...p.tags });

    let secretResources: string[];
    if (token.kind === "terraform") {
      this.tokenSecret = new SecretsmanagerSecret(this, "TokenSecret", {
        // A fixed name: the user data is literal and reads the secret by name in the instance's region.
        name: tokenSecretName(p.name),
        description: `Scalr agent pool token of the ${p.name} fleet (read by its instances before every agent start)`,
        kmsKeyId: p.tokenSecretKmsKeyArn,
        // The token lives in Terraform state anyway; without a recovery window the name is free
        // again at once after a destroy, so the fleet can be re-created under the same name.
        recoveryWindowInDays: 0,
        tags,
      });
      this.tokenSecretVersion = new SecretsmanagerSecretVersion(this, "TokenSecretValue", { secretId: this.tokenSecret.id, secretString: token.value as string });
      secretResources = [this.tokenSecret.arn];
      this.tokenSecretArn = this.tokenSecret.arn;
    } else {
      secretResources = [secretArnPattern(token.secretArn as string)];
      this.tokenSecretArn = token.secretArn as string;
    }

    this.role = new IamRole(this, "Role", {
      name: `${p.name}-instance`,
      description: `Instances of the Scalr agent fleet ${p.name}: read the pool token, answer the drain hook, Session Manager`,
      assumeRolePolicy: terraformJson({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags,
    });
    // Session Manager instead of SSH: no key pair, no ingress. Only the SSM Agent's registration and
    // session channels (AWS's own minimal set, as in AWSCloud9SSMInstanceProfile), not
    // AmazonSSMManagedInstanceCore, which would also let every run read SSM parameters and documents.
    // AWS authorizes these actions only on "*".
    const ssm = new IamRolePolicy(this, "SessionManager", {
      role: this.role.id,
      name: "session-manager",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SessionManagerOnly",
            Effect: "Allow",
            Action: [
              "ssm:UpdateInstanceInformation",
              "ssmmessages:CreateControlChannel",
              "ssmmessages:CreateDataChannel",
              "ssmmessages:OpenControlChannel",
              "ssmmessages:OpenDataChannel",
            ],
            Resource: "*",
          },
        ],
      }),
    });
    const tokenStatements: object[] = [{ Sid: "ReadPoolToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretResources }];
    let partitionData: DataAwsPartition | undefined;
    let regionData: DataAwsRegion | undefined;
    const regionOf = () => (regionData ??= new DataAwsRegion(this, "Region", {}));
    const partitionOf = () => (partitionData ??= new DataAwsPartition(this, "Partition", {}));
    if (p.tokenSecretKmsKeyArn !== undefined) {
      const region = regionOf();
      const partition = partitionOf();
      tokenStatements.push({
        Sid: "DecryptPoolToken",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [p.tokenSecretKmsKeyArn],
        // Only for Secrets Manager reading the secret, never a direct Decrypt call.
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region.region}.${partition.dnsSuffix}` } },
      });
    }
    const tokenPolicy = new IamRolePolicy(this, "TokenPolicy", {
      role: this.role.id,
      name: "read-pool-token",
      policy: terraformJson({ Version: "2012-10-17", Statement: tokenStatements }),
    });
    // An ECR image: the host's Docker pulls it with this role (the credential helper of the user
    // data), so the role gets exactly the pull actions on its repository, the first pull through a
    // pull-through cache included.
    const imagePull = this.userData.ecrLogin ? ecrPullStatements(this.userData.settings.image, partitionOf().partition) : [];
    if (imagePull.length > 0) {
      this.imagePullPolicy = new IamRolePolicy(this, "ImagePullPolicy", {
        role: this.role.id,
        name: "pull-agent-image",
        policy: terraformJson({ Version: "2012-10-17", Statement: imagePull }),
      });
    }
    // The journal shipper (scalr-agent-logs.service) writes to the fleet's log group only.
    const ids = VM_AGENT_FLEET_OPERATIONS_IDS;
    this.logGroup = new CloudwatchLogGroup(this, ids.logGroup, { name: fleetLogGroupName(p.name), retentionInDays: p.logRetentionDays, tags });
    const logsPolicy = new IamRolePolicy(this, ids.logsPolicy, {
      role: this.role.id,
      name: "write-fleet-logs",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [{ Sid: "ShipJournal", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:log-stream:*`] }],
      }),
    });
    this.instanceRoleName = this.role.name;
    this.poolId = p.pool?.poolId;
    this.instanceProfile = new IamInstanceProfile(this, "InstanceProfile", { name: `${p.name}-instance`, role: this.role.name, tags });

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      name: `${p.name}-agent`,
      description: "Scalr agent instances: outbound only (Scalr, registries, providers); Session Manager needs no ingress",
      vpcId: p.vpcId,
      ingress: [],
      egress: [{ description: "All outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
      tags,
    });

    const imageId = p.amiId ?? new DataAwsSsmParameter(this, "AmiParameter", { name: ssmParameter as string }).insecureValue;
    // The image's own root device name: a mapping under another name would add a second volume and
    // leave the root volume unencrypted.
    const ami = new DataAwsAmi(this, "Ami", { filter: [{ name: "image-id", values: [imageId] }] });

    const primaryType = this.instanceTypes[0]?.instanceType as string;
    this.launchTemplate = new LaunchTemplate(this, "LaunchTemplate", {
      name: p.name,
      description: `Scalr agent fleet ${p.name}: ${p.os} ${p.architecture}, ${this.userData.installMode} install`,
      imageId,
      instanceType: primaryType,
      updateDefaultVersion: true,
      iamInstanceProfile: { arn: this.instanceProfile.arn },
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: ami.rootDeviceName,
          ebs: { volumeSize: p.rootVolumeSizeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: p.rootVolumeKmsKeyId, deleteOnTermination: "true" },
        },
      ],
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: String(p.associatePublicIp),
          securityGroups: [this.securityGroup.id, ...p.securityGroupIds],
          deleteOnTermination: "true",
        },
      ],
      userData: (encoded as { base64: string }).base64,
      tagSpecifications: [
        { resourceType: "instance", tags },
        { resourceType: "volume", tags },
      ],
      tags,
      // Instances need the token policy and the token itself at their first boot.
      dependsOn: [tokenPolicy, ssm, logsPolicy, ...(this.imagePullPolicy ? [this.imagePullPolicy] : []), ...(this.tokenSecretVersion ? [this.tokenSecretVersion] : [])],
    });

    this.launchTemplateId = this.launchTemplate.id;
    const version = Token.asString(this.launchTemplate.latestVersion);
    const mixed = p.spot !== undefined || p.additionalInstanceTypes.length > 0;
    const placement: Pick<AutoscalingGroupConfig, "launchTemplate" | "mixedInstancesPolicy"> = mixed
      ? {
          mixedInstancesPolicy: {
            launchTemplate: {
              launchTemplateSpecification: { launchTemplateId: this.launchTemplate.id, version },
              override: this.instanceTypes.map((t) => ({ instanceType: t.instanceType })),
            },
            instancesDistribution: {
              onDemandAllocationStrategy: "prioritized",
              onDemandBaseCapacity: p.spot?.onDemandBaseCapacity ?? 0,
              onDemandPercentageAboveBaseCapacity: p.spot ? p.spot.onDemandPercentageAboveBaseCapacity : 100,
              spotAllocationStrategy: p.spot?.allocationStrategy,
            },
          },
        }
      : { launchTemplate: { id: this.launchTemplate.id, version } };

    this.resource = new AutoscalingGroup(this, "Resource", {
      name: p.name,
      minSize: p.minSize,
      maxSize: p.maxSize,
      desiredCapacity: p.desiredCapacity,
      vpcZoneIdentifier: p.subnetIds as string[],
      ...placement,
      healthCheckType: "EC2",
      // Group metrics for the dashboard (capacity vs. desired, instances in service).
      enabledMetrics: [...GROUP_METRICS],
      metricsGranularity: "1Minute",
      // Instances roll onto the current launch template (AMI) at this age, each through the drain hook.
      maxInstanceLifetime: p.maxInstanceLifetimeDays * 86_400,
      // Installing Docker and pulling the agent image takes a few minutes.
      healthCheckGracePeriod: 300,
      defaultInstanceWarmup: 300,
      // Spot: replace an instance at risk before its interruption, through the drain hook.
      capacityRebalance: p.spot !== undefined ? true : undefined,
      // A launch template change replaces instances through the same drain: new ones start first
      // (max healthy > 100 %), then old ones go through the termination lifecycle hook.
      instanceRefresh: {
        strategy: "Rolling",
        preferences: {
          minHealthyPercentage: p.instanceRefresh.minHealthyPercentage,
          maxHealthyPercentage: p.instanceRefresh.maxHealthyPercentage,
          skipMatching: true,
          scaleInProtectedInstances: "Wait",
          standbyInstances: "Wait",
        },
      },
      tag: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
    });

    this.autoScalingGroupName = this.resource.name;

    this.lifecycleHook = new AutoscalingLifecycleHook(this, "DrainHook", {
      name: VM_DRAIN_HOOK_NAME,
      autoscalingGroupName: this.resource.name,
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeatTimeout: hookTimeout,
      // After the timeout the agent has been stopped by systemd anyway (TimeoutStopSec): let the instance go.
      defaultResult: "CONTINUE",
    });

    new IamRolePolicy(this, "DrainPolicy", {
      role: this.role.id,
      name: "answer-drain-hook",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AnswerOwnDrainHook",
            Effect: "Allow",
            Action: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"],
            Resource: [this.resource.arn],
          },
        ],
      }),
    });

    this.metricNamespace = `ScalrAgentFleet/${p.name}`;
    const actions = alarmActions(p.alarms);
    if (actions !== undefined) {
      this.alarms.push(
        logMetricAlarm(this, ids.tokenFetchFailures, {
          logGroupName: this.logGroup.name,
          pattern: VM_LOG_EVENTS.tokenFetchFailed.pattern,
          namespace: this.metricNamespace,
          metricName: "TokenFetchFailures",
          name: `${p.name}-token-fetch-failures`,
          description: `An instance of the Scalr agent fleet ${p.name} could not fetch the pool token (after 10 minutes of retries): its agent does not start. See the ${VM_LOG_EVENTS.tokenFetchFailed.phrase} lines of ${fleetLogGroupName(p.name)} for the reason (secret, KMS key, network).`,
          actions,
        }).alarm,
        logMetricAlarm(this, ids.drainTimeouts, {
          logGroupName: this.logGroup.name,
          pattern: VM_LOG_EVENTS.drainTimeout.pattern,
          namespace: this.metricNamespace,
          metricName: "DrainTimeouts",
          name: `${p.name}-drain-timeouts`,
          description: `An agent of the Scalr fleet ${p.name} did not finish its runs within shutdown.gracePeriodSeconds on scale-in or refresh and was killed: those runs failed. Raise the grace period or find the stuck run.`,
          actions,
        }).alarm,
      );
    }
    if (p.dashboard) {
      const region = regionOf().region;
      const group = { AutoScalingGroupName: this.autoScalingGroupName };
      const body = new DashboardBody(region).add(
        {
          kind: "text",
          markdown: `# Scalr agent fleet ${p.name}\nCapacity of the Auto Scaling group, what stops agents from starting (token fetch) and from draining (timeouts). Logs: \`${fleetLogGroupName(p.name)}\`, one stream per instance and unit.`,
        },
        {
          kind: "metric",
          title: "Capacity: desired, in service, pending, terminating",
          stat: "Maximum",
          metrics: GROUP_METRICS.filter((m) => m !== "GroupMinSize").map((name) => ({ namespace: "AWS/AutoScaling", name, dimensions: group })),
        },
        {
          kind: "metric",
          title: "Token fetch failures and drain timeouts",
          periodSeconds: 300,
          metrics: [
            { namespace: this.metricNamespace, name: "TokenFetchFailures" },
            { namespace: this.metricNamespace, name: "DrainTimeouts" },
          ],
        },
      );
      this.dashboardBody = body;
      this.dashboard = new CloudwatchDashboard(this, ids.dashboard, {
        // 1–255 letters, digits, '-', '_' (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
        dashboardName: `scalr-agents-${p.name}`,
        dashboardBody: Lazy.stringValue({ produce: () => body.render() }),
      });
    }
    // An AgentAutoscaler on this fleet is created after it (it takes the fleet): per autoscaler, the
    // no-agent alarm and the dashboard's queue panels are added at synth, once every construct exists.
    const name = p.name;
    const minutes = p.noAgentAlarmMinutes;
    whenAutoscalersKnown(this, { kind: "asg", name: this.autoScalingGroupName }, (pools) => {
      pools.forEach((pool, i) => {
        const n = noAgentAlarmNames(name, i);
        if (actions !== undefined) {
          const description = `Runs of the pool have waited ${minutes} minutes with no agent of the fleet ${name} online (busy or idle): instances fail to start, fetch the token, pull the image or reach Scalr. Check the fleet's token fetch alarm, its log group and the Auto Scaling activity.`;
          this.alarms.push(noAgentAlarm(this, n.id, { pool, alarmName: n.alarmName, description, minutes, actions }));
        }
        this.dashboardBody?.add(...autoscalerWidgets(pool));
      });
      if (this.alarms.length > 0) this.dashboardBody?.add({ kind: "alarm", title: "Alarms", alarmArns: this.alarms.map((a) => a.arn) });
    });
  }

  /**
   * Scalr's sizing rule (https://docs.scalr.io/docs/self-hosted-agents-pools) for every instance
   * type: concurrency × task memory + the OS reserve must fit.
   */
  private checkSizing(
    p: z.output<typeof propsSchema>,
    s: VmUserData["settings"],
    issues: ValidationIssue[],
  ): { instanceType: string; memoryMiB: number }[] {
    const types = [p.instanceType ?? (p.architecture === "arm64" ? "t4g.large" : "t3.large"), ...p.additionalInstanceTypes];
    const fields = [p.instanceType !== undefined ? "instanceType" : "architecture", ...p.additionalInstanceTypes.map((_, i) => `additionalInstanceTypes[${i}]`)];
    const run = s.poolKind === "run";
    const concurrency = run ? ((s.concurrency as number | undefined) ?? AGENT_DEFAULT_CONCURRENCY) : 0;
    const taskMemory = p.taskMemoryMiB ?? (s.containerTask?.memoryLimitMiB as number | undefined) ?? DEFAULT_TASK_MEMORY_MIB;
    const taskSource = p.taskMemoryMiB !== undefined ? "`taskMemoryMiB`" : s.containerTask?.memoryLimitMiB !== undefined ? "`settings.containerTask.memoryLimitMiB`" : "the default";
    const needed = concurrency * taskMemory + p.osReserveMiB;
    const out: { instanceType: string; memoryMiB: number }[] = [];
    const firstListed = new Map<string, string>();
    types.forEach((type, i) => {
      const first = firstListed.get(type);
      if (first !== undefined) {
        // A mixed instances policy rejects a repeated override; one entry per type is enough anyway.
        issues.push({ field: fields[i] as string, message: `must not list ${type} again: it is already ${first}`, received: JSON.stringify(type) });
        return;
      }
      firstListed.set(type, i === 0 ? (p.instanceType !== undefined ? "`instanceType`" : "the default `instanceType`") : `\`${fields[i]}\``);
      const known = EC2_INSTANCE_TYPES[type];
      const memory = p.instanceMemoryMiB[type] ?? known?.memoryMiB;
      const field = fields[i] as string;
      if (known && known.architecture !== p.architecture) {
        issues.push({ field, message: `must be an ${p.architecture} instance type for \`architecture\` "${p.architecture}" (${type} is ${known.architecture})`, received: JSON.stringify(type) });
      }
      if (memory === undefined) {
        issues.push({
          field: "instanceMemoryMiB",
          message: `must state the memory of ${type} (the kit knows t3/t3a/t4g and the m, c and r families of recent generations), e.g. { "${type}": 16384 }`,
          received: describeValue(p.instanceMemoryMiB),
        });
        return;
      }
      out.push({ instanceType: type, memoryMiB: memory });
      if (needed > memory) {
        const formula = run ? `${concurrency} runs × ${taskMemory} MiB (${taskSource}) + ${p.osReserveMiB} MiB for the OS = ${needed} MiB` : `${p.osReserveMiB} MiB for the OS`;
        issues.push({
          field: run ? "settings.concurrency" : "osReserveMiB",
          message: `must fit the memory of ${type} (${memory} MiB): ${formula}; lower it, lower the memory per run, or choose a larger instance type`,
          received: run ? (s.concurrency === undefined ? `nothing (the agent's limit of ${AGENT_DEFAULT_CONCURRENCY} applies)` : String(concurrency)) : String(p.osReserveMiB),
        });
      }
    });
    return out;
  }
}

/** The fleet's log group (the user data names it literally). */
function fleetLogGroupName(fleetName: string): string {
  return `/scalr-agent/${fleetName}`;
}

/** The name of the secret a fleet stores a Terraform token in (the user data reads it by this name). */
function tokenSecretName(fleetName: string): string {
  return `scalr-agent/${fleetName}/pool-token`;
}

/**
 * The Resource that matches a secret given by ARN. A complete ARN ends with `-` and six random
 * characters Secrets Manager appends; a partial ARN (without them) matches nothing in IAM, so it
 * gets the suffix as a `-??????` wildcard.
 */
function secretArnPattern(arn: string): string {
  return /-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-??????`;
}

/** The hook must outlast the drain on its own: the agent's grace period plus completing the action. */
function checkDrainTimeouts(hookTimeout: number | undefined, grace: number, issues: ValidationIssue[]): void {
  const needed = grace + DRAIN_COMPLETION_MARGIN_SECONDS;
  if (needed > LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS) {
    issues.push({
      field: "settings.shutdown.gracePeriodSeconds",
      message: `must be at most ${LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS - DRAIN_COMPLETION_MARGIN_SECONDS} on EC2: the termination lifecycle hook waits at most ${LIFECYCLE_HOOK_MAX_HEARTBEAT_SECONDS} s without a heartbeat (EC2 Auto Scaling's maximum) and the drain needs ${DRAIN_COMPLETION_MARGIN_SECONDS} s more to complete it`,
      received: String(grace),
    });
  } else if (hookTimeout !== undefined && hookTimeout < needed) {
    issues.push({
      field: "lifecycleHookTimeoutSeconds",
      message: `must be at least \`settings.shutdown.gracePeriodSeconds\` + ${DRAIN_COMPLETION_MARGIN_SECONDS} (${needed}) so the hook outlasts the drain even when heartbeats are lost`,
      received: String(hookTimeout),
    });
  }
}
