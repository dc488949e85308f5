import { PolicyReader, hasReference, isStarResource, isUnknownValue, isWildcardAction, isWildcardArn, unknownValuesMessage, unreadablePolicyMessage } from "../../iam";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, isUnknown, stringOf, unconfirmed } from "../../synthesized-stack";
import { RESOURCE_STAR_ONLY_ACTIONS } from "../iam/star-resource-actions";

const ID = "KIT-NET-3";

/** Endpoint types that take a policy; Gateway is the provider's default type (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_endpoint). */
const POLICY_TYPES = new Set(["Interface", "Gateway"]);
const STAR_ONLY = new Set(RESOURCE_STAR_ONLY_ACTIONS.map((a) => a.toLowerCase()));
const ENDPOINT_ID_REFERENCE = /^\$\{\s*aws_vpc_endpoint\.([A-Za-z_][A-Za-z0-9_-]*)\.id\s*\}$/;

/** KIT-NET-3: VPC endpoints have a policy that names actions and resources. */
export const KIT_NET_3: KitRule = {
  id: ID,
  name: "vpc-endpoint-policy-scoped",
  area: "network",
  severity: "error",
  description:
    'Every `aws_vpc_endpoint` of type `Interface` or `Gateway` (the default; a type known only at apply time is a violation) has a policy, in its `policy` argument or an `aws_vpc_endpoint_policy` that references it; every such policy (each `aws_vpc_endpoint_policy` too) is readable at synth time, and each Allow statement names its actions (no wildcard, no `NotAction`) and its resources (no `NotResource`, no `"*"` or ARN matching every account\'s resources, unless every action is one AWS grants only on `"*"`, such as `ecr:GetAuthorizationToken`). `"Principal": "*"` is accepted: gateway endpoints require it, and the callers\' own IAM policies still apply.',
  rationale:
    "Without a policy AWS attaches one that allows every action on every resource of every account through the endpoint, so a compromised run can move data to a bucket or secret of any account without crossing the NAT gateway, where egress controls would see it.",
  source: {
    title: "AWS PrivateLink: control access to VPC endpoints using endpoint policies (the default policy allows full access)",
    url: "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const reader = new PolicyReader(stack);
    const separatePolicies = stack.resources("aws_vpc_endpoint_policy");
    const endpointOf = (p: (typeof separatePolicies)[number]) => (typeof p.body.vpc_endpoint_id === "string" ? ENDPOINT_ID_REFERENCE.exec(p.body.vpc_endpoint_id.trim())?.[1] : undefined);
    // A policy resource with `count` or `for_each` may be created zero times, leaving the endpoint on
    // the default full-access policy: it does not count as the endpoint's policy.
    const conditional = (p: (typeof separatePolicies)[number]) => p.body.count !== undefined || p.body.for_each !== undefined;
    const withSeparatePolicy = new Set(separatePolicies.filter((p) => !conditional(p)).map(endpointOf).filter((n): n is string => n !== undefined));
    const withConditionalPolicy = new Set(separatePolicies.filter(conditional).map(endpointOf).filter((n): n is string => n !== undefined));
    const judge = (path: string, where: string, value: unknown) => {
      const read = reader.read(path, where, value, false, true);
      for (const u of read.unreadable) findings.push({ path: u.path, message: unreadablePolicyMessage(u, ID, "the actions and resources it allows") });
      for (const s of read.statements) {
        if (s.effect !== "Allow") continue;
        const unknownActions = [...s.actions, ...s.notActions].filter(hasReference);
        if (unknownActions.length > 0) findings.push({ path: s.path, message: unknownValuesMessage(s.where, unknownActions, ID, "the actions it allows") });
        const wild = s.actions.filter((a) => !hasReference(a) && isWildcardAction(a));
        if (wild.length > 0) findings.push({ path: s.path, message: `${s.where} must name its actions, not ${wild.map((a) => JSON.stringify(a)).join(", ")} (an endpoint policy is the last filter between a run and every API of the service)` });
        if (s.notActions.length > 0) findings.push({ path: s.path, message: `${s.where} must not Allow with NotAction: it allows every other action through the endpoint` });
        if (s.notResources.length > 0) findings.push({ path: s.path, message: `${s.where} must not Allow with NotResource: it allows every other resource through the endpoint` });
        const unknownResources = s.resources.filter((r) => isUnknownValue(r));
        if (unknownResources.length > 0) findings.push({ path: s.path, message: unknownValuesMessage(s.where, unknownResources, ID, "the resources it allows") });
        const star = s.resources.filter((r) => !isUnknownValue(r) && (isStarResource(r) || isWildcardArn(r)));
        const starOnly = s.actions.length > 0 && s.actions.every((a) => STAR_ONLY.has(a.toLowerCase()));
        if (s.notResources.length === 0 && s.resources.length === 0) {
          findings.push({ path: s.path, message: `${s.where} must name the resources it allows (it has no Resource)` });
        } else if (star.length > 0 && !starOnly) {
          findings.push({
            path: s.path,
            message: `${s.where} must name the resources it allows, not ${star.map((r) => JSON.stringify(r)).join(", ")} (only actions AWS grants on "*" alone, such as ecr:GetAuthorizationToken, may use it)`,
          });
        }
      }
    };
    for (const r of stack.resources("aws_vpc_endpoint")) {
      const type = r.body.vpc_endpoint_type === undefined || r.body.vpc_endpoint_type === null ? "Gateway" : stringOf(r.body.vpc_endpoint_type);
      if (type === undefined) {
        findings.push({ path: r.path, message: `aws_vpc_endpoint: ${isUnknown(r.body.vpc_endpoint_type) ? unconfirmed(ID, "vpc_endpoint_type", r.body.vpc_endpoint_type) : `vpc_endpoint_type must be a string (got ${JSON.stringify(r.body.vpc_endpoint_type)})`}` });
        continue;
      }
      if (!POLICY_TYPES.has(type)) continue;
      const policy = r.body.policy;
      const hasInline = policy !== undefined && policy !== null && policy !== "";
      if (!hasInline && !withSeparatePolicy.has(r.name)) {
        const why = withConditionalPolicy.has(r.name)
          ? "its aws_vpc_endpoint_policy has `count` or `for_each`, so it may not exist, and then AWS attaches the default policy, full access to every action and resource"
          : "got none: AWS attaches the default policy, full access to every action and resource";
        findings.push({ path: r.path, message: `aws_vpc_endpoint (${type}) must set a policy that names the actions and resources it serves (${why})` });
        continue;
      }
      if (hasInline) judge(r.path, "aws_vpc_endpoint.policy", policy);
    }
    for (const p of separatePolicies) {
      const policy = p.body.policy;
      if (policy === undefined || policy === null || policy === "") {
        // Without `policy` the resource sets the default, full-access policy.
        findings.push({ path: p.path, message: "aws_vpc_endpoint_policy must set a policy (got none: the endpoint gets the default policy, full access)" });
      } else judge(p.path, "aws_vpc_endpoint_policy.policy", policy);
    }
    return findings;
  },
};
