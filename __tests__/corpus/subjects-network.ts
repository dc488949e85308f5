// Bad-input corpus subjects of the network constructs (spread into CORPUS_SUBJECTS).
import { AgentVpcEndpoints } from "../../constructs/network";
import { CorpusSubject, freshStack } from "./subjects";

/** The network constructs, each with a valid, fully populated baseline. */
export const NETWORK_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "AgentVpcEndpoints",
    baseline: () => ({
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0a1", "subnet-0b2"],
      routeTableIds: ["rtb-0c3"],
      agentSecurityGroupIds: ["sg-0d4"],
      services: ["ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager", "sts", "autoscaling"],
      region: "eu-west-1",
      accountId: "123456789012",
      ecrRepositoryArns: ["arn:aws:ecr:eu-west-1:123456789012:repository/docker-hub/*"],
      ecrPullThroughCache: true,
      secretArns: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token"],
      logGroupArns: ["arn:aws:logs:eu-west-1:123456789012:log-group:/scalr/agents"],
      stsRoleArns: ["arn:aws:iam::123456789012:role/run-deployer"],
      autoScalingGroupArns: ["arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/agents"],
      additionalPolicyStatements: { s3: [{ Sid: "RunState", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-state/*"] }] },
      name: "acme-agents",
      tags: { team: "platform" },
    }),
    run: (input) => new AgentVpcEndpoints(freshStack(), "Subject", input as never),
  },
];
