/**
 * The vending machine's spec as users write it: a declarative description of a Scalr account
 * (agent pools, provider configurations, policy groups, tags, account variables, environments and
 * their workspaces), read from YAML or JSON (`readSpecText`) or given as plain data. Fields that a
 * construct also has take the construct's rules (`spec-schema.ts`); references between entries are
 * by name.
 */
import type { AgentAutoscalerPolicy } from "../constructs/autoscaling/agent-autoscaler";
import type { AwsProviderConfigurationOptions } from "../constructs/scalr/provider-configuration";
import type { OidcRunOptions, TerraformRcProviderInstallationMethod } from "../constructs/scalr/run-options";
import type { WorkspaceVcsSource } from "../constructs/scalr/workspace";

/**
 * The Terraform CLI configuration of a workspace's or environment's runs (`SCALR_TERRAFORM_RC`): the
 * construct's `terraformRc`, with each credentials token taken from a Terraform variable.
 */
export interface TerraformRcSpec {
  /** `provider_installation` methods, in order. @default [] */
  readonly providerInstallation?: readonly TerraformRcProviderInstallationMethod[];
  /** `plugin_cache_dir` in the run (`$HOME` is expanded by Terraform). @default - none */
  readonly pluginCacheDir?: string;
  /**
   * `credentials` blocks: the token of each is the name of a Terraform input variable (declared
   * `sensitive` in the stack that holds the Scalr variable) that you set at plan time.
   * @default []
   */
  readonly credentials?: readonly { readonly host: string; readonly tokenFromTerraformVariable: string }[];
  /** A whole CLI configuration instead of `providerInstallation` and `pluginCacheDir` (no `credentials` block in it). @default - rendered from the typed fields */
  readonly contents?: string;
  /** Lower scopes cannot redefine `SCALR_TERRAFORM_RC`. @default false */
  readonly final?: boolean;
}

/** The `aud` and `exp` of the OIDC token of a scope's runs (`SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`): the construct's `oidc`. */
export type OidcRunOptionsSpec = OidcRunOptions;

/** A variable in the spec, at account, environment or workspace scope. */
export interface VariableSpec {
  /** Terraform variable name, or shell/env variable name. */
  readonly key: string;
  /** Literal value. Sensitive variables take no literal: see `valueFromTerraformVariable`. @default "" */
  readonly value?: string;
  /**
   * The value of a sensitive variable: the name of a Terraform input variable (declared `sensitive`
   * in the stack that holds the Scalr variable) that you set at plan time, e.g. from a secret store.
   * The names of the kit's own constructs under a stack are reserved (see `RESERVED_TERRAFORM_VARIABLE_NAMES`).
   * @default - the literal `value`
   */
  readonly valueFromTerraformVariable?: string;
  /** @default "terraform" */
  readonly category?: "terraform" | "shell" | "env";
  /** Lower scopes cannot redefine the key. @default false */
  readonly final?: boolean;
  /** @default false */
  readonly sensitive?: boolean;
  /** The value is HCL (terraform variables only). @default false */
  readonly hcl?: boolean;
  /** @default "" */
  readonly description?: string;
}

/** A VCS provider that already exists in Scalr, given a name the spec refers to. */
export interface VcsProviderSpec {
  /** Name used in the spec (`workspaces[].vcs.provider`, `policyGroups[].vcsProvider`). */
  readonly name: string;
  /** The VCS provider ID (`vcs-…`). */
  readonly id: string;
}

/** An agent pool. */
export interface AgentPoolSpec {
  /** Pool name, unique in the spec. */
  readonly name: string;
  /** @default "run" */
  readonly kind?: "run" | "vcs";
  /** Pool tokens to issue. @default ["default"] */
  readonly tokens?: readonly string[];
  /**
   * How the fleet that serves this run pool scales on its queue. The fleet itself (a VmAgentFleet
   * or an EcsAgentService) lives in the platform's own stack; `VendingMachineStack.autoscale` gives
   * it an `AgentAutoscaler` with this policy. @default - not scaled by the kit
   */
  readonly autoscaling?: AgentPoolAutoscalingSpec;
}

/** The autoscaling of a run pool's fleet (see `AgentAutoscaler`). */
export interface AgentPoolAutoscalingSpec {
  /** The scaling policy: floors, the cost ceiling, warm agents, schedule windows, steps, cool-downs. */
  readonly policy: AgentAutoscalerPolicy;
  /** Runs one agent of the fleet takes at once (its AgentSettings `concurrency`). @default 1 */
  readonly agentConcurrency?: number;
}

/**
 * AWS credentials of a provider configuration (the role is created in the shared stack): the same
 * fields as the construct's, with literal values only (a spec holds no Terraform references).
 * `allowedSubjects` defaults to the environments the configuration is shared with, when those are
 * known (not `"all"`, and at least one).
 */
export type AwsProviderConfigurationSpec = AwsProviderConfigurationOptions;

/** A provider configuration: exactly one of `aws`, `google`, `azure` (OIDC only: the spec holds no secret). */
export interface ProviderConfigurationSpec {
  /** Name, unique in the spec. */
  readonly name: string;
  /** Environment names to share with, or `"all"`. @default [] - the environments that use it */
  readonly environments?: "all" | readonly string[];
  /** @default false */
  readonly exportShellVariables?: boolean;
  /** Tag names. @default [] */
  readonly tags?: readonly string[];
  /** @default - not AWS */
  readonly aws?: AwsProviderConfigurationSpec;
  /** @default - not Google */
  readonly google?: { readonly project?: string; readonly serviceAccountEmail: string; readonly workloadProviderName: string };
  /** @default - not Azure */
  readonly azure?: { readonly clientId: string; readonly tenantId: string; readonly subscriptionId?: string; readonly audience: string };
}

/** An OPA policy group. */
export interface PolicyGroupSpec {
  /** Name, unique in the spec. */
  readonly name: string;
  /** Name of a `vcsProviders` entry. */
  readonly vcsProvider: string;
  /** The repository holding the policies. */
  readonly repository: { readonly identifier: string; readonly branch?: string; readonly path?: string };
  /** @default - Scalr's default */
  readonly opaVersion?: string;
  /** @default - none */
  readonly commonFunctionsFolder?: string;
}

/** A workspace of an environment. */
export interface WorkspaceSpec {
  /** Name, unique in its environment. */
  readonly name: string;
  /** VCS source: the Workspace construct's, with the VCS provider by name. @default - not VCS-driven */
  readonly vcs?: Omit<WorkspaceVcsSource, "providerId"> & {
    /** Name of a `vcsProviders` entry. */
    readonly provider: string;
  };
  /** @default - not module-driven */
  readonly moduleVersionId?: string;
  /** @default "" */
  readonly workingDirectory?: string;
  /** Name of a run pool. @default - the environment's default pool */
  readonly agentPool?: string;
  /** @default "terraform" */
  readonly iacPlatform?: "terraform" | "opentofu";
  /** @default - the latest */
  readonly version?: string;
  /** @default false */
  readonly autoApply?: boolean;
  /** @default - Scalr's default */
  readonly runTimeoutMinutes?: number;
  /** @default - none */
  readonly hooks?: { readonly preInit?: string; readonly prePlan?: string; readonly postPlan?: string; readonly preApply?: string; readonly postApply?: string };
  /** Configuration names, or `{ configuration, alias }`. @default [] */
  readonly providerConfigurations?: readonly (string | { readonly configuration: string; readonly alias?: string })[];
  /** @default [] */
  readonly variables?: readonly VariableSpec[];
  /** Tag names. @default [] */
  readonly tags?: readonly string[];
  /** @default true */
  readonly deletionProtection?: boolean;
  /** @default [] */
  readonly varFiles?: readonly string[];
  /** The runs' Terraform CLI configuration (`SCALR_TERRAFORM_RC`). @default - none */
  readonly terraformRc?: TerraformRcSpec;
  /** The runs' OIDC token audience and expiry (`SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`). @default - Scalr's defaults */
  readonly oidc?: OidcRunOptionsSpec;
}

/** An environment and its workspaces. */
export interface EnvironmentSpec {
  /** Name, unique in the spec. */
  readonly name: string;
  /** Name of a run pool. @default - none */
  readonly defaultAgentPool?: string;
  /** Configuration names. @default [] */
  readonly defaultProviderConfigurations?: readonly string[];
  /** Policy group names. @default [] */
  readonly policyGroups?: readonly string[];
  /** Tag names. @default [] */
  readonly tags?: readonly string[];
  /** @default - Scalr's default */
  readonly remoteBackend?: boolean;
  /** @default true */
  readonly remoteBackendOverridable?: boolean;
  /** @default - the account's default */
  readonly storageProfileId?: string;
  /** @default true */
  readonly maskSensitiveOutput?: boolean;
  /** @default [] */
  readonly variables?: readonly VariableSpec[];
  /** @default [] */
  readonly workspaces?: readonly WorkspaceSpec[];
  /** The runs' Terraform CLI configuration (`SCALR_TERRAFORM_RC`), inherited by the workspaces. @default - none */
  readonly terraformRc?: TerraformRcSpec;
  /** The runs' OIDC token audience and expiry (`SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`), inherited by the workspaces. @default - Scalr's defaults */
  readonly oidc?: OidcRunOptionsSpec;
}

/** How the estate is split into Terraform stacks (states). */
export interface StacksSpec {
  /**
   * `none`: one stack. `environment`: a shared stack plus one stack per environment for its
   * workspaces. `shards`: a shared stack plus `shards` stacks, each workspace placed by a hash of
   * `<environment>/<workspace>` (stable when other entries are added or removed).
   * @default "none"
   */
  readonly split?: "none" | "environment" | "shards";
  /** Number of shard stacks (`split: shards`). Changing it moves workspaces between states. @default - required with `shards` */
  readonly shards?: number;
  /** Upper bound on workspaces in one stack; the spec is rejected beyond it. @default 1000 */
  readonly maxWorkspacesPerStack?: number;
}

/** The whole spec. */
export interface VendingMachineSpec {
  /** Spec format version. @default 1 */
  readonly version?: 1;
  /** @default - one stack */
  readonly stacks?: StacksSpec;
  /** @default [] */
  readonly vcsProviders?: readonly VcsProviderSpec[];
  /** @default [] */
  readonly agentPools?: readonly AgentPoolSpec[];
  /** Tag names created in the account. @default [] */
  readonly tags?: readonly string[];
  /** @default [] */
  readonly providerConfigurations?: readonly ProviderConfigurationSpec[];
  /** @default [] */
  readonly policyGroups?: readonly PolicyGroupSpec[];
  /** Account-scope variables. @default [] */
  readonly variables?: readonly VariableSpec[];
  /** @default [] */
  readonly environments?: readonly EnvironmentSpec[];
}
