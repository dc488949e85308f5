import { z } from "zod";
import { terraformLiterals } from "../../core/terraform-literal";
import { strictProps, tokenOr } from "../../core/validation";

/**
 * The `alarms` prop of the kit's runtimes: `true` (the default) creates the alarms without
 * notifications (they show in the console and on the dashboard), `{ actions }` also sends ALARM and
 * OK to SNS topics, `false` creates none.
 */
export type AlarmsOption = boolean | { readonly actions?: readonly string[] };

/** The zod schema of {@link AlarmsOption} (default `true`): each action must be an SNS topic ARN. */
export const alarmsOptionSchema = z
  .union([z.boolean(), strictProps({ actions: z.array(tokenOr(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/, { error: 'must be an SNS topic ARN such as "arn:aws:sns:eu-west-1:123456789012:on-call"' }))).max(5, { error: "must list at most 5 actions (CloudWatch's limit per alarm state)" }).optional() })])
  .default(true);

/**
 * The actions of a parsed {@link AlarmsOption}: `undefined` when alarms are off, else the SNS topic
 * ARNs (possibly none), as Terraform literals.
 */
export function alarmActions(option: z.output<typeof alarmsOptionSchema>): string[] | undefined {
  if (option === false) return undefined;
  return option === true ? [] : terraformLiterals([...(option.actions ?? [])]);
}

/**
 * The settings of an alarm on a count that fires on one occurrence in a 5-minute period (no data:
 * nothing happened, OK) and tells `actions` on ALARM and OK: spread into an alarm with its name,
 * description and metric.
 */
export function oneOccurrenceAlarm(actions: readonly string[]) {
  return {
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
    alarmActions: [...actions],
    okActions: [...actions],
  };
}
