import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../constructs/scalr/scalr-provider-from-variables";
import { VmAgentFleet } from "../../constructs/vm/vm-agent-fleet";

/** The corporate CA that signs the proxy's and internal registries' certificates (example value). */
const CORPORATE_CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUQ2FLaXRFeGFtcGxlQ0EwMDAwMDAwMDAwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMZXhhbXBsZS1jb3JwMB4XDTI1MDEwMTAwMDAwMFoXDTM1MDEwMTAw
-----END CERTIFICATE-----`;

/**
 * Stack `vm-agent-fleet`: a run pool and its token, and an EC2 Auto Scaling fleet of agents on
 * Amazon Linux 2023 behind a corporate proxy with a custom CA. The token goes from Scalr into a
 * Secrets Manager secret in the same apply; the instances read it at boot. Scale-in and instance
 * refresh drain running runs first.
 *
 * Set `aws_region`, `vpc_id` and `subnet_ids` (private subnets that reach the proxy), and
 * `scalr_hostname` / `scalr_token` (or SCALR_HOSTNAME / SCALR_TOKEN). The Scalr URL and the proxy
 * are literals: the user data is rendered at synth time. The outputs name the group, launch template,
 * instance role, token secret (its ARN) and pool; none is sensitive. The agents log to the instances'
 * journal (`journalctl -u scalr-agent`): there is no log group.
 */
export function vmAgentFleetExample(scope: Construct): TerraformStack {
  const stack = new TerraformStack(scope, "vm-agent-fleet");
  new ScalrProviderFromVariables(stack, "Scalr");
  const region = new TerraformVariable(stack, "aws_region", { type: "string", default: "eu-west-1", description: "AWS region of the fleet." });
  const vpcId = new TerraformVariable(stack, "vpc_id", { type: "string", description: "VPC of the fleet, e.g. vpc-0abc1234." });
  const subnetIds = new TerraformVariable(stack, "subnet_ids", {
    type: "list(string)",
    description: "Private subnets of the instances; they reach Scalr and registries through the proxy.",
  });
  new AwsProvider(stack, "aws", { region: region.stringValue });

  const pool = new AgentPool(stack, "RunPool", { name: "ec2-run", tokens: ["ec2-fleet"] });
  const fleet = new VmAgentFleet(stack, "Fleet", {
    name: "scalr-ec2-agents",
    os: "amazon-linux-2023",
    pool,
    vpcId: vpcId.stringValue,
    subnetIds: subnetIds.listValue,
    instanceType: "m7i.large",
    minSize: 1,
    maxSize: 4,
    settings: {
      scalrUrl: "https://example.scalr.io",
      concurrency: 3,
      containerTask: { memoryLimitMiB: 2048 },
      proxy: { http: "http://proxy.corp.example:3128", noProxy: [".corp.example", "10.0.0.0/8"] },
      caBundle: { pem: CORPORATE_CA_PEM },
    },
    tags: { team: "platform" },
  });
  // What an operator needs next; none of it is secret (the token secret's ARN names it, it is not it).
  new TerraformOutput(stack, "autoscaling_group_name", { value: fleet.autoScalingGroupName, description: "The fleet's Auto Scaling group (instance refresh, scaling)." });
  new TerraformOutput(stack, "launch_template_id", { value: fleet.launchTemplateId, description: "The instances' launch template." });
  new TerraformOutput(stack, "instance_role_name", { value: fleet.instanceRoleName, description: "The instances' IAM role." });
  new TerraformOutput(stack, "token_secret_arn", { value: fleet.tokenSecretArn, description: "The Secrets Manager secret the instances read the pool token from (rotate the token there)." });
  new TerraformOutput(stack, "agent_pool_id", { value: pool.poolId, description: "The Scalr agent pool the instances join." });
  return stack;
}
