import { App, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AgentPool, Environment, KitChecks, ScalrProviderFromVariables, Variable, VendingMachineStack, Workspace } from "cdktf-scalr-kit";

/**
 * The Scalr side of a platform: a run pool, one environment that uses it by default, and a
 * workspace. Needs only cdktf, constructs and the kit: no AWS, Kubernetes or Helm provider package.
 */
class ScalrPlatform extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ScalrProviderFromVariables(this, "Scalr"); // scalr_hostname / scalr_token / scalr_account_id, or SCALR_* env vars
    KitChecks.of(this);

    const pool = new AgentPool(this, "RunPool", { name: "platform-run" });
    const prod = new Environment(this, "Prod", { name: "platform-prod", defaultAgentPool: pool });
    const network = new Workspace(this, "Network", {
      name: "network",
      environment: prod,
      vcs: { providerId: "vcs-v0o1example", repository: "acme/infra", branch: "main" },
      workingDirectory: "stacks/network",
    });
    new Variable(this, "Region", { key: "region", value: "eu-west-1", workspace: network });

    new TerraformOutput(this, "pool_id", { value: pool.poolId });
    new TerraformOutput(this, "environment_id", { value: prod.environmentId });
    new TerraformOutput(this, "run_token", { value: pool.tokenValue(), sensitive: true });
  }
}

const app = new App();
new ScalrPlatform(app, "scalr-platform");

// The same kind of estate from a spec (usually a YAML file checked with `npx cdktf-scalr-kit validate`).
new VendingMachineStack(app, "teams", {
  spec: {
    version: 1,
    agentPools: [{ name: "teams-run", kind: "run" }],
    environments: [
      { name: "team-a", defaultAgentPool: "teams-run", workspaces: [{ name: "app" }, { name: "db" }] },
      { name: "team-b", defaultAgentPool: "teams-run", workspaces: [{ name: "app" }] },
    ],
  },
});
app.synth();
