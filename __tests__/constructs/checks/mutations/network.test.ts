// Mutation corpus of the network rules (KIT-NET-1 no public IP, KIT-NET-2 no ingress): every way a
// stack can give an agent a public address or open a port, and a compliant twin of each.
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsSecurityGroup } from "@cdktf/provider-aws/lib/data-aws-security-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EcsTaskSet } from "@cdktf/provider-aws/lib/ecs-task-set";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { LaunchTemplate, LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SpotInstanceRequest } from "@cdktf/provider-aws/lib/spot-instance-request";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcEndpointPolicy } from "@cdktf/provider-aws/lib/vpc-endpoint-policy";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformIterator, TerraformStack, TerraformVariable } from "cdktf";
import { KIT_NET_1 } from "../../../../constructs/checks/rules/network/no-public-ip";
import { KIT_NET_2 } from "../../../../constructs/checks/rules/network/no-ingress";
import { KIT_NET_3 } from "../../../../constructs/checks/rules/network/vpc-endpoint-policy-scoped";
import { AgentVpcEndpoints, AgentVpcEndpointsProps } from "../../../../constructs/network";
import { AgentCollectorService } from "../../../../constructs/ecs/agent-collector-service";
import { compliantLaunchTemplate, violations } from "../rule-helpers";
import { Form, UNCONFIRMED, raw, runCorpus } from "./forms";

const AMI = { ami: "ami-1", instanceType: "t3.micro" };
const lt = (s: TerraformStack, props: Partial<LaunchTemplateConfig> = {}) => new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, ...props });
const ni = (v: unknown) => ({ networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: v as string }] });

function publicIpCorpus(): { violating: Form[]; compliant: Form[] } {
  // Terraform converts "true"/"false"; the provider's string booleans take strconv.ParseBool's set.
  const truthy = [true, "true", "1", "t", "T", "True", "TRUE", "${true}", "${ true }", "${\"true\"}"];
  const falsy = [false, "false", "0", "f", "F", "False", "FALSE", "${false}"];
  const service = (s: TerraformStack) => new EcsService(s, "Service", { name: "agents", taskDefinition: "td", networkConfiguration: { subnets: ["subnet-1"] } });
  const target = (s: TerraformStack) =>
    new CloudwatchEventTarget(s, "Target", { rule: "r", arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c", ecsTarget: { taskDefinitionArn: "td", networkConfiguration: { subnets: ["subnet-1"] } } });
  const schedule = (assign: unknown) =>
    ((s: TerraformStack) =>
      raw(s, "aws_scheduler_schedule", "Schedule", {
        schedule_expression: "rate(1 hour)",
        flexible_time_window: { mode: "OFF" },
        target: { arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c", role_arn: "r", ecs_parameters: { task_definition_arn: "td", network_configuration: { subnets: ["s"], assign_public_ip: assign } } },
      })) as (s: TerraformStack) => void;
  const handler = (value: string) => (s: TerraformStack) =>
    void new LambdaFunction(s, "Handler", { functionName: "h", role: "r", environment: { variables: { ASSIGN_PUBLIC_IP: value } } });
  const violating: Form[] = [
    ...truthy.map((v) => ({ form: `launch template network interface ${JSON.stringify(v)}`, build: (s: TerraformStack) => void lt(s, ni(v)) })),
    ...truthy.map((v) => ({ form: `aws_instance ${JSON.stringify(v)}`, build: (s: TerraformStack) => void new Instance(s, "Vm", AMI).addOverride("associate_public_ip_address", v) })),
    ...truthy.map((v) => ({ form: `aws_ecs_service ${JSON.stringify(v)}`, build: (s: TerraformStack) => service(s).addOverride("network_configuration.assign_public_ip", v) })),
    { form: "launch template network interface: a reference", build: (s) => void lt(s, ni("${var.public}")) },
    { form: "launch template network interface: a reference with whitespace", build: (s) => void lt(s, ni("${ var.public }")) },
    { form: "launch template network interface: a TerraformVariable", build: (s) => void lt(s, ni(new TerraformVariable(s, "public", {}).stringValue)) },
    { form: "launch template network interface unset (the subnet decides)", build: (s) => void lt(s, { networkInterfaces: [{ deviceIndex: 0 }] }) },
    { form: "launch template without network interfaces (the subnet decides)", build: (s) => void lt(s).addOverride("network_interfaces", null) },
    { form: "launch template: a second, public network interface", build: (s) => void lt(s, { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false" }, { deviceIndex: 1, associatePublicIpAddress: "true" }] }) },
    { form: "launch template: dynamic network_interfaces", build: (s) => void lt(s).addOverride("dynamic.network_interfaces", { for_each: "${var.nics}", content: { associate_public_ip_address: "${network_interfaces.value}" } }) },
    { form: "addOverride on a compliant launch template", build: (s) => void lt(s).addOverride("network_interfaces.0.associate_public_ip_address", "true") },
    { form: "aws_instance unset (the subnet decides)", build: (s) => void new Instance(s, "Vm", AMI) },
    { form: "aws_instance a reference", build: (s) => void new Instance(s, "Vm", { ...AMI, associatePublicIpAddress: "${var.public}" as unknown as boolean }) },
    { form: "aws_spot_instance_request true", build: (s) => void new SpotInstanceRequest(s, "Spot", { ...AMI, associatePublicIpAddress: true }) },
    { form: "aws_spot_instance_request unset", build: (s) => void new SpotInstanceRequest(s, "Spot", AMI) },
    { form: "aws_launch_configuration \"1\"", build: (s) => void new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro" }).addOverride("associate_public_ip_address", "1") },
    { form: "aws_spot_fleet_request launch_specification public", build: (s) => void raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "a", instance_type: "m5", associate_public_ip_address: true }] }) },
    { form: "aws_eip attached to an instance", build: (s) => void new Eip(s, "Ip", { instance: "${aws_instance.Vm.id}", domain: "vpc" }) },
    { form: "aws_eip attached to a network interface", build: (s) => void new Eip(s, "Ip", { networkInterface: "eni-1", domain: "vpc" }) },
    { form: "aws_eip_association", build: (s) => void raw(s, "aws_eip_association", "Assoc", { instance_id: "i-1", allocation_id: "eipalloc-1" }) },
    { form: "aws_ecs_service a reference", build: (s) => service(s).addOverride("network_configuration.assign_public_ip", "${var.public}") },
    { form: "aws_cloudwatch_event_target \"true\"", build: (s) => target(s).addOverride("ecs_target.network_configuration.assign_public_ip", "true") },
    { form: "aws_cloudwatch_event_target a reference", build: (s) => target(s).addOverride("ecs_target.network_configuration.assign_public_ip", "${var.public}") },
    { form: "aws_scheduler_schedule ECS target true", build: schedule(true) },
    { form: "aws_scheduler_schedule ECS target a reference", build: schedule("${var.public}") },
    { form: "Lambda ASSIGN_PUBLIC_IP ENABLED", build: handler("ENABLED") },
    { form: "Lambda ASSIGN_PUBLIC_IP a reference", build: handler("${var.assign}") },
    { form: "Lambda ASSIGN_PUBLIC_IP an unexpected value", build: handler("enabled") },
    { form: "aws_eks_node_group without a launch template", build: (s) => void raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "r", subnet_ids: ["s"] }) },
    { form: "aws_autoscaling_group from a launch template outside the stack", build: (s) => void raw(s, "aws_autoscaling_group", "Asg", { max_size: 1, min_size: 0, launch_template: { id: "lt-0abc" } }) },
  ];
  const compliant: Form[] = [
    ...falsy.map((v) => ({ form: `launch template network interface ${JSON.stringify(v)}`, build: (s: TerraformStack) => void lt(s, ni(v)) })),
    ...falsy.map((v) => ({ form: `aws_instance ${JSON.stringify(v)}`, build: (s: TerraformStack) => void new Instance(s, "Vm", AMI).addOverride("associate_public_ip_address", v) })),
    ...falsy.map((v) => ({ form: `aws_ecs_service ${JSON.stringify(v)}`, build: (s: TerraformStack) => service(s).addOverride("network_configuration.assign_public_ip", v) })),
    { form: "aws_ecs_service unset (ECS defaults to DISABLED)", build: (s) => void service(s) },
    { form: "aws_cloudwatch_event_target false", build: (s) => target(s).addOverride("ecs_target.network_configuration.assign_public_ip", false) },
    { form: "aws_scheduler_schedule ECS target false", build: schedule(false) },
    { form: "aws_instance on its own network interface", build: (s) => void new Instance(s, "Vm", { ...AMI, networkInterface: [{ networkInterfaceId: "eni-1", deviceIndex: 0 }] }) },
    { form: "aws_instance from a launch template of the stack", build: (s) => (lt(s), void new Instance(s, "Vm", { launchTemplate: { id: "${aws_launch_template.Lt.id}" } })) },
    { form: "aws_spot_instance_request false", build: (s) => void new SpotInstanceRequest(s, "Spot", { ...AMI, associatePublicIpAddress: false }) },
    { form: "aws_launch_configuration false", build: (s) => void new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro", associatePublicIpAddress: false }) },
    { form: "aws_spot_fleet_request launch_specification private", build: (s) => void raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "a", instance_type: "m5", associate_public_ip_address: "false" }] }) },
    { form: "aws_eip for a NAT gateway (not attached to an instance)", build: (s) => void new Eip(s, "Ip", { domain: "vpc" }) },
    { form: "Lambda ASSIGN_PUBLIC_IP DISABLED", build: handler("DISABLED") },
    { form: "launch template: an empty dynamic network interface next to a private one", build: (s) => void lt(s).addOverride("dynamic.network_interfaces", { for_each: [], content: { associate_public_ip_address: true } }) },
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_NET_1, ...publicIpCorpus() });

function ingressCorpus(): { violating: Form[]; compliant: Form[] } {
  const egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }];
  const sources: [string, SecurityGroupIngress][] = [
    ["IPv4 0.0.0.0/0", { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
    ["IPv6 ::/0", { protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }],
    ["a prefix list", { protocol: "tcp", fromPort: 443, toPort: 443, prefixListIds: ["pl-123"] }],
    ["another security group", { protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-1"] }],
    ["self", { protocol: "-1", fromPort: 0, toPort: 0, selfAttribute: true }],
    ["a private range", { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }],
    ["ports and CIDRs known only at apply", { protocol: "${var.proto}", fromPort: "${var.port}" as unknown as number, toPort: "${var.port}" as unknown as number, cidrBlocks: "${var.cidrs}" as unknown as string[] }],
  ];
  const rule = (type: string, extra: Record<string, unknown> = {}) => (s: TerraformStack) =>
    void new SecurityGroupRule(s, "Rule", { type, securityGroupId: "sg-1", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"], ...extra });
  const violating: Form[] = [
    ...sources.map(([name, ingress]) => ({ form: `aws_security_group inline ingress from ${name}`, build: (s: TerraformStack) => void new SecurityGroup(s, "Sg", { egress, ingress: [ingress] }) })),
    ...sources.map(([name, ingress]) => ({ form: `aws_default_security_group ingress from ${name}`, build: (s: TerraformStack) => void new DefaultSecurityGroup(s, "DefaultSg", { vpcId: "vpc-1", ingress: [ingress as never] }) })),
    { form: "aws_security_group ingress added by addOverride", build: (s) => void new SecurityGroup(s, "Sg", { egress, ingress: [] }).addOverride("ingress", [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }]) },
    { form: "aws_security_group ingress as one object (not a list)", build: (s) => void raw(s, "aws_security_group", "Sg", { ingress: { protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] } }) },
    { form: "aws_security_group ingress a reference", build: (s) => void new SecurityGroup(s, "Sg", { egress }).addOverride("ingress", "${var.ingress}") },
    { form: "aws_security_group dynamic ingress (cdktf iterator)", build: (s) => {
      const it = TerraformIterator.fromList(["22", "443"]);
      new SecurityGroup(s, "Sg", { egress, ingress: it.dynamic({ protocol: "tcp", from_port: it.value, to_port: it.value, cidr_blocks: ["0.0.0.0/0"] }) });
    } },
    { form: "aws_security_group dynamic ingress (raw)", build: (s) => void raw(s, "aws_security_group", "Sg", { dynamic: { ingress: { for_each: "${var.ports}", content: { protocol: "tcp", from_port: "${ingress.value}", to_port: "${ingress.value}", cidr_blocks: ["0.0.0.0/0"] } } } }) },
    { form: "aws_security_group_rule type ingress", build: rule("ingress") },
    { form: "aws_security_group_rule type ingress, IPv6 ::/0", build: rule("ingress", { cidrBlocks: undefined, ipv6CidrBlocks: ["::/0"] }) },
    { form: "aws_security_group_rule type ingress, a prefix list", build: rule("ingress", { cidrBlocks: undefined, prefixListIds: ["pl-1"] }) },
    { form: "aws_security_group_rule type ingress, a source group", build: rule("ingress", { cidrBlocks: undefined, sourceSecurityGroupId: "sg-2" }) },
    { form: "aws_security_group_rule type ingress, ports known only at apply", build: rule("ingress", { fromPort: "${var.port}", toPort: "${var.port}" }) },
    { form: "aws_security_group_rule type a reference", build: rule("${var.direction}") },
    { form: "aws_security_group_rule type a reference with whitespace", build: rule("${ var.direction }") },
    { form: "aws_security_group_rule type a conditional", build: rule("${var.open ? \"ingress\" : \"egress\"}") },
    { form: "aws_security_group_rule type a template of one literal", build: rule("${\"ingress\"}") },
    { form: "aws_security_group_rule egress turned into ingress by addOverride", build: (s) => void new SecurityGroupRule(s, "Rule", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0 }).addOverride("type", "ingress") },
    { form: "aws_vpc_security_group_ingress_rule IPv4", build: (s) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }) },
    { form: "aws_vpc_security_group_ingress_rule IPv6", build: (s) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0" }) },
    { form: "aws_vpc_security_group_ingress_rule prefix list", build: (s) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: "sg-1", ipProtocol: "-1", prefixListId: "pl-1" }) },
    { form: "aws_vpc_security_group_ingress_rule from another group", build: (s) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: "sg-1", ipProtocol: "-1", referencedSecurityGroupId: "sg-2" }) },
    { form: "aws_vpc_security_group_ingress_rule everything known only at apply", build: (s) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: "${var.sg}", ipProtocol: "${var.proto}", cidrIpv4: "${var.cidr}" }) },
    { form: "aws_eks_node_group remote_access (SSH)", build: (s) => void raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "r", subnet_ids: ["s"], remote_access: { ec2_ssh_key: "k" } }) },
  ];
  const compliant: Form[] = [
    { form: "aws_security_group egress only, ingress []", build: (s) => void new SecurityGroup(s, "Sg", { egress, ingress: [] }) },
    { form: "aws_security_group without an ingress argument", build: (s) => void new SecurityGroup(s, "Sg", { egress }) },
    { form: "aws_security_group with an empty dynamic ingress", build: (s) => void raw(s, "aws_security_group", "Sg", { dynamic: { ingress: { for_each: [], content: { protocol: "tcp" } } } }) },
    { form: "aws_default_security_group without rules (Terraform removes them)", build: (s) => void new DefaultSecurityGroup(s, "DefaultSg", { vpcId: "vpc-1" }) },
    { form: "aws_default_security_group egress only", build: (s) => void new DefaultSecurityGroup(s, "DefaultSg", { vpcId: "vpc-1", egress: egress as never }) },
    { form: "aws_security_group_rule egress to ::/0", build: rule("egress", { cidrBlocks: undefined, ipv6CidrBlocks: ["::/0"] }) },
    { form: "aws_security_group_rule egress with ports known only at apply", build: rule("egress", { fromPort: "${var.port}", toPort: "${var.port}" }) },
    { form: "aws_security_group_rule egress as a template of one literal", build: rule("${\"egress\"}") },
    { form: "aws_vpc_security_group_egress_rule", build: (s) => void raw(s, "aws_vpc_security_group_egress_rule", "Out", { security_group_id: "sg-1", ip_protocol: "-1", cidr_ipv6: "::/0" }) },
    { form: "aws_network_acl_rule ingress (stateless: return traffic needs it)", build: (s) => void raw(s, "aws_network_acl_rule", "Nacl", { network_acl_id: "acl-1", rule_number: 100, egress: false, protocol: "tcp", rule_action: "allow", cidr_block: "0.0.0.0/0", from_port: 1024, to_port: 65535 }) },
    { form: "aws_eks_node_group without remote_access", build: (s) => void raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "r", subnet_ids: ["s"] }) },
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_NET_2, ...ingressCorpus() });

describe("ingress through other providers and CloudFormation", () => {
  test("awscc ingress, a CloudFormation template with ingress, and one that cannot be read are violations; an egress-only group and a template without ingress are not", () => {
    const template = (resources: object) => JSON.stringify({ Resources: resources });
    const found = violations(KIT_NET_2, (s) => {
      raw(s, "awscc_ec2_security_group_ingress", "CcIngress", { group_id: "sg-1", ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ip: "0.0.0.0/0" });
      raw(s, "awscc_ec2_security_group", "CcGroup", { group_description: "g", security_group_ingress: [{ ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ip: "0.0.0.0/0" }] });
      raw(s, "awscc_ec2_security_group", "CcEgressOnly", { group_description: "g", security_group_egress: [{ ip_protocol: "-1", cidr_ip: "0.0.0.0/0" }] });
      raw(s, "aws_cloudformation_stack", "Cfn", { name: "x", template_body: template({ I: { Type: "AWS::EC2::SecurityGroupIngress", Properties: { GroupId: "sg-1", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIp: "0.0.0.0/0" } } }) });
      raw(s, "aws_cloudformation_stack", "CfnUrl", { name: "y", template_url: "https://bucket.s3.amazonaws.com/t.json" });
      raw(s, "aws_cloudformation_stack", "CfnQueue", { name: "z", template_body: template({ Q: { Type: "AWS::SQS::Queue" } }) });
    });
    expect(found).toEqual([
      "KIT-NET-2 stack/CcIngress: awscc_ec2_security_group_ingress must not exist: agents only connect out",
      "KIT-NET-2 stack/CcGroup: awscc_ec2_security_group must not set security_group_ingress: agents only connect out",
      "KIT-NET-2 stack/Cfn: aws_cloudformation_stack template must not create security group ingress (SecurityGroupIngress): agents only connect out",
      expect.stringMatching(/^KIT-NET-2 stack\/CfnUrl: aws_cloudformation_stack: template_url cannot be confirmed at synth time .* \(a template may create security group ingress\)$/),
    ]);
  });
});

describe("unknown values fail closed", () => {
  test("a security group rule whose type is a reference", () => {
    expect(violations(KIT_NET_2, (s) => new SecurityGroupRule(s, "Rule", { type: "${var.direction}", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0 }))).toEqual([
      expect.stringMatching(UNCONFIRMED),
    ]);
  });

  test("a public IP flag that is a reference", () => {
    expect(violations(KIT_NET_1, (s) => lt(s, ni("${var.public}")))).toEqual([
      'KIT-NET-1 stack/Lt: aws_launch_template: network_interfaces[0].associate_public_ip_address cannot be confirmed at synth time (got "${var.public}", known only at apply): write a literal, or acknowledge KIT-NET-1 with a reason (KitChecks.acknowledge)',
    ]);
  });
});

// The one group that may admit traffic: a VPC interface endpoint's, HTTPS from the callers only.
function endpointGroupCorpus(): { violating: Form[]; compliant: Form[] } {
  const https = { protocol: "tcp", fromPort: 443, toPort: 443 };
  const endpointWith = (ingress: SecurityGroupIngress[], extra: (s: TerraformStack, sg: SecurityGroup) => void = () => undefined) => (s: TerraformStack) => {
    const sg = new SecurityGroup(s, "EndpointSg", { vpcId: "vpc-1", ingress, egress: [] });
    new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.logs", vpcEndpointType: "Interface", subnetIds: ["subnet-1"], securityGroupIds: [sg.id] });
    extra(s, sg);
  };
  const ruleOn = (props: Record<string, unknown>) => endpointWith([], (s, sg) => void new SecurityGroupRule(s, "Rule", { type: "ingress", securityGroupId: sg.id, ...https, ...props } as never));
  const vpcRuleOn = (props: Record<string, unknown>) =>
    endpointWith([], (s, sg) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, ...props } as never));
  const violating: Form[] = [
    { form: "endpoint group from 0.0.0.0/0", build: endpointWith([{ ...https, cidrBlocks: ["0.0.0.0/0"] }]) },
    {
      form: "endpoint group echoed onto an instance through the endpoint's security_group_ids",
      build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s) => void new Instance(s, "Vm", AMI).addOverride("vpc_security_group_ids", "${aws_vpc_endpoint.Endpoint.security_group_ids}")),
    },
    {
      form: "endpoint group found by a data.aws_security_group lookup and put on an instance",
      build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s) => {
        const found = new DataAwsSecurityGroup(s, "Found", { name: "endpoints" });
        new Instance(s, "Vm", { ...AMI, vpcSecurityGroupIds: [found.id] });
      }),
    },
    { form: "endpoint group from a public range", build: endpointWith([{ ...https, cidrBlocks: ["52.0.0.0/8"] }]) },
    { form: "endpoint group from a range wider than RFC 1918 (172.0.0.0/8)", build: endpointWith([{ ...https, cidrBlocks: ["172.0.0.0/8"] }]) },
    { form: "endpoint group from ::/0", build: endpointWith([{ ...https, ipv6CidrBlocks: ["::/0"] }]) },
    { form: "endpoint group from a prefix list", build: endpointWith([{ ...https, prefixListIds: ["pl-1"] }]) },
    { form: "endpoint group on port 22", build: endpointWith([{ protocol: "tcp", fromPort: 22, toPort: 22, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group on a port range around 443", build: endpointWith([{ protocol: "tcp", fromPort: 0, toPort: 65535, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group all protocols", build: endpointWith([{ protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group sources from a variable", build: endpointWith([{ ...https, securityGroups: "${var.sources}" as unknown as string[] }]) },
    { form: "endpoint group CIDRs from a variable", build: endpointWith([{ ...https, cidrBlocks: ["${var.cidr}"] }]) },
    { form: "endpoint group port from a variable", build: endpointWith([{ ...https, fromPort: "${var.port}" as unknown as number, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group dynamic ingress", build: endpointWith([], (_s, sg) => sg.addOverride("dynamic.ingress", { for_each: "${var.rules}", content: { protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"] } })) },
    { form: "endpoint group also attached to an instance", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s, sg) => void new Instance(s, "Vm", { ...AMI, vpcSecurityGroupIds: [sg.id] })) },
    { form: "endpoint group also attached to a launch template", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s, sg) => void lt(s, { vpcSecurityGroupIds: [sg.id] })) },
    { form: "endpoint group also attached to a Lambda in the VPC", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s, sg) => void new LambdaFunction(s, "Fn", { functionName: "f", role: "r", vpcConfig: { subnetIds: ["subnet-1"], securityGroupIds: [sg.id] } })) },
    { form: "endpoint group exported as an output (attachable elsewhere)", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s, sg) => void raw(s, "aws_ssm_parameter", "Param", { name: "/sg", type: "String", value: sg.id })) },
    { form: "group on a Gateway endpoint (no network interface)", build: (s) => {
      const sg = new SecurityGroup(s, "EndpointSg", { vpcId: "vpc-1", ingress: [{ ...https, securityGroups: ["sg-1"] }], egress: [] });
      new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", vpcEndpointType: "Gateway", securityGroupIds: [sg.id] });
    } },
    { form: "group on an endpoint whose type is a variable", build: (s) => {
      const sg = new SecurityGroup(s, "EndpointSg", { vpcId: "vpc-1", ingress: [{ ...https, securityGroups: ["sg-1"] }], egress: [] });
      new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "x", vpcEndpointType: "${var.type}", securityGroupIds: [sg.id] });
    } },
    { form: "group referenced by no endpoint", build: (s) => void new SecurityGroup(s, "EndpointSg", { vpcId: "vpc-1", ingress: [{ ...https, securityGroups: ["sg-1"] }], egress: [] }) },
    { form: "aws_security_group_rule ingress on the endpoint group from 0.0.0.0/0", build: ruleOn({ cidrBlocks: ["0.0.0.0/0"] }) },
    { form: "aws_security_group_rule ingress on the endpoint group, port 80", build: ruleOn({ fromPort: 80, toPort: 80, sourceSecurityGroupId: "sg-1" }) },
    { form: "aws_security_group_rule ingress on a literal group ID (cannot tell it is the endpoint's)", build: endpointWith([], (s) => void new SecurityGroupRule(s, "Rule", { type: "ingress", securityGroupId: "sg-0123", ...https, sourceSecurityGroupId: "sg-1" })) },
    { form: "aws_vpc_security_group_ingress_rule on the endpoint group from ::/0", build: vpcRuleOn({ cidrIpv6: "::/0" }) },
    { form: "aws_vpc_security_group_ingress_rule on the endpoint group from a prefix list", build: vpcRuleOn({ prefixListId: "pl-1" }) },
    { form: "aws_vpc_security_group_ingress_rule on the endpoint group all protocols", build: vpcRuleOn({ ipProtocol: "-1", fromPort: undefined, toPort: undefined, referencedSecurityGroupId: "sg-1" }) },
  ];
  const compliant: Form[] = [
    { form: "endpoint group from the agents' group (literal ID)", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group from a private range", build: endpointWith([{ ...https, cidrBlocks: ["10.20.0.0/16", "172.31.0.0/16", "192.168.1.0/24"] }]) },
    { form: "endpoint group protocol \"6\"", build: endpointWith([{ protocol: "6", fromPort: 443, toPort: 443, securityGroups: ["sg-1"] }]) },
    { form: "endpoint group from a group of the stack, which allows egress to it", build: (s) => {
      const agents = new SecurityGroup(s, "Agents", { vpcId: "vpc-1", ingress: [], egress: [{ ...https, securityGroups: ["${aws_security_group.EndpointSg.id}"] }] });
      endpointWith([{ ...https, securityGroups: [agents.id] }])(s);
    } },
    { form: "endpoint group shared by two interface endpoints", build: endpointWith([{ ...https, securityGroups: ["sg-1"] }], (s, sg) => void new VpcEndpoint(s, "Endpoint2", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.sts", vpcEndpointType: "Interface", securityGroupIds: [sg.id] })) },
    { form: "endpoint group attached by aws_vpc_endpoint_security_group_association", build: (s) => {
      const sg = new SecurityGroup(s, "EndpointSg", { vpcId: "vpc-1", ingress: [{ ...https, securityGroups: ["sg-1"] }], egress: [] });
      const e = new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.logs", vpcEndpointType: "Interface" });
      raw(s, "aws_vpc_endpoint_security_group_association", "Assoc", { vpc_endpoint_id: e.id, security_group_id: sg.id });
    } },
    { form: "aws_security_group_rule ingress on the endpoint group from a group", build: ruleOn({ sourceSecurityGroupId: "sg-1" }) },
    { form: "aws_vpc_security_group_ingress_rule on the endpoint group from a private range", build: vpcRuleOn({ cidrIpv4: "10.0.0.0/16" }) },
    { form: "the kit's AgentVpcEndpoints", build: (s) => void new AgentVpcEndpoints(s, "Endpoints", KIT_ENDPOINTS) },
  ];
  return { violating, compliant };
}

const KIT_ENDPOINTS: AgentVpcEndpointsProps = {
  vpcId: "vpc-0abc",
  region: "eu-west-1",
  accountId: "123456789012",
  subnetIds: ["subnet-0a"],
  routeTableIds: ["rtb-0a"],
  agentSecurityGroupIds: ["sg-0a"],
  secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:t"],
  logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/a"],
};

describe("endpoint groups (KIT-NET-2's one exception)", () => {
  runCorpus({ rule: KIT_NET_2, ...endpointGroupCorpus() });
});

// The group of a shared OpenTelemetry collector service: OTLP/gRPC (TCP 4317) from the agents' groups only.
function collectorGroupCorpus(): { violating: Form[]; compliant: Form[] } {
  const ADOT = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0";
  const otlp = { protocol: "tcp", fromPort: 4317, toPort: 4317 };
  const containers = (...images: string[]) => JSON.stringify(images.map((image, i) => ({ name: `c${i}`, image, essential: true })));
  const taskDef = (s: TerraformStack, id: string, images: string[]) => new EcsTaskDefinition(s, id, { family: id, requiresCompatibilities: ["FARGATE"], containerDefinitions: containers(...images) });
  /** A group on one ECS service of a task definition running `images`; `extra` adds more of the stack. */
  const collectorWith = (ingress: SecurityGroupIngress[], images: string[] = [ADOT], extra: (s: TerraformStack, sg: SecurityGroup) => void = () => undefined) => (s: TerraformStack) => {
    const sg = new SecurityGroup(s, "CollectorSg", { vpcId: "vpc-1", ingress, egress });
    const td = taskDef(s, "CollectorTask", images);
    new EcsService(s, "Collector", { name: "otel", taskDefinition: td.arn, launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-1"], securityGroups: [sg.id] } });
    extra(s, sg);
  };
  const egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }];
  const fromAgents = [{ ...otlp, securityGroups: ["sg-1"] }];
  const violating: Form[] = [
    { form: "collector group: 4317 from a private range", build: collectorWith([{ ...otlp, cidrBlocks: ["10.0.0.0/8"] }]) },
    { form: "collector group: 4317 from 0.0.0.0/0", build: collectorWith([{ ...otlp, cidrBlocks: ["0.0.0.0/0"] }]) },
    { form: "collector group: 4317 from ::/0", build: collectorWith([{ ...otlp, ipv6CidrBlocks: ["::/0"] }]) },
    { form: "collector group: 4317 from a prefix list", build: collectorWith([{ ...otlp, prefixListIds: ["pl-1"] }]) },
    { form: "collector group: OTLP/HTTP 4318 from a group", build: collectorWith([{ protocol: "tcp", fromPort: 4318, toPort: 4318, securityGroups: ["sg-1"] }]) },
    { form: "collector group: a port range around 4317", build: collectorWith([{ protocol: "tcp", fromPort: 4000, toPort: 5000, securityGroups: ["sg-1"] }]) },
    { form: "collector group: all protocols", build: collectorWith([{ protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-1"] }]) },
    { form: "collector group: ports known only at apply", build: collectorWith([{ ...otlp, fromPort: "${var.port}" as unknown as number, toPort: "${var.port}" as unknown as number, securityGroups: ["sg-1"] }]) },
    { form: "collector group: sources from a variable", build: collectorWith([{ ...otlp, securityGroups: "${var.sources}" as unknown as string[] }]) },
    { form: "collector group: dynamic ingress", build: collectorWith([], [ADOT], (_s, sg) => sg.addOverride("dynamic.ingress", { for_each: "${var.rules}", content: { protocol: "tcp", from_port: 4317, to_port: 4317, security_groups: ["sg-1"] } })) },
    { form: "collector group also attached to an agent service", build: collectorWith(fromAgents, [ADOT], (s, sg) => {
      const agents = taskDef(s, "AgentTask", ["scalr/agent:1.4.0"]);
      new EcsService(s, "Agents", { name: "agents", taskDefinition: agents.arn, networkConfiguration: { subnets: ["subnet-1"], securityGroups: [sg.id] } });
    }) },
    { form: "collector group also attached to an instance", build: collectorWith(fromAgents, [ADOT], (s, sg) => void new Instance(s, "Vm", { ...AMI, vpcSecurityGroupIds: [sg.id] })) },
    { form: "collector task definition with a second, non-collector container", build: collectorWith(fromAgents, [ADOT, "busybox:1.36"]) },
    { form: "collector image unpinned", build: collectorWith(fromAgents, ["public.ecr.aws/aws-observability/aws-otel-collector"]) },
    { form: "collector image :latest", build: collectorWith(fromAgents, ["public.ecr.aws/aws-observability/aws-otel-collector:latest"]) },
    { form: "another collector image (not ADOT)", build: collectorWith(fromAgents, ["otel/opentelemetry-collector-contrib:0.100.0"]) },
    { form: "collector image from a variable", build: collectorWith(fromAgents, ["${var.image}"]) },
    { form: "container definitions unreadable (a reference)", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("CollectorTask") as EcsTaskDefinition).addOverride("container_definitions", "${var.containers}")) },
    { form: "service task definition from a variable", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("Collector") as EcsService).addOverride("task_definition", "${var.task}")) },
    { form: "service task definition by family (not .arn)", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("Collector") as EcsService).addOverride("task_definition", "${aws_ecs_task_definition.CollectorTask.family}")) },
    { form: "collector group on a service with a dynamic network_configuration", build: (s) => {
      const sg = new SecurityGroup(s, "CollectorSg", { vpcId: "vpc-1", ingress: fromAgents, egress });
      const td = taskDef(s, "CollectorTask", [ADOT]);
      new EcsService(s, "Collector", { name: "otel", taskDefinition: td.arn }).addOverride("dynamic.network_configuration", { for_each: "${var.nets}", content: { subnets: ["subnet-1"], security_groups: [sg.id] } });
    } },
    { form: "aws_vpc_security_group_ingress_rule on the collector group from a CIDR", build: collectorWith([], [ADOT], (s, sg) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 4317, toPort: 4317, cidrIpv4: "10.0.0.0/16" })) },
    { form: "aws_security_group_rule on the collector group, port 22", build: collectorWith([], [ADOT], (s, sg) => void new SecurityGroupRule(s, "Rule", { type: "ingress", securityGroupId: sg.id, protocol: "tcp", fromPort: 22, toPort: 22, sourceSecurityGroupId: "sg-1" })) },
    { form: "collector group echoed onto an instance through the service's network_configuration", build: collectorWith(fromAgents, [ADOT], (s) =>
      void new Instance(s, "Vm", AMI).addOverride("vpc_security_group_ids", "${aws_ecs_service.Collector.network_configuration[0].security_groups}")) },
    { form: "collector group echoed onto a launch template through an ingress rule's security_group_id", build: collectorWith([], [ADOT], (s, sg) => {
      new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 4317, toPort: 4317, referencedSecurityGroupId: "sg-1" });
      lt(s, { vpcSecurityGroupIds: ["${aws_vpc_security_group_ingress_rule.In.security_group_id}"] });
    }) },
    { form: "collector group echoed through a peer group's ingress", build: collectorWith(fromAgents, [ADOT], (s, sg) => {
      new SecurityGroup(s, "Peer", { vpcId: "vpc-1", ingress: [], egress: [{ protocol: "tcp", fromPort: 4317, toPort: 4317, securityGroups: [sg.id] }] });
      new Instance(s, "Vm", AMI).addOverride("vpc_security_group_ids", "${aws_security_group.Peer.egress[*].security_groups}");
    }) },
    { form: "container definitions with a template directive that hides an image", build: collectorWith(fromAgents, [ADOT], (s) =>
      (s.node.findChild("CollectorTask") as EcsTaskDefinition).addOverride("container_definitions", `[{"name":"c0","image":"alpine:3.20","n":"a%{ if false }","image":"${ADOT}","z":"%{ endif }"}]`)) },
    { form: "container definitions with a variable inside a string (can close it and add keys)", build: collectorWith(fromAgents, [ADOT], (s) =>
      (s.node.findChild("CollectorTask") as EcsTaskDefinition).addOverride("container_definitions", `[{"name":"\${var.name}","image":"${ADOT}"}]`)) },
    { form: "a second image key in another case (Go's JSON decoding takes either)", build: collectorWith(fromAgents, [ADOT], (s) =>
      (s.node.findChild("CollectorTask") as EcsTaskDefinition).addOverride("container_definitions", JSON.stringify([{ name: "c0", image: ADOT, IMAGE: "alpine:3.20" }]))) },
    { form: "the collector image with a command of its own", build: collectorWith(fromAgents, [ADOT], (s) =>
      (s.node.findChild("CollectorTask") as EcsTaskDefinition).addOverride("container_definitions", JSON.stringify([{ name: "c0", image: ADOT, entryPoint: ["/bin/sh"], command: ["-c", "nc -lk 4317"] }]))) },
    { form: "an aws-otel-collector repository on Docker Hub", build: collectorWith(fromAgents, ["docker.io/someone/aws-otel-collector:1.0"]) },
    { form: "collector service with a CODE_DEPLOY deployment controller", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("Collector") as EcsService).addOverride("deployment_controller", { type: "CODE_DEPLOY" })) },
    { form: "collector service that ignores changes to its task definition", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("Collector") as EcsService).addOverride("lifecycle", { ignore_changes: ["task_definition"] })) },
    { form: "collector service with Service Connect (adds a proxy container)", build: collectorWith(fromAgents, [ADOT], (s) => (s.node.findChild("Collector") as EcsService).addOverride("service_connect_configuration", { enabled: true })) },
    { form: "collector service with a task set running another task definition", build: collectorWith(fromAgents, [ADOT], (s) => {
      const other = taskDef(s, "OtherTask", ["busybox:1.36"]);
      new EcsTaskSet(s, "Set", { service: "${aws_ecs_service.Collector.id}", cluster: "c", taskDefinition: other.arn, networkConfiguration: { subnets: ["subnet-1"] } });
    }) },
    { form: "addOverride opens the kit's collector to 0.0.0.0/0", build: (s) => {
      const c = new AgentCollectorService(s, "Otel", { name: "otel", vpcId: "vpc-0abc", subnetIds: ["subnet-0a"], clientSecurityGroupIds: ["sg-0a"] });
      c.securityGroup.addOverride("ingress.0.cidr_blocks", ["0.0.0.0/0"]);
    } },
  ];
  const compliant: Form[] = [
    { form: "collector group: 4317 from a group ID", build: collectorWith(fromAgents) },
    { form: "collector group: protocol \"6\"", build: collectorWith([{ protocol: "6", fromPort: 4317, toPort: 4317, securityGroups: ["sg-1"] }]) },
    { form: "collector group: 4317 from a group of the stack", build: (s) => {
      const agents = new SecurityGroup(s, "Agents", { vpcId: "vpc-1", ingress: [], egress });
      collectorWith([{ ...otlp, securityGroups: [agents.id] }])(s);
    } },
    { form: "collector image from a private ECR mirror, pinned by digest", build: collectorWith(fromAgents, [`123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/aws-otel-collector@sha256:${"b".repeat(64)}`]) },
    { form: "collector group shared by two collector services", build: collectorWith(fromAgents, [ADOT], (s, sg) => void new EcsService(s, "Collector2", { name: "otel2", taskDefinition: "${aws_ecs_task_definition.CollectorTask.arn}", networkConfiguration: { subnets: ["subnet-2"], securityGroups: [sg.id] } })) },
    { form: "aws_vpc_security_group_ingress_rule on the collector group from a group", build: collectorWith([], [ADOT], (s, sg) => void new VpcSecurityGroupIngressRule(s, "In", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 4317, toPort: 4317, referencedSecurityGroupId: "sg-1" })) },
    { form: "the kit's AgentCollectorService", build: (s) => void new AgentCollectorService(s, "Otel", { name: "otel", vpcId: "vpc-0abc", subnetIds: ["subnet-0a"], clientSecurityGroupIds: ["sg-0a"] }) },
  ];
  return { violating, compliant };
}

describe("collector service groups (KIT-NET-2's third exception)", () => {
  runCorpus({ rule: KIT_NET_2, ...collectorGroupCorpus() });
});

function endpointPolicyCorpus(): { violating: Form[]; compliant: Form[] } {
  const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
  const LAYERS = { Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"] };
  const endpoint = (policy: string | undefined, type: string | undefined = "Interface") => (s: TerraformStack) =>
    void new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", ...(type ? { vpcEndpointType: type } : {}), ...(policy === undefined ? {} : { policy }) });
  const violating: Form[] = [
    { form: "no policy (AWS attaches full access)", build: endpoint(undefined) },
    { form: "no policy, type unset (Gateway)", build: endpoint(undefined, undefined) },
    { form: "empty policy string", build: endpoint("") },
    { form: "Action \"*\"", build: endpoint(doc({ ...LAYERS, Action: "*" })) },
    { form: "Action \"s3:*\"", build: endpoint(doc({ ...LAYERS, Action: ["s3:*"] })) },
    { form: "Action \"s3:Get*\"", build: endpoint(doc({ ...LAYERS, Action: ["s3:Get*"] })) },
    { form: "action spelled in another case with a wildcard", build: endpoint(doc({ Effect: "Allow", Principal: "*", action: ["S3:*"], Resource: LAYERS.Resource })) },
    { form: "NotAction", build: endpoint(doc({ Effect: "Allow", Principal: "*", NotAction: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::b/*"] })) },
    { form: "Principal \"*\" with Resource \"*\"", build: endpoint(doc({ ...LAYERS, Resource: "*" })) },
    { form: "Resource arn:aws:s3:::*", build: endpoint(doc({ ...LAYERS, Resource: ["arn:aws:s3:::*"] })) },
    { form: "Resource of every account (arn:aws:secretsmanager:*:*:secret:*)", build: endpoint(doc({ ...LAYERS, Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:*:*:secret:*"] })) },
    { form: "NotResource", build: endpoint(doc({ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], NotResource: ["arn:aws:s3:::private/*"] })) },
    { form: "no Resource", build: endpoint(doc({ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"] })) },
    { form: "a star-only action next to a scoped one on *", build: endpoint(doc({ ...LAYERS, Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], Resource: "*" })) },
    { form: "the default full-access policy written out", build: endpoint(doc({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" })) },
    { form: "a scoped statement next to a full-access one", build: endpoint(doc(LAYERS, { Effect: "Allow", Principal: "*", Action: "*", Resource: "*" })) },
    { form: "a named principal with full access", build: endpoint(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/r" }, Action: "*", Resource: "*" })) },
    { form: "actions from a variable", build: endpoint(doc({ ...LAYERS, Action: ["${var.actions}"] })) },
    { form: "resources from a variable", build: endpoint(doc({ ...LAYERS, Resource: ["${var.bucket}"] })) },
    { form: "policy from Fn.jsonencode (HCL, unreadable)", build: endpoint("${jsonencode({Statement = []})}") },
    { form: "policy from a variable", build: endpoint("${var.policy}") },
    { form: "policy referencing a document that is not in the stack", build: endpoint("${data.aws_iam_policy_document.Doc.json}") },
    { form: "endpoint type from a variable", build: endpoint(doc(LAYERS), "${var.type}") },
    { form: "aws_vpc_endpoint_policy with full access", build: (s) => {
      const e = new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "x" });
      new VpcEndpointPolicy(s, "Policy", { vpcEndpointId: e.id, policy: doc({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }) });
    } },
    { form: "aws_vpc_endpoint_policy without a policy (full access)", build: (s) => {
      const e = new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "x" });
      new VpcEndpointPolicy(s, "Policy", { vpcEndpointId: e.id });
    } },
    { form: "aws_vpc_endpoint_policy for an endpoint outside the stack, with Action *", build: (s) => void new VpcEndpointPolicy(s, "Policy", { vpcEndpointId: "vpce-1", policy: doc({ ...LAYERS, Action: "*" }) }) },
    { form: "addOverride widens the kit's ECR policy", build: (s) => {
      const e = new AgentVpcEndpoints(s, "Endpoints", KIT_ENDPOINTS);
      e.endpoints["ecr.api"]?.addOverride("policy", doc({ Effect: "Allow", Principal: "*", Action: "ecr:*", Resource: "*" }));
    } },
  ];
  const compliant: Form[] = [
    { form: "scoped S3 gateway policy", build: endpoint(doc(LAYERS), "Gateway") },
    { form: "star-only action on *", build: endpoint(doc({ Effect: "Allow", Principal: "*", Action: ["ecr:GetAuthorizationToken"], Resource: "*" })) },
    { form: "a Deny with wildcards next to a scoped Allow", build: endpoint(doc(LAYERS, { Effect: "Deny", Principal: "*", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:PrincipalAccount": "123456789012" } } })) },
    { form: "scoped policy in a separate aws_vpc_endpoint_policy", build: (s) => {
      const e = new VpcEndpoint(s, "Endpoint", { vpcId: "vpc-1", serviceName: "x" });
      new VpcEndpointPolicy(s, "Policy", { vpcEndpointId: e.id, policy: doc(LAYERS) });
    } },
    { form: "a resource of the stack by reference", build: endpoint(doc({ ...LAYERS, Resource: ["${aws_s3_bucket.state.arn}/*"] })) },
    { form: "Gateway Load Balancer endpoint (takes no policy)", build: endpoint(undefined, "GatewayLoadBalancer") },
    { form: "the kit's AgentVpcEndpoints", build: (s) => void new AgentVpcEndpoints(s, "Endpoints", KIT_ENDPOINTS) },
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_NET_3, ...endpointPolicyCorpus() });
