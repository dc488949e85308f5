import { Construct } from "constructs";
import { fieldError, isToken } from "../../core/validation";
import { PolicyGroupLinkage as ScalrPolicyGroupLinkage } from "../../providers/scalr/generated/providers/scalr/policy-group-linkage";
import type { Environment } from "./environment";
import type { PolicyGroup } from "./policy-group";
import { idFromName, isKind, referenceFrom } from "./references";

/** The name a linkage's construct id derives from: the other side's name, or its literal ID. */
export function linkName(other: unknown): unknown {
  return isKind(other, "environment")
    ? (other as Environment).environmentName
    : isKind(other, "policy-group")
      ? (other as PolicyGroup).groupName
      : other;
}

/**
 * Creates the `scalr_policy_group_linkage` of `group` and `environment` under `owner` (the group
 * or the environment), with an id derived from the other side's name (see {@link linkName}) so that
 * adding or removing one linkage keeps the others' addresses. One pair cannot be linked from both
 * sides: each side must exist before the other can name it, and each checks its own list for repeats.
 */
export function linkPolicyGroup(owner: Construct, group: PolicyGroup | string, environment: Environment | string, field: string): ScalrPolicyGroupLinkage {
  const groupConstruct = isKind(group, "policy-group") ? (group as PolicyGroup) : undefined;
  const envConstruct = isKind(environment, "environment") ? (environment as Environment) : undefined;
  const other = owner === groupConstruct ? environment : group;
  const otherName = linkName(other) as string;
  if (isToken(otherName)) {
    throw fieldError({ subject: owner.node.path }, field, "must be a construct or a literal ID here: the linkage's construct id derives from it", otherName);
  }
  return new ScalrPolicyGroupLinkage(owner, idFromName(owner === groupConstruct ? "Linkage" : "PolicyGroup", otherName), {
    policyGroupId: groupConstruct ? referenceFrom(owner, groupConstruct, groupConstruct.policyGroupId) : (group as string),
    environmentId: envConstruct ? referenceFrom(owner, envConstruct, envConstruct.environmentId) : (environment as string),
  });
}
