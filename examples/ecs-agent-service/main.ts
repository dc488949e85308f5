import { TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";

/**
 * Stack `ecs-agent-service`: a run pool served by a persistent Fargate service of polling agents
 * (2–6, scaling out on CPU), in the private subnets given by `vpc_id` / `subnet_ids`.
 */
export function ecsAgentServiceExample(scope: Construct): TerraformStack {
  const stack = new TerraformStack(scope, "ecs-agent-service");
  new ScalrProviderFromVariables(stack, "Scalr");
  const region = new TerraformVariable(stack, "aws_region", { type: "string", default: "eu-west-1", description: "AWS region of the agents." });
  const vpcId = new TerraformVariable(stack, "vpc_id", { type: "string", description: "VPC of the agent tasks." });
  const subnetIds = new TerraformVariable(stack, "subnet_ids", { type: "list(string)", description: "Private subnets (with a NAT route to Scalr)." });
  const scalrUrl = new TerraformVariable(stack, "scalr_url", { type: "string", description: "URL of the Scalr account, e.g. https://example.scalr.io." });
  new AwsProvider(stack, "aws", { region: region.stringValue });

  const pool = new AgentPool(stack, "RunPool", { name: "ecs-run" });
  new EcsAgentService(stack, "Agents", {
    name: "scalr-ecs-agents",
    pool,
    settings: { scalrUrl: scalrUrl.stringValue, concurrency: 2 },
    vpcId: vpcId.stringValue,
    subnetIds: subnetIds.listValue,
    cpu: 2048,
    memoryMiB: 8192,
    autoscaling: { minCount: 2, maxCount: 6 },
  });
  return stack;
}
