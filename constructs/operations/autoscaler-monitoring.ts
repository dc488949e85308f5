import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Aspects, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AUTOSCALER_ENVIRONMENT } from "../../agent/autoscaler/config";
import { literalIntInRange } from "../../core/validation";
import type { DashboardWidget } from "./dashboard-body";
import { fiveMinuteMetric, sustainedConditionAlarm } from "./metric-math-alarm";

/** Namespace of the autoscaler's embedded metrics (agent/autoscaler/handler.ts, `embeddedMetrics`; dimension `Pool`). */
export const AUTOSCALER_METRIC_NAMESPACE = "CdktfScalrKit/Autoscaler";

/** What an AgentAutoscaler scales, as its environment names it (`AUTOSCALER_ENVIRONMENT`). */
export type AutoscaledTarget =
  /** An Auto Scaling group, by name. */
  | { readonly kind: "asg"; readonly name: string }
  /** An ECS service, by name and cluster (name or ARN, as the autoscaler was given it). */
  | { readonly kind: "ecs"; readonly name: string; readonly cluster: string };

/**
 * `noAgentAlarmMinutes` of a runtime: a multiple of 5, 5–120 (the alarm evaluates 5-minute
 * periods), default 15.
 */
export const noAgentAlarmMinutesSchema = literalIntInRange(5, 120)
  .refine((m) => typeof m !== "number" || m % 5 === 0, { error: "must be a multiple of 5 (the alarm evaluates 5-minute periods)" })
  .default(15);

/**
 * The pools (`apool-…`) of the AgentAutoscalers in `scope`'s stack that drive `target`, in the order
 * they were created, each once. Read from the autoscalers' Lambda environment (an autoscaler exposes
 * it as `environment`), so this module needs no import of the autoscaler construct.
 */
export function autoscaledPools(scope: Construct, target: AutoscaledTarget): string[] {
  const E = AUTOSCALER_ENVIRONMENT;
  const pools: string[] = [];
  for (const c of TerraformStack.of(scope).node.findAll()) {
    const env = (c as { environment?: unknown }).environment;
    if (typeof env !== "object" || env === null) continue;
    const e = env as Record<string, unknown>;
    if (e[E.targetKind] !== target.kind || e[E.targetName] !== target.name || typeof e[E.poolId] !== "string") continue;
    if (target.kind === "ecs" && e[E.ecsCluster] !== target.cluster) continue;
    pools.push(e[E.poolId] as string);
  }
  return [...new Set(pools)];
}

/**
 * Calls `add` once, at synthesis, with the pools of the autoscalers that drive `target`
 * ({@link autoscaledPools}; possibly none). An autoscaler takes its fleet, so it is created after
 * it: only at synthesis does every construct exist.
 */
export function whenAutoscalersKnown(construct: Construct, target: AutoscaledTarget, add: (pools: readonly string[]) => void): void {
  let done = false;
  Aspects.of(construct).add({
    visit: (node) => {
      // Aspects run at every synthesis of the stack: once is enough.
      if (node !== construct || done) return;
      done = true;
      add(autoscaledPools(construct, target));
    },
  });
}

/** What {@link noAgentAlarm} alarms on, and whom it tells. */
export interface NoAgentAlarmOptions {
  /** The pool whose autoscaler metrics it reads (`apool-…`). */
  readonly pool: string;
  /** Name of the alarm. */
  readonly alarmName: string;
  /** What it means and what to do. */
  readonly description: string;
  /** Minutes of runs waiting with no agent online before it fires (a multiple of 5). */
  readonly minutes: number;
  /** SNS topics notified on ALARM and OK. */
  readonly actions: readonly string[];
}

/**
 * The "no agent online while runs wait" alarm of a fleet driven by an AgentAutoscaler, read from
 * the autoscaler's embedded metrics (`QueuedRuns`, `BusyAgents`, `IdleAgents`, dimension `Pool`).
 */
export function noAgentAlarm(scope: Construct, id: string, o: NoAgentAlarmOptions): CloudwatchMetricAlarm {
  const metric = (metricName: string, stat: string) => fiveMinuteMetric(AUTOSCALER_METRIC_NAMESPACE, metricName, { Pool: o.pool }, stat);
  return sustainedConditionAlarm(scope, id, {
    alarmName: o.alarmName,
    description: o.description,
    // Runs waited through every 5-minute period (the minimum queue above zero) while no agent was
    // seen at all (the maximum of busy and idle is zero). An unknown signal leaves no data point:
    // the autoscaler's own alarm reports it. Nested IF (IF(condition, trueValue, falseValue),
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html) keeps
    // to the documented comparison form.
    metricQuery: [
      { id: "queued", metric: metric("QueuedRuns", "Minimum"), returnData: false },
      { id: "busy", metric: metric("BusyAgents", "Maximum"), returnData: false },
      { id: "idle", metric: metric("IdleAgents", "Maximum"), returnData: false },
      { id: "stranded", expression: "IF(queued > 0, IF((busy + idle) == 0, 1, 0), 0)", label: "Runs waiting with no agent online", returnData: true },
    ],
    minutes: o.minutes,
    treatMissingData: "notBreaching",
    actions: o.actions,
  });
}

/** The dashboard panels of an autoscaler's pool: runs waiting, agents busy and idle; capacity decided vs. before. */
export function autoscalerWidgets(pool: string): DashboardWidget[] {
  const metrics = (names: readonly string[]) => names.map((m) => ({ namespace: AUTOSCALER_METRIC_NAMESPACE, name: m, dimensions: { Pool: pool } }));
  return [
    { kind: "metric", title: "Autoscaler: runs waiting, agents busy and idle", stat: "Maximum", metrics: metrics(["QueuedRuns", "BusyAgents", "IdleAgents"]) },
    { kind: "metric", title: "Autoscaler: capacity decided vs. before", stat: "Maximum", metrics: metrics(["TargetCapacity", "CurrentCapacity"]) },
  ];
}

/** Construct id and name of the i-th (0-based) no-agent alarm of a fleet: `NoAgentAlarm`, `NoAgentAlarm2`, … and `<name>-no-agent-while-runs-wait`, `…-2`, …. */
export function noAgentAlarmNames(fleetName: string, i: number): { readonly id: string; readonly alarmName: string } {
  return i === 0 ? { id: "NoAgentAlarm", alarmName: `${fleetName}-no-agent-while-runs-wait` } : { id: `NoAgentAlarm${i + 1}`, alarmName: `${fleetName}-no-agent-while-runs-wait-${i + 1}` };
}
