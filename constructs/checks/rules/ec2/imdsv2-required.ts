import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, stringOf } from "../../synthesized-stack";
import { checkMetadataOption } from "./ec2-launch-types";

const ID = "KIT-EC2-1";

/** KIT-EC2-1: instances require IMDSv2 (session tokens) or have no metadata service at all. */
export const KIT_EC2_1: KitRule = {
  id: ID,
  name: "imdsv2-required",
  area: "ec2",
  severity: "error",
  description:
    'Launch templates, launch configurations, instances and spot instance requests set `metadata_options.http_tokens = "required"` (or disable the metadata endpoint); an instance without `metadata_options` takes them from its launch template of the stack. Auto Scaling groups, EC2 Fleets, Spot Fleets, EKS node groups and Batch compute environments launch from launch templates of the stack: a template outside it, the template EKS or Batch generates, and Spot Fleet `launch_specification`s (no metadata options) are violations, as are values known only at apply time.',
  rationale:
    "IMDSv1 answers any GET request, so a server-side request forgery in a run (or a proxy that forwards it) hands out the instance role's credentials, which can read the pool token.",
  source: {
    title: "AWS: Configure instance metadata options for new instances",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    return checkMetadataOption(stack, ID, "http_tokens", (r, tokens) =>
      stringOf(tokens) === "required"
        ? true
        : `${r.type} must require IMDSv2: set metadata_options.http_tokens = "required" (got ${tokens === undefined ? "nothing: AWS then allows IMDSv1" : JSON.stringify(tokens)})`,
    );
  },
};
