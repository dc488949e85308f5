import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks } from "../../synthesized-stack";
import { EC2_LAUNCH_TYPES } from "./ec2-launch-types";

/** KIT-EC2-1: instances require IMDSv2 (session tokens) or have no metadata service at all. */
export const KIT_EC2_1: KitRule = {
  id: "KIT-EC2-1",
  name: "imdsv2-required",
  area: "ec2",
  severity: "error",
  description: "Launch templates, launch configurations and instances set `metadata_options.http_tokens = \"required\"` (or disable the metadata endpoint).",
  rationale:
    "IMDSv1 answers any GET request, so a server-side request forgery in a run (or a proxy that forwards it) hands out the instance role's credentials, which can read the pool token.",
  source: {
    title: "AWS: Configure instance metadata options for new instances",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-new-instances.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources(...EC2_LAUNCH_TYPES)) {
      const options = blocks(r.body.metadata_options)[0];
      if (options?.http_endpoint === "disabled") continue;
      if (options?.http_tokens !== "required") {
        findings.push({
          path: r.path,
          message: `${r.type} must require IMDSv2: set metadata_options.http_tokens = "required" (got ${options?.http_tokens === undefined ? "nothing: AWS then allows IMDSv1" : JSON.stringify(options.http_tokens)})`,
        });
      }
    }
    return findings;
  },
};
