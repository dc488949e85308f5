// Bad-input corpus subjects of the operations props (spread into CORPUS_SUBJECTS).
import { AgentTokenSource } from "../../agent/settings/token-source";
import { renderVmUserData } from "../../agent/vm/render-user-data";
import { VmAgentFleet } from "../../constructs/vm/vm-agent-fleet";
import { CorpusSubject, freshStack } from "./subjects";

/** A VmAgentFleet with every operations prop set, and the user data's log shipping on its own. */
export const OPERATIONS_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "VmAgentFleet (operations)",
    baseline: () => ({
      name: "ops-agents",
      os: "amazon-linux-2023",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0a1"],
      settings: { scalrUrl: "https://ops.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:ops-token-AbC123") },
      logRetentionDays: 90,
      alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:on-call"] },
      noAgentAlarmMinutes: 30,
      dashboard: true,
    }),
    run: (input) => new VmAgentFleet(freshStack(), "Subject", input as never),
  },
  {
    name: "renderVmUserData (log shipping)",
    baseline: () => ({
      os: "ubuntu-24.04",
      logShipping: { logGroupName: "/scalr-agent/ops", flushSeconds: 10 },
    }),
    run: (input) => renderVmUserData({ scalrUrl: "https://ops.scalr.io", token: AgentTokenSource.fromFile("/run/token") }, input as never),
  },
];
