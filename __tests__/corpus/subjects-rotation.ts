import { Lazy } from "cdktf";
import { AgentTokenSource, AgentTokenSourceOptions } from "../../agent/settings/token-source";
import { AgentPool, AgentPoolProps } from "../../constructs/scalr/agent-pool";
import { fieldPath } from "../../core/validation";
import { CorpusSubject, freshStack } from "./subjects";

/** Bad-input subjects for token rotation: the pool's active token and token age, a token source's name. */
export const ROTATION_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "AgentPool token rotation",
    baseline: () => ({ name: "aws-run", tokens: ["blue", "green"], activeToken: "green", tokenMaxAgeDays: 90 }),
    run: (input) => new AgentPool(freshStack(), "Subject", input as unknown as AgentPoolProps),
  },
  {
    name: "AgentTokenSource.fromTerraformValue options",
    baseline: () => ({ name: "fleet-2025-06" }),
    run: (input) => AgentTokenSource.fromTerraformValue(Lazy.stringValue({ produce: () => "${var.token}" }), input as unknown as AgentTokenSourceOptions),
    // The options are the second argument: their fields are named under `options`.
    fieldFor: (at) => (at.length === 0 ? "options" : `options.${fieldPath(at)}`),
  },
];
