import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { AgentAutoscaler } from "../../../constructs/autoscaling/agent-autoscaler";
import { KitChecks } from "../../../constructs/checks";
import { EcsAgentService, EcsAgentServiceProps } from "../../../constructs/ecs/ecs-agent-service";
import { ServerlessAgentPool, ServerlessAgentPoolProps } from "../../../constructs/ecs/serverless-agent-pool";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] };
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call";
const SCALR_API_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-api-AbC123";

function newStack(id = "ops"): TerraformStack {
  const stack = new TerraformStack(Testing.app(), id);
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function service(props: Partial<EcsAgentServiceProps> = {}, autoscalers = 0) {
  const stack = newStack();
  const pools = [new AgentPool(stack, "Pool", { name: "ops-pool" }), new AgentPool(stack, "Pool2", { name: "ops-pool-2" })];
  const svc = new EcsAgentService(stack, "Service", { name: "ops-ecs", pool: pools[0], settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET, ...props });
  for (let i = 0; i < autoscalers; i++) {
    new AgentAutoscaler(stack, `Autoscaler${i}`, { name: `ops-ecs-autoscaler-${i}`, pool: pools[i] as AgentPool, fleet: svc, scalrUrl: "https://ops-acct.scalr.io", scalrToken: { secretArn: SCALR_API_SECRET }, policy: { min: 0, max: 6 } });
  }
  return { stack, svc, json: JSON.parse(Testing.synth(stack)) };
}

const all = (json: any, type: string): any[] => Object.values<any>(json.resource[type] ?? {});
const widgets = (json: any) => (decodeTerraformJson(all(json, "aws_cloudwatch_dashboard")[0].dashboard_body) as { widgets: any[] }).widgets;
const CLUSTER_NAME = /^\$\{aws_ecs_cluster\.Service_Cluster_[0-9A-F]+\.name\}$|^<ref:aws_ecs_cluster\.Service_Cluster_[0-9A-F]+\.name>$/;
const SERVICE_NAME = /^\$\{aws_ecs_service\.Service_[0-9A-F]+\.name\}$|^<ref:aws_ecs_service\.Service_[0-9A-F]+\.name>$/;

describe("EcsAgentService operations: logs", () => {
  test("the agents' log group keeps logRetentionDays (30 by default)", () => {
    expect(all(service().json, "aws_cloudwatch_log_group").map((g) => [g.name, g.retention_in_days])).toEqual([["/ecs/ops-ecs", 30]]);
    expect(all(service({ logRetentionDays: 90 }).json, "aws_cloudwatch_log_group").map((g) => g.retention_in_days)).toEqual([90]);
  });
});

describe("EcsAgentService operations: alarms", () => {
  test("by default: tasks below desired for 15 minutes, from Container Insights, without actions", () => {
    const { json, svc } = service();
    const alarms = all(json, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => a.alarm_name)).toEqual(["ops-ecs-tasks-below-desired"]);
    const a = alarms[0];
    expect(a).toMatchObject({ evaluation_periods: 3, datapoints_to_alarm: 3, threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold", treat_missing_data: "missing", alarm_actions: [], ok_actions: [] });
    expect(a.metric_query).toEqual([
      { id: "desired", return_data: false, metric: { namespace: "ECS/ContainerInsights", metric_name: "DesiredTaskCount", dimensions: { ClusterName: expect.stringMatching(CLUSTER_NAME), ServiceName: expect.stringMatching(SERVICE_NAME) }, period: 300, stat: "Minimum" } },
      { id: "running", return_data: false, metric: expect.objectContaining({ namespace: "ECS/ContainerInsights", metric_name: "RunningTaskCount", stat: "Maximum" }) },
      { id: "missing", expression: "desired - running", label: "Agents missing (desired − running)", return_data: true },
    ]);
    expect(a.alarm_description).toContain("ResourceInitializationError");
    expect(svc.alarms).toHaveLength(1);
  });

  test("{ actions }: ALARM and OK go to the topics", () => {
    const a = all(service({ alarms: { actions: [TOPIC] } }).json, "aws_cloudwatch_metric_alarm")[0];
    expect(a.alarm_actions).toEqual([TOPIC]);
    expect(a.ok_actions).toEqual([TOPIC]);
  });

  test("a given cluster: the alarm's dimension is its name, taken from the ARN", () => {
    const a = all(service({ cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared-agents" }).json, "aws_cloudwatch_metric_alarm")[0];
    expect(a.metric_query[0].metric.dimensions.ClusterName).toBe("shared-agents");
  });

  test("alarms: false creates none, not even with an autoscaler", () => {
    const { json, svc } = service({ alarms: false }, 1);
    expect(all(json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name).filter((n) => n.startsWith("ops-ecs-") && !n.startsWith("ops-ecs-autoscaler"))).toEqual([]);
    expect(svc.alarms).toEqual([]);
    // The dashboard still has the autoscaler's panels, and no alarm widget.
    expect(widgets(json).map((w) => w.type)).not.toContain("alarm");
  });

  test("with an AgentAutoscaler on the service: no agent online while runs wait, for noAgentAlarmMinutes, from its pool's metrics", () => {
    const { json, svc } = service({ noAgentAlarmMinutes: 20, alarms: { actions: [TOPIC] } }, 1);
    const alarm = all(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "ops-ecs-no-agent-while-runs-wait");
    expect(alarm).toMatchObject({ evaluation_periods: 4, datapoints_to_alarm: 4, threshold: 1, treat_missing_data: "notBreaching", alarm_actions: [TOPIC], ok_actions: [TOPIC] });
    expect(alarm.metric_query[0]).toEqual({ id: "queued", return_data: false, metric: { namespace: "CdktfScalrKit/Autoscaler", metric_name: "QueuedRuns", dimensions: { Pool: expect.stringMatching(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/) }, period: 300, stat: "Minimum" } });
    expect(alarm.metric_query[3]).toEqual({ id: "stranded", expression: "IF(queued > 0, IF((busy + idle) == 0, 1, 0), 0)", label: "Runs waiting with no agent online", return_data: true });
    expect(alarm.alarm_description).toContain("ECS service ops-ecs");
    expect(svc.alarms).toHaveLength(2);
    // A second synthesis adds nothing twice.
    Testing.synth(svc.node.scope as TerraformStack);
    expect(svc.alarms).toHaveLength(2);
  });

  test("two autoscalers (two pools) on one service: one alarm each, numbered", () => {
    const names = all(service({}, 2).json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(names).toEqual(expect.arrayContaining(["ops-ecs-no-agent-while-runs-wait", "ops-ecs-no-agent-while-runs-wait-2"]));
  });

  test("an autoscaler on another service adds nothing to this one", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "ops-pool" });
    const a = new EcsAgentService(stack, "A", { name: "svc-a", pool, settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET });
    const b = new EcsAgentService(stack, "B", { name: "svc-b", pool, settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET });
    new AgentAutoscaler(stack, "Autoscaler", { pool, fleet: b, scalrUrl: "https://ops-acct.scalr.io", scalrToken: { secretArn: SCALR_API_SECRET }, policy: { min: 0, max: 6 } });
    Testing.synth(stack);
    expect(a.alarms.map((x) => x.alarmNameInput)).toEqual(["svc-a-tasks-below-desired"]);
    expect(b.alarms.map((x) => x.alarmNameInput)).toEqual(["svc-b-tasks-below-desired", "svc-b-no-agent-while-runs-wait"]);
  });
});

describe("EcsAgentService operations: dashboard", () => {
  test("desired vs. running, CPU and memory, and the alarms", () => {
    const { json } = service();
    expect(all(json, "aws_cloudwatch_dashboard")[0].dashboard_name).toBe("scalr-agents-ops-ecs");
    const w = widgets(json);
    expect(w.map((x) => [x.type, x.properties.title ?? "(text)", x.x, x.y, x.width])).toEqual([
      ["text", "(text)", 0, 0, 24],
      ["metric", "Agents: desired, running, pending", 0, 2, 12],
      ["metric", "CPU and memory utilization (% of the task size)", 12, 2, 12],
      ["alarm", "Alarms", 0, 8, 24],
    ]);
    expect(w[1].properties.metrics.map((m: any[]) => [m[0], m[1], m[2], m[4]])).toEqual([
      ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", "ServiceName"],
      ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", "ServiceName"],
      ["ECS/ContainerInsights", "PendingTaskCount", "ClusterName", "ServiceName"],
    ]);
    expect(w[2].properties.metrics.map((m: any[]) => [m[0], m[1], m[6]])).toEqual([
      ["AWS/ECS", "CPUUtilization", { label: "CPU average" }],
      ["AWS/ECS", "CPUUtilization", { stat: "Maximum", label: "CPU busiest agent" }],
      ["AWS/ECS", "MemoryUtilization", { label: "memory average" }],
      ["AWS/ECS", "MemoryUtilization", { stat: "Maximum", label: "memory busiest agent" }],
    ]);
    expect(w[3].properties.alarms).toEqual([expect.stringMatching(/aws_cloudwatch_metric_alarm\.Service_TasksBelowDesiredAlarm_[0-9A-F]+\.arn/)]);
  });

  test("with an autoscaler: its queue and capacity panels, and its alarm among the alarms", () => {
    const w = widgets(service({}, 1).json);
    expect(w.map((x) => x.properties.title)).toEqual(expect.arrayContaining(["Autoscaler: runs waiting, agents busy and idle", "Autoscaler: capacity decided vs. before"]));
    expect(w.find((x) => x.type === "alarm").properties.alarms).toHaveLength(2);
    const queue = w.find((x) => x.properties.title === "Autoscaler: runs waiting, agents busy and idle");
    expect(queue.properties.metrics.map((m: any[]) => m[1])).toEqual(["QueuedRuns", "BusyAgents", "IdleAgents"]);
  });

  test("dashboard: false creates none", () => {
    const { json, svc } = service({ dashboard: false }, 1);
    expect(all(json, "aws_cloudwatch_dashboard")).toEqual([]);
    expect(svc.dashboardBody).toBeUndefined();
  });
});

describe("EcsAgentService operations fail at synth time", () => {
  const cases: Array<[string, Partial<EcsAgentServiceProps>, string]> = [
    ["when an alarm action is not an SNS topic ARN", { alarms: { actions: ["on-call"] } }, 'stack/Service: `alarms.actions[0]` must be an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:on-call", got: "on-call"'],
    ["when alarms is neither a boolean nor { actions }", { alarms: "yes" as never }, "stack/Service: `alarms`"],
    ["when noAgentAlarmMinutes is not a multiple of 5", { noAgentAlarmMinutes: 12 }, "stack/Service: `noAgentAlarmMinutes` must be a multiple of 5 (the alarm evaluates 5-minute periods), got: 12"],
    ["when noAgentAlarmMinutes is above 120", { noAgentAlarmMinutes: 125 }, "stack/Service: `noAgentAlarmMinutes` must be"],
    ["when dashboard is not a boolean", { dashboard: "on" as never }, "stack/Service: `dashboard`"],
  ];
  test.each(cases)("fails %s", (_, props, message) => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const pool = new AgentPool(stack, "Pool", { name: "ops-pool" });
    expect(messageOf(() => new EcsAgentService(stack, "Service", { name: "ops-ecs", pool, settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET, ...props }))).toContain(message);
  });
});

function serverless(props: Partial<ServerlessAgentPoolProps> = {}) {
  const stack = newStack();
  const pool = new ServerlessAgentPool(stack, "Serverless", { name: "ops-sls", settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET, ...props });
  return { stack, pool, json: JSON.parse(Testing.synth(stack)) };
}

describe("ServerlessAgentPool operations", () => {
  test("log groups: the handler's, the task events' and the agents', all with logRetentionDays", () => {
    expect(all(serverless({ logRetentionDays: 14 }).json, "aws_cloudwatch_log_group").map((g) => [g.name, g.retention_in_days]).sort()).toEqual([
      ["/aws/lambda/ops-sls-task-events", 14],
      ["/aws/lambda/ops-sls-webhook", 14],
      ["/ecs/ops-sls", 14],
    ]);
  });

  test("the alarms keep their names; { actions } on the shared option sends ALARM and OK", () => {
    const alarms = all(serverless({ alarms: { actions: [TOPIC] } }).json, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual(["ops-sls-agent-launch-failures", "ops-sls-agent-tasks-failed-to-start", "ops-sls-time-to-start", "ops-sls-webhook-api-5xx", "ops-sls-webhook-handler-errors", "ops-sls-webhook-handler-throttles"]);
    for (const a of alarms) expect([a.alarm_actions, a.ok_actions]).toEqual([[TOPIC], [TOPIC]]);
  });

  test("deliveries are counted by outcome: a filter on every handler line, dimension Outcome", () => {
    const f = all(serverless().json, "aws_cloudwatch_log_metric_filter").find((x) => x.name === "ops-sls-webhook-deliveries");
    expect(f.pattern).toBe('{ $.message = "scalr webhook" }');
    expect(f.metric_transformation).toEqual({ name: "WebhookDeliveries", namespace: "ScalrAgents/ops-sls", value: "1", dimensions: { Outcome: "$.outcome" } });
  });

  test("the handler's own log line carries what the filter reads", async () => {
    const { createHandler } = await import("../../../agent/serverless/handler");
    const lines: string[] = [];
    const handler = createHandler({ env: () => ({}), createRunTask: () => () => Promise.reject(new Error("unused")), write: (l) => lines.push(l) });
    await handler({ httpMethod: "POST", body: "{}" }, { getRemainingTimeInMillis: () => 30_000 });
    const line = JSON.parse(lines[0] as string);
    expect(line.message).toBe("scalr webhook");
    expect(line.outcome).toBe("config-error");
  });

  test("dashboard: deliveries, launches by outcome, failed starts, handler errors/throttles and duration, the start in two parts, alarms", () => {
    const { json } = serverless();
    expect(all(json, "aws_cloudwatch_dashboard")[0].dashboard_name).toBe("scalr-agents-ops-sls");
    const w = widgets(json);
    expect(w.map((x) => [x.type, x.properties.title ?? "(text)"])).toEqual([
      ["text", "(text)"],
      ["metric", "Webhook deliveries: requests, 4xx, 5xx"],
      ["metric", "Launches by outcome"],
      ["metric", "Agent tasks that failed to start (ECS stop code TaskFailedToStart)"],
      ["metric", "Handler: invocations, errors, throttles"],
      ["metric", "Handler duration (ms)"],
      ["metric", "Agent start (ms): webhook → RunTask answered (handler), task created → RUNNING (ECS)"],
      ["alarm", "Alarms"],
    ]);
    expect(w[1].properties.metrics.map((m: any[]) => [m[0], m[1], m[2], m[4]])).toEqual([
      ["AWS/ApiGateway", "Count", "ApiName", "Stage"],
      ["AWS/ApiGateway", "4XXError", "ApiName", "Stage"],
      ["AWS/ApiGateway", "5XXError", "ApiName", "Stage"],
    ]);
    expect(w[2].properties.metrics.map((m: any[]) => m[3])).toEqual([
      "launched",
      "already-running",
      "ecs-failures",
      "no-task",
      "throttled",
      "ecs-unavailable",
      "ecs-error",
      "rejected",
      "method-not-allowed",
      "config-error",
      "handler-error",
    ]);
    expect(w[2].properties.metrics[0].slice(0, 3)).toEqual(["ScalrAgents/ops-sls", "WebhookDeliveries", "Outcome"]);
    expect(w[3].properties.metrics.map((m: any[]) => [m[0], m[1], m[2], m[3]])).toEqual([["ScalrAgents/ops-sls", "TasksFailedToStart", "Pool", "ops-sls"]]);
    expect(w[4].properties.metrics.map((m: any[]) => [m[0], m[1], m[2], m[3]])).toEqual([
      ["AWS/Lambda", "Invocations", "FunctionName", "ops-sls-webhook"],
      ["AWS/Lambda", "Errors", "FunctionName", "ops-sls-webhook"],
      ["AWS/Lambda", "Throttles", "FunctionName", "ops-sls-webhook"],
    ]);
    expect(w[5].properties.stat).toBe("p95");
    expect(w[6].properties.metrics.map((m: any[]) => m[1])).toEqual(["WebhookToRunTaskMs", "WebhookToRunTaskMs", "TimeToRunningMs", "TimeToRunningMs", "TimeToRunningMs"]);
    expect(w[7].properties.alarms).toHaveLength(6);
  });

  test("alarms: false keeps the dashboard without an alarm widget; dashboard: false drops it and its filter", () => {
    expect(widgets(serverless({ alarms: false }).json).map((x) => x.type)).not.toContain("alarm");
    const { json, pool } = serverless({ dashboard: false });
    expect(all(json, "aws_cloudwatch_dashboard")).toEqual([]);
    expect(all(json, "aws_cloudwatch_log_metric_filter").map((f) => f.name)).toEqual(["ops-sls-agent-launch-failures"]);
    expect(pool.dashboardBody).toBeUndefined();
  });

  test("fails when an alarm action is not a complete SNS topic ARN (the shared option)", () => {
    expect(messageOf(() => serverless({ alarms: { actions: ["arn:aws:sns:eu-west-1"] } }))).toContain("ops/Serverless: `alarms.actions[0]` must be an SNS topic ARN such as");
    expect(messageOf(() => serverless({ dashboard: 1 as never }))).toContain("ops/Serverless: `dashboard`");
  });
});

describe("KitChecks on the operations resources", () => {
  test("an ECS service with and without an autoscaler, and a serverless pool: no violation", () => {
    for (const withAutoscaler of [false, true]) {
      const stack = newStack("checked");
      const pool = new AgentPool(stack, "Pool", { name: "ops-pool" });
      const svc = new EcsAgentService(stack, "Service", { name: "ops-ecs", pool, settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET, alarms: { actions: [TOPIC] } });
      if (withAutoscaler) new AgentAutoscaler(stack, "Autoscaler", { pool, fleet: svc, scalrUrl: "https://ops-acct.scalr.io", scalrToken: { secretArn: SCALR_API_SECRET }, policy: { min: 0, max: 6 } });
      new ServerlessAgentPool(stack, "Serverless", { name: "ops-sls", settings: { scalrUrl: "https://ops-acct.scalr.io" }, ...NET, alarms: { actions: [TOPIC] } });
      const checks = KitChecks.of(stack);
      Testing.synth(stack, true);
      expect(checks.report().violations).toEqual([]);
      expect(checks.report().warnings).toEqual([]);
    }
  });
});
