import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, numberValueOf } from "../../synthesized-stack";
import { checkMetadataOption } from "./ec2-launch-types";

const ID = "KIT-EC2-2";

/** KIT-EC2-2: the metadata service answers the instance only, not the containers on it. */
export const KIT_EC2_2: KitRule = {
  id: ID,
  name: "imds-hop-limit-1",
  area: "ec2",
  severity: "error",
  description:
    "Launch templates, launch configurations, instances and spot instance requests set `metadata_options.http_put_response_hop_limit = 1` (numbers, numeric strings and `${1}` alike); an instance without `metadata_options` takes them from its launch template of the stack. Launches from templates outside the stack, the templates EKS or Batch generate, Spot Fleet `launch_specification`s and values known only at apply time are violations.",
  rationale:
    "With a hop limit above 1, IMDSv2 tokens reach containers on the instance: every run the agent starts in Docker could take the instance role's credentials. The AMI's default (2 on Amazon Linux 2023) applies when the limit is unset.",
  source: {
    title: "AWS: How Instance Metadata Service Version 2 works (the hop limit)",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    return checkMetadataOption(stack, ID, "http_put_response_hop_limit", (r, limit) =>
      numberValueOf(limit) === 1
        ? true
        : `${r.type} must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got ${limit === undefined ? "nothing: the AMI's default applies" : JSON.stringify(limit)})`,
    );
  },
};
