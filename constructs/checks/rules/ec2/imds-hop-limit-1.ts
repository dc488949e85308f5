import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, numberOf } from "../../synthesized-stack";
import { EC2_LAUNCH_TYPES } from "./ec2-launch-types";

/** KIT-EC2-2: the metadata service answers the instance only, not the containers on it. */
export const KIT_EC2_2: KitRule = {
  id: "KIT-EC2-2",
  name: "imds-hop-limit-1",
  area: "ec2",
  severity: "error",
  description: "Launch templates, launch configurations and instances set `metadata_options.http_put_response_hop_limit = 1`.",
  rationale:
    "With a hop limit above 1, IMDSv2 tokens reach containers on the instance: every run the agent starts in Docker could take the instance role's credentials. The AMI's default (2 on Amazon Linux 2023) applies when the limit is unset.",
  source: {
    title: "AWS: How Instance Metadata Service Version 2 works (the hop limit)",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources(...EC2_LAUNCH_TYPES)) {
      const options = blocks(r.body.metadata_options)[0];
      if (options?.http_endpoint === "disabled") continue;
      const limit = options?.http_put_response_hop_limit;
      if (numberOf(limit) !== 1) {
        findings.push({
          path: r.path,
          message: `${r.type} must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got ${limit === undefined ? "nothing: the AMI's default applies" : JSON.stringify(limit)})`,
        });
      }
    }
    return findings;
  },
};
