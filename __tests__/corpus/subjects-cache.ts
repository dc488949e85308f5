// Bad-input corpus subjects of the shared provider cache (spread into CORPUS_SUBJECTS).
import { renderHelmValues, HelmValuesInput } from "../../agent/k8s";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../constructs/ecs/fargate-agent-task";
import { ServerlessAgentPool } from "../../constructs/ecs/serverless-agent-pool";
import { CorpusSubject, freshStack } from "./subjects";

const asmToken = () => AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token");

/** The shared cache's options, each subject with a valid, fully populated baseline. */
export const CACHE_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "FargateAgentTask (sharedCache: a new file system)",
    baseline: () => ({
      name: "agents",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234", "subnet-0def5678"],
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken(), cacheDir: "/cache", cache: { providerCacheSizeLimitMiB: 20480 } },
      sharedCache: { subnetIds: ["subnet-0aaa1111"], kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666" },
    }),
    run: (input) => new FargateAgentTask(freshStack(), "Subject", input as never),
  },
  {
    name: "EcsAgentService (sharedCache: an existing file system)",
    baseline: () => ({
      name: "agents",
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0abc1234"],
      settings: { scalrUrl: "https://example.scalr.io", token: asmToken() },
      sharedCache: { fileSystemId: "fs-0123abcd", accessPointId: "fsap-0123456789abcdef0" },
    }),
    run: (input) => new EcsAgentService(freshStack(), "Subject", input as never),
  },
  {
    name: "ServerlessAgentPool (sharedCache: true)",
    baseline: () => ({ name: "serverless", vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234", "subnet-0def5678"], settings: { scalrUrl: "https://example.scalr.io" }, sharedCache: true }),
    run: (input) => new ServerlessAgentPool(freshStack(), "Subject", input as never),
  },
  {
    name: "renderHelmValues (storage.cacheClaimName)",
    baseline: () => ({
      chart: "agent-job",
      settings: { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromKubernetesSecret("agent-token"), cache: { providerCacheSizeLimitMiB: 40960 } },
      storage: { dataSizeLimit: "8Gi", cacheClaimName: "agent-cache-pvc" },
    }),
    run: (input) => renderHelmValues(input as unknown as HelmValuesInput, { subject: "helm" }),
  },
];
