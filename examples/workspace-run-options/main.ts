import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { Environment } from "../../constructs/scalr/environment";
import { Workspace } from "../../constructs/scalr/workspace";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";

/**
 * Stack `workspace-run-options`: a workspace whose runs log in to HashiCorp Vault (a provider with
 * no Scalr provider configuration) with the OIDC token Scalr gives each run (`SCALR_OIDC_TOKEN`),
 * its audience and expiry set as typed options, and the environment's Terraform CLI configuration
 * (a provider mirror and a private registry's credentials) set once for every workspace in it.
 *
 * In the workspace's code, the Vault provider exchanges the token through Vault's JWT auth method
 * (https://registry.terraform.io/providers/hashicorp/vault/latest/docs#auth_login_jwt), e.g.
 * `auth_login_jwt { role = "scalr-network", jwt = var.SCALR_OIDC_TOKEN }` with the token passed as
 * `TF_VAR_SCALR_OIDC_TOKEN` (https://docs.scalr.io/docs/run-environment). Vault's JWT role names
 * the audience in `bound_audiences`. Set `scalr_hostname`, `scalr_token` and `registry_token` to deploy.
 */
export function workspaceRunOptionsExample(scope: Construct): TerraformStack {
  const stack = new TerraformStack(scope, "workspace-run-options");
  new ScalrProvider(stack, "scalr", {});
  // The registry's API token: a sensitive input, never a literal in the configuration.
  const registryToken = new TerraformVariable(stack, "registry_token", { type: "string", sensitive: true, description: "API token of registry.example.com (private modules and providers)." });

  const platform = new Environment(stack, "Platform", {
    name: "platform",
    terraformRc: {
      pluginCacheDir: "$HOME/.terraform.d/plugin-cache",
      providerInstallation: [
        { method: "network_mirror", url: "https://mirror.example.com/providers/", include: ["registry.terraform.io/hashicorp/*"] },
        { method: "direct", exclude: ["registry.terraform.io/hashicorp/*"] },
      ],
      credentials: [{ host: "registry.example.com", token: registryToken.stringValue }],
      final: true,
    },
    // Every run in the environment gets a token for Vault; workspaces cannot change the audience.
    oidc: { audience: "https://vault.example.com", final: true },
  });

  new Workspace(stack, "Secrets", {
    name: "vault-secrets",
    environment: platform,
    version: "1.9.8",
    runTimeoutMinutes: 30,
    // A short-lived token: long enough for the workspace's longest run (30 minutes).
    oidc: { expirySeconds: 1800 },
    variables: [{ key: "vault_address", value: "https://vault.example.com" }],
  });
  return stack;
}
