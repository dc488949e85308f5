import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { KIT_EC2_2 } from "../../../../../constructs/checks/rules/ec2/imds-hop-limit-1";
import { violations, compliantLaunchTemplate } from "../../rule-helpers";

describe("KIT-EC2-2 imds-hop-limit-1", () => {
  test("compliant: hop limit 1", () => {
    expect(violations(KIT_EC2_2, (s) => new LaunchTemplate(s, "Lt", compliantLaunchTemplate))).toEqual([]);
  });

  test("non-compliant: hop limit 2, and unset", () => {
    expect(
      violations(KIT_EC2_2, (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
        new LaunchTemplate(s, "Unset", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "required" } });
      }),
    ).toEqual([
      "KIT-EC2-2 stack/Lt: aws_launch_template must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got 2)",
      "KIT-EC2-2 stack/Unset: aws_launch_template must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got nothing: the AMI's default applies)",
    ]);
  });
});
