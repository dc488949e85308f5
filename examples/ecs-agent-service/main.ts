import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";

/**
 * Stack `ecs-agent-service`: a run pool served by a persistent Fargate service of polling agents
 * (2–6, scaling out on CPU), in the private subnets given by `vpc_id` / `subnet_ids`. Each agent
 * runs one task at a time (the local driver shares its container between concurrent runs):
 * concurrency comes from the number of agents.
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
  const agents = new EcsAgentService(stack, "Agents", {
    name: "scalr-ecs-agents",
    pool,
    settings: { scalrUrl: scalrUrl.stringValue },
    vpcId: vpcId.stringValue,
    subnetIds: subnetIds.listValue,
    cpu: 2048,
    memoryMiB: 8192,
    autoscaling: { minCount: 2, maxCount: 6 },
  });
  new TerraformOutput(stack, "agent_pool_id", { value: agents.poolId, description: "The Scalr pool the agents join." });
  new TerraformOutput(stack, "cluster_name", { value: agents.clusterName, description: "ECS cluster of the agents." });
  new TerraformOutput(stack, "service_name", { value: agents.serviceName, description: "ECS service of the agents (aws ecs describe-services)." });
  new TerraformOutput(stack, "task_definition_arn", { value: agents.taskDefinitionArn, description: "Task definition of the agents, revision included." });
  new TerraformOutput(stack, "log_group_name", { value: agents.logGroupName, description: "CloudWatch log group of the agents (aws logs tail)." });
  return stack;
}
