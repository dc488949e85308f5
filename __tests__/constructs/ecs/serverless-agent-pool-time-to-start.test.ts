import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { KitChecks } from "../../../constructs/checks";
import { SERVERLESS_AGENT_POOL_OPERATIONS_IDS, ServerlessAgentPool, ServerlessAgentPoolProps } from "../../../constructs/ecs/serverless-agent-pool";
import { parseTaskEventsConfig } from "../../../agent/serverless/task-events";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] };
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call";

function build(props: Partial<ServerlessAgentPoolProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  const pool = new ServerlessAgentPool(stack, "Serverless", { name: "tts-pool", settings: { scalrUrl: "https://tts.scalr.io" }, ...NET, ...props });
  return { stack, pool, json: JSON.parse(Testing.synth(stack)) };
}
const all = (json: any, type: string): any[] => Object.values<any>(json.resource[type] ?? {});
const taskEventsFn = (json: any) => all(json, "aws_lambda_function").find((f) => f.function_name === "tts-pool-task-events");

describe("ServerlessAgentPool time to start", () => {
  const { json, pool } = build({ alarms: { actions: [TOPIC] } });

  test("an EventBridge rule for this cluster's handler-started tasks reaching RUNNING or STOPPED invokes the task-events Lambda", () => {
    const rule = all(json, "aws_cloudwatch_event_rule").find((r) => r.name === "tts-pool-task-state");
    expect(decodeTerraformJson(rule.event_pattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [expect.stringMatching(/^<ref:aws_ecs_cluster\.Serverless_Cluster_[0-9A-F]+\.arn>$/)],
        lastStatus: ["RUNNING", "STOPPED"],
        startedBy: [{ prefix: "scalr/task/" }, { prefix: "scalr/sha256/" }],
      },
    });
    const target = all(json, "aws_cloudwatch_event_target").find((t) => t.target_id === "task-events");
    expect(target.rule).toMatch(/^\$\{aws_cloudwatch_event_rule\.Serverless_TaskStateRule_[0-9A-F]+\.name\}$/);
    expect(target.arn).toMatch(/^\$\{aws_lambda_function\.Serverless_TaskEvents_[0-9A-F]+\.arn\}$/);
    const permission = all(json, "aws_lambda_permission").find((p) => p.principal === "events.amazonaws.com");
    expect(permission).toMatchObject({ action: "lambda:InvokeFunction", source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.Serverless_TaskStateRule_[0-9A-F]+\.arn\}$/) });
    expect(permission.function_name).toMatch(/aws_lambda_function\.Serverless_TaskEvents_/);
  });

  test("the Lambda: capped concurrency, its own log group with retention, a role that only writes those logs, an environment the Lambda accepts", () => {
    const fn = taskEventsFn(json);
    expect(pool.taskEvents).toBeDefined();
    expect(fn).toMatchObject({ handler: "index.handler", runtime: "nodejs22.x", reserved_concurrent_executions: 5 });
    expect(fn.environment.variables).toEqual({ CLUSTER_ARN: expect.stringMatching(/aws_ecs_cluster/), METRIC_NAMESPACE: "ScalrAgents/tts-pool", POOL_NAME: "tts-pool" });
    expect(parseTaskEventsConfig(fn.environment.variables)).toMatchObject({ namespace: "ScalrAgents/tts-pool", pool: "tts-pool" });
    expect(fn.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.Serverless_TaskEventsLogGroup_/)]);
    const group = all(json, "aws_cloudwatch_log_group").find((g) => g.name === "/aws/lambda/tts-pool-task-events");
    expect(group.retention_in_days).toBe(30);
    const policies = all(json, "aws_iam_role_policy").filter((p) => p.name === "write-own-logs");
    expect(policies).toHaveLength(1);
    expect(decodeTerraformJson(policies[0].policy).Statement).toEqual([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Serverless_TaskEventsLogGroup_[0-9A-F]+\.arn\}:\*$/)] }],
    );
    const role = all(json, "aws_iam_role").find((r) => r.name === "tts-pool-task-events");
    expect(decodeTerraformJson(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "lambda.amazonaws.com" });
  });

  test("the alarm <name>-time-to-start: p95 of TimeToRunningMs above 120 s by default, with the pool's actions", () => {
    const alarm = all(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "tts-pool-time-to-start");
    expect(alarm).toMatchObject({
      namespace: "ScalrAgents/tts-pool",
      metric_name: "TimeToRunningMs",
      dimensions: { Pool: "tts-pool" },
      extended_statistic: "p95",
      period: 300,
      evaluation_periods: 3,
      threshold: 120_000,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(alarm.statistic).toBeUndefined();
    const other = all(build({ timeToStartTargetSeconds: 45 }).json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "tts-pool-time-to-start");
    expect(other.threshold).toBe(45_000);
    expect(other.alarm_actions).toEqual([]);
  });

  test("the dashboard plots time to RUNNING beside the handler's part, and the tasks that failed to start", () => {
    const body = decodeTerraformJson(all(json, "aws_cloudwatch_dashboard")[0].dashboard_body);
    const widget = body.widgets.find((w: any) => w.properties.title?.startsWith("Agent start"));
    expect(widget.properties.metrics).toEqual([
      ["ScalrAgents/tts-pool", "WebhookToRunTaskMs", { stat: "p50", label: "handler, p50" }],
      ["ScalrAgents/tts-pool", "WebhookToRunTaskMs", { stat: "p95", label: "handler, p95" }],
      ["ScalrAgents/tts-pool", "TimeToRunningMs", "Pool", "tts-pool", { stat: "p50", label: "to RUNNING, p50" }],
      ["ScalrAgents/tts-pool", "TimeToRunningMs", "Pool", "tts-pool", { stat: "p95", label: "to RUNNING, p95" }],
      ["ScalrAgents/tts-pool", "TimeToRunningMs", "Pool", "tts-pool", { stat: "p99", label: "to RUNNING, p99" }],
    ]);
    const failed = body.widgets.find((w: any) => w.properties.title?.startsWith("Agent tasks that failed to start"));
    expect(failed.properties.metrics).toEqual([["ScalrAgents/tts-pool", "TasksFailedToStart", "Pool", "tts-pool", { label: "failed to start (reason: task-events log)" }]]);
    expect(failed.properties.stat).toBe("Sum");
    const alarms = body.widgets.find((w: any) => w.type === "alarm").properties.alarms;
    expect(alarms).toContainEqual(expect.stringMatching(/aws_cloudwatch_metric_alarm\.Serverless_TimeToStartAlarm_/));
    expect(alarms).toContainEqual(expect.stringMatching(/aws_cloudwatch_metric_alarm\.Serverless_TasksFailedToStartAlarm_/));
  });

  test("the handler's part of each launch is a metric: the durationMs of its launched lines, in milliseconds", () => {
    const filter = all(json, "aws_cloudwatch_log_metric_filter").find((f) => f.name === "tts-pool-webhook-to-run-task");
    expect(filter).toMatchObject({
      pattern: '{ ($.message = "scalr webhook") && ($.outcome = "launched") }',
      metric_transformation: { name: "WebhookToRunTaskMs", namespace: "ScalrAgents/tts-pool", value: "$.durationMs", unit: "Milliseconds" },
    });
    expect(filter.log_group_name).toMatch(/aws_cloudwatch_log_group\.Serverless_HandlerLogGroup_|\/aws\/lambda\/tts-pool-webhook/);
  });

  test("the alarm <name>-agent-tasks-failed-to-start: any task ECS stopped before it ran, in 5 minutes, with the pool's actions", () => {
    const alarm = all(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "tts-pool-agent-tasks-failed-to-start");
    expect(alarm).toMatchObject({
      namespace: "ScalrAgents/tts-pool",
      metric_name: "TasksFailedToStart",
      dimensions: { Pool: "tts-pool" },
      statistic: "Sum",
      period: 300,
      evaluation_periods: 1,
      threshold: 1,
      comparison_operator: "GreaterThanOrEqualToThreshold",
      treat_missing_data: "notBreaching",
    });
    expect(alarm.alarm_description).toContain("/aws/lambda/tts-pool-task-events");
    const timeToStart = all(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "tts-pool-time-to-start");
    expect(alarm.alarm_actions).toEqual(timeToStart.alarm_actions);
    expect(alarm.ok_actions).toEqual(timeToStart.ok_actions);
  });

  test("with neither alarms nor dashboard, no task-events Lambda, rule or alarm; with only one of them, the Lambda", () => {
    const off = build({ alarms: false, dashboard: false });
    expect(off.pool.taskEvents).toBeUndefined();
    expect(taskEventsFn(off.json)).toBeUndefined();
    expect(off.json.resource.aws_cloudwatch_event_rule).toBeUndefined();
    const dashOnly = build({ alarms: false });
    expect(taskEventsFn(dashOnly.json)).toBeDefined();
    expect(all(dashOnly.json, "aws_cloudwatch_metric_alarm")).toEqual([]);
  });

  test("ids of the new resources are the documented ones", () => {
    const ids = Object.keys(json.resource.aws_lambda_function);
    expect(ids.some((id) => id.startsWith(`Serverless_${SERVERLESS_AGENT_POOL_OPERATIONS_IDS.taskEvents}_`))).toBe(true);
  });

  test("KitChecks: no violation or warning", () => {
    const { stack } = (() => {
      const s = new TerraformStack(Testing.app(), "checked");
      new AwsProvider(s, "aws", { region: "eu-west-1" });
      new ScalrProvider(s, "scalr", {});
      new ServerlessAgentPool(s, "Serverless", { name: "tts-pool", settings: { scalrUrl: "https://tts.scalr.io" }, ...NET, alarms: { actions: [TOPIC] } });
      return { stack: s };
    })();
    const checks = KitChecks.of(stack);
    Testing.synth(stack, true);
    expect(checks.report().violations).toEqual([]);
    expect(checks.report().warnings).toEqual([]);
  });

  test.each([
    [0, "0"],
    [29, "29"],
    [901, "901"],
    [60.5, "60.5"],
    ["120", '"120"'],
  ])("fails when timeToStartTargetSeconds is %p", (value, shown) => {
    expect(messageOf(() => build({ timeToStartTargetSeconds: value as never }))).toMatch(new RegExp(`^stack/Serverless: \`timeToStartTargetSeconds\` .*got: ${shown.replace(/[.]/g, "\\.")}$`));
  });
});
