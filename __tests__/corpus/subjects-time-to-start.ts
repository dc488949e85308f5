// Bad-input corpus subjects of the serverless pool's time-to-start prop (spread into CORPUS_SUBJECTS).
import { ServerlessAgentPool } from "../../constructs/ecs/serverless-agent-pool";
import { CorpusSubject, freshStack } from "./subjects";

/** A ServerlessAgentPool with its time-to-start target, alarms and dashboard set. */
export const TIME_TO_START_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "ServerlessAgentPool (time to start)",
    baseline: () => ({
      name: "tts-serverless",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      settings: { scalrUrl: "https://tts.scalr.io" },
      alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:on-call"] },
      dashboard: true,
      timeToStartTargetSeconds: 90,
    }),
    run: (input) => new ServerlessAgentPool(freshStack(), "Subject", input as never),
  },
];
