/**
 * A vending-machine spec that sets every workspace field the spec offers, each away from its
 * default somewhere (shared by the tests that hold a shortcut to the schema's own output).
 */
import { VendingMachineSpec } from "../../vending-machine/spec-types";

/** Every workspace field the spec offers, set away from its default somewhere. */
export const EVERY_FIELD: VendingMachineSpec = {
  vcsProviders: [{ name: "github", id: "vcs-gh123" }],
  agentPools: [{ name: "aws-run" }, { name: "other" }],
  tags: ["team:a", "team:b"],
  providerConfigurations: [
    { name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } },
    { name: "aws-dr", aws: { auth: "oidc", scalrAccountName: "acme", roleName: "scalr-dr" } },
  ],
  environments: [
    {
      name: "prod",
      defaultAgentPool: "aws-run",
      oidc: { expirySeconds: 7200 },
      workspaces: [
        {
          name: "net",
          vcs: { provider: "github", repository: "acme/infra", branch: "main", triggerPrefixes: ["net/"], dryRuns: false, submodules: true },
          workingDirectory: "net",
          agentPool: "other",
          iacPlatform: "opentofu",
          version: "1.8.0",
          autoApply: true,
          runTimeoutMinutes: 90,
          hooks: { preInit: "echo init", postApply: "echo ${DONE}" },
          providerConfigurations: ["aws", { configuration: "aws-dr", alias: "dr" }],
          variables: [
            { key: "cidr", value: "10.0.0.0/16", description: "VPC range", final: true },
            { key: "subnets", value: '["a", "b"]', hcl: true },
            { key: "LOG_LEVEL", value: "debug", category: "shell" },
            { key: "TRACE", value: "1", category: "env" },
            { key: "empty" },
            { key: "password", sensitive: true, valueFromTerraformVariable: "db_password" },
          ],
          tags: ["team:b"],
          deletionProtection: false,
          varFiles: ["common.tfvars", "prod.tfvars"],
          terraformRc: {
            pluginCacheDir: "/var/cache/terraform",
            providerInstallation: [
              { method: "network_mirror", url: "https://mirror.example.com/providers/", include: ["registry.terraform.io/hashicorp/*"] },
              { method: "direct", exclude: ["registry.terraform.io/hashicorp/*"] },
            ],
            credentials: [{ host: "registry.example.com", tokenFromTerraformVariable: "registry_token" }],
            final: true,
          },
          oidc: { audience: "https://vault.example.com", expirySeconds: 5400 },
        },
        { name: "rc-file", terraformRc: { contents: "disable_checkpoint = true\n" }, oidc: { audience: "vault" } },
        { name: "tags", vcs: { provider: "github", repository: "acme/app", versionConstraint: "~> 2.0", triggerPatterns: ["app/**"] } },
        { name: "module", moduleVersionId: "modver-v0o1example" },
        { name: "cli" },
      ],
    },
  ],
};
