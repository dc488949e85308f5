import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { KIT_EC2_3 } from "../../../../../constructs/checks/rules/ec2/root-volume-encrypted";
import { violations, compliantLaunchTemplate } from "../../rule-helpers";

describe("KIT-EC2-3 root-volume-encrypted", () => {
  test("compliant: encrypted mappings, root block device and volume", () => {
    expect(
      violations(KIT_EC2_3, (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: true } });
        new EbsVolume(s, "Vol", { availabilityZone: "eu-west-1a", size: 10, encrypted: true });
      }),
    ).toEqual([]);
  });

  test("non-compliant: no root mapping, an unencrypted mapping, an instance without root_block_device", () => {
    expect(
      violations(KIT_EC2_3, (s) => {
        new LaunchTemplate(s, "NoMapping", { metadataOptions: { httpTokens: "required" } });
        new LaunchTemplate(s, "Plain", { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeSize: 50 } }] });
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro" });
      }),
    ).toEqual([
      "KIT-EC2-3 stack/NoMapping: aws_launch_template must declare its root volume in block_device_mappings with ebs.encrypted = true (without it, encryption depends on the account default)",
      'KIT-EC2-3 stack/Plain: aws_launch_template must encrypt EBS volume "/dev/sda1": set ebs.encrypted = true',
      "KIT-EC2-3 stack/Vm: aws_instance must set root_block_device.encrypted = true",
    ]);
  });
});
