// Shared helpers of the rule tests (`rules/<area>/<name>.test.ts`, one file per rule): build a
// stack, run one rule on it, read its findings; and the fixtures several rules' cases share.
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { Release } from "@cdktf/provider-helm/lib/release";
import { TerraformStack, Testing } from "cdktf";
import { terraformJson } from "../../../core/terraform-json";
import { KitChecks, KitRule, KIT_RULES } from "../../../constructs/checks";
import { HelmAgent, HelmAgentProps } from "../../../constructs/k8s/helm-agent";
import { AgentPool } from "../../../constructs/scalr/agent-pool";

/**
 * The violations of `rule` in a stack `build` fills, as synthesis reports them
 * (`KIT-… <path>: <message>`): only the rule under test runs, as in cdk-nag's TestPack. Fails
 * when the rule is not in the rule list KitChecks runs.
 */
export function violations(rule: KitRule, build: (stack: TerraformStack) => void): string[] {
  expect(KIT_RULES).toContain(rule);
  const stack = new TerraformStack(Testing.app(), "stack");
  build(stack);
  return KitChecks.of(stack, { rules: [rule.id] })
    .report()
    .violations.map((v) => v.line);
}

/** A launch template every EC2 and network rule accepts. */
export const compliantLaunchTemplate: LaunchTemplateConfig = {
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } }],
  networkInterfaces: [{ associatePublicIpAddress: "false", deviceIndex: 0 }],
};

/** The variable that marks a container as a Scalr agent's. */
export const SCALR_URL = { name: "SCALR_URL", value: "https://example.scalr.io" };

/** A Fargate task definition with one agent container (`scalr/agent:1.4.0`) plus `container`'s fields. */
export function fargateTask(stack: TerraformStack, container: Record<string, unknown>): void {
  new EcsTaskDefinition(stack, "Task", {
    family: "agents",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    containerDefinitions: terraformJson([{ name: "agent", image: "scalr/agent:1.4.0", essential: true, ...container }]),
  });
}

/** A HelmAgent (id `Agent`) for a new run pool, with a Scalr URL unless `props` give settings. */
export function helmAgent(stack: TerraformStack, props: Omit<HelmAgentProps, "settings"> & { settings?: HelmAgentProps["settings"] }): HelmAgent {
  const pool = new AgentPool(stack, "K8sPool", { name: "k8s" });
  return new HelmAgent(stack, "Agent", { pool, ...props, settings: props.settings ?? { scalrUrl: "https://example.scalr.io" } });
}

/** A raw `helm_release` (id `Release`) of `chart` from Scalr's repository with `values` as its one document. */
export function release(stack: TerraformStack, chart: string, values: Record<string, unknown>): Release {
  return new Release(stack, "Release", { name: "agent", chart, repository: "https://scalr.github.io/agent-helm/", values: [JSON.stringify(values)] });
}

/** A trust policy EC2 instances may assume. */
export const EC2_TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/** An IAM role (id `Role`) with `assumeRolePolicy` (EC2's trust by default). */
export function role(stack: TerraformStack, assumeRolePolicy = EC2_TRUST): IamRole {
  return new IamRole(stack, "Role", { name: "r", assumeRolePolicy });
}

/** A JSON policy document of `statements`. */
export function policy(statements: unknown[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The token of a new agent pool (id `Pool`): a reference to a secret. */
export function token(stack: TerraformStack): string {
  return new AgentPool(stack, "Pool", { name: "p" }).tokenValue();
}

/** How a finding names the token {@link token} returns. */
export const TOKEN_REF = "the secret scalr_agent_pool_token.Pool_Token-default_F35A092E.token";
