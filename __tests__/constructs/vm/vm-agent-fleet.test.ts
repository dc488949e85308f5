import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingLifecycleHook } from "@cdktf/provider-aws/lib/autoscaling-lifecycle-hook";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { EC2_INSTANCE_TYPES } from "../../../constructs/vm/ec2-instance-types";
import { VmAgentFleet, VmAgentFleetProps, VmAgentFleetSettings } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://fleet-acct.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/existing-token-AbC123";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "vm");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

type FleetInput = Omit<Partial<VmAgentFleetProps>, "settings"> & { settings?: Partial<VmAgentFleetSettings> & Record<string, unknown> };

/** A fleet in a fresh stack with a run pool; `props` override the defaults. */
function fleet(props: FleetInput = {}): { stack: TerraformStack; fleet: VmAgentFleet; pool: AgentPool } {
  const stack = newStack();
  const pool = new AgentPool(stack, "Pool", { name: "ec2-run" });
  const f = new VmAgentFleet(stack, "Fleet", {
    name: "blue-fleet",
    os: "amazon-linux-2023",
    pool,
    ...NET,
    ...props,
    settings: { scalrUrl: SCALR_URL, ...props.settings } as VmAgentFleetSettings,
  });
  return { stack, fleet: f, pool };
}

function synth(props: FleetInput = {}): any {
  return JSON.parse(Testing.synth(fleet(props).stack));
}

function only(json: any, type: string, kind: "resource" | "data" = "resource"): any {
  const all = Object.values<any>(json[kind]?.[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

function userDataOf(json: any): string {
  return gunzipSync(Buffer.from(only(json, "aws_launch_template").user_data, "base64")).toString("utf8");
}

function policy(json: any, name: string): any[] {
  const p = Object.values<any>(json.resource.aws_iam_role_policy).find((x) => x.name === name);
  return decodeTerraformJson(p.policy).Statement;
}

describe("VmAgentFleet: secure defaults", () => {
  const { stack, fleet: f } = fleet();
  const out = Testing.synth(stack);
  const json = JSON.parse(out);

  test("the launch template: IMDSv2 only with hop limit 1, encrypted gp3 root on the image's root device, no public IP, no key pair", () => {
    expect(out).toHaveResourceWithProperties(LaunchTemplate, {
      name: "blue-fleet",
      instance_type: "t3.large",
      update_default_version: true,
      metadata_options: { http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "disabled" },
      block_device_mappings: [
        { device_name: "${data.aws_ami.Fleet_Ami_91EFF3F6.root_device_name}", ebs: { encrypted: "true", volume_type: "gp3", volume_size: 50, delete_on_termination: "true" } },
      ],
      network_interfaces: [{ device_index: 0, associate_public_ip_address: "false", delete_on_termination: "true", security_groups: ["${aws_security_group.Fleet_SecurityGroup_1001C624.id}"] }],
      iam_instance_profile: { arn: "${aws_iam_instance_profile.Fleet_InstanceProfile_C6192A66.arn}" },
    });
    expect(only(json, "aws_launch_template")).not.toHaveProperty("key_name");
    // The instances read the token at their first boot: its policy and its value exist before them.
    expect(only(json, "aws_launch_template").depends_on).toEqual([
      "aws_iam_role_policy.Fleet_TokenPolicy_2E067A06",
      "aws_iam_role_policy.Fleet_SessionManager_6DCF92E3",
      "aws_iam_role_policy.Fleet_LogsPolicy_74971CB6",
      "aws_secretsmanager_secret_version.Fleet_TokenSecretValue_DF4B2783",
    ]);
  });

  test("the image is AWS's current Amazon Linux 2023 for x86_64, from its public SSM parameter", () => {
    expect(out).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" });
    expect(only(json, "aws_launch_template").image_id).toBe("${data.aws_ssm_parameter.Fleet_AmiParameter_239A8E8F.insecure_value}");
    expect(only(json, "aws_ami", "data").filter).toEqual([{ name: "image-id", values: ["${data.aws_ssm_parameter.Fleet_AmiParameter_239A8E8F.insecure_value}"] }]);
  });

  test("the security group has no ingress and all egress", () => {
    const sg = only(json, "aws_security_group");
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toEqual([expect.objectContaining({ protocol: "-1", cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: ["::/0"] })]);
    expect(sg.vpc_id).toBe("vpc-0abc1234");
  });

  test("the instance role: assumed by EC2, Session Manager, its own token secret only, its own group's hook only", () => {
    const role = only(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    // Session Manager only: not AmazonSSMManagedInstanceCore, which grants ssm:GetParameter(s) on every parameter.
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(policy(json, "session-manager")).toEqual([
      {
        Sid: "SessionManagerOnly",
        Effect: "Allow",
        Action: ["ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
      },
    ]);
    expect(JSON.stringify(json.resource.aws_iam_role_policy)).not.toMatch(/ssm:Get|ssm:\*|AmazonSSMManagedInstanceCore/);
    expect(policy(json, "read-pool-token")).toEqual([
      { Sid: "ReadPoolToken", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["<ref:aws_secretsmanager_secret.Fleet_TokenSecret_631230E7.arn>"] },
    ]);
    expect(policy(json, "answer-drain-hook")).toEqual([
      {
        Sid: "AnswerOwnDrainHook",
        Effect: "Allow",
        Action: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"],
        Resource: ["<ref:aws_autoscaling_group.Fleet_30813DF3.arn>"],
      },
    ]);
  });

  test("the pool token goes into a secret with a fixed name, which the user data reads by name", () => {
    expect(out).toHaveResourceWithProperties(SecretsmanagerSecret, { name: "scalr-agent/blue-fleet/pool-token", recovery_window_in_days: 0 });
    expect(only(json, "aws_secretsmanager_secret_version").secret_string).toMatch(/^\$\{scalr_agent_pool_token\.Pool_Token-default_[0-9A-F]{8}\.token\}$/);
    const doc = userDataOf(json);
    expect(doc).toContain("/usr/local/libexec/scalr-agent/aws-secretsmanager-token --secret-id scalr-agent/blue-fleet/pool-token\n");
    // No Terraform expression, no token: the document is literal.
    expect(doc).not.toMatch(/scalr_agent_pool_token|TfToken|\$\{(var|data|aws_[a-z_]+|scalr_[a-z_]+)\./);
    expect(f.tokenSecret).toBeDefined();
  });

  test("the group: first the launch template's latest version, instance refresh that starts new instances before draining old ones", () => {
    expect(out).toHaveResourceWithProperties(AutoscalingGroup, {
      name: "blue-fleet",
      min_size: 1,
      max_size: 3,
      vpc_zone_identifier: ["subnet-0aaa1111", "subnet-0bbb2222"],
      launch_template: { id: "${aws_launch_template.Fleet_LaunchTemplate_FAC34002.id}", version: "${aws_launch_template.Fleet_LaunchTemplate_FAC34002.latest_version}" },
      health_check_type: "EC2",
      instance_refresh: {
        strategy: "Rolling",
        preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200, skip_matching: true, scale_in_protected_instances: "Wait", standby_instances: "Wait" },
      },
    });
    const asg = only(json, "aws_autoscaling_group");
    expect(asg).not.toHaveProperty("desired_capacity");
    expect(asg).not.toHaveProperty("mixed_instances_policy");
    expect(asg).not.toHaveProperty("capacity_rebalance");
  });

  test("a termination lifecycle hook outlasts the default grace period (3660 s + 60 s) and continues after it", () => {
    expect(out).toHaveResourceWithProperties(AutoscalingLifecycleHook, {
      name: "scalr-agent-drain",
      autoscaling_group_name: "${aws_autoscaling_group.Fleet_30813DF3.name}",
      lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING",
      heartbeat_timeout: 3720,
      default_result: "CONTINUE",
    });
  });

  test("the user data is the rendered document, gzip-compressed, with the drain watcher for this group and hook", () => {
    const doc = userDataOf(json);
    expect(doc).toBe(f.userData.document);
    expect(f.userDataBytes).toBe(Buffer.from(only(json, "aws_launch_template").user_data, "base64").length);
    expect(f.userDataBytes).toBeLessThanOrEqual(16384);
    expect(doc).toContain("group=blue-fleet\n      hook=scalr-agent-drain\n      poll_seconds=5\n      heartbeat_seconds=300\n");
    expect(doc).toContain("systemctl enable --now scalr-agent-drain.service\n");
    expect(f.userData.units.map((u) => u.unitName)).toContain("scalr-agent-drain.service");
  });
});

describe("VmAgentFleet: instances roll onto the current AMI", () => {
  test("by default an instance serves 30 days, then Auto Scaling replaces it (through the drain hook)", () => {
    expect(only(synth(), "aws_autoscaling_group").max_instance_lifetime).toBe(30 * 86_400);
  });

  test("the lifetime is set in days, or 0 for no limit", () => {
    expect(only(synth({ maxInstanceLifetimeDays: 7 }), "aws_autoscaling_group").max_instance_lifetime).toBe(7 * 86_400);
    expect(only(synth({ maxInstanceLifetimeDays: 0 }), "aws_autoscaling_group").max_instance_lifetime).toBe(0);
  });

  test.each([0.5, 366, -1, "30"])("%p days is refused, naming the field and what is allowed", (days) => {
    expect(messageOf(() => fleet({ maxInstanceLifetimeDays: days as number }))).toMatch(/^vm\/Fleet: `maxInstanceLifetimeDays` must be a whole number from 0 to 365, got: /);
  });
});

describe("VmAgentFleet: choices", () => {
  test("Ubuntu 24.04 on arm64: Canonical's arm64 parameter and a Graviton default type", () => {
    const out = Testing.synth(fleet({ os: "ubuntu-24.04", architecture: "arm64" }).stack);
    expect(out).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id" });
    expect(out).toHaveResourceWithProperties(LaunchTemplate, { instance_type: "t4g.large" });
  });

  test("Ubuntu 22.04 on x86_64 reads Canonical's gp2 parameter", () => {
    const out = Testing.synth(fleet({ os: "ubuntu-22.04" }).stack);
    expect(out).toHaveDataSourceWithProperties(DataAwsSsmParameter, { name: "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id" });
  });

  test("Rocky Linux 9 boots the given image; no SSM parameter is read", () => {
    const json = synth({ os: "rocky-9", amiId: "ami-0123456789abcdef0" });
    expect(only(json, "aws_launch_template").image_id).toBe("ami-0123456789abcdef0");
    expect(json.data.aws_ssm_parameter).toBeUndefined();
  });

  test("a secret the user already has: no secret is created, the role reads that ARN, the user data fetches it", () => {
    const json = synth({ settings: { token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN, { jsonKey: "token" }) } });
    expect(json.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(policy(json, "read-pool-token")[0].Resource).toEqual([SECRET_ARN]);
    expect(userDataOf(json)).toContain(`aws-secretsmanager-token --secret-id ${SECRET_ARN} --json-key token\n`);
  });

  test("an existing secret given by a partial ARN (without the random suffix): the role reads it with the suffix as a wildcard", () => {
    const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/pool-token";
    const json = synth({ settings: { token: AgentTokenSource.fromAwsSecretsManager(partial) } });
    expect(policy(json, "read-pool-token")[0].Resource).toEqual([`${partial}-??????`]);
    expect(userDataOf(json)).toContain(`aws-secretsmanager-token --secret-id ${partial}\n`);
  });

  test("a customer-managed KMS key: the fleet's secret is encrypted with it, the role decrypts only through Secrets Manager", () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
    const json = synth({ tokenSecretKmsKeyArn: key });
    expect(only(json, "aws_secretsmanager_secret").kms_key_id).toBe(key);
    expect(policy(json, "read-pool-token")[1]).toEqual({
      Sid: "DecryptPoolToken",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [key],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.${data.aws_region.Fleet_Region_4F20624F.region}.${data.aws_partition.Fleet_Partition_6A22BB33.dns_suffix}" } },
    });
    // An existing secret: only the grant.
    const existing = synth({ tokenSecretKmsKeyArn: key, settings: { token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN) } });
    expect(policy(existing, "read-pool-token").map((st: any) => st.Sid)).toEqual(["ReadPoolToken", "DecryptPoolToken"]);
    expect(policy(synth(), "read-pool-token").map((st: any) => st.Sid)).toEqual(["ReadPoolToken"]);
  });

  test("spot and more instance types: a mixed instances policy with capacity rebalancing", () => {
    const json = synth({ instanceType: "m7i.large", additionalInstanceTypes: ["m6i.large", "m5.large"], spot: { onDemandBaseCapacity: 1 } });
    const asg = only(json, "aws_autoscaling_group");
    expect(asg).not.toHaveProperty("launch_template");
    expect(asg.capacity_rebalance).toBe(true);
    expect(asg.mixed_instances_policy).toEqual({
      launch_template: {
        launch_template_specification: { launch_template_id: "${aws_launch_template.Fleet_LaunchTemplate_FAC34002.id}", version: "${aws_launch_template.Fleet_LaunchTemplate_FAC34002.latest_version}" },
        override: [{ instance_type: "m7i.large" }, { instance_type: "m6i.large" }, { instance_type: "m5.large" }],
      },
      instances_distribution: {
        on_demand_allocation_strategy: "prioritized",
        on_demand_base_capacity: 1,
        on_demand_percentage_above_base_capacity: 0,
        spot_allocation_strategy: "price-capacity-optimized",
      },
    });
  });

  test("more instance types without spot stay on-demand", () => {
    const asg = only(synth({ additionalInstanceTypes: ["t3a.large"] }), "aws_autoscaling_group");
    expect(asg.mixed_instances_policy.instances_distribution).toMatchObject({ on_demand_percentage_above_base_capacity: 100 });
    expect(asg).not.toHaveProperty("capacity_rebalance");
  });

  test("the public IP opt-out, sizes, tags, extra security groups and a KMS key", () => {
    const json = synth({
      associatePublicIp: true,
      minSize: 2,
      maxSize: 6,
      desiredCapacity: 4,
      rootVolumeSizeGiB: 120,
      rootVolumeKmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      securityGroupIds: ["sg-0ccc3333"],
      tags: { team: "platform" },
    });
    const lt = only(json, "aws_launch_template");
    expect(lt.network_interfaces[0].associate_public_ip_address).toBe("true");
    expect(lt.network_interfaces[0].security_groups).toEqual(["${aws_security_group.Fleet_SecurityGroup_1001C624.id}", "sg-0ccc3333"]);
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_size: 120, kms_key_id: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", encrypted: "true" });
    expect(lt.tag_specifications).toEqual([
      { resource_type: "instance", tags: { Name: "blue-fleet", team: "platform" } },
      { resource_type: "volume", tags: { Name: "blue-fleet", team: "platform" } },
    ]);
    expect(only(json, "aws_autoscaling_group")).toMatchObject({ min_size: 2, max_size: 6, desired_capacity: 4 });
  });

  test("a longer hook timeout and a shorter grace period: heartbeat timeout and interval follow", () => {
    const { stack, fleet: f } = fleet({ lifecycleHookTimeoutSeconds: 7200, settings: { shutdown: { gracePeriodSeconds: 600 } } });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(AutoscalingLifecycleHook, { heartbeat_timeout: 7200 });
    expect(f.userData.autoScalingDrain?.heartbeatIntervalSeconds).toBe(300);
    const short = fleet({ settings: { shutdown: { gracePeriodSeconds: 120 } } });
    expect(Testing.synth(short.stack)).toHaveResourceWithProperties(AutoscalingLifecycleHook, { heartbeat_timeout: 180 });
    expect(short.fleet.userData.autoScalingDrain?.heartbeatIntervalSeconds).toBe(45);
  });

  test("sizing: concurrency × task memory + the OS reserve fits; instanceMemoryMiB states unknown types", () => {
    expect(fleet({ instanceType: "m7i.large", settings: { concurrency: 3, containerTask: { memoryLimitMiB: 2048 } } }).fleet.instanceTypes).toEqual([
      { instanceType: "m7i.large", memoryMiB: 8192 },
    ]);
    expect(fleet({ instanceType: "x8g.large", architecture: "arm64", instanceMemoryMiB: { "x8g.large": 32768 }, settings: { concurrency: 7 }, taskMemoryMiB: 4096 }).fleet.instanceTypes).toEqual([
      { instanceType: "x8g.large", memoryMiB: 32768 },
    ]);
  });

  test("a VCS pool: the kind comes from the pool and no run memory is counted", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Vcs", { name: "vcs", kind: "vcs" });
    const f = new VmAgentFleet(stack, "Fleet", { name: "vcs-fleet", os: "ubuntu-22.04", pool, instanceType: "t3.small", ...NET, settings: { scalrUrl: SCALR_URL } });
    expect(f.userData.settings.poolKind).toBe("vcs");
  });

  test("the instance type table knows the memory and architecture of common types", () => {
    expect(EC2_INSTANCE_TYPES["t3.large"]).toEqual({ memoryMiB: 8192, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["c7g.xlarge"]).toEqual({ memoryMiB: 8192, architecture: "arm64" });
    expect(EC2_INSTANCE_TYPES["r7i.2xlarge"]).toEqual({ memoryMiB: 65536, architecture: "x86_64" });
    expect(EC2_INSTANCE_TYPES["m8g.8xlarge"]).toEqual({ memoryMiB: 131072, architecture: "arm64" });
    expect(EC2_INSTANCE_TYPES["c5.8xlarge"]).toBeUndefined();
  });
});

describe("VmAgentFleet: bad input fails at synth time with the field named", () => {
  test("fails when the OS is unknown", () => {
    expect(messageOf(() => fleet({ os: "debian-12" as never }))).toBe(
      'vm/Fleet: `os` must be one of "amazon-linux-2023", "ubuntu-22.04", "ubuntu-24.04", "rocky-9", got: "debian-12"',
    );
  });

  test("fails when the proxy URL has no scheme", () => {
    expect(messageOf(() => fleet({ settings: { proxy: { http: "proxy.corp.example:3128" } } }))).toBe(
      'vm/Fleet: `settings.proxy.http` must be an http(s) proxy URL such as http://proxy.internal:3128, got: "proxy.corp.example:3128"',
    );
  });

  test("fails when the concurrency does not fit the instance", () => {
    expect(messageOf(() => fleet({ instanceType: "t3.medium", settings: { concurrency: 8 } }))).toBe(
      "vm/Fleet: `settings.concurrency` must fit the memory of t3.medium (4096 MiB): 8 runs × 512 MiB (the default) + 1024 MiB for the OS = 5120 MiB; lower it, lower the memory per run, or choose a larger instance type, got: 8",
    );
  });

  test("fails when the agent's default concurrency does not fit the task memory limit", () => {
    expect(messageOf(() => fleet({ settings: { containerTask: { memoryLimitMiB: 4096 } } }))).toBe(
      "vm/Fleet: `settings.concurrency` must fit the memory of t3.large (8192 MiB): 5 runs × 4096 MiB (`settings.containerTask.memoryLimitMiB`) + 1024 MiB for the OS = 21504 MiB; lower it, lower the memory per run, or choose a larger instance type, got: nothing (the agent's limit of 5 applies)",
    );
  });

  test("fails when an additional instance type is too small, naming the taskMemoryMiB source", () => {
    expect(messageOf(() => fleet({ instanceType: "m7i.xlarge", additionalInstanceTypes: ["c7i.large"], taskMemoryMiB: 1024, settings: { concurrency: 4 } }))).toBe(
      "vm/Fleet: `settings.concurrency` must fit the memory of c7i.large (4096 MiB): 4 runs × 1024 MiB (`taskMemoryMiB`) + 1024 MiB for the OS = 5120 MiB; lower it, lower the memory per run, or choose a larger instance type, got: 4",
    );
  });

  test("fails when the memory of an unknown instance type is not stated", () => {
    expect(messageOf(() => fleet({ instanceType: "x9.mega" }))).toBe(
      'vm/Fleet: `instanceMemoryMiB` must state the memory of x9.mega (the kit knows t3/t3a/t4g and the m, c and r families of recent generations), e.g. { "x9.mega": 16384 }, got: {}',
    );
  });

  test("fails when the instance type's architecture differs from `architecture`", () => {
    expect(messageOf(() => fleet({ instanceType: "t4g.large" }))).toBe(
      'vm/Fleet: `instanceType` must be an x86_64 instance type for `architecture` "x86_64" (t4g.large is arm64), got: "t4g.large"',
    );
  });

  test("fails when the shutdown timeout is longer than the lifecycle hook allows", () => {
    expect(messageOf(() => fleet({ settings: { shutdown: { gracePeriodSeconds: 7200 } } }))).toBe(
      "vm/Fleet: `settings.shutdown.gracePeriodSeconds` must be at most 7140 on EC2: the termination lifecycle hook waits at most 7200 s without a heartbeat (EC2 Auto Scaling's maximum) and the drain needs 60 s more to complete it, got: 7200",
    );
  });

  test("fails when the lifecycle hook timeout is shorter than the drain", () => {
    expect(messageOf(() => fleet({ lifecycleHookTimeoutSeconds: 600 }))).toBe(
      "vm/Fleet: `lifecycleHookTimeoutSeconds` must be at least `settings.shutdown.gracePeriodSeconds` + 60 (3720) so the hook outlasts the drain even when heartbeats are lost, got: 600",
    );
    expect(messageOf(() => fleet({ lifecycleHookTimeoutSeconds: 10000 }))).toBe("vm/Fleet: `lifecycleHookTimeoutSeconds` must be a whole number from 30 to 7200, got: 10000");
  });

  test("fails when the token is a plain string, without echoing it", () => {
    const message = messageOf(() => fleet({ settings: { token: "apt-secret-token-value" as never } }));
    expect(message).toBe(
      "vm/Fleet: `settings.token` must be an AgentTokenSource (AgentTokenSource.fromTerraformValue(pool.tokenValue()), fromAwsSecretsManager(arn), …), never a literal token, got: a plain string of 22 characters (value hidden)",
    );
  });

  test("fails when the token is a file or a Kubernetes Secret", () => {
    expect(messageOf(() => fleet({ settings: { token: AgentTokenSource.fromFile("/run/token") } }))).toBe(
      'vm/Fleet: `settings.token` must be a Terraform value (VmAgentFleet stores it in a Secrets Manager secret) or AgentTokenSource.fromAwsSecretsManager(arn), got: "file"',
    );
    expect(messageOf(() => fleet({ settings: { token: AgentTokenSource.fromKubernetesSecret("scalr-token") } }))).toBe(
      'vm/Fleet: `settings.token` must be a Terraform value (VmAgentFleet stores it in a Secrets Manager secret) or AgentTokenSource.fromAwsSecretsManager(arn), got: "kubernetes-secret"',
    );
  });

  test("fails when the existing secret's ARN is known only at apply time", () => {
    const stack = newStack();
    const arn = new TerraformVariable(stack, "arn", { type: "string" });
    expect(
      messageOf(() => new VmAgentFleet(stack, "Fleet", { name: "f", os: "amazon-linux-2023", ...NET, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(arn.stringValue) } })),
    ).toBe(
      "vm/Fleet: `settings.token.secretId` must be known at synth time: user data is rendered into a literal document; give the secret a fixed name and pass the name, got: a Terraform reference",
    );
  });

  test("fails when neither a pool nor a token is given", () => {
    const stack = newStack();
    expect(messageOf(() => new VmAgentFleet(stack, "Fleet", { name: "f", os: "amazon-linux-2023", ...NET, settings: { scalrUrl: SCALR_URL } }))).toBe(
      "vm/Fleet: `settings.token` is required when `pool` is not given (e.g. AgentTokenSource.fromAwsSecretsManager(arn)), got: nothing",
    );
  });

  test("fails when Rocky Linux has no AMI ID", () => {
    expect(messageOf(() => fleet({ os: "rocky-9" }))).toBe(
      'vm/Fleet: `amiId` is required for `os` "rocky-9": AWS publishes no public SSM parameter for its images; pass the rocky-9 AMI of your region, got: nothing',
    );
  });

  test("fails when the Scalr URL is a Terraform reference (the user data is literal)", () => {
    const stack = newStack();
    const url = new TerraformVariable(stack, "url", { type: "string" });
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    expect(messageOf(() => new VmAgentFleet(stack, "Fleet", { name: "f", os: "amazon-linux-2023", pool, ...NET, settings: { scalrUrl: url.stringValue } }))).toBe(
      "vm/Fleet: `settings.scalrUrl` must be known at synth time: VM user data is rendered into a literal document (no Terraform expressions), got: a Terraform reference",
    );
  });

  test("fails when the instance refresh range exceeds 100 points, and on a typo", () => {
    expect(messageOf(() => fleet({ instanceRefresh: { minHealthyPercentage: 50, maxHealthyPercentage: 200 } }))).toBe(
      "vm/Fleet: `instanceRefresh.maxHealthyPercentage` must be at most `instanceRefresh.minHealthyPercentage` + 100 (150), EC2 Auto Scaling's limit, got: 200",
    );
    expect(messageOf(() => fleet({ instanceTyp: "t3.large" } as never))).toBe('vm/Fleet: `instanceTyp` is not a known field (did you mean `instanceType`?), got: "t3.large"');
  });

  test("fails when an instance type is listed twice", () => {
    expect(messageOf(() => fleet({ instanceType: "m6i.large", additionalInstanceTypes: ["m5.large", "m6i.large", "m5.large"] }))).toBe(
      [
        'vm/Fleet: `additionalInstanceTypes[1]` must not list m6i.large again: it is already `instanceType`, got: "m6i.large"',
        'vm/Fleet: `additionalInstanceTypes[2]` must not list m5.large again: it is already `additionalInstanceTypes[0]`, got: "m5.large"',
      ].join("\n"),
    );
    expect(messageOf(() => fleet({ additionalInstanceTypes: ["t3.large"] }))).toBe(
      'vm/Fleet: `additionalInstanceTypes[0]` must not list t3.large again: it is already the default `instanceType`, got: "t3.large"',
    );
  });

  test("fails when the KMS key is not a key ARN", () => {
    expect(messageOf(() => fleet({ tokenSecretKmsKeyArn: "alias/scalr" }))).toBe(
      'vm/Fleet: `tokenSecretKmsKeyArn` must be a KMS key ARN such as "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", got: a plain string of 11 characters (value hidden)',
    );
  });

  test("fails when a proxy URL holds credentials (they would be in user data)", () => {
    expect(messageOf(() => fleet({ settings: { proxy: { http: "http://svc:hunter2@proxy.corp.example:3128" } } }))).toBe(
      'vm/Fleet: `settings.proxy.http` must not hold credentials (user:password@) on a VM: the proxy URL is written into user data and into unit files any local user can read; let the proxy allow the instances by address instead, got: "http://***@proxy.corp.example:3128"',
    );
  });

  test("fails when even the compressed user data is over EC2's 16 KB", () => {
    const noise = randomBytes(18000).toString("base64").match(/.{1,64}/g) as string[];
    const pem = ["-----BEGIN CERTIFICATE-----", ...noise, "-----END CERTIFICATE-----"].join("\n");
    expect(messageOf(() => fleet({ settings: { caBundle: { pem } } }))).toMatch(
      /^vm\/Fleet: `settings` must render user data of at most 16384 bytes gzip-compressed \(EC2's limit\); shorten the CA bundle \(`settings.caBundle.pem`\) or pass it as a path, got: \d+ characters$/,
    );
  });

  test("fails when the pool kind and settings.poolKind differ", () => {
    expect(messageOf(() => fleet({ settings: { poolKind: "vcs" } }))).toBe('vm/Fleet: `settings.poolKind` must match `pool` (a run pool), or be left unset, got: "vcs"');
  });
});

describe("VmAgentFleet: issue 12 (legacy package, image credentials, outputs, literal tags)", () => {
  const warningsOf = (f: VmAgentFleet) => f.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data as string);

  test("the legacy package mode warns at synth time, on the construct, with the migration guide", () => {
    const { fleet: f } = fleet({ os: "rocky-9", amiId: "ami-0abc1234def567890", installMode: "package" });
    expect(warningsOf(f)).toEqual([expect.stringMatching(/^vm\/Fleet: `installMode` "package" installs .*deprecated since 2026-03-31.*https:\/\/docs\.scalr\.io\/docs\/installation/)]);
    expect(warningsOf(fleet().fleet)).toEqual([]);
  });

  test("image pull credentials are rejected with the field and what to do instead", () => {
    const credentials = ImagePullCredentials.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbC123");
    expect(messageOf(() => fleet({ settings: { image: { registry: "registry.example.com", credentials } } }))).toMatch(
      /^vm\/Fleet: `settings\.image\.credentials` cannot be used on a VM: .*AgentImageMirror.*or bake it into the machine image, and leave `credentials` unset, got: ImagePullCredentials\(aws-secrets-manager /,
    );
  });

  test("exposes what an operator needs next: group, launch template, role, token secret ARN, pool id", () => {
    const { stack, fleet: f, pool } = fleet();
    const values = { asg: f.autoScalingGroupName, lt: f.launchTemplateId, role: f.instanceRoleName, secret: f.tokenSecretArn, pool: f.poolId, poolRef: pool.poolId };
    for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });
    const out = JSON.parse(Testing.synth(stack)).output;
    expect(out.asg.value).toMatch(/^\$\{aws_autoscaling_group\.Fleet_[0-9A-F]+\.name\}$/);
    expect(out.lt.value).toMatch(/^\$\{aws_launch_template\.Fleet_LaunchTemplate_[0-9A-F]+\.id\}$/);
    expect(out.role.value).toMatch(/^\$\{aws_iam_role\.Fleet_Role_[0-9A-F]+\.name\}$/);
    expect(out.secret.value).toMatch(/^\$\{aws_secretsmanager_secret\.Fleet_TokenSecret_[0-9A-F]+\.arn\}$/);
    expect(out.pool.value).toBe(out.poolRef.value);
    const existing = fleet({ pool: undefined, settings: { token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN) } }).fleet;
    expect(existing.tokenSecretArn).toBe(SECRET_ARN);
    expect(existing.poolId).toBeUndefined();
  });

  test("literal tag keys and values stay literal in Terraform", () => {
    const json = synth({ tags: { team: "${var.x}", "%{if true}k": "v" } });
    const group = only(json, "aws_autoscaling_group");
    expect(group.tag).toEqual(expect.arrayContaining([{ key: "team", value: "$${var.x}", propagate_at_launch: false }, { key: "%%{if true}k", value: "v", propagate_at_launch: false }]));
    for (const type of ["aws_launch_template", "aws_iam_role", "aws_security_group", "aws_secretsmanager_secret", "aws_iam_instance_profile"]) {
      expect(only(json, type).tags).toEqual({ Name: "blue-fleet", team: "$${var.x}", "%%{if true}k": "v" });
    }
    expect(only(json, "aws_launch_template").tag_specifications[0].tags.team).toBe("$${var.x}");
  });
});
