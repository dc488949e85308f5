import * as fs from "fs";
import * as path from "path";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { KitChecks } from "../../constructs/checks/kit-checks";
import { KitValidationError } from "../../core/validation";
import { AgentPoolStack } from "../../stacks/agent-pool-stack";

describe("AgentPoolStack", () => {
  test("outputs each pool's ID plain and each token sensitive", () => {
    const stack = new AgentPoolStack(Testing.app(), "pools", { pools: { Run: { name: "run", tokens: ["a", "b"] } } });
    const out = JSON.parse(Testing.synth(stack)).output;
    expect(out.Run_id).toMatchObject({ value: expect.stringMatching(/^\$\{scalr_agent_pool\.Run_[0-9A-F]+\.id\}$/) });
    expect(out.Run_id.sensitive).toBeUndefined();
    expect(out.Run_token_a.sensitive).toBe(true);
    expect(out.Run_token_b.sensitive).toBe(true);
  });

  test("tokenSource hands a token to another stack of the app through a sensitive cross-stack output only", () => {
    const app = Testing.app();
    const pools = new AgentPoolStack(app, "pools", { pools: { Run: { name: "run" } } });
    const agents = new TerraformStack(app, "agents");
    new AwsProvider(agents, "aws", {});
    KitChecks.of(agents);
    new SecretsmanagerSecretVersion(agents, "Token", { secretId: "x", secretString: pools.tokenSource("Run").value! });
    app.synth();
    const outputs = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "pools", "cdk.tf.json"), "utf8")).output;
    for (const [name, o] of Object.entries<any>(outputs)) {
      if (String(o.value).includes("scalr_agent_pool_token")) expect([name, o.sensitive]).toEqual([name, true]);
    }
    expect(Object.keys(outputs).filter((n) => n.startsWith("cross-stack-output-scalr_agent_pool_token"))).toHaveLength(1);
  });

  test("tokenSource of an unknown pool is the kit's error", () => {
    const stack = new AgentPoolStack(Testing.app(), "pools", { pools: { Run: { name: "run" } } });
    expect(() => stack.tokenSource("Vcs")).toThrow(KitValidationError);
    expect(() => stack.tokenSource("Vcs")).toThrow('pools: `pools` has no pool "Vcs"; pools are: Run, got: "Vcs"');
  });
});
