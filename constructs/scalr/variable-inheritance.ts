import { IConstruct } from "constructs";
import { ConstructState } from "../../core/cdktf-internals";
import { KitValidationError, describeValue } from "../../core/validation";
import { renderedCategory } from "./field-rules";

/**
 * Scalr's variable inheritance, checked as each variable is created (synth time, not apply time).
 *
 * Variables flow account → environment → workspace; a lower scope may redefine a key unless a
 * higher scope marked it `final`. Scalr rejects such a redefinition only when it is applied (or,
 * with `force`, deletes the lower one). This registry makes it a synth-time error naming both
 * construct paths, whichever of the two is created first. Every lookup is a map access, so the
 * check stays linear at thousands of workspaces.
 *
 * Identity: a key is unique per category, `terraform` or `shell`; `env`, the deprecated spelling of
 * `shell`, is the same category (see DEPRECATED_VARIABLE_CATEGORIES in field-rules.ts). An environment or a
 * workspace is known by its construct path, or by its literal Scalr ID when given as an ID; an
 * unresolved Terraform reference cannot be placed in the hierarchy and is checked only at its own level.
 */

/** Where a variable is defined, as the registry sees it. */
export interface VariablePlacement {
  /** The scope level. */
  readonly level: "account" | "environment" | "workspace";
  /** The environment's identity (environment variables, and workspace variables whose environment is known). */
  readonly environmentKey?: string;
  /** The workspace's identity (workspace variables). */
  readonly workspaceKey?: string;
}

/** A registered variable; its path and label are made only for a message (thousands are registered, few reported). */
class Entry {
  public constructor(
    private readonly construct: IConstruct,
    public readonly final: boolean,
    private readonly key: string,
    private readonly category: string,
  ) {}

  public get path(): string {
    return this.construct.node.path;
  }

  public get label(): string {
    return `${JSON.stringify(this.key)} (${this.category})`;
  }
}

class Registry {
  /** `category:key` → the account-scope variable. */
  public readonly account = new Map<string, Entry>();
  /** env → `category:key` → the environment-scope variable. */
  public readonly environment = new Map<string, Map<string, Entry>>();
  /** ws → `category:key` → the workspace-scope variable. */
  public readonly workspace = new Map<string, Map<string, Entry>>();
  /** `category:key` → the first variable below account scope. */
  public readonly belowAccount = new Map<string, Entry>();
  /** env → `category:key` → the first workspace variable of that environment. */
  public readonly belowEnvironment = new Map<string, Map<string, Entry>>();
}

/**
 * The entries of one environment or workspace (`scope`, its path or `id:` key) in `table`, made on
 * first use. Keyed by scope, then by `category:key`: a scope's key is a string the construct keeps,
 * while a joined `scope|category:key` would be a new long string to hash at every variable.
 */
function entriesOf(table: Map<string, Map<string, Entry>>, scope: string): Map<string, Entry> {
  let entries = table.get(scope);
  if (!entries) table.set(scope, (entries = new Map()));
  return entries;
}

const registries = new ConstructState<IConstruct, Registry>(
  "scalr.variable-inheritance",
  "The Scalr variables of an app (its root construct) by scope and key, to check Scalr's inheritance rules as each variable is created",
);

function registryOf(scope: IConstruct): Registry {
  return registries.getOrCreate(scope.node.root, () => new Registry());
}

function duplicate(path: string, entry: Entry, where: string, key: string): KitValidationError {
  return new KitValidationError(path, [
    { field: "key", message: `is already defined ${where} by ${entry.path} (${entry.label})`, received: describeValue(key) },
  ]);
}

function redefinesFinal(path: string, higher: Entry, level: string, key: string): KitValidationError {
  return new KitValidationError(path, [
    {
      field: "key",
      message: `redefines ${higher.label}, which is final at ${level} scope in ${higher.path}: a final variable cannot be redefined below it`,
      received: describeValue(key),
    },
  ]);
}

function finalAbove(path: string, lower: Entry, label: string): KitValidationError {
  return new KitValidationError(path, [
    {
      field: "final",
      message: `cannot be true: ${label} is redefined below it in ${lower.path} (make that one the only definition, or drop \`final\`)`,
      received: "true",
    },
  ]);
}

/**
 * Records a variable and throws a {@link KitValidationError} when it breaks an inheritance rule:
 * a key defined twice at one scope, a final key redefined below, or a key made final above an
 * existing redefinition.
 */
export function registerVariable(
  construct: IConstruct,
  placement: VariablePlacement,
  variable: { readonly key: string; readonly category: string; readonly final: boolean },
): void {
  const r = registryOf(construct);
  const ck = `${renderedCategory(variable.category)}:${variable.key}`;
  const entry = new Entry(construct, variable.final, variable.key, variable.category);
  const env = placement.environmentKey;

  if (placement.level === "account") {
    const same = r.account.get(ck);
    if (same) throw duplicate(entry.path, same, "at account scope", variable.key);
    const below = r.belowAccount.get(ck);
    if (variable.final && below) throw finalAbove(entry.path, below, entry.label);
    r.account.set(ck, entry);
    return;
  }

  const account = r.account.get(ck);
  if (account?.final) throw redefinesFinal(entry.path, account, "account", variable.key);

  if (placement.level === "environment") {
    if (env !== undefined) {
      const inEnvironment = entriesOf(r.environment, env);
      const same = inEnvironment.get(ck);
      if (same) throw duplicate(entry.path, same, "in this environment", variable.key);
      const below = r.belowEnvironment.get(env)?.get(ck);
      if (variable.final && below) throw finalAbove(entry.path, below, entry.label);
      inEnvironment.set(ck, entry);
    }
  } else {
    if (env !== undefined) {
      const parent = r.environment.get(env)?.get(ck);
      if (parent?.final) throw redefinesFinal(entry.path, parent, "environment", variable.key);
    }
    if (placement.workspaceKey !== undefined) {
      const inWorkspace = entriesOf(r.workspace, placement.workspaceKey);
      const same = inWorkspace.get(ck);
      if (same) throw duplicate(entry.path, same, "in this workspace", variable.key);
      inWorkspace.set(ck, entry);
    }
    if (env !== undefined) {
      const below = entriesOf(r.belowEnvironment, env);
      if (!below.has(ck)) below.set(ck, entry);
    }
  }
  if (!r.belowAccount.has(ck)) r.belowAccount.set(ck, entry);
}
