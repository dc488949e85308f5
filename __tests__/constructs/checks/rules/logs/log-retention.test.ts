import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KIT_LOG_1 } from "../../../../../constructs/checks/rules/logs/log-retention";
import { violations } from "../../rule-helpers";

describe("KIT-LOG-1 log-retention", () => {
  test("compliant: 30 days", () => {
    expect(violations(KIT_LOG_1, (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x", retentionInDays: 30 }))).toEqual([]);
  });

  test("non-compliant: unset, and 0 (never expire)", () => {
    expect(
      violations(KIT_LOG_1, (s) => {
        new CloudwatchLogGroup(s, "Unset", { name: "/x" });
        new CloudwatchLogGroup(s, "Never", { name: "/y", retentionInDays: 0 });
      }),
    ).toEqual([
      "KIT-LOG-1 stack/Never: aws_cloudwatch_log_group must set retention_in_days (got 0: events never expire)",
      "KIT-LOG-1 stack/Unset: aws_cloudwatch_log_group must set retention_in_days (got nothing: events never expire)",
    ]);
  });
});
