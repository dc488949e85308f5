import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, numberOf } from "../../synthesized-stack";

/** KIT-LOG-1: log groups expire their events. */
export const KIT_LOG_1: KitRule = {
  id: "KIT-LOG-1",
  name: "log-retention",
  area: "logs",
  severity: "warning",
  description: "CloudWatch log groups set `retention_in_days` (a value other than 0, which means never expire).",
  rationale: "Agent and handler logs grow with every run; without retention they are kept (and billed) forever, along with whatever a run printed.",
  source: {
    title: "AWS: CloudWatch Logs retention (kept indefinitely by default)",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_cloudwatch_log_group")) {
      const days = r.body.retention_in_days;
      if (days === undefined || numberOf(days) === 0) {
        findings.push({ path: r.path, message: `aws_cloudwatch_log_group must set retention_in_days (got ${days === undefined ? "nothing" : JSON.stringify(days)}: events never expire)` });
      }
    }
    return findings;
  },
};
