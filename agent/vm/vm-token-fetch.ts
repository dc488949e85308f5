import { AWS_REGION } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { AgentTokenSource } from "../settings/token-source";
import { fieldError, isToken, ValidationContext } from "../../core/validation";

/** How a VM gets its pool token at boot. */
export type VmTokenFetchKind = "aws-secrets-manager" | "command" | "file";

const SECRET_ID = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const REGION = AWS_REGION;
const ABSOLUTE_PATH = /^\/[^\s\0'"\\$`]*$/;

/**
 * A pluggable token source for VMs: how the fetcher (`fetch-token`, run before every start of the
 * agent) obtains the pool token. Every kind writes the token only to a root-only file on tmpfs
 * (`/run/scalr-agent`), so it is never in user data or in the kit's files. (In Docker mode, Docker
 * keeps the container's environment, token included, in its container config under
 * `/var/lib/docker` while the agent runs.)
 *
 * - {@link VmTokenFetch.awsSecretsManager}: the instance role reads a Secrets Manager secret (EC2);
 * - {@link VmTokenFetch.command}: any command that prints the token (GCP, Azure, Vault, vSphere);
 * - {@link VmTokenFetch.file}: a file something else placed on the VM (an image, a config agent).
 */
export class VmTokenFetch {
  /**
   * Reads a Secrets Manager secret with the instance role's credentials (IMDSv2).
   * @param secretId the secret's ARN or its name (a name is read in the instance's region). A name
   *   chosen in the stack is the way to use a secret created in the same stack: user data is a
   *   literal document, so the ARN, known only at apply time, cannot go into it.
   */
  public static awsSecretsManager(
    secretId: string,
    options: { readonly region?: string; readonly jsonKey?: string } = {},
    ctx: ValidationContext = { subject: "VmTokenFetch.awsSecretsManager" },
  ): VmTokenFetch {
    const issues = new IssueCollector(ctx);
    if (isToken(secretId)) {
      issues.add("secretId", "must be known at synth time: user data is rendered into a literal document; give the secret a fixed name and pass the name", secretId);
    } else if (typeof secretId !== "string" || !SECRET_ID.test(secretId)) {
      issues.add("secretId", "must be a Secrets Manager secret ARN or name (letters, digits and /_+=.@:-)", secretId);
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      issues.add("options", "must be an object such as { region, jsonKey }, or left out", options);
    } else {
      if (options.region !== undefined && (isToken(options.region) || !REGION.test(options.region))) {
        issues.add("region", "must be an AWS region known at synth time, e.g. eu-west-1", options.region);
      }
      if (options.jsonKey !== undefined && (isToken(options.jsonKey) || !/^[A-Za-z0-9_.-]{1,128}$/.test(options.jsonKey))) {
        issues.add("jsonKey", "must be 1–128 letters, digits, '_', '.' or '-' known at synth time", options.jsonKey);
      }
    }
    issues.throwIfAny();
    return new VmTokenFetch("aws-secrets-manager", { secretId, region: options.region, jsonKey: options.jsonKey });
  }

  /**
   * Runs a shell command (bash) whose standard output is the token, e.g.
   * `gcloud secrets versions access latest --secret=scalr-agent-token` on GCP. It runs as root at
   * every boot, before the agent starts; it must print only the token.
   */
  public static command(command: string, ctx: ValidationContext = { subject: "VmTokenFetch.command" }): VmTokenFetch {
    if (isToken(command) || typeof command !== "string" || command.trim() === "" || /[\0\r]/.test(command)) {
      throw fieldError(ctx, "command", "must be a non-empty shell command known at synth time", command);
    }
    return new VmTokenFetch("command", { command });
  }

  /** Reads the token from a file already on the VM (root-only, ideally on tmpfs). */
  public static file(path: string, ctx: ValidationContext = { subject: "VmTokenFetch.file" }): VmTokenFetch {
    if (isToken(path) || typeof path !== "string" || !ABSOLUTE_PATH.test(path)) {
      throw fieldError(ctx, "path", "must be an absolute path without whitespace or quotes, known at synth time", path);
    }
    return new VmTokenFetch("file", { path });
  }

  /**
   * The VM fetch for an agent's {@link AgentTokenSource}: a Secrets Manager secret or a file. A
   * Terraform value or a Kubernetes Secret cannot reach a VM without putting the token in user data.
   */
  public static fromAgentTokenSource(source: AgentTokenSource, ctx: ValidationContext, field = "token"): VmTokenFetch {
    switch (source.kind) {
      case "aws-secrets-manager":
        return VmTokenFetch.awsSecretsManager(source.secretArn as string, { jsonKey: source.jsonKey }, { subject: ctx.subject, fieldPrefix: join(ctx, field) });
      case "file":
        return VmTokenFetch.file(source.path as string, { subject: ctx.subject, fieldPrefix: join(ctx, field) });
      default:
        throw fieldError(
          ctx,
          field,
          "must be read by the VM at boot: use AgentTokenSource.fromAwsSecretsManager(arn) or fromFile(path), or pass `tokenFetch` (a Terraform value or Kubernetes Secret would have to be written into user data)",
          source,
        );
    }
  }

  /** Which kind of fetch. */
  public readonly kind: VmTokenFetchKind;
  /** Secret ARN or name (kind `aws-secrets-manager`). */
  public readonly secretId?: string;
  /** Region of the secret (kind `aws-secrets-manager`); the ARN's or the instance's when unset. */
  public readonly region?: string;
  /** JSON field holding the token (kind `aws-secrets-manager`). */
  public readonly jsonKey?: string;
  /** Shell command printing the token (kind `command`). */
  public readonly command?: string;
  /** File holding the token (kind `file`). */
  public readonly path?: string;

  private constructor(kind: VmTokenFetchKind, f: { secretId?: string; region?: string; jsonKey?: string; command?: string; path?: string }) {
    this.kind = kind;
    this.secretId = f.secretId;
    this.region = f.region;
    this.jsonKey = f.jsonKey;
    this.command = f.command;
    this.path = f.path;
  }

  /** A description safe for logs and errors. */
  public toString(): string {
    switch (this.kind) {
      case "aws-secrets-manager":
        return `VmTokenFetch(aws-secrets-manager ${this.secretId})`;
      case "command":
        return "VmTokenFetch(command)";
      case "file":
        return `VmTokenFetch(file ${this.path})`;
    }
  }
}

function join(ctx: ValidationContext, field: string): string {
  return ctx.fieldPrefix ? `${ctx.fieldPrefix}.${field}` : field;
}
