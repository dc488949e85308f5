import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { VM_LOG_EVENTS } from "../../../agent/vm/log-events";
import { AgentAutoscaler } from "../../../constructs/autoscaling/agent-autoscaler";
import { KitChecks } from "../../../constructs/checks";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet, VmAgentFleetProps, VmAgentFleetSettings } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] };
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call";

function build(props: Partial<VmAgentFleetProps> = {}, autoscaler = false) {
  const stack = new TerraformStack(Testing.app(), "ops");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  const pool = new AgentPool(stack, "Pool", { name: "ops-pool" });
  const fleet = new VmAgentFleet(stack, "Fleet", { name: "ops-fleet", os: "amazon-linux-2023", pool, minSize: 0, maxSize: 6, ...NET, ...props, settings: { scalrUrl: "https://ops-acct.scalr.io" } as VmAgentFleetSettings });
  if (autoscaler) {
    new AgentAutoscaler(stack, "Autoscaler", { pool, fleet, scalrUrl: "https://ops-acct.scalr.io", scalrToken: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-api-AbC123" }, policy: { min: 0, max: 6 }, protectBusyUnits: false } as never);
  }
  return { stack, fleet, json: JSON.parse(Testing.synth(stack)) };
}
const all = (json: any, type: string): any[] => Object.values<any>(json.resource[type] ?? {});

describe("VmAgentFleet operations: logs", () => {
  test("a log group with 30 days' retention by default; the instance role may write its streams only", () => {
    const { json, fleet } = build();
    expect(all(json, "aws_cloudwatch_log_group")).toEqual([expect.objectContaining({ name: "/scalr-agent/ops-fleet", retention_in_days: 30 })]);
    const policy = all(json, "aws_iam_role_policy").find((p) => p.name === "write-fleet-logs");
    expect(decodeTerraformJson(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Sid: "ShipJournal", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Fleet_LogGroup_[0-9A-F]+\.arn\}:log-stream:\*$/)] }],
    });
    expect(fleet.userData.logShipping?.logGroupName).toBe("/scalr-agent/ops-fleet");
  });

  test("logRetentionDays is supplied to the group", () => {
    expect(all(build({ logRetentionDays: 365 }).json, "aws_cloudwatch_log_group")[0].retention_in_days).toBe(365);
  });

  test("fails when logRetentionDays is not a CloudWatch retention", () => {
    expect(messageOf(() => build({ logRetentionDays: 10 }))).toBe(
      "ops/Fleet: `logRetentionDays` must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got: 10",
    );
  });

  test("the group collects its metrics for the dashboard", () => {
    const asg = all(build().json, "aws_autoscaling_group")[0];
    expect(asg.metrics_granularity).toBe("1Minute");
    expect(asg.enabled_metrics).toEqual(["GroupDesiredCapacity", "GroupInServiceInstances", "GroupPendingInstances", "GroupTerminatingInstances", "GroupMinSize", "GroupMaxSize"]);
  });
});

describe("VmAgentFleet operations: alarms", () => {
  test("token fetch failures and drain timeouts are counted from the scripts' lines and alarm on one, without actions by default", () => {
    const { json } = build();
    const filters = all(json, "aws_cloudwatch_log_metric_filter").sort((a, b) => (a.name < b.name ? 1 : -1));
    expect(filters.map((f) => [f.name, f.pattern, f.metric_transformation])).toEqual([
      ["ops-fleet-token-fetch-failures", VM_LOG_EVENTS.tokenFetchFailed.pattern, { name: "TokenFetchFailures", namespace: "ScalrAgentFleet/ops-fleet", value: "1" }],
      ["ops-fleet-drain-timeouts", VM_LOG_EVENTS.drainTimeout.pattern, { name: "DrainTimeouts", namespace: "ScalrAgentFleet/ops-fleet", value: "1" }],
    ]);
    expect(filters[0].log_group_name).toMatch(/^\$\{aws_cloudwatch_log_group\.Fleet_LogGroup_[0-9A-F]+\.name\}$/);
    const alarms = all(json, "aws_cloudwatch_metric_alarm").sort((a, b) => (a.alarm_name < b.alarm_name ? 1 : -1));
    expect(alarms.map((a) => [a.alarm_name, a.metric_name, a.threshold, a.period, a.treat_missing_data, a.alarm_actions])).toEqual([
      ["ops-fleet-token-fetch-failures", "TokenFetchFailures", 1, 300, "notBreaching", []],
      ["ops-fleet-drain-timeouts", "DrainTimeouts", 1, 300, "notBreaching", []],
    ]);
  });

  test("{ actions } notify SNS on ALARM and OK; false creates none", () => {
    const alarms = all(build({ alarms: { actions: [TOPIC] } }).json, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => [a.alarm_actions, a.ok_actions])).toEqual([
      [[TOPIC], [TOPIC]],
      [[TOPIC], [TOPIC]],
    ]);
    const off = build({ alarms: false });
    expect(all(off.json, "aws_cloudwatch_metric_alarm")).toEqual([]);
    expect(all(off.json, "aws_cloudwatch_log_metric_filter")).toEqual([]);
    expect(off.fleet.alarms).toEqual([]);
  });

  test.each([
    ["alarms", { alarms: { actions: ["arn:aws:sqs:eu-west-1:123456789012:q"] } }, "ops/Fleet: `alarms.actions[0]` must be an SNS topic ARN such as \"arn:aws:sns:eu-west-1:123456789012:on-call\", got: \"arn:aws:sqs:eu-west-1:123456789012:q\""],
    ["noAgentAlarmMinutes", { noAgentAlarmMinutes: 12 }, "ops/Fleet: `noAgentAlarmMinutes` must be a multiple of 5 (the alarm evaluates 5-minute periods), got: 12"],
  ] as const)("fails when %s is bad", (_f, props, message) => {
    expect(messageOf(() => build(props as never))).toBe(message);
  });

  test("with an AgentAutoscaler on the fleet: no agent online while runs wait, from its metrics, for noAgentAlarmMinutes", () => {
    const { json, fleet } = build({ noAgentAlarmMinutes: 20, alarms: { actions: [TOPIC] } }, true);
    const alarm = all(json, "aws_cloudwatch_metric_alarm").find((a) => a.alarm_name === "ops-fleet-no-agent-while-runs-wait");
    expect(alarm).toMatchObject({ evaluation_periods: 4, datapoints_to_alarm: 4, threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold", treat_missing_data: "notBreaching", alarm_actions: [TOPIC] });
    expect(alarm.metric_query).toEqual([
      { id: "queued", return_data: false, metric: { namespace: "CdktfScalrKit/Autoscaler", metric_name: "QueuedRuns", dimensions: { Pool: expect.stringMatching(/^\$\{scalr_agent_pool\.Pool_.*\.id\}$/) }, period: 300, stat: "Minimum" } },
      { id: "busy", return_data: false, metric: expect.objectContaining({ metric_name: "BusyAgents", stat: "Maximum" }) },
      { id: "idle", return_data: false, metric: expect.objectContaining({ metric_name: "IdleAgents", stat: "Maximum" }) },
      { id: "stranded", expression: "IF(queued > 0, IF((busy + idle) == 0, 1, 0), 0)", label: "Runs waiting with no agent online", return_data: true },
    ]);
    expect(fleet.alarms).toHaveLength(3);
    // A second synthesis adds nothing twice.
    expect(() => Testing.synth(fleet.node.scope as TerraformStack)).not.toThrow();
  });

  test("without an autoscaler there is no no-agent alarm", () => {
    expect(all(build().json, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name)).not.toContain("ops-fleet-no-agent-while-runs-wait");
  });
});

describe("VmAgentFleet operations: dashboard", () => {
  const widgets = (json: any) => (decodeTerraformJson(all(json, "aws_cloudwatch_dashboard")[0].dashboard_body) as { widgets: any[] }).widgets;

  test("capacity vs. desired, token fetch failures and drain timeouts, and the alarms", () => {
    const { json } = build();
    expect(all(json, "aws_cloudwatch_dashboard")[0].dashboard_name).toBe("scalr-agents-ops-fleet");
    const w = widgets(json);
    expect(w.map((x) => [x.type, x.properties.title ?? "(text)", x.x, x.y, x.width])).toEqual([
      ["text", "(text)", 0, 0, 24],
      ["metric", "Capacity: desired, in service, pending, terminating", 0, 2, 12],
      ["metric", "Token fetch failures and drain timeouts", 12, 2, 12],
      ["alarm", "Alarms", 0, 8, 24],
    ]);
    expect(w[1].properties.metrics[0]).toEqual(["AWS/AutoScaling", "GroupDesiredCapacity", "AutoScalingGroupName", expect.stringMatching(/^<ref:aws_autoscaling_group\.Fleet_.*\.name>$|^\$\{aws_autoscaling_group/)]);
    expect(w[2].properties.metrics).toEqual([
      ["ScalrAgentFleet/ops-fleet", "TokenFetchFailures"],
      ["ScalrAgentFleet/ops-fleet", "DrainTimeouts"],
    ]);
    expect(w[3].properties.alarms).toHaveLength(2);
  });

  test("with an autoscaler: its queue, busy/idle and capacity panels", () => {
    const titles = widgets(build({}, true).json).map((x) => x.properties.title);
    expect(titles).toContain("Autoscaler: runs waiting, agents busy and idle");
    expect(titles).toContain("Autoscaler: capacity decided vs. before");
  });

  test("dashboard: false creates none", () => {
    expect(all(build({ dashboard: false }).json, "aws_cloudwatch_dashboard")).toEqual([]);
  });

  test("KitChecks passes with the operations resources, with and without an autoscaler", () => {
    for (const withAutoscaler of [false, true]) {
      const stack = new TerraformStack(Testing.app(), "checked");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new ScalrProvider(stack, "scalr", {});
      const pool = new AgentPool(stack, "Pool", { name: "ops-pool" });
      const fleet = new VmAgentFleet(stack, "Fleet", { name: "ops-fleet", os: "amazon-linux-2023", pool, minSize: 0, maxSize: 6, ...NET, alarms: { actions: [TOPIC] }, settings: { scalrUrl: "https://ops-acct.scalr.io" } as VmAgentFleetSettings });
      if (withAutoscaler) new AgentAutoscaler(stack, "Autoscaler", { pool, fleet, scalrUrl: "https://ops-acct.scalr.io", scalrToken: { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-api-AbC123" }, policy: { min: 0, max: 6 }, protectBusyUnits: false } as never);
      const checks = KitChecks.of(stack);
      Testing.synth(stack, true);
      expect(checks.report().violations).toEqual([]);
    }
  });
});
