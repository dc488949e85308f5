import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { TerraformStack, Testing } from "cdktf";
import { gunzipSync } from "zlib";
import { resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { KitChecks } from "../../../constructs/checks/kit-checks";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../../constructs/ecs/fargate-agent-task";
import { AgentImageMirror } from "../../../constructs/image/agent-image-mirror";
import { HelmAgent } from "../../../constructs/k8s/helm-agent";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { warningsOf } from "../../support/annotations";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://mirror-acct.scalr.io";
const ACCOUNT = "210987654321";
const REGION = "eu-central-1";
const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const TOKEN_ARN = "arn:aws:secretsmanager:eu-central-1:210987654321:secret:scalr/mirror-token-Qw12Er";
const CREDENTIAL_ARN = "arn:aws:secretsmanager:eu-central-1:210987654321:secret:ecr-pullthroughcache/docker-hub-Zx98Cv";
const DIGEST = `sha256:${"fedcba9876543210".repeat(4)}`;
const NET = { vpcId: "vpc-0e1e2e3e", subnetIds: ["subnet-0a1a2a3a", "subnet-0b1b2b3b"] };

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: REGION });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

const synth = (stack: TerraformStack): Record<string, any> => JSON.parse(Testing.synth(stack));
const only = (json: Record<string, any>, type: string): any => {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};
const policies = (json: Record<string, any>): Record<string, any> =>
  Object.fromEntries(Object.values<any>(json.resource.aws_iam_role_policy).map((p) => [p.name, decodeTerraformJson(p.policy)]));

describe("AgentImageMirror: the pull-through cache", () => {
  test("defaults: a Docker Hub rule under docker-hub, an empty credential secret, and a template for its repositories", () => {
    const stack = newStack();
    new AgentImageMirror(stack, "Mirror");
    const json = synth(stack);
    const rule = only(json, "aws_ecr_pull_through_cache_rule");
    expect(rule).toMatchObject({ ecr_repository_prefix: "docker-hub", upstream_registry_url: "registry-1.docker.io" });
    expect(rule.credential_arn).toMatch(/^\$\{aws_secretsmanager_secret\.Mirror_CredentialSecret_[0-9A-F]+\.arn\}$/);
    expect(only(json, "aws_secretsmanager_secret").name_prefix).toBe("ecr-pullthroughcache/docker-hub-");
    // Never a value: the user fills the secret outside Terraform.
    expect(json.resource.aws_secretsmanager_secret_version).toBeUndefined();
    const template = only(json, "aws_ecr_repository_creation_template");
    expect(template).toMatchObject({
      prefix: "docker-hub",
      applied_for: ["PULL_THROUGH_CACHE"],
      encryption_configuration: [{ encryption_type: "AES256" }],
      image_tag_mutability: "MUTABLE",
    });
    expect(JSON.parse(template.lifecycle_policy).rules).toEqual([
      expect.objectContaining({ selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 30 }, action: { type: "expire" } }),
    ]);
    // The template exists before the first pull creates a repository.
    expect(rule.depends_on).toEqual([expect.stringMatching(/^aws_ecr_repository_creation_template\./)]);
  });

  test("supplied: your secret, prefix, account, region and expiry; no template on request", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", {
      credentialSecretArn: CREDENTIAL_ARN,
      repositoryPrefix: "hub/mirror",
      accountId: ACCOUNT,
      region: REGION,
      repositoryTemplate: false,
      untaggedImageExpiryDays: 7,
    });
    const json = synth(stack);
    const rule = only(json, "aws_ecr_pull_through_cache_rule");
    expect(rule).toMatchObject({ ecr_repository_prefix: "hub/mirror", credential_arn: CREDENTIAL_ARN, region: REGION });
    // A literal account is checked against the provider's at plan time.
    expect(rule.lifecycle.precondition[0].condition).toMatch(/account_id == "210987654321"/);
    expect(json.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(json.resource.aws_ecr_repository_creation_template).toBeUndefined();
    expect(mirror.registry).toBe(REGISTRY);
    expect(mirror.agentImage()).toEqual({
      registry: REGISTRY,
      repository: "hub/mirror/scalr/agent",
      tag: "1.4.0",
      ecr: { accountId: ACCOUNT, region: REGION, pullThroughCache: true },
    });
    expect(mirror.runnerImage("0.2.0")).toBe(`${REGISTRY}/hub/mirror/scalr/runner:0.2.0`);
    // Docker Hub official images live under library/.
    expect(mirror.repositoryOf("alpine")).toBe("hub/mirror/library/alpine");
  });

  test("a user-given digest pins the image; a tag alone keeps the tag", () => {
    const mirror = new AgentImageMirror(newStack(), "Mirror", { accountId: ACCOUNT, region: REGION });
    const image = (i: ReturnType<AgentImageMirror["agentImage"]>) => resolveAgentSettings({ scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: i }).image;
    expect(image(mirror.agentImage({ digest: DIGEST })).reference).toBe(`${REGISTRY}/docker-hub/scalr/agent@${DIGEST}`);
    expect(image(mirror.agentImage({ tag: "1.4.0", digest: DIGEST })).reference).toBe(`${REGISTRY}/docker-hub/scalr/agent:1.4.0@${DIGEST}`);
    expect(image(mirror.agentImage({ tag: "1.3.9" })).ecr).toEqual({ accountId: ACCOUNT, region: REGION, repository: "docker-hub/scalr/agent", pullThroughCache: true });
  });

  test("fails when the digest is not one copied from a registry", () => {
    const mirror = new AgentImageMirror(newStack(), "Mirror", { accountId: ACCOUNT, region: REGION });
    expect(messageOf(() => resolveAgentSettings({ scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirror.agentImage({ digest: "sha256:1234" }) }))).toContain(
      '`image.digest` must be a digest copied from the registry: sha256: followed by 64 lowercase hex digits, got: "sha256:1234"',
    );
  });

  test("fails naming every bad prop", () => {
    expect(
      messageOf(
        () =>
          new AgentImageMirror(newStack(), "Mirror", {
            repositoryPrefix: "Docker_Hub",
            credentialSecretArn: "arn:aws:secretsmanager:eu-central-1:210987654321:secret:dockerhub-creds-AbCdEf",
            accountId: "2109",
            region: "Frankfurt",
            untaggedImageExpiryDays: 0,
          }),
      ),
    ).toBe(
      [
        "stack/Mirror: `repositoryPrefix` must be lowercase letters and digits, separated by '.', '_', '-' or '/', e.g. docker-hub, got: \"Docker_Hub\"",
        // The field names a secret: the value is never echoed.
        "stack/Mirror: `credentialSecretArn` must be the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/ (ECR reads no other secret for a pull-through cache), got: a plain string of 78 characters (value hidden)",
        'stack/Mirror: `accountId` must be an AWS account ID: 12 digits, got: "2109"',
        'stack/Mirror: `region` must be an AWS region such as eu-west-1, got: "Frankfurt"',
        "stack/Mirror: `untaggedImageExpiryDays` must be a whole number from 1 to 3650, got: 0",
      ].join("\n"),
    );
  });

  test("fails when a prefix is too long for ECR", () => {
    expect(messageOf(() => new AgentImageMirror(newStack(), "Mirror", { repositoryPrefix: "a".repeat(31) }))).toContain("`repositoryPrefix` must be 2–30 characters");
  });

  test("fails when credentials are given with an ECR image, or the registry is not the ECR one", () => {
    const ecr = { accountId: ACCOUNT, region: REGION, pullThroughCache: true };
    const settings = (image: object) => () => resolveAgentSettings({ scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image });
    expect(messageOf(settings({ ecr, credentials: ImagePullCredentials.fromAwsSecretsManager(TOKEN_ARN) }))).toContain(
      "`image.credentials` must be unset with `ecr`: the runtime pulls from ECR with its own AWS role",
    );
    expect(messageOf(settings({ ecr, registry: "ghcr.io" }))).toContain(`\`image.registry\` must be the ECR registry of \`ecr\` (${REGISTRY}), or be left unset, got: "ghcr.io"`);
    expect(messageOf(settings({ ecr: { ...ecr, accountId: "12" } }))).toContain('`image.ecr.accountId` must be an AWS account ID: 12 digits, got: "12"');
  });
});

describe("one setting wires the mirror into every runtime", () => {
  test("FargateAgentTask: the execution role pulls exactly the cached repository, the first pull included; no Docker Hub warning", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", { accountId: ACCOUNT, region: REGION });
    new FargateAgentTask(stack, "Task", { name: "mirrored", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirror.agentImage() } });
    const json = synth(stack);
    const container = decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions)[0];
    expect(container.image).toBe(`${REGISTRY}/docker-hub/scalr/agent:1.4.0`);
    expect(container.repositoryCredentials).toBeUndefined();
    const statements = policies(json)["agent-execution"].Statement;
    const repoArn = expect.stringMatching(/^arn:\$\{data\.aws_partition\.Task_Partition_[0-9A-F]+\.partition\}:ecr:eu-central-1:210987654321:repository\/docker-hub\/scalr\/agent$/);
    expect(statements).toEqual(
      expect.arrayContaining([
        { Sid: "EcrAuthorization", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
        { Sid: "PullAgentImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: [repoArn] },
        { Sid: "PullAgentImageThroughCache", Effect: "Allow", Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: [repoArn] },
      ]),
    );
    expect(warningsOf(stack)).toEqual([]);
  });

  test("FargateAgentTask: a repository you fill gets the pull actions only; anonymous Docker Hub warns, credentials do not", () => {
    const filled = newStack();
    new FargateAgentTask(filled, "Task", {
      name: "filled",
      vpcId: NET.vpcId,
      settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: `${REGISTRY}/platform/scalr-agent:1.4.0` },
    });
    const sids = policies(synth(filled))["agent-execution"].Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(["ReadTokenSecret", "WriteLogs", "EcrAuthorization", "PullAgentImage"]);
    const anonymous = newStack();
    new FargateAgentTask(anonymous, "Task", { name: "anon", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN) } });
    expect(warningsOf(anonymous)).toEqual([expect.stringContaining("AgentImageMirror")]);
    const withCredentials = newStack();
    new FargateAgentTask(withCredentials, "Task", {
      name: "creds",
      vpcId: NET.vpcId,
      settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: { credentials: ImagePullCredentials.fromAwsSecretsManager(CREDENTIAL_ARN) } },
    });
    expect(warningsOf(withCredentials)).toEqual([]);
  });

  test("EcsAgentService: the same pull statements, with the account and region known only at apply time", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror");
    new EcsAgentService(stack, "Service", { name: "svc", ...NET, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirror.agentImage() } });
    const json = synth(stack);
    const container = decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions)[0];
    expect(container.image).toMatch(/^\$\{data\.aws_caller_identity\.Mirror_Account_[0-9A-F]+\.account_id\}\.dkr\.ecr\.\$\{data\.aws_region\.Mirror_Region_[0-9A-F]+\.(name|region)\}\.amazonaws\.com\/docker-hub\/scalr\/agent:1\.4\.0$/);
    const cache = policies(json)["agent-execution"].Statement.find((s: { Sid: string }) => s.Sid === "PullAgentImageThroughCache");
    expect(cache.Resource[0]).toMatch(/:repository\/docker-hub\/scalr\/agent$/);
  });

  test("VmAgentFleet: the host's Docker logs in with the instance role, which gets exactly the pull actions", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", { accountId: ACCOUNT, region: REGION });
    const pool = new AgentPool(stack, "Pool", { name: "vm-mirror" });
    const fleet = new VmAgentFleet(stack, "Fleet", { name: "vm-mirror", os: "ubuntu-24.04", pool, ...NET, settings: { scalrUrl: SCALR_URL, image: mirror.agentImage() } });
    expect(fleet.userData.ecrLogin).toEqual({ registry: REGISTRY, credentialHelper: "/usr/local/bin/docker-credential-scalr-ecr", dockerConfig: "/etc/scalr-agent/docker" });
    const json = synth(stack);
    const doc = gunzipSync(Buffer.from(only(json, "aws_launch_template").user_data, "base64")).toString();
    expect(doc).toContain(`${REGISTRY}/docker-hub/scalr/agent:1.4.0 run`);
    expect(doc).toContain('"DOCKER_CONFIG=/etc/scalr-agent/docker"');
    expect(doc).toContain(`"${REGISTRY}": "scalr-ecr"`);
    const pull = policies(json)["pull-agent-image"].Statement;
    expect(pull.map((s: { Sid: string }) => s.Sid)).toEqual(["EcrAuthorization", "PullAgentImage", "PullAgentImageThroughCache"]);
    expect(pull[2].Action).toEqual(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"]);
    // Instances start only once the role may pull.
    expect(only(json, "aws_launch_template").depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_iam_role_policy\.Fleet_ImagePullPolicy_/)]));
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("VmAgentFleet: fails when the mirror's account and region are known only at apply time", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror");
    const pool = new AgentPool(stack, "Pool", { name: "vm-mirror" });
    expect(messageOf(() => new VmAgentFleet(stack, "Fleet", { name: "vm-mirror", os: "ubuntu-24.04", pool, ...NET, settings: { scalrUrl: SCALR_URL, image: mirror.agentImage() } }))).toMatch(
      /^stack\/Fleet: `settings\.image` must be known at synth time: VM user data names the image literally \(for AgentImageMirror, give its `accountId` and `region`\), got: /,
    );
  });

  test("VmAgentFleet: without an ECR image there is no login and no pull policy", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "vm-plain" });
    const fleet = new VmAgentFleet(stack, "Fleet", { name: "vm-plain", os: "ubuntu-24.04", pool, ...NET, settings: { scalrUrl: SCALR_URL } });
    expect(fleet.userData.ecrLogin).toBeUndefined();
    expect(fleet.imagePullPolicy).toBeUndefined();
    expect(fleet.userData.document).not.toContain("DOCKER_CONFIG");
  });

  test("HelmAgent: the charts pull the mirrored image; the node role is documented, not managed", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", { accountId: ACCOUNT, region: REGION });
    const pool = new AgentPool(stack, "Pool", { name: "k8s-mirror" });
    new HelmAgent(stack, "Agent", { pool, namespace: "agents", settings: { scalrUrl: SCALR_URL, image: mirror.agentImage({ tag: "1.4.0", digest: DIGEST }) } });
    const json = synth(stack);
    const release = only(json, "helm_release");
    const values = JSON.stringify(release.values ?? release.set ?? release);
    expect(values).toContain(`${REGISTRY}/docker-hub/scalr/agent`);
    expect(values).toContain(`1.4.0@${DIGEST}`);
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("KitChecks pass on the ECS runtimes with the mirror", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", { accountId: ACCOUNT, region: REGION });
    new EcsAgentService(stack, "Service", { name: "svc", ...NET, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirror.agentImage() } });
    new FargateAgentTask(stack, "Task", { name: "task", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: mirror.agentImage() } });
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("pullStatements and pullPolicyDocument: for a role the kit does not manage (an EKS node role)", () => {
    const stack = newStack();
    const mirror = new AgentImageMirror(stack, "Mirror", { accountId: ACCOUNT, region: REGION });
    const statements = mirror.pullStatements("scalr/runner");
    expect(statements.map((s) => s.Sid)).toEqual(["EcrAuthorization", "PullThroughMirror", "PullThroughMirrorThroughCache"]);
    new IamRolePolicy(stack, "NodePull", { role: "eks-node-role", policy: mirror.pullPolicyDocument("scalr/agent", "scalr/runner") });
    const doc = decodeTerraformJson(only(synth(stack), "aws_iam_role_policy").policy);
    expect(doc.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["EcrAuthorization", "PullThroughMirror", "PullThroughMirrorThroughCache", "PullThroughMirror2", "PullThroughMirrorThroughCache2"]);
    expect(doc.Statement[3].Resource).toEqual([expect.stringMatching(/:ecr:eu-central-1:210987654321:repository\/docker-hub\/scalr\/runner$/)]);
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("pullStatements and repositoryOf take Docker Hub repository names only: a wildcard would widen the policy", () => {
    const mirror = new AgentImageMirror(newStack(), "Mirror", { accountId: ACCOUNT, region: REGION });
    expect(mirror.repositoryOf("busybox")).toBe("docker-hub/library/busybox");
    expect(mirror.repositoryOf("my-org/tool__x.y")).toBe("docker-hub/my-org/tool__x.y");
    for (const bad of ["*", "scalr/*", "scalr/agent?", "Scalr/Agent", "a/b/c", "scalr/agent:0.1", "/agent", "scalr/", "-agent", ""]) {
      expect(() => mirror.pullStatements(bad)).toThrow(
        `stack/Mirror: \`dockerHubRepository\` must be a Docker Hub repository name such as "scalr/agent" or "busybox" (lower-case letters, digits and separators ".", "_", "-", one optional "namespace/"), got: ${JSON.stringify(bad)}`,
      );
    }
    expect(() => mirror.pullPolicyDocument("scalr/agent", "*")).toThrow("`dockerHubRepository` must be a Docker Hub repository name");
  });
});
