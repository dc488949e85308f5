import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** What {@link logMetricAlarm} counts and when it alarms. */
export interface LogMetricAlarmOptions {
  /** The log group the filter reads. */
  readonly logGroupName: string;
  /** The CloudWatch Logs filter pattern of the lines to count. */
  readonly pattern: string;
  /** Namespace of the metric (one per fleet: a metric filter on unstructured lines takes no dimensions). */
  readonly namespace: string;
  /** Name of the metric (each matching line counts 1). */
  readonly metricName: string;
  /** Name of the filter and the alarm. */
  readonly name: string;
  /** What the alarm means and what to do, for the person it wakes. */
  readonly description: string;
  /** SNS topics notified on ALARM and OK. */
  readonly actions: readonly string[];
  /** Matching lines within one period that fire the alarm. @default 1 */
  readonly threshold?: number;
  /** Period in seconds. @default 300 */
  readonly periodSeconds?: number;
}

/** The filter and the alarm {@link logMetricAlarm} creates. */
export interface LogMetricAlarm {
  /** `aws_cloudwatch_log_metric_filter`. */
  readonly filter: CloudwatchLogMetricFilter;
  /** `aws_cloudwatch_metric_alarm`. */
  readonly alarm: CloudwatchMetricAlarm;
}

/**
 * Counts log lines that match a pattern and alarms when one (or `threshold`) shows up in a period:
 * a metric filter (`<id>Filter`) and an alarm (`<id>Alarm`). No line is no problem
 * (`treatMissingData: notBreaching`: CloudWatch reports no value when nothing matched).
 */
export function logMetricAlarm(scope: Construct, id: string, o: LogMetricAlarmOptions): LogMetricAlarm {
  const filter = new CloudwatchLogMetricFilter(scope, `${id}Filter`, {
    name: o.name,
    logGroupName: o.logGroupName,
    pattern: o.pattern,
    metricTransformation: { name: o.metricName, namespace: o.namespace, value: "1" },
  });
  const alarm = new CloudwatchMetricAlarm(scope, `${id}Alarm`, {
    alarmName: o.name,
    alarmDescription: o.description,
    namespace: o.namespace,
    metricName: o.metricName,
    statistic: "Sum",
    period: o.periodSeconds ?? 300,
    evaluationPeriods: 1,
    threshold: o.threshold ?? 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [...o.actions],
    okActions: [...o.actions],
    // The metric exists once the filter does.
    dependsOn: [filter],
  });
  return { filter, alarm };
}
