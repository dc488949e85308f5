/**
 * Names that Scalr keeps unique in an account, checked across every stack of one app (internal).
 *
 * - Agent pools: "The name of the agent pool. This must be unique within a Scalr scope (e.g.
 *   account or environment)" (Scalr API, agent pools: https://docs.scalr.com/en/latest/api/preview/agent-pools.html,
 *   `attributes.name`): a second pool of the same name fails at apply, so it is an error at synth.
 * - Environments: no source states that environment names are unique (the provider's
 *   `scalr_environment` data source looks one up by `name`, which suggests it; unverified:
 *   https://docs.scalr.io/docs/provider_datasource_scalr_environment): a warning at synth.
 *
 * Names are compared as written; a Terraform reference is not checked.
 */
import { Annotations } from "cdktf";
import { IConstruct } from "constructs";
import { ConstructState } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { isToken } from "../../core/validation";

/** The kinds whose names are checked. */
export type AccountNameKind = "agent pool" | "environment";

const registries = new ConstructState<IConstruct, Map<string, string>>(
  "scalr.account-names",
  "Construct paths of the app's agent pools and environments by kind and name, to find two Scalr objects of one name across stacks",
);

function registryOf(scope: IConstruct): Map<string, string> {
  return registries.getOrCreate(scope.node.root, () => new Map());
}

/** The path of another construct of `kind` named `name` in the app, if any. */
function other(construct: IConstruct, kind: AccountNameKind, name: unknown): string | undefined {
  if (typeof name !== "string" || isToken(name)) return undefined;
  const path = registryOf(construct).get(`${kind}\u0000${name}`);
  return path === construct.node.path ? undefined : path;
}

/**
 * Reports (in an `issues.rule` reading `name`) an agent pool named like another pool of the app:
 * Scalr rejects it.
 */
export function checkUniquePoolName(issues: IssueCollector, construct: IConstruct, name: unknown): void {
  const first = other(construct, "agent pool", name);
  if (first !== undefined) {
    issues.add("name", `is already the name of the agent pool ${first}: Scalr agent pool names are unique in an account, so rename one of them`, name, { sensitive: false });
  }
}

/** Warns when an environment is named like another environment of the app (unverified rule: see above). */
export function warnDuplicateEnvironmentName(construct: IConstruct, name: unknown): void {
  const first = other(construct, "environment", name);
  if (first !== undefined) {
    Annotations.of(construct).addWarning(
      `${construct.node.path}: \`name\` ${JSON.stringify(name)} is already the name of the environment ${first}; Scalr most likely refuses a second environment of one name in an account (unverified: https://docs.scalr.io/docs/provider_datasource_scalr_environment): rename one of them`,
    );
  }
}

/** Records the name of a construct that was created. */
export function registerAccountName(construct: IConstruct, kind: AccountNameKind, name: unknown): void {
  if (typeof name !== "string" || isToken(name)) return;
  const registry = registryOf(construct);
  const key = `${kind}\u0000${name}`;
  if (!registry.has(key)) registry.set(key, construct.node.path);
}
