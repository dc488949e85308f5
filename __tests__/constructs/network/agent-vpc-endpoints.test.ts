import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { KitChecks } from "../../../constructs/checks";
import { AGENT_VPC_ENDPOINTS_IDS, AgentVpcEndpoints, AgentVpcEndpointsProps, DEFAULT_AGENT_VPC_ENDPOINT_SERVICES } from "../../../constructs/network";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token";
const LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/scalr/agents";
const BASE: AgentVpcEndpointsProps = {
  vpcId: "vpc-0abc",
  region: "eu-west-1",
  accountId: "123456789012",
  subnetIds: ["subnet-0a", "subnet-0b"],
  routeTableIds: ["rtb-0a"],
  agentSecurityGroupIds: ["sg-0a6e"],
  secretArns: [SECRET],
  logGroupArns: [LOG_GROUP],
};

interface Synth {
  readonly stack: TerraformStack;
  readonly construct: AgentVpcEndpoints;
  readonly resources: Record<string, Record<string, Record<string, unknown>>>;
}

function build(props: Partial<AgentVpcEndpointsProps> = {}, replace = false): Synth {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const construct = new AgentVpcEndpoints(stack, "Endpoints", (replace ? props : { ...BASE, ...props }) as AgentVpcEndpointsProps);
  return { stack, construct, resources: (JSON.parse(Testing.synth(stack)) as { resource: Synth["resources"] }).resource };
}

const endpoints = (s: Synth) => Object.values(s.resources.aws_vpc_endpoint ?? {});
const byService = (s: Synth, service: string) => endpoints(s).find((e) => (e.service_name as string).endsWith(`.${service}`)) as Record<string, unknown>;
const policyOf = (s: Synth, service: string) => decodeTerraformJson(byService(s, service).policy as string) as { Statement: Record<string, unknown>[] };
const errorOf = (props: Partial<AgentVpcEndpointsProps>, replace = false) => messageOf(() => build(props, replace));

describe("AgentVpcEndpoints", () => {
  test("defaults: ECR API and Docker, S3 gateway, Logs and Secrets Manager in the region", () => {
    const s = build();
    expect(endpoints(s).map((e) => e.service_name).sort()).toEqual(DEFAULT_AGENT_VPC_ENDPOINT_SERVICES.map((x) => `com.amazonaws.eu-west-1.${x}`).sort());
    for (const service of ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]) {
      expect(byService(s, service)).toMatchObject({ vpc_endpoint_type: "Interface", subnet_ids: ["subnet-0a", "subnet-0b"], private_dns_enabled: true, vpc_id: "vpc-0abc" });
      expect(byService(s, service).security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.Endpoints_SecurityGroup_[0-9A-F]+\.id\}$/)]);
    }
    expect(byService(s, "s3")).toMatchObject({ vpc_endpoint_type: "Gateway", route_table_ids: ["rtb-0a"] });
    expect(byService(s, "s3").subnet_ids).toBeUndefined();
    expect(byService(s, "s3").security_group_ids).toBeUndefined();
  });

  test("the endpoints' group admits TCP 443 from the agents' groups only, and has no egress", () => {
    const s = build({ agentSecurityGroupIds: ["sg-0a6e", "sg-0b7f"] });
    const [group] = Object.values(s.resources.aws_security_group ?? {});
    expect(group).toMatchObject({ vpc_id: "vpc-0abc", egress: [] });
    expect(group?.ingress).toEqual([expect.objectContaining({ protocol: "tcp", from_port: 443, to_port: 443, security_groups: ["sg-0a6e", "sg-0b7f"], cidr_blocks: null, ipv6_cidr_blocks: null, prefix_list_ids: null })]);
  });

  test("ECR policy: the registry token on * and the pull actions on the account's repositories, nothing else", () => {
    const s = build();
    for (const service of ["ecr.api", "ecr.dkr"]) {
      expect(policyOf(s, service).Statement).toEqual([
        { Sid: "RegistryToken", Effect: "Allow", Principal: "*", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        {
          Sid: "PullAgentImages",
          Effect: "Allow",
          Principal: "*",
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
          Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.Endpoints_Partition_[0-9A-F]+\.partition\}:ecr:eu-west-1:123456789012:repository\/\*$/)],
        },
      ]);
    }
  });

  test("ECR policy: given repositories, and the pull-through cache's import actions on request", () => {
    const repo = "arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/*";
    const statement = policyOf(build({ ecrRepositoryArns: [repo], ecrPullThroughCache: true }), "ecr.dkr").Statement[1];
    expect(statement).toMatchObject({ Resource: [repo], Action: expect.arrayContaining(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]) });
  });

  test("S3 gateway policy: read objects of the region's ECR layer bucket only", () => {
    expect(policyOf(build(), "s3").Statement).toEqual([
      { Sid: "ReadEcrImageLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\}:s3:::prod-eu-west-1-starport-layer-bucket\/\*$/)] },
    ]);
  });

  test("Secrets Manager and Logs policies: the given secrets and log groups only", () => {
    const s = build();
    expect(policyOf(s, "secretsmanager").Statement).toEqual([{ Sid: "ReadAgentSecrets", Effect: "Allow", Principal: "*", Action: ["secretsmanager:GetSecretValue"], Resource: [`${SECRET}-??????`] }]);
    expect(policyOf(s, "logs").Statement).toEqual([
      { Sid: "WriteAgentLogs", Effect: "Allow", Principal: "*", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [LOG_GROUP, `${LOG_GROUP}:*`] },
    ]);
  });

  test("region and account default to the provider's (data sources)", () => {
    const s = build({ region: undefined, accountId: undefined });
    expect(byService(s, "ecr.api").service_name).toMatch(/^com\.amazonaws\.\$\{data\.aws_region\.Endpoints_Region_[0-9A-F]+\.region\}\.ecr\.api$/);
    expect(JSON.stringify(policyOf(s, "ecr.api"))).toContain("data.aws_caller_identity.Endpoints_Account_");
  });

  test("opt-in services: STS on the given roles, Auto Scaling on the given groups", () => {
    const role = "arn:aws:iam::123456789012:role/run-deployer";
    const group = "arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/agents";
    const s = build({ services: ["secretsmanager", "sts", "autoscaling"], stsRoleArns: [role], autoScalingGroupArns: [group], routeTableIds: undefined, logGroupArns: undefined });
    expect(endpoints(s)).toHaveLength(3);
    expect(policyOf(s, "sts").Statement).toEqual([
      expect.objectContaining({ Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"], Resource: [role] }),
      expect.objectContaining({ Action: ["sts:GetCallerIdentity"], Resource: "*" }),
    ]);
    expect(policyOf(s, "autoscaling").Statement[0]).toMatchObject({ Action: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"], Resource: [group] });
  });

  test("S3 alone: no security group, no subnets needed", () => {
    const s = build({ vpcId: "vpc-0abc", services: ["s3"], routeTableIds: ["rtb-0a"], region: "eu-west-1" }, true);
    expect(s.resources.aws_security_group).toBeUndefined();
    expect(s.construct.securityGroup).toBeUndefined();
    expect(endpoints(s)).toHaveLength(1);
  });

  test("additional statements join the service's policy", () => {
    const extra = { Sid: "RunState", Effect: "Allow" as const, Principal: "*" as const, Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::acme-tf-state/*"] };
    expect(policyOf(build({ additionalPolicyStatements: { s3: [extra] } }), "s3").Statement[1]).toEqual(extra);
  });

  test("construct ids are stable", () => {
    const s = build();
    expect(s.construct.endpoints["ecr.api"]?.node.id).toBe(AGENT_VPC_ENDPOINTS_IDS.endpoint("ecr.api"));
    expect(s.construct.securityGroup?.node.id).toBe(AGENT_VPC_ENDPOINTS_IDS.securityGroup);
  });

  test("KitChecks passes with no acknowledgement, with the agents' group in the stack", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const agents = new SecurityGroup(stack, "Agents", { vpcId: "vpc-0abc", ingress: [], egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
    new AgentVpcEndpoints(stack, "Endpoints", { ...BASE, agentSecurityGroupIds: [agents.id], region: undefined, accountId: undefined, services: ["ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager", "sts", "autoscaling"], stsRoleArns: ["arn:aws:iam::123456789012:role/r"], autoScalingGroupArns: ["arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/agents"] });
    const checks = KitChecks.of(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(checks.report().violations).toEqual([]);
    expect(checks.report().acknowledged).toEqual([]);
  });

  test("KitChecks fails when the endpoints' group is attached to an instance too", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const e = new AgentVpcEndpoints(stack, "Endpoints", BASE);
    new SecurityGroup(stack, "Other", { vpcId: "vpc-0abc", ingress: [], egress: [] }).addOverride("tags", { shares: e.securityGroup?.id });
    const lines = KitChecks.of(stack, { rules: ["KIT-NET-2"] }).report().violations.map((v) => v.line);
    expect(lines).toEqual(["KIT-NET-2 stack/Endpoints/SecurityGroup: aws_security_group must have no ingress rules (has 1): agents only connect out"]);
  });
});

describe("AgentVpcEndpoints: bad input", () => {
  test("fails when a service needs its scope and none is given", () => {
    expect(errorOf({ secretArns: undefined, logGroupArns: undefined })).toEqual(
      expect.stringContaining('`secretArns` is required when `services` includes "secretsmanager": the secrets the agents read, the only resources its endpoint policy allows'),
    );
    expect(errorOf({ logGroupArns: undefined })).toContain('`logGroupArns` is required when `services` includes "logs"');
    expect(errorOf({ routeTableIds: undefined })).toContain('`routeTableIds` is required when `services` includes "s3"');
  });

  test("fails when interface endpoints have no subnets or no agent groups", () => {
    const message = errorOf({ subnetIds: undefined, agentSecurityGroupIds: undefined });
    expect(message).toContain("Endpoints");
    expect(message).toContain("`subnetIds` is required for the interface endpoints");
    expect(message).toContain("`agentSecurityGroupIds` is required for the interface endpoints");
  });

  test("fails on an address range instead of a security group, a bad ID, an unknown service", () => {
    const message = errorOf({ agentSecurityGroupIds: ["0.0.0.0/0"], vpcId: "vpc-XYZ", services: ["ecr.api", "ecr.dkr", "s3", "ecs" as never] });
    expect(message).toContain('`agentSecurityGroupIds[0]` must be an ID such as "sg-0abc1234"');
    expect(message).toContain("`vpcId` must be a VPC ID");
    expect(message).toContain("`services[3]` must be one of");
  });

  test("fails on a duplicated service, one ECR endpoint alone, ECR without S3", () => {
    expect(errorOf({ services: ["logs", "logs"], secretArns: undefined, routeTableIds: undefined })).toContain('`services[1]` lists "logs" twice');
    expect(errorOf({ services: ["ecr.api", "s3"], secretArns: undefined, logGroupArns: undefined })).toContain('must list "ecr.api" and "ecr.dkr" together');
    expect(errorOf({ services: ["ecr.api", "ecr.dkr"], secretArns: undefined, logGroupArns: undefined, routeTableIds: undefined })).toContain('must list "s3" with the ECR endpoints');
  });

  test("fails on a scope for a service not created, and on a wildcard account or name", () => {
    expect(errorOf({ services: ["s3"], stsRoleArns: ["arn:aws:iam::123456789012:role/r"], subnetIds: undefined, agentSecurityGroupIds: undefined, secretArns: undefined, logGroupArns: undefined })).toContain(
      '`stsRoleArns` applies only when `services` includes "sts", which it does not',
    );
    expect(errorOf({ ecrRepositoryArns: ["arn:aws:ecr:eu-west-1:*:repository/*"] })).toContain("`ecrRepositoryArns[0]` must be an ECR repository ARN of one account");
    expect(errorOf({ logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:*"] })).toContain("`logGroupArns[0]` must be a CloudWatch Logs log group ARN without wildcards");
  });

  test("fails on an unknown prop, with a hint", () => {
    expect(errorOf({ subnetId: ["subnet-0a"] } as never)).toMatch(/subnetId/);
  });

  test("a Terraform reference passes where an ID is expected", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const vpc = new TerraformVariable(stack, "vpc", { type: "string" });
    expect(() => new AgentVpcEndpoints(stack, "Endpoints", { ...BASE, vpcId: vpc.stringValue })).not.toThrow();
  });
});
