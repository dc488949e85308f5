import { CloudwatchMetricAlarm, CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** What {@link sustainedConditionAlarm} evaluates and whom it tells. */
export interface SustainedConditionAlarmOptions {
  /** Name of the alarm. */
  readonly alarmName: string;
  /** What it means and what to do, for the person it wakes. */
  readonly description: string;
  /** The metrics (5-minute periods) and the one expression that returns data: the condition, 1 or more when it holds. */
  readonly metricQuery: readonly CloudwatchMetricAlarmMetricQuery[];
  /** Minutes the condition must hold in every 5-minute period before the alarm fires (a multiple of 5). */
  readonly minutes: number;
  /** How a period without data counts. */
  readonly treatMissingData: "notBreaching" | "missing";
  /** SNS topics notified on ALARM and OK. */
  readonly actions: readonly string[];
}

/**
 * An alarm on a metric-math condition that fires when it held (1 or more) through every 5-minute
 * period of `minutes`, and tells `actions` on ALARM and OK.
 */
export function sustainedConditionAlarm(scope: Construct, id: string, o: SustainedConditionAlarmOptions): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: o.alarmName,
    alarmDescription: o.description,
    metricQuery: [...o.metricQuery],
    evaluationPeriods: o.minutes / 5,
    datapointsToAlarm: o.minutes / 5,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: o.treatMissingData,
    alarmActions: [...o.actions],
    okActions: [...o.actions],
  });
}

/** A metric of a {@link sustainedConditionAlarm} query, in 5-minute periods. */
export function fiveMinuteMetric(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, stat: string): NonNullable<CloudwatchMetricAlarmMetricQuery["metric"]> {
  return { namespace, metricName, dimensions: { ...dimensions }, period: 300, stat };
}
