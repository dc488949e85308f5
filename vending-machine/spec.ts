/**
 * The vending machine's spec: a declarative description of a Scalr account (agent pools, provider
 * configurations, policy groups, tags, account variables, environments and their workspaces) read
 * from YAML or JSON and validated before any construct exists. Every problem is reported with its
 * path in the spec and, when the spec came from text, its line: a pull-request check can point at it.
 */
import { AwsProviderConfigurationOptions, awsOptionsShape } from "../constructs/scalr/provider-configuration";
import type { WorkspaceVcsSource } from "../constructs/scalr/workspace";
import { LineCounter, Node, isMap, isPair, isScalar, isSeq, parseDocument } from "yaml";
import { z } from "zod";
import { KitValidationError, fieldPath, parseOrThrow, strictProps } from "../core/validation";

/** A variable in the spec, at account, environment or workspace scope. */
export interface VariableSpec {
  /** Terraform variable name, or shell/env variable name. */
  readonly key: string;
  /** Literal value. Sensitive variables take no literal: see `valueFromTerraformVariable`. @default "" */
  readonly value?: string;
  /**
   * The value of a sensitive variable: the name of a Terraform input variable (declared `sensitive`
   * in the stack that holds the Scalr variable) that you set at plan time, e.g. from a secret store.
   * The names of the kit's own constructs under a stack are reserved (see {@link RESERVED_TERRAFORM_VARIABLE_NAMES}).
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

const name = z.string().min(1).max(255).refine((s) => s.trim() === s, { error: "must not start or end with whitespace" });
const names = z.array(name).default([]);
const TF_VARIABLE = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const variableSchema = strictProps({
  key: name,
  value: z.string().max(65536).optional(),
  valueFromTerraformVariable: z.string().regex(TF_VARIABLE, { error: "must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit)" }).optional(),
  category: z.enum(["terraform", "shell", "env"]).default("terraform"),
  final: z.boolean().default(false),
  sensitive: z.boolean().default(false),
  hcl: z.boolean().default(false),
  description: z.string().max(512).default(""),
});

const workspaceSchema = strictProps({
  name,
  vcs: strictProps({
    provider: name,
    repository: z.string(),
    branch: z.string().optional(),
    versionConstraint: z.string().optional(),
    triggerPrefixes: z.array(z.string()).default([]),
    triggerPatterns: z.array(z.string()).default([]),
    dryRuns: z.boolean().default(true),
    submodules: z.boolean().default(false),
  }).optional(),
  moduleVersionId: z.string().optional(),
  workingDirectory: z.string().default(""),
  agentPool: name.optional(),
  iacPlatform: z.enum(["terraform", "opentofu"]).default("terraform"),
  version: z.string().optional(),
  autoApply: z.boolean().default(false),
  runTimeoutMinutes: z.number().optional(),
  hooks: strictProps({ preInit: z.string().optional(), prePlan: z.string().optional(), postPlan: z.string().optional(), preApply: z.string().optional(), postApply: z.string().optional() }).optional(),
  providerConfigurations: z
    .array(z.union([name, strictProps({ configuration: name, alias: z.string().optional() })], { error: "must be a provider configuration name or { configuration, alias }" }))
    .default([]),
  variables: z.array(variableSchema).default([]),
  tags: names,
  deletionProtection: z.boolean().default(true),
  varFiles: z.array(z.string().min(1, { error: "must not be empty" })).default([]),
});

const environmentSchema = strictProps({
  name,
  defaultAgentPool: name.optional(),
  defaultProviderConfigurations: names,
  policyGroups: names,
  tags: names,
  remoteBackend: z.boolean().optional(),
  remoteBackendOverridable: z.boolean().default(true),
  storageProfileId: z.string().optional(),
  maskSensitiveOutput: z.boolean().default(true),
  variables: z.array(variableSchema).default([]),
  workspaces: z.array(workspaceSchema).default([]),
});

// The construct's own field schemas: a field added there is accepted (and checked) here too.
// `allowedSubjects` keeps no default: the vending machine derives one from the sharing.
const awsSchema = strictProps({ ...awsOptionsShape, allowedSubjects: awsOptionsShape.allowedSubjects.unwrap().optional() });

const providerConfigurationSchema = strictProps({
  name,
  environments: z.union([z.literal("all"), z.array(name)], { error: 'must be "all" or a list of environment names' }).default([]),
  exportShellVariables: z.boolean().default(false),
  tags: names,
  aws: awsSchema.optional(),
  google: strictProps({ project: z.string().optional(), serviceAccountEmail: z.string(), workloadProviderName: z.string() }).optional(),
  azure: strictProps({ clientId: z.string(), tenantId: z.string(), subscriptionId: z.string().optional(), audience: z.string() }).optional(),
});

const VCS_PROVIDER_ID = /^vcs-[A-Za-z0-9]+$/;

const specSchema = strictProps({
  version: z.literal(1).default(1),
  stacks: strictProps({
    split: z.enum(["none", "environment", "shards"]).default("none"),
    shards: z.number().int({ error: "must be a whole number from 1 to 1000" }).min(1, { error: "must be a whole number from 1 to 1000" }).max(1000, { error: "must be a whole number from 1 to 1000" }).optional(),
    maxWorkspacesPerStack: z.number().int({ error: "must be a whole number from 1 to 100000" }).min(1, { error: "must be a whole number from 1 to 100000" }).max(100000, { error: "must be a whole number from 1 to 100000" }).default(1000),
  }).default({ split: "none", maxWorkspacesPerStack: 1000 }),
  vcsProviders: z.array(strictProps({ name, id: z.string().regex(VCS_PROVIDER_ID, { error: 'must be a VCS provider ID such as "vcs-v0o1example"' }) })).default([]),
  agentPools: z.array(strictProps({ name, kind: z.enum(["run", "vcs"]).default("run"), tokens: z.array(z.string()).optional() })).default([]),
  tags: names,
  providerConfigurations: z.array(providerConfigurationSchema).default([]),
  policyGroups: z.array(strictProps({
    name,
    vcsProvider: name,
    repository: strictProps({ identifier: z.string(), branch: z.string().optional(), path: z.string().optional() }),
    opaVersion: z.string().optional(),
    commonFunctionsFolder: z.string().optional(),
  })).default([]),
  variables: z.array(variableSchema).default([]),
  environments: z.array(environmentSchema).default([]),
}) satisfies z.ZodType<VendingMachineSpec, unknown>;

/** A spec after validation, with every default applied. */
export type ResolvedSpec = z.output<typeof specSchema>;
/** A resolved environment. */
export type ResolvedEnvironmentSpec = ResolvedSpec["environments"][number];
/** A resolved workspace. */
export type ResolvedWorkspaceSpec = ResolvedEnvironmentSpec["workspaces"][number];
/** A resolved variable. */
export type ResolvedVariableSpec = ResolvedSpec["variables"][number];

/** A path in the spec: property names and list indexes. */
export type SpecPath = readonly (string | number)[];

/** One problem in a spec. */
export interface SpecIssue {
  /** Where in the spec, e.g. `environments[2].workspaces[5].agentPool`. */
  readonly path: string;
  /** What is wrong, e.g. `no pool named "gpu"; pools are: aws-run, vcs`. */
  readonly message: string;
  /** 1-based line in the spec file, when the spec came from text and the path could be found. */
  readonly line?: number;
}

/** Formats an issue as `file:line: path: message` (parts left out when unknown). */
export function formatSpecIssue(issue: SpecIssue, file?: string): string {
  const where = file === undefined ? (issue.line === undefined ? "" : `line ${issue.line}: `) : issue.line === undefined ? `${file}: ` : `${file}:${issue.line}: `;
  return `${where}${issue.path ? `${issue.path}: ` : ""}${issue.message}`;
}

/**
 * A spec that failed validation: every problem, one per line as `file:line: path: message`.
 * A {@link KitValidationError} whose subject is the file (or `spec`).
 */
export class SpecValidationError extends KitValidationError {
  /** The problems, in line order (those without a line last, in the order found). */
  public readonly specIssues: readonly SpecIssue[];
  /** The spec file name, when known. */
  public readonly file?: string;

  public constructor(issues: readonly SpecIssue[], file?: string) {
    // Line order, whatever order the checks found them in: a reader (or a pull-request
    // annotation list) goes down the file. The sort is stable, so one line's issues keep theirs.
    const specIssues = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    super(file ?? "spec", specIssues.map((i) => ({ field: i.path, message: i.message, received: "" })));
    this.name = "SpecValidationError";
    this.specIssues = specIssues;
    this.file = file;
    this.message = specIssues.map((i) => formatSpecIssue(i, file)).join("\n");
  }
}

/** Where a spec came from: locates paths in its text. */
export class SpecSource {
  /** The file name shown in messages (as given: keep it relative for stable output). */
  public readonly file?: string;
  private readonly doc?: ReturnType<typeof parseDocument>;
  private readonly lines?: LineCounter;

  /** @internal use {@link readSpecText} */
  public constructor(file?: string, doc?: ReturnType<typeof parseDocument>, lines?: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** The 1-based line of `path`, or of its deepest part present in the text. */
  public lineOf(path: SpecPath): number | undefined {
    if (!this.doc || !this.lines) return undefined;
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        offset = rangeStart(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /** An issue at `path`, with its line. */
  public issue(path: SpecPath, message: string): SpecIssue {
    return { path: fieldPath(path), message, line: this.lineOf(path) };
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}

/** The result of reading a spec's text: the plain data and where it came from. */
export interface SpecText {
  /** The data (not validated yet). */
  readonly data: unknown;
  /** Locates paths in the text. */
  readonly source: SpecSource;
}

/**
 * Parses YAML or JSON text (JSON is YAML). Syntax errors and duplicate keys become a
 * {@link SpecValidationError} with their lines.
 * @param file the name shown in messages
 */
export function readSpecText(text: string, file?: string): SpecText {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      doc.errors.map((e) => ({ path: "", message: `not valid YAML or JSON: ${e.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`, line: e.linePos?.[0].line })),
      file,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new SpecValidationError([{ path: "", message: (e as Error).message }], file);
  }
  return { data, source: new SpecSource(file, doc, lines) };
}

/** Parses a field path as rendered by `fieldPath` (`a.b[2]["c d"]`) back into segments. */
export function segmentsOf(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/**
 * Validates a spec: its shape, then every reference by name, duplicate names, Scalr's final-variable
 * rule, pool kinds and the size of each stack. Throws one {@link SpecValidationError} listing every
 * problem; returns the spec with defaults applied.
 */
export function validateSpec(data: unknown, source: SpecSource = new SpecSource()): ResolvedSpec {
  let spec: ResolvedSpec;
  try {
    spec = parseOrThrow(specSchema, data, { subject: source.file ?? "spec" });
  } catch (e) {
    if (!(e instanceof KitValidationError)) throw e;
    throw new SpecValidationError(
      e.issues.map((i) => ({ ...source.issue(segmentsOf(i.field), `${i.message}, got: ${i.received}`), path: i.field })),
      source.file,
    );
  }
  const issues = crossCheck(spec, source);
  if (issues.length > 0) throw new SpecValidationError(issues, source.file);
  return spec;
}

/** A spec that passed {@link validateSpec}, with where it came from (accepted by VendingMachine as is). */
export class ValidatedSpec {
  public constructor(
    /** The spec, defaults applied. */
    public readonly spec: ResolvedSpec,
    /** Locates paths in the spec's text. */
    public readonly source: SpecSource,
  ) {}
}

/** Validates plain data or the result of {@link readSpecText} (passes a {@link ValidatedSpec} through). */
export function validateVendingMachineSpec(input: VendingMachineSpec | SpecText | ValidatedSpec): ValidatedSpec {
  if (input instanceof ValidatedSpec) return input;
  const text = input as Partial<SpecText>;
  const source = typeof text === "object" && text !== null && text.source instanceof SpecSource ? text.source : undefined;
  return source ? new ValidatedSpec(validateSpec(text.data, source), source) : new ValidatedSpec(validateSpec(input), new SpecSource());
}

/** Reads and validates spec text in one step. */
export function parseSpecText(text: string, file?: string): { spec: ResolvedSpec; source: SpecSource } {
  const { data, source } = readSpecText(text, file);
  return { spec: validateSpec(data, source), source };
}

/**
 * Construct ids the kit puts directly under a stack, where Terraform variables live too (a
 * variable's name is its construct id): the Scalr provider's variables and construct, the
 * vending machine, the AWS provider. A `valueFromTerraformVariable` may not take them.
 */
export const RESERVED_TERRAFORM_VARIABLE_NAMES: readonly string[] = ["scalr_hostname", "scalr_token", "scalr_account_id", "Scalr", "VendingMachine", "aws"];

/** Prefixes of construct ids the kit and cdktf make under a stack (workspaces, shard containers, cross-stack references). */
const RESERVED_PREFIXES = ["Workspace-", "Environment-", "cross-stack"];

/** Why `name` cannot be a Terraform variable of the vending machine, or undefined when it can. */
function reservedVariableName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name.startsWith("scalr_") && RESERVED_TERRAFORM_VARIABLE_NAMES.includes(name)) return "the Scalr provider's own variable";
  if (RESERVED_TERRAFORM_VARIABLE_NAMES.includes(name)) return "a construct of the kit has that id in the stack (a Terraform variable's name is its construct id)";
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `names starting with "${prefix}" are construct ids of the kit or cdktf in the stack (a Terraform variable's name is its construct id)`;
  return undefined;
}

function list(values: Iterable<string>): string {
  const all = [...values];
  return all.length === 0 ? "(none)" : all.join(", ");
}

/** The stack a workspace lands in, by split mode (the name suffix after `vending-machine-`). */
export function shardOf(split: ResolvedSpec["stacks"], environment: string, workspace: string): string | undefined {
  if (split.split === "none") return undefined;
  if (split.split === "environment") return stackSuffix(environment);
  return String(fnv1a(`${environment}/${workspace}`) % (split.shards ?? 1));
}

/** A stack-name suffix from an environment name: lowercase letters, digits and '-'. */
export function stackSuffix(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "env";
}

/** 32-bit FNV-1a: a stable hash, so a workspace's shard never depends on other entries. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function crossCheck(spec: ResolvedSpec, source: SpecSource): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: SpecPath, message: string) => issues.push(source.issue(path, message));

  /** name → index, reporting repeats. */
  const index = <T extends { readonly name: string }>(items: readonly T[], at: string, what: string) => {
    const m = new Map<string, number>();
    items.forEach((item, i) => {
      const first = m.get(item.name);
      if (first !== undefined) add([at, i, "name"], `${what} "${item.name}" is already defined at ${at}[${first}]`);
      else m.set(item.name, i);
    });
    return m;
  };
  const vcs = index(spec.vcsProviders, "vcsProviders", "VCS provider");
  const pools = index(spec.agentPools, "agentPools", "agent pool");
  const configs = index(spec.providerConfigurations, "providerConfigurations", "provider configuration");
  const groups = index(spec.policyGroups, "policyGroups", "policy group");
  const envs = index(spec.environments, "environments", "environment");
  const tags = new Map<string, number>();
  spec.tags.forEach((t, i) => {
    const first = tags.get(t);
    if (first !== undefined) add(["tags", i], `tag "${t}" is already defined at tags[${first}]`);
    else tags.set(t, i);
  });

  const known = (path: SpecPath, value: string | undefined, table: ReadonlyMap<string, number>, what: string, plural: string) => {
    if (value !== undefined && !table.has(value)) add(path, `no ${what} named ${JSON.stringify(value)}; ${plural} are: ${list(table.keys())}`);
    return value !== undefined && table.has(value);
  };
  const noRepeats = (path: SpecPath, values: readonly string[], what: string) => {
    const seen = new Set<string>();
    values.forEach((v, i) => {
      if (seen.has(v)) add([...path, i], `${what} "${v}" is listed twice`);
      seen.add(v);
    });
  };
  const tagList = (path: SpecPath, values: readonly string[]) => {
    values.forEach((t, i) => known([...path, i], t, tags, "tag", "tags"));
    noRepeats(path, values, "tag");
  };
  const runPool = (path: SpecPath, pool: string | undefined) => {
    if (known(path, pool, pools, "pool", "pools")) {
      const p = spec.agentPools[pools.get(pool!)!];
      if (p?.kind !== "run") add(path, `pool "${pool}" is a VCS pool; workspaces run on run pools: ${list(spec.agentPools.filter((x) => x.kind === "run").map((x) => x.name))}`);
    }
  };

  spec.providerConfigurations.forEach((c, i) => {
    const at = ["providerConfigurations", i];
    const kinds = (["aws", "google", "azure"] as const).filter((k) => c[k] !== undefined);
    if (kinds.length !== 1) add(at, `exactly one of aws, google, azure must be set, got: ${kinds.length === 0 ? "none" : kinds.join(", ")}`);
    if (c.environments !== "all") {
      c.environments.forEach((e, j) => known([...at, "environments", j], e, envs, "environment", "environments"));
      noRepeats([...at, "environments"], c.environments, "environment");
    }
    tagList([...at, "tags"], c.tags);
  });
  spec.policyGroups.forEach((g, i) => known(["policyGroups", i, "vcsProvider"], g.vcsProvider, vcs, "VCS provider", "VCS providers"));

  // Scalr's inheritance: account → environment → workspace; `final` bars redefinition below.
  const vkey = (v: ResolvedVariableSpec) => `${v.category}:${v.key}`;
  const label = (v: ResolvedVariableSpec) => `${JSON.stringify(v.key)} (${v.category})`;
  const scope = (path: SpecPath, vars: readonly ResolvedVariableSpec[], above: readonly { level: string; path: SpecPath; vars: ReadonlyMap<string, number>; list: readonly ResolvedVariableSpec[] }[]) => {
    const m = new Map<string, number>();
    vars.forEach((v, i) => {
      const at = [...path, i];
      const k = vkey(v);
      const first = m.get(k);
      if (first !== undefined) add([...at, "key"], `${label(v)} is already defined at ${fieldPath([...path, first])}`);
      else m.set(k, i);
      for (const a of above) {
        const j = a.vars.get(k);
        if (j !== undefined && a.list[j]?.final) {
          add([...at, "key"], `redefines ${label(v)}, which is final at ${a.level} scope in ${fieldPath([...a.path, j])}: a final variable cannot be redefined below it`);
        }
      }
      if (v.sensitive && v.value !== undefined && v.value !== "") {
        add([...at, "value"], "must not be a literal when `sensitive` is true: set `valueFromTerraformVariable` and pass the secret as that Terraform variable");
      }
      const reserved = reservedVariableName(v.valueFromTerraformVariable);
      if (reserved !== undefined) add([...at, "valueFromTerraformVariable"], `must not be "${v.valueFromTerraformVariable}": ${reserved}`);
      if (v.valueFromTerraformVariable !== undefined && v.value !== undefined) add([...at, "valueFromTerraformVariable"], "cannot be combined with `value`");
      if (v.valueFromTerraformVariable !== undefined && !v.sensitive) add([...at, "valueFromTerraformVariable"], "applies only to sensitive variables (`sensitive: true`): give other values as `value`");
    });
    return m;
  };
  const account = { level: "account", path: ["variables"], vars: scope(["variables"], spec.variables, []), list: spec.variables };

  const perStack = new Map<string, { count: number; env: number }>();
  const stackOwner = new Map<string, number>();
  spec.environments.forEach((env, e) => {
    const at = ["environments", e];
    runPool([...at, "defaultAgentPool"], env.defaultAgentPool);
    env.defaultProviderConfigurations.forEach((c, j) => known([...at, "defaultProviderConfigurations", j], c, configs, "provider configuration", "provider configurations"));
    noRepeats([...at, "defaultProviderConfigurations"], env.defaultProviderConfigurations, "provider configuration");
    env.policyGroups.forEach((g, j) => known([...at, "policyGroups", j], g, groups, "policy group", "policy groups"));
    noRepeats([...at, "policyGroups"], env.policyGroups, "policy group");
    tagList([...at, "tags"], env.tags);
    const envScope = { level: "environment", path: [...at, "variables"], vars: scope([...at, "variables"], env.variables, [account]), list: env.variables };

    if (spec.stacks.split === "environment") {
      const suffix = stackSuffix(env.name);
      const other = stackOwner.get(suffix);
      if (other !== undefined) add([...at, "name"], `gives the same stack name "vending-machine-${suffix}" as environments[${other}] ("${spec.environments[other]?.name}"): rename one`);
      else stackOwner.set(suffix, e);
    }
    const wsNames = new Map<string, number>();
    env.workspaces.forEach((ws, w) => {
      const wat = [...at, "workspaces", w];
      const first = wsNames.get(ws.name);
      if (first !== undefined) add([...wat, "name"], `workspace "${ws.name}" is already defined in this environment at workspaces[${first}]`);
      else wsNames.set(ws.name, w);
      runPool([...wat, "agentPool"], ws.agentPool);
      if (ws.vcs) known([...wat, "vcs", "provider"], ws.vcs.provider, vcs, "VCS provider", "VCS providers");
      const links = new Set<string>();
      ws.providerConfigurations.forEach((l, j) => {
        const c = typeof l === "string" ? l : l.configuration;
        const p = typeof l === "string" ? [...wat, "providerConfigurations", j] : [...wat, "providerConfigurations", j, "configuration"];
        known(p, c, configs, "provider configuration", "provider configurations");
        const key = `${c}|${typeof l === "string" ? "" : (l.alias ?? "")}`;
        if (links.has(key)) add([...wat, "providerConfigurations", j], `provider configuration "${c}" is listed twice${typeof l === "string" || l.alias === undefined ? "" : ` with alias "${l.alias}"`}`);
        links.add(key);
      });
      tagList([...wat, "tags"], ws.tags);
      scope([...wat, "variables"], ws.variables, [account, envScope]);
      const shard = shardOf(spec.stacks, env.name, ws.name) ?? "";
      const s = perStack.get(shard);
      if (s) s.count++;
      else perStack.set(shard, { count: 1, env: e });
    });
  });

  if (spec.stacks.split === "shards" && spec.stacks.shards === undefined) add(["stacks", "shards"], 'is required with split "shards" (the number of shard stacks)');
  if (spec.stacks.split !== "shards" && spec.stacks.shards !== undefined) add(["stacks", "shards"], 'applies only to split "shards"');
  const max = spec.stacks.maxWorkspacesPerStack;
  for (const [shard, s] of perStack) {
    if (s.count <= max) continue;
    const where = spec.stacks.split === "none" ? "the single stack" : spec.stacks.split === "environment" ? `stack "vending-machine-${shard}" (environments[${s.env}])` : `shard stack "vending-machine-${shard}"`;
    const advice = spec.stacks.split === "shards" ? "raise `shards`" : 'split the estate (`stacks.split: "shards"`)';
    add(["stacks", "maxWorkspacesPerStack"], `${where} would hold ${s.count} workspaces, more than ${max}: ${advice} or raise the limit`);
  }
  return issues;
}
