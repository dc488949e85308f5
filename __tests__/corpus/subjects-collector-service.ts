// Bad-input corpus subjects of AgentCollectorService (spread into CORPUS_SUBJECTS): the corpus
// mutates every field of each baseline (empty subnetIds, a client that is no group ID, an unpinned
// image, a desiredCount out of range, a CPU/memory pair Fargate does not offer, an unknown field, an
// OTLP endpoint that is not host:port, …) and expects the kit's error naming that field.
import { AgentCollectorService } from "../../constructs/ecs/agent-collector-service";
import { CorpusSubject, freshStack } from "./subjects";

const run = (input: Record<string, unknown>) => new AgentCollectorService(freshStack(), "Subject", input as never);

/** AgentCollectorService, each subject with a valid, fully populated baseline. */
export const COLLECTOR_SERVICE_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "AgentCollectorService (CloudWatch)",
    baseline: () => ({
      name: "otel",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
      clientSecurityGroupIds: ["sg-0ccc3333"],
      exporter: "cloudwatch",
      namespace: "Platform/ScalrAgent",
      image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0",
      desiredCount: 3,
      cpu: 512,
      memoryMiB: 1024,
      cpuArchitecture: "X86_64",
      logRetentionDays: 90,
      cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared",
      dnsNamespace: "metrics.corp.internal",
    }),
    run,
  },
  {
    name: "AgentCollectorService (OTLP exporter)",
    baseline: () => ({
      name: "otel-gw",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0aaa1111"],
      clientSecurityGroupIds: ["sg-0ccc3333", "sg-0ddd4444"],
      exporter: { otlpEndpoint: "https://otlp.example.com:4317" },
      image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/aws-otel-collector:v0.49.0",
    }),
    run,
  },
];
