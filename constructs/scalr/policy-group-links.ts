import { Construct } from "constructs";
import { IssueCollector } from "../../core/issues";
import { isToken } from "../../core/validation";
import { PolicyGroupLinkage as ScalrPolicyGroupLinkage } from "../../providers/scalr/generated/providers/scalr/policy-group-linkage";
import { referenceFrom } from "./cross-stack-reference";
import type { IEnvironment, IPolicyGroup } from "./interfaces";
import { idFromName, isKind } from "./references";

/** The name a linkage's construct id derives from: the other side's name, or its literal ID. */
export function linkName(other: unknown): unknown {
  return isKind(other, "environment")
    ? (other as IEnvironment).environmentName
    : isKind(other, "policy-group")
      ? (other as IPolicyGroup).groupName
      : other;
}

/**
 * Reports entries of a list of the other side (environments of a group, groups of an environment)
 * that cannot be linked: given as a Terraform reference, they have no name for the linkage's
 * construct id (see {@link linkPolicyGroup}). Run it in an `issues.rule` that reads `field`.
 */
export function checkLinkable(issues: IssueCollector, field: string, others: readonly unknown[]): void {
  others.forEach((other, i) => {
    const name = linkName(other);
    if (isToken(name) && !issues.has(`${field}[${i}]`)) issues.add(`${field}[${i}]`, "must be a construct or a literal ID here: the linkage's construct id derives from it", name);
  });
}

/**
 * Creates the `scalr_policy_group_linkage` of `group` and `environment` under `owner` (the group
 * or the environment), with an id derived from the other side's name (see {@link linkName}) so that
 * adding or removing one linkage keeps the others' addresses. One pair cannot be linked from both
 * sides: each side must exist before the other can name it, and each checks its own list for repeats
 * and for references that cannot be linked ({@link checkLinkable}).
 */
export function linkPolicyGroup(owner: Construct, group: IPolicyGroup | string, environment: IEnvironment | string): ScalrPolicyGroupLinkage {
  const groupConstruct = isKind(group, "policy-group") ? (group as IPolicyGroup) : undefined;
  const envConstruct = isKind(environment, "environment") ? (environment as IEnvironment) : undefined;
  const other = owner === groupConstruct ? environment : group;
  return new ScalrPolicyGroupLinkage(owner, idFromName(owner === groupConstruct ? "Linkage" : "PolicyGroup", linkName(other) as string), {
    policyGroupId: groupConstruct ? referenceFrom(owner, groupConstruct, groupConstruct.policyGroupId) : (group as string),
    environmentId: envConstruct ? referenceFrom(owner, envConstruct, envConstruct.environmentId) : (environment as string),
  });
}
