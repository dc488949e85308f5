import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, isTrue } from "../../synthesized-stack";

/** KIT-EC2-3: root (and every other EBS) volume of an instance is encrypted. */
export const KIT_EC2_3: KitRule = {
  id: "KIT-EC2-3",
  name: "root-volume-encrypted",
  area: "ec2",
  severity: "error",
  description:
    "Launch templates declare the root volume with `ebs.encrypted = true` in `block_device_mappings` (every EBS mapping encrypted); instances and launch configurations encrypt `root_block_device` and every `ebs_block_device`; `aws_ebs_volume`s are encrypted.",
  rationale:
    "Agents keep run data, provider caches, plan files and state snapshots on disk. Without an explicit mapping, the root volume's encryption depends on the account's EBS default, which a stack cannot see.",
  source: {
    title: "AWS: Amazon EBS encryption by default (an account setting)",
    url: "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_launch_template")) {
      const ebs = blocks(r.body.block_device_mappings)
        .map((m) => ({ device: m.device_name, ebs: blocks(m.ebs)[0] }))
        .filter((m) => m.ebs !== undefined);
      if (ebs.length === 0) {
        findings.push({ path: r.path, message: "aws_launch_template must declare its root volume in block_device_mappings with ebs.encrypted = true (without it, encryption depends on the account default)" });
      }
      for (const m of ebs) {
        if (!isTrue(m.ebs?.encrypted)) findings.push({ path: r.path, message: `aws_launch_template must encrypt EBS volume ${JSON.stringify(m.device ?? "(unnamed)")}: set ebs.encrypted = true` });
      }
    }
    for (const r of stack.resources("aws_instance", "aws_launch_configuration")) {
      const root = blocks(r.body.root_block_device)[0];
      if (!isTrue(root?.encrypted)) findings.push({ path: r.path, message: `${r.type} must set root_block_device.encrypted = true` });
      for (const d of blocks(r.body.ebs_block_device)) {
        if (!isTrue(d.encrypted)) findings.push({ path: r.path, message: `${r.type} must encrypt ebs_block_device ${JSON.stringify(d.device_name ?? "(unnamed)")}` });
      }
    }
    for (const r of stack.resources("aws_ebs_volume")) {
      if (!isTrue(r.body.encrypted)) findings.push({ path: r.path, message: "aws_ebs_volume must set encrypted = true" });
    }
    return findings;
  },
};
