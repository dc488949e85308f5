import { Fn, IAspect, Op, TerraformDataSource, TerraformResource, TerraformStack, TerraformVariable, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { resolveTokens } from "../../core/cdktf-internals";
import { addStackVisitor } from "../../core/stack-aspect";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";

/**
 * The Scalr resources and data sources whose `account_id` is a settable, non-deprecated argument
 * (provider 3.19.0 schema). Without it, and without `SCALR_ACCOUNT_ID` in the environment, their
 * plan fails ("Cannot infer current account"). The agent pool's, module's and role's
 * `account_id` are deprecated (the API takes the account from the token), the variable set's is
 * computed only.
 */
export const SCALR_ACCOUNT_SCOPED_TYPES: readonly string[] = [
  "scalr_account_allowed_ips",
  "scalr_environment",
  "scalr_iam_team",
  "scalr_policy_group",
  "scalr_provider_configuration",
  "scalr_service_account",
  "scalr_slack_integration",
  "scalr_ssh_key",
  "scalr_tag",
  "scalr_variable",
  "scalr_vcs_provider",
  "scalr_webhook",
  "data.scalr_agent_pool",
  "data.scalr_environment",
  "data.scalr_environments",
  "data.scalr_iam_team",
  "data.scalr_policy_group",
  "data.scalr_provider_configuration",
  "data.scalr_provider_configurations",
  "data.scalr_role",
  "data.scalr_service_account",
  "data.scalr_ssh_key",
  "data.scalr_tag",
  "data.scalr_variable",
  "data.scalr_variables",
  "data.scalr_vcs_provider",
  "data.scalr_webhook",
  "data.scalr_workspaces",
];

/**
 * The Scalr provider configured from three Terraform variables, `scalr_hostname`, `scalr_token`
 * (sensitive) and `scalr_account_id`. All default to empty, and empty means unset: the provider
 * then falls back to `SCALR_HOSTNAME` / `SCALR_TOKEN` / `SCALR_ACCOUNT_ID` in the environment. No
 * credential is written into the configuration.
 *
 * The account ID is not a provider argument: an aspect of the stack sets it as `account_id` on
 * every Scalr resource and data source of the stack that takes one (see
 * {@link SCALR_ACCOUNT_SCOPED_TYPES}) and has none set, so kit constructs and L1 resources alike
 * plan without `SCALR_ACCOUNT_ID` once the variable is set.
 */
export class ScalrProviderFromVariables extends Construct {
  /** The `scalr` provider (escape hatch). */
  public readonly provider: ScalrProvider;
  /** `scalr_hostname`, e.g. `example.scalr.io` (no scheme). */
  public readonly hostname: TerraformVariable;
  /** `scalr_token` (sensitive). */
  public readonly token: TerraformVariable;
  /** `scalr_account_id`, e.g. `acc-v0o1example`. */
  public readonly accountId: TerraformVariable;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    // Variable names are scoped to the stack, so ids here are the Terraform names users set.
    this.hostname = new TerraformVariable(scope, "scalr_hostname", {
      type: "string",
      default: "",
      description: "Scalr account host name, e.g. example.scalr.io. Empty: use SCALR_HOSTNAME.",
    });
    this.token = new TerraformVariable(scope, "scalr_token", {
      type: "string",
      default: "",
      sensitive: true,
      description: "Scalr API token. Empty: use SCALR_TOKEN or the Terraform CLI credentials for the host.",
    });
    this.accountId = new TerraformVariable(scope, "scalr_account_id", {
      type: "string",
      default: "",
      description: "Scalr account ID (acc-...), set on every Scalr resource that takes account_id. Empty: use SCALR_ACCOUNT_ID.",
    });
    this.provider = new ScalrProvider(this, "Resource", {
      hostname: nullIfEmpty(this.hostname.stringValue),
      token: nullIfEmpty(this.token.stringValue),
    });
    const stack = TerraformStack.of(this);
    addStackVisitor(stack, new AccountIdAspect(stack, nullIfEmpty(this.accountId.stringValue)));
  }
}

/** The part of a generated Scalr L1 class that holds `account_id`. */
interface AccountScoped {
  accountId: string;
  readonly accountIdInput?: string;
}

const ACCOUNT_SCOPED = new Set(SCALR_ACCOUNT_SCOPED_TYPES);

/** Sets `account_id` on the stack's account-scoped Scalr blocks that have none. */
class AccountIdAspect implements IAspect {
  /** The expression as Terraform gets it, resolved once (resolving the token on each of thousands of blocks costs a tenth of a vending machine's synth). */
  private resolved?: string;

  public constructor(
    private readonly stack: TerraformStack,
    private readonly accountId: string,
  ) {}

  public visit(node: IConstruct): void {
    const type = node instanceof TerraformResource ? node.terraformResourceType : node instanceof TerraformDataSource ? `data.${node.terraformResourceType}` : undefined;
    if (type === undefined || !ACCOUNT_SCOPED.has(type) || !("accountIdInput" in node)) return;
    const block = node as unknown as AccountScoped;
    if (block.accountIdInput === undefined) block.accountId = this.resolved ??= resolveTokens(this.stack, this.accountId) as string;
  }
}

/** `length(value) < 1 ? null : value` (cdktf renders the literals "" and 0 in operators as `undefined`): a null argument lets the provider read its environment variable. */
function nullIfEmpty(value: string): string {
  return Token.asString(Fn.conditional(Op.lt(Fn.lengthOf(value), 1), Token.nullValue(), value));
}
