import { Annotations, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { fieldError, parseOrThrow, strictProps } from "../core/validation";
import { AgentPool } from "../constructs/scalr/agent-pool";
import { Environment, EnvironmentProps } from "../constructs/scalr/environment";
import { PolicyGroup } from "../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../constructs/scalr/provider-configuration";
import { idFromName } from "../constructs/scalr/references";
import { Tag } from "../constructs/scalr/tag";
import { markWarned } from "../constructs/scalr/reported-warnings";
import { ENV_CATEGORY_DEPRECATED, Variable, VariableOptions } from "../constructs/scalr/variable";
import { ResolvedSpec, ResolvedVariableSpec, ResolvedWorkspaceSpec } from "./spec-schema";
import { SpecIssues } from "./spec-issues";
import { formatSpecIssue } from "./spec-validation-error";
import { SpecPath, SpecText } from "./spec-source";
import { AgentPoolAutoscalingSpec, VendingMachineSpec } from "./spec-types";
import { ValidatedSpec, validateVendingMachineSpec } from "./validate";
import { Workspace, WorkspaceProviderConfigurationLink, openTofuHookWarnings } from "../constructs/scalr/workspace";
import { ResolvedVariableOptions } from "../constructs/scalr/variable-options";
import { ParsedWorkspaceProps, checkedWorkspaceProps } from "../constructs/scalr/workspace-props";
import { ResolvedTerraformRc, oidcWarnings } from "../constructs/scalr/run-options";

/** Props of {@link VendingMachine}. */
export interface VendingMachineProps {
  /**
   * The spec: plain data (validated here) or the result of `readSpecText` (validated here, with
   * line numbers in errors).
   */
  readonly spec: VendingMachineSpec | SpecText | ValidatedSpec;
  /**
   * Where the workspaces go: the construct to create `Workspace-<name>` in, per environment and
   * workspace (it may be in another stack; the environment and the shared objects are then
   * referenced across stacks). The same environment must always get the same container.
   * @default - under their environment's construct
   */
  readonly workspaceScope?: (environmentName: string, workspaceName: string, environment: Environment, spec: ResolvedSpec) => Construct;
}

const propsSchema = strictProps({
  spec: z.custom<VendingMachineProps["spec"]>((v) => typeof v === "object" && v !== null, { error: "must be a spec object, the result of `readSpecText`, or a `ValidatedSpec`" }),
  workspaceScope: z.custom<NonNullable<VendingMachineProps["workspaceScope"]>>((v) => typeof v === "function", { error: "must be a function" }).optional(),
}) satisfies z.ZodType<VendingMachineProps>;

/**
 * The vending machine: everything a validated spec describes, as kit constructs — agent pools
 * (`Pool-<name>`), tags (`Tag-<name>`), provider configurations (`ProviderConfiguration-<name>`),
 * policy groups (`PolicyGroup-<name>`), account variables (`Variable-<category>-<key>`),
 * environments (`Environment-<name>`, with their variables and policy-group linkages) and
 * workspaces (`Workspace-<name>`, with their variables). Every construct id derives from a name,
 * so adding or removing an entry never changes another entry's address.
 *
 * Errors name the spec path (and line, for text specs): a problem found by the spec check or by
 * a construct is reported as a `SpecValidationError`, all problems at once.
 *
 * @example
 * const { data, source } = readSpecText(fs.readFileSync("spec.yaml", "utf8"), "spec.yaml");
 * new VendingMachine(stack, "VendingMachine", { spec: { data, source } });
 */
export class VendingMachine extends Construct {
  /** The validated spec, defaults applied. */
  public readonly spec: ResolvedSpec;
  /** Agent pools by name. */
  public readonly agentPools: ReadonlyMap<string, AgentPool>;
  /** The autoscaling the spec declares for run pools' fleets, by pool name (agentConcurrency defaulted). */
  public readonly autoscaling: ReadonlyMap<string, Required<AgentPoolAutoscalingSpec>>;
  /** Tags by name. */
  public readonly tags: ReadonlyMap<string, Tag>;
  /** Provider configurations by name. */
  public readonly providerConfigurations: ReadonlyMap<string, ProviderConfiguration>;
  /** Policy groups by name. */
  public readonly policyGroups: ReadonlyMap<string, PolicyGroup>;
  /** Account variables by `<category>:<key>`. */
  public readonly variables: ReadonlyMap<string, Variable>;
  /** Environments by name. */
  public readonly environments: ReadonlyMap<string, Environment>;
  /** Workspaces by `<environment>/<workspace>`. */
  public readonly workspaces: ReadonlyMap<string, Workspace>;
  /** True when an AWS provider configuration creates IAM resources: the stack needs an AWS provider. */
  public readonly needsAwsProvider: boolean;

  /** Problems the constructs report as they are built, at their spec paths. */
  private readonly issues: SpecIssues;
  private readonly secretVariables = new Map<TerraformStack, Map<string, string>>();

  public constructor(scope: Construct, id: string, props: VendingMachineProps) {
    super(scope, id);
    const p = parseOrThrow(propsSchema, props, { subject: this.node.path });
    const validated = validateVendingMachineSpec(p.spec);
    this.issues = new SpecIssues(validated.source);
    const spec = (this.spec = validated.spec);

    const pools = new Map<string, AgentPool>();
    spec.agentPools.forEach((p, i) => this.attempt(["agentPools", i], () => pools.set(p.name, new AgentPool(this, idFromName("Pool", p.name), { name: p.name, kind: p.kind, tokens: p.tokens }))));
    const tags = new Map<string, Tag>();
    spec.tags.forEach((t, i) => this.attempt(["tags", i], () => tags.set(t, new Tag(this, idFromName("Tag", t), { name: t }))));
    const vcs = new Map(spec.vcsProviders.map((v) => [v.name, v.id] as const));
    const tagsOf = (names: readonly string[]) => names.map((n) => tags.get(n)!);

    const configs = new Map<string, ProviderConfiguration>();
    const sharing = sharedEnvironments(spec);
    spec.providerConfigurations.forEach((c, i) =>
      this.attempt(["providerConfigurations", i], () => {
        const { environments, google, azure, aws, tags: tagNames, ...rest } = c;
        // An OIDC role trusts the runs of the environments the configuration is shared with, not
        // every environment of the account, unless the spec says otherwise.
        const shared = environments === "all" ? [] : (sharing.get(c.name) ?? []);
        const trustsAll = aws?.auth !== "oidc" || aws.existingRoleArn !== undefined || aws.allowedSubjects !== undefined || shared.length === 0;
        configs.set(
          c.name,
          new ProviderConfiguration(this, idFromName("ProviderConfiguration", c.name), {
            ...rest,
            tags: tagsOf(tagNames),
            environments: environments === "all" ? "all" : [],
            aws: aws && (trustsAll ? aws : { ...aws, allowedSubjects: shared.map((environment) => ({ environment, workspace: "*" })) }),
            google: google && { auth: "oidc", ...google },
            azure: azure && { auth: "oidc", ...azure },
          }),
        );
      }),
    );
    this.needsAwsProvider = spec.providerConfigurations.some((c) => c.aws !== undefined && c.aws.existingRoleArn === undefined);

    const groups = new Map<string, PolicyGroup>();
    spec.policyGroups.forEach((g, i) =>
      this.attempt(["policyGroups", i], () => {
        const { vcsProvider, ...rest } = g;
        groups.set(g.name, new PolicyGroup(this, idFromName("PolicyGroup", g.name), { ...rest, vcsProviderId: vcs.get(vcsProvider)! }));
      }),
    );

    const variables = new Map<string, Variable>();
    spec.variables.forEach((v, i) =>
      this.attempt(["variables", i], () =>
        variables.set(`${v.category}:${v.key}`, new Variable(this, idFromName(`Variable-${v.category}`, v.key), this.warnCategory(["variables", i], v, this.variableOptions(this, v)))),
      ),
    );
    const optionsOf = (scope: Construct, path: SpecPath, vars: readonly ResolvedVariableSpec[]): ResolvedVariableOptions[] => {
      const out: ResolvedVariableOptions[] = [];
      for (let i = 0; i < vars.length; i++) {
        const v = vars[i]!;
        let options: ResolvedVariableOptions;
        try {
          options = this.variableOptions(scope, v);
        } catch (e) {
          this.report([...path, i], e);
          continue;
        }
        out.push(v.category === "env" ? this.warnCategory([...path, i], v, options) : options);
      }
      return out;
    };

    const environments = new Map<string, Environment>();
    const workspaces = new Map<string, Workspace>();
    // Plain loops, no callbacks: cdktf captures a full stack trace for every token and list it
    // makes, so each frame between the app and the L1 constructor costs time at every workspace.
    for (let ei = 0; ei < spec.environments.length; ei++) {
      const e = spec.environments[ei]!;
      let env: Environment;
      try {
        for (const w of oidcWarnings(e.oidc, undefined, "environment")) this.warn(["environments", ei, ...w.field.split(".")], w.message);
        const envProps: EnvironmentProps = {
          name: e.name,
          defaultAgentPool: e.defaultAgentPool === undefined ? undefined : pools.get(e.defaultAgentPool),
          defaultProviderConfigurations: e.defaultProviderConfigurations.map((n) => configs.get(n)!),
          policyGroups: e.policyGroups.map((n) => groups.get(n)!),
          tags: tagsOf(e.tags),
          remoteBackend: e.remoteBackend,
          remoteBackendOverridable: e.remoteBackendOverridable,
          storageProfileId: e.storageProfileId,
          maskSensitiveOutput: e.maskSensitiveOutput,
          variables: optionsOf(this, ["environments", ei, "variables"], e.variables),
          terraformRc: e.terraformRc && this.terraformRc(this, e.terraformRc),
          oidc: e.oidc,
        };
        // Warned here, at the spec's path and line, rather than by the Environment at its construct path.
        markWarned(envProps);
        env = new Environment(this, idFromName("Environment", e.name), envProps);
      } catch (error) {
        this.report(["environments", ei], error);
        continue;
      }
      environments.set(e.name, env);
      for (let wi = 0; wi < e.workspaces.length; wi++) {
        const w = e.workspaces[wi]!;
        const container = props.workspaceScope ? props.workspaceScope(e.name, w.name, env, spec) : env;
        const links: WorkspaceProviderConfigurationLink[] = [];
        for (const l of w.providerConfigurations) links.push(typeof l === "string" ? { configuration: configs.get(l)! } : { configuration: configs.get(l.configuration)!, alias: l.alias });
        const variables = optionsOf(container, ["environments", ei, "workspaces", wi, "variables"], w.variables);
        try {
          // The entry is parsed with the Workspace's own field rules: its props go in parsed form
          // (defaults applied), and the Workspace takes them without parsing them again. Field by
          // field, every field named (`satisfies`), not a rest and a spread: each of those costs
          // microseconds, at every workspace.
          const props: ParsedWorkspaceProps = {
            name: w.name,
            environment: env,
            vcs: w.vcs && vcsSource(w.vcs, vcs.get(w.vcs.provider)!),
            moduleVersionId: w.moduleVersionId,
            workingDirectory: w.workingDirectory,
            agentPool: w.agentPool === undefined ? undefined : pools.get(w.agentPool),
            iacPlatform: w.iacPlatform,
            version: w.version,
            autoApply: w.autoApply,
            runTimeoutMinutes: w.runTimeoutMinutes,
            hooks: w.hooks,
            providerConfigurations: links,
            variables,
            tags: w.tags.length === 0 ? [] : tagsOf(w.tags),
            deletionProtection: w.deletionProtection,
            varFiles: w.varFiles,
            terraformRc: w.terraformRc && this.terraformRc(container, w.terraformRc),
            oidc: w.oidc,
          } satisfies { readonly [K in keyof Required<ParsedWorkspaceProps>]: unknown };
          checkedWorkspaceProps.set(container, props);
          // Warned here, at the spec's path and line, rather than by the Workspace at its construct path.
          for (const h of openTofuHookWarnings(w.iacPlatform, w.hooks)) this.warn(["environments", ei, "workspaces", wi, "hooks", h.stage], h.message);
          for (const o of oidcWarnings(w.oidc, w.runTimeoutMinutes, "workspace")) this.warn(["environments", ei, "workspaces", wi, ...o.field.split(".")], o.message);
          // The Workspace takes checked props as warned about too (checkedWorkspaceProps).
          const ws = new Workspace(container, idFromName("Workspace", w.name), props);
          workspaces.set(`${e.name}/${w.name}`, ws);
        } catch (error) {
          this.report(["environments", ei, "workspaces", wi], error);
        }
      }
    }
    // Explicit sharing by name, once the environments exist.
    spec.providerConfigurations.forEach((c, i) => {
      const config = configs.get(c.name);
      if (!config || c.environments === "all") return;
      c.environments.forEach((n, j) => {
        const env = environments.get(n);
        if (env) this.attempt(["providerConfigurations", i, "environments", j], () => config.shareWith(env));
      });
    });

    this.issues.throwIfAny();
    this.agentPools = pools;
    this.autoscaling = new Map(spec.agentPools.flatMap((p) => (p.autoscaling ? [[p.name, p.autoscaling] as const] : [])));
    this.tags = tags;
    this.providerConfigurations = configs;
    this.policyGroups = groups;
    this.variables = variables;
    this.environments = environments;
    this.workspaces = workspaces;
  }

  /**
   * Runs `build`; a construct's validation error becomes a spec issue at `path` + the field (the
   * spec's field names are the constructs' prop names), so construct rules report spec lines too.
   */
  private attempt<T>(path: SpecPath, build: () => T): T | undefined {
    try {
      return build();
    } catch (e) {
      this.report(path, e);
      return undefined;
    }
  }

  /** A synth-time warning at a spec path (`file:line: path: message`), on this construct. */
  private warn(path: SpecPath, message: string): void {
    Annotations.of(this).addWarning(formatSpecIssue(this.issues.source.issue(path, message), this.issues.source.file));
  }

  /**
   * Warns (at the spec path) when a variable uses the deprecated category `env`, and marks `options`
   * as warned about (the only warning a variable gives); returns `options`.
   */
  private warnCategory<T extends VariableOptions>(path: SpecPath, v: ResolvedVariableSpec, options: T): T {
    if (v.category !== "env") return options;
    this.warn([...path, "category"], ENV_CATEGORY_DEPRECATED);
    markWarned(options);
    return options;
  }

  /** Records a construct's validation error as spec issues; rethrows anything else. */
  private report(path: SpecPath, e: unknown): void {
    this.issues.addConstructError(path, e);
  }

  /**
   * A spec variable as construct options; a secret comes from a sensitive Terraform variable of the
   * stack that holds it, made here or (when the stack already declares it) reused if it is
   * sensitive. Throws a validation error on `valueFromTerraformVariable` otherwise.
   */
  private variableOptions(scope: Construct, v: ResolvedVariableSpec): ResolvedVariableOptions {
    const from = v.valueFromTerraformVariable;
    // In the shape the Variable's field rules output (defaults applied): a Workspace hands them on
    // unparsed. Field by field, not a rest and a spread: a spec has thousands of variables.
    return {
      key: v.key,
      value: from === undefined ? (v.value ?? "") : this.secretValue(scope, from, "valueFromTerraformVariable"),
      category: v.category,
      final: v.final,
      sensitive: v.sensitive,
      hcl: v.hcl,
      description: v.description,
      allowPlaintextSensitiveValue: false,
    };
  }

  /**
   * A spec `terraformRc` as construct options: each credentials token is the value of the sensitive
   * Terraform variable it names (see {@link secretValue}). Throws a validation error on
   * `credentials[i].tokenFromTerraformVariable` otherwise.
   */
  private terraformRc(scope: Construct, rc: NonNullable<ResolvedSpec["environments"][number]["terraformRc"]>): ResolvedTerraformRc {
    const { credentials, ...rest } = rc;
    const resolved: ResolvedTerraformRc["credentials"] = [];
    for (let i = 0; i < credentials.length; i++) {
      const c = credentials[i]!;
      resolved.push({ host: c.host, token: this.secretValue(scope, c.tokenFromTerraformVariable, `terraformRc.credentials[${i}].tokenFromTerraformVariable`) });
    }
    return { ...rest, credentials: resolved };
  }

  /**
   * The value of the sensitive Terraform variable `from` of the stack that holds `scope`, made here
   * or (when the stack already declares it) reused if it is sensitive; a validation error on `field` otherwise.
   */
  private secretValue(scope: Construct, from: string, field: string): string {
    const stack = TerraformStack.of(scope);
    let vars = this.secretVariables.get(stack);
    if (!vars) this.secretVariables.set(stack, (vars = new Map()));
    let value = vars.get(from);
    if (value === undefined) {
      // Terraform variable names are the construct ids directly under the stack.
      const existing = stack.node.tryFindChild(from);
      const ctx = { subject: this.node.path };
      if (existing !== undefined && !(existing instanceof TerraformVariable)) {
        throw fieldError(ctx, field, `names ${existing.node.path}, which is not a Terraform variable: pick another name`, from, { sensitive: false });
      }
      if (existing instanceof TerraformVariable && existing.sensitive !== true) {
        throw fieldError(ctx, field, `names the Terraform variable ${existing.node.path}, which is not sensitive: a secret's value must come from a sensitive variable`, from, { sensitive: false });
      }
      const variable = existing ?? new TerraformVariable(stack, from, { type: "string", sensitive: true, description: `Value of the sensitive Scalr variable(s) fed from ${from}.` });
      vars.set(from, (value = variable.stringValue));
    }
    return value;
  }
}

/**
 * Environment names each provider configuration is shared with, in spec order: those listed in
 * its `environments`, those that make it a default, and those with a workspace that links it.
 */
function sharedEnvironments(spec: ResolvedSpec): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, Set<string>>();
  const add = (config: string, env: string) => {
    let envs = out.get(config);
    if (!envs) out.set(config, (envs = new Set()));
    envs.add(env);
  };
  const listed = new Map(spec.providerConfigurations.map((c) => [c.name, c.environments] as const));
  for (const e of spec.environments) {
    for (const [config, environments] of listed) if (environments !== "all" && environments.includes(e.name)) add(config, e.name);
    for (const c of e.defaultProviderConfigurations) add(c, e.name);
    for (const w of e.workspaces) for (const l of w.providerConfigurations) add(typeof l === "string" ? l : l.configuration, e.name);
  }
  return new Map([...out].map(([k, v]) => [k, [...v]]));
}

/** A spec VCS source as Workspace props: the provider's ID instead of its name, field by field (see the workspace loop). */
function vcsSource(source: ResolvedWorkspaceSpec["vcs"] & object, providerId: string): NonNullable<ParsedWorkspaceProps["vcs"]> {
  return {
    providerId,
    repository: source.repository,
    branch: source.branch,
    versionConstraint: source.versionConstraint,
    triggerPrefixes: source.triggerPrefixes,
    triggerPatterns: source.triggerPatterns,
    dryRuns: source.dryRuns,
    submodules: source.submodules,
  } satisfies { readonly [K in keyof Required<NonNullable<ParsedWorkspaceProps["vcs"]>>]: unknown };
}
