// Bad-input corpus subjects of the ECS operations props (spread into CORPUS_SUBJECTS).
import { AgentTokenSource } from "../../agent/settings/token-source";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { ServerlessAgentPool } from "../../constructs/ecs/serverless-agent-pool";
import { CorpusSubject, freshStack } from "./subjects";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call";

/** An EcsAgentService and a ServerlessAgentPool with every operations prop set. */
export const ECS_OPERATIONS_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "EcsAgentService (operations)",
    baseline: () => ({
      name: "ops-agents",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      settings: { scalrUrl: "https://ops.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:ops-token-AbC123") },
      logRetentionDays: 90,
      alarms: { actions: [TOPIC] },
      noAgentAlarmMinutes: 30,
      dashboard: true,
    }),
    run: (input) => new EcsAgentService(freshStack(), "Subject", input as never),
  },
  {
    name: "ServerlessAgentPool (operations)",
    baseline: () => ({
      name: "ops-serverless",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      settings: { scalrUrl: "https://ops.scalr.io" },
      logRetentionDays: 14,
      alarms: { actions: [TOPIC] },
      dashboard: true,
    }),
    run: (input) => new ServerlessAgentPool(freshStack(), "Subject", input as never),
  },
];
