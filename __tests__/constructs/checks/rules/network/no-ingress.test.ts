import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { KIT_NET_2 } from "../../../../../constructs/checks/rules/network/no-ingress";
import { violations } from "../../rule-helpers";

describe("KIT-NET-2 no-ingress", () => {
  test("compliant: an egress-only group", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        new SecurityGroup(s, "Sg", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }], ingress: [] });
        new SecurityGroupRule(s, "Out", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: inline ingress, an ingress rule resource, a VPC ingress rule", () => {
    expect(
      violations(KIT_NET_2, (s) => {
        new SecurityGroup(s, "Sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
        new SecurityGroupRule(s, "Ssh", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] });
        new VpcSecurityGroupIngressRule(s, "Https", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
      }),
    ).toEqual([
      "KIT-NET-2 stack/Sg: aws_security_group must have no ingress rules (has 1): agents only connect out",
      "KIT-NET-2 stack/Ssh: aws_security_group_rule must not open ingress: agents only connect out",
      "KIT-NET-2 stack/Https: aws_vpc_security_group_ingress_rule must not exist: agents only connect out",
    ]);
  });
});
