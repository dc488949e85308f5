/**
 * The Scalr constructs' own field rules, one place for each: the props schemas of Workspace,
 * Environment, Variable, AgentPool, PolicyGroup, Tag and ProviderConfiguration are built from these
 * objects, and the vending machine's spec reuses them, so the two can never disagree on what a
 * field accepts, its default, or the message a bad value gets.
 *
 * Each entry is the zod schema the construct parses the field with, optionality and default
 * included. Where a construct also accepts a Terraform reference for the field, the schema carries
 * a token branch (`tokenOr`, `nonEmptyString`): a literal value never matches it, so a spec (which
 * holds only literals) accepts and rejects exactly the literals the construct does.
 *
 * Fields that refer to other constructs (`environment`, `agentPool`, `tags`, `providerConfigurations`,
 * `policyGroups`, …) are not here: a construct takes a construct or an ID, the spec a name.
 * Cross-field rules (`vcs` with `moduleVersionId`, auth-specific fields, …) stay with the construct.
 *
 * Nothing here imports a construct file, so the spec can load it without the constructs.
 */
import { z } from "zod";
import { SCALR_ID, IAM_ROLE_NAME } from "../../core/ids";
import { isToken, literalIntInRange, nameString, nonEmptyString, strictProps, tokenOr, withoutControlCharacters } from "../../core/validation";

// ---------------------------------------------------------------------------------------------
// Shared literal rules
// ---------------------------------------------------------------------------------------------

/**
 * A repository as `org/repo`: the provider's `vcs_repo.identifier` is "a reference to your VCS
 * repository in the format `:org/:repo`" (Scalr/terraform-provider-scalr docs/resources/workspace.md
 * and docs/resources/policy_group.md @ e29c00ca), not a URL. Further `/`-separated segments are
 * accepted for GitLab subgroups (`group/subgroup/repo`; unverified: https://docs.scalr.io/docs/gitlab).
 * Each segment is letters, digits, `.`, `_` or `-`; a scheme (`https://`), `git@host:`, a host
 * name with a port, empty segments and a trailing `.git` are rejected.
 */
const REPOSITORY = /^(?![^/]*:)[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/|^[^/@\s]+@[^/\s]+:|\.git$/i;
/** An exact Terraform/OpenTofu version. */
const IAC_VERSION = /^\d+\.\d+\.\d+$/;

/** A path relative to the repository root, without `..` (Scalr resolves it inside the clone). */
function relativePath(what: string, minLength = 0) {
  return tokenOr(
    withoutControlCharacters(
      z
        .string()
        .min(minLength)
        .refine((s) => !s.startsWith("/") && !s.split("/").includes(".."), { error: `must be a ${what} relative to the repository, without '..'` }),
    ),
  );
}

/** A VCS provider ID (`vcs-…`). */
const vcsProviderId = tokenOr(z.string().regex(SCALR_ID.vcsProvider, { error: 'must be a VCS provider ID such as "vcs-v0o1example"' }));

/** A repository as `org/repo`. */
const repository = tokenOr(
  z.string().refine((s) => REPOSITORY.test(s) && !URL_LIKE.test(s), {
    error: (issue) =>
      URL_LIKE.test(String(issue.input))
        ? 'must be the repository as "org/repo" (the VCS provider\'s identifier), not a URL or clone address: e.g. "acme/infra" for https://github.com/acme/infra'
        : 'must be a repository as "org/repo"',
  }),
);

// ---------------------------------------------------------------------------------------------
// Workspace (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/workspace)
// ---------------------------------------------------------------------------------------------

/** The fields of a workspace's VCS source (`WorkspaceVcsSource`). The spec names the provider instead of `providerId`. */
export const workspaceVcsFields = {
  providerId: vcsProviderId,
  repository,
  branch: nameString(255).optional(),
  versionConstraint: nameString(255).optional(),
  triggerPrefixes: z.array(relativePath("path")).default([]),
  // Written one per line into `trigger_patterns`: a line break would add a pattern.
  triggerPatterns: z.array(nameString(1024)).default([]),
  dryRuns: z.boolean().default(true),
  submodules: z.boolean().default(false),
};

const hook = nonEmptyString(4096).optional();

/** The fields of a workspace's run-stage hooks (`WorkspaceHooks`): one shell command per stage. */
export const workspaceHookFields = {
  preInit: hook,
  prePlan: hook,
  postPlan: hook,
  preApply: hook,
  postApply: hook,
};

/** The fields of a workspace's provider configuration link (`WorkspaceProviderConfigurationLink`) other than the configuration. */
export const workspaceProviderConfigurationLinkFields = {
  alias: tokenOr(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: "must be a provider alias (letters, digits, '_' or '-')" })).optional(),
};

/** The literal fields of `WorkspaceProps`. */
export const workspaceFields = {
  name: nameString(255),
  vcs: strictProps(workspaceVcsFields).optional(),
  moduleVersionId: tokenOr(z.string().regex(SCALR_ID.moduleVersion, { error: 'must be a module version ID such as "modver-v0o1example"' })).optional(),
  workingDirectory: relativePath("directory").default(""),
  iacPlatform: z.enum(["terraform", "opentofu"]).default("terraform"),
  version: tokenOr(z.string().regex(IAC_VERSION, { error: 'must be an exact version such as "1.9.8"' })).optional(),
  autoApply: z.boolean().default(false),
  /** Scalr's `run_operation_timeout` range: 1 minute to 7 days. */
  runTimeoutMinutes: literalIntInRange(1, 10080).optional(),
  hooks: strictProps(workspaceHookFields).optional(),
  deletionProtection: z.boolean().default(true),
  // Scalr rejects blank entries (`var_files` is not_blank): an empty path would fail at apply.
  varFiles: z.array(relativePath("file", 1)).default([]),
};

// ---------------------------------------------------------------------------------------------
// Variable (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/variable)
// ---------------------------------------------------------------------------------------------

/** A Terraform input variable name. */
export const TERRAFORM_VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** A shell variable name. */
export const SHELL_VARIABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Scalr has two variable categories, `terraform` and `shell`; `env` is the old name of `shell`. The
 * provider's changelog says so ("new attribute value `shell` for `scalr_variable.category` …
 * `env` category value is deprecated", Scalr/terraform-provider-scalr CHANGELOG.md, 1.0.0-rc17,
 * @ e29c00ca) and its docs allow only `terraform` or `shell` (docs/resources/variable.md @ e29c00ca).
 * Its schema still accepts `env`, but `category` requires replacement (`RequiresReplace`,
 * internal/provider/variable_schemas.go @ e29c00ca) and every state upgrade reads the variable back
 * from the API (internal/provider/variable_migrate.go @ e29c00ca): a variable written as `env` and
 * read back as `shell` would be planned for replacement again. The kit renders `shell` for both and
 * treats them as one key space.
 */
export const DEPRECATED_VARIABLE_CATEGORIES: Readonly<Record<string, "shell">> = { env: "shell" };

/** The category Scalr stores for `category` (`env` → `shell`). */
export function renderedCategory<C extends string>(category: C): Exclude<C, "env"> | "shell" {
  return (DEPRECATED_VARIABLE_CATEGORIES[category] ?? category) as Exclude<C, "env"> | "shell";
}

/**
 * The fields of `VariableOptions`. Which key pattern applies depends on `category`, a cross-field
 * rule (`checkVariableOptions`, with {@link TERRAFORM_VARIABLE_KEY} and {@link SHELL_VARIABLE_KEY}).
 */
export const variableFields = {
  key: nameString(128),
  value: tokenOr(z.string().max(65536)).default(""),
  // `env` is the deprecated spelling of `shell` (checkVariableOptions warns; see VARIABLE_CATEGORY_ALIASES).
  category: z.enum(["terraform", "shell", "env"]).default("terraform"),
  final: z.boolean().default(false),
  sensitive: z.boolean().default(false),
  hcl: z.boolean().default(false),
  description: z.string().max(512).default(""),
  allowPlaintextSensitiveValue: z.boolean().default(false),
};

// ---------------------------------------------------------------------------------------------
// Run options: the Terraform CLI configuration (`SCALR_TERRAFORM_RC`) and the run's OIDC token
// (`SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`), typed fields of Workspace and Environment
// ---------------------------------------------------------------------------------------------

/**
 * A provider source address pattern of a `provider_installation` method's `include`/`exclude`:
 * `[hostname/]namespace/type`, where the type may be `*`, the namespace only when the type is too,
 * and the hostname only in `*\/*\/*` (https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation;
 * Terraform 1.11's CLI config loader rejects the other forms: "namespace can be a wildcard only if
 * the provider type is also a wildcard", "hostname can be a wildcard only if both the namespace and
 * provider type are also wildcards"). A namespace or type is letters, digits and inner dashes.
 */
const PROVIDER_PART = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const PROVIDER_HOST = "[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?";
/** A provider source address pattern (see above). */
export const PROVIDER_SOURCE_PATTERN = new RegExp(`^(?:\\*/\\*/\\*|(?:${PROVIDER_HOST}/)?(?:\\*/\\*|${PROVIDER_PART}/(?:\\*|${PROVIDER_PART})))$`);
/** A host name with an optional port, as the `credentials "<host>"` label takes it (no scheme, no path). */
export const CREDENTIALS_HOST = new RegExp(`^${PROVIDER_HOST}$`);

const providerPatterns = z
  .array(
    z.string().regex(PROVIDER_SOURCE_PATTERN, {
      error: 'must be a provider source pattern "[hostname/]namespace/type" such as "registry.terraform.io/hashicorp/*" or "*/*" (a namespace may be "*" only with type "*", a hostname only in "*/*/*")',
    }),
  )
  .default([]);

/** A path in the run's file system (an argument of the CLI configuration): one line, not empty. */
// Literal: the path is written into the CLI configuration's text, where a Terraform reference would be escaped, not resolved.
const cliPath = withoutControlCharacters(z.string().min(1, { error: "must not be empty" }).max(1024)).refine((s) => !isToken(s), { error: "must be a literal path, not a Terraform reference" });

/** The fields of a `provider_installation` method (`TerraformRcProviderInstallationMethod`). */
export const providerInstallationMethodFields = {
  method: z.enum(["network_mirror", "filesystem_mirror", "direct"]),
  /** `network_mirror` only: Terraform refuses any other scheme ("the mirror must be at an https: URL", Terraform 1.11). */
  url: z
    .url({ protocol: /^https$/, error: "must be an https URL (Terraform refuses a network mirror at any other scheme)" })
    .refine((u) => !/^https:\/\/[^/]*@/i.test(u), { error: "must not hold credentials (user:password@): they would be a literal in the configuration; give the mirror's token as `credentials` for its host" })
    .optional(),
  /** `filesystem_mirror` only. */
  path: cliPath.optional(),
  include: providerPatterns,
  exclude: providerPatterns,
};

/** The fields of a `credentials` block (`TerraformRcCredentials`): the token is a reference, checked by the construct. */
export const terraformRcCredentialsFields = {
  host: z.string().regex(CREDENTIALS_HOST, { error: 'must be a host name with an optional port, such as "registry.example.com" (no scheme, no path)' }),
  token: z.string(),
};

/**
 * The fields of `TerraformRcOptions`: the CLI configuration Scalr writes for a run from the shell
 * variable `SCALR_TERRAFORM_RC` ("The variable's value should be the contents you normally put in
 * the custom .terraformrc file", https://docs.scalr.io/docs/run-agents, "Custom .terraformrc Files").
 */
export const terraformRcFields = {
  providerInstallation: z.array(strictProps(providerInstallationMethodFields)).default([]),
  // `$HOME` and other environment variables are expanded by Terraform in this one setting.
  pluginCacheDir: cliPath.optional(),
  credentials: z.array(strictProps(terraformRcCredentialsFields)).default([]),
  contents: tokenOr(z.string().min(1, { error: "must not be empty" }).max(65536)).optional(),
  final: z.boolean().default(false),
};

/**
 * A JWT audience: a StringOrURI ("any string value MAY be used, but any value containing a ':'
 * character MUST be a URI", RFC 7519 section 2, https://www.rfc-editor.org/rfc/rfc7519#section-2).
 */
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const audience = withoutControlCharacters(
  z
    .string()
    .min(1)
    .max(255)
    .refine((s) => s.trim() === s, { error: "must not start or end with whitespace" })
    .refine((s) => !s.includes(":") || URI_SCHEME.test(s), { error: 'must be a plain string or, when it holds ":", a URI such as "https://vault.example.com" (a JWT audience is a StringOrURI: RFC 7519 section 2)' }),
);

/**
 * The fields of `OidcRunOptions`: the claims Scalr lets a scope override in its runs' OIDC token,
 * `aud` (`SCALR_OIDC_AUD`) and `exp` (`SCALR_OIDC_EXP`), at workspace, environment or account scope
 * (https://docs.scalr.io/docs/workspaces-runs, "OIDC connect", "Payload customization").
 */
export const oidcRunOptionsFields = {
  audience: tokenOr(audience).optional(),
  expirySeconds: literalIntInRange(1, 2_147_483_647).optional(),
  final: z.boolean().default(false),
};

// ---------------------------------------------------------------------------------------------
// Environment (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/environment)
// ---------------------------------------------------------------------------------------------

/** The literal fields of `EnvironmentProps`. */
export const environmentFields = {
  name: nameString(255),
  remoteBackend: z.boolean().optional(),
  remoteBackendOverridable: z.boolean().default(true),
  storageProfileId: nonEmptyString(255).optional(),
  maskSensitiveOutput: z.boolean().default(true),
};

// ---------------------------------------------------------------------------------------------
// AgentPool (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/agent_pool)
// ---------------------------------------------------------------------------------------------

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A pool token name: it becomes part of a construct id and a token's description. */
const TOKEN_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The fields of an agent pool's webhook header (`AgentPoolWebhookHeader`). */
export const agentPoolWebhookHeaderFields = {
  name: tokenOr(z.string().regex(HEADER_NAME, { error: "must be an HTTP header name (letters, digits, '-', …)" })),
  value: nonEmptyString(8192),
  sensitive: z.boolean().default(true),
};

/** The fields of an agent pool's webhook (`AgentPoolWebhook`). */
export const agentPoolWebhookFields = {
  url: tokenOr(z.url({ protocol: /^https$/, error: "must be an https URL" })),
  headers: z.array(strictProps(agentPoolWebhookHeaderFields)).default([]),
};

/**
 * The literal fields of `AgentPoolProps`. `kind` must be a literal: it cannot change after the pool
 * is created, so the kit records it in a guard that replaces the pool on a change
 * (docs/decisions/0002-agent-pool-kind-guard.md).
 */
export const agentPoolFields = {
  name: nameString(255),
  kind: z
    .custom<unknown>((v) => !isToken(v), { error: 'must be a literal "run" or "vcs": it cannot change after the pool is created', abort: true })
    .pipe(z.enum(["run", "vcs"]))
    .default("run"),
  environments: z
    .union(
      [
        z.literal("all"),
        z
          .array(tokenOr(z.string().regex(SCALR_ID.environment, { error: 'must be an environment ID such as "env-v0o1example" (use `"all"` to share with every environment)' })))
          .min(1, { error: 'must list at least one environment ID, or be "all"' }),
      ],
      { error: 'must be "all" or a list of environment IDs' },
    )
    .default("all"),
  webhook: strictProps(agentPoolWebhookFields).optional(),
  tokens: z
    .array(z.string().regex(TOKEN_NAME, { error: "must be 1–63 lowercase letters, digits or '-', starting and ending with a letter or digit" }))
    .min(1, { error: "must name at least one token" })
    .default(["default"]),
};

// ---------------------------------------------------------------------------------------------
// PolicyGroup (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/policy_group)
// ---------------------------------------------------------------------------------------------

/** The fields of a policy group's repository (`PolicyGroupRepository`). */
export const policyGroupRepositoryFields = {
  identifier: repository,
  branch: nameString(255).optional(),
  path: withoutControlCharacters(z.string().max(1024)).optional(),
};

/** The literal fields of `PolicyGroupProps`. The spec names the VCS provider instead of `vcsProviderId`. */
export const policyGroupFields = {
  name: nameString(255),
  vcsProviderId,
  repository: strictProps(policyGroupRepositoryFields),
  opaVersion: tokenOr(z.string().regex(/^\d+\.\d+\.\d+$/, { error: 'must be a version such as "0.68.0"' })).optional(),
  commonFunctionsFolder: tokenOr(withoutControlCharacters(z.string().regex(/^\//, { error: 'must be an absolute path from the repository root, such as "/common"' }))).optional(),
};

// ---------------------------------------------------------------------------------------------
// Tag (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/tag)
// ---------------------------------------------------------------------------------------------

/** The fields of `TagProps`. */
export const tagFields = {
  name: nameString(255),
};

// ---------------------------------------------------------------------------------------------
// ProviderConfiguration
// (https://registry.scalr.io/providers/scalr/scalr/latest/docs/resources/provider_configuration)
// ---------------------------------------------------------------------------------------------

/**
 * The shortest external ID accepted: every Scalr account shares Scalr's AWS principal, and only the
 * external ID tells them apart.
 */
export const MIN_EXTERNAL_ID_LENGTH = 16;
/** The audience used when none is given (the value of Scalr's documentation). */
export const DEFAULT_SCALR_OIDC_AUDIENCE = "aws.scalr-run-workload";

const ARN = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}|aws)?:.+$/;
const AWS_ACCOUNT = /^\d{12}$/;
const SUBJECT_PART = /^[A-Za-z0-9_.*-]+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{1,1224}$/;

const arn = (what: string) => tokenOr(z.string().regex(ARN, { error: `must be ${what} ARN` }));
const subjectPart = tokenOr(z.string().regex(SUBJECT_PART, { error: "must be a name or pattern of letters, digits, '_', '.', '-' or '*'" }));

/**
 * The fields of `AwsProviderConfigurationOptions`: the construct parses them, and the vending
 * machine's spec reuses them, so both accept and reject the same fields.
 */
export const awsOptionsShape = {
  auth: z.enum(["oidc", "role-delegation"]),
  accountType: z.enum(["regular", "gov-cloud", "cn-cloud"]).default("regular"),
  roleName: tokenOr(z.string().regex(IAM_ROLE_NAME, { error: "must be an IAM role name: 1–64 letters, digits or +=,.@_-" })).optional(),
  managedPolicyArns: z.array(arn("a managed policy")).default([]),
  maxSessionDurationSeconds: z.number().int().min(3600, { error: "must be a whole number from 3600 to 43200" }).max(43200, { error: "must be a whole number from 3600 to 43200" }).default(3600),
  existingRoleArn: arn("an IAM role").optional(),
  scalrAccountName: tokenOr(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: "must be a Scalr account name (letters, digits, '_' or '-')" })).optional(),
  audience: nonEmptyString(255).default(DEFAULT_SCALR_OIDC_AUDIENCE),
  allowedSubjects: z.array(strictProps({ environment: subjectPart.default("*"), workspace: subjectPart.default("*") })).min(1).default([{ environment: "*", workspace: "*" }]),
  oidcProviderArn: arn("an IAM OIDC provider").optional(),
  externalId: tokenOr(
    z
      .string()
      .min(MIN_EXTERNAL_ID_LENGTH, {
        error: `must be at least ${MIN_EXTERNAL_ID_LENGTH} characters: every Scalr account assumes roles through the same Scalr principal, so the external ID is all that keeps other accounts' runs out of this role`,
      })
      .regex(EXTERNAL_ID, { error: "must be at most 1224 letters, digits or +=,.@:/_-" }),
  ).optional(),
  scalrPrincipalAccountId: tokenOr(z.string().regex(AWS_ACCOUNT, { error: "must be a 12-digit AWS account ID" })).optional(),
  defaultTags: z.record(z.string(), z.string()).optional(),
};

/** The fields of `GoogleProviderConfigurationOptions` (which apply to which `auth` is a cross-field rule of the construct). */
export const googleOptionsShape = {
  auth: z.enum(["oidc", "service-account-key"]),
  project: nonEmptyString(255).optional(),
  serviceAccountEmail: tokenOr(z.email({ error: "must be a service account email" })).optional(),
  workloadProviderName: tokenOr(
    z.string().regex(/^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/, {
      error: 'must be "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"',
    }),
  ).optional(),
  serviceAccountKey: z.string().optional(),
};

/** The fields of `AzureProviderConfigurationOptions` (which apply to which `auth` is a cross-field rule of the construct). */
export const azureOptionsShape = {
  auth: z.enum(["oidc", "client-secret"]),
  clientId: nonEmptyString(64),
  tenantId: nonEmptyString(64),
  subscriptionId: nonEmptyString(64).optional(),
  audience: nonEmptyString(255).optional(),
  clientSecret: z.string().optional(),
};

/** The fields of a custom provider argument (`CustomProviderArgument`). */
export const customProviderArgumentFields = {
  name: tokenOr(z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: "must be a provider argument name (lowercase, digits, '_')" })),
  value: z.string(),
  sensitive: z.boolean().default(false),
  hcl: z.boolean().default(false),
};

/** The fields of `KubernetesProviderConfigurationOptions`. */
export const kubernetesOptionsShape = {
  host: tokenOr(z.url({ protocol: /^https$/, error: "must be an https URL" })),
  clusterCaCertificate: z.string().optional(),
  token: z.string().optional(),
  clientCertificate: z.string().optional(),
  clientKey: z.string().optional(),
  extraArguments: z.array(strictProps(customProviderArgumentFields)).default([]),
};

/** The literal fields of `ProviderConfigurationProps` (exactly one of the four clouds is a cross-field rule). */
export const providerConfigurationFields = {
  name: nameString(255),
  exportShellVariables: z.boolean().default(false),
  aws: strictProps(awsOptionsShape).optional(),
  google: strictProps(googleOptionsShape).optional(),
  azure: strictProps(azureOptionsShape).optional(),
  kubernetes: strictProps(kubernetesOptionsShape).optional(),
};
