import { DataResource, Fn } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
// The settings modules a pool needs, not the agent/settings index (which loads every renderer).
import type { AgentPoolKind } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { fieldError, isToken, strictProps } from "../../core/validation";
import { AgentPool as ScalrAgentPool, AgentPoolHeader } from "../../providers/scalr/generated/providers/scalr/agent-pool";
import { AgentPoolToken as ScalrAgentPoolToken } from "../../providers/scalr/generated/providers/scalr/agent-pool-token";
import { checkUniquePoolName, registerAccountName } from "./account-names";
import { agentPoolFields } from "./field-rules";
import type { IAgentPool } from "./interfaces";
import { brand, checkUnique, requireReference } from "./references";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";

/** A header Scalr sends with every webhook request of a serverless pool. */
export interface AgentPoolWebhookHeader {
  /** Header name, e.g. `x-api-key`. */
  readonly name: string;
  /**
   * Header value. When `sensitive` (the default) it must be a Terraform reference (a sensitive
   * variable, a secret store's data source, a generated key's attribute): a literal secret would
   * sit in the synthesized configuration and the repository.
   */
  readonly value: string;
  /** Scalr hides the value and Terraform redacts it in plans; the value must be a reference. @default true */
  readonly sensitive?: boolean;
}

/** The webhook Scalr calls to start a serverless agent for each task (run pools only). */
export interface AgentPoolWebhook {
  /** The endpoint URL (https), e.g. an API Gateway stage's `/trigger` resource. */
  readonly url: string;
  /** Extra headers, e.g. the API key. @default [] */
  readonly headers?: readonly AgentPoolWebhookHeader[];
}

/** Props of {@link AgentPool}. */
export interface AgentPoolProps {
  /** Pool name shown in Scalr, unique in the Scalr account (and so in the app: two pools of one name are an error). */
  readonly name: string;
  /**
   * `run` pools run Terraform/OpenTofu tasks; `vcs` pools relay traffic to a VCS provider behind
   * your firewall. Scalr cannot change this after creation: changing it replaces the pool (new ID,
   * new tokens), and the plan says so.
   * @default "run"
   */
  readonly kind?: AgentPoolKind;
  /** Environment IDs (`env-…`) that may use the pool, or `"all"`. @default "all" */
  readonly environments?: "all" | readonly string[];
  /** Serverless webhook (run pools only). @default - agents poll Scalr; no webhook */
  readonly webhook?: AgentPoolWebhook;
  /**
   * Names of the pool tokens to issue, one `scalr_agent_pool_token` each (e.g. one per fleet, so a
   * fleet's token can be rotated alone). The first is the default for {@link AgentPool.tokenValue}.
   * @default ["default"]
   */
  readonly tokens?: readonly string[];
}

const propsSchema = strictProps(agentPoolFields) satisfies z.ZodType<AgentPoolProps>;

/**
 * A Scalr agent pool (run or VCS), shared with every environment or a list of them, with one or
 * more pool tokens that runtime constructs consume by reference.
 *
 * @example
 * const pool = new AgentPool(this, "RunPool", { name: "aws-run" });
 * new TerraformOutput(this, "token", { value: pool.tokenValue(), sensitive: true });
 */
export class AgentPool extends Construct implements IAgentPool {
  /** The `scalr_agent_pool` resource (escape hatch). */
  public readonly resource: ScalrAgentPool;
  /** The `scalr_agent_pool_token` resources, in the order of `tokens`. */
  public readonly tokenResources: readonly ScalrAgentPoolToken[];
  /** `terraform_data` holding the kind; a change replaces the pool rather than failing at apply. */
  public readonly kindGuard: DataResource;
  /** The pool kind. */
  public readonly kind: AgentPoolKind;
  /** The pool name. */
  public readonly poolName: string;
  private readonly tokensByName: ReadonlyMap<string, ScalrAgentPoolToken>;
  private id?: string;

  public constructor(scope: Construct, id: string, props: AgentPoolProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["kind", "webhook"], () => {
      if (p.kind === "vcs" && p.webhook) {
        issues.add("webhook", 'applies only to run pools (kind "run"): Scalr starts serverless agents for run tasks', p.webhook.url);
      }
    });
    issues.rule(["name"], () => checkUniquePoolName(issues, this, p.name));
    issues.rule(["tokens"], () => checkUnique(issues, "tokens", p.tokens));
    issues.rule(["environments"], () => {
      if (p.environments !== "all") checkUnique(issues, "environments", p.environments);
    });
    issues.rule(["webhook.headers"], () => {
      const headers = p.webhook?.headers;
      if (!headers) return;
      checkUnique(issues, "webhook.headers", headers.map((h) => h.name), (n) => (isToken(n) ? n : (n as string).toLowerCase()));
      headers.forEach((h, i) => {
        if (h.sensitive) requireReference(issues, `webhook.headers[${i}].value`, h.value);
      });
    });
    issues.throwIfAny();
    brand(this, "agent-pool");
    registerAccountName(this, "agent pool", p.name);

    this.kind = p.kind;
    this.poolName = p.name;
    // A stack holding pool tokens gets the check that keeps them out of plain outputs.
    ensureSensitiveOutputCheck(this);

    this.kindGuard = new DataResource(this, "KindGuard", { input: { kind: p.kind } });

    this.resource = new ScalrAgentPool(this, "Resource", {
      // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
      name: terraformLiteral(p.name),
      vcsEnabled: p.kind === "vcs",
      environments: p.environments === "all" ? ["*"] : [...p.environments],
      apiGatewayUrl: p.webhook?.url,
      header: p.webhook?.headers.map(
        (h): AgentPoolHeader => ({ name: h.name, value: h.sensitive ? Fn.sensitive(h.value) : terraformLiteral(h.value), sensitive: h.sensitive }),
      ),
      lifecycle: { replaceTriggeredBy: [this.kindGuard] },
    });

    const tokens = p.tokens.map(
      (name) => [name, new ScalrAgentPoolToken(this, `Token-${name}`, { agentPoolId: this.resource.id, description: name })] as const,
    );
    this.tokenResources = tokens.map(([, t]) => t);
    this.tokensByName = new Map(tokens);
  }

  /**
   * The pool ID (`apool-…`): one reference, made on first read (each reference costs a stack
   * trace in cdktf, and thousands of workspaces may name one pool).
   */
  public get poolId(): string {
    return (this.id ??= this.resource.id);
  }

  /** Names of the pool's tokens, in order. */
  public get tokenNames(): string[] {
    return [...this.tokensByName.keys()];
  }

  /**
   * A Terraform reference to a token's value (sensitive). Put it in a secret store or a
   * `sensitive` output, never in plain configuration.
   * @param name token name @default - the first token
   */
  public tokenValue(name?: string): string {
    return this.tokenResource(name).token;
  }

  /** The token as an {@link AgentTokenSource} for AgentSettings and runtime constructs. */
  public tokenSource(name?: string): AgentTokenSource {
    return AgentTokenSource.fromTerraformValue(this.tokenValue(name));
  }

  private tokenResource(name?: string): ScalrAgentPoolToken {
    const key = name ?? this.tokenNames[0];
    const token = key === undefined ? undefined : this.tokensByName.get(key);
    if (!token) {
      throw fieldError({ subject: this.node.path }, "tokens", `has no token named ${JSON.stringify(name)}; tokens are: ${this.tokenNames.join(", ")}`, name, {
        sensitive: false,
      });
    }
    return token;
  }
}
