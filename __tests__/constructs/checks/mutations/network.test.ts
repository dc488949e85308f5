// Mutation corpus of the network rules (KIT-NET-1 no public IP, KIT-NET-2 no ingress): every way a
// stack can give an agent a public address or open a port, and a compliant twin of each.
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { LaunchTemplate, LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SpotInstanceRequest } from "@cdktf/provider-aws/lib/spot-instance-request";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformIterator, TerraformStack, TerraformVariable } from "cdktf";
import { KIT_NET_1 } from "../../../../constructs/checks/rules/network/no-public-ip";
import { KIT_NET_2 } from "../../../../constructs/checks/rules/network/no-ingress";
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
