import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EcrPullThroughCacheRule } from "@cdktf/provider-aws/lib/ecr-pull-through-cache-rule";
import { EcrRepositoryCreationTemplate } from "@cdktf/provider-aws/lib/ecr-repository-creation-template";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { Op } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AgentImage, DEFAULT_AGENT_REPOSITORY, DEFAULT_AGENT_VERSION, ResolvedAgentImageEcr, ecrRegistryHost } from "../../agent/settings/agent-image";
import { AWS_REGION } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { fieldError, isToken, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { terraformJson } from "../../core/terraform-json";
import { EcrPullStatement, ecrPullStatements } from "./ecr-pull-permissions";

/** Props of {@link AgentImageMirror}. */
export interface AgentImageMirrorProps {
  /**
   * Repository prefix of the cache in ECR: Docker Hub's `scalr/agent` is pulled as
   * `<registry>/<prefix>/scalr/agent`. 2–30 lowercase characters, `/`-separated.
   * @default "docker-hub"
   */
  readonly repositoryPrefix?: string;
  /**
   * ARN of a Secrets Manager secret with the Docker Hub `username` and `accessToken`, named
   * `ecr-pullthroughcache/…` in the mirror's account and region (ECR reads only such secrets).
   * @default - the mirror creates an empty secret `ecr-pullthroughcache/<prefix>-…` for you to fill
   */
  readonly credentialSecretArn?: string;
  /**
   * The registry's account ID, known at synth time. VM user data names the registry literally, so
   * a mirror used by `VmAgentFleet` needs it; the plan fails if it is not the AWS provider's account.
   * @default - the AWS provider's account, known at apply time (fine for ECS and Helm, rejected by VmAgentFleet)
   */
  readonly accountId?: string;
  /**
   * The region of the mirror, known at synth time; the rule, the secret and the template are
   * created there.
   * @default - the AWS provider's region, known at apply time (fine for ECS and Helm, rejected by VmAgentFleet)
   */
  readonly region?: string;
  /**
   * Create a repository creation template for the prefix, so the repositories the cache creates
   * are encrypted, keep mutable tags and expire untagged images. Turn off when the registry already
   * has a template for this prefix (a registry holds one per prefix).
   * @default true
   */
  readonly repositoryTemplate?: boolean;
  /** Days an image whose tag moved on stays in the cache untagged before it expires. @default 30 */
  readonly untaggedImageExpiryDays?: number;
}

/** Options of {@link AgentImageMirror.agentImage}. */
export interface MirroredImageOptions {
  /** Tag. @default - the kit's pinned agent version when no `digest` is given, else none */
  readonly tag?: string;
  /** Digest (`sha256:` and 64 hex digits) as you copied it from the registry. @default - none */
  readonly digest?: string;
}

/** Docker Hub's registry as ECR's pull-through cache rules name it (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html). */
export const DOCKER_HUB_UPSTREAM = "registry-1.docker.io";
/** Scalr's golden runner image on Docker Hub (https://hub.docker.com/r/scalr/runner). */
export const RUNNER_REPOSITORY = "scalr/runner";

// ecrRepositoryPrefix of CreatePullThroughCacheRule: 2–30 characters of this pattern; `ROOT` means
// the whole registry, which a mirror of one upstream must not take
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreatePullThroughCacheRule.html).
const PREFIX = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// credentialArn of the same API: a secret named `ecr-pullthroughcache/…`, 50–612 characters; the
// secret must be in the rule's account and region
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html).
const CREDENTIAL_ARN = /^arn:aws(-\w+)*:secretsmanager:[a-zA-Z0-9-:]+:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/;
const SECRET_NAME_PREFIX = "ecr-pullthroughcache/";

const propsSchema = strictProps({
  repositoryPrefix: z
    .string()
    .min(2, { error: "must be 2–30 characters" })
    .max(30, { error: "must be 2–30 characters" })
    .regex(PREFIX, { error: "must be lowercase letters and digits, separated by '.', '_', '-' or '/', e.g. docker-hub" })
    .default("docker-hub"),
  credentialSecretArn: tokenOr(
    z
      .string()
      .regex(CREDENTIAL_ARN, { error: "must be the ARN of a Secrets Manager secret whose name starts with ecr-pullthroughcache/ (ECR reads no other secret for a pull-through cache)" })
      .min(50, { error: "must be 50–612 characters (ECR's limit for credentialArn)" })
      .max(612, { error: "must be 50–612 characters (ECR's limit for credentialArn)" }),
  ).optional(),
  accountId: tokenOr(z.string().regex(/^\d{12}$/, { error: "must be an AWS account ID: 12 digits" })).optional(),
  region: tokenOr(z.string().regex(AWS_REGION, { error: "must be an AWS region such as eu-west-1" })).optional(),
  repositoryTemplate: z.boolean().default(true),
  untaggedImageExpiryDays: literalIntInRange(1, 3650).default(30),
});

/**
 * A Docker Hub repository name: one or two path components (`namespace/name`), each lower-case
 * letters and digits joined by `.`, `_`, `__` or dashes: the path-component grammar of image
 * references (`alphanumeric`, `separator`, `pathComponent` in distribution/reference regexp.go @
 * v0.5.0, https://github.com/distribution/reference/blob/v0.5.0/regexp.go); Docker Hub names one
 * namespace level.
 */
const DOCKER_HUB_REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)?$/;

/**
 * An Amazon ECR pull-through cache of Docker Hub for the agent image: an ECR repository that
 * fills itself from Docker Hub at the first pull and serves later pulls from the region, so
 * agents start from a nearby copy and never meet Docker Hub's anonymous pull limit. Docker Hub
 * rules need Docker Hub credentials in Secrets Manager: the mirror takes the ARN of your secret or
 * creates the empty secret for you to fill (never a value).
 *
 * `agentImage()` is the `settings.image` of every runtime (FargateAgentTask, ServerlessAgentPool,
 * EcsAgentService, VmAgentFleet, HelmAgent): each grants its own AWS role exactly the pull actions on
 * the agent's cached repository. `pullStatements()` gives the same statements for roles the kit does
 * not manage (an EKS node role).
 */
export class AgentImageMirror extends Construct {
  /** The pull-through cache rule (escape hatch). */
  public readonly resource: EcrPullThroughCacheRule;
  /** The secret the mirror created, when no `credentialSecretArn` was given: fill it with `username` and `accessToken`. */
  public readonly credentialSecret?: SecretsmanagerSecret;
  /** ARN of the secret ECR reads the Docker Hub credentials from. */
  public readonly credentialSecretArn: string;
  /** The repository creation template of the prefix, when created. */
  public readonly repositoryTemplate?: EcrRepositoryCreationTemplate;
  /** The repository prefix of the cache. */
  public readonly repositoryPrefix: string;
  /** Account ID of the registry (a literal when `accountId` was given). */
  public readonly accountId: string;
  /** Region of the registry (a literal when `region` was given). */
  public readonly region: string;
  /** The registry host, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  public readonly registry: string;
  private readonly partition: DataAwsPartition;

  public constructor(scope: Construct, id: string, props: AgentImageMirrorProps = {}) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props ?? {});
    issues.throwIfAny();

    this.repositoryPrefix = p.repositoryPrefix;
    this.partition = new DataAwsPartition(this, "Partition", {});
    const caller = new DataAwsCallerIdentity(this, "Account", {});
    this.accountId = p.accountId ?? caller.accountId;
    this.region = p.region ?? new DataAwsRegion(this, "Region", {}).region;
    this.registry = ecrRegistryHost(this.accountId, this.region);
    // With a literal region the resources are created there (the AWS provider's per-resource `region`).
    const region = p.region;

    if (p.credentialSecretArn === undefined) {
      this.credentialSecret = new SecretsmanagerSecret(this, "CredentialSecret", {
        namePrefix: `${SECRET_NAME_PREFIX}${p.repositoryPrefix.replace(/\//g, "-")}-`,
        region,
        // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-secret.html
        description:
          'Docker Hub credentials of the ECR pull-through cache: a JSON object {"username": "<Docker Hub user>", "accessToken": "<Docker Hub access token>"}. Set its value outside Terraform.',
      });
    }
    this.credentialSecretArn = p.credentialSecretArn ?? (this.credentialSecret as SecretsmanagerSecret).arn;

    // The repositories ECR creates at the first pull take their settings from the template of their
    // prefix (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates.html).
    // AES256 needs no custom role (a KMS key or resource tags would:
    // https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-creation-templates-create.html).
    // Tags stay mutable: the cache keeps a Docker Hub tag pointing where Docker Hub points it (pin a
    // digest for an image that never changes); an image a moved tag left behind is untagged and
    // expires after `untaggedImageExpiryDays`
    // (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html).
    if (p.repositoryTemplate) {
      this.repositoryTemplate = new EcrRepositoryCreationTemplate(this, "RepositoryTemplate", {
        prefix: p.repositoryPrefix,
        appliedFor: ["PULL_THROUGH_CACHE"],
        region,
        description: `Repositories of the ${DOCKER_HUB_UPSTREAM} pull-through cache (Scalr agent images)`,
        encryptionConfiguration: [{ encryptionType: "AES256" }],
        imageTagMutability: "MUTABLE",
        lifecyclePolicy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `Expire images left untagged (their tag moved upstream) after ${p.untaggedImageExpiryDays} days`,
              selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: p.untaggedImageExpiryDays },
              action: { type: "expire" },
            },
          ],
        }),
      });
    }

    this.resource = new EcrPullThroughCacheRule(this, "Resource", {
      ecrRepositoryPrefix: p.repositoryPrefix,
      upstreamRegistryUrl: DOCKER_HUB_UPSTREAM,
      credentialArn: this.credentialSecretArn,
      region,
      dependsOn: this.repositoryTemplate ? [this.repositoryTemplate] : undefined,
      // A literal account ID is written into image references (VM user data): the plan stops when
      // it is not the account the rule is created in.
      lifecycle:
        p.accountId !== undefined && !isToken(p.accountId)
          ? {
              precondition: [
                {
                  condition: Op.eq(caller.accountId, p.accountId),
                  errorMessage: `AgentImageMirror ${this.node.path}: accountId ${p.accountId} is not the account of the AWS provider.`,
                },
              ],
            }
          : undefined,
    });
  }

  /** The cached repository of a Docker Hub repository (`scalr/agent` → `docker-hub/scalr/agent`). */
  public repositoryOf(dockerHubRepository: string): string {
    // The name becomes part of IAM resource ARNs (pullStatements): a wildcard or a stray character
    // would widen or break them, so only a Docker Hub repository name passes.
    if (typeof dockerHubRepository !== "string" || !DOCKER_HUB_REPOSITORY.test(dockerHubRepository)) {
      throw fieldError({ subject: this.node.path }, "dockerHubRepository", 'must be a Docker Hub repository name such as "scalr/agent" or "busybox" (lower-case letters, digits and separators ".", "_", "-", one optional "namespace/")', dockerHubRepository, { sensitive: false });
    }
    // Docker Hub official images live under `library/` (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-working.html).
    const upstream = dockerHubRepository.includes("/") ? dockerHubRepository : `library/${dockerHubRepository}`;
    return `${this.repositoryPrefix}/${upstream}`;
  }

  /**
   * `scalr/agent` through the mirror, for `settings.image`: the kit's pinned version, or `tag`,
   * and the `digest` you give (validated with the settings; the kit never invents one).
   */
  public agentImage(options: MirroredImageOptions = {}): AgentImage {
    const tag = options.tag ?? (options.digest === undefined ? DEFAULT_AGENT_VERSION : undefined);
    return {
      registry: this.registry,
      repository: this.repositoryOf(DEFAULT_AGENT_REPOSITORY),
      ...(tag !== undefined ? { tag } : {}),
      ...(options.digest !== undefined ? { digest: options.digest } : {}),
      ecr: { accountId: this.accountId, region: this.region, pullThroughCache: true },
    };
  }

  /**
   * Scalr's golden runner image (`scalr/runner`) through the mirror, as one reference for
   * `settings.containerTask.image` (runtimes whose nodes pull it with their AWS role: the
   * Kubernetes drivers on EKS).
   */
  public runnerImage(tag: string, digest?: string): string {
    return `${this.registry}/${this.repositoryOf(RUNNER_REPOSITORY)}:${tag}${digest !== undefined ? `@${digest}` : ""}`;
  }

  /**
   * IAM statements that let a role pull `dockerHubRepository` through the mirror, the first pull
   * included: for roles the kit does not manage, such as an EKS node role. Each runtime construct
   * grants its own role these statements for its `settings.image`.
   */
  public pullStatements(dockerHubRepository: string = DEFAULT_AGENT_REPOSITORY): EcrPullStatement[] {
    const ecr: ResolvedAgentImageEcr = { accountId: this.accountId, region: this.region, repository: this.repositoryOf(dockerHubRepository), pullThroughCache: true };
    return ecrPullStatements({ ecr }, this.partition.partition, "PullThroughMirror");
  }

  /** `pullStatements` as a policy document (JSON, Terraform references resolved at apply). */
  public pullPolicyDocument(...dockerHubRepositories: string[]): string {
    const repositories = dockerHubRepositories.length > 0 ? dockerHubRepositories : [DEFAULT_AGENT_REPOSITORY];
    // The authorization statement once, then the repository statements of each image.
    const [auth, ...first] = this.pullStatements(repositories[0]);
    const rest = repositories.slice(1).flatMap((r, i) => this.pullStatements(r).slice(1).map((s) => ({ ...s, Sid: `${s.Sid}${i + 2}` })));
    return terraformJson({ Version: "2012-10-17", Statement: [auth, ...first, ...rest] });
  }
}
