import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { TerraformVariable } from "cdktf";
import { KIT_EFS_1 } from "../../../../../constructs/checks/rules/efs/efs-encrypted";
import { violations } from "../../rule-helpers";
import { raw } from "../../mutations/forms";

describe("KIT-EFS-1 efs-encrypted", () => {
  test("compliant: encrypted, as a boolean or Terraform's string", () => {
    expect(violations(KIT_EFS_1, (s) => new EfsFileSystem(s, "Fs", { encrypted: true }))).toEqual([]);
    expect(violations(KIT_EFS_1, (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "true" }))).toEqual([]);
  });

  test("non-compliant: unset, false", () => {
    expect(violations(KIT_EFS_1, (s) => new EfsFileSystem(s, "Fs", {}))).toEqual(["KIT-EFS-1 stack/Fs: aws_efs_file_system must set encrypted = true (got nothing: EFS stores the data unencrypted)"]);
    expect(violations(KIT_EFS_1, (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "false" }))).toEqual(['KIT-EFS-1 stack/Fs: aws_efs_file_system must set encrypted = true (got "false")']);
  });

  test("odd inputs: a reference fails closed; a string that is no boolean is unknown", () => {
    const [line] = violations(KIT_EFS_1, (s) => new EfsFileSystem(s, "Fs", { encrypted: new TerraformVariable(s, "enc", { type: "bool" }).booleanValue }));
    expect(line).toMatch(/^KIT-EFS-1 stack\/Fs: aws_efs_file_system: encrypted cannot be confirmed at synth time .*acknowledge KIT-EFS-1/);
    expect(violations(KIT_EFS_1, (s) => raw(s, "aws_efs_file_system", "Fs", { encrypted: "yes" }))).toEqual([expect.stringMatching(/encrypted cannot be confirmed at synth time/)]);
  });
});
