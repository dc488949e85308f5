import { TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { KitValidationError } from "../../agent/settings/validation";
import { AgentPool } from "./agent-pool";
import { Environment } from "./environment";
import { PolicyGroup } from "./policy-group";
import { ProviderConfiguration } from "./provider-configuration";
import { idFromName } from "./references";
import { Tag } from "./tag";
import { Variable, VariableOptions } from "./variable";
import {
  ResolvedSpec,
  ResolvedVariableSpec,
  SpecIssue,
  SpecPath,
  SpecSource,
  SpecText,
  SpecValidationError,
  ValidatedSpec,
  VendingMachineSpec,
  validateVendingMachineSpec,
} from "./vending-machine-spec";
import { Workspace, WorkspaceProviderConfigurationLink } from "./workspace";

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

/**
 * The vending machine: everything a validated spec describes, as kit constructs — agent pools
 * (`Pool-<name>`), tags (`Tag-<name>`), provider configurations (`ProviderConfiguration-<name>`),
 * policy groups (`PolicyGroup-<name>`), account variables (`Variable-<category>-<key>`),
 * environments (`Environment-<name>`, with their variables and policy-group linkages) and
 * workspaces (`Workspace-<name>`, with their variables). Every construct id derives from a name,
 * so adding or removing an entry never changes another entry's address.
 *
 * Errors name the spec path (and line, for text specs): a problem found by the spec check or by
 * a construct is reported as a {@link SpecValidationError}, all problems at once.
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

  private readonly source: SpecSource;
  private readonly issues: SpecIssue[] = [];
  private readonly secretVariables = new Map<TerraformStack, Map<string, string>>();

  public constructor(scope: Construct, id: string, props: VendingMachineProps) {
    super(scope, id);
    const validated = validateVendingMachineSpec(props.spec);
    this.source = validated.source;
    const spec = (this.spec = validated.spec);

    const pools = new Map<string, AgentPool>();
    spec.agentPools.forEach((p, i) => this.attempt(["agentPools", i], () => pools.set(p.name, new AgentPool(this, idFromName("Pool", p.name), { name: p.name, kind: p.kind, tokens: p.tokens }))));
    const tags = new Map<string, Tag>();
    spec.tags.forEach((t, i) => this.attempt(["tags", i], () => tags.set(t, new Tag(this, idFromName("Tag", t), { name: t }))));
    const vcs = new Map(spec.vcsProviders.map((v) => [v.name, v.id] as const));
    const tagsOf = (names: readonly string[]) => names.map((n) => tags.get(n)!);

    const configs = new Map<string, ProviderConfiguration>();
    spec.providerConfigurations.forEach((c, i) =>
      this.attempt(["providerConfigurations", i], () => {
        const { environments, google, azure, tags: tagNames, ...rest } = c;
        configs.set(
          c.name,
          new ProviderConfiguration(this, idFromName("ProviderConfiguration", c.name), {
            ...rest,
            tags: tagsOf(tagNames),
            environments: environments === "all" ? "all" : [],
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
      this.attempt(["variables", i], () => variables.set(`${v.category}:${v.key}`, new Variable(this, idFromName(`Variable-${v.category}`, v.key), this.variableOptions(this, v)))),
    );

    const environments = new Map<string, Environment>();
    const workspaces = new Map<string, Workspace>();
    // Plain loops, no callbacks: cdktf captures a full stack trace for every token and list it
    // makes, so each frame between the app and the L1 constructor costs time at every workspace.
    for (let ei = 0; ei < spec.environments.length; ei++) {
      const e = spec.environments[ei]!;
      let env: Environment;
      try {
        env = new Environment(this, idFromName("Environment", e.name), {
          name: e.name,
          defaultAgentPool: e.defaultAgentPool === undefined ? undefined : pools.get(e.defaultAgentPool),
          defaultProviderConfigurations: e.defaultProviderConfigurations.map((n) => configs.get(n)!),
          policyGroups: e.policyGroups.map((n) => groups.get(n)!),
          tags: tagsOf(e.tags),
          remoteBackend: e.remoteBackend,
          remoteBackendOverridable: e.remoteBackendOverridable,
          storageProfileId: e.storageProfileId,
          maskSensitiveOutput: e.maskSensitiveOutput,
          variables: e.variables.map((v) => this.variableOptions(this, v)),
        });
      } catch (error) {
        this.report(["environments", ei], error);
        continue;
      }
      environments.set(e.name, env);
      for (let wi = 0; wi < e.workspaces.length; wi++) {
        const w = e.workspaces[wi]!;
        const container = props.workspaceScope ? props.workspaceScope(e.name, w.name, env, spec) : env;
        const { vcs: source, agentPool, providerConfigurations, variables: vars, tags: tagNames, ...rest } = w;
        const links: WorkspaceProviderConfigurationLink[] = [];
        for (const l of providerConfigurations) links.push(typeof l === "string" ? { configuration: configs.get(l)! } : { configuration: configs.get(l.configuration)!, alias: l.alias });
        const variables: VariableOptions[] = [];
        for (const v of vars) variables.push(this.variableOptions(container, v));
        try {
          const ws = new Workspace(container, idFromName("Workspace", w.name), {
            ...rest,
            environment: env,
            agentPool: agentPool === undefined ? undefined : pools.get(agentPool),
            vcs: source && { ...withoutKey(source, "provider"), providerId: vcs.get(source.provider)! },
            providerConfigurations: links,
            variables,
            tags: tagNames.length === 0 ? undefined : tagsOf(tagNames),
          });
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

    if (this.issues.length > 0) throw new SpecValidationError(this.issues, this.source.file);
    this.agentPools = pools;
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

  /** Records a construct's validation error as spec issues; rethrows anything else. */
  private report(path: SpecPath, e: unknown): void {
    {
      if (!(e instanceof KitValidationError) || e instanceof SpecValidationError) throw e;
      for (const i of e.issues) {
        const field = i.field ? `${i.field.startsWith("[") ? "" : "."}${i.field}` : "";
        const line = this.source.lineOf([...path, ...segments(i.field)]);
        this.issues.push({ path: `${pathText(path)}${field}`, message: `${i.message}, got: ${i.received}`, line });
      }
    }
  }

  /** A spec variable as construct options; a secret comes from a sensitive Terraform variable of the stack that holds it. */
  private variableOptions(scope: Construct, v: ResolvedVariableSpec): VariableOptions {
    const { valueFromTerraformVariable: from, ...rest } = v;
    if (from === undefined) return rest;
    const stack = TerraformStack.of(scope);
    let vars = this.secretVariables.get(stack);
    if (!vars) this.secretVariables.set(stack, (vars = new Map()));
    let value = vars.get(from);
    if (value === undefined) {
      // Terraform variable names are the construct ids directly under the stack.
      const existing = stack.node.tryFindChild(from);
      const variable = existing instanceof TerraformVariable ? existing : new TerraformVariable(stack, from, { type: "string", sensitive: true, description: `Value of the sensitive Scalr variable(s) fed from ${from}.` });
      vars.set(from, (value = variable.stringValue));
    }
    return { ...rest, value };
  }
}

function withoutKey<T extends object, K extends keyof T>(o: T, key: K): Omit<T, K> {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

function pathText(path: SpecPath): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function segments(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/\[(\d+)\]|\.?([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? ""));
  return out;
}
