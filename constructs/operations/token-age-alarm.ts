import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Annotations, AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { TOKEN_AGE_ENVIRONMENT, TOKEN_AGE_METRIC } from "../../agent/token-age/handler";
import { IssueCollector } from "../../core/issues";
import { terraformJson } from "../../core/terraform-json";
import { KitValidationError, fieldError, isToken, literalIntInRange, strictProps } from "../../core/validation";
import { lambdaAssumeRolePolicy } from "../runtime/lambda-role";
import type { AgentPool } from "../scalr/agent-pool";
import { isKind } from "../scalr/references";
import { AlarmsOption, alarmActions, alarmsOptionSchema } from "./alarm-actions";
import { TOKEN_AGE_LAMBDA_HANDLER, TOKEN_AGE_LAMBDA_RUNTIME, bundleTokenAge } from "./token-age-bundle";

/** Props of {@link AgentTokenAgeAlarm}. */
export interface AgentTokenAgeAlarmProps {
  /** The pool whose active token is watched. It must set `tokenMaxAgeDays`: only then does it record when its tokens were created. */
  readonly pool: AgentPool;
  /**
   * Days after which the active token's age fires the alarm (1–3650).
   * @default - the pool's `tokenMaxAgeDays`
   */
  readonly maxAgeDays?: number;
  /**
   * The alarm `<name>`: `true` creates it without notifications, `{ actions }` also sends ALARM and
   * OK to SNS topics, `false` creates none (the metric is still written).
   * @default true
   */
  readonly alarms?: AlarmsOption;
  /** Retention of the Lambda's log group, in days (a CloudWatch Logs retention). @default 30 */
  readonly logRetentionDays?: number;
  /**
   * Name of the Lambda, its role, schedule, log group (`/aws/lambda/<name>`) and alarm: 1–64
   * letters, digits, '-' or '_'.
   * @default - `<pool name>-token-age` (the pool's name must then be a literal that fits)
   */
  readonly name?: string;
}

/** Construct ids of an {@link AgentTokenAgeAlarm}'s resources (ids are public API: a renamed id replaces the resource). */
export const AGENT_TOKEN_AGE_ALARM_IDS = {
  /** `aws_cloudwatch_log_group` `/aws/lambda/<name>`, with retention. */
  logGroup: "LogGroup",
  /** `data.aws_caller_identity`: the account the Lambda's role trusts functions of. */
  account: "Account",
  /** `aws_iam_role` of the Lambda. */
  role: "Role",
  /** `aws_iam_role_policy` of the role: write its own log group, nothing else. */
  policy: "Policy",
  /** The Lambda's code asset. */
  code: "Code",
  /** `aws_lambda_function` writing one EMF line per token per hour. */
  function: "Function",
  /** `aws_cloudwatch_event_rule` `rate(1 hour)`. */
  schedule: "Schedule",
  /** `aws_cloudwatch_event_target` of the schedule. */
  target: "Target",
  /** `aws_lambda_permission`: EventBridge may invoke the Lambda, from the schedule only. */
  permission: "Permission",
  /** `aws_cloudwatch_metric_alarm` `<name>` (with `alarms`). */
  alarm: "Alarm",
} as const;

/**
 * CloudWatch namespace of a pool's metrics, `ScalrAgents/<pool>`: the convention of the serverless
 * pool's metrics and dashboard (`launchFailuresNamespace`), so a pool's metrics sit together.
 */
export function tokenAgeNamespace(poolName: string): string {
  return `ScalrAgents/${poolName}`;
}

/** The schedule: hourly, the alarm's period. Rate expressions take a singular unit for 1 (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html). */
export const TOKEN_AGE_SCHEDULE = "rate(1 hour)";

/**
 * Log retentions CloudWatch Logs accepts
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html, `retentionInDays`).
 */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * Names Lambda, IAM and EventBridge all accept: function names are 1–64 letters, digits, '-' or '_'
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html, `FunctionName`); role
 * names and rule names take these and more, up to 64 characters
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
 */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Lambda's limit on a function's environment variables, all of them together: 4 KB
 * (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html, "Function configuration,
 * deployment, and execution").
 */
const LAMBDA_ENVIRONMENT_BYTES = 4096;

/**
 * Room counted for one creation time in the environment: `plantimestamp()` writes RFC 3339 in UTC
 * (`2025-03-02T10:15:00Z`, 20 characters: https://developer.hashicorp.com/terraform/language/functions/plantimestamp);
 * 35 leaves room for fractional seconds and an offset.
 */
const CREATED_AT_BYTES = 35;

const propsSchema = strictProps({
  pool: z.custom<AgentPool>((v) => isKind(v, "agent-pool") && typeof (v as { tokenCreatedAt?: unknown }).tokenCreatedAt === "function", {
    error: "must be an AgentPool construct (with `tokenMaxAgeDays`)",
  }),
  maxAgeDays: literalIntInRange(1, 3650).optional(),
  alarms: alarmsOptionSchema,
  logRetentionDays: z
    .number({ error: `must be a CloudWatch Logs retention: ${RETENTION_DAYS.join(", ")}` })
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { error: `must be a CloudWatch Logs retention: ${RETENTION_DAYS.join(", ")}` })
    .default(30),
  name: z.string({ error: "must be 1–64 letters, digits, '-' or '_'" }).regex(NAME, { error: "must be 1–64 letters, digits, '-' or '_'" }).optional(),
}) satisfies z.ZodType<AgentTokenAgeAlarmProps>;

/** The names token-age alarms use in each app, with the path of the alarm that took each. */
const NAMES_IN_APP = new WeakMap<IConstruct, Map<string, string>>();

/**
 * An alarm on the age of an agent pool's active token, without anyone running a plan: a small
 * Lambda (the bundled `agent/token-age/handler.ts`, Node.js 22 on arm64) runs every hour and writes
 * each token's age in days as the metric `TokenAgeDays` (namespace `ScalrAgents/<pool>`, dimensions
 * `Pool` and `Token`) in CloudWatch's embedded metric format; the alarm `<name>` fires when the
 * active token's age passes `maxAgeDays`. The Lambda gets the tokens' names and creation times (the
 * pool records them with `tokenMaxAgeDays`), never their values; its role may only write its own
 * log group. See docs/token-rotation.md.
 *
 * Construct ids: {@link AGENT_TOKEN_AGE_ALARM_IDS}.
 *
 * @example
 * const pool = new AgentPool(this, "RunPool", { name: "aws-run", tokens: ["blue", "green"], activeToken: "green", tokenMaxAgeDays: 90 });
 * new AgentTokenAgeAlarm(this, "TokenAge", { pool, alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:on-call"] } });
 */
export class AgentTokenAgeAlarm extends Construct {
  /** The alarm on the active token's age (undefined with `alarms: false`). */
  public readonly alarm?: CloudwatchMetricAlarm;
  /** The Lambda that writes the metric. */
  public readonly function: LambdaFunction;
  /** The Lambda's log group, `/aws/lambda/<name>`: one EMF line per token per hour. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The hourly schedule. */
  public readonly schedule: CloudwatchEventRule;
  /** The Lambda's role. */
  public readonly role: IamRole;
  /** The alarm's threshold, in days. */
  public readonly maxAgeDays: number;
  /** The metric's namespace, `ScalrAgents/<pool>`. */
  public readonly namespace: string;
  /** The Lambda environment (names as `TOKEN_AGE_ENVIRONMENT`): no token value, only names and creation times. */
  public readonly environment: Readonly<Record<string, string>>;

  public constructor(scope: Construct, id: string, props: AgentTokenAgeAlarmProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    // Garbage instead of props parses to nothing: every rule below is then skipped.
    const pool = (p as Partial<typeof p> | undefined)?.pool as AgentPool | undefined;
    const poolName = pool?.poolName;
    let createdAt: Record<string, string> | undefined;
    issues.rule(["pool"], () => {
      if (!pool) return;
      const trackedDays = pool.tokenMaxAgeDays;
      try {
        createdAt = Object.fromEntries(pool.tokenNames.map((t) => [t, pool.tokenCreatedAt(t)]));
      } catch (e) {
        if (!(e instanceof KitValidationError)) throw e;
      }
      if (createdAt === undefined || trackedDays === undefined) {
        createdAt = undefined;
        issues.add("pool", `must set \`tokenMaxAgeDays\` (${pool.node.path}): only then does the pool record when its tokens were created`, pool.node.path, { sensitive: false });
        return;
      }
      // The creation times are references now: each is counted at its widest.
      const bytes = environmentBytes(pool);
      if (bytes > LAMBDA_ENVIRONMENT_BYTES) {
        issues.add(
          "pool",
          `has too many tokens (${pool.tokenNames.length}) for the token-age Lambda: their names and creation times need up to ${bytes} bytes of environment, over Lambda's ${LAMBDA_ENVIRONMENT_BYTES}`,
          pool.node.path,
          { sensitive: false },
        );
      }
    });
    issues.rule(["pool"], () => {
      // CloudWatch namespaces are ASCII without control characters
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html, `Namespace`).
      if (poolName !== undefined && !isToken(poolName) && !/^[\x20-\x7e]+$/.test(poolName)) {
        issues.add("pool", `has a name that is no CloudWatch namespace part (printable ASCII only): ${JSON.stringify(poolName)}`, pool?.node.path, { sensitive: false });
      }
    });
    issues.rule(["name", "pool"], () => {
      if (p.name !== undefined || poolName === undefined) return;
      if (isToken(poolName) || !NAME.test(`${poolName}-token-age`)) {
        const pool = isToken(poolName) ? "a Terraform reference" : JSON.stringify(poolName);
        issues.add("name", `is required here: the pool's name (${pool}) is not a literal of at most 54 letters, digits, '-' or '_', so the Lambda and the alarm cannot be named after it`, p.name);
      }
    });
    issues.throwIfAny();
    const thePool = pool as AgentPool;
    const name = p.name ?? `${thePool.poolName}-token-age`;
    // The Lambda, its role, its rule and the alarm are all named `name`: a second alarm with the same
    // name in the app would fail at apply on the first existing one.
    const taken = NAMES_IN_APP.get(this.node.root) ?? new Map<string, string>();
    NAMES_IN_APP.set(this.node.root, taken);
    const other = taken.get(name);
    if (other !== undefined) {
      throw fieldError({ subject: this.node.path }, "name", `names the Lambda, role, rule and alarm ${JSON.stringify(name)}, already used by ${other}: give this alarm another \`name\` (one alarm per pool is enough)`, p.name, { sensitive: false });
    }
    taken.set(name, this.node.path);
    this.maxAgeDays = p.maxAgeDays ?? (thePool.tokenMaxAgeDays as number);
    if (this.maxAgeDays > (thePool.tokenMaxAgeDays as number)) {
      Annotations.of(this).addWarning(
        `${this.node.path}: \`maxAgeDays\` (${this.maxAgeDays}) is above the pool's \`tokenMaxAgeDays\` (${thePool.tokenMaxAgeDays}): plans warn before the alarm fires; an alarm at or below the pool's limit warns first`,
      );
    }
    this.namespace = tokenAgeNamespace(thePool.poolName);
    this.environment = this.environmentOf(thePool, createdAt as Record<string, string>);
    const ids = AGENT_TOKEN_AGE_ALARM_IDS;

    this.logGroup = new CloudwatchLogGroup(this, ids.logGroup, { name: `/aws/lambda/${name}`, retentionInDays: p.logRetentionDays });
    const account = new DataAwsCallerIdentity(this, ids.account, {});
    this.role = new IamRole(this, ids.role, {
      name,
      description: `Writes the age of the Scalr agent pool ${thePool.poolName}'s tokens to its own log group`,
      assumeRolePolicy: lambdaAssumeRolePolicy(account.accountId),
    });
    new IamRolePolicy(this, ids.policy, {
      role: this.role.id,
      name: "write-own-logs",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [{ Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:*`] }],
      }),
    });
    const code = new TerraformAsset(this, ids.code, { path: bundleTokenAge(), type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, ids.function, {
      functionName: name,
      description: `Scalr agent pool ${thePool.poolName}: each token's age in days, as a metric`,
      role: this.role.arn,
      runtime: TOKEN_AGE_LAMBDA_RUNTIME,
      architectures: ["arm64"],
      handler: TOKEN_AGE_LAMBDA_HANDLER,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: 128,
      timeout: 10,
      // One invocation an hour: one at a time is plenty, and caps what a runaway trigger costs.
      reservedConcurrentExecutions: 1,
      // The creation times are known after the pool's first apply: until then the plan shows them unknown.
      environment: { variables: { ...this.environment } },
      dependsOn: [this.logGroup],
    });

    this.schedule = new CloudwatchEventRule(this, ids.schedule, {
      name,
      description: `Writes the token ages of the Scalr agent pool ${thePool.poolName} every hour`,
      scheduleExpression: TOKEN_AGE_SCHEDULE,
    });
    new CloudwatchEventTarget(this, ids.target, { rule: this.schedule.name, arn: this.function.arn, targetId: "token-age" });
    // EventBridge invokes a Lambda through the function's resource policy; `source_arn` limits it to
    // this rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-lambda-permissions).
    new LambdaPermission(this, ids.permission, {
      functionName: this.function.functionName,
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      sourceArn: this.schedule.arn,
    });

    const actions = alarmActions(p.alarms);
    if (actions !== undefined) {
      this.alarm = new CloudwatchMetricAlarm(this, ids.alarm, {
        alarmName: name,
        alarmDescription:
          `The active token "${thePool.activeTokenName}" of the Scalr agent pool ${thePool.poolName} is older than ${this.maxAgeDays} days. ` +
          "Rotate it: add a new token, point activeToken at it, remove the old one once the new agents registered (docs/token-rotation.md in cdktf-scalr-kit).",
        namespace: this.namespace,
        metricName: TOKEN_AGE_METRIC,
        dimensions: { Pool: thePool.poolName, Token: thePool.activeTokenName },
        statistic: "Maximum",
        period: 3600,
        evaluationPeriods: 1,
        threshold: this.maxAgeDays,
        comparisonOperator: "GreaterThanThreshold",
        // "missing": an hour without a data point is neither OK nor ALARM, and with no data in the
        // evaluation range the alarm goes to INSUFFICIENT_DATA
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html).
        // No data means the Lambda did not run or failed (a token creation time it could not read),
        // or the pool was not applied yet: that must not show OK, and is not a token too old either.
        treatMissingData: "missing",
        alarmActions: actions,
        okActions: actions,
      });
    }
  }

  /** The Lambda environment: pool, namespace, active token, and each token's creation time as JSON built by Terraform. */
  private environmentOf(pool: AgentPool, createdAt: Readonly<Record<string, string>>): Record<string, string> {
    const E = TOKEN_AGE_ENVIRONMENT;
    return {
      [E.pool]: pool.poolName,
      [E.namespace]: tokenAgeNamespace(pool.poolName),
      [E.activeToken]: pool.activeTokenName,
      // jsonencode: Terraform writes the JSON once the creation times are known (after the pool's first apply).
      [E.tokens]: Fn.jsonencode({ ...createdAt }),
    };
  }
}

/**
 * The most bytes the Lambda environment of `pool` takes once Terraform wrote the creation times:
 * names and values of every variable, each creation time counted at {@link CREATED_AT_BYTES}. A
 * pool name that is a reference counts as the longest pool name (255).
 */
function environmentBytes(pool: AgentPool): number {
  const E = TOKEN_AGE_ENVIRONMENT;
  const poolName = isToken(pool.poolName) ? "x".repeat(255) : pool.poolName;
  const tokens = JSON.stringify(Object.fromEntries(pool.tokenNames.map((t) => [t, ""])));
  const values = [poolName, tokenAgeNamespace(poolName), pool.activeTokenName, tokens];
  return [...Object.values(E), ...values].reduce((n, v) => n + Buffer.byteLength(v), 0) + pool.tokenNames.length * CREATED_AT_BYTES;
}
