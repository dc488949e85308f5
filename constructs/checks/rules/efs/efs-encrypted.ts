import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, boolOf, unconfirmed } from "../../synthesized-stack";

const ID = "KIT-EFS-1";

/** KIT-EFS-1: EFS file systems are encrypted at rest. */
export const KIT_EFS_1: KitRule = {
  id: ID,
  name: "efs-encrypted",
  area: "efs",
  severity: "error",
  description:
    "`aws_efs_file_system` sets `encrypted = true` (a boolean or a string Terraform reads as one). Unset is a violation (EFS creates unencrypted file systems unless asked), and so is a value known only at apply time.",
  rationale:
    "A shared agent cache holds the provider and tool binaries every run executes, with the agents' credentials in reach. Encryption at rest can only be chosen when the file system is created; an unencrypted one must be replaced to fix it.",
  source: {
    title: "AWS: Encrypting data at rest in Amazon EFS",
    url: "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_efs_file_system")) {
      const encrypted = boolOf(r.body.encrypted);
      if (encrypted === "unknown") findings.push({ path: r.path, message: `aws_efs_file_system: ${unconfirmed(ID, "encrypted", r.body.encrypted)}` });
      else if (encrypted !== true) {
        findings.push({ path: r.path, message: `aws_efs_file_system must set encrypted = true (got ${encrypted === false ? JSON.stringify(r.body.encrypted) : "nothing: EFS stores the data unencrypted"})` });
      }
    }
    return findings;
  },
};
