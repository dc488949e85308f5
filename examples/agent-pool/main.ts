import { Construct } from "constructs";
import { AgentPoolStack } from "../../stacks/agent-pool-stack";

/**
 * Stack `agent-pool`: a run pool shared with every environment and a VCS pool shared with one,
 * their tokens as sensitive outputs. Set `scalr_hostname` and `scalr_token` (or SCALR_HOSTNAME /
 * SCALR_TOKEN) to deploy.
 */
export function agentPoolExample(scope: Construct): AgentPoolStack {
  return new AgentPoolStack(scope, "agent-pool", {
    pools: {
      RunPool: { name: "example-run", tokens: ["default", "canary"] },
      VcsPool: { name: "example-vcs", kind: "vcs", environments: ["env-v0examplevcs01"], tokens: ["github-relay"] },
    },
  });
}
