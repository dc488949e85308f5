import { Annotations } from "cdktf";
import { Construct } from "constructs";
import type { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { isToken } from "../../core/validation";
import { Workspace as ScalrWorkspace, WorkspaceProviderConfiguration } from "../../providers/scalr/generated/providers/scalr/workspace";
import { referenceFrom } from "./cross-stack-reference";
import { renderedCategory } from "./field-rules";
import type { IAgentPool, IEnvironment, IProviderConfiguration, ITag, IWorkspace } from "./interfaces";
import { brand, checkUnique, idFromName, isKind, providerConfigurationId, refKey, tagIds } from "./references";
import { isWarned, markWarned } from "./reported-warnings";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";
import { Variable, VariableOptions, VariableProps } from "./variable";
import { ResolvedVariableOptions, checkVariableOptions, checkedVariableProps } from "./variable-options";
import { ParsedWorkspaceProps, checkedWorkspaceProps, workspacePropsSchema } from "./workspace-props";
import { OidcRunOptions, TerraformRcOptions, checkRunOptions, oidcWarnings, runOptionVariables } from "./run-options";

/** Where a VCS-driven workspace takes its configuration from. */
export interface WorkspaceVcsSource {
  /** The VCS provider (`vcs-…`). */
  readonly providerId: string;
  /** The repository as `org/repo`. */
  readonly repository: string;
  /** Branch to run from. @default - the repository's default branch (unless `versionConstraint`) */
  readonly branch?: string;
  /** Run on Git tags matching this version constraint (e.g. `~> 1.2`) instead of a branch. @default - none */
  readonly versionConstraint?: string;
  /** Paths, relative to the repository root, whose changes trigger a run (e.g. `network/`). @default [] - any change */
  readonly triggerPrefixes?: readonly string[];
  /** gitignore-style patterns whose matches trigger a run. @default [] - any change */
  readonly triggerPatterns?: readonly string[];
  /** Plan pull requests (dry runs). @default true */
  readonly dryRuns?: boolean;
  /** Clone git submodules. @default false */
  readonly submodules?: boolean;
}

/**
 * Shell commands run at the stages of a run: pre-init, pre-plan, post-plan, pre-apply, post-apply
 * (https://docs.scalr.io/docs/hooks-1, "Hooks Types").
 */
export interface WorkspaceHooks {
  /** Before `init`, e.g. install binaries. @default - none */
  readonly preInit?: string;
  /** Before `plan`, e.g. `terraform fmt -check`. @default - none */
  readonly prePlan?: string;
  /** After `plan`, e.g. export the plan. @default - none */
  readonly postPlan?: string;
  /** Before `apply`. @default - none */
  readonly preApply?: string;
  /** After `apply`, e.g. notify. @default - none */
  readonly postApply?: string;
}

/** A provider configuration linked to a workspace, optionally under a provider alias. */
export interface WorkspaceProviderConfigurationLink {
  /** The configuration (`ProviderConfiguration` or `pcfg-…`). */
  readonly configuration: IProviderConfiguration | string;
  /** The provider alias the configuration serves in the workspace's code. @default - the default provider */
  readonly alias?: string;
}

/** Props of {@link Workspace}. A workspace is VCS-driven (`vcs`), module-driven (`moduleVersionId`) or, with neither, CLI-driven. */
export interface WorkspaceProps {
  /** Workspace name, unique in its environment. */
  readonly name: string;
  /** The environment (`Environment` or `env-…`). */
  readonly environment: IEnvironment | string;
  /** VCS source. @default - not VCS-driven */
  readonly vcs?: WorkspaceVcsSource;
  /** Module version (`modver-…`) the workspace deploys. @default - not module-driven */
  readonly moduleVersionId?: string;
  /** Directory to run in, relative to the repository root. @default "" - the root */
  readonly workingDirectory?: string;
  /** The run agent pool (`AgentPool` or `apool-…`). @default - the environment's default pool */
  readonly agentPool?: IAgentPool | string;
  /** @default "terraform" */
  readonly iacPlatform?: "terraform" | "opentofu";
  /** Terraform or OpenTofu version, e.g. `1.9.8`. @default - the latest Scalr offers */
  readonly version?: string;
  /** Apply without approval after a successful plan. @default false */
  readonly autoApply?: boolean;
  /** Minutes a run operation may take before Scalr stops it. @default - Scalr's default */
  readonly runTimeoutMinutes?: number;
  /**
   * Run-stage hooks. With `iacPlatform: "opentofu"`, a hook that calls `terraform` warns at synth
   * time: the run's binary is `tofu`. Hooks are written literally (`${VAR}` reaches the shell).
   * @default - none
   */
  readonly hooks?: WorkspaceHooks;
  /** Provider configurations, each a configuration or `{ configuration, alias }`. Constructs are shared with the environment automatically. @default [] */
  readonly providerConfigurations?: readonly (IProviderConfiguration | string | WorkspaceProviderConfigurationLink)[];
  /** Workspace-scope variables, one `Variable` each (construct id `Variable-<category>-<key>`). @default [] */
  readonly variables?: readonly VariableOptions[];
  /** @default [] */
  readonly tags?: readonly (ITag | string)[];
  /** Refuse to delete the workspace while its state holds resources. @default true */
  readonly deletionProtection?: boolean;
  /** `.tfvars` files to use, relative to the working directory (none empty). @default [] */
  readonly varFiles?: readonly string[];
  /**
   * The Terraform CLI configuration of the workspace's runs, written as the shell variable
   * `SCALR_TERRAFORM_RC` (construct id `Variable-shell-SCALR_TERRAFORM_RC`; sensitive when it holds credentials).
   * @default - none (Scalr's default CLI configuration, or one inherited from the environment)
   */
  readonly terraformRc?: TerraformRcOptions;
  /**
   * The `aud` and `exp` of the runs' OIDC token, written as the shell variables `SCALR_OIDC_AUD` and
   * `SCALR_OIDC_EXP` (construct ids `Variable-shell-SCALR_OIDC_AUD`, `Variable-shell-SCALR_OIDC_EXP`).
   * @default - Scalr's defaults (the account name; the run operation timeout), or the environment's
   */
  readonly oidc?: OidcRunOptions;
}


/**
 * A Scalr workspace: VCS-driven, module-driven or CLI-driven; on an agent pool; Terraform or
 * OpenTofu at a version; with run-stage hooks, provider configurations (with aliases) and variables.
 *
 * @example
 * new Workspace(this, "Network", {
 *   name: "network", environment: prod, agentPool: pool, version: "1.9.8",
 *   vcs: { providerId: "vcs-v0o1example", repository: "acme/infra", branch: "main", triggerPrefixes: ["network/"] },
 *   workingDirectory: "network",
 *   providerConfigurations: [aws, { configuration: awsDr, alias: "dr" }],
 *   variables: [{ key: "cidr", value: "10.0.0.0/16" }],
 * });
 */
export class Workspace extends Construct implements IWorkspace {
  /** The `scalr_workspace` resource (escape hatch). */
  public readonly resource: ScalrWorkspace;
  /** The workspace ID (`ws-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly workspaceId: string;
  /** The workspace name. */
  public readonly workspaceName: string;
  /** The environment, when given as a construct. */
  public readonly environment?: IEnvironment;
  /** The agent pool, when given as a construct. */
  public readonly agentPool?: IAgentPool;
  /**
   * The environment's identity for inheritance checks: its construct path, or `id:<env-…>` for a
   * literal ID (undefined for a Terraform reference, which cannot be placed in the hierarchy).
   */
  public readonly environmentKey?: string;
  /** The workspace-scope variables created from `variables`, by `<category>:<key>`. */
  public readonly variables: ReadonlyMap<string, Variable>;
  /** The shell variables created from `terraformRc` and `oidc`, by key (`SCALR_TERRAFORM_RC`, `SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`). */
  public readonly runOptionVariables: ReadonlyMap<string, Variable>;

  public constructor(scope: Construct, id: string, props: WorkspaceProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    // Props the VendingMachine built from a spec entry it has parsed with the same field rules are
    // taken as they are; it has also given their warnings, at the spec's path and line.
    const trusted = props !== undefined && checkedWorkspaceProps.get(scope) === props;
    const p = trusted ? (props as ParsedWorkspaceProps) : issues.parse(workspacePropsSchema satisfies z.ZodType<WorkspaceProps>, props);
    const links = checkWorkspaceRules(issues, p);
    checkRunOptions(issues, p);
    issues.throwIfAny();
    brand(this, "workspace");
    ensureSensitiveOutputCheck(this);
    if (!trusted && !isWarned(props)) {
      for (const w of openTofuHookWarnings(p.iacPlatform, p.hooks)) Annotations.of(this).addWarning(`${this.node.path}: \`hooks.${w.stage}\` ${w.message}`);
      for (const w of oidcWarnings(p.oidc, p.runTimeoutMinutes, "workspace")) Annotations.of(this).addWarning(`${this.node.path}: \`${w.field}\` ${w.message}`);
    }

    const env = p.environment;
    const envConstruct = isKind(env, "environment") ? (env as IEnvironment) : undefined;
    const pool = isKind(p.agentPool, "agent-pool") ? (p.agentPool as IAgentPool) : undefined;
    this.workspaceName = p.name;
    this.environment = envConstruct;
    this.environmentKey = envConstruct ? envConstruct.node.path : isToken(env) ? undefined : `id:${env as string}`;
    this.agentPool = pool;

    const vcs = p.vcs;
    // Literal text (names, paths, branches, hooks: shell hooks often hold `${VAR}`) stays literal:
    // Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts). Every string
    // goes through `lit` (references pass unchanged), field by field: a generic walk of the object
    // costs more at thousands of workspaces.
    this.resource = new ScalrWorkspace(this, "Resource", {
      name: lit(p.name),
      // A construct's ID is a reference, unless a subclass (or another implementation) gives text.
      environmentId: lit(envConstruct ? referenceFrom(this, envConstruct, envConstruct.environmentId) : (env as string)),
      agentPoolId: lit(pool ? referenceFrom(this, pool, pool.poolId) : (p.agentPool as string | undefined)),
      iacPlatform: lit(p.iacPlatform),
      terraformVersion: lit(p.version),
      autoApply: p.autoApply,
      runOperationTimeout: p.runTimeoutMinutes,
      workingDirectory: lit(p.workingDirectory),
      deletionProtectionEnabled: p.deletionProtection,
      tagIds: p.tags.length === 0 ? [] : tagIds(p.tags, this).map(lit),
      varFiles: p.varFiles.map(lit),
      moduleVersionId: lit(p.moduleVersionId),
      vcsProviderId: lit(vcs?.providerId),
      vcsRepo: vcs && [
        {
          identifier: lit(vcs.repository),
          branch: lit(vcs.branch),
          versionConstraint: lit(vcs.versionConstraint),
          triggerPrefixes: vcs.triggerPrefixes.length > 0 ? vcs.triggerPrefixes.map(lit) : undefined,
          triggerPatterns: vcs.triggerPatterns.length > 0 ? lit(vcs.triggerPatterns.join("\n")) : undefined,
          dryRunsEnabled: vcs.dryRuns,
          ingressSubmodules: vcs.submodules,
        },
      ],
      hooks: p.hooks && [
        {
          preInit: lit(p.hooks.preInit ?? ""),
          prePlan: lit(p.hooks.prePlan ?? ""),
          postPlan: lit(p.hooks.postPlan ?? ""),
          preApply: lit(p.hooks.preApply ?? ""),
          postApply: lit(p.hooks.postApply ?? ""),
        },
      ],
      providerConfiguration: links.length > 0 ? links.map((l): WorkspaceProviderConfiguration => ({ id: lit(providerConfigurationId(l.configuration, this)), alias: lit(l.alias ?? "") })) : undefined,
    });
    this.workspaceId = this.resource.id;
    links.forEach((l, i) => {
      if (isKind(l.configuration, "provider-configuration")) {
        (l.configuration as IProviderConfiguration).shareWith(envConstruct ?? (env as string), { subject: this.node.path, field: `providerConfigurations[${i}]` });
      }
    });
    const variables = new Map<string, Variable>();
    // A plain loop: every frame between the app and the L1 constructor lengthens the stack trace
    // cdktf captures for each token and list (see cross-stack-reference.ts).
    for (let i = 0; i < p.variables.length; i++) {
      const v = p.variables[i]!;
      const variableProps = variablePropsOf(v, this);
      // The one warning a variable gives is for the category `env`: only then is there one to carry over.
      if (v.category === "env" && (trusted || isWarned(props.variables?.[i]))) markWarned(variableProps);
      checkedVariableProps.set(this, variableProps);
      variables.set(`${v.category}:${v.key}`, new Variable(this, idFromName(`Variable-${v.category}`, v.key), variableProps));
    }
    this.variables = variables;
    // The typed run options, after the `variables` (whose keys they were checked against).
    const runOptions = new Map<string, Variable>();
    for (const v of runOptionVariables(p.terraformRc, p.oidc)) {
      const variableProps = variablePropsOf(v, this);
      checkedVariableProps.set(this, variableProps);
      runOptions.set(v.key, new Variable(this, idFromName(`Variable-${v.category}`, v.key), variableProps));
    }
    this.runOptionVariables = runOptions;
  }

}

/**
 * The Workspace's rules across fields, each run unless a field it reads has a problem (what
 * {@link IssueCollector.rule} does, written out: a vending machine builds thousands of workspaces,
 * and a clean collector then makes no closure; none of the rules throws). Returns the
 * `providerConfigurations` as links, which the constructor uses once no rule has found a problem.
 */
function checkWorkspaceRules(issues: IssueCollector, p: ParsedWorkspaceProps): Link[] {
  let links: Link[] = [];
  if (issues.valid(["vcs", "moduleVersionId"]) && p.vcs && p.moduleVersionId !== undefined) {
    issues.add("moduleVersionId", "cannot be combined with `vcs`: a workspace is VCS-driven, module-driven or CLI-driven", p.moduleVersionId);
  }
  if (issues.valid(["vcs.branch", "vcs.versionConstraint"]) && p.vcs?.branch !== undefined && p.vcs.versionConstraint !== undefined) {
    issues.add("vcs.versionConstraint", "cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint", p.vcs.versionConstraint);
  }
  if (issues.valid(["vcs.triggerPrefixes", "vcs.triggerPatterns"]) && p.vcs && p.vcs.triggerPrefixes.length > 0 && p.vcs.triggerPatterns.length > 0) {
    issues.add("vcs.triggerPatterns", "cannot be combined with `vcs.triggerPrefixes`: Scalr takes one or the other", p.vcs.triggerPatterns);
  }
  if (issues.valid(["agentPool"]) && isKind(p.agentPool, "agent-pool") && (p.agentPool as IAgentPool).kind !== "run") {
    const pool = p.agentPool as IAgentPool;
    issues.add("agentPool", `must be a run pool: ${pool.node.path} is a VCS pool`, pool.poolName);
  }
  if (issues.valid(["providerConfigurations"])) {
    links = linksOf(p.providerConfigurations);
    checkUnique(issues, "providerConfigurations", links, (l) => `${String(refKey((l as Link).configuration))}|${(l as Link).alias ?? ""}`, (l) => refKey((l as Link).configuration));
    checkAliases(issues, links);
  }
  if (issues.valid(["tags"])) checkUnique(issues, "tags", p.tags, refKey);
  if (issues.valid(["variables"])) {
    for (let i = 0; i < p.variables.length; i++) checkVariableOptions(issues, `variables[${i}].`, p.variables[i]!);
    // `env` and `shell` are one category (DEPRECATED_VARIABLE_CATEGORIES).
    checkUnique(issues, "variables", p.variables.map((v) => `${renderedCategory(v.category)}:${v.key}`), undefined, (k) => String(k).replace(/^[a-z]+:/, ""));
  }
  return links;
}

/** A command word `terraform` in a hook (at the start, or after a separator, `(`, `$(` or a backtick). */
const CALLS_TERRAFORM = /(^|[\s;&|(`])terraform(?=$|[\s;&|)`])/m;

/**
 * Warnings for the hooks of an OpenTofu workspace that call `terraform`. Scalr runs OpenTofu
 * workspaces with `tofu` (its hook stages are "before `tofu init`", "before `tofu plan`", …:
 * https://docs.scalr.io/docs/hooks-1); whether a `terraform` binary is also on the run's PATH is
 * not documented, so this warns rather than fails (unverified: https://docs.scalr.io/docs/hooks-1).
 * @internal
 */
export function openTofuHookWarnings(
  iacPlatform: string | undefined,
  hooks: Partial<Record<keyof WorkspaceHooks, unknown>> | undefined,
): { readonly stage: keyof WorkspaceHooks; readonly message: string }[] {
  if (iacPlatform !== "opentofu" || hooks === undefined) return [];
  const out: { stage: keyof WorkspaceHooks; message: string }[] = [];
  for (const stage of ["preInit", "prePlan", "postPlan", "preApply", "postApply"] as const) {
    const hook = hooks[stage];
    if (typeof hook === "string" && !isToken(hook) && CALLS_TERRAFORM.test(hook)) {
      out.push({
        stage,
        message: `calls \`terraform\`, but the workspace runs OpenTofu (\`iacPlatform: "opentofu"\`), whose binary is \`tofu\`; a \`terraform\` binary may not exist in the run (unverified: https://docs.scalr.io/docs/hooks-1): call \`tofu\` instead`,
      });
    }
  }
  return out;
}

/**
 * The props of the Variable for a parsed `variables` entry of `workspace`: field by field, every
 * field named (`satisfies`), not a spread, which costs a microsecond at each of thousands of variables.
 */
function variablePropsOf(v: ResolvedVariableOptions, workspace: Workspace): VariableProps {
  return {
    key: v.key,
    value: v.value,
    category: v.category,
    final: v.final,
    sensitive: v.sensitive,
    hcl: v.hcl,
    description: v.description,
    allowPlaintextSensitiveValue: v.allowPlaintextSensitiveValue,
    workspace,
  } satisfies { readonly [K in keyof Required<ResolvedVariableOptions>]: unknown } & { workspace: Workspace };
}

/**
 * {@link terraformLiteral} of a string; any other value (undefined, or a token object where props
 * are any-typed) as it is, as `terraformLiterals` takes it.
 */
function lit<T>(value: T): T {
  return (typeof value === "string" ? terraformLiteral(value) : value) as T;
}

type Link = { readonly configuration: IProviderConfiguration | string; readonly alias?: string };

/** The `providerConfigurations` entries as links (a bare configuration serves the default provider). */
function linksOf(entries: readonly (IProviderConfiguration | string | Link)[]): Link[] {
  return entries.map((l) => (typeof l === "object" && l !== null && "configuration" in l && !isKind(l, "provider-configuration") ? l : { configuration: l as IProviderConfiguration | string, alias: undefined }));
}

/**
 * Reports configurations of one provider kind that serve the same alias (or both the default,
 * unaliased provider): the workspace's code could not tell them apart. Different kinds may share an
 * alias (`aws.east`, `google.east`). Configurations given as IDs have no known kind and are skipped,
 * and so are entries already reported as listed twice.
 */
function checkAliases(issues: IssueCollector, links: readonly Link[]): void {
  const seen = new Map<string, number>();
  links.forEach((l, i) => {
    if (!isKind(l.configuration, "provider-configuration") || isToken(l.alias) || issues.has(`providerConfigurations[${i}]`)) return;
    const kind = (l.configuration as IProviderConfiguration).kind;
    const key = `${kind}|${l.alias ?? ""}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    const field = `providerConfigurations[${i}].alias`;
    if (l.alias === undefined) {
      issues.add(field, `is required: providerConfigurations[${first}] is already the default (unaliased) ${kind} configuration, and aliases must be unique per provider kind`, undefined);
    } else {
      issues.add(field, `is already the alias of the ${kind} configuration providerConfigurations[${first}]: aliases must be unique per provider kind`, l.alias, { sensitive: false });
    }
  });
}
