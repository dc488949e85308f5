import * as fs from "fs";
import * as path from "path";
import { App, Aspects, TerraformStack } from "cdktf";
import { Construct, IConstruct } from "constructs";
import { z } from "zod";
import { onStackSynthesis } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { KitValidationError, ValidationIssue, isToken, strictProps } from "../../core/validation";
import { RunTrigger } from "../../providers/scalr/generated/providers/scalr/run-trigger";
import { variableFields, workspaceFields, workspaceProviderConfigurationLinkFields, workspaceVcsFields } from "./field-rules";
import type { IAgentPool, IEnvironment, IProviderConfiguration } from "./interfaces";
import { isKind, ref } from "./references";
import { scalrBackendOf } from "./scalr-backend";
import type { VariableOptions } from "./variable";
import { Workspace, WorkspaceProviderConfigurationLink } from "./workspace";

/** Where VCS-driven stack workspaces take the synthesized configuration from. */
export interface StackWorkspacesVcsSource {
  /** The VCS provider (`vcs-…`). */
  readonly providerId: string;
  /** The repository as `org/repo`. */
  readonly repository: string;
  /** The branch CI fills with the synthesized stacks (the output of `cdktf synth`). */
  readonly branch: string;
  /**
   * The folder of that branch holding one folder per stack, as `cdktf synth` writes them
   * (`cdktf.out/stacks/<stack>`): each workspace runs in `<directory>/<stack id>`.
   * @default "cdktf.out/stacks"
   */
  readonly directory?: string;
}

/** What one stack's workspace takes besides what every workspace takes. */
export interface StackWorkspaceSettings {
  /** More provider configurations for this stack's workspace. @default [] */
  readonly providerConfigurations?: readonly (IProviderConfiguration | string | WorkspaceProviderConfigurationLink)[];
  /** More workspace variables for this stack's workspace. @default [] */
  readonly variables?: readonly VariableOptions[];
  /** The run agent pool of this stack's workspace. @default - the `agentPool` of every workspace */
  readonly agentPool?: IAgentPool | string;
  /** Apply without approval after a successful plan. @default - the `autoApply` of every workspace */
  readonly autoApply?: boolean;
}

/** Props of {@link ScalrStackWorkspaces}. */
export interface ScalrStackWorkspacesProps {
  /**
   * The stacks that get a workspace each, e.g. `VendingMachineStack.stacks`. Their state and runs
   * live there once each calls `scalrBackend` (the workspace is named as `scalrBackend` names it:
   * its `workspace`, or the stack's id). They must be stacks of this app other than the one this
   * construct is in.
   */
  readonly stacks: readonly TerraformStack[];
  /** The platform environment the workspaces are created in (`Environment` or `env-…`). */
  readonly environment: IEnvironment | string;
  /** The run agent pool of every workspace (`AgentPool` or `apool-…`). @default - the environment's default pool */
  readonly agentPool?: IAgentPool | string;
  /**
   * VCS-driven workspaces: each runs the stack's folder of a branch CI fills with the synthesized
   * JSON, and run triggers follow the stacks' dependencies.
   * @default - CLI-driven workspaces: CI runs Terraform against them in {@link ScalrStackWorkspaces.deployOrder}; no run trigger
   */
  readonly vcs?: StackWorkspacesVcsSource;
  /** @default "terraform" */
  readonly iacPlatform?: "terraform" | "opentofu";
  /** Terraform or OpenTofu version, e.g. `1.9.8`. @default - the latest Scalr offers */
  readonly version?: string;
  /** Apply without approval after a successful plan. @default false */
  readonly autoApply?: boolean;
  /**
   * Provider configurations of every workspace: at least the Scalr provider configuration the
   * stacks' runs authenticate with (its ID, `pcfg-…`), so no Scalr token is in any configuration.
   * @default []
   */
  readonly providerConfigurations?: readonly (IProviderConfiguration | string | WorkspaceProviderConfigurationLink)[];
  /** Workspace variables of every workspace. @default [] */
  readonly variables?: readonly VariableOptions[];
  /** Settings of single workspaces, by stack id. @default {} */
  readonly perStack?: Readonly<Record<string, StackWorkspaceSettings>>;
  /** Refuse to delete a workspace while its state holds resources. @default true */
  readonly deletionProtection?: boolean;
}

/** The order CI applies CLI-driven stack workspaces in. */
export interface StackDeployOrder {
  /**
   * Stack ids in waves: every stack of a wave depends only on stacks of earlier waves, so the
   * stacks of one wave may run in parallel. Ids are sorted within a wave.
   */
  readonly waves: readonly (readonly string[])[];
  /** The stacks each stack depends on directly (among the managed stacks), by stack id. */
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
  /** The workspace name of each stack, by stack id. */
  readonly workspaces: Readonly<Record<string, string>>;
}

/** The default folder of the synthesized stacks on the VCS branch: what `cdktf synth` writes. */
const DEFAULT_STACKS_DIRECTORY = "cdktf.out/stacks";

/**
 * The most upstream workspaces one downstream workspace can have: "If more than one (up to 50)
 * workspace is added as the upstream" (https://docs.scalr.io/docs/run-triggers-1).
 */
export const MAX_RUN_TRIGGER_UPSTREAMS = 50;

const providerConfigurationsSchema = z
  .array(
    z.union([ref.providerConfiguration(), strictProps({ configuration: ref.providerConfiguration(), ...workspaceProviderConfigurationLinkFields })], {
      error: "must be a provider configuration, its ID, or { configuration, alias }",
    }),
  )
  .default([]);
const variablesSchema = z.array(strictProps(variableFields)).default([]);

const propsSchema = strictProps({
  stacks: z.array(z.custom<TerraformStack>((v) => TerraformStack.isStack(v), { error: "must be a TerraformStack" })).min(1, { error: "must name at least one stack" }),
  environment: ref.environment(),
  agentPool: ref.agentPool().optional(),
  vcs: strictProps({
    providerId: workspaceVcsFields.providerId,
    repository: workspaceVcsFields.repository,
    branch: workspaceVcsFields.branch.unwrap(),
    directory: workspaceFields.workingDirectory.unwrap().optional(),
  }).optional(),
  iacPlatform: workspaceFields.iacPlatform,
  version: workspaceFields.version,
  autoApply: workspaceFields.autoApply,
  providerConfigurations: providerConfigurationsSchema,
  variables: variablesSchema,
  perStack: z
    .record(
      z.string(),
      strictProps({
        providerConfigurations: providerConfigurationsSchema,
        variables: variablesSchema,
        agentPool: ref.agentPool().optional(),
        autoApply: z.boolean().optional(),
      }),
    )
    .default({}),
  deletionProtection: workspaceFields.deletionProtection,
});

type ParsedProps = z.output<typeof propsSchema>;

/**
 * One Scalr workspace per synthesized stack, in a platform environment: where the stacks' state
 * lives and their runs execute (Scalr's remote backend, https://docs.scalr.io/docs/cli). Name each
 * stack's workspace as `scalrBackend` does.
 *
 * - **Order.** VCS-driven (`vcs`): one `scalr_run_trigger` per dependency of the stacks (upstream
 *   = the stack depended on), so "whenever the upstream workspace has a successful run, the
 *   downstream workspace will automatically start a run" (https://docs.scalr.io/docs/run-triggers-1).
 *   CLI-driven (the default): no trigger; CI applies the stacks in `deployOrder()` (waves of the
 *   same graph), as a trigger would queue a second run of each dependent CI already runs
 *   (docs/decisions/0011-bootstrap-stack.md).
 * - **State sharing.** Each workspace's `remote_state_consumers` lists exactly the workspaces of the
 *   stacks that depend on it (none: `[]`, shared with no one), instead of the provider's default
 *   `["*"]`, every workspace of the environment (provider docs: "The list of workspace identifiers
 *   that are allowed to access the state of this workspace",
 *   https://github.com/Scalr/terraform-provider-scalr/blob/e29c00cade4a3ad4225fd209498362b39faef03d/docs/resources/workspace.md).
 *   A consumer is referenced by ID, so Terraform creates it first; the stacks' graph has no
 *   cycle (cdktf refuses one), so neither has this.
 *
 * The graph is the stacks' `dependencies` as cdktf records them: `addDependency` and every
 * cross-stack reference (cdktf adds the dependency when it prepares the stacks for synthesis), so
 * triggers, consumers and the deploy order are set when the app synthesizes.
 *
 * @example
 * const vm = new VendingMachineStack(app, "vending-machine", { spec, scalrBackend: { hostname, environment: "platform" } });
 * const boot = new TerraformStack(app, "bootstrap");
 * new ScalrStackWorkspaces(boot, "Workspaces", { stacks: vm.stacks, environment: "env-v0o1platform", agentPool: "apool-v0o1platform", providerConfigurations: ["pcfg-v0o1scalr"] });
 */
export class ScalrStackWorkspaces extends Construct {
  /** The workspace of each stack, by stack id (escape hatches). */
  public readonly workspaces: ReadonlyMap<string, Workspace>;
  /** The run triggers, by `<upstream stack id>/<downstream stack id>`; filled at synthesis (VCS-driven only). */
  public readonly runTriggers: ReadonlyMap<string, RunTrigger>;
  /** True for VCS-driven workspaces. */
  public readonly vcsDriven: boolean;

  private readonly stacks: readonly TerraformStack[];
  private readonly names: ReadonlyMap<TerraformStack, string>;
  private readonly triggers = new Map<string, RunTrigger>();
  private finished = false;

  public constructor(scope: Construct, id: string, props: ScalrStackWorkspacesProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = (issues.parse(propsSchema, props) ?? {}) as Partial<ParsedProps>;
    const own = TerraformStack.of(this);
    const stacks = p.stacks ?? [];
    const names = new Map<TerraformStack, string>();
    issues.rule(["stacks"], () => {
      const app = App.of(this);
      const seen = new Map<TerraformStack, number>();
      stacks.forEach((s, i) => {
        const field = `stacks[${i}]`;
        if (s === own) {
          issues.add(field, `is the stack these workspaces are created in: its state cannot live in a workspace it creates (docs/decisions/0011-bootstrap-stack.md)`, s.node.path, { sensitive: false });
        } else if (App.of(s) !== app) {
          issues.add(field, "must be a stack of this app", s.node.path, { sensitive: false });
        } else if (seen.has(s)) {
          issues.add(field, `repeats stacks[${seen.get(s)}]`, s.node.path, { sensitive: false });
        } else {
          seen.set(s, i);
          const name = scalrBackendOf(s)?.workspace ?? s.node.id;
          if (!workspaceFields.name.safeParse(name).success) {
            issues.add(field, `has the id "${s.node.id}", which is not a Scalr workspace name: give it scalrBackend with a \`workspace\``, s.node.path, { sensitive: false });
          }
          names.set(s, name);
        }
      });
      const byName = new Map<string, TerraformStack>();
      for (const [s, name] of names) {
        const other = byName.get(name);
        if (other) issues.add(`stacks[${stacks.indexOf(s)}]`, `has the workspace name "${name}" of ${other.node.path}: names are unique in an environment`, s.node.path, { sensitive: false });
        byName.set(name, s);
      }
    });
    issues.rule(["stacks", "perStack"], () => {
      const ids = new Set(stacks.map((s) => s.node.id));
      for (const key of Object.keys(p.perStack ?? {})) {
        if (!ids.has(key)) issues.add(`perStack.${key}`, `names no stack of \`stacks\`; stacks are: ${[...ids].join(", ")}`, key, { sensitive: false });
      }
    });
    // A construct of a managed stack would make this stack read that stack's state, while that
    // stack's first run needs the workspace this one creates: neither could be applied first.
    issues.rule(["stacks", "environment", "agentPool", "providerConfigurations", "perStack"], () => {
      const managed = new Set<TerraformStack>(stacks);
      const check = (field: string, value: unknown) => {
        const link = typeof value === "object" && value !== null ? (value as { configuration?: unknown }).configuration : undefined;
        const target = isConstructRef(value) ? value : isConstructRef(link) ? link : undefined;
        if (target && managed.has(TerraformStack.of(target))) {
          issues.add(field, `is ${target.node.path}, in a stack that gets a workspace here: that stack's first run needs this workspace, so neither could be applied first; pass its ID instead`, target.node.path, { sensitive: false });
        }
      };
      check("environment", p.environment);
      check("agentPool", p.agentPool);
      (p.providerConfigurations ?? []).forEach((c, i) => check(`providerConfigurations[${i}]`, c));
      for (const [key, s] of Object.entries(p.perStack ?? {})) {
        check(`perStack.${key}.agentPool`, s.agentPool);
        s.providerConfigurations.forEach((c, i) => check(`perStack.${key}.providerConfigurations[${i}]`, c));
      }
    });
    issues.rule(["stacks", "environment"], () => {
      // scalrBackend's `environment` is a name or an ID: compare it with the same kind of value.
      const env = p.environment;
      const expected = isKind(env, "environment") ? (env as IEnvironment).environmentName : isToken(env) ? undefined : (env as string);
      for (const s of names.keys()) {
        const backend = scalrBackendOf(s);
        if (!backend || expected === undefined || isToken(expected)) continue;
        const comparable = isKind(env, "environment") ? !/^env-/.test(backend.environment) : /^env-/.test(backend.environment);
        if (comparable && backend.environment !== expected) {
          issues.add(`stacks[${stacks.indexOf(s)}]`, `keeps its state in environment "${backend.environment}" (scalrBackend), not in \`environment\` "${expected}" where its workspace is created`, s.node.path, { sensitive: false });
        }
      }
    });
    issues.throwIfAny();
    const q = p as ParsedProps;

    this.stacks = q.stacks;
    this.names = names;
    this.vcsDriven = q.vcs !== undefined;
    const workspaces = new Map<string, Workspace>();
    const directory = q.vcs?.directory ?? DEFAULT_STACKS_DIRECTORY;
    q.stacks.forEach((stack, i) => {
      const own = q.perStack[stack.node.id];
      // cdktf writes a stack to `stacks/<stack id>` of its output folder (cdktf/lib/manifest.js, `forStack`).
      const workingDirectory = q.vcs ? (directory === "" ? stack.node.id : `${directory}/${stack.node.id}`) : undefined;
      const common = { providerConfigurations: q.providerConfigurations.length, variables: q.variables.length };
      try {
        workspaces.set(
          stack.node.id,
          new Workspace(this, stack.node.id, {
            name: names.get(stack)!,
            environment: q.environment,
            agentPool: own?.agentPool ?? q.agentPool,
            iacPlatform: q.iacPlatform,
            version: q.version,
            autoApply: own?.autoApply ?? q.autoApply,
            deletionProtection: q.deletionProtection,
            workingDirectory,
            // Only the stack's own folder starts a run; dependents follow through run triggers.
            vcs: q.vcs && { providerId: q.vcs.providerId, repository: q.vcs.repository, branch: q.vcs.branch, triggerPrefixes: [workingDirectory!] },
            providerConfigurations: [...q.providerConfigurations, ...(own?.providerConfigurations ?? [])],
            variables: [...(q.variables as VariableOptions[]), ...((own?.variables ?? []) as VariableOptions[])],
          }),
        );
      } catch (e) {
        if (!(e instanceof KitValidationError)) throw e;
        // The workspace's own checks (duplicates across the common and per-stack lists, sensitive
        // values) name this construct's fields.
        throw new KitValidationError(this.node.path, e.issues.map((issue) => relocate(issue, i, stack.node.id, common)));
      }
    });
    this.workspaces = workspaces;
    this.runTriggers = this.triggers;
    // Cross-stack dependencies exist once cdktf has prepared every stack; aspects run after that
    // (cdktf/lib/app.js `synth`: every stack's `prepareStack`, then each stack's synthesizer).
    Aspects.of(this).add({ visit: (node) => (node === this ? this.finish() : undefined) });
    onStackSynthesis(this, (dir) => fs.writeFileSync(path.join(dir, "deploy-order.json"), `${JSON.stringify(this.deployOrder(), null, 2)}\n`));
  }

  /** True once the app has synthesized far enough that `deployOrder()` holds every dependency. */
  public get deployOrderKnown(): boolean {
    return this.finished;
  }

  /**
   * The deploy order of the stacks: waves of the dependency graph. Known once the app has
   * synthesized (cdktf records cross-stack dependencies while preparing the stacks); an earlier
   * call throws rather than return an order that misses them.
   */
  public deployOrder(): StackDeployOrder {
    if (!this.deployOrderKnown) {
      throw new Error(
        `${this.node.path}: deployOrder() is known once the app has synthesized (call it after app.synth()): cdktf records cross-stack dependencies while it prepares the stacks, so an earlier order would miss them`,
      );
    }
    const managed = new Set(this.stacks);
    const deps = new Map<TerraformStack, TerraformStack[]>();
    for (const s of this.stacks) deps.set(s, s.dependencies.filter((d) => managed.has(d)));
    const depth = new Map<TerraformStack, number>();
    const level = (s: TerraformStack): number => {
      const known = depth.get(s);
      if (known !== undefined) return known;
      const d = Math.max(-1, ...(deps.get(s) ?? []).map(level)) + 1;
      depth.set(s, d);
      return d;
    };
    const waves: string[][] = [];
    for (const s of this.stacks) (waves[level(s)] ??= []).push(s.node.id);
    const byId = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
    return {
      waves: waves.map((w) => [...w].sort(byId)),
      dependencies: Object.fromEntries([...this.stacks].sort((a, b) => byId(a.node.id, b.node.id)).map((s) => [s.node.id, (deps.get(s) ?? []).map((d) => d.node.id).sort(byId)])),
      workspaces: Object.fromEntries([...this.stacks].sort((a, b) => byId(a.node.id, b.node.id)).map((s) => [s.node.id, this.names.get(s)!])),
    };
  }

  /** Sets consumers and run triggers from the complete graph (once, at synthesis). */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const issues = new IssueCollector({ subject: this.node.path });
    const managed = new Set(this.stacks);
    this.stacks.forEach((s, i) => {
      const backend = scalrBackendOf(s);
      if (backend && backend.workspace !== this.names.get(s)) {
        issues.add(`stacks[${i}]`, `keeps its state in workspace "${backend.workspace}" (scalrBackend, called after this construct was built), not in "${this.names.get(s)}": call scalrBackend before creating the workspaces`, s.node.path, { sensitive: false });
      }
      for (const d of s.dependencies) {
        if (!managed.has(d)) issues.add(`stacks[${i}]`, `depends on ${d.node.path}, which gets no workspace here: add it to \`stacks\``, s.node.path, { sensitive: false });
      }
      const upstreams = s.dependencies.filter((d) => managed.has(d)).length;
      if (this.vcsDriven && upstreams > MAX_RUN_TRIGGER_UPSTREAMS) {
        issues.add(`stacks[${i}]`, `depends on ${upstreams} stacks: a workspace takes at most ${MAX_RUN_TRIGGER_UPSTREAMS} upstream workspaces (https://docs.scalr.io/docs/run-triggers-1)`, s.node.path, { sensitive: false });
      }
    });
    issues.throwIfAny();
    const dependents = new Map<TerraformStack, TerraformStack[]>();
    for (const s of this.stacks) for (const d of s.dependencies) if (managed.has(d)) (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(s);
    const byId = (a: TerraformStack, b: TerraformStack) => a.node.id.localeCompare(b.node.id, "en", { numeric: true });
    for (const s of this.stacks) {
      const ws = this.workspaces.get(s.node.id)!;
      // `[]` turns sharing off (the provider sets `remote-state-sharing` false and adds no consumer).
      ws.resource.remoteStateConsumers = (dependents.get(s) ?? []).sort(byId).map((c) => this.workspaces.get(c.node.id)!.workspaceId);
    }
    if (!this.vcsDriven) return;
    const root = new Construct(this, "RunTriggers");
    for (const s of [...this.stacks].sort(byId)) {
      const ups = s.dependencies.filter((d) => managed.has(d)).sort(byId);
      if (ups.length === 0) continue;
      const downstream = new Construct(root, s.node.id);
      for (const up of ups) {
        const trigger = new RunTrigger(downstream, up.node.id, { upstreamId: this.workspaces.get(up.node.id)!.workspaceId, downstreamId: this.workspaces.get(s.node.id)!.workspaceId });
        this.triggers.set(`${up.node.id}/${s.node.id}`, trigger);
      }
    }
  }
}

/** True for a construct (a kit construct passed as a reference). */
function isConstructRef(value: unknown): value is IConstruct {
  return Construct.isConstruct(value);
}

/** An issue of a stack's Workspace, renamed to the field of these props it came from. */
function relocate(issue: ValidationIssue, index: number, stackId: string, common: { readonly providerConfigurations: number; readonly variables: number }): ValidationIssue {
  const m = /^(providerConfigurations|variables)\[(\d+)\](.*)$/.exec(issue.field);
  if (!m) return { ...issue, field: `stacks[${index}]${issue.field ? `.${issue.field}` : ""}` };
  const list = m[1] as "providerConfigurations" | "variables";
  const i = Number(m[2]);
  const field = i < common[list] ? `${list}[${i}]${m[3]}` : `perStack.${stackId}.${list}[${i - common[list]}]${m[3]}`;
  return { ...issue, field, message: issue.message.replace(/\b(providerConfigurations|variables)\[(\d+)\]/g, (_all, l: string, n: string) => (Number(n) < common[l as "variables"] ? `${l}[${n}]` : `perStack.${stackId}.${l}[${Number(n) - common[l as "variables"]}]`)) };
}
