import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, isTrue, record } from "../../synthesized-stack";

/** The Lambda variable the serverless webhook handler passes to ECS RunTask (agent/serverless/config.ts). */
const LAMBDA_ASSIGN_PUBLIC_IP = "ASSIGN_PUBLIC_IP";

/** KIT-NET-1: agents get no public IP address. */
export const KIT_NET_1: KitRule = {
  id: "KIT-NET-1",
  name: "no-public-ip",
  area: "network",
  severity: "error",
  description:
    "No public IP for agents: launch template network interfaces, instances and launch configurations do not associate one; ECS services and EventBridge ECS targets set `assign_public_ip = false`; a Lambda that launches agent tasks does not set `ASSIGN_PUBLIC_IP=ENABLED`.",
  rationale: "Agents only connect out (to Scalr, registries, providers). A public address makes them reachable from the internet and bypasses the egress controls of a NAT or proxy.",
  source: {
    title: "Scalr: agent pools need network access to Scalr only, never the reverse",
    url: "https://docs.scalr.io/docs/agent-pools",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_launch_template")) {
      blocks(r.body.network_interfaces).forEach((ni, i) => {
        if (isTrue(ni.associate_public_ip_address)) findings.push({ path: r.path, message: `aws_launch_template must not associate a public IP (network_interfaces[${i}].associate_public_ip_address)` });
      });
    }
    for (const r of stack.resources("aws_instance", "aws_launch_configuration")) {
      if (isTrue(r.body.associate_public_ip_address)) findings.push({ path: r.path, message: `${r.type} must not associate a public IP (associate_public_ip_address)` });
    }
    for (const r of stack.resources("aws_ecs_service")) {
      if (isTrue(blocks(r.body.network_configuration)[0]?.assign_public_ip)) {
        findings.push({ path: r.path, message: "aws_ecs_service must set network_configuration.assign_public_ip = false (use private subnets with a NAT route)" });
      }
    }
    for (const r of stack.resources("aws_cloudwatch_event_target")) {
      for (const target of blocks(r.body.ecs_target)) {
        if (isTrue(blocks(target.network_configuration)[0]?.assign_public_ip)) {
          findings.push({ path: r.path, message: "aws_cloudwatch_event_target must launch ECS tasks without a public IP (ecs_target.network_configuration.assign_public_ip)" });
        }
      }
    }
    for (const r of stack.resources("aws_lambda_function")) {
      const variables = record(blocks(r.body.environment)[0]?.variables);
      const value = variables[LAMBDA_ASSIGN_PUBLIC_IP];
      if (typeof value === "string" && /^(enabled|true)$/i.test(value)) {
        findings.push({ path: r.path, message: `aws_lambda_function must launch agent tasks without a public IP (environment ${LAMBDA_ASSIGN_PUBLIC_IP} is ${JSON.stringify(value)})` });
      }
    }
    return findings;
  },
};
