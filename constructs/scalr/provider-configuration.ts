import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { Fn, Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { fieldError, isToken, nonEmptyString, parseOrThrow, strictProps, tokenOr } from "../../core/validation";
import {
  ProviderConfiguration as ScalrProviderConfiguration,
  ProviderConfigurationConfig,
  ProviderConfigurationCustomArgument,
} from "../../providers/scalr/generated/providers/scalr/provider-configuration";
import type { Environment } from "./environment";
import { brand, checkUnique, isKind, ref, refKey, requireReference, tagIds } from "./references";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";
import type { Tag } from "./tag";

/** The Scalr SaaS AWS account that role-delegation roles trust (docs.scalr.io, "AWS"). */
export const SCALR_SAAS_AWS_ACCOUNT_ID = "919814621061";
/** The IAM user of that account that assumes role-delegation roles (docs.scalr.io, "AWS Credentials"). */
export const SCALR_SAAS_AWS_USER_NAME = "scalr-saas";
/** The shortest external ID accepted: every Scalr account shares Scalr's AWS principal, and only the external ID tells them apart. */
export const MIN_EXTERNAL_ID_LENGTH = 16;
/** The issuer of Scalr's OIDC tokens; it must match exactly. */
export const SCALR_OIDC_ISSUER = "https://scalr.io";
/** The audience used when none is given (the value of Scalr's documentation). */
export const DEFAULT_SCALR_OIDC_AUDIENCE = "aws.scalr-run-workload";

/** Which runs may assume an AWS role through OIDC: names or `*` patterns of environments and workspaces. */
export interface ScalrOidcSubject {
  /** Environment name or pattern. @default "*" */
  readonly environment?: string;
  /** Workspace name or pattern. @default "*" */
  readonly workspace?: string;
}

/** AWS credentials through an IAM role the construct creates (or an existing one). */
export interface AwsProviderConfigurationOptions {
  /**
   * `oidc`: each run exchanges a Scalr identity token for temporary credentials; nothing to
   * store. `role-delegation`: Scalr's AWS account assumes the role with an external ID.
   */
  readonly auth: "oidc" | "role-delegation";
  /** @default "regular" */
  readonly accountType?: "regular" | "gov-cloud" | "cn-cloud";
  /** Name of the IAM role to create. @default - `scalr-<configuration name>` */
  readonly roleName?: string;
  /** Managed policies attached to the role (exclusively: others are detached). @default [] - no permissions */
  readonly managedPolicyArns?: readonly string[];
  /** Maximum session duration of the role. @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  /** Use this role instead of creating one (no IAM resources are created). @default - a role is created */
  readonly existingRoleArn?: string;
  /** Scalr account name: the OIDC trust admits only this account's runs. Required for `oidc` unless `existingRoleArn`. */
  readonly scalrAccountName?: string;
  /** The `aud` claim (`oidc`). @default "aws.scalr-run-workload" */
  readonly audience?: string;
  /** Runs allowed to assume the role (`oidc`). @default [{}] - every environment and workspace of the account */
  readonly allowedSubjects?: readonly ScalrOidcSubject[];
  /**
   * An existing IAM OIDC provider for `https://scalr.io` (an AWS account holds one per URL).
   * @default - one per stack (construct id `ScalrOidcProvider` under the stack), shared by every
   * OIDC configuration of the stack, its audiences the union of theirs
   */
  readonly oidcProviderArn?: string;
  /**
   * External ID the role requires (`role-delegation`), at least 16 characters: Scalr assumes every
   * account's roles with one principal, so the external ID is what keeps other Scalr accounts' runs
   * out of this role. Use the one Scalr shows on the credentials screen.
   */
  readonly externalId?: string;
  /**
   * The AWS account of the Scalr installation that assumes the role (`role-delegation`). Scalr SaaS
   * is trusted as its IAM user `scalr-saas`; another account (self-hosted, GovCloud, China) is
   * trusted as a whole (`:root`), the external ID separating tenants.
   * @default "919814621061" - Scalr SaaS, for `accountType: "regular"` (other account types must set it)
   */
  readonly scalrPrincipalAccountId?: string;
  /** Tags the AWS provider puts on every resource of the runs. @default - none */
  readonly defaultTags?: Readonly<Record<string, string>>;
}

/** Google credentials. */
export interface GoogleProviderConfigurationOptions {
  /** `oidc` (workload identity federation) or a service account key. */
  readonly auth: "oidc" | "service-account-key";
  /** Default project. @default - the project of the credentials */
  readonly project?: string;
  /** Service account to impersonate (`oidc`). */
  readonly serviceAccountEmail?: string;
  /** Canonical name of the workload identity provider (`oidc`). */
  readonly workloadProviderName?: string;
  /** The key file's JSON (`service-account-key`): a Terraform reference only. */
  readonly serviceAccountKey?: string;
}

/** Azure credentials. */
export interface AzureProviderConfigurationOptions {
  /** `oidc` or a client secret. */
  readonly auth: "oidc" | "client-secret";
  /** Application (client) ID. */
  readonly clientId: string;
  /** Tenant ID. */
  readonly tenantId: string;
  /** Subscription ID. @default - set by the workspace */
  readonly subscriptionId?: string;
  /** The `aud` claim (`oidc`). */
  readonly audience?: string;
  /** The client secret (`client-secret`): a Terraform reference only. */
  readonly clientSecret?: string;
}

/** One extra argument of a custom (Kubernetes) provider configuration. */
export interface CustomProviderArgument {
  /** Argument name, as in the provider block. */
  readonly name: string;
  /** Value (a Terraform reference when `sensitive`). */
  readonly value: string;
  /** @default false */
  readonly sensitive?: boolean;
  /** The value is HCL. @default false */
  readonly hcl?: boolean;
}

/** Kubernetes, configured through the provider's `custom` block (`provider_name = "kubernetes"`). */
export interface KubernetesProviderConfigurationOptions {
  /** API server URL (https). */
  readonly host: string;
  /** PEM CA certificate of the cluster. @default - none */
  readonly clusterCaCertificate?: string;
  /** Bearer token: a Terraform reference only. @default - none */
  readonly token?: string;
  /** PEM client certificate. @default - none */
  readonly clientCertificate?: string;
  /** PEM client key: a Terraform reference only. @default - none */
  readonly clientKey?: string;
  /** More provider arguments. @default [] */
  readonly extraArguments?: readonly CustomProviderArgument[];
}

/** Props of {@link ProviderConfiguration}. Exactly one of `aws`, `google`, `azure`, `kubernetes`. */
export interface ProviderConfigurationProps {
  /** Name, unique in the Scalr account. */
  readonly name: string;
  /**
   * Environments the configuration is shared with, or `"all"`. Environments and workspaces that
   * use the configuration are added to the list automatically.
   * @default [] - only the environments that use it
   */
  readonly environments?: "all" | readonly (Environment | string)[];
  /** Export the provider's variables into the run's shell. @default false */
  readonly exportShellVariables?: boolean;
  /** @default [] */
  readonly tags?: readonly (Tag | string)[];
  /** AWS. @default - not AWS */
  readonly aws?: AwsProviderConfigurationOptions;
  /** Google Cloud. @default - not Google */
  readonly google?: GoogleProviderConfigurationOptions;
  /** Azure. @default - not Azure */
  readonly azure?: AzureProviderConfigurationOptions;
  /** Kubernetes. @default - not Kubernetes */
  readonly kubernetes?: KubernetesProviderConfigurationOptions;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ARN = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}|aws)?:.+$/;
const AWS_ACCOUNT = /^\d{12}$/;
const SUBJECT_PART = /^[A-Za-z0-9_.*-]+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{1,1224}$/;
const PARTITION = { regular: "aws", "gov-cloud": "aws-us-gov", "cn-cloud": "aws-cn" } as const;

const arn = (what: string) => tokenOr(z.string().regex(ARN, { error: `must be ${what} ARN` }));
const subjectPart = tokenOr(z.string().regex(SUBJECT_PART, { error: "must be a name or pattern of letters, digits, '_', '.', '-' or '*'" }));

/**
 * The zod shape of {@link AwsProviderConfigurationOptions}: the construct parses it, and the
 * vending machine's spec reuses it, so both accept and reject the same fields.
 */
export const awsOptionsShape = {
  auth: z.enum(["oidc", "role-delegation"]),
  accountType: z.enum(["regular", "gov-cloud", "cn-cloud"]).default("regular"),
  roleName: tokenOr(z.string().regex(ROLE_NAME, { error: "must be an IAM role name: 1–64 letters, digits or +=,.@_-" })).optional(),
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
      .min(MIN_EXTERNAL_ID_LENGTH, { error: `must be at least ${MIN_EXTERNAL_ID_LENGTH} characters: every Scalr account assumes roles through the same Scalr principal, so the external ID is all that keeps other accounts' runs out of this role` })
      .regex(EXTERNAL_ID, { error: "must be at most 1224 letters, digits or +=,.@:/_-" }),
  ).optional(),
  scalrPrincipalAccountId: tokenOr(z.string().regex(AWS_ACCOUNT, { error: "must be a 12-digit AWS account ID" })).optional(),
  defaultTags: z.record(z.string(), z.string()).optional(),
};

const awsSchema = strictProps(awsOptionsShape);

const googleSchema = strictProps({
  auth: z.enum(["oidc", "service-account-key"]),
  project: nonEmptyString(255).optional(),
  serviceAccountEmail: tokenOr(z.email({ error: "must be a service account email" })).optional(),
  workloadProviderName: tokenOr(z.string().regex(/^projects\/[^/]+\/locations\/global\/workloadIdentityPools\/[^/]+\/providers\/[^/]+$/, {
    error: 'must be "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>"',
  })).optional(),
  serviceAccountKey: z.string().optional(),
});

const azureSchema = strictProps({
  auth: z.enum(["oidc", "client-secret"]),
  clientId: nonEmptyString(64),
  tenantId: nonEmptyString(64),
  subscriptionId: nonEmptyString(64).optional(),
  audience: nonEmptyString(255).optional(),
  clientSecret: z.string().optional(),
});

const kubernetesSchema = strictProps({
  host: tokenOr(z.url({ protocol: /^https$/, error: "must be an https URL" })),
  clusterCaCertificate: z.string().optional(),
  token: z.string().optional(),
  clientCertificate: z.string().optional(),
  clientKey: z.string().optional(),
  extraArguments: z
    .array(strictProps({ name: tokenOr(z.string().regex(/^[a-z_][a-z0-9_]*$/, { error: "must be a provider argument name (lowercase, digits, '_')" })), value: z.string(), sensitive: z.boolean().default(false), hcl: z.boolean().default(false) }))
    .default([]),
});

const propsSchema = strictProps({
  name: nonEmptyString(255),
  environments: z.union([z.literal("all"), z.array(ref.environment())], { error: 'must be "all" or a list of environments' }).default([]),
  exportShellVariables: z.boolean().default(false),
  tags: z.array(ref.tag()).default([]),
  aws: awsSchema.optional(),
  google: googleSchema.optional(),
  azure: azureSchema.optional(),
  kubernetes: kubernetesSchema.optional(),
}) satisfies z.ZodType<ProviderConfigurationProps>;

/** The cloud a provider configuration serves. */
export type ProviderConfigurationKind = "aws" | "google" | "azure" | "kubernetes";

/**
 * A Scalr provider configuration: credentials Scalr injects into runs, with no secret in the
 * configuration (secrets are references only, OIDC where the cloud offers it).
 *
 * For AWS the construct also creates the IAM role the configuration assumes: with OIDC, trusted
 * through the stack's `aws_iam_openid_connect_provider` for `https://scalr.io` (one per stack,
 * shared by its OIDC configurations: AWS allows one per URL and account) and scoped to the Scalr
 * account's runs (`scalr.io:sub`) and the audience; with role delegation, trusted by Scalr's IAM
 * user `scalr-saas` with the external ID. The stack needs an AWS provider for those resources.
 *
 * @example
 * new ProviderConfiguration(this, "AwsProd", {
 *   name: "aws-prod",
 *   aws: { auth: "oidc", scalrAccountName: "acme", managedPolicyArns: ["arn:aws:iam::123456789012:policy/scalr-deploy-network"] },
 * });
 */
export class ProviderConfiguration extends Construct {
  /** The `scalr_provider_configuration` resource (escape hatch). */
  public readonly resource: ScalrProviderConfiguration;
  /** The provider configuration ID (`pcfg-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly providerConfigurationId: string;
  /** The configuration name. */
  public readonly configurationName: string;
  /** The cloud it serves. */
  public readonly kind: ProviderConfigurationKind;
  /** The IAM role created for AWS configurations. */
  public readonly role?: IamRole;
  /** The stack's IAM OIDC provider this AWS OIDC configuration's role trusts (shared; undefined with `oidcProviderArn`). */
  public readonly oidcProvider?: IamOpenidConnectProvider;
  /** True when shared with every environment. */
  public readonly sharedWithAll: boolean;
  private readonly shares = new Map<string, string>();

  public constructor(scope: Construct, id: string, props: ProviderConfigurationProps) {
    super(scope, id);
    const ctx = { subject: this.node.path };
    const p = parseOrThrow(propsSchema, props, ctx);
    const kinds = (["aws", "google", "azure", "kubernetes"] as const).filter((k) => p[k] !== undefined);
    const kind = kinds[0];
    if (kind === undefined || kinds.length > 1) {
      throw fieldError(ctx, kinds.length > 1 ? (kinds[1] ?? "") : "", "exactly one of `aws`, `google`, `azure`, `kubernetes` must be set", kinds.length > 1 ? kinds.join(", ") : undefined, { sensitive: false });
    }
    checkUnique(ctx, "tags", p.tags, refKey);
    if (p.environments !== "all") checkUnique(ctx, "environments", p.environments, refKey);
    brand(this, "provider-configuration");
    ensureSensitiveOutputCheck(this);

    this.configurationName = p.name;
    this.kind = kind;
    this.sharedWithAll = p.environments === "all";

    const config: ProviderConfigurationConfig = {
      name: p.name,
      exportShellVariables: p.exportShellVariables,
      tagIds: p.tags.length > 0 ? tagIds(p.tags, this) : undefined,
      environments: this.sharedWithAll ? ["*"] : Lazy.listValue({ produce: () => [...this.shares.values()] }),
    };
    if (p.aws) {
      const { block, role, oidcProvider } = this.aws(ctx, p.name, p.aws);
      this.role = role;
      this.oidcProvider = oidcProvider;
      this.resource = new ScalrProviderConfiguration(this, "Resource", { ...config, aws: block });
    } else if (p.google) {
      this.resource = new ScalrProviderConfiguration(this, "Resource", { ...config, google: google(ctx, p.google) });
    } else if (p.azure) {
      this.resource = new ScalrProviderConfiguration(this, "Resource", { ...config, azurerm: azure(ctx, p.azure) });
    } else {
      this.resource = new ScalrProviderConfiguration(this, "Resource", { ...config, custom: kubernetes(ctx, p.kubernetes!) });
    }
    this.providerConfigurationId = this.resource.id;
    if (p.environments !== "all") p.environments.forEach((e, i) => this.shareWith(e, { subject: this.node.path, field: `environments[${i}]` }));
  }


  /**
   * Shares the configuration with an environment (Scalr requires this before the environment or
   * its workspaces use it). Environment and Workspace call it for the configurations they use.
   * @param requester construct path and field named in errors @default - this construct's `environments`
   */
  public shareWith(environment: Environment | string, requester: { readonly subject: string; readonly field: string } = { subject: this.node.path, field: "environments" }): void {
    if (this.sharedWithAll) return;
    if (isKind(environment, "environment")) {
      const env = environment as Environment;
      if (TerraformStack.of(env) !== TerraformStack.of(this)) {
        throw fieldError(
          { subject: requester.subject },
          requester.field,
          `cannot share ${this.node.path} with ${env.node.path} automatically: they are in different stacks (the references would run both ways); share the configuration with "all" or list the environment's ID in its \`environments\``,
          this.configurationName,
          { sensitive: false },
        );
      }
      this.shares.set(env.node.path, env.environmentId);
    } else {
      this.shares.set(`id:${environment as string}`, environment as string);
    }
  }

  private aws(ctx: { subject: string }, name: string, a: z.output<typeof awsSchema>) {
    const f = (field: string) => `aws.${field}`;
    const oidc = a.auth === "oidc";
    const only = (field: keyof typeof a, auth: string) => {
      if (a[field] !== undefined && a.auth !== auth) {
        throw fieldError(ctx, f(field), `applies only to auth "${auth}"`, a[field], { sensitive: false });
      }
    };
    only("oidcProviderArn", "oidc");
    only("scalrAccountName", "oidc");
    only("externalId", "role-delegation");
    only("scalrPrincipalAccountId", "role-delegation");
    if (a.existingRoleArn !== undefined) {
      for (const field of ["roleName", "oidcProviderArn", "scalrAccountName", "scalrPrincipalAccountId"] as const) {
        if (a[field] !== undefined) throw fieldError(ctx, f(field), "cannot be combined with `existingRoleArn`: no role is created", a[field], { sensitive: false });
      }
      if (a.managedPolicyArns.length > 0) throw fieldError(ctx, f("managedPolicyArns"), "cannot be combined with `existingRoleArn`: no role is created", a.managedPolicyArns);
    }
    if (!oidc && a.externalId === undefined) throw fieldError(ctx, f("externalId"), 'is required for auth "role-delegation"', undefined);
    if (oidc && a.existingRoleArn === undefined && a.scalrAccountName === undefined) {
      throw fieldError(ctx, f("scalrAccountName"), 'is required for auth "oidc": the role trusts only this Scalr account\'s runs', undefined);
    }
    if (!oidc && a.accountType !== "regular" && a.existingRoleArn === undefined && a.scalrPrincipalAccountId === undefined) {
      throw fieldError(ctx, f("scalrPrincipalAccountId"), `is required for account type "${a.accountType}": Scalr SaaS's account ${SCALR_SAAS_AWS_ACCOUNT_ID} is in the commercial partition`, undefined);
    }
    const roleName = a.roleName ?? `scalr-${name}`;
    if (a.existingRoleArn === undefined && !isToken(roleName) && !ROLE_NAME.test(roleName)) {
      throw fieldError(ctx, f("roleName"), `is required: the default "scalr-<name>" is not a valid IAM role name (1–64 letters, digits or +=,.@_-)`, roleName, { sensitive: false });
    }
    checkUnique(ctx, f("managedPolicyArns"), a.managedPolicyArns);

    const partition = PARTITION[a.accountType];
    let role: IamRole | undefined;
    let oidcProvider: IamOpenidConnectProvider | undefined;
    if (a.existingRoleArn === undefined) {
      let statement: Record<string, unknown>;
      if (oidc) {
        const providerArn = a.oidcProviderArn ?? (oidcProvider = stackOidcProvider(this, a.audience)).arn;
        statement = {
          Effect: "Allow",
          Principal: { Federated: providerArn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "scalr.io:aud": a.audience },
            StringLike: { "scalr.io:sub": a.allowedSubjects.map((s) => `account:${a.scalrAccountName}:environment:${s.environment}:workspace:${s.workspace}`) },
          },
        };
      } else {
        statement = {
          Effect: "Allow",
          // Scalr SaaS assumes the role as its IAM user scalr-saas; another installation's user is not
          // known here (a trust policy naming a user that does not exist is rejected), so its whole
          // account is trusted and the external ID separates tenants.
          Principal: {
            AWS:
              a.scalrPrincipalAccountId === undefined
                ? `arn:${partition}:iam::${SCALR_SAAS_AWS_ACCOUNT_ID}:user/${SCALR_SAAS_AWS_USER_NAME}`
                : `arn:${partition}:iam::${a.scalrPrincipalAccountId}:root`,
          },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": a.externalId } },
        };
      }
      role = new IamRole(this, "Role", {
        name: roleName,
        description: `Assumed by Scalr runs through the provider configuration "${name}".`,
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
        maxSessionDuration: a.maxSessionDurationSeconds,
      });
      if (a.managedPolicyArns.length > 0) {
        new IamRolePolicyAttachmentsExclusive(this, "RolePolicies", { roleName: role.name, policyArns: [...a.managedPolicyArns] });
      }
    }
    const block = {
      credentialsType: oidc ? "oidc" : "role_delegation",
      accountType: a.accountType,
      roleArn: a.existingRoleArn ?? role!.arn,
      audience: oidc ? a.audience : undefined,
      trustedEntityType: oidc ? undefined : "aws_account",
      externalId: oidc ? undefined : a.externalId,
      defaultTags: a.defaultTags ? { tags: { ...a.defaultTags }, strategy: "update" } : undefined,
    };
    return { block, role, oidcProvider };
  }
}

const oidcProviders = new WeakMap<TerraformStack, { readonly provider: IamOpenidConnectProvider; readonly audiences: Set<string> }>();

/**
 * The stack's IAM OIDC provider for `https://scalr.io`, made by the first OIDC configuration that
 * needs it: AWS accepts one provider per URL in an account, so a second one would fail at apply.
 * It lives under the stack (id `ScalrOidcProvider`), not under a configuration, so removing that
 * configuration does not replace it; its audiences are the union of the configurations'.
 */
function stackOidcProvider(scope: Construct, audience: string): IamOpenidConnectProvider {
  const stack = TerraformStack.of(scope);
  let entry = oidcProviders.get(stack);
  if (!entry) {
    const audiences = new Set<string>();
    const provider = new IamOpenidConnectProvider(stack, "ScalrOidcProvider", {
      url: SCALR_OIDC_ISSUER,
      clientIdList: Lazy.listValue({ produce: () => [...audiences].sort() }),
    });
    oidcProviders.set(stack, (entry = { provider, audiences }));
  }
  entry.audiences.add(audience);
  return entry.provider;
}

function google(ctx: { subject: string }, g: z.output<typeof googleSchema>) {
  if (g.auth === "oidc") {
    for (const field of ["serviceAccountEmail", "workloadProviderName"] as const) {
      if (g[field] === undefined) throw fieldError(ctx, `google.${field}`, 'is required for auth "oidc"', undefined);
    }
    if (g.serviceAccountKey !== undefined) throw fieldError(ctx, "google.serviceAccountKey", 'applies only to auth "service-account-key"', g.serviceAccountKey, { sensitive: true });
  } else {
    if (g.serviceAccountKey === undefined) throw fieldError(ctx, "google.serviceAccountKey", 'is required for auth "service-account-key"', undefined);
    requireReference(ctx, "google.serviceAccountKey", g.serviceAccountKey);
  }
  return {
    authType: g.auth,
    project: g.project,
    serviceAccountEmail: g.serviceAccountEmail,
    workloadProviderName: g.workloadProviderName,
    credentials: g.serviceAccountKey,
  };
}

function azure(ctx: { subject: string }, a: z.output<typeof azureSchema>) {
  if (a.auth === "oidc") {
    if (a.audience === undefined) throw fieldError(ctx, "azure.audience", 'is required for auth "oidc"', undefined);
    if (a.clientSecret !== undefined) throw fieldError(ctx, "azure.clientSecret", 'applies only to auth "client-secret"', a.clientSecret, { sensitive: true });
  } else {
    if (a.clientSecret === undefined) throw fieldError(ctx, "azure.clientSecret", 'is required for auth "client-secret"', undefined);
    requireReference(ctx, "azure.clientSecret", a.clientSecret);
    if (a.audience !== undefined) throw fieldError(ctx, "azure.audience", 'applies only to auth "oidc"', a.audience);
  }
  return {
    authType: a.auth === "oidc" ? "oidc" : "client-secrets",
    clientId: a.clientId,
    tenantId: a.tenantId,
    subscriptionId: a.subscriptionId,
    audience: a.audience,
    // The schema does not mark client_secret sensitive: mark it here so plans redact it.
    clientSecret: a.clientSecret === undefined ? undefined : Fn.sensitive(a.clientSecret),
  };
}

function kubernetes(ctx: { subject: string }, k: z.output<typeof kubernetesSchema>) {
  requireReference(ctx, "kubernetes.token", k.token);
  requireReference(ctx, "kubernetes.clientKey", k.clientKey);
  if ((k.clientCertificate === undefined) !== (k.clientKey === undefined)) {
    const missing = k.clientKey === undefined ? "clientKey" : "clientCertificate";
    throw fieldError(ctx, `kubernetes.${missing}`, "is required with `clientCertificate`/`clientKey`: they authenticate together", undefined);
  }
  k.extraArguments.forEach((arg, i) => {
    if (arg.sensitive) requireReference(ctx, `kubernetes.extraArguments[${i}].value`, arg.value);
  });
  const args: ProviderConfigurationCustomArgument[] = [];
  const add = (name: string, value: string | undefined, sensitive = false, hcl = false) => {
    if (value !== undefined) args.push({ name, value: sensitive ? Fn.sensitive(value) : value, sensitive, hcl });
  };
  add("host", k.host);
  add("cluster_ca_certificate", k.clusterCaCertificate);
  add("token", k.token, true);
  add("client_certificate", k.clientCertificate);
  add("client_key", k.clientKey, true);
  const typed = ["host", "cluster_ca_certificate", "token", "client_certificate", "client_key"];
  k.extraArguments.forEach((arg, i) => {
    if (typed.includes(arg.name)) throw fieldError(ctx, `kubernetes.extraArguments[${i}].name`, `is a typed field's argument (${typed.join(", ")}): set that field instead`, arg.name);
  });
  checkUnique(ctx, "kubernetes.extraArguments", k.extraArguments.map((a) => a.name));
  for (const arg of k.extraArguments) add(arg.name, arg.value, arg.sensitive, arg.hcl);
  return { providerName: "kubernetes", argument: args };
}
