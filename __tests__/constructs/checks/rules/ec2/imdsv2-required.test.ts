import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { KIT_EC2_1 } from "../../../../../constructs/checks/rules/ec2/imdsv2-required";
import { violations, compliantLaunchTemplate } from "../../rule-helpers";

describe("KIT-EC2-1 imdsv2-required", () => {
  test("compliant: a launch template and an instance requiring tokens; a disabled endpoint", () => {
    expect(
      violations(KIT_EC2_1, (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "required" } });
        new Instance(s, "NoImds", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpEndpoint: "disabled" } });
      }),
    ).toEqual([]);
  });

  test("non-compliant: optional tokens, and no metadata options at all", () => {
    expect(
      violations(KIT_EC2_1, (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "optional" } });
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro" });
      }),
    ).toEqual([
      'KIT-EC2-1 stack/Lt: aws_launch_template must require IMDSv2: set metadata_options.http_tokens = "required" (got "optional")',
      'KIT-EC2-1 stack/Vm: aws_instance must require IMDSv2: set metadata_options.http_tokens = "required" (got nothing: AWS then allows IMDSv1)',
    ]);
  });
});
