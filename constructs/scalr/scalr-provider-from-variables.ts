import { Fn, Op, Token, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";

/**
 * The Scalr provider configured from two Terraform variables, `scalr_hostname` and `scalr_token`
 * (sensitive). Both default to empty, and empty means unset: the provider then falls back to
 * `SCALR_HOSTNAME` / `SCALR_TOKEN` in the environment. No credential is written into the configuration.
 */
export class ScalrProviderFromVariables extends Construct {
  /** The `scalr` provider (escape hatch). */
  public readonly provider: ScalrProvider;
  /** `scalr_hostname`, e.g. `example.scalr.io` (no scheme). */
  public readonly hostname: TerraformVariable;
  /** `scalr_token` (sensitive). */
  public readonly token: TerraformVariable;

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
    this.provider = new ScalrProvider(this, "Resource", {
      hostname: nullIfEmpty(this.hostname.stringValue),
      token: nullIfEmpty(this.token.stringValue),
    });
  }
}

/** `length(value) < 1 ? null : value` (cdktf renders the literals "" and 0 in operators as `undefined`): a null provider argument lets the provider read its environment variable. */
function nullIfEmpty(value: string): string {
  return Token.asString(Fn.conditional(Op.lt(Fn.lengthOf(value), 1), Token.nullValue(), value));
}
