// The README's VmAgentFleet example, kept compiling and synthesizing here.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../../../constructs/scalr/scalr-provider-from-variables";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";

test("README example: a pool and its EC2 fleet in one stack", () => {
  const stack = new TerraformStack(Testing.app(), "agents");
  new ScalrProviderFromVariables(stack, "Scalr");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });

  const pool = new AgentPool(stack, "RunPool", { name: "ec2-run" });
  const fleet = new VmAgentFleet(stack, "Fleet", {
    name: "scalr-agents",
    os: "amazon-linux-2023",
    pool,
    vpcId: "vpc-0abc1234",
    subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
    instanceType: "m7i.large",
    maxSize: 4,
    settings: {
      scalrUrl: "https://example.scalr.io",
      concurrency: 3,
      containerTask: { memoryLimitMiB: 2048 },
      proxy: { http: "http://proxy.internal:3128", noProxy: [".internal"] },
    },
  });
  // fleet.userData.document is the literal #cloud-config each instance receives.

  expect(fleet.userData.document.startsWith("#cloud-config\n")).toBe(true);
  expect(Testing.synth(stack)).toContain('"aws_autoscaling_lifecycle_hook"');
});
