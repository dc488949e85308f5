import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { EcsAgentService, EcsAgentServiceProps } from "../../../constructs/ecs/ecs-agent-service";
import { ServerlessAgentPool } from "../../../constructs/ecs/serverless-agent-pool";
import { FargateAgentTask, SHARED_CACHE_DEFAULT_SIZE_LIMIT_MIB, SHARED_CACHE_MOUNT_PATH } from "../../../constructs/ecs/fargate-agent-task";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitChecks } from "../../../constructs/checks";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function service(stack: TerraformStack, extra: Partial<EcsAgentServiceProps> = {}): EcsAgentService {
  const pool = new AgentPool(stack, "Pool", { name: "ecs-run" });
  return new EcsAgentService(stack, "Agents", { name: "svc", pool, settings: { scalrUrl: "https://acme.scalr.io" }, ...NET, ...extra });
}

function all(json: any, type: string): any[] {
  return Object.values<any>(json.resource[type] ?? {});
}

function container(json: any): any {
  return decodeTerraformJson(all(json, "aws_ecs_task_definition")[0].container_definitions)[0];
}

function env(json: any): Record<string, string> {
  return Object.fromEntries(container(json).environment.map((e: any) => [e.name, e.value]));
}

describe("sharedCache on EcsAgentService (FargateAgentTask)", () => {
  test("default: no file system, no volume, the agent's cache settings untouched", () => {
    const stack = newStack();
    service(stack);
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_efs_file_system).toBeUndefined();
    expect(all(json, "aws_ecs_task_definition")[0].volume).toBeUndefined();
    expect(container(json).mountPoints).toBeUndefined();
    expect(env(json).SCALR_AGENT_CACHE_DIR).toBeUndefined();
    expect(env(json).SCALR_AGENT_PROVIDER_CACHE_ENABLED).toBeUndefined();
  });

  test("true: an encrypted elastic file system, mount targets per subnet, NFS from the agents only, an access point, TLS + IAM mount", () => {
    const stack = newStack();
    const svc = service(stack, { sharedCache: true });
    const json = JSON.parse(Testing.synth(stack));
    const [fs] = all(json, "aws_efs_file_system");
    expect(fs).toMatchObject({ encrypted: true, throughput_mode: "elastic", performance_mode: "generalPurpose", creation_token: "svc-agent-cache" });
    expect(fs.lifecycle_policy).toEqual([{ transition_to_ia: "AFTER_30_DAYS" }, { transition_to_primary_storage_class: "AFTER_1_ACCESS" }]);

    const targets = all(json, "aws_efs_mount_target");
    expect(targets.map((t) => t.subnet_id)).toEqual(NET.subnetIds);
    const groups = json.resource.aws_security_group;
    const agentGroup = Object.keys(groups).find((k) => k.startsWith("Agents_Agent_SecurityGroup"));
    const cacheGroup = Object.keys(groups).find((k) => k.includes("MountTargetSecurityGroup")) as string;
    for (const t of targets) expect(t.security_groups).toEqual([`\${aws_security_group.${cacheGroup}.id}`]);
    expect(groups[cacheGroup].egress).toEqual([]);
    expect(groups[cacheGroup].ingress).toEqual([
      expect.objectContaining({ protocol: "tcp", from_port: 2049, to_port: 2049, security_groups: [`\${aws_security_group.${agentGroup}.id}`], cidr_blocks: [], ipv6_cidr_blocks: [] }),
    ]);

    const [ap] = all(json, "aws_efs_access_point");
    expect(ap.posix_user).toEqual({ uid: 1000, gid: 1000 });
    expect(ap.root_directory).toEqual({ path: "/scalr-agent-cache", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "0755" } });

    const [td] = all(json, "aws_ecs_task_definition");
    expect(td.volume).toEqual([
      {
        name: "agent-cache",
        efs_volume_configuration: {
          file_system_id: expect.stringMatching(/^\$\{aws_efs_file_system\..+\.id\}$/),
          transit_encryption: "ENABLED",
          authorization_config: { access_point_id: expect.stringMatching(/^\$\{aws_efs_access_point\..+\.id\}$/), iam: "ENABLED" },
        },
      },
    ]);
    expect(container(json).mountPoints).toEqual([{ sourceVolume: "agent-cache", containerPath: SHARED_CACHE_MOUNT_PATH, readOnly: false }]);
    expect(env(json)).toMatchObject({
      SCALR_AGENT_CACHE_DIR: SHARED_CACHE_MOUNT_PATH,
      SCALR_AGENT_PROVIDER_CACHE_ENABLED: "true",
      SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB: String(SHARED_CACHE_DEFAULT_SIZE_LIMIT_MIB),
    });

    // The task role: mount and write, this file system, through this access point only.
    const policy = all(json, "aws_iam_role_policy").find((p) => p.name === "agent-shared-cache");
    expect(policy.role).toMatch(/aws_iam_role\.Agents_Agent_TaskRole_.+\.id/);
    expect(decodeTerraformJson(policy.policy).Statement).toEqual([
      {
        Sid: "MountSharedCache",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [expect.stringMatching(/aws_efs_file_system\..+\.arn/)],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": expect.stringMatching(/aws_efs_access_point\..+\.arn/) } },
      },
    ]);
    // The file system policy: the task role through the access point; nobody without TLS.
    const [fsPolicy] = all(json, "aws_efs_file_system_policy");
    const statements = decodeTerraformJson(fsPolicy.policy).Statement;
    expect(statements[0]).toMatchObject({ Effect: "Allow", Principal: { AWS: [expect.stringMatching(/aws_iam_role\.Agents_Agent_TaskRole_.+\.arn/)] } });
    expect(statements[0].Condition.StringEquals["elasticfilesystem:AccessPointArn"]).toMatch(/aws_efs_access_point/);
    expect(statements[1]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(statements[1].Action).toContain("elasticfilesystem:ClientMount");

    expect(svc.task.sharedCache?.mountTargets).toHaveLength(2);
    expect(svc.task.sharedCacheFileSystemId).toBeDefined();
    expect(svc.task.sharedCacheAccessPointId).toBeDefined();
  });

  test("settings.cacheDir and a size limit given are kept: the mount follows cacheDir", () => {
    const stack = newStack();
    service(stack, { sharedCache: true, settings: { scalrUrl: "https://acme.scalr.io", cacheDir: "/cache", cache: { providerCacheSizeLimitMiB: 8192, moduleCacheEnabled: true } } });
    const json = JSON.parse(Testing.synth(stack));
    expect(container(json).mountPoints[0].containerPath).toBe("/cache");
    expect(env(json)).toMatchObject({ SCALR_AGENT_CACHE_DIR: "/cache", SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB: "8192", SCALR_AGENT_MODULE_CACHE_ENABLED: "true" });
  });

  test("sharedCache.subnetIds and kmsKeyArn: mount targets there, the key encrypts", () => {
    const stack = newStack();
    const kms = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666";
    service(stack, { sharedCache: { subnetIds: ["subnet-0ccc3333"], kmsKeyArn: kms } });
    const json = JSON.parse(Testing.synth(stack));
    expect(all(json, "aws_efs_mount_target").map((t) => t.subnet_id)).toEqual(["subnet-0ccc3333"]);
    expect(all(json, "aws_efs_file_system")[0].kms_key_id).toBe(kms);
  });

  test("{ fileSystemId }: no file system or mount targets created, an access point on it, the role scoped to its ARN", () => {
    const stack = newStack();
    service(stack, { sharedCache: { fileSystemId: "fs-0123abcd" } });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_efs_file_system).toBeUndefined();
    expect(json.resource.aws_efs_mount_target).toBeUndefined();
    expect(all(json, "aws_efs_access_point")[0].file_system_id).toBe("fs-0123abcd");
    const policy = all(json, "aws_iam_role_policy").find((p) => p.name === "agent-shared-cache");
    expect(decodeTerraformJson(policy.policy).Statement[0].Resource[0]).toMatch(/:elasticfilesystem:.*:file-system\/fs-0123abcd$/);
    expect(all(json, "aws_ecs_task_definition")[0].volume[0].efs_volume_configuration.file_system_id).toBe("fs-0123abcd");
  });

  test("{ fileSystemId, accessPointId }: nothing EFS created, the given access point mounted", () => {
    const stack = newStack();
    service(stack, { sharedCache: { fileSystemId: "fs-0123abcd", accessPointId: "fsap-0123456789abcdef0" } });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_efs_access_point).toBeUndefined();
    expect(all(json, "aws_ecs_task_definition")[0].volume[0].efs_volume_configuration.authorization_config).toEqual({ access_point_id: "fsap-0123456789abcdef0", iam: "ENABLED" });
    const policy = all(json, "aws_iam_role_policy").find((p) => p.name === "agent-shared-cache");
    expect(decodeTerraformJson(policy.policy).Statement[0].Condition.StringEquals["elasticfilesystem:AccessPointArn"]).toMatch(/:access-point\/fsap-0123456789abcdef0$/);
  });

  test("ServerlessAgentPool: the per-run tasks mount the same way", () => {
    const stack = newStack();
    new ServerlessAgentPool(stack, "Serverless", { name: "sl", settings: { scalrUrl: "https://acme.scalr.io" }, ...NET, sharedCache: true });
    const json = JSON.parse(Testing.synth(stack));
    expect(all(json, "aws_efs_mount_target")).toHaveLength(2);
    expect(all(json, "aws_ecs_task_definition")[0].volume[0].efs_volume_configuration.transit_encryption).toBe("ENABLED");
    expect(env(json).SCALR_AGENT_SINGLE).toBe("true");
    expect(env(json).SCALR_AGENT_PROVIDER_CACHE_ENABLED).toBe("true");
  });

  test("KitChecks pass on both constructs with the option", () => {
    const stack = newStack();
    service(stack, { sharedCache: true });
    new ServerlessAgentPool(stack, "Serverless", {
      name: "sl",
      settings: { scalrUrl: "https://acme.scalr.io", image: { repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/scalr/agent", tag: "1.4.0" } },
      ...NET,
      sharedCache: true,
    });
    expect(KitChecks.of(stack).report().violations.map((v) => v.line)).toEqual([]);
  });

  test("fails when the options contradict each other or the settings", () => {
    const stack = newStack();
    expect(
      messageOf(() =>
        service(stack, {
          settings: { scalrUrl: "https://acme.scalr.io", cache: { providerCacheEnabled: false } },
          sharedCache: { accessPointId: "fsap-0123456789abcdef0", subnetIds: ["subnet-0ccc3333", "subnet-0ccc3333"] },
        }),
      ),
    ).toBe(
      [
        "stack/Agents: `settings.cache.providerCacheEnabled` must be true (or unset) with `sharedCache`: the shared file system holds the agent's provider cache, got: false",
        'stack/Agents: `sharedCache.accessPointId` needs `sharedCache.fileSystemId`, the file system the access point belongs to, got: "fsap-0123456789abcdef0"',
        'stack/Agents: `sharedCache.subnetIds` must not repeat a subnet: each gets one EFS mount target, and EFS allows one per Availability Zone, got: "subnet-0ccc3333"',
      ].join("\n"),
    );
  });

  test("fails on options that apply only to a new file system, and on malformed IDs", () => {
    const stack = newStack();
    const message = messageOf(() => service(stack, { sharedCache: { fileSystemId: "fs-0123abcd", subnetIds: ["subnet-0ccc3333"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" } }));
    expect(message).toContain("`sharedCache.subnetIds` applies only to a file system the kit creates");
    expect(message).toContain("`sharedCache.kmsKeyArn` applies only to a file system the kit creates");
    expect(messageOf(() => service(newStack(), { sharedCache: { fileSystemId: "efs-1" } }))).toContain('`sharedCache.fileSystemId` must be an EFS file system ID such as "fs-0abc1234", got: "efs-1"');
    expect(messageOf(() => service(newStack(), { sharedCache: "yes" as never }))).toContain("`sharedCache` must be true, false or { fileSystemId?, accessPointId?, subnetIds?, kmsKeyArn? }");
  });

  test("FargateAgentTask on its own: fails without subnets for a new file system, mounts a given one without", () => {
    const settings = { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:t") };
    expect(messageOf(() => new FargateAgentTask(newStack(), "Task", { name: "agents", vpcId: "vpc-0abc1234", settings, sharedCache: true }))).toBe(
      "stack/Task: `sharedCache` needs `subnetIds` (or `sharedCache.subnetIds`): the subnets of the file system's mount targets, got: true",
    );
    const stack = newStack();
    new FargateAgentTask(stack, "Task", { name: "agents", vpcId: "vpc-0abc1234", settings, sharedCache: { fileSystemId: "fs-0123abcd" } });
    expect(all(JSON.parse(Testing.synth(stack)), "aws_efs_access_point")).toHaveLength(1);
  });
});
