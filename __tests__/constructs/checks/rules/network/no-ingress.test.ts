import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack } from "cdktf";
import { KIT_NET_2 } from "../../../../../constructs/checks/rules/network/no-ingress";
import { isCollectorImage } from "../../../../../constructs/checks/rules/network/endpoint-security-groups";
import { AgentCollectorService } from "../../../../../constructs/ecs/agent-collector-service";
import { violations } from "../../rule-helpers";

const COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0";

/** A group on one ECS service whose task definition runs `images`. */
function collectorService(s: TerraformStack, ingress: SecurityGroupIngress[], images: string[] = [COLLECTOR_IMAGE]): SecurityGroup {
  const g = new SecurityGroup(s, "Collector", { ingress, egress: [] });
  const td = new EcsTaskDefinition(s, "Task", { family: "otel", containerDefinitions: JSON.stringify(images.map((image, i) => ({ name: `c${i}`, image }))) });
  new EcsService(s, "Service", { name: "otel", taskDefinition: td.arn, networkConfiguration: { subnets: ["subnet-1"], securityGroups: [g.id] } });
  return g;
}

describe("KIT-NET-2 no-ingress", () => {
  test("compliant: an egress-only group", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        new SecurityGroup(s, "Sg", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }], ingress: [] });
        new SecurityGroupRule(s, "Out", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: inline ingress, an ingress rule resource, a VPC ingress rule", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        new SecurityGroup(s, "Sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
        new SecurityGroupRule(s, "Ssh", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] });
        new VpcSecurityGroupIngressRule(s, "Https", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
      }),
    ).toEqual([
      "KIT-NET-2 stack/Sg: aws_security_group must have no ingress rules (has 1): agents only connect out",
      "KIT-NET-2 stack/Ssh: aws_security_group_rule must not open ingress: agents only connect out",
      "KIT-NET-2 stack/Https: aws_vpc_security_group_ingress_rule must not exist: agents only connect out",
    ]);
  });

  test("compliant: the kit's shared cache, NFS from the agents' group on a group only on EFS mount targets", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        const g = new SecurityGroup(s, "Cache", { ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: ["sg-0agents"] }], egress: [] });
        new EfsMountTarget(s, "Target", { fileSystemId: "fs-1", subnetId: "subnet-1", securityGroups: [g.id] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: a mount target group open to an address range, or also on an instance", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        const g = new SecurityGroup(s, "Cache", { ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["0.0.0.0/0"] }], egress: [] });
        new EfsMountTarget(s, "Target", { fileSystemId: "fs-1", subnetId: "subnet-1", securityGroups: [g.id] });
        new VpcSecurityGroupIngressRule(s, "Ssh", { securityGroupId: g.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, referencedSecurityGroupId: "sg-1" });
      }),
    ).toEqual([
      'KIT-NET-2 stack/Cache: aws_security_group ingress[0] is attached only to EFS mount targets, which may admit only NFS (TCP 2049) from security groups: it must have no IPv4 sources (got ["0.0.0.0/0"]): admit the agents\' security groups',
      "KIT-NET-2 stack/Ssh: aws_vpc_security_group_ingress_rule of a group that is attached only to EFS mount targets, which may admit only NFS (TCP 2049) from security groups: its from_port must be 2049 (got 22)",
      "KIT-NET-2 stack/Ssh: aws_vpc_security_group_ingress_rule of a group that is attached only to EFS mount targets, which may admit only NFS (TCP 2049) from security groups: its to_port must be 2049 (got 22)",
    ]);
    expect(
      violations(KIT_NET_2, (s) => {
        const g = new SecurityGroup(s, "Cache", { ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: ["sg-0agents"] }], egress: [] });
        new EfsMountTarget(s, "Target", { fileSystemId: "fs-1", subnetId: "subnet-1", securityGroups: [g.id] });
        new Instance(s, "Host", { ami: "ami-1", instanceType: "t3.micro", vpcSecurityGroupIds: [g.id] });
      }),
    ).toEqual(["KIT-NET-2 stack/Cache: aws_security_group must have no ingress rules (has 1): agents only connect out"]);
  });

  test("compliant: the kit's AgentCollectorService, and OTLP/gRPC from a group on a group only on collector services", () => {
    expect(violations(KIT_NET_2, (s) => void new AgentCollectorService(s, "Collector", { name: "otel", vpcId: "vpc-1", subnetIds: ["subnet-1"], clientSecurityGroupIds: ["sg-0a9e475"] }))).toEqual([]);
    expect(violations(KIT_NET_2, (s) => void collectorService(s, [{ protocol: "tcp", fromPort: 4317, toPort: 4317, securityGroups: ["sg-0agents"] }]))).toEqual([]);
  });

  test("non-compliant: a collector group open to a range or another port, or on a task with another container", () => {
    expect(violations(KIT_NET_2, (s) => void collectorService(s, [{ protocol: "tcp", fromPort: 4317, toPort: 4317, cidrBlocks: ["10.0.0.0/8"] }, { protocol: "tcp", fromPort: 4318, toPort: 4318, securityGroups: ["sg-1"] }]))).toEqual([
      'KIT-NET-2 stack/Collector: aws_security_group ingress[0] is attached only to ECS services of OpenTelemetry collectors, which may admit only OTLP/gRPC (TCP 4317) from security groups: it must have no IPv4 sources (got ["10.0.0.0/8"]): admit the agents\' security groups',
      "KIT-NET-2 stack/Collector: aws_security_group ingress[1] is attached only to ECS services of OpenTelemetry collectors, which may admit only OTLP/gRPC (TCP 4317) from security groups: its from_port must be 4317 (got 4318)",
      "KIT-NET-2 stack/Collector: aws_security_group ingress[1] is attached only to ECS services of OpenTelemetry collectors, which may admit only OTLP/gRPC (TCP 4317) from security groups: its to_port must be 4317 (got 4318)",
    ]);
    expect(violations(KIT_NET_2, (s) => void collectorService(s, [{ protocol: "tcp", fromPort: 4317, toPort: 4317, securityGroups: ["sg-1"] }], [COLLECTOR_IMAGE, "scalr/agent:1.4.0"]))).toEqual([
      "KIT-NET-2 stack/Collector: aws_security_group must have no ingress rules (has 1): agents only connect out",
    ]);
  });

  test("collector images: a pinned aws-otel-collector repository, nothing else", () => {
    for (const image of [COLLECTOR_IMAGE, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/aws-otel-collector:v0.49.0", `public.ecr.aws/aws-observability/aws-otel-collector@sha256:${"a".repeat(64)}`]) {
      expect([image, isCollectorImage(image)]).toEqual([image, true]);
    }
    for (const image of ["public.ecr.aws/aws-observability/aws-otel-collector", "public.ecr.aws/aws-observability/aws-otel-collector:latest", "otel/opentelemetry-collector:0.100.0", "example.com/aws-otel-collector-fork:v1", "${var.image}", 42]) {
      expect([image, isCollectorImage(image)]).toEqual([image, false]);
    }
  });
});
