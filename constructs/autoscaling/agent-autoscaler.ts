import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { AssetType, TerraformAsset, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AUTOSCALER_ENVIRONMENT } from "../../agent/autoscaler/config";
import { DECISION_LOG_PATTERNS } from "../../agent/autoscaler/handler";
import { PolicyError, ScalingPolicy, ScheduleWindow, parsePolicy } from "../../agent/autoscaler/policy";
import { IssueCollector } from "../../core/issues";
import { terraformJson } from "../../core/terraform-json";
import { isToken, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { EcsAgentService } from "../ecs/ecs-agent-service";
import { VmAgentFleet } from "../vm/vm-agent-fleet";
import { secretResource } from "../ecs/fargate-agent-task";
import type { IAgentPool } from "../scalr/interfaces";
import { isKind, ref } from "../scalr/references";
import { AUTOSCALER_LAMBDA_HANDLER, AUTOSCALER_LAMBDA_RUNTIME, bundleAutoscaler } from "./autoscaler-bundle";
import { lambdaAssumeRolePolicy } from "../runtime/lambda-role";
import { AlarmsOption, alarmActions, alarmsOptionSchema, oneOccurrenceAlarm } from "../operations/alarm-actions";

/** How the fleet scales (validated by the runtime's own policy schema, `agent/autoscaler/policy.ts`). */
export interface AgentAutoscalerPolicy {
  /** Units to keep at least, outside every schedule window (0: scale to zero). */
  readonly min: number;
  /** Units never to exceed: the hard cost ceiling. */
  readonly max: number;
  /** Idle agents to keep ready outside schedule windows. @default 0 */
  readonly minIdle?: number;
  /** IANA time zone of the schedule windows. @default "UTC" */
  readonly timeZone?: string;
  /** Windows with a higher floor (e.g. business hours). @default - none */
  readonly schedules?: readonly ScheduleWindow[];
  /** Seconds after a change before scaling out again. @default 60 */
  readonly cooldownOutSeconds?: number;
  /** Seconds after a change before scaling in. @default 600 */
  readonly cooldownInSeconds?: number;
  /** Units added per decision at most. @default 10 */
  readonly maxStepOut?: number;
  /** Units removed per decision at most. @default 1 */
  readonly maxStepIn?: number;
}

/** Where the autoscaler's Scalr token comes from. */
export type AgentAutoscalerToken =
  /** An existing Secrets Manager secret (its `SecretString` is the token): a literal ARN or a Terraform reference. */
  | { readonly secretArn: string }
  /** A Terraform reference to the token (a sensitive variable, a `scalr_service_account_token`): stored in a secret the construct creates. */
  | { readonly value: string };

/** Scalr's run events on EventBridge, as a second trigger of the decisions. */
export interface AgentAutoscalerRunEvents {
  /** The event bus that receives Scalr's partner events (its name, or a Terraform reference to it). */
  readonly eventBusName: string;
}

/** Props of {@link AgentAutoscaler}. */
export interface AgentAutoscalerProps {
  /** The pool whose queue drives the fleet: an AgentPool, or its ID (`apool-…`). */
  readonly pool: IAgentPool | string;
  /**
   * The fleet: a {@link VmAgentFleet} (its Auto Scaling group's desired capacity; busy instances
   * get scale-in protection) or an {@link EcsAgentService} without CPU `autoscaling` (the two would
   * fight over the desired count).
   */
  readonly fleet: VmAgentFleet | EcsAgentService;
  /** `https://<account>.scalr.io`, no path. */
  readonly scalrUrl: string;
  /** The Scalr API token (read-only service account) the autoscaler reads the queue with. */
  readonly scalrToken: AgentAutoscalerToken;
  /** How the fleet scales. */
  readonly policy: AgentAutoscalerPolicy;
  /** Runs one agent takes at once (AgentSettings `concurrency`). @default 1 */
  readonly agentConcurrency?: number;
  /**
   * Protect busy units from scale-in: instance scale-in protection on an Auto Scaling group, ECS
   * task protection (renewed every decision) on a service. A VM fleet must then name its agents after
   * their instances (no `settings.name`). @default true
   */
  readonly protectBusyUnits?: boolean;
  /** EventBridge schedule of the decisions. @default "rate(1 minute)" */
  readonly scheduleExpression?: string;
  /**
   * Also decide when Scalr reports a finished run (`RunExecuted`), so idle agents lose protection
   * and the fleet scales in without waiting for the next scheduled decision. `eventBusName` is the
   * event bus attached to Scalr's partner event source (`scalr_event_bridge_integration`, whose
   * `event_source_name` the bus takes as its name and source). No event announces a queued run, so
   * the schedule stays the only scale-out signal.
   * @default - the schedule only
   */
  readonly runEvents?: AgentAutoscalerRunEvents;
  /** Name of the function, role and rule (1–56 letters, digits, '-', '_'). @default "<fleet or service name>-autoscaler" */
  readonly name?: string;
  /** Retention of the decision log. @default 30 */
  readonly logRetentionDays?: number;
  /**
   * CloudWatch alarms: the function failing, decisions that end in an error, Scalr unreadable for
   * 15 minutes (the fleet is held and cannot scale out), and no decision for 10 minutes (the schedule
   * or the function is broken). `false` turns them off; `{ actions }` sends them to SNS topics.
   * @default true
   */
  readonly alarms?: AlarmsOption;
}

/** Construct ids of the resources {@link AgentAutoscaler} creates (stable: renaming one replaces the resource). */
export const AGENT_AUTOSCALER_IDS = {
  /** `data.aws_caller_identity` (VmAgentFleet only): the account the role's trust is limited to. */
  account: "Account",
  /** `aws_cloudwatch_log_group` `/aws/lambda/<name>`. */
  logGroup: "LogGroup",
  /** `aws_iam_role` of the function. */
  role: "Role",
  /** `aws_iam_role_policy`: the group or the service and its tasks, the token secret, the log group. */
  policy: "Policy",
  /** The bundled code (TerraformAsset). */
  code: "Code",
  /** `aws_lambda_function`. */
  function: "Function",
  /** `aws_cloudwatch_event_rule` with the schedule. */
  schedule: "Schedule",
  /** `aws_cloudwatch_event_target`: the rule invokes the function. */
  target: "ScheduleTarget",
  /** `aws_lambda_permission` for the rule (source ARN). */
  permission: "InvokePermission",
  /** `aws_cloudwatch_event_rule` on the Scalr event bus, matching `RunExecuted` (with `runEvents` only). */
  runEvents: "RunEvents",
  /** `aws_cloudwatch_event_target`: run events invoke the function, without retries (with `runEvents` only). */
  runEventsTarget: "RunEventsTarget",
  /** `aws_lambda_permission` for the run-events rule (with `runEvents` only). */
  runEventsPermission: "RunEventsPermission",
  /** `aws_cloudwatch_log_metric_filter`: decision log lines at level error (with `alarms`). */
  errorsFilter: "DecisionErrorsFilter",
  /** `aws_cloudwatch_log_metric_filter`: decisions held because Scalr could not be read (with `alarms`). */
  unknownFilter: "UnknownSignalFilter",
  /** `aws_cloudwatch_metric_alarm`: the function's `Errors` (with `alarms`). */
  functionErrorsAlarm: "FunctionErrorsAlarm",
  /** `aws_cloudwatch_metric_alarm`: decisions that ended in an error (with `alarms`). */
  decisionErrorsAlarm: "DecisionErrorsAlarm",
  /** `aws_cloudwatch_metric_alarm`: the signal unknown for 15 minutes (with `alarms`). */
  unknownSignalAlarm: "UnknownSignalAlarm",
  /** `aws_cloudwatch_metric_alarm`: no invocation for 10 minutes (with `alarms`). */
  noDecisionsAlarm: "NoDecisionsAlarm",
  /** `aws_secretsmanager_secret` (with `scalrToken.value` only). */
  tokenSecret: "TokenSecret",
  /** `aws_secretsmanager_secret_version` (with `scalrToken.value` only). */
  tokenSecretValue: "TokenSecretValue",
} as const;

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SCHEDULE = /^(rate\((1 minute|([2-9]|[1-9]\d+) minutes|1 hour|([2-9]|[1-9]\d+) hours|1 day|([2-9]|[1-9]\d+) days)\)|cron\([^()]+\))$/;

const propsSchema = strictProps({
  pool: ref.agentPool(),
  fleet: z.custom<VmAgentFleet | EcsAgentService>((v) => v instanceof VmAgentFleet || v instanceof EcsAgentService, { error: "must be a VmAgentFleet or an EcsAgentService" }),
  scalrUrl: tokenOr(z.string().regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/, { error: "must be an https URL without a path, such as https://acme.scalr.io" })),
  scalrToken: z.union(
    [
      strictProps({ secretArn: tokenOr(z.string().regex(SECRET_ARN, { error: "must be a Secrets Manager secret ARN" })) }),
      strictProps({ value: z.string() }),
    ],
    { error: "must be { secretArn } (an existing Secrets Manager secret) or { value } (a Terraform reference stored in a new secret)" },
  ),
  policy: z.custom<AgentAutoscalerPolicy>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { error: "must be a scaling policy { min, max, … }" }),
  agentConcurrency: literalIntInRange(1, 50).default(1),
  protectBusyUnits: z.boolean().default(true),
  scheduleExpression: z.string().regex(SCHEDULE, { error: 'must be an EventBridge schedule such as "rate(1 minute)", "rate(5 minutes)" or "cron(0/2 * * * ? *)"' }).default("rate(1 minute)"),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,56}$/, { error: "must be 1–56 letters, digits, '-' or '_'" })
    .optional(),
  // Event bus names: 1–256 of letters, digits, '.', '-', '_' and '/' (partner buses are named after
  // their source, `aws.partner/…`): https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
  runEvents: strictProps({
    eventBusName: tokenOr(z.string().regex(/^[/.\-_A-Za-z0-9]{1,256}$/, { error: "must be an event bus name (1–256 letters, digits, '.', '-', '_', '/')" })),
  }).optional(),
  alarms: alarmsOptionSchema,
  logRetentionDays: z
    .number()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { error: `must be a CloudWatch retention: ${RETENTION_DAYS.join(", ")}` })
    .default(30),
});

/** Lambda timeout: the handler keeps 10 s back (AWS_MARGIN_MS) for the AWS calls and its log line. */
const FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * Scales a {@link VmAgentFleet} or an {@link EcsAgentService} on its Scalr pool's queue
 * (docs/autoscaling.md, ADR 0009): a Lambda (the bundled `agent/autoscaler/lambda.ts`, Node.js 22
 * on arm64, reserved concurrency 1 so two decisions never race) runs on an EventBridge schedule,
 * reads the pool's queued runs and agents from Scalr with a token from Secrets Manager, protects
 * busy instances (Auto Scaling instance scale-in protection) or tasks (ECS task protection) from
 * scale-in, and sets the group's desired capacity or the service's desired count within `policy`.
 *
 * Its role may only describe and scale this one group (or describe and update this one service, list
 * its cluster's tasks and change their protection), read the one token secret and write its own log
 * group. The fleet's desired capacity (count) becomes the autoscaler's: it is added to the group's
 * (service's) `lifecycle.ignore_changes`, so an apply does not reset it.
 *
 * Construct ids: {@link AGENT_AUTOSCALER_IDS}.
 */
export class AgentAutoscaler extends Construct {
  /** The function. */
  public readonly function: LambdaFunction;
  /** The function's role. */
  public readonly role: IamRole;
  /** The decision log, `/aws/lambda/<name>`: one JSON line (with EMF metrics) per decision. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The schedule. */
  public readonly schedule: CloudwatchEventRule;
  /** The rule for Scalr's run events, with `runEvents`. */
  public readonly runEvents?: CloudwatchEventRule;
  /** The alarms (empty with `alarms: false`). */
  public readonly alarms: readonly CloudwatchMetricAlarm[];
  /** The token secret, when the construct creates it (`scalrToken.value`). */
  public readonly tokenSecret?: SecretsmanagerSecret;
  /** ARN of the secret the token is read from. */
  public readonly tokenSecretArn: string;
  /** The validated policy, defaults filled (what `SCALING_POLICY` holds). */
  public readonly policy: ScalingPolicy;
  /** The Lambda environment (names as `AUTOSCALER_ENVIRONMENT`). */
  public readonly environment: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: AgentAutoscalerProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    let policy: ScalingPolicy | undefined;
    issues.rule(["policy"], () => {
      try {
        policy = parsePolicy(p.policy);
      } catch (e) {
        if (!(e instanceof PolicyError)) throw e;
        for (const line of e.issues) {
          const m = /^`([^`]*)` ([\s\S]*)$/.exec(line);
          const field = m?.[1] === "policy" ? "" : (m?.[1] ?? "");
          // The runtime names list entries `schedules.0`; the kit's field paths write `schedules[0]`.
          issues.add(field ? `policy.${field.replace(/\.(\d+)(?=\.|$)/g, "[$1]")}` : "policy", m?.[2] ?? line, field ? valueAt(p.policy, field) : p.policy);
        }
      }
    });
    issues.rule(["scalrToken"], () => {
      if (p.scalrToken && "value" in p.scalrToken && !isToken(p.scalrToken.value)) {
        issues.add(
          "scalrToken.value",
          "must be a Terraform reference (a sensitive variable or a scalr_service_account_token), not a literal: the token never goes into the configuration; or give { secretArn }",
          p.scalrToken.value,
          { sensitive: true },
        );
      }
    });
    const vm = p.fleet instanceof VmAgentFleet ? p.fleet : undefined;
    const ecs = p.fleet instanceof EcsAgentService ? p.fleet : undefined;
    issues.rule(["fleet"], () => {
      if (ecs?.scalingTarget !== undefined) {
        issues.add("fleet", `must not have CPU \`autoscaling\` (${ecs.node.path}): both would set its desired count`, ecs.node.path);
      }
    });
    issues.rule(["fleet", "protectBusyUnits"], () => {
      if (vm && p.protectBusyUnits && !vm.userData.agentNamedAfterInstance) {
        const why =
          vm.userData.settings.name !== undefined
            ? "its `settings.name` gives every agent the same fixed name"
            : vm.userData.installMode !== "docker"
              ? "the package install mode names the agent once, after the host"
              : "its token is not fetched from Secrets Manager, the boot step that reads the instance ID";
        issues.add(
          "protectBusyUnits",
          `needs ${vm.node.path}'s agents named after their EC2 instances, which they are not (${why}): busy instances could not be found, so none would be protected. Drop \`settings.name\`, or set \`protectBusyUnits: false\` (the drain on termination still stops agents gracefully)`,
          p.protectBusyUnits,
        );
      }
    });
    issues.rule(["fleet", "policy"], () => {
      if (!vm || !policy) return;
      // EC2 Auto Scaling rejects a desired capacity outside the group's minimum and maximum
      // (SetDesiredCapacity: "ValidationError … above max value"), and never goes below its minimum:
      // https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_SetDesiredCapacity.html
      const groupMin = vm.resource.minSizeInput;
      const groupMax = vm.resource.maxSizeInput;
      if (typeof groupMax === "number" && policy.max > groupMax) {
        issues.add("policy.max", `is above the Auto Scaling group's maximum (\`maxSize\` ${groupMax} of ${vm.node.path}), which EC2 Auto Scaling enforces: raise the fleet's \`maxSize\` to at least ${policy.max}`, policy.max);
      }
      if (typeof groupMin === "number") {
        const floors: [string, number][] = [["policy.min", policy.min], ...policy.schedules.map((w, i): [string, number] => [`policy.schedules[${i}].min`, w.min])];
        for (const [field, min] of floors) {
          if (min < groupMin) {
            issues.add(field, `is below the Auto Scaling group's minimum (\`minSize\` ${groupMin} of ${vm.node.path}), under which the group never goes: set the fleet's \`minSize\` to ${Math.min(...floors.map(([, m]) => m))} (0 to scale to zero)`, min);
          }
        }
      }
    });
    const fleetName = vm ? vm.fleetName : ecs ? (ecs.service.nameInput ?? ecs.serviceName) : undefined;
    issues.rule(["name", "fleet"], () => {
      if (p.name === undefined && (fleetName === undefined || isToken(fleetName) || `${fleetName}-autoscaler`.length > 56)) {
        issues.add("name", `is required when the fleet's name is not a literal of at most 45 characters (got ${fleetName ?? "none"})`, p.name);
      }
    });
    issues.throwIfAny();
    const scaling = policy as ScalingPolicy;
    this.policy = scaling;
    const name = p.name ?? `${fleetName}-autoscaler`;

    if ("value" in p.scalrToken) {
      this.tokenSecret = new SecretsmanagerSecret(this, AGENT_AUTOSCALER_IDS.tokenSecret, { name: `${name}/scalr-token`, description: `Scalr API token of the autoscaler ${name} (read-only)` });
      new SecretsmanagerSecretVersion(this, AGENT_AUTOSCALER_IDS.tokenSecretValue, { secretId: this.tokenSecret.id, secretString: p.scalrToken.value });
      this.tokenSecretArn = this.tokenSecret.arn;
    } else {
      this.tokenSecretArn = p.scalrToken.secretArn;
    }
    this.logGroup = new CloudwatchLogGroup(this, AGENT_AUTOSCALER_IDS.logGroup, { name: `/aws/lambda/${name}`, retentionInDays: p.logRetentionDays });
    const common = [
      { Sid: "ReadScalrToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretResource(this.tokenSecretArn)] },
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:*`] },
    ];
    const E = AUTOSCALER_ENVIRONMENT;
    let accountId: string;
    let scaleStatements: Record<string, unknown>[];
    let target: Record<string, string>;
    let what: string;
    if (vm) {
      // The group's desired capacity is the autoscaler's from now on: Terraform must not reset it.
      addIgnoreChanges(vm.resource, "desired_capacity");
      accountId = new DataAwsCallerIdentity(this, AGENT_AUTOSCALER_IDS.account, {}).accountId;
      // DescribeAutoScalingGroups takes no resource-level permission ("*"); SetDesiredCapacity and
      // SetInstanceProtection take the group's ARN:
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
      scaleStatements = [
        { Sid: "ReadTheGroup", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingGroups"], Resource: "*" },
        { Sid: "ScaleTheGroup", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity", "autoscaling:SetInstanceProtection"], Resource: [vm.resource.arn] },
      ];
      target = { [E.targetKind]: "asg", [E.targetName]: vm.autoScalingGroupName };
      what = `the Auto Scaling group of ${fleetName ?? "a VM fleet"}`;
    } else {
      const service = ecs as EcsAgentService;
      const { partition, region, account } = service.task;
      const prefix = `arn:${partition.partition}:ecs:${region.region}:${account.accountId}`;
      const clusterArn = service.clusterResource?.arn ?? `${prefix}:cluster/${service.clusterName}`;
      // The desired count is the autoscaler's from now on: Terraform must not reset it.
      addIgnoreChanges(service.service, "desired_count");
      accountId = account.accountId;
      scaleStatements = [
        { Sid: "ScaleTheService", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: [service.service.arn] },
        {
          // ListTasks authorizes against container instances, which Fargate tasks have none of:
          // "*" scoped to the cluster by its condition key.
          Sid: "ListServiceTasks",
          Effect: "Allow",
          Action: ["ecs:ListTasks"],
          Resource: "*",
          Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
        },
        {
          Sid: "ProtectBusyTasks",
          Effect: "Allow",
          Action: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
          Resource: [`${prefix}:task/${service.clusterName}/*`],
        },
      ];
      target = { [E.targetKind]: "ecs", [E.targetName]: service.serviceName, [E.ecsCluster]: service.clusterName };
      what = `the ECS service ${fleetName ?? ""}`.trimEnd();
    }

    this.role = new IamRole(this, AGENT_AUTOSCALER_IDS.role, {
      name,
      description: `Scales ${what} on its Scalr pool's queue`,
      assumeRolePolicy: lambdaAssumeRolePolicy(accountId),
    });
    new IamRolePolicy(this, AGENT_AUTOSCALER_IDS.policy, {
      role: this.role.id,
      name: vm ? "scale-agent-fleet" : "scale-agent-service",
      policy: terraformJson({ Version: "2012-10-17", Statement: [...scaleStatements, ...common] }),
    });

    const poolId = isKind(p.pool, "agent-pool") ? (p.pool as IAgentPool).poolId : (p.pool as string);
    this.environment = {
      [E.scalrUrl]: p.scalrUrl,
      [E.tokenSecretArn]: this.tokenSecretArn,
      [E.poolId]: poolId,
      ...target,
      [E.concurrency]: String(p.agentConcurrency),
      [E.policy]: JSON.stringify(scaling),
      [E.protectBusy]: String(p.protectBusyUnits),
    };
    const code = new TerraformAsset(this, AGENT_AUTOSCALER_IDS.code, { path: bundleAutoscaler(), type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, AGENT_AUTOSCALER_IDS.function, {
      functionName: name,
      description: `Scales the Scalr agents of ${fleetName ?? (vm ? "a VM fleet" : "an ECS service")} on the pool's queue`,
      role: this.role.arn,
      runtime: AUTOSCALER_LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: AUTOSCALER_LAMBDA_HANDLER,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT_SECONDS,
      // One decision at a time: two overlapping ones would both scale.
      reservedConcurrentExecutions: 1,
      environment: { variables: { ...this.environment } },
      dependsOn: [this.logGroup],
    });

    this.schedule = new CloudwatchEventRule(this, AGENT_AUTOSCALER_IDS.schedule, {
      name,
      description: `Runs the Scalr autoscaler ${name}`,
      scheduleExpression: p.scheduleExpression,
    });
    new CloudwatchEventTarget(this, AGENT_AUTOSCALER_IDS.target, { rule: this.schedule.name, arn: this.function.arn, targetId: "autoscaler" });
    new LambdaPermission(this, AGENT_AUTOSCALER_IDS.permission, {
      functionName: this.function.functionName,
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      sourceArn: this.schedule.arn,
    });

    if (p.runEvents) {
      // Scalr's run-finished events (Scalr/terraform-aws-scalr-event-bridge@fe70c5cf:modules/scalr-eventbridge/main.tf
      // matches source prefix "aws.partner/scalr.com" and detail-type "RunExecuted").
      this.runEvents = new CloudwatchEventRule(this, AGENT_AUTOSCALER_IDS.runEvents, {
        name: `${name}-run-events`,
        description: `Runs the Scalr autoscaler ${name} when a run finishes`,
        eventBusName: p.runEvents.eventBusName,
        eventPattern: JSON.stringify({ source: [{ prefix: "aws.partner/scalr.com" }], "detail-type": ["RunExecuted"] }),
      });
      new CloudwatchEventTarget(this, AGENT_AUTOSCALER_IDS.runEventsTarget, {
        rule: this.runEvents.name,
        eventBusName: p.runEvents.eventBusName,
        arn: this.function.arn,
        targetId: "autoscaler",
        // One decision at a time (reserved concurrency 1): an event that finds a decision running is
        // not worth a retry, the next scheduled one comes within the period.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      });
      new LambdaPermission(this, AGENT_AUTOSCALER_IDS.runEventsPermission, {
        functionName: this.function.functionName,
        action: "lambda:InvokeFunction",
        principal: "events.amazonaws.com",
        sourceArn: this.runEvents.arn,
      });
    }
    const actions = alarmActions(p.alarms);
    this.alarms = actions === undefined ? [] : this.createAlarms(name, actions);
  }

  private createAlarms(name: string, actions: string[]): CloudwatchMetricAlarm[] {
    const namespace = `ScalrAgentAutoscaler/${name}`;
    // Each alarm counts in 5-minute periods and fires on one occurrence unless it says otherwise.
    const common = oneOccurrenceAlarm(actions);
    // The handler writes one JSON line per decision (agent/autoscaler/handler.ts): `level` is "error"
    // for the outcomes config-error, secret-error, fleet-error and apply-error; `reason` names a hold.
    new CloudwatchLogMetricFilter(this, AGENT_AUTOSCALER_IDS.errorsFilter, {
      name: `${name}-decision-errors`,
      logGroupName: this.logGroup.name,
      pattern: DECISION_LOG_PATTERNS.errors,
      metricTransformation: { name: "DecisionErrors", namespace, value: "1" },
    });
    new CloudwatchLogMetricFilter(this, AGENT_AUTOSCALER_IDS.unknownFilter, {
      name: `${name}-unknown-signal`,
      logGroupName: this.logGroup.name,
      pattern: DECISION_LOG_PATTERNS.unknownSignal,
      metricTransformation: { name: "UnknownSignal", namespace, value: "1" },
    });
    const fn = { namespace: "AWS/Lambda", dimensions: { FunctionName: this.function.functionName } };
    return [
      new CloudwatchMetricAlarm(this, AGENT_AUTOSCALER_IDS.functionErrorsAlarm, {
        ...common,
        ...fn,
        alarmName: `${name}-errors`,
        alarmDescription: "The Scalr autoscaler function failed: the fleet keeps its capacity until it runs again",
        metricName: "Errors",
      }),
      new CloudwatchMetricAlarm(this, AGENT_AUTOSCALER_IDS.decisionErrorsAlarm, {
        ...common,
        namespace,
        alarmName: `${name}-decision-errors`,
        alarmDescription: "A Scalr autoscaler decision ended in an error (configuration, token secret, fleet or scaling call): see the decision log",
        metricName: "DecisionErrors",
      }),
      new CloudwatchMetricAlarm(this, AGENT_AUTOSCALER_IDS.unknownSignalAlarm, {
        ...common,
        namespace,
        alarmName: `${name}-scalr-unreadable`,
        alarmDescription: "The Scalr autoscaler could not read Scalr's queue for 15 minutes: the fleet is held and cannot scale out",
        metricName: "UnknownSignal",
        // Most decisions of three 5-minute periods in a row (one a minute on the default schedule).
        evaluationPeriods: 3,
        threshold: 3,
      }),
      new CloudwatchMetricAlarm(this, AGENT_AUTOSCALER_IDS.noDecisionsAlarm, {
        ...common,
        ...fn,
        alarmName: `${name}-no-decisions`,
        alarmDescription: "The Scalr autoscaler has not run for 10 minutes: its schedule or function is broken, and the fleet does not follow the queue",
        metricName: "Invocations",
        evaluationPeriods: 2,
        comparisonOperator: "LessThanThreshold",
        // No data is no invocation.
        treatMissingData: "breaching",
      }),
    ];
  }
}

/** Adds `attribute` to a resource's `lifecycle.ignore_changes` (keeping what is there). */
function addIgnoreChanges(resource: TerraformResource, attribute: string): void {
  const lifecycle = resource.lifecycle ?? {};
  if (lifecycle.ignoreChanges === "all") return;
  const ignored = Array.isArray(lifecycle.ignoreChanges) ? (lifecycle.ignoreChanges as string[]) : [];
  resource.lifecycle = { ...lifecycle, ignoreChanges: [...new Set([...ignored, attribute])] };
}

/** The value at a dotted path (`schedules.0.start`) of a policy, for error messages. */
function valueAt(input: unknown, field: string): unknown {
  let v: unknown = input;
  for (const k of field.split(".")) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
