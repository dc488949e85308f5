import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { AgentAutoscaler, AgentAutoscalerPolicy } from "../../constructs/autoscaling/agent-autoscaler";
import { AutoscalerScalrIdentity } from "../../constructs/autoscaling/autoscaler-identity";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";
import { VmAgentFleet } from "../../constructs/vm/vm-agent-fleet";

/** The Scalr account's URL: a literal, as the VM user data is rendered at synth time. */
const SCALR_URL = "https://example.scalr.io";

/**
 * Warm during the working week, none at night: one idle agent in business hours, a higher floor
 * around the morning burst, scale to zero outside them (the policy the simulation benchmark gates:
 * docs/autoscaling.md#simulation-benchmark-fixed-fleet-vs-autoscaler).
 */
function workingWeek(max: number): AgentAutoscalerPolicy {
  const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"] as const;
  return {
    min: 0,
    max,
    timeZone: "Europe/Berlin",
    schedules: [
      { days: weekdays, start: "08:00", end: "18:00", min: 1, minIdle: 1 },
      { days: weekdays, start: "08:30", end: "10:30", min: 3, minIdle: 2 },
    ],
  };
}

/** The variables and providers both stacks share; returns the VPC and subnets to run in. */
function network(stack: TerraformStack): { vpcId: string; subnetIds: string[] } {
  new ScalrProviderFromVariables(stack, "Scalr");
  const region = new TerraformVariable(stack, "aws_region", { type: "string", default: "eu-west-1", description: "AWS region of the agents and their autoscaler." });
  const vpcId = new TerraformVariable(stack, "vpc_id", { type: "string", description: "VPC of the agents." });
  const subnetIds = new TerraformVariable(stack, "subnet_ids", { type: "list(string)", description: "Private subnets of the agents (with a route to Scalr)." });
  new AwsProvider(stack, "aws", { region: region.stringValue });
  return { vpcId: vpcId.stringValue, subnetIds: subnetIds.listValue };
}

/**
 * Stacks `scaled-vm-agents` and `scaled-ecs-agents`: a run pool each, served by an EC2 Auto Scaling
 * fleet (0–8 instances) and by a Fargate service (0–10 tasks), both scaled on the pool's queue by an
 * `AgentAutoscaler` that reads Scalr as a read-only service account (`AutoscalerScalrIdentity`,
 * its token stored in the autoscaler's Secrets Manager secret). Busy instances are protected from
 * scale-in; the ECS agents are not yet matched to their tasks (docs/autoscaling.md#agents-to-units),
 * so the service's own drain on SIGTERM protects them.
 *
 * Set `aws_region`, `vpc_id`, `subnet_ids` and `scalr_hostname` / `scalr_token` (or SCALR_HOSTNAME /
 * SCALR_TOKEN); the identity's account comes from `SCALR_ACCOUNT_ID`, which a Scalr run sets.
 */
export function scaledAgentsExample(scope: Construct): TerraformStack[] {
  const vm = new TerraformStack(scope, "scaled-vm-agents");
  const vmNet = network(vm);
  const vmPool = new AgentPool(vm, "RunPool", { name: "ec2-run-scaled" });
  const fleet = new VmAgentFleet(vm, "Fleet", {
    name: "scalr-ec2-scaled",
    os: "amazon-linux-2023",
    pool: vmPool,
    ...vmNet,
    instanceType: "m7i.large",
    minSize: 0,
    maxSize: 8,
    settings: { scalrUrl: SCALR_URL, concurrency: 3 },
  });
  const vmIdentity = new AutoscalerScalrIdentity(vm, "AutoscalerIdentity", { name: "ec2-agent-autoscaler" });
  const vmScaler = new AgentAutoscaler(vm, "Autoscaler", {
    pool: vmPool,
    fleet,
    scalrUrl: SCALR_URL,
    scalrToken: { value: vmIdentity.token },
    policy: workingWeek(8),
    agentConcurrency: 3,
  });
  new TerraformOutput(vm, "autoscaling_group_name", { value: fleet.autoScalingGroupName, description: "The group the autoscaler sizes." });
  new TerraformOutput(vm, "autoscaler_log_group", { value: vmScaler.logGroup.name, description: "One JSON line per decision (aws logs tail)." });

  const ecs = new TerraformStack(scope, "scaled-ecs-agents");
  const ecsNet = network(ecs);
  const ecsPool = new AgentPool(ecs, "RunPool", { name: "ecs-run-scaled" });
  const service = new EcsAgentService(ecs, "Agents", { name: "scalr-ecs-scaled", pool: ecsPool, settings: { scalrUrl: SCALR_URL }, ...ecsNet });
  const ecsIdentity = new AutoscalerScalrIdentity(ecs, "AutoscalerIdentity", { name: "ecs-agent-autoscaler" });
  const ecsScaler = new AgentAutoscaler(ecs, "Autoscaler", {
    pool: ecsPool,
    fleet: service,
    scalrUrl: SCALR_URL,
    scalrToken: { value: ecsIdentity.token },
    policy: workingWeek(10),
  });
  new TerraformOutput(ecs, "service_name", { value: service.serviceName, description: "The service the autoscaler sizes." });
  new TerraformOutput(ecs, "autoscaler_log_group", { value: ecsScaler.logGroup.name, description: "One JSON line per decision (aws logs tail)." });
  return [vm, ecs];
}
