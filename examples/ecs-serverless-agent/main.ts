import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import { ServerlessAgentPool } from "../../constructs/ecs/serverless-agent-pool";
import { AgentImageMirror } from "../../constructs/image/agent-image-mirror";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";

/**
 * Stack `ecs-serverless-agent`: a Scalr serverless run pool. Scalr posts each task to the REST API,
 * the handler starts one Fargate agent for it, in the private subnets given by `subnet_ids`.
 */
export function ecsServerlessAgentExample(scope: Construct): TerraformStack {
  const stack = new TerraformStack(scope, "ecs-serverless-agent");
  new ScalrProviderFromVariables(stack, "Scalr");
  const region = new TerraformVariable(stack, "aws_region", { type: "string", default: "eu-west-1", description: "AWS region of the pool." });
  const vpcId = new TerraformVariable(stack, "vpc_id", { type: "string", description: "VPC of the agent tasks." });
  const subnetIds = new TerraformVariable(stack, "subnet_ids", { type: "list(string)", description: "Private subnets (with a NAT route to Scalr)." });
  const scalrUrl = new TerraformVariable(stack, "scalr_url", { type: "string", description: "URL of the Scalr account, e.g. https://example.scalr.io." });
  new AwsProvider(stack, "aws", { region: region.stringValue });

  // Every run starts a task that pulls the agent image: through an ECR pull-through cache it comes
  // from the region, not from Docker Hub's anonymous per-address limit. Fill the secret
  // `ecr-pullthroughcache/docker-hub-…` with a Docker Hub username and access token.
  const mirror = new AgentImageMirror(stack, "ImageMirror");
  new TerraformOutput(stack, "image_mirror_secret_arn", { value: mirror.credentialSecretArn, description: "Secret to fill with {\"username\", \"accessToken\"} of a Docker Hub account." });
  const serverless = new ServerlessAgentPool(stack, "Serverless", {
    name: "scalr-serverless",
    settings: { scalrUrl: scalrUrl.stringValue, image: mirror.agentImage() },
    vpcId: vpcId.stringValue,
    subnetIds: subnetIds.listValue,
    spot: true,
  });
  new TerraformOutput(stack, "webhook_url", { value: serverless.webhookUrl, description: "The URL Scalr posts tasks to." });
  new TerraformOutput(stack, "agent_pool_id", { value: serverless.poolId, description: "The Scalr serverless pool." });
  new TerraformOutput(stack, "cluster_name", { value: serverless.clusterName, description: "ECS cluster the agent tasks run in." });
  new TerraformOutput(stack, "task_definition_arn", { value: serverless.taskDefinitionArn, description: "Task definition the handler launches, revision included." });
  new TerraformOutput(stack, "agent_log_group_name", { value: serverless.agentLogGroupName, description: "CloudWatch log group of the agent tasks." });
  new TerraformOutput(stack, "handler_log_group_name", { value: serverless.handlerLogGroupName, description: "CloudWatch log group of the webhook handler (one JSON line per delivery)." });
  new TerraformOutput(stack, "api_key", { value: serverless.apiKey.value, sensitive: true, description: "The webhook's API key (x-api-key), for a manual test." });
  return stack;
}
