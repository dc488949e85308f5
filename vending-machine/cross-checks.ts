/**
 * The spec's rules across fields and entries, run on the fields the schema accepted: names are
 * unique, every reference by name resolves (to a pool of the right kind), Scalr's final-variable
 * inheritance (account → environment → workspace), secrets come from Terraform variables whose
 * names the kit does not use itself, and each stack stays within its size bound. A check is skipped
 * when a field it reads is invalid: the schema has reported that field already.
 */
import { renderedCategory } from "../constructs/scalr/field-rules";
import { runOptionKeys } from "../constructs/scalr/run-options";
import type * as AutoscalerPolicy from "../agent/autoscaler/policy";
import { describeValue, fieldPath } from "../core/validation";
import { shardOf, stackSuffix } from "./sharding";
import type { ResolvedSpec, ResolvedVariableSpec } from "./spec-schema";
import type { SpecDraft, SpecIssues } from "./spec-issues";
import type { SpecPath } from "./spec-source";

/**
 * Construct ids the kit puts directly under a stack, where Terraform variables live too (a
 * variable's name is its construct id): the Scalr provider's variables and construct, the
 * vending machine, the AWS provider, the stack's outputs. A `valueFromTerraformVariable` may not take them.
 */
export const RESERVED_TERRAFORM_VARIABLE_NAMES: readonly string[] = ["scalr_hostname", "scalr_token", "scalr_account_id", "Scalr", "VendingMachine", "aws", "agent_pool_ids", "environment_ids"];

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

/** The entries of one kind by name; `complete` when every entry's name is valid (else an unknown name may be one of them). */
interface NameTable {
  readonly names: ReadonlyMap<string, number>;
  readonly complete: boolean;
}

type Variables = SpecDraft<readonly ResolvedVariableSpec[]> | undefined;
/** A key defined at a scope: where (a variable's path, or a typed run option's field) and whether it is final. */
interface Definition {
  /** Its path, rendered only for a message (a spec defines thousands of keys). */
  readonly at: SpecPath;
  readonly final: boolean;
  /** The typed run option that defines it (`oidc.audience`, …), for a key not set by a variable. */
  readonly option?: string;
}
interface Scope {
  readonly level: string;
  readonly keys: ReadonlyMap<string, Definition>;
}
/** The entries of a scope that define shell variables through typed run options (`terraformRc`, `oidc`). */
interface RunOptionsDraft {
  readonly terraformRc?: SpecDraft<{ readonly final?: boolean }>;
  readonly oidc?: SpecDraft<{ readonly audience?: string; readonly expirySeconds?: number; readonly final?: boolean }>;
}

/**
 * Runs every rule across fields and entries on `spec` (as far as the schema accepted it) and adds
 * what they find to `issues`.
 * @internal
 */
export function crossCheck(spec: SpecDraft<ResolvedSpec> | undefined, issues: SpecIssues): void {
  if (spec === undefined) return;
  const add = (path: SpecPath, message: string) => issues.add(path, message);

  /** name → index, reporting repeats. */
  const index = (items: readonly (SpecDraft<{ readonly name: string }> | undefined)[] | undefined, at: string, what: string): NameTable => {
    const m = new Map<string, number>();
    let complete = items !== undefined;
    items?.forEach((item, i) => {
      const name = item?.name;
      if (name === undefined) {
        complete = false;
        return;
      }
      const first = m.get(name);
      if (first !== undefined) add([at, i, "name"], `${what} "${name}" is already defined at ${at}[${first}]`);
      else m.set(name, i);
    });
    return { names: m, complete };
  };
  const vcs = index(spec.vcsProviders, "vcsProviders", "VCS provider");
  const pools = index(spec.agentPools, "agentPools", "agent pool");
  spec.agentPools?.forEach((p, i) => {
    if (p?.autoscaling === undefined) return;
    const at: SpecPath = ["agentPools", i, "autoscaling"];
    if (p.kind === "vcs") add(at, "only a run pool's fleet scales on the queue: a VCS pool's agents relay VCS traffic and take no runs");
    if (p.autoscaling.policy !== undefined) for (const { path, message } of policyProblems(p.autoscaling.policy)) add([...at, "policy", ...path], message);
  });
  const configs = index(spec.providerConfigurations, "providerConfigurations", "provider configuration");
  const groups = index(spec.policyGroups, "policyGroups", "policy group");
  const envs = index(spec.environments, "environments", "environment");
  const tagNames = new Map<string, number>();
  spec.tags?.forEach((t, i) => {
    if (t === undefined) return;
    const first = tagNames.get(t);
    if (first !== undefined) add(["tags", i], `tag "${t}" is already defined at tags[${first}]`);
    else tagNames.set(t, i);
  });
  const tags: NameTable = { names: tagNames, complete: spec.tags !== undefined && spec.tags.every((t) => t !== undefined) };

  /** Reports a name that is in none of the entries (unless an entry's name is invalid: it might be that one). */
  const known = (path: SpecPath, value: string | undefined, table: NameTable, what: string, plural: string) => {
    if (value === undefined) return false;
    if (table.names.has(value)) return true;
    if (table.complete) add(path, `no ${what} named ${JSON.stringify(value)}; ${plural} are: ${list(table.names.keys())}`);
    return false;
  };
  const noRepeats = (path: SpecPath, values: readonly (string | undefined)[], what: string) => {
    const seen = new Set<string>();
    values.forEach((v, i) => {
      if (v === undefined) return;
      if (seen.has(v)) add([...path, i], `${what} "${v}" is listed twice`);
      seen.add(v);
    });
  };
  const tagList = (path: SpecPath, values: readonly (string | undefined)[] | undefined) => {
    if (values === undefined) return;
    values.forEach((t, i) => known([...path, i], t, tags, "tag", "tags"));
    noRepeats(path, values, "tag");
  };
  const runPool = (path: SpecPath, pool: string | undefined) => {
    if (!known(path, pool, pools, "pool", "pools")) return;
    const kind = spec.agentPools?.[pools.names.get(pool!)!]?.kind;
    if (kind !== undefined && kind !== "run") {
      const runPools = (spec.agentPools ?? []).filter((x) => x?.kind === "run" && x.name !== undefined).map((x) => x!.name!);
      add(path, `pool "${pool}" is a VCS pool; workspaces run on run pools: ${list(runPools)}`);
    }
  };

  spec.providerConfigurations?.forEach((c, i) => {
    if (c === undefined) return;
    const at = ["providerConfigurations", i];
    const clouds = ["aws", "google", "azure"] as const;
    // Set or not is known unless a cloud's value is not even an object.
    issues.rule(
      clouds.filter((k) => c[k] === undefined).map((k) => [...at, k]),
      () => {
        const kinds = clouds.filter((k) => c[k] !== undefined);
        if (kinds.length !== 1) add(at, `exactly one of aws, google, azure must be set, got: ${kinds.length === 0 ? "none" : kinds.join(", ")}`);
      },
    );
    if (Array.isArray(c.environments)) {
      const environments = c.environments as readonly (string | undefined)[];
      environments.forEach((e, j) => known([...at, "environments", j], e, envs, "environment", "environments"));
      noRepeats([...at, "environments"], environments, "environment");
    }
    tagList([...at, "tags"], c.tags);
  });
  spec.policyGroups?.forEach((g, i) => known(["policyGroups", i, "vcsProvider"], g?.vcsProvider, vcs, "VCS provider", "VCS providers"));

  // Scalr's inheritance: account → environment → workspace; `final` bars redefinition below.
  const label = (key: string, category: string) => `${JSON.stringify(key)} (${category})`;
  const finalAbove = (at: SpecPath, k: string, key: string, category: string, above: readonly Scope[]) => {
    for (const a of above) {
      const d = a.keys.get(k);
      if (d?.final === true) add(at, `redefines ${label(key, category)}, which is final at ${a.level} scope in ${fieldPath(d.at)}: a final variable cannot be redefined below it`);
    }
  };
  /**
   * The keys a scope defines: its typed run options (shell variables `SCALR_TERRAFORM_RC`,
   * `SCALR_OIDC_AUD`, `SCALR_OIDC_EXP`, each at the path of the field that sets it) and its variables.
   */
  const scope = (path: SpecPath, vars: Variables, above: readonly Scope[], options: RunOptionsDraft = {}): ReadonlyMap<string, Definition> => {
    const m = new Map<string, Definition>();
    const owner = path.slice(0, -1);
    for (const t of runOptionKeys(options.terraformRc, options.oidc)) {
      const at = [...owner, ...t.field.split(".")];
      m.set(`shell:${t.key}`, { at, final: t.final, option: t.field });
      finalAbove(at, `shell:${t.key}`, t.key, "shell", above);
    }
    vars?.forEach((v, i) => {
      if (v === undefined) return;
      const at = [...path, i];
      if (v.key !== undefined && v.category !== undefined) {
        // `env` is the deprecated spelling of `shell`: one key space (DEPRECATED_VARIABLE_CATEGORIES).
        const k = `${renderedCategory(v.category)}:${v.key}`;
        const first = m.get(k);
        if (first?.option !== undefined) add([...at, "key"], `${label(v.key, v.category)} is set by \`${first.option}\` at this scope: remove the variable, or drop \`${first.option}\``);
        else if (first !== undefined) add([...at, "key"], `${label(v.key, v.category)} is already defined at ${fieldPath(first.at)}`);
        else m.set(k, { at, final: v.final === true });
        finalAbove([...at, "key"], k, v.key, v.category, above);
      }
      if (v.sensitive === true && v.value !== undefined && v.value !== "") {
        add([...at, "value"], "must not be a literal when `sensitive` is true: set `valueFromTerraformVariable` and pass the secret as that Terraform variable");
      }
      const reserved = reservedVariableName(v.valueFromTerraformVariable);
      if (reserved !== undefined) add([...at, "valueFromTerraformVariable"], `must not be "${v.valueFromTerraformVariable}": ${reserved}`);
      if (v.valueFromTerraformVariable !== undefined && v.value !== undefined) add([...at, "valueFromTerraformVariable"], "cannot be combined with `value`");
      if (v.valueFromTerraformVariable !== undefined && v.sensitive === false) {
        add([...at, "valueFromTerraformVariable"], "applies only to sensitive variables (`sensitive: true`): give other values as `value`");
      }
    });
    return m;
  };
  /** The Terraform variables a `terraformRc` takes credentials tokens from must not be names the kit uses. */
  const runOptionSecrets = (owner: SpecPath, rc: SpecDraft<{ readonly credentials?: readonly { readonly tokenFromTerraformVariable?: string }[] }> | undefined) => {
    rc?.credentials?.forEach((c, i) => {
      const reserved = reservedVariableName(c?.tokenFromTerraformVariable);
      if (reserved !== undefined) add([...owner, "terraformRc", "credentials", i, "tokenFromTerraformVariable"], `must not be "${c?.tokenFromTerraformVariable}": ${reserved}`);
    });
  };
  const account: Scope = { level: "account", keys: scope(["variables"], spec.variables, []) };

  const stacks = spec.stacks;
  const split = stacks?.split;
  /** Workspaces per stack; undefined once a workspace's stack cannot be told (an invalid name or entry). */
  let perStack: Map<string, { count: number; env: number }> | undefined =
    split === undefined || (split === "shards" && issues.invalid(["stacks", "shards"])) ? undefined : new Map();
  const stackOwner = new Map<string, number>();
  spec.environments?.forEach((env, e) => {
    if (env === undefined) {
      perStack = undefined;
      return;
    }
    const at = ["environments", e];
    runPool([...at, "defaultAgentPool"], env.defaultAgentPool);
    if (env.defaultProviderConfigurations) {
      env.defaultProviderConfigurations.forEach((c, j) => known([...at, "defaultProviderConfigurations", j], c, configs, "provider configuration", "provider configurations"));
      noRepeats([...at, "defaultProviderConfigurations"], env.defaultProviderConfigurations, "provider configuration");
    }
    if (env.policyGroups) {
      env.policyGroups.forEach((g, j) => known([...at, "policyGroups", j], g, groups, "policy group", "policy groups"));
      noRepeats([...at, "policyGroups"], env.policyGroups, "policy group");
    }
    tagList([...at, "tags"], env.tags);
    const envScope: Scope = { level: "environment", keys: scope([...at, "variables"], env.variables, [account], env) };
    runOptionSecrets(at, env.terraformRc);

    if (split === "environment" && env.name !== undefined) {
      const suffix = stackSuffix(env.name);
      const other = stackOwner.get(suffix);
      if (other !== undefined) add([...at, "name"], `gives the same stack name "vending-machine-${suffix}" as environments[${other}] ("${spec.environments?.[other]?.name}"): rename one`);
      else stackOwner.set(suffix, e);
    }
    if (env.workspaces === undefined) perStack = undefined;
    const wsNames = new Map<string, number>();
    env.workspaces?.forEach((ws, w) => {
      if (ws === undefined) {
        perStack = undefined;
        return;
      }
      const wat = [...at, "workspaces", w];
      if (ws.name !== undefined) {
        const first = wsNames.get(ws.name);
        if (first !== undefined) add([...wat, "name"], `workspace "${ws.name}" is already defined in this environment at workspaces[${first}]`);
        else wsNames.set(ws.name, w);
      }
      runPool([...wat, "agentPool"], ws.agentPool);
      known([...wat, "vcs", "provider"], ws.vcs?.provider, vcs, "VCS provider", "VCS providers");
      const links = new Set<string>();
      ws.providerConfigurations?.forEach((l, j) => {
        if (l === undefined) return;
        const c = typeof l === "string" ? l : l.configuration;
        const p = typeof l === "string" ? [...wat, "providerConfigurations", j] : [...wat, "providerConfigurations", j, "configuration"];
        known(p, c, configs, "provider configuration", "provider configurations");
        if (c === undefined || (typeof l !== "string" && issues.invalid([...wat, "providerConfigurations", j, "alias"]))) return;
        const alias = typeof l === "string" ? undefined : l.alias;
        const key = `${c}|${alias ?? ""}`;
        if (links.has(key)) add([...wat, "providerConfigurations", j], `provider configuration "${c}" is listed twice${alias === undefined ? "" : ` with alias "${alias}"`}`);
        links.add(key);
      });
      tagList([...wat, "tags"], ws.tags);
      scope([...wat, "variables"], ws.variables, [account, envScope], ws);
      runOptionSecrets(wat, ws.terraformRc);
      if (perStack === undefined || stacks === undefined || (split !== "none" && (env.name === undefined || ws.name === undefined))) {
        perStack = undefined;
        return;
      }
      const shard = shardOf(stacks as ResolvedSpec["stacks"], env.name ?? "", ws.name ?? "") ?? "";
      const s = perStack.get(shard);
      if (s) s.count++;
      else perStack.set(shard, { count: 1, env: e });
    });
  });

  if (split === "shards" && stacks?.shards === undefined && !issues.invalid(["stacks", "shards"])) add(["stacks", "shards"], 'is required with split "shards" (the number of shard stacks)');
  if (split !== undefined && split !== "shards" && stacks?.shards !== undefined) add(["stacks", "shards"], 'applies only to split "shards"');
  const max = stacks?.maxWorkspacesPerStack;
  if (max === undefined || perStack === undefined || spec.environments === undefined) return;
  for (const [shard, s] of perStack as Map<string, { count: number; env: number }>) {
    if (s.count <= max) continue;
    const where = split === "none" ? "the single stack" : split === "environment" ? `stack "vending-machine-${shard}" (environments[${s.env}])` : `shard stack "vending-machine-${shard}"`;
    const advice = split === "shards" ? "raise `shards`" : 'split the estate (`stacks.split: "shards"`)';
    add(["stacks", "maxWorkspacesPerStack"], `${where} would hold ${s.count} workspaces, more than ${max}: ${advice} or raise the limit`);
  }
}

/**
 * The problems of an autoscaling policy, by the autoscaler runtime's own rules (`parsePolicy`, the
 * same the AgentAutoscaler and the Lambda apply), each at its path below the policy, with the value.
 */
function policyProblems(policy: unknown): { readonly path: SpecPath; readonly message: string }[] {
  // Loaded when a spec scales a pool: the runtime's schema is not needed otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for a spec with autoscaling
  const { PolicyError, parsePolicy } = require("../agent/autoscaler/policy") as typeof AutoscalerPolicy;
  try {
    parsePolicy(policy);
    return [];
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    return e.issues.map((line) => {
      const m = /^`([^`]*)` ([\s\S]*)$/.exec(line);
      const field = m?.[1] === undefined || m[1] === "policy" ? "" : m[1];
      const path = field === "" ? [] : field.split(".").map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
      let value: unknown = policy;
      for (const seg of path) value = typeof value === "object" && value !== null ? (value as Record<string | number, unknown>)[seg] : undefined;
      return { path, message: `${m?.[2] ?? line}, got: ${describeValue(value)}` };
    });
  }
}
