import { PolicyReader, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, referenceOf, stringOf } from "../../synthesized-stack";

const ID = "KIT-EFS-2";
const DENIED_ACTIONS = new Set(["*", "elasticfilesystem:*", "elasticfilesystem:client*", "elasticfilesystem:clientmount"]);

/** KIT-EFS-2: EFS file systems have a file system policy that refuses clients without TLS. */
export const KIT_EFS_2: KitRule = {
  id: ID,
  name: "efs-tls-required",
  area: "efs",
  severity: "error",
  description:
    "Every `aws_efs_file_system` of the stack has an `aws_efs_file_system_policy` (its `file_system_id` a reference to the file system's `id`) with a `Deny` statement on `elasticfilesystem:ClientMount` (or a wildcard covering it) under the condition `Bool` (or `BoolIfExists`) `aws:SecureTransport` = `false`. A policy that cannot be read at synth time is a violation.",
  rationale:
    "Without a file system policy EFS admits every client that reaches a mount target, with or without TLS and without IAM. Denying connections without TLS makes every mount encrypted in transit and authenticated, whatever the client's mount options say.",
  source: {
    title: "AWS: Using IAM to control access to Amazon EFS file systems (aws:SecureTransport)",
    url: "https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const reader = new PolicyReader(stack);
    const policies = stack.resources("aws_efs_file_system_policy");
    for (const fs of stack.resources("aws_efs_file_system")) {
      const own = policies.filter((p) => {
        const ref = referenceOf(p.body.file_system_id);
        return ref !== undefined && ref.type === "aws_efs_file_system" && ref.name === fs.name && ref.attribute === "id";
      });
      if (own.length === 0) {
        findings.push({ path: fs.path, message: "aws_efs_file_system must have an aws_efs_file_system_policy denying clients without TLS (got none: EFS admits every client that reaches a mount target)" });
        continue;
      }
      let denies = false;
      for (const p of own) {
        const read = reader.read(p.path, "aws_efs_file_system_policy.policy", p.body.policy, false, true);
        for (const u of read.unreadable) findings.push({ path: u.path, message: unreadablePolicyMessage(u, ID, "a Deny without TLS") });
        if (read.unreadable.length > 0) denies = true; // reported above, not twice
        if (read.statements.some(deniesWithoutTls)) denies = true;
      }
      if (!denies) {
        findings.push({
          path: fs.path,
          message: 'aws_efs_file_system\'s policy must deny elasticfilesystem:ClientMount when "aws:SecureTransport" is "false" (got no such Deny statement)',
        });
      }
    }
    return findings;
  },
};

function deniesWithoutTls(s: { effect: string; actions: readonly string[]; conditions: readonly { operator: string; key: string; values: readonly string[] }[] }): boolean {
  if (s.effect !== "Deny") return false;
  if (!s.actions.some((a) => DENIED_ACTIONS.has(a.toLowerCase()))) return false;
  return s.conditions.some((c) => /^Bool(IfExists)?$/.test(c.operator) && c.key === "aws:securetransport" && c.values.length > 0 && c.values.every((v) => stringOf(v)?.toLowerCase() === "false"));
}
