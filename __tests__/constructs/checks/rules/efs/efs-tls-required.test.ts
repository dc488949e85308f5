import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { TerraformStack } from "cdktf";
import { terraformJson } from "../../../../../core/terraform-json";
import { KIT_EFS_2 } from "../../../../../constructs/checks/rules/efs/efs-tls-required";
import { SharedProviderCache } from "../../../../../constructs/ecs/shared-provider-cache";
import { violations } from "../../rule-helpers";

const DENY = { Effect: "Deny", Principal: { AWS: "*" }, Action: "elasticfilesystem:ClientMount", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };
const withPolicy = (policy: string) => (s: TerraformStack) => {
  const fs = new EfsFileSystem(s, "Fs", { encrypted: true });
  new EfsFileSystemPolicy(s, "Policy", { fileSystemId: fs.id, policy });
};

describe("KIT-EFS-2 efs-tls-required", () => {
  test("compliant: the kit's shared cache, and a hand-written policy with the TLS deny", () => {
    expect(
      violations(KIT_EFS_2, (s) =>
        new SharedProviderCache(s, "Cache", { name: "c", vpcId: "vpc-1", subnetIds: ["subnet-1"], clientSecurityGroupIds: ["sg-1"], clientRoleArns: ["arn:aws:iam::123456789012:role/agents"] }),
      ),
    ).toEqual([]);
    expect(violations(KIT_EFS_2, withPolicy(terraformJson({ Version: "2012-10-17", Statement: [DENY] })))).toEqual([]);
  });

  test("non-compliant: no policy, a policy without the deny", () => {
    expect(violations(KIT_EFS_2, (s) => new EfsFileSystem(s, "Fs", { encrypted: true }))).toEqual([
      "KIT-EFS-2 stack/Fs: aws_efs_file_system must have an aws_efs_file_system_policy denying clients without TLS (got none: EFS admits every client that reaches a mount target)",
    ]);
    expect(violations(KIT_EFS_2, withPolicy(terraformJson({ Version: "2012-10-17", Statement: [{ ...DENY, Condition: {} }] })))).toEqual([
      'KIT-EFS-2 stack/Fs: aws_efs_file_system\'s policy must deny elasticfilesystem:ClientMount when "aws:SecureTransport" is "false" (got no such Deny statement)',
    ]);
  });

  test("odd inputs: an unreadable policy, a policy whose file system is a literal ID", () => {
    expect(violations(KIT_EFS_2, withPolicy("${var.policy}"))).toEqual([expect.stringMatching(/^KIT-EFS-2 stack\/Policy: aws_efs_file_system_policy.policy holds .*cannot be read at synth time/)]);
    expect(
      violations(KIT_EFS_2, (s) => {
        new EfsFileSystem(s, "Fs", { encrypted: true });
        new EfsFileSystemPolicy(s, "Policy", { fileSystemId: "fs-0123abcd", policy: terraformJson({ Version: "2012-10-17", Statement: [DENY] }) });
      }),
    ).toEqual([expect.stringContaining("KIT-EFS-2 stack/Fs: aws_efs_file_system must have an aws_efs_file_system_policy")]);
  });
});
