import type { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AgentTokenSource } from "../agent/settings/token-source";
import { terraformLiterals } from "../core/terraform-literal";
import { loadOptionalPeer } from "../core/optional-peer";
import { fieldError, parseOrThrow, strictProps } from "../core/validation";
import { AgentPool } from "../constructs/scalr/agent-pool";
import type { AgentAutoscaler, AgentAutoscalerProps } from "../constructs/autoscaling/agent-autoscaler";
import { KitChecks } from "../constructs/checks/kit-checks";
import { scalrBackend } from "../constructs/scalr/scalr-backend";
import { idFromName } from "../constructs/scalr/references";
import { ScalrProviderFromVariables } from "../constructs/scalr/scalr-provider-from-variables";
import { VendingMachine } from "./vending-machine";
import { shardOf, stackSuffix } from "./sharding";
import { ResolvedSpec } from "./spec-schema";
import { SpecText } from "./spec-source";
import { VendingMachineSpec } from "./spec-types";
import { ValidatedSpec, validateVendingMachineSpec } from "./validate";

/** Props of {@link VendingMachineStack}. */
export interface VendingMachineStackProps {
  /** The spec: plain data, the result of `readSpecText` (errors then carry lines), or a `ValidatedSpec`. */
  readonly spec: VendingMachineSpec | SpecText | ValidatedSpec;
  /**
   * Configuration of the AWS provider added to the shared stack when an AWS provider configuration
   * creates its IAM role.
   * @default {} - region and credentials from the environment (IAM is global)
   */
  readonly awsProvider?: AwsProviderConfig;
  /**
   * Keep every stack's state in Scalr: each stack (the shared one and every shard) gets
   * {@link scalrBackend} with a workspace named after the stack, in this environment.
   * @default - the backend cdktf gives a stack (local state)
   */
  readonly scalrBackend?: { readonly hostname: string; readonly environment: string };
}

const propsSchema = strictProps({
  spec: z.custom<VendingMachineStackProps["spec"]>((v) => typeof v === "object" && v !== null, { error: "must be a spec object, the result of `readSpecText`, or a `ValidatedSpec`" }),
  awsProvider: z.custom<AwsProviderConfig>((v) => typeof v === "object" && v !== null, { error: "must be an AWS provider configuration object" }).optional(),
  // Checked by scalrBackend itself, per stack.
  scalrBackend: z.custom<NonNullable<VendingMachineStackProps["scalrBackend"]>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { error: "must be { hostname, environment }" }).optional(),
}) satisfies z.ZodType<VendingMachineStackProps>;

/** What {@link VendingMachineStack.autoscale} takes besides the spec's pool, policy and concurrency. */
export type VendingMachineAutoscaleProps = Omit<AgentAutoscalerProps, "pool" | "policy" | "agentConcurrency">;

/**
 * The vending machine as ready stacks. With `stacks.split: none` (the default) everything is in
 * this stack. Split, this stack is the **shared** one — agent pools, tags, provider configurations,
 * policy groups, account variables and the environments (with their variables and policy-group
 * linkages) — and the workspaces (with their variables) go to sibling stacks named
 * `<id>-<environment>` (`split: environment`) or `<id>-<n>` (`split: shards`). Shard stacks refer
 * to the shared objects through cdktf cross-stack references (an output here, a remote state
 * there), so references run one way only and every state stays bounded
 * (`stacks.maxWorkspacesPerStack`). Every stack gets the Scalr provider from the `scalr_hostname`,
 * `scalr_token` and `scalr_account_id` variables (empty: `SCALR_HOSTNAME`, `SCALR_TOKEN`,
 * `SCALR_ACCOUNT_ID`).
 *
 * Outputs (plain, IDs only): `agent_pool_ids` and `environment_ids`, maps by spec name — what an
 * operator needs next. Pool tokens are never in a plain output: a stack that runs a pool's agents
 * takes the token with {@link VendingMachineStack.tokenSource} (or the pool itself, `agentPool`),
 * and cdktf hands it over as a `sensitive` cross-stack output of this stack that only the consuming
 * stack's configuration reads (docs/secrets-and-state.md).
 *
 * @example
 * const { data, source } = readSpecText(fs.readFileSync("spec.yaml", "utf8"), "spec.yaml");
 * const vm = new VendingMachineStack(app, "vending-machine", { spec: { data, source } });
 * vm.stacks; // [vending-machine, vending-machine-prod, …]
 */
export class VendingMachineStack extends TerraformStack {
  /** The Scalr provider of this stack and its variables. */
  public readonly scalr: ScalrProviderFromVariables;
  /** Everything the spec describes. */
  public readonly vendingMachine: VendingMachine;
  /** The workspace stacks by name suffix (empty when not split). */
  public readonly shards: ReadonlyMap<string, TerraformStack>;
  /** This stack, then the workspace stacks in name order. */
  public readonly stacks: readonly TerraformStack[];
  /** The AWS provider, when an AWS provider configuration creates IAM resources. */
  public readonly awsProvider?: AwsProvider;

  public constructor(scope: Construct, id: string, props: VendingMachineStackProps) {
    super(scope, id);
    const p = parseOrThrow(propsSchema, props, { subject: this.node.path });
    KitChecks.of(this);
    this.scalr = new ScalrProviderFromVariables(this, "Scalr");
    const validated = validateVendingMachineSpec(p.spec);
    const spec = validated.spec;

    // Every shard stack exists whether or not it holds workspaces today, so removing the last
    // workspace of a shard never drops a stack (and its state) from the app.
    const shards = new Map<string, TerraformStack>();
    const suffixes =
      spec.stacks.split === "environment"
        ? spec.environments.map((e) => stackSuffix(e.name))
        : spec.stacks.split === "shards"
          ? Array.from({ length: spec.stacks.shards ?? 1 }, (_, i) => String(i))
          : [];
    for (const suffix of suffixes) {
      const stack = new TerraformStack(scope, `${id}-${suffix}`);
      KitChecks.of(stack);
      new ScalrProviderFromVariables(stack, "Scalr");
      shards.set(suffix, stack);
    }
    // By stack, then by environment name (a spec's string, whose hash is kept), not by a joined key
    // made anew at every workspace.
    const containers = new Map<TerraformStack, Map<string, Construct>>();
    const workspaceScope = (environmentName: string, workspaceName: string, _env: unknown, s: ResolvedSpec): Construct => {
      const suffix = shardOf(s.stacks, environmentName, workspaceName)!;
      const stack = shards.get(suffix)!;
      if (s.stacks.split === "environment") return stack;
      // Shards hold workspaces of several environments: one container per environment keeps names apart.
      let inStack = containers.get(stack);
      if (!inStack) containers.set(stack, (inStack = new Map()));
      let container = inStack.get(environmentName);
      if (!container) inStack.set(environmentName, (container = new Construct(stack, idFromName("Environment", environmentName))));
      return container;
    };

    this.vendingMachine = new VendingMachine(this, "VendingMachine", {
      spec: validated,
      workspaceScope: spec.stacks.split === "none" ? undefined : workspaceScope,
    });
    if (this.vendingMachine.needsAwsProvider) {
      // @cdktf/provider-aws is an optional peer dependency: a spec without AWS provider
      // configurations synthesizes without it.
      const { AwsProvider: Provider } = loadOptionalPeer(
        "@cdktf/provider-aws",
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the spec needs AWS
        () => require("@cdktf/provider-aws/lib/provider") as typeof import("@cdktf/provider-aws/lib/provider"),
        { subject: this.node.path },
        "providerConfigurations (aws)",
      );
      this.awsProvider = new Provider(this, "aws", p.awsProvider ?? {});
    }
    // What an operator needs next, IDs only (no secret: SensitiveOutputCheck and KIT-SEC-2 agree).
    // Keys are spec names: literal text (core/terraform-literal.ts).
    const vm = this.vendingMachine;
    new TerraformOutput(this, "agent_pool_ids", {
      value: terraformLiterals(Object.fromEntries([...vm.agentPools].map(([name, pool]) => [name, pool.poolId]))),
      description: "Agent pool IDs (apool-…) by spec name.",
    });
    new TerraformOutput(this, "environment_ids", {
      value: terraformLiterals(Object.fromEntries([...vm.environments].map(([name, env]) => [name, env.environmentId]))),
      description: "Environment IDs (env-…) by spec name.",
    });
    this.shards = shards;
    this.stacks = [this, ...[...shards.entries()].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([, s]) => s)];
    if (p.scalrBackend) for (const stack of this.stacks) scalrBackend(stack, { hostname: p.scalrBackend.hostname, environment: p.scalrBackend.environment });
  }

  /**
   * The agent pool the spec names `name`, e.g. as the `pool` of a runtime construct in another
   * stack of the app (its token then comes through a sensitive cross-stack output).
   */
  public agentPool(name: string): AgentPool {
    const pool = this.vendingMachine.agentPools.get(name);
    if (!pool) {
      throw fieldError({ subject: this.node.path }, "agentPool", `names no agent pool of the spec; pools are: ${[...this.vendingMachine.agentPools.keys()].join(", ") || "(none)"}`, name, { sensitive: false });
    }
    return pool;
  }

  /**
   * An {@link AgentAutoscaler} for the fleet that serves run pool `poolName`, with the policy and
   * agent concurrency the spec declares in the pool's `autoscaling`: the spec stays the one place
   * the estate's scaling is written. The fleet and the autoscaler live in `scope` (the fleet's stack);
   * the pool's ID reaches them across stacks.
   * @param props everything else the autoscaler takes (`fleet`, `scalrUrl`, `scalrToken`, …)
   */
  public autoscale(scope: Construct, id: string, poolName: string, props: VendingMachineAutoscaleProps): AgentAutoscaler {
    const pool = this.agentPool(poolName);
    const scaling = this.vendingMachine.autoscaling.get(poolName);
    if (!scaling) {
      const scaled = [...this.vendingMachine.autoscaling.keys()];
      throw fieldError({ subject: this.node.path }, "autoscale", `pool "${poolName}" declares no \`autoscaling\` in the spec; pools that do: ${scaled.join(", ") || "(none)"}`, poolName, { sensitive: false });
    }
    // Loaded on first use: a spec that scales nothing never loads the autoscaler (nor the AWS provider).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a fleet is scaled
    const { AgentAutoscaler: Autoscaler } = require("../constructs/autoscaling/agent-autoscaler") as typeof import("../constructs/autoscaling/agent-autoscaler");
    return new Autoscaler(scope, id, { ...props, pool, policy: scaling.policy, agentConcurrency: scaling.agentConcurrency });
  }

  /**
   * The token of pool `poolName` for the AgentSettings of agents run by another stack of the app.
   * Nothing is written to a plain output: cdktf passes the value as a `sensitive` output of this
   * stack, read through `terraform_remote_state` by that stack only, where the runtime construct
   * puts it into a secret store (Secrets Manager, a Kubernetes Secret).
   * @param token token name @default - the pool's first token
   */
  public tokenSource(poolName: string, token?: string): AgentTokenSource {
    return this.agentPool(poolName).tokenSource(token);
  }
}
