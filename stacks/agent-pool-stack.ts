import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AgentTokenSource } from "../agent/settings/token-source";
import { fieldError } from "../core/validation";
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
 *
 * Outputs: `<key>_id` (plain) and `<key>_token_<token>` (sensitive, for agents outside the app).
 * A stack of the same app that runs a pool's agents takes the token with
 * {@link AgentPoolStack.tokenSource}: cdktf passes it as a sensitive cross-stack output.
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

  /**
   * The token of pool `key` for the AgentSettings of agents run by another stack of the app (a
   * sensitive cross-stack output, never a plain one).
   * @param token token name @default - the pool's first token
   */
  public tokenSource(key: string, token?: string): AgentTokenSource {
    const pool = this.pools[key];
    if (!pool) throw fieldError({ subject: this.node.path }, "pools", `has no pool ${JSON.stringify(key)}; pools are: ${Object.keys(this.pools).join(", ")}`, key, { sensitive: false });
    return pool.tokenSource(token);
  }
}
