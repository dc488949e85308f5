import { SENSITIVE_SCALR_ATTRIBUTES } from "../scalr/sensitive-outputs";

/**
 * Attributes that hold secrets, per resource and data source type, besides the Scalr ones
 * ({@link SENSITIVE_SCALR_ATTRIBUTES}): where the agent pool token is stored on its way to the
 * agent, and common generated secrets. A reference to the whole object counts too.
 */
export const SECRET_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  ...SENSITIVE_SCALR_ATTRIBUTES,
  aws_secretsmanager_secret_version: ["secret_string", "secret_binary"],
  "data.aws_secretsmanager_secret_version": ["secret_string", "secret_binary"],
  kubernetes_secret_v1: ["data", "binary_data"],
  kubernetes_secret: ["data", "binary_data"],
  "data.kubernetes_secret_v1": ["data", "binary_data"],
  "data.kubernetes_secret": ["data", "binary_data"],
  aws_api_gateway_api_key: ["value"],
  "data.aws_api_gateway_api_key": ["value"],
  aws_iam_access_key: ["secret", "ses_smtp_password_v4"],
  random_password: ["result", "bcrypt_hash"],
  tls_private_key: ["private_key_pem", "private_key_pem_pkcs8", "private_key_openssh"],
};

/** What {@link findSecret} knows of the stack besides the text. */
export interface SecretContext {
  /** Names of `sensitive` variables. */
  readonly sensitiveVariables: ReadonlySet<string>;
  /** The stack's locals, followed when the text references one. */
  readonly locals: Readonly<Record<string, unknown>>;
}

const REFERENCE = /(?<![\w.])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])*)/g;
const VARIABLE = /(?<![\w.])var\.([A-Za-z0-9_-]+)/g;
const LOCAL = /(?<![\w.])local\.([A-Za-z0-9_-]+)/g;
const SENSITIVE_CALL = /(?<![\w.])sensitive\(/;
/**
 * A value another stack of the app hands over through cdktf's cross-stack reference: the producer's
 * output `cross-stack-output-<type><name><attribute>` (cdktf 0.21 writes the referenced identifier
 * without its dots, and always as a `sensitive` output: node_modules/cdktf/lib/terraform-stack.js,
 * `registerOutgoingCrossStackReference`), read here from `terraform_remote_state`.
 */
const CROSS_STACK_OUTPUT = /\.outputs\.cross-stack-output-([A-Za-z0-9_-]+)/g;

/**
 * The secret attribute (`<type>.<attribute>`) a cross-stack output identifier refers to, or
 * undefined: it starts with a type of {@link SECRET_ATTRIBUTES} (`data.` written `data`) and ends
 * with one of that type's attributes (dots removed), or the whole object.
 */
function crossStackSecret(identifier: string): string | undefined {
  for (const [type, attributes] of Object.entries(SECRET_ATTRIBUTES)) {
    const prefix = type.replace(/\./g, "");
    if (!identifier.startsWith(prefix)) continue;
    const rest = identifier.slice(prefix.length);
    const attribute = attributes.find((a) => rest.endsWith(a.replace(/\./g, "")) || rest.endsWith(a.split(".")[0]!));
    if (attribute) return `${type}.${attribute}`;
  }
  return undefined;
}

/**
 * Names the secret `text` (a Terraform expression or a document that embeds some) shows, or
 * undefined. The same test as the Scalr constructs' `SensitiveOutputCheck`, widened to every secret
 * store the kit writes the token to.
 */
export function findSecret(text: string, ctx: SecretContext, seenLocals: ReadonlySet<string> = new Set()): string | undefined {
  if (!text.includes(".") && !text.includes("(")) return undefined;
  if (SENSITIVE_CALL.test(text)) return "a value marked sensitive(...)";
  for (const m of text.matchAll(REFERENCE)) {
    const type = `${m[1] ?? ""}${m[2] ?? ""}`;
    const attributes = SECRET_ATTRIBUTES[type];
    if (!attributes) continue;
    const path = (m[4] ?? "").replace(/\[[^\]]*\]/g, "").replace(/^\./, "");
    const hit = path === "" || attributes.some((a) => path === a || path.startsWith(`${a}.`) || a.startsWith(`${path}.`));
    if (hit) return `the secret ${type}.${m[3] ?? ""}${path ? `.${path}` : ""}`;
  }
  for (const m of text.matchAll(CROSS_STACK_OUTPUT)) {
    const secret = crossStackSecret(m[1] ?? "");
    if (secret) return `the secret ${secret} of another stack (through the cross-stack output cross-stack-output-${m[1] ?? ""})`;
  }
  for (const m of text.matchAll(VARIABLE)) {
    if (m[1] && ctx.sensitiveVariables.has(m[1])) return `the sensitive variable var.${m[1]}`;
  }
  for (const m of text.matchAll(LOCAL)) {
    const name = m[1];
    if (!name || seenLocals.has(name) || !(name in ctx.locals)) continue;
    const value = ctx.locals[name];
    const inner = findSecret(typeof value === "string" ? value : JSON.stringify(value) ?? "", ctx, new Set([...seenLocals, name]));
    if (inner) return `local.${name}, which holds ${inner}`;
  }
  return undefined;
}
