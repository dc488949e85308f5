import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, dynamicBlocks, isEmptyForEach, isUnknown, stringOf, unconfirmed } from "../../synthesized-stack";
import {
  IngressPermission,
  collectorIngressProblems,
  collectorServiceOnlyGroups,
  endpointIngressProblems,
  endpointOnlyGroups,
  groupNameOf,
  mountTargetIngressProblems,
  mountTargetOnlyGroups,
} from "./endpoint-security-groups";

const ID = "KIT-NET-2";

const ENDPOINT_GROUP = "is attached only to VPC interface endpoints, which may admit only TCP 443 from security groups or private (RFC 1918) ranges";
const MOUNT_TARGET_GROUP = "is attached only to EFS mount targets, which may admit only NFS (TCP 2049) from security groups";
const COLLECTOR_GROUP = "is attached only to ECS services of OpenTelemetry collectors, which may admit only OTLP/gRPC (TCP 4317) from security groups";

/**
 * KIT-NET-2: security groups accept no inbound traffic; the groups of VPC interface endpoints (HTTPS),
 * EFS mount targets (NFS) and OpenTelemetry collector services (OTLP/gRPC) admit their one port from
 * the callers only.
 */
export const KIT_NET_2: KitRule = {
  id: ID,
  name: "no-ingress",
  area: "network",
  severity: "error",
  description:
    "Security groups have no `ingress` rules, whatever their ports, protocols or sources (IPv4, IPv6 `::/0`, prefix lists, other groups): none inline in `aws_security_group` or `aws_default_security_group` (static, `dynamic` or a reference), no `aws_security_group_rule` whose `type` is `ingress` or not a literal, no `aws_vpc_security_group_ingress_rule`, no EKS node group `remote_access` (it opens SSH), no `awscc_ec2_security_group_ingress` or `awscc_ec2_security_group` `security_group_ingress`, and no CloudFormation stack (set) whose template creates `SecurityGroupIngress` or cannot be read at synth time. One exception: an `aws_security_group` attached only to interface VPC endpoints of the stack (`aws_vpc_endpoint` with `vpc_endpoint_type = \"Interface\"`, or `aws_vpc_endpoint_security_group_association`) and mentioned nowhere else may admit TCP 443 from security groups or private RFC 1918 IPv4 ranges, never IPv6 ranges or prefix lists; each of its rules must say so in literals. Likewise an `aws_security_group` attached only to EFS mount targets of the stack (`aws_efs_mount_target` `security_groups`) and mentioned nowhere else may admit NFS, TCP 2049, from security groups only (no IPv4 or IPv6 range, no prefix list). And an `aws_security_group` attached only to the `network_configuration` `security_groups` of `aws_ecs_service`s whose `task_definition` is an `aws_ecs_task_definition` of the stack (by `.arn`) whose `container_definitions`, readable at synth time (no template directive, no interpolation but a resource or data source attribute), run only the AWS Distro for OpenTelemetry collector as it is (`public.ecr.aws/aws-observability/aws-otel-collector` or a repository of that name in a private Amazon ECR registry, pinned by a tag other than `latest` or a digest; one `image` key in any case, no `entryPoint` or `command`), on services that cannot run another task definition (no deployment controller but ECS, no task set, no Service Connect, no `ignore_changes` on `task_definition`), and mentioned nowhere else, may admit OTLP/gRPC, TCP 4317, from security groups only (no IPv4 or IPv6 range, no prefix list). \"Mentioned nowhere else\" counts echoes too: a reference anywhere to an attribute that holds the group's ID again (a service's `network_configuration`, an endpoint's `security_group_ids`, a mount target's `security_groups`, a rule's group or peer, a group's `ingress`/`egress`) or to the whole resource, and any data source that looks groups up, disqualify the groups concerned. Network ACLs are not security groups: they are stateless, and return traffic needs their inbound rules. Acknowledge a group that is not an agent's.",
  rationale:
    "Agents poll Scalr and need no inbound connection; SSM replaces SSH. Any open port is attack surface on a host that holds a pool token and cloud credentials. A VPC interface endpoint or an EFS mount target is not a host: it answers HTTPS or NFS for an AWS service, and only for the agents it admits. A collector service holds no token and runs no run: it receives the agents' metrics on the OTLP/gRPC port, and only from the agents it admits.",
  source: {
    title: "Scalr: agent pools need network access to Scalr only, never the reverse",
    url: "https://docs.scalr.io/docs/agent-pools",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    // A group attached to two kinds of holder is in no set: each attachment disqualifies it for the other kinds.
    const kinds = new Map<string, { readonly text: string; readonly problems: (ruleId: string, p: IngressPermission) => string[] }>();
    for (const g of endpointOnlyGroups(stack)) kinds.set(g, { text: ENDPOINT_GROUP, problems: endpointIngressProblems });
    for (const g of mountTargetOnlyGroups(stack)) kinds.set(g, { text: MOUNT_TARGET_GROUP, problems: mountTargetIngressProblems });
    for (const g of collectorServiceOnlyGroups(stack)) kinds.set(g, { text: COLLECTOR_GROUP, problems: collectorIngressProblems });
    const exempt = (group: string | undefined): group is string => group !== undefined && kinds.has(group);
    const kindOf = (group: string) => kinds.get(group)?.text ?? ENDPOINT_GROUP;
    const judge = (path: string, what: string, permission: IngressPermission, group: string) => {
      const problems = kinds.get(group)?.problems(ID, permission) ?? [];
      for (const problem of problems) findings.push({ path, message: `${what} ${kindOf(group)}: ${problem}` });
    };
    // aws_default_security_group: Terraform removes every rule of the default group it adopts and
    // adds only those declared (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_security_group).
    for (const r of stack.resources("aws_security_group", "aws_default_security_group")) {
      if (isUnknown(r.body.ingress)) {
        findings.push({ path: r.path, message: `${r.type}: ${unconfirmed(ID, "ingress", r.body.ingress)}` });
        continue;
      }
      const ingress = blocks(r.body.ingress);
      const dynamic = dynamicBlocks(r.body, "ingress").filter((d) => !isEmptyForEach(d.forEach));
      if (r.type === "aws_security_group" && exempt(r.name)) {
        ingress.forEach((b, i) =>
          judge(r.path, `aws_security_group ingress[${i}]`, {
            protocol: b.protocol,
            fromPort: b.from_port,
            toPort: b.to_port,
            cidrBlocks: b.cidr_blocks,
            ipv6CidrBlocks: b.ipv6_cidr_blocks,
            prefixListIds: b.prefix_list_ids,
            securityGroups: b.security_groups,
          }, r.name),
        );
        if (dynamic.length > 0) findings.push({ path: r.path, message: `aws_security_group ${kindOf(r.name)}: ${unconfirmed(ID, 'its dynamic "ingress" block')}` });
        continue;
      }
      if (ingress.length > 0) findings.push({ path: r.path, message: `${r.type} must have no ingress rules (has ${ingress.length}): agents only connect out` });
      if (dynamic.length > 0) findings.push({ path: r.path, message: `${r.type} must have no ingress rules (has a dynamic "ingress" block): agents only connect out` });
    }
    for (const r of stack.resources("aws_security_group_rule")) {
      const type = stringOf(r.body.type);
      if (type === "egress") continue;
      const group = groupNameOf(r.body.security_group_id);
      if (type === "ingress" && exempt(group)) {
        judge(r.path, "aws_security_group_rule (ingress) of a group that", {
          protocol: r.body.protocol,
          fromPort: r.body.from_port,
          toPort: r.body.to_port,
          cidrBlocks: r.body.cidr_blocks,
          ipv6CidrBlocks: r.body.ipv6_cidr_blocks,
          prefixListIds: r.body.prefix_list_ids,
          securityGroups: r.body.source_security_group_id,
        }, group);
      } else if (type === "ingress") findings.push({ path: r.path, message: "aws_security_group_rule must not open ingress: agents only connect out" });
      else if (isUnknown(r.body.type)) findings.push({ path: r.path, message: `aws_security_group_rule: ${unconfirmed(ID, 'type ("egress" or "ingress")', r.body.type)}` });
      else findings.push({ path: r.path, message: `aws_security_group_rule must be of type "egress" (got ${JSON.stringify(r.body.type ?? null)})` });
    }
    for (const r of stack.resources("aws_vpc_security_group_ingress_rule")) {
      const group = groupNameOf(r.body.security_group_id);
      if (exempt(group)) {
        judge(r.path, "aws_vpc_security_group_ingress_rule of a group that", {
          protocol: r.body.ip_protocol,
          fromPort: r.body.from_port,
          toPort: r.body.to_port,
          cidrBlocks: r.body.cidr_ipv4,
          ipv6CidrBlocks: r.body.cidr_ipv6,
          prefixListIds: r.body.prefix_list_id,
          securityGroups: r.body.referenced_security_group_id,
        }, group);
      } else findings.push({ path: r.path, message: "aws_vpc_security_group_ingress_rule must not exist: agents only connect out" });
    }
    // The same ingress through the Cloud Control provider (awscc, the AWS::EC2 schema:
    // https://registry.terraform.io/providers/hashicorp/awscc/latest/docs/resources/ec2_security_group_ingress)
    // and through CloudFormation templates Terraform hands to AWS (AWS::EC2::SecurityGroupIngress, or
    // SecurityGroupIngress inside AWS::EC2::SecurityGroup).
    for (const r of stack.resources("awscc_ec2_security_group_ingress")) {
      findings.push({ path: r.path, message: "awscc_ec2_security_group_ingress must not exist: agents only connect out" });
    }
    for (const r of stack.resources("awscc_ec2_security_group")) {
      const ingress = r.body.security_group_ingress;
      if (isUnknown(ingress)) findings.push({ path: r.path, message: `awscc_ec2_security_group: ${unconfirmed(ID, "security_group_ingress", ingress)}` });
      else if (Array.isArray(ingress) ? ingress.length > 0 : ingress !== undefined && ingress !== null) {
        findings.push({ path: r.path, message: "awscc_ec2_security_group must not set security_group_ingress: agents only connect out" });
      }
    }
    for (const r of stack.resources("aws_cloudformation_stack", "aws_cloudformation_stack_set")) {
      const body = r.body.template_body;
      const type = r.type;
      if (typeof body === "string" && !isUnknown(body)) {
        if (/SecurityGroupIngress/i.test(body)) findings.push({ path: r.path, message: `${type} template must not create security group ingress (SecurityGroupIngress): agents only connect out` });
      } else if (body !== undefined || r.body.template_url !== undefined) {
        findings.push({ path: r.path, message: `${type}: ${unconfirmed(ID, body !== undefined ? "template_body" : "template_url", body ?? r.body.template_url)} (a template may create security group ingress)` });
      }
    }
    // remote_access opens port 22 on the nodes, to source_security_group_ids or, without them, to
    // 0.0.0.0/0 (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/eks_node_group#remote_access-configuration-block).
    for (const r of stack.resources("aws_eks_node_group")) {
      if (blocks(r.body.remote_access).length > 0 || isUnknown(r.body.remote_access)) {
        findings.push({ path: r.path, message: "aws_eks_node_group must not set remote_access (it opens SSH ingress on the nodes): agents only connect out" });
      }
    }
    return findings;
  },
};
