import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { terraformJson } from "../../core/terraform-json";

/**
 * POSIX identity every agent uses on the shared cache, enforced by the access point whatever user
 * the container runs as. Scalr's guide for a shared agent cache on EFS uses uid/gid 1000 ("matching
 * the chart's default pod user": Scalr/agent-helm charts/agent-job/docs/cache-persistence-efs.md @ cf283e1,
 * https://github.com/Scalr/agent-helm/blob/cf283e17c18b67f61ffca50bb26f819617348b7d/charts/agent-job/docs/cache-persistence-efs.md).
 * The user the scalr/agent image itself runs as is not documented (unverified,
 * https://docs.scalr.io/docs/run-environment); with an access point it does not matter: "all file
 * system requests made through the access point use the access point's POSIX user"
 * (https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html).
 */
export const SHARED_CACHE_POSIX_ID = 1000;

/** Directory of the access point on the file system (created by EFS on first mount, owned by {@link SHARED_CACHE_POSIX_ID}). */
export const SHARED_CACHE_ROOT = "/scalr-agent-cache";

/** NFS port of EFS mount targets (https://docs.aws.amazon.com/efs/latest/ug/network-access.html). */
export const NFS_PORT = 2049;

/** The EFS client actions an agent needs on its cache: mount, and write (no root access). */
export const SHARED_CACHE_CLIENT_ACTIONS = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"] as const;

/** Props of {@link SharedProviderCache}. */
export interface SharedProviderCacheProps {
  /** Prefix of the names (`<name>-agent-cache`). */
  readonly name: string;
  /** VPC of the mount targets' security group. */
  readonly vpcId: string;
  /** Subnets of the mount targets: one per Availability Zone the agents run in. */
  readonly subnetIds: readonly string[];
  /** Security groups of the agents: the only sources the mount targets admit (TCP 2049). */
  readonly clientSecurityGroupIds: readonly string[];
  /** Roles of the agents: the only principals the file system policy lets mount and write. */
  readonly clientRoleArns: readonly string[];
  /** KMS key (ARN) for encryption at rest. @default - the AWS managed key `aws/elasticfilesystem` */
  readonly kmsKeyArn?: string;
}

/**
 * An EFS file system for the Scalr agents' provider and binary cache, shared by every agent of a
 * pool: encrypted at rest, reachable over NFS only from the agents' security groups, mounted only
 * through one access point (fixed POSIX user, own root directory) by the agents' roles over TLS.
 * Built by FargateAgentTask with `sharedCache: true`; props are checked there.
 * See docs/decisions/0012-shared-provider-cache.md.
 */
export class SharedProviderCache extends Construct {
  /** The file system (escape hatch). */
  public readonly fileSystem: EfsFileSystem;
  /** The access point agents mount. */
  public readonly accessPoint: EfsAccessPoint;
  /** Security group of the mount targets: NFS from the agents only, nothing out. */
  public readonly securityGroup: SecurityGroup;
  /** One mount target per subnet. */
  public readonly mountTargets: readonly EfsMountTarget[];
  /** The file system policy: the agents' roles through the access point, TLS only. */
  public readonly policy: EfsFileSystemPolicy;

  public constructor(scope: Construct, id: string, props: SharedProviderCacheProps) {
    super(scope, id);
    this.fileSystem = new EfsFileSystem(this, "Resource", {
      creationToken: `${props.name}-agent-cache`,
      // Encryption at rest can only be chosen at creation (https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html).
      encrypted: true,
      kmsKeyId: props.kmsKeyArn,
      performanceMode: "generalPurpose",
      // Elastic throughput: "the recommended throughput mode for spiky or unpredictable workloads",
      // paid per use. Bursting would tie throughput to the size stored — a cache of a few GiB earns
      // a baseline of a few hundred KiB/s — and a burst of runs after its credits are spent reads
      // providers at that rate (https://docs.aws.amazon.com/efs/latest/ug/performance.html#throughput-modes).
      throughputMode: "elastic",
      // Providers a pool no longer uses move to Infrequent Access after 30 days, and back on the
      // first read (https://docs.aws.amazon.com/efs/latest/ug/lifecycle-management-efs.html); the
      // agent's own size limit evicts the rest.
      lifecyclePolicy: [{ transitionToIa: "AFTER_30_DAYS" }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }],
      tags: { Name: `${props.name}-agent-cache` },
    });

    this.securityGroup = new SecurityGroup(this, "MountTargetSecurityGroup", {
      name: `${props.name}-agent-cache`,
      description: "EFS mount targets of the Scalr agents' cache: NFS from the agents only",
      vpcId: props.vpcId,
      ingress: [
        {
          description: "NFS from the Scalr agents",
          protocol: "tcp",
          fromPort: NFS_PORT,
          toPort: NFS_PORT,
          securityGroups: [...props.clientSecurityGroupIds],
          cidrBlocks: [],
          ipv6CidrBlocks: [],
          prefixListIds: [],
          selfAttribute: false,
        },
      ],
      egress: [],
    });

    this.mountTargets = props.subnetIds.map(
      (subnetId, i) => new EfsMountTarget(this, `MountTarget${i}`, { fileSystemId: this.fileSystem.id, subnetId, securityGroups: [this.securityGroup.id] }),
    );

    this.accessPoint = new EfsAccessPoint(this, "AccessPoint", {
      fileSystemId: this.fileSystem.id,
      posixUser: { uid: SHARED_CACHE_POSIX_ID, gid: SHARED_CACHE_POSIX_ID },
      // Scalr's guide creates the directory with owner 1000:1000; 0755 lets only that user write.
      rootDirectory: { path: SHARED_CACHE_ROOT, creationInfo: { ownerUid: SHARED_CACHE_POSIX_ID, ownerGid: SHARED_CACHE_POSIX_ID, permissions: "0755" } },
      tags: { Name: `${props.name}-agent-cache` },
    });

    // Without a file system policy EFS grants every client that reaches a mount target full access
    // ("default EFS file system policy"); this policy admits only the agents' roles, through the
    // access point, and denies connections without TLS
    // (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html).
    this.policy = new EfsFileSystemPolicy(this, "Policy", {
      fileSystemId: this.fileSystem.id,
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AgentsThroughAccessPoint",
            Effect: "Allow",
            Principal: { AWS: [...props.clientRoleArns] },
            Action: [...SHARED_CACHE_CLIENT_ACTIONS],
            Resource: this.fileSystem.arn,
            Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": this.accessPoint.arn } },
          },
          {
            Sid: "DenyWithoutTls",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: [...SHARED_CACHE_CLIENT_ACTIONS, "elasticfilesystem:ClientRootAccess"],
            Resource: this.fileSystem.arn,
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      }),
    });
  }
}
