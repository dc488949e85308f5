import { ResolvedAgentImage, ResolvedAgentImageEcr } from "../../agent/settings/agent-image";

/** One statement of an IAM policy document, as the kit writes them. */
export interface EcrPullStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
}

/** The ARN of an ECR repository (`arn:<partition>:ecr:<region>:<account>:repository/<name>`). */
export function ecrRepositoryArn(ecr: Pick<ResolvedAgentImageEcr, "accountId" | "region" | "repository">, partition: string): string {
  return `arn:${partition}:ecr:${ecr.region}:${ecr.accountId}:repository/${ecr.repository}`;
}

/**
 * The IAM statements a role needs to pull `image` from ECR with its own credentials, or none when
 * the image is not in ECR:
 * - `ecr:GetAuthorizationToken`, on `*`: the token covers every registry the role may read, and
 *   the Service Authorization Reference lists no resource type for it
 *   (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html);
 * - `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` on the image's repository: the manifest and
 *   the layers (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-pull.html);
 * - through a pull-through cache, also `ecr:BatchImportUpstreamImage` ("retrieve the external image
 *   and import it to your private registry") and `ecr:CreateRepository` ("required if the repository
 *   storing the cached images doesn't already exist"), scoped to the same repository: the first pull
 *   of an image creates the repository and imports it
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
 *
 * @param sid the Sid of the repository statement (`PullAgentImage`); the import statement adds `ThroughCache`
 */
export function ecrPullStatements(image: Pick<ResolvedAgentImage, "ecr"> | undefined, partition: string, sid = "PullAgentImage"): EcrPullStatement[] {
  const ecr = image?.ecr;
  if (ecr === undefined) return [];
  const repository = ecrRepositoryArn(ecr, partition);
  return [
    { Sid: "EcrAuthorization", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    { Sid: sid, Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: [repository] },
    ...(ecr.pullThroughCache
      ? [{ Sid: `${sid}ThroughCache`, Effect: "Allow" as const, Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"], Resource: [repository] }]
      : []),
  ];
}
