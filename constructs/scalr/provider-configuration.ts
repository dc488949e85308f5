import type { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { loadOptionalPeer } from "../../core/optional-peer";
import { Fn, Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IAM_ROLE_NAME } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral, terraformLiterals } from "../../core/terraform-literal";
import { fieldError, isToken, strictProps } from "../../core/validation";
import {
  ProviderConfiguration as ScalrProviderConfiguration,
  ProviderConfigurationConfig,
  ProviderConfigurationCustomArgument,
} from "../../providers/scalr/generated/providers/scalr/provider-configuration";
import { customProviderArgumentFields, providerConfigurationFields } from "./field-rules";
import type { IEnvironment, IProviderConfiguration, ITag, ProviderConfigurationKind, ShareRequester } from "./interfaces";
import { brand, checkUnique, isKind, ref, refKey, requireReference, tagIds } from "./references";
import { stackOidcProvider } from "./scalr-oidc-provider";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";


/** The Scalr SaaS AWS account that role-delegation roles trust (docs.scalr.io, "AWS"). */
export const SCALR_SAAS_AWS_ACCOUNT_ID = "919814621061";
/** The IAM user of that account that assumes role-delegation roles (docs.scalr.io, "AWS Credentials"). */
export const SCALR_SAAS_AWS_USER_NAME = "scalr-saas";

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
  readonly environments?: "all" | readonly (IEnvironment | string)[];
  /** Export the provider's variables into the run's shell. @default false */
  readonly exportShellVariables?: boolean;
  /** @default [] */
  readonly tags?: readonly (ITag | string)[];
  /** AWS. @default - not AWS */
  readonly aws?: AwsProviderConfigurationOptions;
  /** Google Cloud. @default - not Google */
  readonly google?: GoogleProviderConfigurationOptions;
  /** Azure. @default - not Azure */
  readonly azure?: AzureProviderConfigurationOptions;
  /** Kubernetes. @default - not Kubernetes */
  readonly kubernetes?: KubernetesProviderConfigurationOptions;
}

const PARTITION = { regular: "aws", "gov-cloud": "aws-us-gov", "cn-cloud": "aws-cn" } as const;

type AwsOptions = NonNullable<z.output<typeof providerConfigurationFields.aws>>;
type GoogleOptions = NonNullable<z.output<typeof providerConfigurationFields.google>>;
type AzureOptions = NonNullable<z.output<typeof providerConfigurationFields.azure>>;
type KubernetesOptions = NonNullable<z.output<typeof providerConfigurationFields.kubernetes>>;

// Fields in the order of ProviderConfigurationProps (the order "did you mean" hints weigh ties in).
const propsSchema = strictProps({
  name: providerConfigurationFields.name,
  environments: z.union([z.literal("all"), z.array(ref.environment())], { error: 'must be "all" or a list of environments' }).default([]),
  exportShellVariables: providerConfigurationFields.exportShellVariables,
  tags: z.array(ref.tag()).default([]),
  aws: providerConfigurationFields.aws,
  google: providerConfigurationFields.google,
  azure: providerConfigurationFields.azure,
  kubernetes: providerConfigurationFields.kubernetes,
}) satisfies z.ZodType<ProviderConfigurationProps>;

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
export class ProviderConfiguration extends Construct implements IProviderConfiguration {
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
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["tags"], () => checkUnique(issues, "tags", p.tags, refKey));
    issues.rule(["environments"], () => {
      if (p.environments !== "all") checkUnique(issues, "environments", p.environments, refKey);
    });
    if (p?.aws) checkAws(issues, p.aws, () => (issues.has("name") ? undefined : p.name));
    if (p?.google) checkGoogle(issues, p.google);
    if (p?.azure) checkAzure(issues, p.azure);
    // Which clouds are set does not depend on what is inside them: read from the input itself.
    const raw = typeof props === "object" && props !== null ? (props as unknown as Record<string, unknown>) : undefined;
    if (raw?.kubernetes !== undefined) checkKubernetes(issues, p?.kubernetes ?? {}, (raw.kubernetes as { extraArguments?: unknown } | null)?.extraArguments);
    const kinds = CLOUDS.filter((k) => raw?.[k] !== undefined);
    issues.rule(raw ? [] : [""], () => {
      if (kinds.length !== 1) {
        issues.add(kinds.length > 1 ? (kinds[1] ?? "") : "", "exactly one of `aws`, `google`, `azure`, `kubernetes` must be set", kinds.length > 1 ? kinds.join(", ") : undefined, { sensitive: false });
      }
    });
    issues.throwIfAny();
    const kind = kinds[0]!;
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
    // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
    if (p.aws) {
      const { block, role, oidcProvider } = this.aws(p.name, p.aws);
      this.role = role;
      this.oidcProvider = oidcProvider;
      this.resource = new ScalrProviderConfiguration(this, "Resource", terraformLiterals({ ...config, aws: block }));
    } else if (p.google) {
      this.resource = new ScalrProviderConfiguration(this, "Resource", terraformLiterals({ ...config, google: google(p.google) }));
    } else if (p.azure) {
      this.resource = new ScalrProviderConfiguration(this, "Resource", terraformLiterals({ ...config, azurerm: azure(p.azure) }));
    } else {
      this.resource = new ScalrProviderConfiguration(this, "Resource", terraformLiterals({ ...config, custom: kubernetes(p.kubernetes!) }));
    }
    this.providerConfigurationId = this.resource.id;
    if (p.environments !== "all") {
      // Every environment it cannot share with, together.
      const sharing = new IssueCollector({ subject: this.node.path });
      p.environments.forEach((e, i) => sharing.collect(() => this.shareWith(e, { subject: this.node.path, field: `environments[${i}]` })));
      sharing.throwIfAny();
    }
  }


  /**
   * Shares the configuration with an environment (Scalr requires this before the environment or
   * its workspaces use it). Environment and Workspace call it for the configurations they use.
   * @param requester construct path and field named in errors @default - this construct's `environments`
   */
  public shareWith(environment: IEnvironment | string, requester: ShareRequester = { subject: this.node.path, field: "environments" }): void {
    if (this.sharedWithAll) return;
    if (isKind(environment, "environment")) {
      const env = environment as IEnvironment;
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

  /** The `aws` block and the IAM resources of an AWS configuration ({@link checkAws} has checked `a`). */
  private aws(name: string, a: AwsOptions) {
    const oidc = a.auth === "oidc";
    const roleName = a.roleName ?? `scalr-${name}`;
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
            StringEquals: { "scalr.io:aud": terraformLiteral(a.audience) },
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
      // @cdktf/provider-aws is an optional peer dependency: loaded here, when an AWS configuration creates its role.
      const aws = loadOptionalPeer(
        "@cdktf/provider-aws",
        () => ({
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
          ...(require("@cdktf/provider-aws/lib/iam-role") as typeof import("@cdktf/provider-aws/lib/iam-role")),
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
          ...(require("@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive") as typeof import("@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive")),
        }),
        { subject: this.node.path },
        "aws",
      );
      role = new aws.IamRole(this, "Role", {
        name: roleName,
        description: terraformLiteral(`Assumed by Scalr runs through the provider configuration "${name}".`),
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
        maxSessionDuration: a.maxSessionDurationSeconds,
      });
      if (a.managedPolicyArns.length > 0) {
        new aws.IamRolePolicyAttachmentsExclusive(this, "RolePolicies", { roleName: role.name, policyArns: [...a.managedPolicyArns] });
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

/** The clouds a configuration may serve, one of which it must. */
const CLOUDS = ["aws", "google", "azure", "kubernetes"] as const;

/** The cross-field rules of `aws` (`name` is the configuration's name, or undefined when invalid). */
function checkAws(issues: IssueCollector, a: Partial<AwsOptions>, name: () => string | undefined): void {
  const f = (field: string) => `aws.${field}`;
  // A rule per field, each skipped when its field already has a problem: one issue per field.
  const only = (field: keyof typeof a, auth: string) =>
    issues.rule([f("auth"), f(field)], () => {
      if (a[field] !== undefined && a.auth !== auth) issues.add(f(field), `applies only to auth "${auth}"`, a[field], { sensitive: false });
    });
  only("oidcProviderArn", "oidc");
  only("scalrAccountName", "oidc");
  only("externalId", "role-delegation");
  only("scalrPrincipalAccountId", "role-delegation");
  for (const field of ["roleName", "oidcProviderArn", "scalrAccountName", "scalrPrincipalAccountId"] as const) {
    issues.rule([f("existingRoleArn"), f(field)], () => {
      if (a.existingRoleArn !== undefined && a[field] !== undefined) issues.add(f(field), "cannot be combined with `existingRoleArn`: no role is created", a[field], { sensitive: false });
    });
  }
  issues.rule([f("existingRoleArn"), f("managedPolicyArns")], () => {
    if (a.existingRoleArn !== undefined && a.managedPolicyArns !== undefined && a.managedPolicyArns.length > 0) {
      issues.add(f("managedPolicyArns"), "cannot be combined with `existingRoleArn`: no role is created", a.managedPolicyArns);
    }
  });
  issues.rule([f("auth"), f("externalId")], () => {
    if (a.auth === "role-delegation" && a.externalId === undefined) issues.add(f("externalId"), 'is required for auth "role-delegation"', undefined);
  });
  issues.rule([f("auth"), f("existingRoleArn"), f("scalrAccountName")], () => {
    if (a.auth === "oidc" && a.existingRoleArn === undefined && a.scalrAccountName === undefined) {
      issues.add(f("scalrAccountName"), 'is required for auth "oidc": the role trusts only this Scalr account\'s runs', undefined);
    }
  });
  issues.rule([f("auth"), f("accountType"), f("existingRoleArn"), f("scalrPrincipalAccountId")], () => {
    if (a.auth === "role-delegation" && a.accountType !== "regular" && a.existingRoleArn === undefined && a.scalrPrincipalAccountId === undefined) {
      issues.add(f("scalrPrincipalAccountId"), `is required for account type "${a.accountType}": Scalr SaaS's account ${SCALR_SAAS_AWS_ACCOUNT_ID} is in the commercial partition`, undefined);
    }
  });
  issues.rule(["name", f("existingRoleArn"), f("roleName")], () => {
    const configurationName = name();
    if (a.existingRoleArn !== undefined || a.roleName !== undefined || configurationName === undefined) return;
    const roleName = `scalr-${configurationName}`;
    if (!isToken(roleName) && !IAM_ROLE_NAME.test(roleName)) {
      issues.add(f("roleName"), `is required: the default "scalr-<name>" is not a valid IAM role name (1–64 letters, digits or +=,.@_-)`, roleName, { sensitive: false });
    }
  });
  issues.rule([f("managedPolicyArns")], () => checkUnique(issues, f("managedPolicyArns"), a.managedPolicyArns ?? []));
}

/** The cross-field rules of `google`. */
function checkGoogle(issues: IssueCollector, g: Partial<GoogleOptions>): void {
  const f = (field: string) => `google.${field}`;
  for (const field of ["serviceAccountEmail", "workloadProviderName"] as const) {
    issues.rule([f("auth"), f(field)], () => {
      if (g.auth === "oidc" && g[field] === undefined) issues.add(f(field), 'is required for auth "oidc"', undefined);
    });
  }
  issues.rule([f("auth"), f("serviceAccountKey")], () => {
    if (g.auth === "oidc" && g.serviceAccountKey !== undefined) issues.add(f("serviceAccountKey"), 'applies only to auth "service-account-key"', g.serviceAccountKey, { sensitive: true });
    if (g.auth === "service-account-key") {
      if (g.serviceAccountKey === undefined) issues.add(f("serviceAccountKey"), 'is required for auth "service-account-key"', undefined);
      else requireReference(issues, f("serviceAccountKey"), g.serviceAccountKey);
    }
  });
}

function google(g: GoogleOptions) {
  return {
    authType: g.auth,
    project: g.project,
    serviceAccountEmail: g.serviceAccountEmail,
    workloadProviderName: g.workloadProviderName,
    credentials: g.serviceAccountKey,
  };
}

/** The cross-field rules of `azure`. */
function checkAzure(issues: IssueCollector, a: Partial<AzureOptions>): void {
  const f = (field: string) => `azure.${field}`;
  issues.rule([f("auth"), f("audience")], () => {
    if (a.auth === "oidc" && a.audience === undefined) issues.add(f("audience"), 'is required for auth "oidc"', undefined);
    if (a.auth === "client-secret" && a.audience !== undefined) issues.add(f("audience"), 'applies only to auth "oidc"', a.audience);
  });
  issues.rule([f("auth"), f("clientSecret")], () => {
    if (a.auth === "oidc" && a.clientSecret !== undefined) issues.add(f("clientSecret"), 'applies only to auth "client-secret"', a.clientSecret, { sensitive: true });
    if (a.auth === "client-secret") {
      if (a.clientSecret === undefined) issues.add(f("clientSecret"), 'is required for auth "client-secret"', undefined);
      else requireReference(issues, f("clientSecret"), a.clientSecret);
    }
  });
}

function azure(a: AzureOptions) {
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

/** The Kubernetes provider arguments the typed fields set. */
/** One `kubernetes.extraArguments` entry, checked on its own. */
const ARGUMENT = strictProps(customProviderArgumentFields);

const TYPED_KUBERNETES_ARGUMENTS = ["host", "cluster_ca_certificate", "token", "client_certificate", "client_key"];

/** The cross-field rules of `kubernetes`. */
function checkKubernetes(issues: IssueCollector, k: Partial<KubernetesOptions>, rawExtraArguments: unknown): void {
  const f = (field: string) => `kubernetes.${field}`;
  issues.rule([f("token")], () => requireReference(issues, f("token"), k.token));
  issues.rule([f("clientKey")], () => requireReference(issues, f("clientKey"), k.clientKey));
  issues.rule([f("clientCertificate"), f("clientKey")], () => {
    if ((k.clientCertificate === undefined) !== (k.clientKey === undefined)) {
      const missing = k.clientKey === undefined ? "clientKey" : "clientCertificate";
      issues.add(f(missing), "is required with `clientCertificate`/`clientKey`: they authenticate together", undefined);
    }
  });
  // Each entry on its own: a mistake in one entry does not hide another entry's.
  const args = Array.isArray(rawExtraArguments) ? rawExtraArguments : (k.extraArguments ?? []);
  const entries = args.map((raw, i) => (issues.has(f(`extraArguments[${i}]`)) ? undefined : ARGUMENT.safeParse(raw).data));
  entries.forEach((arg, i) => {
    if (arg?.sensitive) requireReference(issues, f(`extraArguments[${i}].value`), arg.value);
  });
  entries.forEach((arg, i) => {
    if (arg && TYPED_KUBERNETES_ARGUMENTS.includes(arg.name)) {
      issues.add(f(`extraArguments[${i}].name`), `is a typed field's argument (${TYPED_KUBERNETES_ARGUMENTS.join(", ")}): set that field instead`, arg.name);
    }
  });
  issues.rule([f("extraArguments")], () => checkUnique(issues, f("extraArguments"), entries.map((a) => a?.name)));
}

function kubernetes(k: KubernetesOptions) {
  const args: ProviderConfigurationCustomArgument[] = [];
  const add = (name: string, value: string | undefined, sensitive = false, hcl = false) => {
    if (value !== undefined) args.push({ name, value: sensitive ? Fn.sensitive(value) : value, sensitive, hcl });
  };
  add("host", k.host);
  add("cluster_ca_certificate", k.clusterCaCertificate);
  add("token", k.token, true);
  add("client_certificate", k.clientCertificate);
  add("client_key", k.clientKey, true);
  for (const arg of k.extraArguments) add(arg.name, arg.value, arg.sensitive, arg.hcl);
  return { providerName: "kubernetes", argument: args };
}
