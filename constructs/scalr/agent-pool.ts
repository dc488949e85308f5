import { DataResource, Fn, Lazy, Op, TerraformElement, TerraformResource, Token } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
// The settings modules a pool needs, not the agent/settings index (which loads every renderer).
import type { AgentPoolKind } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { withoutTerraformVersionCheck } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { fieldError, intInRange, isToken, strictProps } from "../../core/validation";
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
  /**
   * The token runtimes use when they take the pool's token (`pool.tokenSource()`, a runtime's
   * `pool` prop). One of `tokens`. Rotating a token is one change of this field between two
   * changes of `tokens` (docs/token-rotation.md): add the new token, point `activeToken` at it (the
   * runtimes roll onto it), remove the old one once the new agents registered.
   * @default - the first of `tokens`
   */
  readonly activeToken?: string;
  /**
   * Warn on every plan once a token is older than this many days: the pool records each token's
   * creation time (a `terraform_data` per token, stamped with the plan's time when the token is
   * created) and a Terraform `check` block compares it with the time of each plan. The age counts
   * from the token's creation, or from when this field was first set for a token that existed
   * before. Needs Terraform 1.5 or later, or OpenTofu.
   * @default - token ages are not tracked
   */
  readonly tokenMaxAgeDays?: number;
}

const propsSchema = strictProps({
  ...agentPoolFields,
  activeToken: z
    .string({ error: "must be the name of one of `tokens`" })
    .refine((v) => !isToken(v), { error: "must be a literal token name (one of `tokens`), not a Terraform reference: it decides what the runtimes render", abort: true })
    .optional(),
  tokenMaxAgeDays: intInRange(1, 3650).optional(),
}) satisfies z.ZodType<AgentPoolProps>;

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
  /** The token runtimes use by default: `activeToken`, else the first of `tokens`. */
  public readonly activeTokenName: string;
  /** `tokenMaxAgeDays`: the age past which a token is warned about (undefined: ages are not tracked). */
  public readonly tokenMaxAgeDays?: number;
  /**
   * The `terraform_data` per token that records its creation time (`output.createdAt`), in the
   * order of `tokens`, when `tokenMaxAgeDays` is set.
   */
  public readonly tokenCreationRecords: readonly DataResource[];
  private readonly tokensByName: ReadonlyMap<string, ScalrAgentPoolToken>;
  private readonly createdByName: ReadonlyMap<string, DataResource>;
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
    issues.rule(["tokens", "activeToken"], () => {
      if (p.activeToken !== undefined && !p.tokens.includes(p.activeToken)) {
        issues.add(
          "activeToken",
          `must be one of \`tokens\` (${p.tokens.map((t) => JSON.stringify(t)).join(", ")}): the runtimes' token must exist in Scalr; remove a token only after \`activeToken\` names another one and its agents registered`,
          p.activeToken,
        );
      }
    });
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

    this.kindGuard = withoutTerraformVersionCheck(new DataResource(this, "KindGuard", { input: { kind: p.kind } }));

    this.resource = new ScalrAgentPool(this, "Resource", {
      // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
      name: terraformLiteral(p.name),
      vcsEnabled: p.kind === "vcs",
      environments: p.environments === "all" ? ["*"] : [...p.environments],
      apiGatewayUrl: p.webhook?.url,
      header: p.webhook?.headers.map(
        (h): AgentPoolHeader => ({ name: h.name, value: h.sensitive ? Fn.sensitive(h.value) : terraformLiteral(h.value), sensitive: h.sensitive }),
      ),
      lifecycle: { replaceTriggeredBy: [bareAddress(this.kindGuard)] },
    });

    const tokens = p.tokens.map(
      (name) => [name, new ScalrAgentPoolToken(this, `Token-${name}`, { agentPoolId: this.resource.id, description: name })] as const,
    );
    this.tokenResources = tokens.map(([, t]) => t);
    this.tokensByName = new Map(tokens);
    this.activeTokenName = p.activeToken ?? (p.tokens[0] as string);
    this.tokenMaxAgeDays = p.tokenMaxAgeDays;

    const created = p.tokenMaxAgeDays === undefined ? [] : tokens.map(([name, token]) => [name, tokenCreationRecord(this, name, token)] as const);
    this.tokenCreationRecords = created.map(([, r]) => r);
    this.createdByName = new Map(created);
    if (p.tokenMaxAgeDays !== undefined) new TokenAgeCheck(this, "TokenAge", this.poolName, p.tokenMaxAgeDays, created);
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
   * @param name token name @default - the active token (`activeToken`, else the first token)
   */
  public tokenValue(name?: string): string {
    return this.tokenResource(name).token;
  }

  /**
   * The token as an {@link AgentTokenSource} for AgentSettings and runtime constructs. It carries
   * the token's name, which runtime constructs render so a switch of token rolls their agents.
   * @param name token name @default - the active token (`activeToken`, else the first token)
   */
  public tokenSource(name?: string): AgentTokenSource {
    const key = name ?? this.activeTokenName;
    return AgentTokenSource.fromTerraformValue(this.tokenValue(key), { name: key });
  }

  /**
   * When a token was created, as an RFC 3339 timestamp known after the token's first apply (a
   * Terraform reference; not secret): the time of the plan that created it, or of the first plan
   * with `tokenMaxAgeDays` for a token that existed before. Only with `tokenMaxAgeDays`.
   * @param name token name @default - the active token
   */
  public tokenCreatedAt(name?: string): string {
    this.tokenResource(name);
    const record = this.createdByName.get(name ?? this.activeTokenName);
    if (!record) {
      throw fieldError({ subject: this.node.path }, "tokenMaxAgeDays", "must be set to record when tokens were created (tokenCreatedAt)", undefined, { sensitive: false });
    }
    return Token.asString(record.output.lookup(CREATED_AT));
  }

  private tokenResource(name?: string): ScalrAgentPoolToken {
    const key = name ?? this.activeTokenName;
    const token = key === undefined ? undefined : this.tokensByName.get(key);
    if (!token) {
      throw fieldError({ subject: this.node.path }, "tokens", `has no token named ${JSON.stringify(name)}; tokens are: ${this.tokenNames.join(", ")}`, name, {
        sensitive: false,
      });
    }
    return token;
  }
}

/** The key of a token's creation time in its record's `input` and `output`. */
const CREATED_AT = "createdAt";

/**
 * A `terraform_data` that holds the time of the plan that created `token`: `plantimestamp()` is
 * taken once, at creation (`ignore_changes` keeps it on later plans), and again when the token is
 * replaced (`replace_triggered_by`). Scalr's pool token resource has no creation time of its own:
 * its attributes are `agent_pool_id`, `description`, `id` and `token`
 * (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/agent_pool_token;
 * Scalr/terraform-provider-scalr internal/provider/agent_pool_token_resource.go).
 * `terraform_data`: https://developer.hashicorp.com/terraform/language/resources/terraform-data;
 * `plantimestamp`: https://developer.hashicorp.com/terraform/language/functions/plantimestamp.
 */
function tokenCreationRecord(pool: Construct, name: string, token: ScalrAgentPoolToken): DataResource {
  return withoutTerraformVersionCheck(
    new DataResource(pool, `TokenCreated-${name}`, {
      input: { [CREATED_AT]: Fn.plantimestamp() },
      lifecycle: { ignoreChanges: ["input"], replaceTriggeredBy: [bareAddress(token)] },
    }),
  );
}

/**
 * A Terraform `check` block with one assertion per token: the plan's time is before the token's
 * creation time plus the maximum age. A failed check is a warning on the plan and apply, never an
 * error (https://developer.hashicorp.com/terraform/language/checks); a creation time not yet known
 * (the token is created in this plan) leaves the check unknown, not failed. `timecmp`:
 * https://developer.hashicorp.com/terraform/language/functions/timecmp. cdktf 0.21 has no construct
 * for `check` blocks: this element writes one.
 */
class TokenAgeCheck extends TerraformElement {
  public constructor(
    scope: Construct,
    id: string,
    private readonly poolName: string,
    private readonly maxAgeDays: number,
    private readonly records: readonly (readonly [string, DataResource])[],
  ) {
    super(scope, id, "check");
  }

  public override toTerraform(): Record<string, unknown> {
    const maxAge = `${this.maxAgeDays * 24}h`;
    const assert = this.records.map(([name, record]) => {
      const createdAt = Token.asString(record.output.lookup(CREATED_AT));
      return {
        // timecmp is -1 while the plan is earlier than the deadline (0 at it, 1 after).
        condition: Op.eq(Fn.timecmp(Fn.plantimestamp(), Fn.timeadd(createdAt, maxAge)), -1),
        error_message:
          `Scalr agent pool ${terraformLiteral(this.poolName)}: token ${JSON.stringify(name)} is older than ${this.maxAgeDays} days ` +
          `(created ${createdAt}). Rotate it: add a new token, point activeToken at it, ` +
          "remove the old one once the new agents registered (docs/token-rotation.md in cdktf-scalr-kit).",
      };
    });
    return { check: { [this.friendlyUniqueId]: { assert } } };
  }
}

/**
 * A resource's address as `replace_triggered_by` takes it: `type.name`, bare. Terraform reads the
 * list as references, not templates, and rejects `"${type.name}"` ("Invalid character"), which is
 * what cdktf 0.21 writes for a resource given there (hashicorp/terraform-cdk#3196, #3532). The
 * name is the resource's logical ID, read at synth so an `overrideLogicalId` is followed.
 */
function bareAddress(resource: TerraformResource): string {
  return Lazy.stringValue({ produce: () => `${resource.terraformResourceType}.${resource.friendlyUniqueId}` });
}
