import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks } from "../../synthesized-stack";

/** KIT-NET-2: security groups accept no inbound traffic. */
export const KIT_NET_2: KitRule = {
  id: "KIT-NET-2",
  name: "no-ingress",
  area: "network",
  severity: "error",
  description:
    "Security groups have no `ingress` rules: none inline, no `aws_security_group_rule` of type `ingress`, no `aws_vpc_security_group_ingress_rule`. Acknowledge a group that is not an agent's.",
  rationale: "Agents poll Scalr and need no inbound connection; SSM replaces SSH. Any open port is attack surface on a host that holds a pool token and cloud credentials.",
  source: {
    title: "Scalr: agent pools need network access to Scalr only, never the reverse",
    url: "https://docs.scalr.io/docs/agent-pools",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_security_group")) {
      const ingress = blocks(r.body.ingress);
      if (ingress.length > 0) findings.push({ path: r.path, message: `aws_security_group must have no ingress rules (has ${ingress.length}): agents only connect out` });
    }
    for (const r of stack.resources("aws_security_group_rule")) {
      if (r.body.type === "ingress") findings.push({ path: r.path, message: "aws_security_group_rule must not open ingress: agents only connect out" });
    }
    for (const r of stack.resources("aws_vpc_security_group_ingress_rule")) {
      findings.push({ path: r.path, message: "aws_vpc_security_group_ingress_rule must not exist: agents only connect out" });
    }
    return findings;
  },
};
