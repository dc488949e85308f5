import { VmOperatingSystem } from "../../agent/vm/vm-os";
import { Ec2Architecture } from "./ec2-instance-types";

/**
 * AWS's public SSM parameters that name the current image of each supported OS, per architecture
 * (readable in every account without setup). Amazon Linux 2023 is published by AWS under
 * `/aws/service/ami-amazon-linux-latest`, Ubuntu by Canonical under `/aws/service/canonical` (gp2
 * images for 22.04, gp3 for 24.04, as Canonical publishes them).
 *
 * Rocky Linux has no entry: AWS publishes no public parameter for it (only AWS can create
 * parameters under `/aws/service`, and the Rocky project has none), so a fleet on `rocky-9` must
 * name its image with `amiId` (the Rocky Linux 9 AMI of its region, from rockylinux.org or the AWS
 * Marketplace).
 */
export const VM_AMI_SSM_PARAMETERS: Readonly<Record<VmOperatingSystem, Readonly<Record<Ec2Architecture, string>> | undefined>> = {
  "amazon-linux-2023": {
    x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
  },
  "ubuntu-22.04": {
    x86_64: "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id",
    arm64: "/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id",
  },
  "ubuntu-24.04": {
    x86_64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id",
    arm64: "/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id",
  },
  "rocky-9": undefined,
};
