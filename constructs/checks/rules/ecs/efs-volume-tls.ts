import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, dynamicBlocks, isEmptyForEach, isUnknown, record, searchText, stringOf, unconfirmed } from "../../synthesized-stack";

const ID = "KIT-ECS-2";

/** KIT-ECS-2: ECS tasks mount EFS with TLS and the task role. */
export const KIT_ECS_2: KitRule = {
  id: ID,
  name: "efs-volume-tls",
  area: "ecs",
  severity: "error",
  description:
    '`aws_ecs_task_definition` `volume` blocks with `efs_volume_configuration` set `transit_encryption = "ENABLED"` and `authorization_config` with `iam = "ENABLED"`. A value known only at apply time, or a `dynamic "volume"` block that mentions EFS, is a violation.',
  rationale:
    "Without transit encryption the task's NFS traffic — the provider binaries runs execute — crosses the VPC in clear; without IAM authorization the mount is anonymous, so the file system policy cannot tell the agents from any other client.",
  source: {
    title: "AWS: Amazon EFS volumes in Amazon ECS (transit encryption, IAM authorization)",
    url: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_ecs_task_definition")) {
      if (isUnknown(r.body.volume)) {
        if (searchText(r.body.volume).includes("efs")) findings.push({ path: r.path, message: `aws_ecs_task_definition: ${unconfirmed(ID, "its EFS volumes", r.body.volume)}` });
        continue;
      }
      for (const d of dynamicBlocks(r.body, "volume")) {
        if (!isEmptyForEach(d.forEach) && searchText(d.content).includes("efs_volume_configuration")) {
          findings.push({ path: r.path, message: `aws_ecs_task_definition: ${unconfirmed(ID, 'its dynamic "volume" block with efs_volume_configuration')}` });
        }
      }
      for (const volume of blocks(r.body.volume)) {
        const name = JSON.stringify(volume.name ?? "(unnamed)");
        for (const efs of blocks(volume.efs_volume_configuration)) {
          const check = (field: string, value: unknown, why: string) => {
            if (isUnknown(value)) findings.push({ path: r.path, message: `volume ${name}: ${unconfirmed(ID, field, value)}` });
            else if (stringOf(value) !== "ENABLED") findings.push({ path: r.path, message: `volume ${name} must set ${field} = "ENABLED" (got ${value === undefined || value === null ? "nothing: DISABLED" : JSON.stringify(value)}): ${why}` });
          };
          check("efs_volume_configuration.transit_encryption", efs.transit_encryption, "NFS traffic is otherwise unencrypted");
          const auth = blocks(efs.authorization_config)[0] ?? record(undefined);
          check("efs_volume_configuration.authorization_config.iam", auth.iam, "the mount is otherwise anonymous, not the task role's");
        }
      }
    }
    return findings;
  },
};
