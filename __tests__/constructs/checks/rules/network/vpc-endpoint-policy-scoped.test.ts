import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcEndpointPolicy } from "@cdktf/provider-aws/lib/vpc-endpoint-policy";
import { Fn } from "cdktf";
import { KIT_NET_3 } from "../../../../../constructs/checks/rules/network/vpc-endpoint-policy-scoped";
import { AgentVpcEndpoints } from "../../../../../constructs/network";
import { violations } from "../../rule-helpers";

const policy = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const LAYERS = { Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*"] };

describe("KIT-NET-3 vpc-endpoint-policy-scoped", () => {
  test("compliant: the kit's endpoints, and a hand-written scoped gateway endpoint", () => {
    expect(
      violations(KIT_NET_3, (s) => {
        new AgentVpcEndpoints(s, "Endpoints", {
          vpcId: "vpc-0abc",
          region: "eu-west-1",
          accountId: "123456789012",
          subnetIds: ["subnet-0a"],
          routeTableIds: ["rtb-0a"],
          agentSecurityGroupIds: ["sg-0a"],
          secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:t"],
          logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/a"],
        });
        new VpcEndpoint(s, "S3", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", routeTableIds: ["rtb-1"], policy: policy(LAYERS) });
      }),
    ).toEqual([]);
  });

  test("non-compliant: no policy (the default is full access), full access written out, Resource * on a scoped action", () => {
    expect(
      violations(KIT_NET_3, (s) => {
        new VpcEndpoint(s, "NoPolicy", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.logs", vpcEndpointType: "Interface" });
        new VpcEndpoint(s, "Full", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", policy: policy({ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }) });
        new VpcEndpoint(s, "StarResource", {
          vpcId: "vpc-1",
          serviceName: "com.amazonaws.eu-west-1.secretsmanager",
          vpcEndpointType: "Interface",
          policy: policy({ Sid: "Read", Effect: "Allow", Principal: "*", Action: ["secretsmanager:GetSecretValue"], Resource: "*" }),
        });
      }),
    ).toEqual([
      'KIT-NET-3 stack/Full: aws_vpc_endpoint.policy Statement[0] must name its actions, not "*" (an endpoint policy is the last filter between a run and every API of the service)',
      'KIT-NET-3 stack/Full: aws_vpc_endpoint.policy Statement[0] must name the resources it allows, not "*" (only actions AWS grants on "*" alone, such as ecr:GetAuthorizationToken, may use it)',
      "KIT-NET-3 stack/NoPolicy: aws_vpc_endpoint (Interface) must set a policy that names the actions and resources it serves (got none: AWS attaches the default policy, full access to every action and resource)",
      'KIT-NET-3 stack/StarResource: aws_vpc_endpoint.policy Statement[0] ("Read") must name the resources it allows, not "*" (only actions AWS grants on "*" alone, such as ecr:GetAuthorizationToken, may use it)',
    ]);
  });

  test("a separate aws_vpc_endpoint_policy counts, and is judged", () => {
    expect(
      violations(KIT_NET_3, (s) => {
        const e = new VpcEndpoint(s, "E", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3" });
        new VpcEndpointPolicy(s, "P", { vpcEndpointId: e.id, policy: policy({ Effect: "Allow", Principal: "*", NotAction: ["s3:DeleteObject"], Resource: ["arn:aws:s3:::b/*"] }) });
      }),
    ).toEqual(["KIT-NET-3 stack/P: aws_vpc_endpoint_policy.policy Statement[0] must not Allow with NotAction: it allows every other action through the endpoint"]);
  });

  test("a separate policy created conditionally (count or for_each) does not count: zero copies leave full access", () => {
    const found = violations(KIT_NET_3, (s) => {
      const counted = new VpcEndpoint(s, "Counted", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3" });
      new VpcEndpointPolicy(s, "CountedPolicy", { vpcEndpointId: counted.id, policy: policy(LAYERS), count: 0 });
      const each = new VpcEndpoint(s, "Each", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3" });
      const p = new VpcEndpointPolicy(s, "EachPolicy", { vpcEndpointId: each.id, policy: policy(LAYERS) });
      p.addOverride("for_each", {});
    });
    expect(found).toEqual([
      "KIT-NET-3 stack/Counted: aws_vpc_endpoint (Gateway) must set a policy that names the actions and resources it serves (its aws_vpc_endpoint_policy has `count` or `for_each`, so it may not exist, and then AWS attaches the default policy, full access to every action and resource)",
      "KIT-NET-3 stack/Each: aws_vpc_endpoint (Gateway) must set a policy that names the actions and resources it serves (its aws_vpc_endpoint_policy has `count` or `for_each`, so it may not exist, and then AWS attaches the default policy, full access to every action and resource)",
    ]);
  });

  test("partial wildcards that together cover everything: a wildcard in the account, a bucket name starting with one", () => {
    const accounts = Array.from({ length: 10 }, (_, d) => `arn:aws:secretsmanager:*:${d}*:secret:*`);
    const buckets = ["arn:aws:s3:::*a*/*", "arn:aws:s3:::*e*/*", "arn:aws:s3:::*-logs/*"];
    const found = violations(KIT_NET_3, (s) => {
      new VpcEndpoint(s, "Secrets", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.secretsmanager", vpcEndpointType: "Interface", policy: policy({ Effect: "Allow", Principal: "*", Action: ["secretsmanager:GetSecretValue"], Resource: accounts }) });
      new VpcEndpoint(s, "Buckets", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", policy: policy({ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: buckets }) });
      // A literal prefix narrows: still compliant.
      new VpcEndpoint(s, "Prefixed", { vpcId: "vpc-1", serviceName: "com.amazonaws.eu-west-1.s3", policy: policy({ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-*-starport-layer-bucket/*"] }) });
    });
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^KIT-NET-3 stack\/Buckets: .* must name the resources it allows, not "arn:aws:s3:::\*a\*\/\*", "arn:aws:s3:::\*e\*\/\*", "arn:aws:s3:::\*-logs\/\*"/);
    expect(found[1]).toMatch(/^KIT-NET-3 stack\/Secrets: .* must name the resources it allows, not "arn:aws:secretsmanager:\*:0\*:secret:\*"/);
  });

  test("odd inputs: a type known only at apply, a policy Terraform builds, a resource from a variable", () => {
    const found = violations(KIT_NET_3, (s) => {
      new VpcEndpoint(s, "Type", { vpcId: "vpc-1", serviceName: "x", vpcEndpointType: "${var.type}", policy: policy(LAYERS) });
      new VpcEndpoint(s, "Encoded", { vpcId: "vpc-1", serviceName: "x", policy: Fn.jsonencode({ Statement: [] }) });
      new VpcEndpoint(s, "Variable", { vpcId: "vpc-1", serviceName: "x", policy: policy({ ...LAYERS, Resource: ["${var.bucket}"] }) });
    });
    expect(found).toHaveLength(3);
    for (const line of found) expect(line).toMatch(/cannot be (confirmed|read)/);
  });

  test("Gateway Load Balancer endpoints take no policy", () => {
    expect(violations(KIT_NET_3, (s) => new VpcEndpoint(s, "Glb", { vpcId: "vpc-1", serviceName: "com.amazonaws.vpce.eu-west-1.vpce-svc-1", vpcEndpointType: "GatewayLoadBalancer" }))).toEqual([]);
  });
});
