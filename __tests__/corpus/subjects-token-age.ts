// Bad-input corpus subjects of the token-age alarm (spread into CORPUS_SUBJECTS).
import { TerraformStack } from "cdktf";
import { AgentTokenAgeAlarm, AgentTokenAgeAlarmProps } from "../../constructs/operations/token-age-alarm";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { CorpusSubject, freshStack } from "./subjects";

let runs = 0;
/** The alarm in its pool's stack (a pool of another app cannot be referenced), under a new id each run. */
function inPoolStack(input: Record<string, unknown>): unknown {
  const pool = (input as Record<string, unknown> | undefined)?.pool;
  const scope = pool instanceof AgentPool ? TerraformStack.of(pool) : freshStack();
  return new AgentTokenAgeAlarm(scope, `Subject${runs++}`, input as unknown as AgentTokenAgeAlarmProps);
}

/** An AgentTokenAgeAlarm with every field set, and one that takes its limit from the pool. */
export const TOKEN_AGE_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "AgentTokenAgeAlarm",
    baseline: () => ({
      pool: new AgentPool(freshStack(), "Pool", { name: "age-run", tokens: ["blue", "green"], activeToken: "green", tokenMaxAgeDays: 90 }),
      maxAgeDays: 60,
      alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:on-call"] },
      logRetentionDays: 90,
      name: "age-run-token-watch",
    }),
    run: inPoolStack,
  },
  {
    name: "AgentTokenAgeAlarm (limit from the pool)",
    baseline: () => ({ pool: new AgentPool(freshStack(), "Pool", { name: "age-default", tokenMaxAgeDays: 30 }), alarms: { actions: ["arn:aws:sns:us-east-1:210987654321:platform"] } }),
    run: inPoolStack,
  },
];
