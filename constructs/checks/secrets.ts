import { gunzipSync } from "zlib";
import { SENSITIVE_SCALR_ATTRIBUTES } from "../scalr/sensitive-outputs";

/**
 * Attributes that hold secrets, per resource and data source type, besides the Scalr ones
 * ({@link SENSITIVE_SCALR_ATTRIBUTES}): where the agent pool token is stored on its way to the
 * agent, and common generated secrets. A reference to the whole object counts too. Secrets that
 * depend on the block's own arguments (a `SecureString` SSM parameter, a Kubernetes `Secret`
 * manifest) are found through {@link SecretContext.secretBlock}.
 */
export const SECRET_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  ...SENSITIVE_SCALR_ATTRIBUTES,
  aws_secretsmanager_secret_version: ["secret_string", "secret_binary"],
  "data.aws_secretsmanager_secret_version": ["secret_string", "secret_binary"],
  "data.aws_secretsmanager_random_password": ["random_password"],
  // The data source decrypts SecureString parameters by default (`with_decryption`), and marks `value` sensitive:
  // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/ssm_parameter
  "data.aws_ssm_parameter": ["value"],
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
  /**
   * The secret attributes of one block of the stack whose secrets depend on its own arguments
   * (`aws_ssm_parameter` of type `SecureString`, a `kubernetes_manifest` Secret), by address
   * (`aws_ssm_parameter.x`), with `unknown` set when whether they are secret is only known at apply
   * time (the parameter's `type` is a reference).
   * @default - none
   */
  readonly secretBlock?: (address: string) => { readonly attributes: readonly string[]; readonly unknown: boolean } | undefined;
}

const REFERENCE = /(?<![\w.])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])*)/g;
const VARIABLE = /(?<![\w.])var\.([A-Za-z0-9_-]+)/g;
const LOCAL = /(?<![\w.])local\.([A-Za-z0-9_-]+)/g;
const SENSITIVE_CALL = /(?<![\w.])sensitive\s*\(/;
/**
 * A value another stack of the app hands over through cdktf's cross-stack reference: the producer's
 * output `cross-stack-output-<identifier>`, where the identifier is the referenced expression without
 * its dots (`scalr_agent_pool_tokenPool_Token-default_F35A092Etoken`, `dataaws_…Ds` for a whole data
 * source, `vartok`, `localx`), always a `sensitive` output (node_modules/cdktf/lib/terraform-stack.js,
 * `registerOutgoingCrossStackReference`), read here from `terraform_remote_state`, possibly followed by
 * the rest of the expression (`….outputs.cross-stack-output-dataaws_…Ds.secret_string`).
 */
const CROSS_STACK_OUTPUT = /\.outputs\.cross-stack-output-([A-Za-z0-9_-]+)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])*)/g;
/** Any other remote state output: `data.terraform_remote_state.<name>.outputs.<output>` (or the whole `outputs`). */
const REMOTE_STATE_OUTPUT = /(?<![\w.])data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs(?:\.([A-Za-z0-9_-]+)|\[\s*"([^"]*)"\s*\])?/g;
/** Output names that say they hold a secret. */
const SECRET_NAME = /token|secret|passw|credential|private|api_?key|auth/i;
/** Attributes that never hold the secret of their object (so a cross-stack output ending in them is not one). */
const PLAIN_ATTRIBUTES = ["id", "arn", "name", "version_id", "secret_id", "version_stages", "created_date", "metadata", "type", "description"];

/**
 * HCL allows whitespace and newlines inside `${ … }` and around the dots and brackets of a
 * reference (`${ scalr_agent_pool_token.x .token }`): removes it there, so one pattern reads every
 * spelling. Text outside `${ … }` is left as it is.
 */
export function normalizeTemplate(text: string): string {
  if (!text.includes("${") || !/\s/.test(text)) return text;
  let out = "";
  let i = 0;
  for (let start = text.indexOf("${"); start >= 0; start = text.indexOf("${", i)) {
    out += text.slice(i, start);
    let depth = 0;
    let end = start + 1;
    for (; end < text.length; end++) {
      const c = text[end];
      if (c === "{") depth++;
      else if (c === "}" && --depth === 0) break;
    }
    out += text.slice(start, end + 1).replace(/\s*([.[\]])\s*/g, "$1");
    i = end + 1;
  }
  return out + text.slice(i);
}

/** Whether a reference's `path` below an object of `attributes` reaches a secret (the whole object does). */
function pathHits(path: string, attributes: readonly string[]): boolean {
  return path === "" || attributes.some((a) => path === a || path.startsWith(`${a}.`) || a.startsWith(`${path}.`));
}

/**
 * The secret a cross-stack output identifier (and the `rest` of the expression after it) refers
 * to, or undefined. The identifier starts with a type of {@link SECRET_ATTRIBUTES} (`data.` written
 * `data`): it is that type's secret unless it ends with an attribute that is not one (`…id`).
 * `var…` and `local…` identifiers name a variable or local of the other stack, whose sensitivity
 * this stack cannot see: they are reported as unconfirmed.
 */
function crossStackSecret(identifier: string, rest: string): string | undefined {
  const path = rest.replace(/\[[^\]]*\]/g, "").replace(/^\./, "");
  let best: string | undefined;
  for (const type of Object.keys(SECRET_ATTRIBUTES)) {
    const prefix = type.replace(/\./g, "");
    if (identifier.startsWith(prefix) && (!best || prefix.length > best.replace(/\./g, "").length)) best = type;
  }
  if (best) {
    const attributes = SECRET_ATTRIBUTES[best] ?? [];
    const tail = identifier.slice(best.replace(/\./g, "").length);
    const attribute = attributes.find((a) => tail.endsWith(a.replace(/\./g, "")) || tail.endsWith(a.split(".")[0]!));
    if (attribute) return `the secret ${best}.${attribute}`;
    if (PLAIN_ATTRIBUTES.some((a) => tail.endsWith(a)) && path === "") return undefined;
    // The whole object (or an attribute this table does not know), and whatever the expression reads of it.
    if (path === "" || pathHits(path, attributes)) return `the secret ${best}${path ? `.${path}` : " (the whole object)"}`;
    return undefined;
  }
  if (/^(var|local)[A-Za-z0-9_-]/.test(identifier)) {
    const kind = identifier.startsWith("var") ? "variable" : "local";
    return `the ${kind} ${identifier.startsWith("var") ? "var." + identifier.slice(3) : "local." + identifier.slice(5)}, whose sensitivity could not be confirmed at synth time`;
  }
  return undefined;
}

/**
 * Names the secret `text` (a Terraform expression or a document that embeds some) shows, or
 * undefined. The same test as the Scalr constructs' `SensitiveOutputCheck`, widened to every secret
 * store the kit writes the token to, to cross-stack references and remote state outputs, and to
 * every spelling HCL allows (whitespace inside `${ }`, index expressions, function calls around the
 * reference: the reference is found wherever it sits in the expression).
 */
export function findSecret(text: string, ctx: SecretContext, seenLocals: ReadonlySet<string> = NO_LOCALS): string | undefined {
  if (!text.includes(".") && !text.includes("(")) return undefined;
  if (seenLocals.size > 0) return searchSecret(text, ctx, seenLocals);
  // The same text recurs across a stack (one reference in thousands of blocks): each is read once per context.
  let known = FOUND.get(ctx);
  if (!known) FOUND.set(ctx, (known = new Map()));
  if (known.has(text)) return known.get(text);
  const found = searchSecret(text, ctx, seenLocals);
  known.set(text, found);
  return found;
}

const NO_LOCALS: ReadonlySet<string> = new Set();
/** What each text shows, by context (see {@link findSecret}). */
const FOUND = new WeakMap<SecretContext, Map<string, string | undefined>>();

function searchSecret(text: string, ctx: SecretContext, seenLocals: ReadonlySet<string>): string | undefined {
  text = normalizeTemplate(text);
  if (SENSITIVE_CALL.test(text)) return "a value marked sensitive(...)";
  for (const m of text.matchAll(REFERENCE)) {
    const type = `${m[1] ?? ""}${m[2] ?? ""}`;
    const path = (m[4] ?? "").replace(/\[[^\]]*\]/g, "").replace(/^\./, "");
    const name = `${m[3] ?? ""}${path ? `.${path}` : ""}`;
    const attributes = SECRET_ATTRIBUTES[type];
    if (attributes && pathHits(path, attributes)) return `the secret ${type}.${name}`;
    const own = ctx.secretBlock?.(`${type}.${m[3] ?? ""}`);
    if (own && pathHits(path, own.attributes)) {
      return own.unknown ? `${type}.${name}, which may be a secret (its kind could not be confirmed at synth time)` : `the secret ${type}.${name}`;
    }
  }
  if (text.includes("cross-stack-output-")) {
    for (const m of text.matchAll(CROSS_STACK_OUTPUT)) {
      const secret = crossStackSecret(m[1] ?? "", m[2] ?? "");
      if (secret) return `${secret} of another stack (through the cross-stack output cross-stack-output-${m[1] ?? ""})`;
    }
  }
  if (text.includes("terraform_remote_state")) {
    for (const m of text.matchAll(REMOTE_STATE_OUTPUT)) {
      const output = m[2] ?? m[3];
      if (output?.startsWith("cross-stack-output-")) continue;
      if (output === undefined) return `every output of the remote state data.terraform_remote_state.${m[1] ?? ""}, which could not be confirmed to hold no secret at synth time`;
      if (SECRET_NAME.test(output)) return `the output ${JSON.stringify(output)} of another state (data.terraform_remote_state.${m[1] ?? ""}), whose name says it holds a secret`;
    }
  }
  for (const m of text.matchAll(VARIABLE)) {
    if (m[1] && ctx.sensitiveVariables.has(m[1])) return `the sensitive variable var.${m[1]}`;
  }
  for (const m of text.matchAll(LOCAL)) {
    const name = m[1];
    if (!name || seenLocals.has(name) || !(name in ctx.locals)) continue;
    const inner = localSecret(name, ctx, seenLocals);
    if (inner) return `local.${name}, which holds ${inner}`;
  }
  return undefined;
}

/** What each local shows, by context: a stack's thousands of references to one local read it once. */
const LOCAL_SECRETS = new WeakMap<SecretContext, Map<string, string | undefined>>();

/** The secret the local `name` shows, or undefined; `seenLocals` are the locals being followed already (a cycle ends there). */
function localSecret(name: string, ctx: SecretContext, seenLocals: ReadonlySet<string>): string | undefined {
  // Only a lookup that follows no other local is kept: inside a cycle the answer depends on where it was entered.
  let cache = seenLocals.size === 0 ? LOCAL_SECRETS.get(ctx) : undefined;
  if (cache?.has(name)) return cache.get(name);
  const value = ctx.locals[name];
  const inner = findSecret(typeof value === "string" ? value : JSON.stringify(value) ?? "", ctx, new Set([...seenLocals, name]));
  if (seenLocals.size === 0) {
    if (!cache) LOCAL_SECRETS.set(ctx, (cache = new Map()));
    cache.set(name, inner);
  }
  return inner;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The text of a literal that is base64 (EC2 `user_data_base64`, a pre-encoded `user_data`), gunzipped
 * when it is gzip (cloud-init accepts both), or undefined.
 */
export function decodedLiteral(value: string): string | undefined {
  if (value.length < 16 || value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes).toString("utf8");
    } catch {
      return undefined;
    }
  }
  return bytes.toString("utf8");
}
