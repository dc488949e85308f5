import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";

/** The issuer of Scalr's OIDC tokens; it must match exactly. */
export const SCALR_OIDC_ISSUER = "https://scalr.io";

/**
 * The stack's IAM OIDC provider for `https://scalr.io` (construct id `ScalrOidcProvider` under the
 * stack), with the audiences of the configurations that trust it.
 */
class ScalrOidcProvider extends IamOpenidConnectProvider {
  /** Construct id under the stack. */
  public static readonly ID = "ScalrOidcProvider";

  /** The stack's provider, made by the first OIDC configuration that needs it. */
  public static of(scope: Construct): ScalrOidcProvider {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(ScalrOidcProvider.ID);
    return existing instanceof ScalrOidcProvider ? existing : new ScalrOidcProvider(stack);
  }

  /** The `aud` claims of the configurations that trust it. */
  private readonly audiences: Set<string>;

  private constructor(stack: TerraformStack) {
    const audiences = new Set<string>();
    super(stack, ScalrOidcProvider.ID, { url: SCALR_OIDC_ISSUER, clientIdList: Lazy.listValue({ produce: () => [...audiences].sort() }) });
    this.audiences = audiences;
  }

  /** Adds an audience to the provider's client IDs. */
  public addAudience(audience: string): void {
    this.audiences.add(audience);
  }
}

/**
 * The stack's IAM OIDC provider for `https://scalr.io`, made by the first OIDC configuration that
 * needs it: AWS accepts one provider per URL in an account, so a second one would fail at apply.
 * It lives under the stack (id `ScalrOidcProvider`), not under a configuration, so removing that
 * configuration does not replace it; its audiences are the union of the configurations'.
 */
export function stackOidcProvider(scope: Construct, audience: string): IamOpenidConnectProvider {
  const provider = ScalrOidcProvider.of(scope);
  provider.addAudience(audience);
  return provider;
}
