import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { isToken, strictProps, tokenOr, withoutControlCharacters } from "../../core/validation";
import { AccessPolicy } from "../../providers/scalr/generated/providers/scalr/access-policy";
import { DataScalrCurrentAccount } from "../../providers/scalr/generated/providers/scalr/data-scalr-current-account";
import { DataScalrRole } from "../../providers/scalr/generated/providers/scalr/data-scalr-role";
import { Role } from "../../providers/scalr/generated/providers/scalr/role";
import { ServiceAccount } from "../../providers/scalr/generated/providers/scalr/service-account";
import { ServiceAccountToken } from "../../providers/scalr/generated/providers/scalr/service-account-token";
import { ensureSensitiveOutputCheck } from "../scalr/sensitive-outputs";

/**
 * A custom Scalr role for the autoscaler's service account, instead of the system role `read-only`.
 *
 * Which permission IDs guard the reads the autoscaler makes (`GET /agent-pools/{id}`,
 * `GET /workspaces?filter[agent-pool]=`, `GET /runs-queue`, `GET /agents?filter[agent-pool]=`) is
 * **unverified**: Scalr's API reference does not name them per endpoint; `GET /permissions` on the
 * account lists every permission with its description (https://docs.scalr.com/en/latest/api/preview/permissions.html).
 * A role that lacks one makes the autoscaler's reads fail with 403; it then holds capacity and
 * logs why (it never scales in on an unknown signal).
 */
export interface AutoscalerScalrCustomRole {
  /** Name of the role (`scalr_role.name`). */
  readonly name: string;
  /** Description of the role. @default "Reads agent pools, their workspaces, the runs queue and agents for the Scalr agent autoscaler" */
  readonly description?: string;
  /**
   * Permission IDs, 1–128, each `<resource type>:<action>` with a read action (`read` or
   * `read-…`), e.g. `agent-pools:read`, `workspaces:read`. `*:read` equals the system role.
   */
  readonly permissions: readonly string[];
}

/** Props of {@link AutoscalerScalrIdentity}. */
export interface AutoscalerScalrIdentityProps {
  /**
   * Name of the service account. Scalr makes its email `<name>@<account>.scalr.io` from it, and a
   * new name replaces the account (and its token).
   */
  readonly name: string;
  /** Description of the service account. @default "Reads the agent pool queue for the Scalr agent autoscaler (managed by Terraform)" */
  readonly description?: string;
  /** Description of its token. @default "Scalr agent autoscaler (managed by Terraform)" */
  readonly tokenDescription?: string;
  /**
   * The Scalr account (`acc-…`): the service account's account and the access policy's scope.
   * @default - `data.scalr_current_account` (the `SCALR_ACCOUNT_ID` environment variable, which a Scalr remote run sets)
   */
  readonly accountId?: string;
  /**
   * A custom role with the given read permissions (their IDs are unverified: see
   * {@link AutoscalerScalrCustomRole}).
   * @default - the system role `read-only`, as Scalr's own read-only integration uses
   */
  readonly customRole?: AutoscalerScalrCustomRole;
}

/** Construct ids of the blocks {@link AutoscalerScalrIdentity} creates (stable: renaming one replaces the object). */
export const AUTOSCALER_SCALR_IDENTITY_IDS = {
  /** `data.scalr_current_account` (without `accountId` only). */
  account: "Account",
  /** `data.scalr_role` of the system role `read-only` (without `customRole` only). */
  systemRole: "ReadOnlyRole",
  /** `scalr_role` (with `customRole` only). */
  customRole: "Role",
  /** `scalr_service_account`. */
  serviceAccount: "ServiceAccount",
  /** `scalr_service_account_token`. */
  token: "Token",
  /** `scalr_access_policy`: the role for the service account on the account. */
  accessPolicy: "AccessPolicy",
} as const;

/**
 * The system role Scalr's own read-only integration binds its service account to, looked up
 * without an account ID: "To retrieve system-managed roles an account id has to be omitted"
 * (Scalr/terraform-provider-scalr@e29c00ca:docs/data-sources/role.md;
 * Scalr/terraform-aws-scalr-event-bridge@fe70c5cf:modules/scalr-eventbridge/scalr/main.tf,
 * `data "scalr_role" "read_only" { name = "read-only" }`).
 */
const READ_ONLY_ROLE = "read-only";

/** An account ID, `acc-<RANDOM STRING>` (Scalr/terraform-provider-scalr@e29c00ca:docs/resources/service_account.md, `account_id`). */
const ACCOUNT_ID = /^acc-[A-Za-z0-9]+$/;

/**
 * A permission ID: "two parts separated with `:` (colon): Resource type in a plural form. Action
 * name", either part may be `*` (Scalr/go-scalr@60635bee:v2/scalr/schemas/permission.gen.go,
 * `Permission`); the provider refuses blank entries (Scalr/terraform-provider-scalr@e29c00ca:
 * internal/provider/role_schemas.go, `StringIsNotWhiteSpace`).
 */
const PERMISSION = /^[^\s:]+:[^\s:]+$/;
/** Actions that only read: `read` and the specific read actions (`read-runs-queue`, `read-json-output`). */
const READ_ACTION = /^read(-[a-z0-9-]+)?$/;
/** Size of a role's permission set (role_schemas.go @ e29c00ca: `setvalidator.SizeBetween(1, 128)`). */
const MAX_PERMISSIONS = 128;

/**
 * Characters that an email's local part takes without quoting, kept to the usual ones (RFC 5322
 * §3.2.3 `atext`, https://www.rfc-editor.org/rfc/rfc5322#section-3.2.3, allows a few more), and the
 * local part's limit of 64 octets (RFC 5321 §4.5.3.1.1,
 * https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1.1). Scalr builds the service account's
 * email "`<name>@<account-domain>.scalr.io`" from the name (Scalr/go-scalr@60635bee:
 * v2/scalr/schemas/service_account.gen.go, `Email`); whether Scalr refuses other names is unverified
 * (the provider sets no rule on `name`: Scalr/terraform-provider-scalr@e29c00ca:
 * internal/provider/resource_scalr_service_account.go), so these only warn.
 */
const EMAIL_LOCAL_PART = /^[A-Za-z0-9._-]+$/;
const EMAIL_LOCAL_PART_MAX = 64;

/** A non-empty single line without surrounding whitespace or control characters; or a Terraform reference. */
const line = () =>
  tokenOr(
    withoutControlCharacters(
      z
        .string({ error: "must be a string" })
        .min(1, { error: "must not be empty" })
        .refine((s) => s.trim() === s, { error: "must not start or end with whitespace" }),
    ),
  );

const propsSchema = strictProps({
  name: line(),
  description: line().default("Reads the agent pool queue for the Scalr agent autoscaler (managed by Terraform)"),
  tokenDescription: line().default("Scalr agent autoscaler (managed by Terraform)"),
  accountId: tokenOr(z.string().regex(ACCOUNT_ID, { error: 'must be a Scalr account ID such as "acc-v0o1example"' })).optional(),
  customRole: strictProps({
    name: line(),
    description: line().default("Reads agent pools, their workspaces, the runs queue and agents for the Scalr agent autoscaler"),
    permissions: z
      .array(
        z
          .string({ error: "must be a permission ID such as \"agent-pools:read\"" })
          .regex(PERMISSION, { error: 'must be a permission ID "<resource type>:<action>" such as "agent-pools:read"', abort: true })
          .refine((s) => READ_ACTION.test(s.slice(s.indexOf(":") + 1)), {
            // The autoscaler only sends GET requests (agent/autoscaler/scalr-api.ts): a role that may change anything is more than it needs.
            error: 'must be a read permission (action "read" or "read-…", e.g. "runs-queue:read"): the autoscaler only reads from Scalr',
          }),
        { error: "must be an array of permission IDs" },
      )
      .min(1, { error: "must hold at least one permission" })
      .max(MAX_PERMISSIONS, { error: `must hold at most ${MAX_PERMISSIONS} permissions (the provider's limit for a role)` }),
  }).optional(),
}) satisfies z.ZodType<AutoscalerScalrIdentityProps>;

/**
 * The autoscaler's own Scalr identity, following Scalr's read-only integration
 * (Scalr/terraform-aws-scalr-event-bridge@fe70c5cf:modules/scalr-eventbridge/scalr/main.tf): a
 * service account (status `Active`), one token for it, and an access policy that binds it, at the
 * account's scope, to the system role `read-only` or to a custom role of read permissions.
 *
 * The token is only ever a Terraform reference (`scalr_service_account_token.<id>.token`, which the
 * provider marks sensitive): hand it to `AgentAutoscaler` as `scalrToken: { value: identity.token }`,
 * which stores it in Secrets Manager. A plain output or attribute that holds it fails the synth
 * (SensitiveOutputCheck) or KitChecks (KIT-SEC-1, KIT-SEC-2).
 *
 * Construct ids: {@link AUTOSCALER_SCALR_IDENTITY_IDS}.
 *
 * @example
 * const identity = new AutoscalerScalrIdentity(stack, "AutoscalerIdentity", { name: "agent-autoscaler" });
 * new AgentAutoscaler(stack, "Autoscaler", { pool, service, scalrUrl, scalrToken: { value: identity.token }, policy: { min: 0, max: 10 } });
 */
export class AutoscalerScalrIdentity extends Construct {
  /** The `scalr_service_account`. */
  public readonly serviceAccount: ServiceAccount;
  /** The `scalr_service_account_token`. */
  public readonly serviceAccountToken: ServiceAccountToken;
  /** The `scalr_access_policy`. */
  public readonly accessPolicy: AccessPolicy;
  /** The custom `scalr_role` (with `customRole` only). */
  public readonly customRole?: Role;
  /** The `data.scalr_role` of the system role `read-only` (without `customRole` only). */
  public readonly systemRole?: DataScalrRole;
  /** ID of the service account (`sa-…`), a Terraform reference. */
  public readonly serviceAccountId: string;
  /** Email of the service account (`<name>@<account>.scalr.io`), a Terraform reference. */
  public readonly email: string;
  /** ID of the role the service account holds, a Terraform reference. */
  public readonly roleId: string;
  /** ID of the account the policy is scoped to: `accountId`, or a reference to the current account. */
  public readonly accountId: string;
  /**
   * The API token: a reference to the sensitive `scalr_service_account_token.<id>.token`, never a
   * value. Give it to `AgentAutoscaler` as `scalrToken: { value: identity.token }`; keep it out of
   * plain outputs and attributes.
   */
  public readonly token: string;

  public constructor(scope: Construct, id: string, props: AutoscalerScalrIdentityProps) {
    super(scope, id);
    const subject = this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    issues.rule(["customRole"], () => {
      const seen = new Set<string>();
      p.customRole?.permissions.forEach((permission, i) => {
        if (seen.has(permission)) issues.add(`customRole.permissions[${i}]`, "is listed twice: a role's permissions are a set", permission);
        seen.add(permission);
      });
    });
    issues.throwIfAny();
    ensureSensitiveOutputCheck(this);
    for (const warning of nameWarnings(p.name)) Annotations.of(this).addWarning(`${subject}: \`name\` ${warning}`);
    if (p.customRole && !p.customRole.permissions.some((x) => x === "accounts:read" || x === "*:read")) {
      // https://docs.scalr.io/docs/identity-and-access-management: "every team or user that needs access to Scalr
      // will at least need the accounts:read permission assigned to them at the account scope".
      Annotations.of(this).addWarning(
        `${subject}: \`customRole.permissions\` has no "accounts:read": Scalr's IAM guide says every user and team needs it at the account scope (https://docs.scalr.io/docs/identity-and-access-management); whether a service account's API reads need it is unverified`,
      );
    }

    const ids = AUTOSCALER_SCALR_IDENTITY_IDS;
    this.accountId = p.accountId ?? new DataScalrCurrentAccount(this, ids.account, {}).id;
    if (p.customRole) {
      this.customRole = new Role(this, ids.customRole, {
        name: terraformLiteral(p.customRole.name),
        description: terraformLiteral(p.customRole.description),
        permissions: [...p.customRole.permissions],
      });
      this.roleId = this.customRole.id;
    } else {
      this.systemRole = new DataScalrRole(this, ids.systemRole, { name: READ_ONLY_ROLE });
      this.roleId = this.systemRole.id;
    }
    this.serviceAccount = new ServiceAccount(this, ids.serviceAccount, {
      name: terraformLiteral(p.name),
      description: terraformLiteral(p.description),
      status: "Active",
      ...(p.accountId !== undefined ? { accountId: p.accountId } : {}),
    });
    this.serviceAccountId = this.serviceAccount.id;
    this.email = this.serviceAccount.email;
    this.serviceAccountToken = new ServiceAccountToken(this, ids.token, {
      serviceAccountId: this.serviceAccountId,
      description: terraformLiteral(p.tokenDescription),
    });
    this.token = this.serviceAccountToken.token;
    this.accessPolicy = new AccessPolicy(this, ids.accessPolicy, {
      subject: { type: "service_account", id: this.serviceAccountId },
      scope: { type: "account", id: this.accountId },
      roleIds: [this.roleId],
    });
  }
}

/** Why a literal service account name may not make a valid email (unverified rules: warnings only). */
function nameWarnings(name: string): string[] {
  if (isToken(name)) return [];
  const out: string[] = [];
  const odd = [...new Set(name.replace(/[A-Za-z0-9._-]/g, ""))];
  if (!EMAIL_LOCAL_PART.test(name)) {
    out.push(
      `${JSON.stringify(name)} holds ${odd.map((c) => JSON.stringify(c)).join(", ")}: Scalr makes the service account's email "<name>@<account>.scalr.io" from it, so keep to letters, digits, '.', '_' and '-' (whether Scalr refuses other characters is unverified: https://docs.scalr.io/reference/create_service_account)`,
    );
  }
  if (Buffer.byteLength(name, "utf8") > EMAIL_LOCAL_PART_MAX) {
    out.push(
      `${JSON.stringify(name)} is longer than ${EMAIL_LOCAL_PART_MAX} bytes, an email local part's limit (RFC 5321 §4.5.3.1.1); whether Scalr refuses it is unverified (https://docs.scalr.io/reference/create_service_account)`,
    );
  }
  return out;
}
