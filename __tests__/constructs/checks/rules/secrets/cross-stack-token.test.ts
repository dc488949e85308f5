import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { TerraformOutput } from "cdktf";
import { KIT_SEC_1 } from "../../../../../constructs/checks/rules/secrets/no-secret-in-plain-configuration";
import { KIT_SEC_2 } from "../../../../../constructs/checks/rules/secrets/no-secret-in-plain-output";
import { violations } from "../../rule-helpers";

/**
 * A pool token handed to another stack of the app (VendingMachineStack.tokenSource, AgentPoolStack.tokenSource):
 * cdktf reads it from the pool stack's sensitive output `cross-stack-output-<type><name><attribute>`
 * through `terraform_remote_state`. KIT-SEC-1 and KIT-SEC-2 treat it as the secret it is.
 */
const HANDED_OVER = "${data.terraform_remote_state.cross-stack-reference-input-pools.outputs.cross-stack-output-scalr_agent_pool_tokenVendingMachine_Pool-aws-run_Token-default_311C71CFtoken}";
const ID = "${data.terraform_remote_state.cross-stack-reference-input-pools.outputs.cross-stack-output-scalr_agent_poolVendingMachine_Pool-aws-run_927891F1id}";

describe("KIT-SEC-1/2 and a token handed over from another stack", () => {
  test("compliant: into a secret version; a pool ID anywhere", () => {
    const build = (s: Parameters<Parameters<typeof violations>[1]>[0]) => {
      new SecretsmanagerSecretVersion(s, "Token", { secretId: "x", secretString: HANDED_OVER });
      new SsmParameter(s, "PoolId", { name: "pool-id", type: "String", value: ID });
      new TerraformOutput(s, "pool_id", { value: ID });
    };
    expect(violations(KIT_SEC_1, build)).toEqual([]);
    expect(violations(KIT_SEC_2, build)).toEqual([]);
  });

  test("non-compliant: in a plain output and a String parameter", () => {
    const build = (s: Parameters<Parameters<typeof violations>[1]>[0]) => {
      new SsmParameter(s, "Token", { name: "token", type: "String", value: HANDED_OVER });
      new TerraformOutput(s, "token", { value: HANDED_OVER });
    };
    expect(violations(KIT_SEC_1, build)).toEqual([
      expect.stringMatching(/^KIT-SEC-1 stack\/Token: aws_ssm_parameter must not hold the secret scalr_agent_pool_token\.token of another stack \(through the cross-stack output cross-stack-output-scalr_agent_pool_token/),
    ]);
    expect(violations(KIT_SEC_2, build)).toEqual([expect.stringMatching(/^KIT-SEC-2 stack\/token: output "token" shows the secret scalr_agent_pool_token\.token of another stack/)]);
  });
});
