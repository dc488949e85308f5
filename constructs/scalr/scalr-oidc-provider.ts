import type { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConstructState } from "../../core/cdktf-internals";
import { loadOptionalPeer } from "../../core/optional-peer";
import { fieldError } from "../../core/validation";

/** The issuer of Scalr's OIDC tokens; it must match exactly. */
export const SCALR_OIDC_ISSUER = "https://scalr.io";

/** Construct id of the stack's provider, under the stack. */
const ID = "ScalrOidcProvider";

/** The `aud` claims of the configurations that trust a stack's provider. */
const AUDIENCES = new ConstructState<IamOpenidConnectProvider, Set<string>>("scalr.oidcProviderAudiences", "the audiences of the stack's Scalr OIDC provider");

/**
 * The stack's IAM OIDC provider for `https://scalr.io`, made by the first OIDC configuration that
 * needs it: AWS accepts one provider per URL in an account, so a second one would fail at apply.
 * It lives under the stack (id `ScalrOidcProvider`), not under a configuration, so removing that
 * configuration does not replace it; its audiences are the union of the configurations'.
 * `@cdktf/provider-aws` is loaded here, on first use (it is an optional peer dependency).
 */
export function stackOidcProvider(scope: Construct, audience: string): IamOpenidConnectProvider {
  const stack = TerraformStack.of(scope);
  let provider = stack.node.tryFindChild(ID) as IamOpenidConnectProvider | undefined;
  if (!provider) {
    const { IamOpenidConnectProvider: Provider } = loadOptionalPeer(
      "@cdktf/provider-aws",
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when an AWS OIDC configuration needs it
      () => require("@cdktf/provider-aws/lib/iam-openid-connect-provider") as typeof import("@cdktf/provider-aws/lib/iam-openid-connect-provider"),
      { subject: scope.node.path },
      "aws",
    );
    const audiences = new Set<string>();
    provider = new Provider(stack, ID, { url: SCALR_OIDC_ISSUER, clientIdList: Lazy.listValue({ produce: () => [...audiences].sort() }) });
    AUDIENCES.set(provider, audiences);
  }
  const audiences = AUDIENCES.get(provider);
  if (!audiences) {
    throw fieldError({ subject: scope.node.path }, "aws", `needs the construct id \`${ID}\` under the stack for the stack's Scalr OIDC provider, but another construct has it (${stack.node.path}/${ID}): rename that construct`, "auth oidc");
  }
  audiences.add(audience);
  return provider;
}
