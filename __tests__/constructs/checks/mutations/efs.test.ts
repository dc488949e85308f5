// Mutation corpus of the shared cache's resources: the forms an attacker (or a careless override)
// would use to open the EFS mount targets' group, put that group on a host, store the cache
// unencrypted, let clients in without TLS, or mount it in clear from a task — each with a compliant twin.
import { EcsTaskDefinition, EcsTaskDefinitionVolume } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { SecurityGroup, SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { TerraformStack, TerraformVariable } from "cdktf";
import { terraformJson } from "../../../../core/terraform-json";
import { KIT_ECS_2 } from "../../../../constructs/checks/rules/ecs/efs-volume-tls";
import { KIT_EFS_1 } from "../../../../constructs/checks/rules/efs/efs-encrypted";
import { KIT_EFS_2 } from "../../../../constructs/checks/rules/efs/efs-tls-required";
import { KIT_NET_2 } from "../../../../constructs/checks/rules/network/no-ingress";
import { violations } from "../rule-helpers";
import { Form, UNCONFIRMED, raw, runCorpus } from "./forms";

const NFS_FROM_AGENTS: SecurityGroupIngress = { protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: ["${aws_security_group.agents.id}"] };

/** A file system, an agents' group and a mount target group with `ingress`, attached to one mount target. */
function mountTargetStack(s: TerraformStack, ingress: SecurityGroupIngress[], alsoOn?: (s: TerraformStack, group: SecurityGroup) => void): SecurityGroup {
  const fs = new EfsFileSystem(s, "Fs", { encrypted: true });
  const group = new SecurityGroup(s, "CacheGroup", { name: "cache", vpcId: "vpc-1", ingress, egress: [] });
  new EfsMountTarget(s, "Target", { fileSystemId: fs.id, subnetId: "subnet-1", securityGroups: [group.id] });
  alsoOn?.(s, group);
  return group;
}

function ingressCorpus(): { violating: Form[]; compliant: Form[] } {
  const open: [string, SecurityGroupIngress][] = [
    ["NFS open to 0.0.0.0/0", { protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["0.0.0.0/0"] }],
    ["NFS from a private range (still a range, not the agents)", { protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["10.0.0.0/8"] }],
    ["NFS open to ::/0", { protocol: "tcp", fromPort: 2049, toPort: 2049, ipv6CidrBlocks: ["::/0"] }],
    ["NFS from a prefix list", { protocol: "tcp", fromPort: 2049, toPort: 2049, prefixListIds: ["pl-123"] }],
    ["every protocol from the agents", { protocol: "-1", fromPort: 0, toPort: 0, securityGroups: ["sg-1"] }],
    ["SSH from the agents", { protocol: "tcp", fromPort: 22, toPort: 22, securityGroups: ["sg-1"] }],
    ["a port range around NFS", { protocol: "tcp", fromPort: 2000, toPort: 3000, securityGroups: ["sg-1"] }],
  ];
  const violating: Form[] = open.map(([form, rule]) => ({ form: `inline: ${form}`, build: (s) => mountTargetStack(s, [rule]) }));
  violating.push(
    {
      form: "aws_security_group_rule: NFS open to 0.0.0.0/0 on the mount target group",
      build: (s) => {
        const g = mountTargetStack(s, []);
        new SecurityGroupRule(s, "Rule", { type: "ingress", securityGroupId: g.id, protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["0.0.0.0/0"] });
      },
    },
    {
      form: "aws_vpc_security_group_ingress_rule: NFS open to 0.0.0.0/0 on the mount target group",
      build: (s) => {
        const g = mountTargetStack(s, []);
        new VpcSecurityGroupIngressRule(s, "Rule", { securityGroupId: g.id, ipProtocol: "tcp", fromPort: 2049, toPort: 2049, cidrIpv4: "0.0.0.0/0" });
      },
    },
    {
      form: "the mount target group echoed onto an instance through the mount target's security_groups",
      build: (s) => {
        mountTargetStack(s, [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: ["sg-1"] }]);
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro" }).addOverride("vpc_security_group_ids", "${aws_efs_mount_target.Target.security_groups}");
      },
    },
    {
      form: "the mount target group also on an instance (NFS from the agents is ingress to a host)",
      build: (s) => mountTargetStack(s, [NFS_FROM_AGENTS], (st, g) => new Instance(st, "Host", { ami: "ami-1", instanceType: "t3.micro", vpcSecurityGroupIds: [g.id] })),
    },
    {
      form: "the mount target group also on an interface endpoint",
      build: (s) =>
        mountTargetStack(s, [NFS_FROM_AGENTS], (st, g) => new VpcEndpoint(st, "Endpoint", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.ecr.api", vpcEndpointType: "Interface", securityGroupIds: [g.id] })),
    },
    {
      form: "NFS from a source group that is a variable",
      build: (s) => {
        const v = new TerraformVariable(s, "sources", { type: "list(string)" });
        mountTargetStack(s, [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: v.listValue }]);
      },
    },
    {
      form: "a port known only at apply time",
      build: (s) => {
        const v = new TerraformVariable(s, "port", { type: "number" });
        mountTargetStack(s, [{ protocol: "tcp", fromPort: v.numberValue, toPort: 2049, securityGroups: ["sg-1"] }]);
      },
    },
    { form: "a group with NFS from the agents on no mount target at all", build: (s) => new SecurityGroup(s, "Lonely", { name: "lonely", vpcId: "vpc-1", ingress: [NFS_FROM_AGENTS] }) },
    {
      form: "raw aws_efs_mount_target naming the group through a local (not a direct attachment)",
      build: (s) => {
        const g = new SecurityGroup(s, "CacheGroup", { name: "cache", vpcId: "vpc-1", ingress: [NFS_FROM_AGENTS], egress: [] });
        raw(s, "aws_efs_mount_target", "Target", { file_system_id: "fs-1", subnet_id: "subnet-1", security_groups: `\${concat([${g.id}], [])}` });
      },
    },
  );
  const compliant: Form[] = [
    { form: "inline: NFS from the agents' group", build: (s) => mountTargetStack(s, [NFS_FROM_AGENTS]) },
    { form: "inline: NFS from a group ID", build: (s) => mountTargetStack(s, [{ protocol: "tcp", fromPort: 2049, toPort: 2049, securityGroups: ["sg-0abc"] }]) },
    {
      form: "aws_security_group_rule: NFS from the agents' group",
      build: (s) => {
        const g = mountTargetStack(s, []);
        new SecurityGroupRule(s, "Rule", { type: "ingress", securityGroupId: g.id, protocol: "tcp", fromPort: 2049, toPort: 2049, sourceSecurityGroupId: "sg-0abc" });
      },
    },
    {
      form: "aws_vpc_security_group_ingress_rule: NFS from the agents' group",
      build: (s) => {
        const g = mountTargetStack(s, []);
        new VpcSecurityGroupIngressRule(s, "Rule", { securityGroupId: g.id, ipProtocol: "tcp", fromPort: 2049, toPort: 2049, referencedSecurityGroupId: "sg-0abc" });
      },
    },
    {
      form: "raw JSON: a mount target group with protocol \"6\" and string ports",
      build: (s) => {
        const g = raw(s, "aws_security_group", "CacheGroup", { name: "cache", vpc_id: "vpc-1", ingress: [{ protocol: "6", from_port: "2049", to_port: "2049", security_groups: ["sg-0abc"], cidr_blocks: [], ipv6_cidr_blocks: [], prefix_list_ids: [], self: false, description: "nfs" }], egress: [] });
        raw(s, "aws_efs_mount_target", "Target", { file_system_id: "fs-1", subnet_id: "subnet-1", security_groups: [`\${aws_security_group.${g.friendlyUniqueId}.id}`] });
      },
    },
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_NET_2, ...ingressCorpus() });

const TLS_DENY = {
  Sid: "DenyWithoutTls",
  Effect: "Deny",
  Principal: { AWS: "*" },
  Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
  Resource: "*",
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const fsWithPolicy = (statements: unknown[] | string) => (s: TerraformStack) => {
  const fs = new EfsFileSystem(s, "Fs", { encrypted: true });
  new EfsFileSystemPolicy(s, "Policy", { fileSystemId: fs.id, policy: typeof statements === "string" ? statements : terraformJson({ Version: "2012-10-17", Statement: statements }) });
};

runCorpus({
  rule: KIT_EFS_1,
  violating: [
    { form: "encrypted unset (EFS default: unencrypted)", build: (s) => new EfsFileSystem(s, "Fs", {}) },
    { form: "encrypted = false", build: (s) => new EfsFileSystem(s, "Fs", { encrypted: false }) },
    { form: 'raw encrypted = "false"', build: (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "false" }) },
    { form: 'raw encrypted = "0"', build: (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "0" }) },
    { form: "encrypted from a variable", build: (s) => new EfsFileSystem(s, "Fs", { encrypted: new TerraformVariable(s, "enc", { type: "bool" }).booleanValue }) },
    {
      form: "an override turning encryption off",
      build: (s) => new EfsFileSystem(s, "Fs", { encrypted: true }).addOverride("encrypted", false),
    },
  ],
  compliant: [
    { form: "encrypted = true", build: (s) => new EfsFileSystem(s, "Fs", { encrypted: true }) },
    { form: 'raw encrypted = "true"', build: (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "true" }) },
    { form: "encrypted with a customer key", build: (s) => new EfsFileSystem(s, "Fs", { encrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" }) },
  ],
});

runCorpus({
  rule: KIT_EFS_2,
  violating: [
    { form: "no file system policy (EFS admits every client)", build: (s) => new EfsFileSystem(s, "Fs", { encrypted: true }) },
    { form: "a policy without the TLS deny", build: fsWithPolicy([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/a" }, Action: "elasticfilesystem:ClientMount", Resource: "*" }]) },
    { form: "the TLS condition on an Allow, not a Deny", build: fsWithPolicy([{ ...TLS_DENY, Effect: "Allow", Condition: { Bool: { "aws:SecureTransport": "true" } } }]) },
    { form: "a Deny on ClientWrite only (mounting without TLS still works)", build: fsWithPolicy([{ ...TLS_DENY, Action: "elasticfilesystem:ClientWrite" }]) },
    { form: 'a Deny conditioned on "true" (denies TLS clients)', build: fsWithPolicy([{ ...TLS_DENY, Condition: { Bool: { "aws:SecureTransport": "true" } } }]) },
    {
      form: "the policy on another file system",
      build: (s) => {
        new EfsFileSystem(s, "Fs", { encrypted: true });
        const other = new EfsFileSystem(s, "Other", { encrypted: true });
        new EfsFileSystemPolicy(s, "Policy", { fileSystemId: other.id, policy: terraformJson({ Version: "2012-10-17", Statement: [TLS_DENY] }) });
      },
    },
    { form: "a policy from a variable (unreadable)", build: (s) => fsWithPolicy("${var.policy}")(s) },
  ],
  compliant: [
    { form: "the TLS deny on ClientMount", build: fsWithPolicy([TLS_DENY]) },
    { form: 'the TLS deny on "*" with BoolIfExists', build: fsWithPolicy([{ ...TLS_DENY, Action: "*", Condition: { BoolIfExists: { "aws:SecureTransport": "false" } } }]) },
    { form: "no file system in the stack", build: () => undefined },
  ],
});

const taskWith = (volume: EcsTaskDefinitionVolume | EcsTaskDefinitionVolume[]) => (s: TerraformStack) =>
  new EcsTaskDefinition(s, "Task", {
    family: "agents",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    volume: Array.isArray(volume) ? volume : [volume],
    containerDefinitions: terraformJson([{ name: "agent", image: "scalr/agent:1.4.0", essential: true }]),
  });
const efs = (config: Record<string, unknown>): EcsTaskDefinitionVolume => ({ name: "cache", efsVolumeConfiguration: { fileSystemId: "fs-1", ...config } });

runCorpus({
  rule: KIT_ECS_2,
  violating: [
    { form: "transit encryption unset (DISABLED)", build: taskWith(efs({ authorizationConfig: { iam: "ENABLED" } })) },
    { form: "transit encryption off", build: taskWith(efs({ transitEncryption: "DISABLED", authorizationConfig: { iam: "ENABLED" } })) },
    { form: "IAM authorization off", build: taskWith(efs({ transitEncryption: "ENABLED", authorizationConfig: { iam: "DISABLED", accessPointId: "fsap-1" } })) },
    { form: "no authorization_config", build: taskWith(efs({ transitEncryption: "ENABLED" })) },
    { form: "transit encryption from a variable", build: (s) => taskWith(efs({ transitEncryption: new TerraformVariable(s, "tls", { type: "string" }).stringValue, authorizationConfig: { iam: "ENABLED" } }))(s) },
    {
      form: "an override turning transit encryption off in the kit's own task",
      build: (s) => taskWith(efs({ transitEncryption: "ENABLED", authorizationConfig: { iam: "ENABLED" } }))(s).addOverride("volume.0.efs_volume_configuration.transit_encryption", "DISABLED"),
    },
    {
      form: "raw JSON: the second of two volumes in clear",
      build: (s) =>
        raw(s, "aws_ecs_task_definition", "Task", {
          family: "agents",
          container_definitions: "[]",
          volume: [
            { name: "a", efs_volume_configuration: { file_system_id: "fs-1", transit_encryption: "ENABLED", authorization_config: { iam: "ENABLED" } } },
            { name: "b", efs_volume_configuration: { file_system_id: "fs-1" } },
          ],
        }),
    },
    {
      form: "a dynamic volume block with EFS",
      build: (s) =>
        raw(s, "aws_ecs_task_definition", "Task", {
          family: "agents",
          container_definitions: "[]",
          dynamic: { volume: { for_each: "${var.volumes}", content: { name: "${volume.key}", efs_volume_configuration: { file_system_id: "fs-1" } } } },
        }),
    },
  ],
  compliant: [
    { form: "transit encryption and IAM on", build: taskWith(efs({ transitEncryption: "ENABLED", authorizationConfig: { iam: "ENABLED", accessPointId: "fsap-1" } })) },
    { form: "a volume without EFS", build: taskWith({ name: "scratch" }) },
    {
      form: "raw JSON: one block written as an object",
      build: (s) =>
        raw(s, "aws_ecs_task_definition", "Task", {
          family: "agents",
          container_definitions: "[]",
          volume: { name: "a", efs_volume_configuration: { file_system_id: "fs-1", transit_encryption: "ENABLED", authorization_config: { iam: "ENABLED" } } },
        }),
    },
  ],
});

describe("unknown values fail closed", () => {
  test("an unreadable file system policy names KIT-EFS-2", () => {
    expect(violations(KIT_EFS_2, fsWithPolicy("${var.policy}"))).toEqual([expect.stringMatching(/KIT-EFS-2 stack\/Policy: .*cannot be read at synth time.*acknowledge KIT-EFS-2/)]);
  });
  test("transit encryption from a variable is unconfirmed", () => {
    expect(violations(KIT_ECS_2, (s) => taskWith(efs({ transitEncryption: "${var.tls}", authorizationConfig: { iam: "ENABLED" } }))(s))).toEqual([expect.stringMatching(UNCONFIRMED)]);
  });
});
