import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { KitChecks } from "../constructs/checks/kit-checks";
import { AgentPool, AgentPoolProps } from "../constructs/scalr/agent-pool";
import { ScalrProviderFromVariables } from "../constructs/scalr/scalr-provider-from-variables";

/** Props of {@link AgentPoolStack}. */
export interface AgentPoolStackProps {
  /**
   * The pools to create, keyed by construct id (public API: renaming a key replaces the pool).
   * Each pool gets an output `<key>_id` and a sensitive output `<key>_token_<token>` per token.
   */
  readonly pools: Readonly<Record<string, AgentPoolProps>>;
}

/**
 * A ready stack of Scalr agent pools and their tokens, with the Scalr provider configured from
 * the `scalr_hostname` and `scalr_token` variables (or `SCALR_HOSTNAME` / `SCALR_TOKEN`).
 */
export class AgentPoolStack extends TerraformStack {
  /** The Scalr provider and its variables. */
  public readonly scalr: ScalrProviderFromVariables;
  /** The pools, by the keys of `props.pools`. */
  public readonly pools: Readonly<Record<string, AgentPool>>;

  public constructor(scope: Construct, id: string, props: AgentPoolStackProps) {
    super(scope, id);
    KitChecks.of(this);
    this.scalr = new ScalrProviderFromVariables(this, "Scalr");
    const pools: Record<string, AgentPool> = {};
    for (const [key, poolProps] of Object.entries(props.pools)) {
      const pool = new AgentPool(this, key, poolProps);
      pools[key] = pool;
      new TerraformOutput(this, `${key}_id`, { value: pool.poolId, description: `ID of agent pool ${key}` });
      for (const token of pool.tokenNames) {
        new TerraformOutput(this, `${key}_token_${token}`, {
          value: pool.tokenValue(token),
          sensitive: true,
          description: `Agent pool token "${token}" of ${key} (sensitive; held in Terraform state)`,
        });
      }
    }
    this.pools = pools;
  }
}
