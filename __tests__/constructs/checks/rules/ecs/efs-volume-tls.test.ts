import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { TerraformStack } from "cdktf";
import { terraformJson } from "../../../../../core/terraform-json";
import { KIT_ECS_2 } from "../../../../../constructs/checks/rules/ecs/efs-volume-tls";
import { fargateTask, violations } from "../../rule-helpers";
import { raw } from "../../mutations/forms";

const task = (efs: Record<string, unknown>) => (s: TerraformStack) =>
  new EcsTaskDefinition(s, "Task", {
    family: "agents",
    requiresCompatibilities: ["FARGATE"],
    cpu: "1024",
    memory: "2048",
    volume: [{ name: "cache", efsVolumeConfiguration: { fileSystemId: "fs-1", ...efs } }],
    containerDefinitions: terraformJson([{ name: "agent", image: "scalr/agent:1.4.0" }]),
  });

describe("KIT-ECS-2 efs-volume-tls", () => {
  test("compliant: TLS and IAM on; a task without EFS", () => {
    expect(violations(KIT_ECS_2, task({ transitEncryption: "ENABLED", authorizationConfig: { iam: "ENABLED", accessPointId: "fsap-1" } }))).toEqual([]);
    expect(violations(KIT_ECS_2, (s) => fargateTask(s, {}))).toEqual([]);
  });

  test("non-compliant: transit encryption unset, IAM off", () => {
    expect(violations(KIT_ECS_2, task({ authorizationConfig: { iam: "DISABLED" } }))).toEqual([
      'KIT-ECS-2 stack/Task: volume "cache" must set efs_volume_configuration.transit_encryption = "ENABLED" (got nothing: DISABLED): NFS traffic is otherwise unencrypted',
      'KIT-ECS-2 stack/Task: volume "cache" must set efs_volume_configuration.authorization_config.iam = "ENABLED" (got "DISABLED"): the mount is otherwise anonymous, not the task role\'s',
    ]);
  });

  test("odd inputs: a reference, a dynamic block, a volume that is a reference", () => {
    expect(violations(KIT_ECS_2, task({ transitEncryption: "${var.tls}", authorizationConfig: { iam: "ENABLED" } }))).toEqual([
      expect.stringMatching(/^KIT-ECS-2 stack\/Task: volume "cache": efs_volume_configuration.transit_encryption cannot be confirmed at synth time/),
    ]);
    expect(
      violations(KIT_ECS_2, (s) => raw(s, "aws_ecs_task_definition", "Task", { family: "a", container_definitions: "[]", dynamic: { volume: { for_each: "${var.v}", content: { efs_volume_configuration: { file_system_id: "fs-1" } } } } })),
    ).toEqual([expect.stringMatching(/dynamic "volume" block with efs_volume_configuration cannot be confirmed/)]);
    expect(violations(KIT_ECS_2, (s) => raw(s, "aws_ecs_task_definition", "Task", { family: "a", container_definitions: "[]", volume: "${var.efs_volumes}" }))).toEqual([
      expect.stringMatching(/its EFS volumes cannot be confirmed/),
    ]);
  });
});
