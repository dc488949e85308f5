import { Aspects, IAspect, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { IConstruct } from "constructs";
import { ConstructState, resolveTokens } from "../../core/cdktf-internals";
import { addStackVisitor, stackVisitors } from "../../core/stack-aspect";
import { KitValidationError } from "../../core/validation";

/**
 * Attributes that hold secrets, per Scalr resource and data source type: the attributes the
 * provider schema marks sensitive (a test keeps this table in step with `providers/scalr/schema.json`),
 * plus the ones the schema forgets and the kit treats as secret (`azurerm.client_secret`, custom
 * provider arguments, webhook headers). A reference to the whole object counts too.
 */
export const SENSITIVE_SCALR_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  scalr_agent_pool: ["header"],
  scalr_agent_pool_token: ["token"],
  scalr_integration_infracost: ["api_key"],
  scalr_provider_configuration: ["aws.secret_key", "google.credentials", "scalr.token", "azurerm.client_secret", "custom.argument"],
  scalr_service_account_token: ["token"],
  scalr_ssh_key: ["private_key"],
  scalr_storage_profile: ["google.credentials", "google.encryption_key"],
  scalr_variable: ["value"],
  scalr_vcs_provider: ["token"],
  scalr_webhook: ["secret_key"],
  "data.scalr_outputs": ["values"],
  "data.scalr_storage_profile": ["google.credentials", "google.encryption_key"],
  "data.scalr_webhook": ["secret_key"],
};

const literalSecrets = new ConstructState<IConstruct, Set<string>>(
  "scalr.literal-secrets",
  "Literal secrets of an app (its root construct), only from opt-outs such as `allowPlaintextSensitiveValue`: SensitiveOutputCheck also looks for them in outputs",
);

/**
 * Registers a literal secret so the check also catches it copied into an output. Literals shorter
 * than 4 characters are matched only as a whole output value: as substrings they would match
 * almost anything.
 */
export function registerLiteralSecret(scope: IConstruct, value: string): void {
  const set = literalSecrets.getOrCreate(scope.node.root, () => new Set());
  if (value !== "") set.add(value);
}

/**
 * Adds {@link SensitiveOutputCheck} to the stack of `scope`, once (run by the stack's one kit
 * aspect, core/stack-aspect.ts). Every Scalr L2 construct calls it, so an app that uses the kit
 * gets the check without asking for it.
 */
export function ensureSensitiveOutputCheck(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (stackVisitors(stack).some((v) => v instanceof SensitiveOutputCheck)) return;
  // A check the stack's owner added as an aspect of their own serves as well.
  if (Aspects.of(stack).all.some((a) => a instanceof SensitiveOutputCheck)) return;
  addStackVisitor(stack, new SensitiveOutputCheck());
}

const REFERENCE = /\b(data\.)?(scalr_[a-z_]+)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])*)/g;
const VARIABLE = /\bvar\.([A-Za-z0-9_-]+)/g;

/**
 * Fails synthesis when an output that is not `sensitive` would show a secret: a sensitive
 * attribute of a Scalr object ({@link SENSITIVE_SCALR_ATTRIBUTES}), a value wrapped in
 * `sensitive(...)`, a sensitive Terraform variable, or a literal secret the kit knows of. Terraform
 * would refuse most of these only at plan time; this says so at synth time, naming the output.
 */
export class SensitiveOutputCheck implements IAspect {
  public visit(node: IConstruct): void {
    if (!TerraformOutput.isTerraformOutput(node) || node.sensitive === true) return;
    const stack = TerraformStack.of(node);
    const value = resolveTokens(stack, node.value);
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
    const leak = findLeak(text, () => sensitiveVariablesOf(stack), literalSecrets.get(node.node.root));
    if (leak) {
      throw new KitValidationError(node.node.path, [
        {
          field: "value",
          message: `must not show ${leak} in an output that is not sensitive: set \`sensitive: true\` on the output`,
          received: "a value that holds a secret (hidden)",
        },
      ]);
    }
  }
}

/** Names of the stack's sensitive Terraform variables (looked up only for outputs that use a variable). */
function sensitiveVariablesOf(stack: TerraformStack): Set<string> {
  return new Set(
    stack.node
      .findAll()
      .filter((c): c is TerraformVariable => c instanceof TerraformVariable && c.sensitive === true)
      .map((v) => v.friendlyUniqueId),
  );
}

function findLeak(text: string, sensitiveVariables: () => ReadonlySet<string>, literals: ReadonlySet<string> | undefined): string | undefined {
  if (/(^|[^\w.])sensitive\(/.test(text)) return "a value marked sensitive(...)";
  for (const m of text.matchAll(REFERENCE)) {
    const type = `${m[1] ?? ""}${m[2] ?? ""}`;
    const attributes = SENSITIVE_SCALR_ATTRIBUTES[type];
    if (!attributes) continue;
    const path = (m[4] ?? "").replace(/\[[^\]]*\]/g, "").replace(/^\./, "");
    const hit = path === "" || attributes.some((a) => path === a || path.startsWith(`${a}.`) || a.startsWith(`${path}.`));
    if (hit) return `the secret ${type}.${m[3] ?? ""}${path ? `.${path}` : ""}`;
  }
  const variables = [...text.matchAll(VARIABLE)];
  const sensitive = variables.length > 0 ? sensitiveVariables() : new Set<string>();
  for (const m of variables) {
    if (m[1] && sensitive.has(m[1])) return `the sensitive variable var.${m[1]}`;
  }
  for (const secret of literals ?? []) {
    if (secret.length >= 4 ? text.includes(secret) : text === secret) return "the value of a sensitive Scalr variable";
  }
  return undefined;
}
