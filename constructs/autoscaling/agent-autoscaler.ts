import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AUTOSCALER_ENVIRONMENT } from "../../agent/autoscaler/config";
import { PolicyError, ScalingPolicy, ScheduleWindow, parsePolicy } from "../../agent/autoscaler/policy";
import { IssueCollector } from "../../core/issues";
import { terraformJson } from "../../core/terraform-json";
import { isToken, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { EcsAgentService } from "../ecs/ecs-agent-service";
import { secretResource } from "../ecs/fargate-agent-task";
import type { IAgentPool } from "../scalr/interfaces";
import { isKind, ref } from "../scalr/references";
import { AUTOSCALER_LAMBDA_HANDLER, AUTOSCALER_LAMBDA_RUNTIME, bundleAutoscaler } from "./autoscaler-bundle";

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

/** Props of {@link AgentAutoscaler}. */
export interface AgentAutoscalerProps {
  /** The pool whose queue drives the fleet: an AgentPool, or its ID (`apool-…`). */
  readonly pool: IAgentPool | string;
  /** The fleet: an EcsAgentService without CPU `autoscaling` (the two would fight over the desired count). */
  readonly service: EcsAgentService;
  /** `https://<account>.scalr.io`, no path. */
  readonly scalrUrl: string;
  /** The Scalr API token (read-only service account) the autoscaler reads the queue with. */
  readonly scalrToken: AgentAutoscalerToken;
  /** How the fleet scales. */
  readonly policy: AgentAutoscalerPolicy;
  /** Runs one agent takes at once (AgentSettings `concurrency`). @default 1 */
  readonly agentConcurrency?: number;
  /** Protect busy tasks from scale-in (ECS task protection, renewed every decision). @default true */
  readonly protectBusyUnits?: boolean;
  /** EventBridge schedule of the decisions. @default "rate(1 minute)" */
  readonly scheduleExpression?: string;
  /** Name of the function, role and rule (1–56 letters, digits, '-', '_'). @default "<service name>-autoscaler" */
  readonly name?: string;
  /** Retention of the decision log. @default 30 */
  readonly logRetentionDays?: number;
}

/** Construct ids of the resources {@link AgentAutoscaler} creates (stable: renaming one replaces the resource). */
export const AGENT_AUTOSCALER_IDS = {
  /** `aws_cloudwatch_log_group` `/aws/lambda/<name>`. */
  logGroup: "LogGroup",
  /** `aws_iam_role` of the function. */
  role: "Role",
  /** `aws_iam_role_policy`: the service, its tasks, the token secret, the log group. */
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
  service: z.custom<EcsAgentService>((v) => v instanceof EcsAgentService, { error: "must be an EcsAgentService" }),
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
  logRetentionDays: z
    .number()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { error: `must be a CloudWatch retention: ${RETENTION_DAYS.join(", ")}` })
    .default(30),
});

/** Lambda timeout: the handler keeps 10 s back (AWS_MARGIN_MS) for the AWS calls and its log line. */
const FUNCTION_TIMEOUT_SECONDS = 60;

/**
 * Scales an {@link EcsAgentService} on its Scalr pool's queue (docs/autoscaling.md,
 * ADR 0009): a Lambda (the bundled `agent/autoscaler/lambda.ts`, Node.js 22 on arm64, reserved
 * concurrency 1 so two decisions never race) runs on an EventBridge schedule, reads the pool's
 * queued runs and agents from Scalr with a token from Secrets Manager, protects busy tasks from
 * scale-in and sets the service's desired count within `policy`.
 *
 * Its role may only describe and update this one service, list tasks of its cluster, read and
 * change protection of that cluster's tasks, read the one token secret and write its own log group.
 * The service's `desired_count` becomes the autoscaler's: it is added to the service's
 * `lifecycle.ignore_changes`, so an apply does not reset it.
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
          issues.add(field ? `policy.${field}` : "policy", m?.[2] ?? line, field ? valueAt(p.policy, field) : p.policy);
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
    issues.rule(["service"], () => {
      if (p.service.scalingTarget !== undefined) {
        issues.add("service", `must not have CPU \`autoscaling\` (${p.service.node.path}): both would set its desired count`, p.service.node.path);
      }
    });
    const serviceName = p.service ? (p.service.service.nameInput ?? p.service.serviceName) : undefined;
    issues.rule(["name", "service"], () => {
      if (p.name === undefined && (serviceName === undefined || isToken(serviceName) || `${serviceName}-autoscaler`.length > 56)) {
        issues.add("name", `is required when the service's name is not a literal of at most 45 characters (got ${serviceName ?? "none"})`, p.name);
      }
    });
    issues.throwIfAny();
    const scaling = policy as ScalingPolicy;
    this.policy = scaling;
    const name = p.name ?? `${serviceName}-autoscaler`;
    const service = p.service;
    const { partition, region, account } = service.task;
    const prefix = `arn:${partition.partition}:ecs:${region.region}:${account.accountId}`;
    const clusterArn = service.clusterResource?.arn ?? `${prefix}:cluster/${service.clusterName}`;

    // The desired count is the autoscaler's from now on: Terraform must not reset it.
    const lifecycle = service.service.lifecycle ?? {};
    service.service.lifecycle = { ...lifecycle, ignoreChanges: [...new Set([...((lifecycle.ignoreChanges as string[] | undefined) ?? []), "desired_count"])] };

    if ("value" in p.scalrToken) {
      this.tokenSecret = new SecretsmanagerSecret(this, AGENT_AUTOSCALER_IDS.tokenSecret, { name: `${name}/scalr-token`, description: `Scalr API token of the autoscaler ${name} (read-only)` });
      new SecretsmanagerSecretVersion(this, AGENT_AUTOSCALER_IDS.tokenSecretValue, { secretId: this.tokenSecret.id, secretString: p.scalrToken.value });
      this.tokenSecretArn = this.tokenSecret.arn;
    } else {
      this.tokenSecretArn = p.scalrToken.secretArn;
    }

    this.logGroup = new CloudwatchLogGroup(this, AGENT_AUTOSCALER_IDS.logGroup, { name: `/aws/lambda/${name}`, retentionInDays: p.logRetentionDays });
    this.role = new IamRole(this, AGENT_AUTOSCALER_IDS.role, {
      name,
      description: `Scales the ECS service ${serviceName ?? ""} on its Scalr pool's queue`.replace(/ {2}/, " "),
      assumeRolePolicy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
          },
        ],
      }),
    });
    new IamRolePolicy(this, AGENT_AUTOSCALER_IDS.policy, {
      role: this.role.id,
      name: "scale-agent-service",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
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
          { Sid: "ReadScalrToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [secretResource(this.tokenSecretArn)] },
          { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:*`] },
        ],
      }),
    });

    const E = AUTOSCALER_ENVIRONMENT;
    const poolId = isKind(p.pool, "agent-pool") ? (p.pool as IAgentPool).poolId : (p.pool as string);
    this.environment = {
      [E.scalrUrl]: p.scalrUrl,
      [E.tokenSecretArn]: this.tokenSecretArn,
      [E.poolId]: poolId,
      [E.targetKind]: "ecs",
      [E.targetName]: service.serviceName,
      [E.ecsCluster]: service.clusterName,
      [E.concurrency]: String(p.agentConcurrency),
      [E.policy]: JSON.stringify(scaling),
      [E.protectBusy]: String(p.protectBusyUnits),
    };
    const code = new TerraformAsset(this, AGENT_AUTOSCALER_IDS.code, { path: bundleAutoscaler(), type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, AGENT_AUTOSCALER_IDS.function, {
      functionName: name,
      description: `Scales the Scalr agents of ${serviceName ?? "an ECS service"} on the pool's queue`,
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
  }
}

/** The value at a dotted path (`schedules.0.start`) of a policy, for error messages. */
function valueAt(input: unknown, field: string): unknown {
  let v: unknown = input;
  for (const k of field.split(".")) v = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}
