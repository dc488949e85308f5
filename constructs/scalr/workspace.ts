import { Construct } from "constructs";
import { z } from "zod";
import { fieldError, isToken, literalIntInRange, nonEmptyString, parseOrThrow, strictProps, tokenOr } from "../../core/validation";
import { Workspace as ScalrWorkspace, WorkspaceProviderConfiguration } from "../../providers/scalr/generated/providers/scalr/workspace";
import { AgentPool } from "./agent-pool";
import type { Environment } from "./environment";
import type { ProviderConfiguration } from "./provider-configuration";
import { SCALR_ID, agentPoolId, brand, checkUnique, idFromName, isKind, providerConfigurationId, ref, refKey, referenceFrom, tagIds } from "./references";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";
import type { Tag } from "./tag";
import { Variable, VariableOptions, VariableProps } from "./variable";
import { checkVariableOptions, checkedVariableProps, variableOptionsShape } from "./variable-options";

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

/** Shell commands run at the stages of a run (seed 004: pre-init, pre-plan, post-plan, pre-apply, post-apply). */
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
  readonly configuration: ProviderConfiguration | string;
  /** The provider alias the configuration serves in the workspace's code. @default - the default provider */
  readonly alias?: string;
}

/** Props of {@link Workspace}. A workspace is VCS-driven (`vcs`), module-driven (`moduleVersionId`) or, with neither, CLI-driven. */
export interface WorkspaceProps {
  /** Workspace name, unique in its environment. */
  readonly name: string;
  /** The environment (`Environment` or `env-…`). */
  readonly environment: Environment | string;
  /** VCS source. @default - not VCS-driven */
  readonly vcs?: WorkspaceVcsSource;
  /** Module version (`modver-…`) the workspace deploys. @default - not module-driven */
  readonly moduleVersionId?: string;
  /** Directory to run in, relative to the repository root. @default "" - the root */
  readonly workingDirectory?: string;
  /** The run agent pool (`AgentPool` or `apool-…`). @default - the environment's default pool */
  readonly agentPool?: AgentPool | string;
  /** @default "terraform" */
  readonly iacPlatform?: "terraform" | "opentofu";
  /** Terraform or OpenTofu version, e.g. `1.9.8`. @default - the latest Scalr offers */
  readonly version?: string;
  /** Apply without approval after a successful plan. @default false */
  readonly autoApply?: boolean;
  /** Minutes a run operation may take before Scalr stops it. @default - Scalr's default */
  readonly runTimeoutMinutes?: number;
  /** Run-stage hooks. @default - none */
  readonly hooks?: WorkspaceHooks;
  /** Provider configurations, each a configuration or `{ configuration, alias }`. Constructs are shared with the environment automatically. @default [] */
  readonly providerConfigurations?: readonly (ProviderConfiguration | string | WorkspaceProviderConfigurationLink)[];
  /** Workspace-scope variables, one `Variable` each (construct id `Variable-<category>-<key>`). @default [] */
  readonly variables?: readonly VariableOptions[];
  /** @default [] */
  readonly tags?: readonly (Tag | string)[];
  /** Refuse to delete the workspace while its state holds resources. @default true */
  readonly deletionProtection?: boolean;
  /** `.tfvars` files to use, relative to the working directory (none empty). @default [] */
  readonly varFiles?: readonly string[];
}

const REPOSITORY = /^[^/\s]+\/[^\s]+$/;
const VERSION = /^\d+\.\d+\.\d+$/;
const ALIAS = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const relativePath = (what: string, minLength = 0) =>
  tokenOr(
    z
      .string()
      .min(minLength)
      .refine((s) => !s.startsWith("/") && !s.split("/").includes(".."), { error: `must be a ${what} relative to the repository, without '..'` }),
  );
const hook = nonEmptyString(4096).optional();

const linkSchema = strictProps({
  configuration: ref.providerConfiguration(),
  alias: tokenOr(z.string().regex(ALIAS, { error: "must be a provider alias (letters, digits, '_' or '-')" })).optional(),
});

const propsSchema = strictProps({
  name: nonEmptyString(255),
  environment: ref.environment(),
  vcs: strictProps({
    providerId: tokenOr(z.string().regex(SCALR_ID.vcsProvider, { error: 'must be a VCS provider ID such as "vcs-v0o1example"' })),
    repository: tokenOr(z.string().regex(REPOSITORY, { error: 'must be a repository as "org/repo"' })),
    branch: nonEmptyString(255).optional(),
    versionConstraint: nonEmptyString(255).optional(),
    triggerPrefixes: z.array(relativePath("path")).default([]),
    triggerPatterns: z.array(nonEmptyString(1024)).default([]),
    dryRuns: z.boolean().default(true),
    submodules: z.boolean().default(false),
  }).optional(),
  moduleVersionId: tokenOr(z.string().regex(SCALR_ID.moduleVersion, { error: 'must be a module version ID such as "modver-v0o1example"' })).optional(),
  workingDirectory: relativePath("directory").default(""),
  agentPool: z
    .custom<AgentPool | string>((v) => v instanceof AgentPool || isToken(v) || (typeof v === "string" && SCALR_ID.agentPool.test(v)), {
      error: 'must be an AgentPool or an agent pool ID such as "apool-v0o1example"',
    })
    .optional(),
  iacPlatform: z.enum(["terraform", "opentofu"]).default("terraform"),
  version: tokenOr(z.string().regex(VERSION, { error: 'must be an exact version such as "1.9.8"' })).optional(),
  autoApply: z.boolean().default(false),
  runTimeoutMinutes: literalIntInRange(1, 10080).optional(),
  hooks: strictProps({ preInit: hook, prePlan: hook, postPlan: hook, preApply: hook, postApply: hook }).optional(),
  providerConfigurations: z
    .array(z.union([ref.providerConfiguration(), linkSchema], { error: 'must be a provider configuration, its ID, or { configuration, alias }' }))
    .default([]),
  variables: z.array(strictProps(variableOptionsShape)).default([]),
  tags: z.array(ref.tag()).default([]),
  deletionProtection: z.boolean().default(true),
  // Scalr rejects blank entries (`var_files` is not_blank): an empty path would fail at apply.
  varFiles: z.array(relativePath("file", 1)).default([]),
}) satisfies z.ZodType<WorkspaceProps>;

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
export class Workspace extends Construct {
  /** The `scalr_workspace` resource (escape hatch). */
  public readonly resource: ScalrWorkspace;
  /** The workspace ID (`ws-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly workspaceId: string;
  /** The workspace name. */
  public readonly workspaceName: string;
  /** The environment, when given as a construct. */
  public readonly environment?: Environment;
  /** The agent pool, when given as a construct. */
  public readonly agentPool?: AgentPool;
  /**
   * The environment's identity for inheritance checks: its construct path, or `id:<env-…>` for a
   * literal ID (undefined for a Terraform reference, which cannot be placed in the hierarchy).
   */
  public readonly environmentKey?: string;
  /** The workspace-scope variables created from `variables`, by `<category>:<key>`. */
  public readonly variables: ReadonlyMap<string, Variable>;

  public constructor(scope: Construct, id: string, props: WorkspaceProps) {
    super(scope, id);
    const ctx = { subject: this.node.path };
    const p = parseOrThrow(propsSchema, props, ctx);
    if (p.vcs && p.moduleVersionId !== undefined) {
      throw fieldError(ctx, "moduleVersionId", "cannot be combined with `vcs`: a workspace is VCS-driven, module-driven or CLI-driven", p.moduleVersionId);
    }
    if (p.vcs?.branch !== undefined && p.vcs.versionConstraint !== undefined) {
      throw fieldError(ctx, "vcs.versionConstraint", "cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint", p.vcs.versionConstraint);
    }
    if (p.vcs && p.vcs.triggerPrefixes.length > 0 && p.vcs.triggerPatterns.length > 0) {
      throw fieldError(ctx, "vcs.triggerPatterns", "cannot be combined with `vcs.triggerPrefixes`: Scalr takes one or the other", p.vcs.triggerPatterns);
    }
    if (p.agentPool instanceof AgentPool && p.agentPool.kind !== "run") {
      throw fieldError(ctx, "agentPool", `must be a run pool: ${p.agentPool.node.path} is a VCS pool`, p.agentPool.poolName);
    }
    const links = p.providerConfigurations.map((l) => (typeof l === "object" && l !== null && "configuration" in l && !isKind(l, "provider-configuration") ? l : { configuration: l as ProviderConfiguration | string, alias: undefined }));
    checkUnique(ctx, "providerConfigurations", links, (l) => `${String(refKey((l as Link).configuration))}|${(l as Link).alias ?? ""}`, (l) => refKey((l as Link).configuration));
    checkAliases(ctx, links);
    checkUnique(ctx, "tags", p.tags, refKey);
    p.variables.forEach((v, i) => checkVariableOptions(ctx, `variables[${i}].`, v));
    checkUnique(ctx, "variables", p.variables.map((v) => `${v.category}:${v.key}`), undefined, (k) => String(k).replace(/^[a-z]+:/, ""));
    brand(this, "workspace");
    ensureSensitiveOutputCheck(this);

    const env = p.environment;
    const envConstruct = isKind(env, "environment") ? (env as Environment) : undefined;
    this.workspaceName = p.name;
    this.environment = envConstruct;
    this.environmentKey = envConstruct ? envConstruct.node.path : isToken(env) ? undefined : `id:${env as string}`;
    this.agentPool = p.agentPool instanceof AgentPool ? p.agentPool : undefined;

    const vcs = p.vcs;
    this.resource = new ScalrWorkspace(this, "Resource", {
      name: p.name,
      environmentId: envConstruct ? referenceFrom(this, envConstruct, envConstruct.environmentId) : (env as string),
      agentPoolId: p.agentPool instanceof AgentPool ? referenceFrom(this, p.agentPool, agentPoolId(p.agentPool)) : p.agentPool,
      iacPlatform: p.iacPlatform,
      terraformVersion: p.version,
      autoApply: p.autoApply,
      runOperationTimeout: p.runTimeoutMinutes,
      workingDirectory: p.workingDirectory,
      deletionProtectionEnabled: p.deletionProtection,
      tagIds: tagIds(p.tags, this),
      varFiles: [...p.varFiles],
      moduleVersionId: p.moduleVersionId,
      vcsProviderId: vcs?.providerId,
      vcsRepo: vcs && [
        {
          identifier: vcs.repository,
          branch: vcs.branch,
          versionConstraint: vcs.versionConstraint,
          triggerPrefixes: vcs.triggerPrefixes.length > 0 ? [...vcs.triggerPrefixes] : undefined,
          triggerPatterns: vcs.triggerPatterns.length > 0 ? vcs.triggerPatterns.join("\n") : undefined,
          dryRunsEnabled: vcs.dryRuns,
          ingressSubmodules: vcs.submodules,
        },
      ],
      hooks: p.hooks && [
        {
          preInit: p.hooks.preInit ?? "",
          prePlan: p.hooks.prePlan ?? "",
          postPlan: p.hooks.postPlan ?? "",
          preApply: p.hooks.preApply ?? "",
          postApply: p.hooks.postApply ?? "",
        },
      ],
      providerConfiguration: links.length > 0 ? links.map((l): WorkspaceProviderConfiguration => ({ id: providerConfigurationId(l.configuration, this), alias: l.alias ?? "" })) : undefined,
    });
    this.workspaceId = this.resource.id;
    links.forEach((l, i) => {
      if (isKind(l.configuration, "provider-configuration")) {
        (l.configuration as ProviderConfiguration).shareWith(envConstruct ?? (env as string), { subject: this.node.path, field: `providerConfigurations[${i}]` });
      }
    });
    const variables = new Map<string, Variable>();
    // A plain loop: every frame between the app and the L1 constructor lengthens the stack trace
    // cdktf captures for each token and list (see references.ts).
    for (const v of p.variables) {
      const props: VariableProps = { ...v, workspace: this };
      checkedVariableProps.add(props);
      variables.set(`${v.category}:${v.key}`, new Variable(this, idFromName(`Variable-${v.category}`, v.key), props));
    }
    this.variables = variables;
  }

}

type Link = { readonly configuration: ProviderConfiguration | string; readonly alias?: string };

/**
 * Throws when two configurations of one provider kind serve the same alias (or both the default,
 * unaliased provider): the workspace's code could not tell them apart. Different kinds may share an
 * alias (`aws.east`, `google.east`). Configurations given as IDs have no known kind and are skipped.
 */
function checkAliases(ctx: { subject: string }, links: readonly Link[]): void {
  const seen = new Map<string, number>();
  links.forEach((l, i) => {
    if (!isKind(l.configuration, "provider-configuration") || isToken(l.alias)) return;
    const kind = (l.configuration as ProviderConfiguration).kind;
    const key = `${kind}|${l.alias ?? ""}`;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
      return;
    }
    const field = `providerConfigurations[${i}].alias`;
    if (l.alias === undefined) {
      throw fieldError(ctx, field, `is required: providerConfigurations[${first}] is already the default (unaliased) ${kind} configuration, and aliases must be unique per provider kind`, undefined);
    }
    throw fieldError(ctx, field, `is already the alias of the ${kind} configuration providerConfigurations[${first}]: aliases must be unique per provider kind`, l.alias, { sensitive: false });
  });
}
