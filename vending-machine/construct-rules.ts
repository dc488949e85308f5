/**
 * The Scalr constructs' rules across fields (a VCS source follows a branch or a version constraint,
 * an AWS role's auth decides which fields it needs, a shell variable's key has no '-', two
 * configurations of one kind cannot serve one alias, …), run on a spec's entries by building each
 * entry's construct alone in a scratch construct tree that is then dropped.
 *
 * The constructs' field rules are the spec schema's own (`spec-schema.ts`); their rules across
 * fields stay with the constructs, and `VendingMachine` meets them as it builds a valid spec. A spec
 * with other problems is never built, so `validateSpec` runs these then: one run reports them all.
 * An entry is built from its valid fields only (the others' problems are reported already) and
 * without the references the spec checks itself (tags, pools, sharing, uniqueness), so each problem
 * is reported once.
 */
import { App, Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AgentPool } from "../constructs/scalr/agent-pool";
import { awsOptionsShape } from "../constructs/scalr/field-rules";
import { ProviderConfiguration } from "../constructs/scalr/provider-configuration";
import { Variable } from "../constructs/scalr/variable";
import { Workspace, WorkspaceProps, WorkspaceProviderConfigurationLink } from "../constructs/scalr/workspace";
import type { ResolvedSpec, ResolvedVariableSpec, ResolvedWorkspaceSpec } from "./spec-schema";
import type { SpecDraft, SpecIssues } from "./spec-issues";
import type { SpecPath } from "./spec-source";

/**
 * Values that stand in for what a scratch construct needs but the spec does not give it: IDs of the
 * objects it refers to, and a required field whose value is invalid (its problem is reported
 * already) and that no rule across fields reads. Each passes the constructs' field rules.
 */
const STAND_IN = {
  environment: "env-specprobe",
  vcsProvider: "vcs-specprobe",
  providerConfiguration: (i: number) => `pcfg-specprobe${i}`,
  workspace: (i: number) => `ws-specprobe${i}`,
  name: "specprobe",
  repository: "specprobe/specprobe",
};

/**
 * Builds each entry of `spec` as its construct, in a scratch tree, and adds the problems the
 * constructs report to `issues` at the entries' paths. A field the schema rejected is left out when
 * no rule of the construct needs it to be present; an entry is skipped when one does.
 * @internal
 */
export function checkConstructRules(spec: SpecDraft<ResolvedSpec> | undefined, issues: SpecIssues): void {
  if (spec === undefined) return;
  const stack = new TerraformStack(new App({ stackTraces: false, skipValidation: true }), "spec");
  const build = (at: SpecPath, make: () => void) => {
    try {
      make();
    } catch (e) {
      issues.addConstructError(at, e);
    }
  };
  /** The fields of `entry` the schema accepted (the others left out). */
  const validFields = <T extends object>(at: SpecPath, entry: T, fields: readonly (keyof T & string)[]): Partial<T> => {
    const out: Partial<T> = {};
    for (const f of fields) if (entry[f] !== undefined && !issues.invalid([...at, f])) out[f] = entry[f];
    return out;
  };

  spec.agentPools?.forEach((p, i) => {
    const at = ["agentPools", i];
    if (p === undefined) return;
    // A name of its own: the spec checks its names are unique itself (the pool's rule would repeat that).
    const { kind, tokens } = validFields(at, p, ["kind", "tokens"]);
    build(at, () => new AgentPool(stack, `Pool${i}`, { name: `${STAND_IN.name}${i}`, kind, tokens: tokens as string[] | undefined }));
  });

  const configs = new Map<string, ProviderConfiguration>();
  spec.providerConfigurations?.forEach((c, i) => {
    const at = ["providerConfigurations", i];
    // Not exactly one cloud: the spec's own rule has said so. The clouds' rules need their fields
    // present (what auth requires), and the default role name derives from the name.
    if (c === undefined || [c.aws, c.google, c.azure].filter((k) => k !== undefined).length !== 1) return;
    if (["name", "google", "azure"].some((f) => issues.invalid([...at, f]))) return;
    const { name, google, azure } = c as ResolvedSpec["providerConfigurations"][number];
    // AWS: the rules across fields depend on `auth`; a mistake in another AWS field only leaves
    // that field out, so the rules still run on the rest (the construct does the same).
    let aws = (c as ResolvedSpec["providerConfigurations"][number]).aws;
    if (aws !== undefined) {
      const awsAt = [...at, "aws"];
      // An unknown key is likely a misspelt field the rules would then call missing: skip them.
      if (typeof aws !== "object" || aws === null || issues.invalid([...awsAt, "auth"]) || issues.rejectedKeys(awsAt).some((k) => !(String(k) in awsOptionsShape))) return;
      if (issues.invalid(awsAt)) aws = validFields(awsAt, aws, Object.keys(aws) as (keyof typeof aws & string)[]) as typeof aws;
    }
    const { exportShellVariables } = validFields(at, c, ["exportShellVariables"]);
    build(at, () =>
      configs.set(
        name,
        new ProviderConfiguration(stack, `Config${i}`, {
          name,
          exportShellVariables,
          aws,
          google: google && { auth: "oidc", ...google },
          azure: azure && { auth: "oidc", ...azure },
        }),
      ),
    );
  });

  let variables = 0;
  const variable = (at: SpecPath, v: SpecDraft<ResolvedVariableSpec> | undefined) => {
    // Both rules of a variable read its category.
    if (v === undefined || issues.invalid([...at, "category"])) return;
    const n = variables++;
    // Alone in a workspace of its own: the spec checks uniqueness and inheritance itself. Its value
    // is left out: a literal secret is the spec's own rule, and other values have no rule across fields.
    const { key, category, final, sensitive, hcl, description } = validFields(at, v, ["key", "category", "final", "sensitive", "hcl", "description"]);
    build(at, () => new Variable(stack, `Variable${n}`, { key: key ?? STAND_IN.name, category, final, sensitive, hcl, description, workspace: STAND_IN.workspace(n) }));
  };
  spec.variables?.forEach((v, i) => variable(["variables", i], v));

  spec.environments?.forEach((env, e) => {
    if (env === undefined) return;
    env.variables?.forEach((v, i) => variable(["environments", e, "variables", i], v));
    const container = new Construct(stack, `Environment${e}`);
    env.workspaces?.forEach((ws, w) => {
      const at = ["environments", e, "workspaces", w];
      ws?.variables?.forEach((v, i) => variable([...at, "variables", i], v));
      if (ws === undefined) return;
      const fields = validFields(at, ws, ["name", "moduleVersionId", "workingDirectory", "iacPlatform", "version", "autoApply", "runTimeoutMinutes", "hooks", "deletionProtection", "varFiles", "oidc"]);
      // The spec names a credentials token by its Terraform variable; the construct's rules need only
      // a reference there (a stand-in that never resolves: nothing is synthesized from this stack).
      const terraformRc = ws.terraformRc && {
        ...validFields([...at, "terraformRc"], ws.terraformRc, ["providerInstallation", "pluginCacheDir", "contents", "final"]),
        credentials: (ws.terraformRc.credentials ?? []).map((c) => ({ host: c?.host ?? "specprobe.example.com", token: Lazy.stringValue({ produce: () => "" }) })),
      };
      const vcs = ws.vcs && validFields([...at, "vcs"], ws.vcs, ["repository", "branch", "versionConstraint", "triggerPrefixes", "triggerPatterns", "dryRuns", "submodules"]);
      // Links the spec found wrong (unknown or repeated) are left out; a link to a configuration
      // that could not be built gets an ID, whose kind (and alias) the construct does not check.
      const links: WorkspaceProviderConfigurationLink[] =
        ws.providerConfigurations === undefined || issues.flagged([...at, "providerConfigurations"])
          ? []
          : (ws.providerConfigurations as ResolvedWorkspaceSpec["providerConfigurations"]).map((l, j) => {
              const name = typeof l === "string" ? l : l.configuration;
              return { configuration: configs.get(name) ?? STAND_IN.providerConfiguration(j), alias: typeof l === "string" ? undefined : l.alias };
            });
      const props: WorkspaceProps = {
        ...(fields as Partial<Omit<ResolvedWorkspaceSpec, "terraformRc">>),
        ...(terraformRc ? { terraformRc: terraformRc as WorkspaceProps["terraformRc"] } : {}),
        name: fields.name ?? STAND_IN.name,
        environment: STAND_IN.environment,
        vcs: vcs && { ...(vcs as Partial<NonNullable<ResolvedWorkspaceSpec["vcs"]>>), repository: vcs.repository ?? STAND_IN.repository, providerId: STAND_IN.vcsProvider },
        providerConfigurations: links,
      };
      build(at, () => new Workspace(container, `Workspace${w}`, props));
    });
  });
}
