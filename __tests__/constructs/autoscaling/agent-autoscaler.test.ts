import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DECISION_LOG_PATTERNS } from "../../../agent/autoscaler/handler";
import { AGENT_AUTOSCALER_IDS, AgentAutoscaler, AgentAutoscalerProps } from "../../../constructs/autoscaling";
import { KitChecks } from "../../../constructs/checks";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet, VmAgentFleetProps, VmAgentFleetSettings } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://acme.scalr.io";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-autoscaler-AbCdEf";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

function newStack(): { stack: TerraformStack; pool: AgentPool; service: EcsAgentService } {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  const pool = new AgentPool(stack, "Pool", { name: "ecs-agents" });
  const service = new EcsAgentService(stack, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET, alarms: false });
  return { stack, pool, service };
}

function build(over: Partial<AgentAutoscalerProps> = {}) {
  const s = newStack();
  const autoscaler = new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.service, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 }, ...over });
  return { ...s, autoscaler, json: JSON.parse(Testing.synth(s.stack)) };
}

const all = (json: any, type: string): any[] => Object.values<any>(json.resource[type] ?? {});
const only = (json: any, type: string): any => {
  const xs = all(json, type);
  expect(xs).toHaveLength(1);
  return xs[0];
};
const logGroup = (json: any, name: string): any => all(json, "aws_cloudwatch_log_group").find((g) => g.name === name);
/** A reference as the decoded policy document shows it. */
const ref = (type: string, id: string, attr: string) => expect.stringMatching(new RegExp(`^<ref:${type}\\.${id}_[0-9A-F]+\\.${attr}>$`));
const statements = (json: any, name: string): any[] => decodeTerraformJson(all(json, "aws_iam_role_policy").find((p) => p.name === name).policy).Statement;

describe("AgentAutoscaler on an EcsAgentService", () => {
  const { json } = build();

  test("a bundled Lambda: Node.js 22 on arm64, one decision at a time, its log group created first with retention", () => {
    const fn = only(json, "aws_lambda_function");
    expect(fn).toMatchObject({ function_name: "scalr-agents-autoscaler", runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", reserved_concurrent_executions: 1, timeout: 60 });
    expect(fn.filename).toMatch(/^assets\/Autoscaler_Code_[0-9A-F]+\/[0-9A-F]+\/archive\.zip$/);
    const logs = logGroup(json, "/aws/lambda/scalr-agents-autoscaler");
    expect(logs).toEqual(expect.objectContaining({ name: "/aws/lambda/scalr-agents-autoscaler", retention_in_days: 30 }));
    expect(fn.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.Autoscaler_LogGroup_/)]);
  });

  test("the environment is what agent/autoscaler/config.ts reads: the pool, this service and cluster, the secret's ARN (never the token), the policy with defaults", () => {
    const vars = only(json, "aws_lambda_function").environment.variables;
    expect(Object.keys(vars).sort()).toEqual(["AGENT_CONCURRENCY", "ECS_CLUSTER", "PROTECT_BUSY_UNITS", "SCALING_POLICY", "SCALR_AGENT_POOL_ID", "SCALR_TOKEN_SECRET_ARN", "SCALR_URL", "TARGET_KIND", "TARGET_NAME"]);
    expect(vars).toMatchObject({
      SCALR_URL,
      SCALR_TOKEN_SECRET_ARN: SECRET_ARN,
      SCALR_AGENT_POOL_ID: expect.stringMatching(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/),
      TARGET_KIND: "ecs",
      TARGET_NAME: expect.stringMatching(/^\$\{aws_ecs_service\.Agents_[0-9A-F]+\.name\}$/),
      ECS_CLUSTER: expect.stringMatching(/^\$\{aws_ecs_cluster\.Agents_Cluster_[0-9A-F]+\.name\}$/),
      AGENT_CONCURRENCY: "1",
      PROTECT_BUSY_UNITS: "true",
    });
    expect(JSON.parse(vars.SCALING_POLICY)).toEqual({ min: 0, max: 10, minIdle: 0, timeZone: "UTC", schedules: [], cooldownOutSeconds: 60, cooldownInSeconds: 600, maxStepOut: 10, maxStepIn: 1 });
  });

  test("an EventBridge rule invokes it every minute; the permission is for that rule only", () => {
    const rule = only(json, "aws_cloudwatch_event_rule");
    expect(rule.schedule_expression).toBe("rate(1 minute)");
    expect(only(json, "aws_cloudwatch_event_target")).toMatchObject({ rule: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.Autoscaler_Schedule_[0-9A-F]+\.name\}$/), arn: expect.stringMatching(/^\$\{aws_lambda_function\.Autoscaler_Function_[0-9A-F]+\.arn\}$/) });
    expect(only(json, "aws_lambda_permission")).toMatchObject({ principal: "events.amazonaws.com", action: "lambda:InvokeFunction", source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.Autoscaler_Schedule_[0-9A-F]+\.arn\}$/) });
  });

  test("the role may act on this service, its cluster's tasks, the token secret and its log group only", () => {
    const st = statements(json, "scale-agent-service");
    const service = ref("aws_ecs_service", "Agents", "arn");
    expect(st).toEqual([
      { Sid: "ScaleTheService", Effect: "Allow", Action: ["ecs:DescribeServices", "ecs:UpdateService"], Resource: [service] },
      { Sid: "ListServiceTasks", Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", Condition: { ArnEquals: { "ecs:cluster": ref("aws_ecs_cluster", "Agents_Cluster", "arn") } } },
      {
        Sid: "ProtectBusyTasks",
        Effect: "Allow",
        Action: ["ecs:GetTaskProtection", "ecs:UpdateTaskProtection"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:ecs:\$\{data\.aws_region\.[^}]+\}:\$\{data\.aws_caller_identity\.[^}]+\}:task\/\$\{aws_ecs_cluster\.Agents_Cluster_[0-9A-F]+\.name\}\/\*$/)],
      },
      { Sid: "ReadScalrToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [SECRET_ARN] },
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Autoscaler_LogGroup_[0-9A-F]+\.arn\}:\*$/)] },
    ]);
    const trust = decodeTerraformJson(all(json, "aws_iam_role").find((r) => r.name === "scalr-agents-autoscaler").assume_role_policy);
    expect(trust.Statement).toEqual([expect.objectContaining({ Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })]);
  });

  test("the service's desired count becomes the autoscaler's: Terraform ignores it", () => {
    expect(only(json, "aws_ecs_service").lifecycle).toEqual({ ignore_changes: ["desired_count"] });
  });

  test("construct ids are the documented ones", () => {
    const { autoscaler } = build();
    const ids = autoscaler.node.children.map((c) => c.node.id).sort();
    const documented = Object.values(AGENT_AUTOSCALER_IDS).filter((id) => !id.startsWith("TokenSecret") && !id.startsWith("RunEvents") && id !== AGENT_AUTOSCALER_IDS.account);
    expect(ids).toEqual([...documented].sort());
  });

  test("a secret name without its random suffix is granted with the suffix pattern", () => {
    const { json: j } = build({ scalrToken: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/autoscaler" } });
    expect(statements(j, "scale-agent-service").find((s) => s.Sid === "ReadScalrToken").Resource).toEqual(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/autoscaler-??????"]);
  });

  test("a token given as a Terraform reference is stored in a secret the construct creates; the role reads only that one", () => {
    const s = newStack();
    const token = new TerraformVariable(s.stack, "scalr_autoscaler_token", { type: "string", sensitive: true });
    const a = new AgentAutoscaler(s.stack, "Autoscaler", { pool: "apool-v0o1example", fleet: s.service, scalrUrl: SCALR_URL, scalrToken: { value: token.stringValue }, policy: { min: 1, max: 3 } });
    expect(a.tokenSecret).toBeDefined();
    const j = JSON.parse(Testing.synth(s.stack));
    const versions = all(j, "aws_secretsmanager_secret_version").filter((v) => /Autoscaler_TokenSecret/.test(v.secret_id));
    expect(versions).toEqual([expect.objectContaining({ secret_string: "${var.scalr_autoscaler_token}" })]);
    const vars = all(j, "aws_lambda_function")[0].environment.variables;
    expect(vars.SCALR_TOKEN_SECRET_ARN).toMatch(/^\$\{aws_secretsmanager_secret\.Autoscaler_TokenSecret_[0-9A-F]+\.arn\}$/);
    expect(vars.SCALR_AGENT_POOL_ID).toBe("apool-v0o1example");
    expect(JSON.stringify(vars)).not.toContain("var.scalr_autoscaler_token");
    expect(statements(j, "scale-agent-service").find((st) => st.Sid === "ReadScalrToken").Resource).toEqual([ref("aws_secretsmanager_secret", "Autoscaler_TokenSecret", "arn")]);
  });

  test("options reach the resources: schedule, concurrency, protection, name, retention, policy", () => {
    const { json: j } = build({
      scheduleExpression: "rate(2 minutes)",
      agentConcurrency: 3,
      protectBusyUnits: false,
      name: "fleet-scaler",
      logRetentionDays: 7,
      policy: { min: 0, max: 8, timeZone: "Europe/Berlin", schedules: [{ days: ["Mon", "Fri"], start: "08:00", end: "18:00", min: 2, minIdle: 1 }] },
    });
    expect(only(j, "aws_cloudwatch_event_rule").schedule_expression).toBe("rate(2 minutes)");
    const fn = only(j, "aws_lambda_function");
    expect(fn.function_name).toBe("fleet-scaler");
    expect(fn.environment.variables).toMatchObject({ AGENT_CONCURRENCY: "3", PROTECT_BUSY_UNITS: "false" });
    expect(JSON.parse(fn.environment.variables.SCALING_POLICY)).toMatchObject({ timeZone: "Europe/Berlin", schedules: [{ days: ["Mon", "Fri"], start: "08:00", end: "18:00", min: 2, minIdle: 1 }] });
    expect(logGroup(j, "/aws/lambda/fleet-scaler")).toMatchObject({ retention_in_days: 7 });
  });
});

describe("alarms", () => {
  const { json } = build();

  test("by default: the function's errors, decisions ending in an error, Scalr unreadable for 15 minutes, no decision for 10 minutes", () => {
    const alarms = Object.fromEntries(all(json, "aws_cloudwatch_metric_alarm").map((a) => [a.alarm_name, a]));
    expect(Object.keys(alarms).sort()).toEqual(["scalr-agents-autoscaler-decision-errors", "scalr-agents-autoscaler-errors", "scalr-agents-autoscaler-no-decisions", "scalr-agents-autoscaler-scalr-unreadable"]);
    expect(alarms["scalr-agents-autoscaler-errors"]).toMatchObject({ namespace: "AWS/Lambda", metric_name: "Errors", threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold" });
    expect(alarms["scalr-agents-autoscaler-no-decisions"]).toMatchObject({ namespace: "AWS/Lambda", metric_name: "Invocations", comparison_operator: "LessThanThreshold", evaluation_periods: 2, treat_missing_data: "breaching" });
    expect(alarms["scalr-agents-autoscaler-scalr-unreadable"]).toMatchObject({ namespace: "ScalrAgentAutoscaler/scalr-agents-autoscaler", metric_name: "UnknownSignal", evaluation_periods: 3, threshold: 3 });
    expect(alarms["scalr-agents-autoscaler-decision-errors"]).toMatchObject({ namespace: "ScalrAgentAutoscaler/scalr-agents-autoscaler", metric_name: "DecisionErrors" });
    for (const a of Object.values<any>(alarms)) expect(a.alarm_actions).toEqual([]);
  });

  test("the metric filters read the decision log with the handler's own patterns", () => {
    const filters = Object.fromEntries(all(json, "aws_cloudwatch_log_metric_filter").map((f) => [f.metric_transformation.name, f]));
    expect(filters.DecisionErrors).toMatchObject({ pattern: DECISION_LOG_PATTERNS.errors, metric_transformation: { namespace: "ScalrAgentAutoscaler/scalr-agents-autoscaler", value: "1" } });
    expect(filters.UnknownSignal).toMatchObject({ pattern: DECISION_LOG_PATTERNS.unknownSignal });
    expect(filters.DecisionErrors.log_group_name).toMatch(/^\$\{aws_cloudwatch_log_group\.Autoscaler_LogGroup_[0-9A-F]+\.name\}$/);
  });

  test("alarms: false creates none; { actions } sends every alarm to the topics", () => {
    expect(build({ alarms: false }).json.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    const topic = "arn:aws:sns:eu-west-1:123456789012:oncall";
    for (const a of all(build({ alarms: { actions: [topic] } }).json, "aws_cloudwatch_metric_alarm")) expect(a).toMatchObject({ alarm_actions: [topic], ok_actions: [topic] });
  });
});

describe("Scalr run events as a second trigger", () => {
  const BUS = "aws.partner/scalr.com/acme-events";
  const { json, autoscaler } = build({ runEvents: { eventBusName: BUS } });

  test("a rule on Scalr's event bus matches RunExecuted and invokes the function once, without retries", () => {
    const rule = all(json, "aws_cloudwatch_event_rule").find((r) => r.event_bus_name === BUS);
    expect(rule).toMatchObject({ name: "scalr-agents-autoscaler-run-events" });
    expect(JSON.parse(rule.event_pattern)).toEqual({ source: [{ prefix: "aws.partner/scalr.com" }], "detail-type": ["RunExecuted"] });
    const target = all(json, "aws_cloudwatch_event_target").find((t) => t.event_bus_name === BUS);
    expect(target).toMatchObject({ target_id: "autoscaler", retry_policy: { maximum_retry_attempts: 0, maximum_event_age_in_seconds: 60 } });
    expect(target.rule).toMatch(/^\$\{aws_cloudwatch_event_rule\.Autoscaler_RunEvents_[0-9A-F]+\.name\}$/);
    const permissions = all(json, "aws_lambda_permission").map((p) => p.source_arn);
    expect(permissions).toEqual(expect.arrayContaining([expect.stringMatching(/Autoscaler_RunEvents_[0-9A-F]+\.arn\}$/), expect.stringMatching(/Autoscaler_Schedule_[0-9A-F]+\.arn\}$/)]));
    expect(autoscaler.runEvents).toBeDefined();
  });

  test("KitChecks passes with no acknowledgement", () => {
    const s = newStack();
    new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.service, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 }, runEvents: { eventBusName: BUS } });
    const checks = KitChecks.of(s.stack);
    expect(() => Testing.synth(s.stack, true)).not.toThrow();
    expect(checks.report().violations).toEqual([]);
    expect(checks.report().acknowledged).toEqual([]);
  });
});

describe("KitChecks over a stack with the autoscaler", () => {
  test("every rule passes with no acknowledgement", () => {
    const s = newStack();
    new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.service, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 } });
    const checks = KitChecks.of(s.stack);
    expect(() => Testing.synth(s.stack, true)).not.toThrow();
    const report = checks.report();
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toEqual([]);
  });

  test("also with the token stored from a sensitive variable", () => {
    const s = newStack();
    const token = new TerraformVariable(s.stack, "scalr_autoscaler_token", { type: "string", sensitive: true });
    new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.service, scalrUrl: SCALR_URL, scalrToken: { value: token.stringValue }, policy: { min: 0, max: 10 } });
    const checks = KitChecks.of(s.stack);
    expect(() => Testing.synth(s.stack, true)).not.toThrow();
    expect(checks.report().violations).toEqual([]);
  });
});

describe("AgentAutoscaler rejects bad input, naming the construct path and the field", () => {
  const attempt = (over: Record<string, unknown>, serviceOver: Record<string, unknown> = {}) => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const pool = new AgentPool(stack, "Pool", { name: "ecs-agents" });
    const service = new EcsAgentService(stack, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET, ...serviceOver });
    return messageOf(() => new AgentAutoscaler(stack, "Autoscaler", { pool, fleet: service, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 }, ...over } as AgentAutoscalerProps));
  };

  test.each<[string, Record<string, unknown>, RegExp]>([
    ["pool", { pool: "pool-1" }, /^stack\/Autoscaler: `pool` must be an AgentPool or an agent pool ID/],
    ["fleet", { fleet: {} }, /^stack\/Autoscaler: `fleet` must be a VmAgentFleet or an EcsAgentService/],
    ["scalrUrl", { scalrUrl: "http://acme.scalr.io/api" }, /^stack\/Autoscaler: `scalrUrl` must be an https URL without a path/],
    ["scalrToken.secretArn", { scalrToken: { secretArn: "scalr-token" } }, /^stack\/Autoscaler: `scalrToken\.secretArn` must be a Secrets Manager secret ARN/],
    ["scalrToken.value (a literal)", { scalrToken: { value: "sa-literal-token-value" } }, /^stack\/Autoscaler: `scalrToken\.value` must be a Terraform reference/],
    ["policy (not an object)", { policy: 5 }, /^stack\/Autoscaler: `policy` must be a scaling policy/],
    ["policy.max", { policy: { min: 0 } }, /^stack\/Autoscaler: `policy\.max` /],
    ["policy.min > max", { policy: { min: 5, max: 2 } }, /^stack\/Autoscaler: `policy\.min` `min` must not exceed `max`/],
    ["policy.timeZone", { policy: { min: 0, max: 2, timeZone: "Mars/Olympus" } }, /^stack\/Autoscaler: `policy\.timeZone` must be an IANA time zone/],
    ["policy.schedules[0].start", { policy: { min: 0, max: 2, schedules: [{ days: ["Mon"], start: "8am", end: "18:00", min: 1 }] } }, /^stack\/Autoscaler: `policy\.schedules\[0\]\.start` must be HH:MM/],
    ["policy (unknown key)", { policy: { min: 0, max: 2, maxx: 3 } }, /^stack\/Autoscaler: `policy` Unrecognized key: "maxx"/],
    ["agentConcurrency", { agentConcurrency: 51 }, /^stack\/Autoscaler: `agentConcurrency` must be a whole number from 1 to 50/],
    ["protectBusyUnits", { protectBusyUnits: "yes" }, /^stack\/Autoscaler: `protectBusyUnits` /],
    ["scheduleExpression", { scheduleExpression: "every minute" }, /^stack\/Autoscaler: `scheduleExpression` must be an EventBridge schedule/],
    ["scheduleExpression (rate(1 minutes))", { scheduleExpression: "rate(1 minutes)" }, /`scheduleExpression` must be an EventBridge schedule/],
    ["name", { name: "a name with spaces" }, /^stack\/Autoscaler: `name` must be 1–56 letters/],
    ["runEvents.eventBusName", { runEvents: { eventBusName: "a bus" } }, /^stack\/Autoscaler: `runEvents\.eventBusName` must be an event bus name/],
    ["alarms.actions", { alarms: { actions: ["oncall"] } }, /^stack\/Autoscaler: `alarms\.actions\[0\]` must be an SNS topic ARN/],
    ["alarms.actions: an incomplete SNS ARN (the shared alarms option)", { alarms: { actions: ["arn:aws:sns:eu-west-1"] } }, /^stack\/Autoscaler: `alarms\.actions\[0\]` must be an SNS topic ARN such as/],
    ["alarms.actions: more than CloudWatch's 5", { alarms: { actions: Array.from({ length: 6 }, (_, i) => `arn:aws:sns:eu-west-1:123456789012:t${i}`) } }, /`alarms\.actions` must list at most 5 actions/],
    ["logRetentionDays", { logRetentionDays: 10 }, /^stack\/Autoscaler: `logRetentionDays` must be a CloudWatch retention/],
    ["an unknown prop", { sechdule: "rate(1 minute)" }, /^stack\/Autoscaler: `sechdule` is not a known field/],
  ])("%s", (_name, over, message) => {
    expect(attempt(over)).toMatch(message);
  });

  test("a literal token never appears in the message", () => {
    expect(attempt({ scalrToken: { value: "sa-literal-token-value" } })).not.toContain("sa-literal-token-value");
  });

  test("a service with CPU autoscaling is refused: both would set the desired count", () => {
    expect(attempt({}, { autoscaling: { minCount: 1, maxCount: 3 } })).toMatch(/^stack\/Autoscaler: `fleet` must not have CPU `autoscaling` \(stack\/Agents\)/);
  });

  test("every problem is reported at once", () => {
    const m = attempt({ scalrUrl: "acme", agentConcurrency: 0, policy: { min: 1, max: 0 } });
    expect(m.split("\n")).toHaveLength(3);
  });
});

describe("AgentAutoscaler on a VmAgentFleet", () => {
  const vmStack = (fleetOver: Partial<VmAgentFleetProps> = {}) => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    new ScalrProvider(stack, "scalr", {});
    const pool = new AgentPool(stack, "Pool", { name: "vm-agents" });
    const fleet = new VmAgentFleet(stack, "Fleet", { name: "vm-agents", os: "amazon-linux-2023", pool, minSize: 0, maxSize: 10, ...NET, ...fleetOver, settings: { scalrUrl: SCALR_URL, ...fleetOver.settings } as VmAgentFleetSettings });
    return { stack, pool, fleet };
  };
  const buildVm = (over: Partial<AgentAutoscalerProps> = {}, fleetOver: Partial<VmAgentFleetProps> = {}) => {
    const s = vmStack(fleetOver);
    const autoscaler = new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 }, ...over });
    return { ...s, autoscaler, json: JSON.parse(Testing.synth(s.stack)) };
  };
  const attemptVm = (over: Record<string, unknown>, fleetOver: Partial<VmAgentFleetProps> = {}) => {
    const s = vmStack(fleetOver);
    return messageOf(() => new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 }, ...over } as AgentAutoscalerProps));
  };
  const { json, fleet } = buildVm();

  test("its agents are named after their instances, which the autoscaler's protection needs", () => {
    expect(fleet.userData.agentNamedAfterInstance).toBe(true);
  });

  test("the environment drives this Auto Scaling group: kind asg, the group's name, no cluster, never the token", () => {
    const vars = only(json, "aws_lambda_function").environment.variables;
    expect(vars).toEqual({
      SCALR_URL,
      SCALR_TOKEN_SECRET_ARN: SECRET_ARN,
      SCALR_AGENT_POOL_ID: expect.stringMatching(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/),
      TARGET_KIND: "asg",
      TARGET_NAME: expect.stringMatching(/^\$\{aws_autoscaling_group\.Fleet_[0-9A-F]+\.name\}$/),
      AGENT_CONCURRENCY: "1",
      SCALING_POLICY: expect.any(String),
      PROTECT_BUSY_UNITS: "true",
    });
    expect(only(json, "aws_lambda_function").function_name).toBe("vm-agents-autoscaler");
  });

  test("the role may describe groups, and scale and protect instances of this group only; its trust is limited to this account", () => {
    expect(statements(json, "scale-agent-fleet")).toEqual([
      { Sid: "ReadTheGroup", Effect: "Allow", Action: ["autoscaling:DescribeAutoScalingGroups"], Resource: "*" },
      { Sid: "ScaleTheGroup", Effect: "Allow", Action: ["autoscaling:SetDesiredCapacity", "autoscaling:SetInstanceProtection"], Resource: [ref("aws_autoscaling_group", "Fleet", "arn")] },
      { Sid: "ReadScalrToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [SECRET_ARN] },
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Autoscaler_LogGroup_[0-9A-F]+\.arn\}:\*$/)] },
    ]);
    const trust = decodeTerraformJson(all(json, "aws_iam_role").find((r) => r.name === "vm-agents-autoscaler").assume_role_policy);
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { "aws:SourceAccount": expect.stringMatching(/^<ref:data\.aws_caller_identity\.Autoscaler_Account_[0-9A-F]+\.account_id>$/) } });
  });

  test("the group's desired capacity becomes the autoscaler's: Terraform ignores it, also when the fleet sets one", () => {
    expect(only(json, "aws_autoscaling_group").lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    const { json: j } = buildVm({}, { desiredCapacity: 2 });
    expect(only(j, "aws_autoscaling_group")).toMatchObject({ desired_capacity: 2, lifecycle: { ignore_changes: ["desired_capacity"] } });
  });

  test("construct ids are the documented ones (with the account lookup)", () => {
    const { autoscaler } = buildVm();
    expect(autoscaler.node.children.map((c) => c.node.id).sort()).toEqual(Object.values(AGENT_AUTOSCALER_IDS).filter((id) => !id.startsWith("TokenSecret") && !id.startsWith("RunEvents")).sort());
  });

  test("KitChecks passes with no acknowledgement", () => {
    const s = vmStack();
    new AgentAutoscaler(s.stack, "Autoscaler", { pool: s.pool, fleet: s.fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN }, policy: { min: 0, max: 10 } });
    const checks = KitChecks.of(s.stack);
    expect(() => Testing.synth(s.stack, true)).not.toThrow();
    expect(checks.report().violations).toEqual([]);
    expect(checks.report().acknowledged).toEqual([]);
  });

  test("a fixed agent name with protection is refused: busy instances could not be found", () => {
    expect(attemptVm({}, { settings: { scalrUrl: SCALR_URL, name: "vm-agent" } as VmAgentFleetSettings })).toMatch(
      /^stack\/Autoscaler: `protectBusyUnits` needs stack\/Fleet's agents named after their EC2 instances, which they are not \(its `settings.name` gives every agent the same fixed name\): .*Drop `settings.name`, or set `protectBusyUnits: false`/,
    );
    const { json: j } = buildVm({ protectBusyUnits: false }, { settings: { scalrUrl: SCALR_URL, name: "vm-agent" } as VmAgentFleetSettings });
    expect(only(j, "aws_lambda_function").environment.variables.PROTECT_BUSY_UNITS).toBe("false");
  });

  test("a policy outside the group's minimum and maximum is refused, naming the field", () => {
    expect(attemptVm({ policy: { min: 0, max: 12 } })).toMatch(/^stack\/Autoscaler: `policy\.max` is above the Auto Scaling group's maximum \(`maxSize` 10 of stack\/Fleet\), which EC2 Auto Scaling enforces: raise the fleet's `maxSize` to at least 12, got: 12$/);
    const m = attemptVm({ policy: { min: 0, max: 3, schedules: [{ days: ["Mon"], start: "08:00", end: "18:00", min: 1 }] } }, { minSize: 2 });
    expect(m).toMatch(/`policy\.min` is below the Auto Scaling group's minimum \(`minSize` 2 of stack\/Fleet\), under which the group never goes: set the fleet's `minSize` to 0 \(0 to scale to zero\), got: 0/);
    expect(m).toMatch(/`policy\.schedules\[0\]\.min` is below the Auto Scaling group's minimum/);
  });
});
