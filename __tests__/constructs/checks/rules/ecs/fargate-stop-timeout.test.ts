import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { AgentTokenSource } from "../../../../../agent/settings/token-source";
import { terraformJson } from "../../../../../core/terraform-json";
import { FargateAgentTask } from "../../../../../constructs/ecs/fargate-agent-task";
import { KIT_ECS_1 } from "../../../../../constructs/checks/rules/ecs/fargate-stop-timeout";
import { violations, SCALR_URL, fargateTask } from "../../rule-helpers";

describe("KIT-ECS-1 fargate-stop-timeout", () => {
  const env = (action: string, drain?: number, grace?: number) => [
    SCALR_URL,
    { name: "SCALR_AGENT_WORKER_ON_STOP_ACTION", value: action },
    ...(drain === undefined ? [] : [{ name: "SCALR_AGENT_WORKER_DRAIN_TIMEOUT", value: String(drain) }]),
    ...(grace === undefined ? [] : [{ name: "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT", value: String(grace) }]),
  ];

  test("compliant: FargateAgentTask in drain and graceful modes; force; a non-agent container without stopTimeout", () => {
    expect(
      violations(KIT_ECS_1, (s) => {
        const token = AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:t");
        new FargateAgentTask(s, "Drain", { name: "drain", vpcId: "vpc-0abc", settings: { scalrUrl: "https://example.scalr.io", token } });
        new FargateAgentTask(s, "Graceful", { name: "graceful", vpcId: "vpc-0abc", stopTimeoutSeconds: 45, settings: { scalrUrl: "https://example.scalr.io", token, shutdown: { mode: "graceful" } } });
        fargateTask(s, { stopTimeout: 10, environment: env("force-shutdown") });
        new EcsTaskDefinition(s, "Other", { family: "other", requiresCompatibilities: ["FARGATE"], containerDefinitions: terraformJson([{ name: "nginx", image: "nginx:1" }]) });
      }),
    ).toEqual([]);
  });

  test("non-compliant: drain in 60 s, timeouts beyond the stop timeout, no shutdown mode, over 120 s", () => {
    const lines = violations(KIT_ECS_1, (s) => {
      new EcsTaskDefinition(s, "Task", {
        family: "agents",
        requiresCompatibilities: ["FARGATE"],
        containerDefinitions: terraformJson([
          { name: "short-drain", image: "scalr/agent:1.4.0", stopTimeout: 60, environment: env("drain", 10, 10) },
          { name: "long-drain", image: "scalr/agent:1.4.0", stopTimeout: 120, environment: env("drain", 3600, 60) },
          { name: "graceful", image: "scalr/agent:1.4.0", stopTimeout: 30, environment: env("grace-shutdown", 25) },
          { name: "unset", image: "scalr/agent:1.4.0", environment: [SCALR_URL] },
          { name: "too-long", image: "busybox", stopTimeout: 300 },
        ]),
      });
    });
    expect(lines).toEqual([
      'KIT-ECS-1 stack/Task: container "short-drain": shutdown mode "drain" needs stopTimeout 120, got stopTimeout 60; use "grace-shutdown" for shorter timeouts',
      'KIT-ECS-1 stack/Task: container "long-drain": drain (3600 s) + grace-shutdown (60 s) timeouts must be at most stopTimeout 120 − 10 (110) so runs stop before SIGKILL',
      'KIT-ECS-1 stack/Task: container "graceful": shutdown mode "grace-shutdown" must set SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT to fit stopTimeout 30',
      'KIT-ECS-1 stack/Task: container "unset": a Scalr agent must set SCALR_AGENT_WORKER_ON_STOP_ACTION (and its timeouts) to fit the default stopTimeout (30 s): the agent\'s own drain timeout is an hour',
      'KIT-ECS-1 stack/Task: container "too-long": stopTimeout must be at most 120 on Fargate, got 300',
    ]);
  });
});
