import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiterals } from "../../core/terraform-literal";
import { strictProps } from "../../core/validation";
import { PolicyGroup as ScalrPolicyGroup } from "../../providers/scalr/generated/providers/scalr/policy-group";
import { policyGroupFields } from "./field-rules";
import type { IEnvironment, IPolicyGroup } from "./interfaces";
import { checkLinkable, linkName, linkPolicyGroup } from "./policy-group-links";
import { brand, checkUnique, ref } from "./references";
import { ensureSensitiveOutputCheck } from "./sensitive-outputs";

/** Where a policy group's OPA policies live. */
export interface PolicyGroupRepository {
  /** The repository as `org/repo`. */
  readonly identifier: string;
  /** Branch. @default - the repository's default branch */
  readonly branch?: string;
  /** Folder of the policies, relative to the repository root. @default - the root */
  readonly path?: string;
}

/** Props of {@link PolicyGroup}. */
export interface PolicyGroupProps {
  /** Policy group name. */
  readonly name: string;
  /** The VCS provider (`vcs-…`) that reads the repository. */
  readonly vcsProviderId: string;
  /** The repository holding the policies. */
  readonly repository: PolicyGroupRepository;
  /** OPA version. @default - Scalr's default version */
  readonly opaVersion?: string;
  /** Folder of common Rego functions, an absolute path from the repository root. @default - none */
  readonly commonFunctionsFolder?: string;
  /**
   * Environments the group is enforced in, each linked with a `scalr_policy_group_linkage` owned by
   * this construct. Environments can also link groups themselves (`Environment.policyGroups`).
   * @default [] - linked nowhere until an environment links it
   */
  readonly environments?: readonly (IEnvironment | string)[];
}

const propsSchema = strictProps({
  ...policyGroupFields,
  environments: z.array(ref.environment()).default([]),
}) satisfies z.ZodType<PolicyGroupProps>;

/**
 * An OPA policy group read from a repository, linked to environments. Linkage is always a
 * `scalr_policy_group_linkage` (never the group's `environments` attribute), so a group and the
 * environments that use it can live in different stacks.
 *
 * @example
 * const guardrails = new PolicyGroup(this, "Guardrails", {
 *   name: "guardrails", vcsProviderId: "vcs-v0o1example",
 *   repository: { identifier: "acme/opa-policies", path: "policies" },
 * });
 * new Environment(this, "Prod", { name: "prod", policyGroups: [guardrails] });
 */
export class PolicyGroup extends Construct implements IPolicyGroup {
  /** The `scalr_policy_group` resource (escape hatch). */
  public readonly resource: ScalrPolicyGroup;
  /** The policy group ID (`pgrp-…`) (one reference, made once: each new reference costs a stack trace in cdktf). */
  public readonly policyGroupId: string;
  /** The group name. */
  public readonly groupName: string;

  public constructor(scope: Construct, id: string, props: PolicyGroupProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["environments"], () => {
      checkUnique(issues, "environments", p.environments, linkName, linkName);
      checkLinkable(issues, "environments", p.environments);
    });
    issues.throwIfAny();
    brand(this, "policy-group");
    ensureSensitiveOutputCheck(this);
    this.groupName = p.name;
    // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
    this.resource = new ScalrPolicyGroup(
      this,
      "Resource",
      terraformLiterals({
        name: p.name,
        vcsProviderId: p.vcsProviderId,
        vcsRepo: { identifier: p.repository.identifier, branch: p.repository.branch, path: p.repository.path },
        opaVersion: p.opaVersion,
        commonFunctionsFolder: p.commonFunctionsFolder,
      }),
    );
    this.policyGroupId = this.resource.id;
    for (const env of p.environments) linkPolicyGroup(this, this, env);
  }

}
