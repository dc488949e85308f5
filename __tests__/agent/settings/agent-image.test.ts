import { App, TerraformStack, TerraformVariable } from "cdktf";
import { DEFAULT_AGENT_IMAGE, ImagePullCredentials, agentImageSchema, parseImageReference, resolveAgentImage } from "../../../agent/settings/agent-image";
import { AgentSettings, resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { messageOf } from "../../support/errors";

const token = AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/image-AbCdEf");
const image = (value: AgentSettings["image"]) => resolveAgentSettings({ scalrUrl: "https://image.scalr.io", token, image: value }).image;
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const ECR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

/** The image model alone, without the settings' rule that the image is pinned. */
const imageModel = (value: AgentSettings["image"]) => resolveAgentImage(agentImageSchema.parse(value));

describe("the agent image model", () => {
  test.each(["scalr/agent", "scalr/agent:latest", "registry.example.com/scalr/agent:latest"])("settings refuse the unpinned image %s, on every runtime", (value) => {
    expect(messageOf(() => image(value))).toContain("`image` must be pinned: a version tag such as scalr/agent:1.4.0 (not `latest`), or a digest (@sha256:…)");
  });
  test("latest with a digest is pinned", () => {
    expect(image(`scalr/agent:latest@${DIGEST}`).digest).toBe(DIGEST);
  });

  test("the default is the pinned Docker Hub image", () => {
    expect(resolveAgentSettings({ scalrUrl: "https://image.scalr.io", token }).image).toEqual({
      reference: DEFAULT_AGENT_IMAGE,
      repository: "scalr/agent",
      tag: "1.4.0",
      dockerHub: true,
    });
  });

  test.each([
    ["scalr/agent:1.3.2", { repository: "scalr/agent", tag: "1.3.2", dockerHub: true }],
    ["docker.io/scalr/agent:1.3.2", { registry: "docker.io", repository: "scalr/agent", tag: "1.3.2", dockerHub: true }],
    [`${ECR}/docker-hub/scalr/agent:1.4.0@${DIGEST}`, { registry: ECR, repository: "docker-hub/scalr/agent", tag: "1.4.0", digest: DIGEST, dockerHub: false }],
    ["localhost:5000/agent", { registry: "localhost:5000", repository: "agent", dockerHub: false }],
    ["localhost/agent", { registry: "localhost", repository: "agent", dockerHub: false }],
    // Docker's rule: a first component without '.' or ':' is a Docker Hub namespace, not a host.
    ["corp/agent:2", { repository: "corp/agent", tag: "2", dockerHub: true }],
  ])("the reference %s splits into registry, repository, tag and digest", (reference, parts) => {
    expect(parseImageReference(reference)).toEqual({ reference, ...parts });
    // A literal ECR registry also says where the runtime's AWS role pulls from (a repository you fill).
    const ecr = (parts as { registry?: string }).registry === ECR ? { ecr: { accountId: "123456789012", region: "eu-west-1", repository: parts.repository, pullThroughCache: false } } : {};
    expect(imageModel(reference)).toEqual({ reference, ...parts, ...ecr });
  });

  test("an ECR location: the registry follows from the account and region (China regions included), the pull-through flag is kept", () => {
    expect(image({ repository: "hub/scalr/agent", ecr: { accountId: "123456789012", region: "eu-west-1", pullThroughCache: true } })).toEqual({
      reference: `${ECR}/hub/scalr/agent:1.4.0`,
      registry: ECR,
      repository: "hub/scalr/agent",
      tag: "1.4.0",
      dockerHub: false,
      ecr: { accountId: "123456789012", region: "eu-west-1", repository: "hub/scalr/agent", pullThroughCache: true },
    });
    expect(image({ ecr: { accountId: "123456789012", region: "cn-north-1" } }).registry).toBe("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
    expect(image({ registry: "ghcr.io", repository: "corp/agent" }).ecr).toBeUndefined();
  });

  test.each([
    ["fails when the ECR account is not 12 digits", { ecr: { accountId: "1234", region: "eu-west-1" } }, '`image.ecr.accountId` must be an AWS account ID: 12 digits, got: "1234"'],
    ["fails when the ECR region is not a region", { ecr: { accountId: "123456789012", region: "Ireland" } }, '`image.ecr.region` must be an AWS region such as eu-west-1, got: "Ireland"'],
    [
      "fails when the registry is another account's",
      { registry: "999999999999.dkr.ecr.eu-west-1.amazonaws.com", ecr: { accountId: "123456789012", region: "eu-west-1" } },
      `\`image.registry\` must be the ECR registry of \`ecr\` (${ECR}), or be left unset, got: "999999999999.dkr.ecr.eu-west-1.amazonaws.com"`,
    ],
  ])("%s", (_title, value, expected) => {
    expect(messageOf(() => image(value as AgentSettings["image"]))).toContain(expected);
  });

  test("the object form renders one reference; a digest alone keeps no default tag", () => {
    expect(image({ registry: ECR, repository: "mirror/scalr/agent", tag: "1.4.1" }).reference).toBe(`${ECR}/mirror/scalr/agent:1.4.1`);
    expect(image({ digest: DIGEST })).toEqual({ reference: `scalr/agent@${DIGEST}`, repository: "scalr/agent", digest: DIGEST, dockerHub: true });
    expect(image({}).reference).toBe(DEFAULT_AGENT_IMAGE);
  });

  test("credentials are kept as a reference and say what they are", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub-pull-XyZ123";
    const resolved = image({ credentials: ImagePullCredentials.fromAwsSecretsManager(arn) });
    expect(resolved.credentials?.kind).toBe("aws-secrets-manager");
    expect(resolved.credentials?.reference).toBe(arn);
    expect(ImagePullCredentials.fromKubernetesSecret("regcred").kind).toBe("kubernetes-secret");
  });

  test("a Terraform reference is passed through and not taken for Docker Hub", () => {
    const stack = new TerraformStack(new App(), "image");
    const ref = new TerraformVariable(stack, "image", { type: "string" }).stringValue;
    expect(image(ref)).toEqual({ reference: ref, dockerHub: false });
    expect(image({ registry: ref }).dockerHub).toBe(false);
  });

  test.each([
    ["fails when the digest is not sha256 and 64 hex digits", { digest: "sha256:abc" }, "`image.digest` must be a digest copied from the registry: sha256: followed by 64 lowercase hex digits, got: \"sha256:abc\""],
    ["fails when the repository has upper case", { repository: "Scalr/Agent" }, "`image.repository` must be a lowercase repository path such as scalr/agent, got: \"Scalr/Agent\""],
    ["fails when the tag starts with '-'", { tag: "-rc" }, "`image.tag` must be a tag: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-', got: \"-rc\""],
    ["fails when the registry has a path", { registry: "ghcr.io/scalr" }, "`image.registry` must be a registry host with an optional port, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com, got: \"ghcr.io/scalr\""],
    ["fails when credentials are a plain string", { credentials: "user:password" as unknown as ImagePullCredentials }, "`image.credentials` must be ImagePullCredentials.fromAwsSecretsManager(arn) or ImagePullCredentials.fromKubernetesSecret(name)"],
    ["fails when a field is misspelt", { tga: "1.4.0" } as never, "`image.tga` is not a known field (did you mean `tag`?)"],
  ])("%s", (_title, value, expected) => {
    expect(messageOf(() => image(value as AgentSettings["image"]))).toContain(expected);
  });

  test("fails when the credentials reference is not a secret ARN or a Secret name", () => {
    expect(messageOf(() => ImagePullCredentials.fromAwsSecretsManager("dockerhub-pull"))).toBe(
      'ImagePullCredentials.fromAwsSecretsManager: `secretArn` must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got: "dockerhub-pull"',
    );
    expect(messageOf(() => ImagePullCredentials.fromKubernetesSecret("Reg_Cred"))).toContain("`name` must be a Kubernetes object name");
  });
});
