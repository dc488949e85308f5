// Bad-input corpus subjects of the agent-metrics collector (spread into CORPUS_SUBJECTS).
import { AgentTokenSource } from "../../agent/settings/token-source";
import { FargateAgentTask } from "../../constructs/ecs/fargate-agent-task";
import { CorpusSubject, freshStack } from "./subjects";

const asmToken = () => AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token");

/** FargateAgentTask's `collector`, each subject with a valid, fully populated baseline. */
export const COLLECTOR_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "FargateAgentTask (collector: CloudWatch)",
    baseline: () => ({
      name: "agents",
      vpcId: "vpc-0abc1234",
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken(), telemetry: { otlpEndpoint: "localhost:4317", metrics: true, traces: false } },
      collector: { image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0", exporter: "cloudwatch", namespace: "Platform/ScalrAgent" },
    }),
    run: (input) => new FargateAgentTask(freshStack(), "Subject", input as never),
  },
  {
    name: "FargateAgentTask (collector: OTLP exporter)",
    baseline: () => ({
      name: "agents",
      vpcId: "vpc-0abc1234",
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken(), telemetry: { otlpEndpoint: "http://localhost:4317", metrics: true, traces: false } },
      collector: { exporter: { otlpEndpoint: "https://otlp.example.com:4317" } },
    }),
    run: (input) => new FargateAgentTask(freshStack(), "Subject", input as never),
  },
];
