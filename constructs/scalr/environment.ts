import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiterals } from "../../core/terraform-literal";
import { isToken, strictProps } from "../../core/validation";
import { Environment as ScalrEnvironment } from "../../providers/scalr/generated/providers/scalr/environment";
import { ProviderConfigurationDefault as ScalrProviderConfigurationDefault } from "../../providers/scalr/generated/providers/scalr/provider-configuration-default";
import { referenceFrom } from "./cross-stack-reference";
import { registerAccountName, warnDuplicateEnvironmentName } from "./account-names";
import { environmentFields, oidcRunOptionsFields, renderedCategory, terraformRcFields, variableFields } from "./field-rules";
import type { IAgentPool, IEnvironment, IPolicyGroup, IProviderConfiguration, ITag } from "./interfaces";
import { checkLinkable, linkName, linkPolicyGroup } from "./policy-group-links";
import { brand, checkUnique, idFromName, isKind, providerConfigurationId, ref, refKey, tagIds } from "./references";
import { isWarned, markWarned } from "./reported-warnings";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";
import { Variable, VariableOptions, VariableProps } from "./variable";
import { checkVariableOptions, checkedVariableProps } from "./variable-options";
import { OidcRunOptions, TerraformRcOptions, checkRunOptions, oidcWarnings, runOptionVariables } from "./run-options";
import { Annotations } from "cdktf";

/** Props of {@link Environment}. */
export interface EnvironmentProps {
  /** Environment name (unique in the Scalr account: a second environment of one name in the app warns). */
  readonly name: string;
  /**
   * The agent pool its workspaces run on unless they pick one (`default_workspace_agent_pool_id`):
   * a run pool, as an `AgentPool` or a pool ID.
   * @default - Scalr's shared runners (or the account's default pool)
   */
  readonly defaultAgentPool?: IAgentPool | string;
  /**
   * Provider configurations every workspace gets by default, one `scalr_provider_configuration_default`
   * each (construct id `ProviderConfigurationDefault-<configuration name or ID>`). Configurations
   * given as constructs are shared with the environment automatically.
   * @default []
   */
  readonly defaultProviderConfigurations?: readonly (IProviderConfiguration | string)[];
  /** @default [] */
  readonly tags?: readonly (ITag | string)[];
  /** Scalr keeps state and exports the remote backend. Cannot change after creation. @default - Scalr's default (enabled) */
  readonly remoteBackend?: boolean;
  /** Workspaces may override the remote backend setting. @default true */
  readonly remoteBackendOverridable?: boolean;
  /** Storage profile ID for state. @default - the account's default profile */
  readonly storageProfileId?: string;
  /** Policy groups enforced in the environment, each linked by a construct of this environment. @default [] */
  readonly policyGroups?: readonly (IPolicyGroup | string)[];
  /** Mask sensitive values in run console output. @default true */
  readonly maskSensitiveOutput?: boolean;
  /** Environment-scope variables, one `Variable` each (construct id `Variable-<category>-<key>`). @default [] */
  readonly variables?: readonly VariableOptions[];
  /**
   * The Terraform CLI configuration of the environment's runs, written as the environment-scope
   * shell variable `SCALR_TERRAFORM_RC` (construct id `Variable-shell-SCALR_TERRAFORM_RC`; sensitive
   * when it holds credentials), inherited by its workspaces like any shell variable.
   * @default - none
   */
  readonly terraformRc?: TerraformRcOptions;
  /**
   * The `aud` and `exp` of the OIDC token of every run in the environment, written as the shell
   * variables `SCALR_OIDC_AUD` and `SCALR_OIDC_EXP` (construct ids `Variable-shell-SCALR_OIDC_AUD`,
   * `Variable-shell-SCALR_OIDC_EXP`); `final` bars workspaces from overriding them.
   * @default - Scalr's defaults
   */
  readonly oidc?: OidcRunOptions;
}

// Fields in the order of EnvironmentProps (the order "did you mean" hints weigh ties in).
const propsSchema = strictProps({
  name: environmentFields.name,
  defaultAgentPool: ref.agentPool().optional(),
  defaultProviderConfigurations: z.array(ref.providerConfiguration()).default([]),
  tags: z.array(ref.tag()).default([]),
  remoteBackend: environmentFields.remoteBackend,
  remoteBackendOverridable: environmentFields.remoteBackendOverridable,
  storageProfileId: environmentFields.storageProfileId,
  policyGroups: z.array(ref.policyGroup()).default([]),
  maskSensitiveOutput: environmentFields.maskSensitiveOutput,
  variables: z.array(strictProps(variableFields)).default([]),
  terraformRc: strictProps(terraformRcFields).optional(),
  oidc: strictProps(oidcRunOptionsFields).optional(),
}) satisfies z.ZodType<EnvironmentProps>;

/**
 * A Scalr environment with the defaults its workspaces inherit: agent pool, provider
 * configurations, policy groups, variables, tags, remote backend and storage profile.
 *
 * @example
 * const pool = new AgentPool(this, "RunPool", { name: "aws-run" });
 * const aws = new ProviderConfiguration(this, "Aws", { name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } });
 * new Environment(this, "Prod", { name: "prod", defaultAgentPool: pool, defaultProviderConfigurations: [aws] });
 */
export class Environment extends Construct implements IEnvironment {
  /** The `scalr_environment` resource (escape hatch). */
  public readonly resource: ScalrEnvironment;
  /** The environment ID (`env-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly environmentId: string;
  /** The environment name. */
  public readonly environmentName: string;
  /** The environment-scope variables created from `variables`, by `<category>:<key>`. */
  public readonly variables: ReadonlyMap<string, Variable>;
  /** The shell variables created from `terraformRc` and `oidc`, by key (`SCALR_TERRAFORM_RC`, `SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`). */
  public readonly runOptionVariables: ReadonlyMap<string, Variable>;
  /** The default agent pool, when given as a construct. */
  public readonly defaultAgentPool?: IAgentPool;
  /** The `scalr_provider_configuration_default` resources, in the order of `defaultProviderConfigurations` (escape hatches). */
  public readonly providerConfigurationDefaults: readonly ScalrProviderConfigurationDefault[];

  public constructor(scope: Construct, id: string, props: EnvironmentProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["defaultAgentPool"], () => {
      const pool = p.defaultAgentPool;
      if (isKind(pool, "agent-pool") && (pool as IAgentPool).kind !== "run") {
        issues.add("defaultAgentPool", `must be a run pool: ${(pool as IAgentPool).node.path} is a VCS pool`, (pool as IAgentPool).poolName);
      }
    });
    issues.rule(["tags"], () => checkUnique(issues, "tags", p.tags, refKey));
    issues.rule(["defaultProviderConfigurations"], () => {
      checkUnique(issues, "defaultProviderConfigurations", p.defaultProviderConfigurations, defaultName, defaultName);
      p.defaultProviderConfigurations.forEach((c, i) => {
        if (isToken(defaultName(c)) && !issues.has(`defaultProviderConfigurations[${i}]`)) {
          issues.add(`defaultProviderConfigurations[${i}]`, "must be a construct or a literal ID here: the default's construct id derives from it", defaultName(c));
        }
      });
    });
    issues.rule(["policyGroups"], () => {
      checkUnique(issues, "policyGroups", p.policyGroups, linkName, linkName);
      checkLinkable(issues, "policyGroups", p.policyGroups);
    });
    issues.rule(["variables"], () => {
      p.variables.forEach((v, i) => checkVariableOptions(issues, `variables[${i}].`, v));
      // `env` and `shell` are one category (DEPRECATED_VARIABLE_CATEGORIES).
      checkUnique(issues, "variables", p.variables.map((v) => `${renderedCategory(v.category)}:${v.key}`), undefined, (k) => String(k).replace(/^[a-z]+:/, ""));
    });
    checkRunOptions(issues, p);
    issues.throwIfAny();
    brand(this, "environment");
    if (!isWarned(props)) {
      for (const w of oidcWarnings(p.oidc, undefined, "environment")) Annotations.of(this).addWarning(`${this.node.path}: \`${w.field}\` ${w.message}`);
    }
    warnDuplicateEnvironmentName(this, p.name);
    registerAccountName(this, "environment", p.name);
    ensureSensitiveOutputCheck(this);

    this.environmentName = p.name;
    const pool = isKind(p.defaultAgentPool, "agent-pool") ? (p.defaultAgentPool as IAgentPool) : undefined;
    this.defaultAgentPool = pool;
    const configs = p.defaultProviderConfigurations;
    // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
    this.resource = new ScalrEnvironment(
      this,
      "Resource",
      terraformLiterals({
        name: p.name,
        defaultWorkspaceAgentPoolId: pool ? referenceFrom(this, pool, pool.poolId) : (p.defaultAgentPool as string | undefined),
        tagIds: tagIds(p.tags, this),
        remoteBackend: p.remoteBackend,
        remoteBackendOverridable: p.remoteBackendOverridable,
        storageProfileId: p.storageProfileId,
        maskSensitiveOutput: p.maskSensitiveOutput,
      }),
    );
    this.environmentId = this.resource.id;
    // Defaults are separate resources, not `default_provider_configurations`: the configuration's
    // `environments` names this environment (sharing), so the environment naming the configuration
    // too would make a reference cycle. A default depends on both, after them. All entries go this
    // way, IDs too: Scalr's docs say to use one mechanism or the other, never both.
    const defaults: ScalrProviderConfigurationDefault[] = [];
    configs.forEach((c, i) => {
      if (isKind(c, "provider-configuration")) (c as IProviderConfiguration).shareWith(this, { subject: this.node.path, field: `defaultProviderConfigurations[${i}]` });
      defaults.push(
        new ScalrProviderConfigurationDefault(this, idFromName("ProviderConfigurationDefault", defaultName(c) as string), {
          environmentId: this.environmentId,
          providerConfigurationId: providerConfigurationId(c, this),
        }),
      );
    });
    this.providerConfigurationDefaults = defaults;
    for (const g of p.policyGroups) linkPolicyGroup(this, g, this);
    const variables = new Map<string, Variable>();
    for (let i = 0; i < p.variables.length; i++) {
      const v = p.variables[i]!;
      const variableProps: VariableProps = { ...v, environment: this };
      // The one warning a variable gives is for the category `env`: only then is there one to carry over.
      if (v.category === "env" && isWarned(props.variables?.[i])) markWarned(variableProps);
      checkedVariableProps.set(this, variableProps);
      variables.set(`${v.category}:${v.key}`, new Variable(this, idFromName(`Variable-${v.category}`, v.key), variableProps));
    }
    this.variables = variables;
    // The typed run options, after the `variables` (whose keys they were checked against).
    const runOptions = new Map<string, Variable>();
    for (const v of runOptionVariables(p.terraformRc, p.oidc)) {
      const variableProps: VariableProps = { ...v, environment: this };
      checkedVariableProps.set(this, variableProps);
      runOptions.set(v.key, new Variable(this, idFromName(`Variable-${v.category}`, v.key), variableProps));
    }
    this.runOptionVariables = runOptions;
  }

}

/** The name a default's construct id derives from: the configuration's name, or its literal ID. */
function defaultName(c: unknown): unknown {
  return isKind(c, "provider-configuration") ? (c as IProviderConfiguration).configurationName : c;
}
