import { TerraformStack, TerraformVariable } from "cdktf";
import { Environment, EnvironmentProps } from "../../constructs/scalr/environment";
import { Workspace, WorkspaceProps } from "../../constructs/scalr/workspace";
import { CorpusSubject, freshStack } from "./subjects";

/** Where a credentials token goes: each run replaces it with a Terraform reference (a literal is refused). */
const TOKEN_REFERENCE = "<reference>";

/** `input` with every credentials token that is {@link TOKEN_REFERENCE} replaced by a sensitive variable of `stack`. */
function withTokenReference(stack: TerraformStack, input: Record<string, unknown>): Record<string, unknown> {
  if (input === null || typeof input !== "object") return input;
  const rc = input.terraformRc as { credentials?: unknown } | undefined;
  if (rc === null || typeof rc !== "object" || !Array.isArray(rc.credentials)) return input;
  const token = new TerraformVariable(stack, "registry_token", { type: "string", sensitive: true }).stringValue;
  const credentials = rc.credentials.map((c: unknown) => (c !== null && typeof c === "object" && (c as { token?: unknown }).token === TOKEN_REFERENCE ? { ...(c as object), token } : c));
  return { ...input, terraformRc: { ...rc, credentials } };
}

/** Bad-input subjects for the typed run options (`terraformRc`, `oidc`) of Workspace and Environment. */
export const RUN_OPTIONS_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "Workspace run options",
    baseline: () => ({
      name: "vault-secrets",
      environment: "env-v0o1example",
      runTimeoutMinutes: 30,
      terraformRc: {
        pluginCacheDir: "$HOME/.terraform.d/plugin-cache",
        providerInstallation: [
          { method: "network_mirror", url: "https://mirror.example.com/providers/", include: ["registry.terraform.io/hashicorp/*"] },
          { method: "direct", exclude: ["registry.terraform.io/hashicorp/*"] },
        ],
        credentials: [{ host: "registry.example.com", token: TOKEN_REFERENCE }],
      },
      oidc: { audience: "https://vault.example.com", expirySeconds: 1800 },
    }),
    run: (input) => {
      const stack = freshStack();
      return new Workspace(stack, "Subject", withTokenReference(stack, input) as unknown as WorkspaceProps);
    },
  },
  {
    name: "Environment run options",
    baseline: () => ({
      name: "platform",
      terraformRc: { contents: "disable_checkpoint = true\n", credentials: [{ host: "registry.example.com", token: TOKEN_REFERENCE }], final: true },
      oidc: { audience: "vault", final: true },
    }),
    run: (input) => {
      const stack = freshStack();
      return new Environment(stack, "Subject", withTokenReference(stack, input) as unknown as EnvironmentProps);
    },
  },
];
