import { AgentSettings, resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { renderVmUserData } from "../../agent/vm/render-user-data";
import { AgentImageMirror, AgentImageMirrorProps } from "../../constructs/image/agent-image-mirror";
import { fieldPath } from "../../core/validation";
import { CorpusSubject, freshStack } from "./subjects";

const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token";

/** An agent image in an ECR pull-through cache, every field given (the mirror's `agentImage()` shape). */
const mirroredImage = () => ({
  registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
  repository: "docker-hub/scalr/agent",
  tag: "1.4.0",
  digest: `sha256:${"a1b2c3d4e5f60718".repeat(4)}`,
  ecr: { accountId: "123456789012", region: "eu-west-1", pullThroughCache: true },
});

/** Bad-input corpus subjects of the image mirror: spread into `CORPUS_SUBJECTS`. */
export const IMAGE_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "AgentImageMirror",
    baseline: () => ({
      repositoryPrefix: "hub-cache",
      credentialSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/hub-cache-AbCdEf",
      accountId: "123456789012",
      region: "eu-west-1",
      repositoryTemplate: true,
      untaggedImageExpiryDays: 14,
    }),
    run: (input) => new AgentImageMirror(freshStack(), "Subject", input as AgentImageMirrorProps),
  },
  {
    name: "resolveAgentSettings (ECR image)",
    baseline: () => ({ scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirroredImage() }),
    run: (input) => resolveAgentSettings(input as unknown as AgentSettings),
  },
  {
    name: "renderVmUserData (ECR image)",
    baseline: () => ({
      settings: { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirroredImage() },
      options: { os: "amazon-linux-2023", installMode: "docker" },
    }),
    run: (input) => renderVmUserData(input?.settings as AgentSettings, input?.options as never, { subject: "vm" }),
    fieldFor: (at) => fieldPath(at.slice(1)),
  },
];
