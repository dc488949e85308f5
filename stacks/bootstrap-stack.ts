import { Lazy, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { KitChecks } from "../constructs/checks/kit-checks";
import { ScalrProviderFromVariables } from "../constructs/scalr/scalr-provider-from-variables";
import { ScalrStackWorkspaces, ScalrStackWorkspacesProps, StackDeployOrder } from "../constructs/scalr/stack-workspaces";

/** Props of {@link BootstrapStack}: those of {@link ScalrStackWorkspaces}. */
export type BootstrapStackProps = ScalrStackWorkspacesProps;

/**
 * The stack that makes the app's other stacks Scalr workspaces: {@link ScalrStackWorkspaces} with
 * the Scalr provider from the `scalr_hostname`, `scalr_token` (sensitive) and `scalr_account_id`
 * variables (empty: `SCALR_HOSTNAME`, `SCALR_TOKEN`, `SCALR_ACCOUNT_ID`), so no token is in its
 * configuration. Its own state cannot live in a workspace it creates: it is applied first, from a
 * state of its own (docs/decisions/0011-bootstrap-stack.md).
 *
 * Outputs (plain: names and IDs): `deploy_order`, the stacks in waves of the dependency graph (CI
 * applies CLI-driven workspaces wave by wave, a wave in parallel), and `workspace_ids` by stack id.
 * The same order is written next to the stack as `cdktf.out/stacks/<id>/deploy-order.json`.
 *
 * @example
 * const vm = new VendingMachineStack(app, "vending-machine", { spec, scalrBackend: { hostname: "example.scalr.io", environment: "platform" } });
 * new BootstrapStack(app, "bootstrap", { stacks: vm.stacks, environment: "env-v0o1platform", agentPool: "apool-v0o1platform", providerConfigurations: ["pcfg-v0o1scalr"] });
 */
export class BootstrapStack extends TerraformStack {
  /** The Scalr provider and its variables. */
  public readonly scalr: ScalrProviderFromVariables;
  /** The workspaces of the stacks. */
  public readonly workspaces: ScalrStackWorkspaces;

  public constructor(scope: Construct, id: string, props: BootstrapStackProps) {
    super(scope, id);
    KitChecks.of(this);
    this.scalr = new ScalrProviderFromVariables(this, "Scalr");
    this.workspaces = new ScalrStackWorkspaces(this, "Workspaces", props);
    const workspaces = this.workspaces;
    new TerraformOutput(this, "deploy_order", {
      // Resolved once while cdktf prepares the stacks (the order is not known yet) and again when it
      // writes this stack, after every dependency was recorded.
      value: Lazy.anyValue({ produce: () => (workspaces.deployOrderKnown ? workspaces.deployOrder().waves : []) }),
      description: "Stack ids in waves of their dependencies: apply a wave after the one before; the stacks of a wave may run in parallel.",
    });
    new TerraformOutput(this, "workspace_ids", {
      value: Object.fromEntries([...workspaces.workspaces].map(([stackId, ws]) => [stackId, ws.workspaceId])),
      description: "Workspace IDs (ws-…) by stack id.",
    });
  }

  /** The deploy order of the stacks (complete once the app has synthesized). */
  public deployOrder(): StackDeployOrder {
    return this.workspaces.deployOrder();
  }
}
