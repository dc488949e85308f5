import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { Environment } from "../../constructs/scalr/environment";
import { PolicyGroup } from "../../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../../constructs/scalr/provider-configuration";
import { Tag } from "../../constructs/scalr/tag";
import { Variable } from "../../constructs/scalr/variable";
import { Workspace } from "../../constructs/scalr/workspace";
import { KitValidationError } from "../../core/validation";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";
import { validateSpec } from "../../vending-machine/validate";

/**
 * The spec's schema is built from the constructs' own field rules: for every field a spec entry
 * shares with its construct, a value is accepted or rejected alike, with the same message.
 */

type Props = Record<string, unknown>;

/** A kind of spec entry and the construct it becomes. */
interface Entity {
  /** The entry's path in the spec. */
  readonly at: string;
  /** A spec holding `entry` at `at` (and what its references need). */
  readonly spec: (entry: Props) => unknown;
  /** Builds the construct from `props`. */
  readonly build: (scope: Construct, props: Props) => unknown;
  /** Where the props lie in the construct's own props. @default "" - they are its props */
  readonly constructAt?: string;
  /** The path of a field of the entry in the spec. @default `<at>.<field>` */
  readonly specPath?: (field: string) => string;
}

const ROLE = "arn:aws:iam::123456789012:role/x";
const ENTITIES = {
  workspace: {
    at: "environments[0].workspaces[0]",
    spec: (w) => ({ vcsProviders: [{ name: "gh", id: "vcs-abc" }], environments: [{ name: "e", workspaces: [w] }] }),
    build: (scope, p) => new Workspace(scope, "W", { environment: "env-abc", ...p } as never),
  },
  environment: { at: "environments[0]", spec: (e) => ({ environments: [e] }), build: (scope, p) => new Environment(scope, "E", p as never) },
  variable: { at: "variables[0]", spec: (v) => ({ variables: [v] }), build: (scope, p) => new Variable(scope, "V", p as never) },
  agentPool: { at: "agentPools[0]", spec: (p) => ({ agentPools: [p] }), build: (scope, p) => new AgentPool(scope, "P", p as never) },
  // The spec's tags are names; the construct's `name`.
  tag: { at: "tags[0]", spec: (t) => ({ tags: [t.name] }), build: (scope, p) => new Tag(scope, "T", p as never), specPath: () => "tags[0]" },
  // A VCS provider's ID in the spec is a workspace's `vcs.providerId` in the construct.
  vcsProvider: {
    at: "vcsProviders[0]",
    spec: (v) => ({ vcsProviders: [v] }),
    build: (scope, p) => new Workspace(scope, "W", { name: "w", environment: "env-abc", vcs: { repository: "acme/x", ...p } } as never),
    constructAt: "vcs",
  },
  // A workspace's link to a provider configuration: by name in the spec, a construct or an ID in the construct.
  link: {
    at: "environments[0].workspaces[0].providerConfigurations[0]",
    spec: (l) => ({
      providerConfigurations: [{ name: "aws", environments: "all", aws: { auth: "oidc", existingRoleArn: ROLE } }],
      environments: [{ name: "e", workspaces: [{ name: "w", providerConfigurations: [l] }] }],
    }),
    build: (scope, p) => new Workspace(scope, "W", { name: "w", environment: "env-abc", providerConfigurations: [p] } as never),
    constructAt: "providerConfigurations[0]",
  },
  policyGroup: {
    at: "policyGroups[0]",
    spec: (g) => ({ vcsProviders: [{ name: "gh", id: "vcs-abc" }], policyGroups: [g] }),
    build: (scope, p) => new PolicyGroup(scope, "G", { vcsProviderId: "vcs-abc", ...p } as never),
  },
  providerConfiguration: {
    at: "providerConfigurations[0]",
    spec: (c) => ({ providerConfigurations: [c] }),
    build: (scope, p) => new ProviderConfiguration(scope, "C", p as never),
  },
} satisfies Record<string, Entity>;

/**
 * One shared field: the entity, the field's path in the spec entry and in the construct's props,
 * the entry (and props) it is set in, and the values tried.
 */
interface Row {
  readonly entity: keyof typeof ENTITIES;
  readonly field: string;
  readonly values: readonly unknown[];
  /** The entry the value is set in. @default { name: "x" } */
  readonly spec?: Props;
  /** The construct's props the value is set in. @default the spec entry */
  readonly construct?: Props;
  /** The field in the construct's props. @default field */
  readonly constructField?: string;
}

const VCS_SPEC = { name: "w", vcs: { provider: "gh", repository: "acme/x" } };
const VCS_PROPS = { name: "w", vcs: { providerId: "vcs-abc", repository: "acme/x" } };
const OIDC = { name: "c", aws: { auth: "oidc", scalrAccountName: "acme" } };
const DELEGATION = { name: "c", aws: { auth: "role-delegation", externalId: "a-long-external-id" } };
const GOOGLE = { serviceAccountEmail: "sa@p.iam.gserviceaccount.com", workloadProviderName: "projects/1/locations/global/workloadIdentityPools/p/providers/s" };
const AZURE = { clientId: "c", tenantId: "t", audience: "api://AzureADTokenExchange" };
const REPO = { name: "g", vcsProvider: "gh", repository: { identifier: "acme/opa" } };
const REPO_PROPS = { name: "g", repository: { identifier: "acme/opa" } };
const NAMES = ["ok", "", " padded", "x".repeat(255), "x".repeat(256), 7];

const ROWS: readonly Row[] = [
  { entity: "workspace", field: "name", values: NAMES },
  { entity: "workspace", field: "moduleVersionId", values: ["modver-abc", "abc", "", 1] },
  { entity: "workspace", field: "workingDirectory", values: ["", "net", "net/core", "/abs", "../x", "a/../b", 3] },
  { entity: "workspace", field: "iacPlatform", values: ["terraform", "opentofu", "tofu", undefined] },
  { entity: "workspace", field: "version", values: ["1.9.8", "latest", "1.9", ""] },
  { entity: "workspace", field: "autoApply", values: [true, false, "yes"] },
  { entity: "workspace", field: "runTimeoutMinutes", values: [1, 10080, 0, 10081, 1.5, "5"] },
  { entity: "workspace", field: "hooks.prePlan", values: ["terraform fmt -check", "", " x", "x".repeat(4097)] },
  { entity: "workspace", field: "hooks.preInit", values: ["make tools", 1] },
  { entity: "workspace", field: "deletionProtection", values: [true, false, 0] },
  { entity: "workspace", field: "varFiles", values: [[], ["prod.tfvars"], [""], ["/etc/x.tfvars"], ["../x.tfvars"], "prod.tfvars"] },
  { entity: "workspace", field: "vcs.repository", spec: VCS_SPEC, construct: VCS_PROPS, values: ["acme/infra", "foo", "acme/ x", ""] },
  { entity: "workspace", field: "vcs.branch", spec: VCS_SPEC, construct: VCS_PROPS, values: ["main", "", " main", 1] },
  { entity: "workspace", field: "vcs.versionConstraint", spec: VCS_SPEC, construct: VCS_PROPS, values: ["~> 1.0", "", 2] },
  { entity: "workspace", field: "vcs.triggerPrefixes", spec: VCS_SPEC, construct: VCS_PROPS, values: [["network/"], ["/abs"], ["../up"], "network/"] },
  { entity: "workspace", field: "vcs.triggerPatterns", spec: VCS_SPEC, construct: VCS_PROPS, values: [["**/*.tf"], [""], [" x"]] },
  { entity: "workspace", field: "vcs.dryRuns", spec: VCS_SPEC, construct: VCS_PROPS, values: [true, "no"] },
  { entity: "workspace", field: "vcs.submodules", spec: VCS_SPEC, construct: VCS_PROPS, values: [false, 1] },

  { entity: "environment", field: "name", values: NAMES },
  { entity: "environment", field: "remoteBackend", values: [true, false, "yes"] },
  { entity: "environment", field: "remoteBackendOverridable", values: [true, null] },
  { entity: "environment", field: "storageProfileId", values: ["sp-abc", "", " sp"] },
  { entity: "environment", field: "maskSensitiveOutput", values: [false, "false"] },

  { entity: "variable", field: "key", spec: { key: "k" }, values: ["region", "", "x".repeat(128), "x".repeat(129), " k", 1] },
  { entity: "variable", field: "value", spec: { key: "k" }, values: ["eu-west-1", "", "x".repeat(65536), "x".repeat(65537), 1] },
  { entity: "variable", field: "category", spec: { key: "k" }, values: ["terraform", "shell", "env", "secret", 1] },
  { entity: "variable", field: "final", spec: { key: "k" }, values: [true, "true"] },
  { entity: "variable", field: "sensitive", spec: { key: "k" }, values: [false, 1] },
  { entity: "variable", field: "hcl", spec: { key: "k" }, values: [true, "no"] },
  { entity: "variable", field: "description", spec: { key: "k" }, values: ["", "the region", "x".repeat(513), 3] },

  { entity: "agentPool", field: "name", values: NAMES },
  { entity: "agentPool", field: "kind", values: ["run", "vcs", "gpu", 1] },
  { entity: "agentPool", field: "tokens", values: [["default"], ["fleet-a", "fleet-b"], [], ["Fleet"], ["-a"], "default"] },

  { entity: "tag", field: "name", values: NAMES },
  { entity: "vcsProvider", field: "id", spec: { name: "gh" }, construct: {}, constructField: "providerId", values: ["vcs-abc", "github", "vcs-", ""] },
  { entity: "link", field: "alias", spec: { configuration: "aws" }, construct: { configuration: "pcfg-abc" }, values: ["east", "us_east-1", "1east", "a b", ""] },

  { entity: "policyGroup", field: "name", spec: REPO, construct: REPO_PROPS, values: NAMES },
  { entity: "policyGroup", field: "repository.identifier", spec: REPO, construct: REPO_PROPS, values: ["acme/opa", "opa", ""] },
  { entity: "policyGroup", field: "repository.branch", spec: REPO, construct: REPO_PROPS, values: ["main", "", 1] },
  { entity: "policyGroup", field: "repository.path", spec: REPO, construct: REPO_PROPS, values: ["policies", "x".repeat(1025)] },
  { entity: "policyGroup", field: "opaVersion", spec: REPO, construct: REPO_PROPS, values: ["0.68.0", "latest", 1] },
  { entity: "policyGroup", field: "commonFunctionsFolder", spec: REPO, construct: REPO_PROPS, values: ["/common", "common", ""] },

  { entity: "providerConfiguration", field: "name", spec: OIDC, values: NAMES },
  { entity: "providerConfiguration", field: "exportShellVariables", spec: OIDC, values: [true, "yes"] },
  { entity: "providerConfiguration", field: "aws.auth", spec: { name: "c", aws: { existingRoleArn: ROLE } }, values: ["oidc", "oauth", undefined] },
  { entity: "providerConfiguration", field: "aws.accountType", spec: { name: "c", aws: { auth: "oidc", existingRoleArn: ROLE } }, values: ["regular", "gov-cloud", "mars"] },
  { entity: "providerConfiguration", field: "aws.roleName", spec: OIDC, values: ["deploy", "x".repeat(64), "x".repeat(65), "a b", ""] },
  { entity: "providerConfiguration", field: "aws.managedPolicyArns", spec: OIDC, values: [["arn:aws:iam::123456789012:policy/p"], ["policy"], "arn"] },
  { entity: "providerConfiguration", field: "aws.maxSessionDurationSeconds", spec: OIDC, values: [3600, 43200, 3599, 43201, 4000.5] },
  { entity: "providerConfiguration", field: "aws.existingRoleArn", spec: { name: "c", aws: { auth: "oidc" } }, values: [ROLE, "role", ""] },
  { entity: "providerConfiguration", field: "aws.scalrAccountName", spec: { name: "c", aws: { auth: "oidc" } }, values: ["acme", "acme corp", ""] },
  { entity: "providerConfiguration", field: "aws.audience", spec: OIDC, values: ["sts.amazonaws.com", "", " a"] },
  { entity: "providerConfiguration", field: "aws.allowedSubjects", spec: OIDC, values: [[{ environment: "prod" }], [{ workspace: "net-*" }], [], [{ environment: "a b" }], [{ env: "prod" }]] },
  { entity: "providerConfiguration", field: "aws.externalId", spec: { name: "c", aws: { auth: "role-delegation" } }, values: ["a-long-external-id", "short", "x".repeat(16) + " "] },
  { entity: "providerConfiguration", field: "aws.scalrPrincipalAccountId", spec: DELEGATION, values: ["123456789012", "1234", "acme"] },
  { entity: "providerConfiguration", field: "aws.defaultTags", spec: OIDC, values: [{ team: "a" }, { team: 1 }, "team"] },
  { entity: "providerConfiguration", field: "google.project", spec: { name: "c", google: GOOGLE }, construct: { name: "c", google: { auth: "oidc", ...GOOGLE } }, values: ["p-1", "", " p"] },
  {
    entity: "providerConfiguration",
    field: "google.serviceAccountEmail",
    spec: { name: "c", google: GOOGLE },
    construct: { name: "c", google: { auth: "oidc", ...GOOGLE } },
    values: ["sa@p.iam.gserviceaccount.com", "sa", ""],
  },
  {
    entity: "providerConfiguration",
    field: "google.workloadProviderName",
    spec: { name: "c", google: GOOGLE },
    construct: { name: "c", google: { auth: "oidc", ...GOOGLE } },
    values: ["projects/2/locations/global/workloadIdentityPools/q/providers/t", "projects/2", ""],
  },
  { entity: "providerConfiguration", field: "azure.clientId", spec: { name: "c", azure: AZURE }, construct: { name: "c", azure: { auth: "oidc", ...AZURE } }, values: ["app", "", "x".repeat(65)] },
  { entity: "providerConfiguration", field: "azure.tenantId", spec: { name: "c", azure: AZURE }, construct: { name: "c", azure: { auth: "oidc", ...AZURE } }, values: ["tenant", " t"] },
  { entity: "providerConfiguration", field: "azure.subscriptionId", spec: { name: "c", azure: AZURE }, construct: { name: "c", azure: { auth: "oidc", ...AZURE } }, values: ["sub", ""] },
  { entity: "providerConfiguration", field: "azure.audience", spec: { name: "c", azure: AZURE }, construct: { name: "c", azure: { auth: "oidc", ...AZURE } }, values: ["api://x", "", 1] },
];

/** A copy of `base` with `value` at the dotted `field` (undefined leaves the field out). */
function withField(base: Props, field: string, value: unknown): Props {
  const [head, ...rest] = field.split(".") as [string, ...string[]];
  const copy: Props = { ...base };
  if (rest.length > 0) copy[head] = withField((base[head] as Props | undefined) ?? {}, rest.join("."), value);
  else if (value === undefined) delete copy[head];
  else copy[head] = value;
  return copy;
}

/** Messages about `field` or a part of it, as `message, got: value`. */
function about(issues: readonly { readonly field: string; readonly message: string }[], field: string): string[] {
  return issues.filter((i) => i.field === field || i.field.startsWith(`${field}.`) || i.field.startsWith(`${field}[`)).map((i) => i.message);
}

/** What the spec says of the value: the messages at the field's path (none: accepted). */
function specVerdict(row: Row, value: unknown): string[] {
  const entity: Entity = ENTITIES[row.entity];
  try {
    validateSpec(entity.spec(withField(row.spec ?? { name: "x" }, row.field, value)));
    return [];
  } catch (e) {
    if (!(e instanceof SpecValidationError)) throw e;
    return about(
      e.specIssues.map((i) => ({ field: i.path, message: i.message })),
      entity.specPath ? entity.specPath(row.field) : `${entity.at}.${row.field}`,
    );
  }
}

/** What the construct says of the value: the messages at the field (none: accepted). */
function constructVerdict(row: Row, value: unknown): string[] {
  const entity: Entity = ENTITIES[row.entity];
  const field = row.constructField ?? row.field;
  try {
    entity.build(new TerraformStack(Testing.app(), "stack"), withField(row.construct ?? row.spec ?? { name: "x" }, field, value));
    return [];
  } catch (e) {
    if (!(e instanceof KitValidationError)) throw e;
    return about(
      e.issues.map((i) => ({ field: i.field, message: `${i.message}, got: ${i.received}` })),
      entity.constructAt ? `${entity.constructAt}.${field}` : field,
    );
  }
}

describe("the spec's schema and the constructs' field rules", () => {
  test.each(ROWS.map((r) => [`${r.entity}.${r.field}`, r] as const))("%s: the spec accepts and rejects what the construct does, with its message", (_name, row) => {
    const verdicts = row.values.map((value) => ({ value, spec: specVerdict(row, value), construct: constructVerdict(row, value) }));
    for (const v of verdicts) expect({ value: v.value, spec: v.spec }).toEqual({ value: v.value, spec: v.construct });
    // Each row tries at least one value of each kind.
    expect(verdicts.some((v) => v.spec.length === 0)).toBe(true);
    expect(verdicts.some((v) => v.spec.length > 0)).toBe(true);
  });
});
