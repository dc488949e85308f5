import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { TerraformOutput, TerraformVariable } from "cdktf";
import { KIT_SEC_2 } from "../../../../../constructs/checks/rules/secrets/no-secret-in-plain-output";
import { violations } from "../../rule-helpers";

describe("KIT-SEC-2 no-secret-in-plain-output", () => {
  test("compliant: the token in a sensitive output, an ID in a plain one", () => {
    expect(
      violations(KIT_SEC_2, (s) => {
        const version = new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "${var.x}" });
        new TerraformOutput(s, "token", { value: version.secretString, sensitive: true });
        new TerraformOutput(s, "id", { value: version.id });
      }),
    ).toEqual([]);
  });

  test("non-compliant: a secret value and a sensitive variable in plain outputs (stacks without Scalr constructs too)", () => {
    expect(
      violations(KIT_SEC_2, (s) => {
        const version = new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "${var.x}" });
        const v = new TerraformVariable(s, "password", { type: "string", sensitive: true });
        new TerraformOutput(s, "token", { value: version.secretString });
        new TerraformOutput(s, "both", { value: { password: v.stringValue } });
      }),
    ).toEqual([
      'KIT-SEC-2 stack/both: output "both" shows the sensitive variable var.password: set sensitive = true',
      'KIT-SEC-2 stack/token: output "token" shows the secret aws_secretsmanager_secret_version.Version.secret_string: set sensitive = true',
    ]);
  });
});
