import { z } from "zod";
import { AWS_REGION, K8S_DNS_SUBDOMAIN, SECRETS_MANAGER_SECRET_ARN } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { describeValue, isToken, strictProps, tokenOr } from "../../core/validation";
import { describeReferenceValue } from "./token-source";

/** How a runtime authenticates to the registry it pulls the agent image from. */
export type ImagePullCredentialsKind = "aws-secrets-manager" | "kubernetes-secret";

/**
 * Credentials for pulling the agent image, as a reference (never the password itself). Each
 * runtime uses the kind it supports:
 * - ECS (Fargate, EC2): a Secrets Manager secret holding `{"username": …, "password": …}`, given to
 *   the container definition as `repositoryCredentials.credentialsParameter`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/private-auth.html);
 * - Kubernetes: an existing `kubernetes.io/dockerconfigjson` Secret in the release namespace, listed
 *   in the charts' `imagePullSecrets`
 *   (https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/).
 */
export class ImagePullCredentials {
  /** A Secrets Manager secret with the registry `username` and `password` (ECS `repositoryCredentials`). */
  public static fromAwsSecretsManager(secretArn: string): ImagePullCredentials {
    const issues = new IssueCollector({ subject: "ImagePullCredentials.fromAwsSecretsManager" });
    if (!isToken(secretArn) && (typeof secretArn !== "string" || !SECRETS_MANAGER_SECRET_ARN.test(secretArn))) {
      // A registry password given by mistake must not be echoed: only a value shaped like the reference is quoted.
      issues.addIssue({
        field: "secretArn",
        message: "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        received: describeReferenceValue(secretArn, (s) => s.startsWith("arn:"), (s) => (s.startsWith("arn:") ? [] : ["does not start with arn:"])),
      });
    }
    issues.throwIfAny();
    return new ImagePullCredentials("aws-secrets-manager", secretArn);
  }

  /** An existing image pull Secret (type `kubernetes.io/dockerconfigjson`) in the agent's namespace. */
  public static fromKubernetesSecret(name: string): ImagePullCredentials {
    const issues = new IssueCollector({ subject: "ImagePullCredentials.fromKubernetesSecret" });
    if (!isToken(name) && (typeof name !== "string" || name.length > 253 || !K8S_DNS_SUBDOMAIN.test(name))) {
      issues.addIssue({
        field: "name",
        message: "must be a Kubernetes object name (lowercase RFC 1123 subdomain, at most 253 characters)",
        received: describeReferenceValue(name, () => false),
      });
    }
    issues.throwIfAny();
    return new ImagePullCredentials("kubernetes-secret", name);
  }

  /** Which kind of reference this is. */
  public readonly kind: ImagePullCredentialsKind;
  /** The secret ARN (kind `aws-secrets-manager`) or the Secret name (kind `kubernetes-secret`). */
  public readonly reference: string;

  private constructor(kind: ImagePullCredentialsKind, reference: string) {
    this.kind = kind;
    this.reference = reference;
  }

  /** A description safe for logs and errors. */
  public toString(): string {
    return `ImagePullCredentials(${this.kind} ${describeValue(this.reference)})`;
  }

  /** Keeps the reference readable in JSON dumps of settings objects. */
  public toJSON(): string {
    return this.toString();
  }
}

/**
 * The agent image as parts. `settings.image` also takes the same image as one reference string
 * (`scalr/agent:1.4.0`, `registry.example.com/scalr/agent:1.4.0@sha256:…`); the object form is
 * needed for credentials.
 */
export interface AgentImage {
  /**
   * Registry host (with port), e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com` or `ghcr.io`.
   * @default - Docker Hub
   */
  readonly registry?: string;
  /** Repository in the registry. @default "scalr/agent" */
  readonly repository?: string;
  /** Tag. @default - the kit's pinned agent version when no `digest` is given, else none */
  readonly tag?: string;
  /**
   * Content digest, `sha256:` and 64 hex digits, as you copied it from the registry (the kit never
   * invents one). With a digest the runtime pulls exactly that image, whatever the tag points to now.
   * @default - none
   */
  readonly digest?: string;
  /** Pull credentials. @default - anonymous pulls */
  readonly credentials?: ImagePullCredentials;
  /**
   * The image is in an Amazon ECR private registry, pulled with the runtime's own AWS role (the ECS
   * task execution role, the VM instance role, the EKS node role) instead of `credentials`: the
   * kit grants the runtime's role exactly the pull actions on `repository`. `AgentImageMirror`
   * sets it; set it yourself for a private repository you fill. `registry` defaults to the
   * registry of `accountId` and `region`.
   * @default - derived from a literal ECR `registry` (`<account>.dkr.ecr.<region>.amazonaws.com`), as a plain repository
   */
  readonly ecr?: AgentImageEcr;
}

/** Where an agent image lives in Amazon ECR (see {@link AgentImage.ecr}). */
export interface AgentImageEcr {
  /** Account ID of the registry, 12 digits. */
  readonly accountId: string;
  /** Region of the registry, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * The repository is filled by an ECR pull-through cache rule: the first pull of an image imports
   * it from the upstream registry and creates the repository, so the puller also needs
   * `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository`
   * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
   * @default false
   */
  readonly pullThroughCache?: boolean;
}

/** {@link AgentImageEcr} of a resolved image, with the repository the runtime pulls. */
export interface ResolvedAgentImageEcr {
  readonly accountId: string;
  readonly region: string;
  /** Repository name in the registry, e.g. `docker-hub/scalr/agent`. */
  readonly repository: string;
  readonly pullThroughCache: boolean;
}

/** The kit's pinned agent version: the agent-helm charts' appVersion (Scalr/agent-helm charts/agent-k8s/Chart.yaml @ cf283e1). */
export const DEFAULT_AGENT_VERSION = "1.4.0";
/** The agent image the kit pins by default. */
export const DEFAULT_AGENT_IMAGE = `scalr/agent:${DEFAULT_AGENT_VERSION}`;
/** The agent's repository on Docker Hub (https://hub.docker.com/r/scalr/agent). */
export const DEFAULT_AGENT_REPOSITORY = "scalr/agent";

/** The agent image after validation: its parts, when known at synth time, and the one reference every runtime renders. */
export interface ResolvedAgentImage {
  /** The image reference as the runtime pulls it, e.g. `scalr/agent:1.4.0` (a Terraform reference when given as one). */
  readonly reference: string;
  /** Registry host; undefined for Docker Hub or when the reference is a Terraform reference. */
  readonly registry?: string;
  /** Repository; undefined when the reference is a Terraform reference. */
  readonly repository?: string;
  /** Tag, when the reference has one. */
  readonly tag?: string;
  /** Digest (`sha256:…`), when the reference has one. */
  readonly digest?: string;
  /** True when the image is pulled from Docker Hub (no registry, or `docker.io`); false when unknown at synth. */
  readonly dockerHub: boolean;
  /** Pull credentials, when given. */
  readonly credentials?: ImagePullCredentials;
  /** The ECR repository the runtime's AWS role pulls from, when the image is in ECR. */
  readonly ecr?: ResolvedAgentImageEcr;
}

// The reference grammar of the OCI distribution spec / Docker's `reference` package: an optional
// registry host (a first component with a '.' or ':' or `localhost`), a lowercase path, a tag and a
// digest (https://github.com/distribution/reference/blob/main/reference.go).
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const HOST = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
const TAG = "[\\w][\\w.-]{0,127}";
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const REGISTRY = new RegExp(`^${HOST}$`);
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const IMAGE_REFERENCE = new RegExp(`^(?:(${HOST})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(sha256:[a-f0-9]{64}))?$`);
const DOCKER_HUB_HOSTS = new Set(["docker.io", "index.docker.io", "registry-1.docker.io"]);
/**
 * An ECR private registry host: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html, "Private registry concepts";
 * FIPS endpoints: https://docs.aws.amazon.com/general/latest/gr/ecr.html).
 */
const ECR_REGISTRY = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const AWS_ACCOUNT_ID = /^\d{12}$/;

/** The account and region of a literal ECR private registry host, else undefined. */
export function ecrRegistryOf(registry: string | undefined): { accountId: string; region: string } | undefined {
  if (registry === undefined || isToken(registry)) return undefined;
  const m = ECR_REGISTRY.exec(registry);
  return m ? { accountId: m[1] as string, region: m[2] as string } : undefined;
}

/** The ECR private registry host of an account and region (China regions use `amazonaws.com.cn`). */
export function ecrRegistryHost(accountId: string, region: string): string {
  const suffix = !isToken(region) && region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${accountId}.dkr.ecr.${region}.${suffix}`;
}

/** Splits a literal reference into its parts; undefined when it is not a valid reference. */
export function parseImageReference(reference: string): Omit<ResolvedAgentImage, "credentials"> | undefined {
  const m = IMAGE_REFERENCE.exec(reference);
  if (!m) return undefined;
  let [, registry, repository] = m as unknown as [string, string | undefined, string];
  const tag = m[3];
  const digest = m[4];
  // Docker's rule: the first component is a registry only when it has a '.' or ':' or is `localhost`.
  if (registry !== undefined && !registry.includes(".") && !registry.includes(":") && registry !== "localhost") {
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  if (registry !== undefined && registry !== registry.toLowerCase() && !/[.:]/.test(registry)) return undefined;
  return compact({ reference, registry, repository, tag, digest, dockerHub: registry === undefined || DOCKER_HUB_HOSTS.has(registry) });
}

const IMAGE_REF_MESSAGE = "must be an image reference such as scalr/agent:1.4.0";

const imageReferenceSchema = tokenOr(z.string().refine((s) => IMAGE_REFERENCE.test(s), { error: IMAGE_REF_MESSAGE }));
const imagePartsSchema = strictProps({
  registry: tokenOr(z.string().regex(REGISTRY, { error: "must be a registry host with an optional port, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com" })).optional(),
  repository: tokenOr(z.string().regex(REPOSITORY, { error: "must be a lowercase repository path such as scalr/agent" })).optional(),
  tag: tokenOr(z.string().regex(TAG_RE, { error: "must be a tag: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'" })).optional(),
  digest: tokenOr(z.string().regex(SHA256_DIGEST, { error: "must be a digest copied from the registry: sha256: followed by 64 lowercase hex digits" })).optional(),
  // A refinement, not z.custom: a failed z.custom aborts the union, which would then report the
  // whole object instead of this field.
  credentials: z
    .unknown()
    .refine((v) => v instanceof ImagePullCredentials, {
      error: "must be ImagePullCredentials.fromAwsSecretsManager(arn) or ImagePullCredentials.fromKubernetesSecret(name)",
    })
    .transform((v) => v as ImagePullCredentials)
    .optional(),
  ecr: strictProps({
    accountId: tokenOr(z.string().regex(AWS_ACCOUNT_ID, { error: "must be an AWS account ID: 12 digits" })),
    region: tokenOr(z.string().regex(AWS_REGION, { error: "must be an AWS region such as eu-west-1" })),
    pullThroughCache: z.boolean().default(false),
  }).optional(),
}).superRefine((image, ctx) => {
  const ecr = image.ecr;
  if (ecr === undefined) return;
  // The runtime's AWS role pulls from ECR: registry credentials would be a second, conflicting way in.
  if (image.credentials !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["credentials"],
      input: image.credentials.toString(),
      message: "must be unset with `ecr`: the runtime pulls from ECR with its own AWS role (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-pull.html)",
    });
  }
  const given = image.registry;
  if (given === undefined || isToken(given)) return;
  // Compared only once the account and the region are valid themselves (their own rules report them).
  const valid = (v: unknown, re: RegExp) => typeof v === "string" && (isToken(v) || re.test(v));
  if (!valid(ecr.accountId, AWS_ACCOUNT_ID) || !valid(ecr.region, AWS_REGION)) return;
  const host = ecrRegistryOf(given);
  const mismatch =
    host === undefined ||
    (!isToken(ecr.accountId) && host.accountId !== ecr.accountId) ||
    (!isToken(ecr.region) && host.region !== ecr.region);
  if (mismatch) {
    ctx.addIssue({
      code: "custom",
      path: ["registry"],
      input: given,
      message: `must be the ECR registry of \`ecr\` (${ecrRegistryHost(ecr.accountId, ecr.region)}), or be left unset`,
    });
  }
});

/** zod schema of `settings.image`: a reference string or {@link AgentImage}. */
export const agentImageSchema = z.union([imageReferenceSchema, imagePartsSchema], {
  error: `${IMAGE_REF_MESSAGE}, or an AgentImage ({ registry?, repository?, tag?, digest?, credentials?, ecr? })`,
});

/** Resolves the parsed `settings.image` to {@link ResolvedAgentImage}. */
export function resolveAgentImage(image: z.output<typeof agentImageSchema>): ResolvedAgentImage {
  if (typeof image === "string") {
    if (isToken(image)) return { reference: image, dockerHub: false };
    return withEcr(parseImageReference(image) as ResolvedAgentImage);
  }
  const registry = image.registry ?? (image.ecr !== undefined ? ecrRegistryHost(image.ecr.accountId, image.ecr.region) : undefined);
  const repository = image.repository ?? DEFAULT_AGENT_REPOSITORY;
  const tag = image.tag ?? (image.digest === undefined ? DEFAULT_AGENT_VERSION : undefined);
  const reference = `${registry !== undefined ? `${registry}/` : ""}${repository}${tag !== undefined ? `:${tag}` : ""}${image.digest !== undefined ? `@${image.digest}` : ""}`;
  const registryKnown = registry === undefined || !isToken(registry);
  const resolved = compact({
    reference,
    registry,
    repository,
    tag,
    digest: image.digest,
    dockerHub: registryKnown && (registry === undefined || DOCKER_HUB_HOSTS.has(registry)),
    credentials: image.credentials,
  });
  if (image.ecr === undefined) return withEcr(resolved);
  const { accountId, region, pullThroughCache } = image.ecr;
  return { ...resolved, ecr: { accountId, region, repository, pullThroughCache } };
}

/** `image` with the ECR repository of its literal ECR registry host, when it has one (a repository you fill, not a cache). */
function withEcr(image: ResolvedAgentImage): ResolvedAgentImage {
  const host = ecrRegistryOf(image.registry);
  if (host === undefined || image.repository === undefined) return image;
  return { ...image, ecr: { ...host, repository: image.repository, pullThroughCache: false } };
}

/** `value` without its undefined fields, so resolved images compare and print cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
