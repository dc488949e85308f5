import { ABSOLUTE_PATH, K8S_DNS_SUBDOMAIN, K8S_SECRET_KEY, SECRETS_MANAGER_SECRET_ARN } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { redactSecrets } from "../../core/redact";
import { KitValidationError, describeValue, isToken } from "../../core/validation";

/** Where an agent's pool token comes from. */
export type AgentTokenSourceKind = "terraform" | "aws-secrets-manager" | "kubernetes-secret" | "file";

const SECRET_ARN = SECRETS_MANAGER_SECRET_ARN;
const K8S_NAME = K8S_DNS_SUBDOMAIN;

/**
 * How a wrong value given to a factory that takes a *reference* to a secret is shown. A string is
 * echoed (redacted by value, like every message) when it has the shape of the reference asked for
 * (it starts with `arn:` for an ARN, with `/`, `.` or `~` for a path) or reads like a short name
 * (`scalr/token`, `Scalr_Token`: under 20 characters, not a mix of upper case, lower case and
 * digits). Anything else may well be the secret itself, passed by mistake
 * (`fromAwsSecretsManager(token)`): only its length and what is wrong with it are shown. Other types
 * are described as usual.
 */
export function describeReferenceValue(value: unknown, looksLikeReference: (s: string) => boolean, whatIsWrong: (s: string) => string[] = () => []): string {
  if (typeof value !== "string" || isToken(value)) return describeValue(value);
  const randomLooking = value.length >= 12 && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value);
  if (looksLikeReference(value) || (value.length < 20 && !randomLooking)) return describeValue(redactSecrets(value));
  const wrong = whatIsWrong(value);
  return `a string of ${value.length} characters${wrong.length > 0 ? ` that ${wrong.join(", ")}` : ""} (value hidden: it may be the secret itself)`;
}

/** What makes `s` not a Kubernetes object name, without quoting it. */
function k8sNameProblems(s: string): string[] {
  const out: string[] = [];
  if (s.length === 0) return ["is empty"];
  if (s.length > 253) out.push("is longer than 253 characters");
  if (/[A-Z]/.test(s)) out.push("has uppercase letters");
  if (/[^A-Za-z0-9.-]/.test(s)) out.push("has characters other than letters, digits, '-' and '.'");
  if (/^[^a-z0-9]|[^a-z0-9]$/i.test(s)) out.push("does not start and end with a letter or digit");
  return out;
}

/** What makes `s` not a Secret key, without quoting it. */
function secretKeyProblems(s: string): string[] {
  if (s.length === 0) return ["is empty"];
  const out: string[] = [];
  if (s.length > 253) out.push("is longer than 253 characters");
  if (/[^A-Za-z0-9._-]/.test(s)) out.push("has characters other than letters, digits, '-', '_' and '.'");
  return out.length > 0 ? out : ["is not a valid key"];
}

/** What makes `s` not an absolute path without whitespace, without quoting it. */
function pathProblems(s: string): string[] {
  const out: string[] = [];
  if (!s.startsWith("/")) out.push("does not start with '/'");
  if (/\s/.test(s)) out.push("has whitespace");
  return out;
}

/** Options of {@link AgentTokenSource.fromTerraformValue}. */
export interface AgentTokenSourceOptions {
  /**
   * The token's name (never its value), e.g. the `scalr_agent_pool_token` description. Runtimes
   * render it next to the agent's settings, so pointing them at a token of another name changes
   * each runtime's configuration and rolls its agents onto the new token
   * (see docs/token-rotation.md). 1–63 lowercase letters, digits or '-'.
   * @default - no name: a change of the token's value alone rolls no agents
   */
  readonly name?: string;
}

/** The names a pool gives its tokens (`AgentPool` `tokens`), and so the names a token source may carry. */
const TOKEN_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function checkTokenName(issues: IssueCollector, options: AgentTokenSourceOptions): string | undefined {
  if (options === null || typeof options !== "object") {
    issues.add("options", "must be an object such as { name: \"2025-06\" }", options);
    return undefined;
  }
  // A misspelt option (`nmae`) would silently leave the runtimes without the name that rolls them.
  for (const key of Object.keys(options)) {
    if (key !== "name") issues.add(`options.${key}`, "is not an option (the options are: name)", (options as Record<string, unknown>)[key]);
  }
  const name: unknown = options.name;
  if (name === undefined) return undefined;
  if (typeof name !== "string" || isToken(name) || !TOKEN_NAME.test(name)) {
    issues.add("options.name", "must be a literal token name: 1–63 lowercase letters, digits or '-', starting and ending with a letter or digit", name);
    return undefined;
  }
  return name;
}

/**
 * A typed reference to an agent pool token, never the token itself: secrets enter the configuration only as references.
 *
 * The token is a secret: the kit only ever passes a *reference* to it (a Terraform reference, a
 * secret ARN, a Kubernetes Secret, a root-only file) so it never lands in user data, a container
 * `environment`, Helm values or a log line. Runtimes turn the reference into the agent's
 * `SCALR_AGENT_TOKEN` through their own secret mechanism.
 */
export class AgentTokenSource {
  /**
   * A Terraform reference to the token, typically `pool.tokenValue()` of an
   * {@link AgentPool} in the same stack, or a `sensitive` `TerraformVariable`. A literal string is
   * rejected: it would be written into the synthesized configuration in plain text.
   */
  public static fromTerraformValue(value: string, options: AgentTokenSourceOptions = {}): AgentTokenSource {
    const issues = new IssueCollector({ subject: "AgentTokenSource.fromTerraformValue" });
    if (!isToken(value)) {
      issues.add("value", "must be a Terraform reference (an AgentPool token or a sensitive TerraformVariable), never a literal token", value, { sensitive: true });
    }
    const name = checkTokenName(issues, options);
    issues.throwIfAny();
    return new AgentTokenSource("terraform", { value, name });
  }

  /**
   * A secret in AWS Secrets Manager that holds the token as its plain string value (or as the
   * field `jsonKey` of a JSON value).
   */
  public static fromAwsSecretsManager(secretArn: string, options: { readonly jsonKey?: string } = {}): AgentTokenSource {
    const ctx = { subject: "AgentTokenSource.fromAwsSecretsManager" };
    const issues = new IssueCollector(ctx);
    if (!isToken(secretArn) && (typeof secretArn !== "string" || !SECRET_ARN.test(secretArn))) {
      issues.addIssue({
        field: "secretArn",
        message: "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        received: describeReferenceValue(secretArn, (s) => s.startsWith("arn:"), (s) => (s.startsWith("arn:") ? [] : ["does not start with arn:"])),
      });
    }
    if (options.jsonKey !== undefined && (typeof options.jsonKey !== "string" || options.jsonKey.length === 0)) {
      issues.add("jsonKey", "must be a non-empty string", options.jsonKey);
    }
    issues.throwIfAny();
    return new AgentTokenSource("aws-secrets-manager", { secretArn, jsonKey: options.jsonKey });
  }

  /** A key of a Kubernetes Secret in the agent's namespace. */
  public static fromKubernetesSecret(name: string, key = "token"): AgentTokenSource {
    const ctx = { subject: "AgentTokenSource.fromKubernetesSecret" };
    const issues = new IssueCollector(ctx);
    if (!isToken(name) && (typeof name !== "string" || name.length > 253 || !K8S_NAME.test(name))) {
      issues.addIssue({
        field: "name",
        message: "must be a Kubernetes object name (lowercase RFC 1123 subdomain, at most 253 characters)",
        received: describeReferenceValue(name, () => false, k8sNameProblems),
      });
    }
    if (!isToken(key) && (typeof key !== "string" || !K8S_SECRET_KEY.test(key))) {
      issues.addIssue({ field: "key", message: "must be a Secret key (letters, digits, '-', '_', '.')", received: describeReferenceValue(key, () => false, secretKeyProblems) });
    }
    issues.throwIfAny();
    return new AgentTokenSource("kubernetes-secret", { secretName: name, secretKey: key });
  }

  /** A file on the agent's host that something else (e.g. a boot script) fills with the token. */
  public static fromFile(path: string): AgentTokenSource {
    if (typeof path !== "string" || !ABSOLUTE_PATH.test(path)) {
      const looksLikePath = (s: string) => /^[/.~]/.test(s) && !/\s/.test(s.trim());
      throw new KitValidationError("AgentTokenSource.fromFile", [
        { field: "path", message: "must be an absolute path without whitespace", received: describeReferenceValue(path, looksLikePath, pathProblems) },
      ]);
    }
    return new AgentTokenSource("file", { path });
  }

  /** Which kind of reference this is. */
  public readonly kind: AgentTokenSourceKind;
  /**
   * The token's name, not its value (kind `terraform`): the pool token's name for
   * `pool.tokenSource()`. The runtime constructs render it next to the agent's settings, so a switch
   * to another token rolls their agents.
   */
  public readonly name?: string;
  /** The Terraform reference (kind `terraform`). */
  public readonly value?: string;
  /** The secret ARN (kind `aws-secrets-manager`). */
  public readonly secretArn?: string;
  /** The JSON field holding the token (kind `aws-secrets-manager`); the whole value when unset. */
  public readonly jsonKey?: string;
  /** The Secret name (kind `kubernetes-secret`). */
  public readonly secretName?: string;
  /** The key in the Secret (kind `kubernetes-secret`). */
  public readonly secretKey?: string;
  /** The file path (kind `file`). */
  public readonly path?: string;

  private constructor(
    kind: AgentTokenSourceKind,
    fields: { value?: string; name?: string; secretArn?: string; jsonKey?: string; secretName?: string; secretKey?: string; path?: string },
  ) {
    this.kind = kind;
    this.name = fields.name;
    this.value = fields.value;
    this.secretArn = fields.secretArn;
    this.jsonKey = fields.jsonKey;
    this.secretName = fields.secretName;
    this.secretKey = fields.secretKey;
    this.path = fields.path;
  }

  /** A description safe for logs and errors: it never includes the token. */
  public toString(): string {
    switch (this.kind) {
      case "terraform":
        return this.name === undefined ? "AgentTokenSource(terraform reference)" : `AgentTokenSource(terraform reference, token ${JSON.stringify(this.name)})`;
      case "aws-secrets-manager":
        return `AgentTokenSource(aws-secrets-manager ${describeValue(this.secretArn)})`;
      case "kubernetes-secret":
        return `AgentTokenSource(kubernetes-secret ${this.secretName}/${this.secretKey})`;
      case "file":
        return `AgentTokenSource(file ${this.path})`;
    }
  }

  /** Keeps the reference out of JSON dumps of settings objects. */
  public toJSON(): string {
    return this.toString();
  }
}
