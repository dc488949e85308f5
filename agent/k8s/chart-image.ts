import { ResolvedAgentImage } from "../settings/agent-image";
import { isToken } from "../../core/validation";

/** The charts' image values: `repository` + `tag`, rendered as `repository:tag`. */
export interface ImageParts {
  readonly repository: string;
  readonly tag: string;
}

/**
 * The image values of `image` (`settings.image` resolved, or an image reference string). Every chart
 * renders `repository:tag` (Scalr/agent-helm charts/agent-local/templates/deployment.yaml,
 * charts/agent-k8s/templates/worker.yaml, charts/agent-job/templates/_helpers.tpl `agent-job.image`
 * @ cf283e1): a digest rides in the tag (`1.4.0@sha256:…`), and needs a tag in front of it, or the
 * image becomes `repository:@sha256:…` (reported to `fail`).
 */
export function chartImage(image: ResolvedAgentImage | string, field: string, fail: (field: string, message: string, received: unknown) => void): ImageParts {
  const parts = typeof image === "string" ? splitImage(image) : resolvedParts(image);
  if (parts.tag.startsWith("@")) {
    const reference = typeof image === "string" ? image : image.reference;
    fail(field, `must give a tag with the digest, e.g. ${parts.repository}:1.4.0${parts.tag} (the charts render \`repository:tag\`, so a digest alone becomes \`${parts.repository}:${parts.tag}\`)`, reference);
  }
  return parts;
}

function resolvedParts(image: ResolvedAgentImage): ImageParts {
  if (image.repository === undefined) return splitImage(image.reference);
  const repository = image.registry !== undefined ? `${image.registry}/${image.repository}` : image.repository;
  return { repository, tag: `${image.tag ?? ""}${image.digest !== undefined ? `@${image.digest}` : ""}` };
}

/** `registry/scalr/agent:1.4.0` → repository + tag (a digest stays in the tag: `1.4.0@sha256:…`). */
function splitImage(image: string): ImageParts {
  if (isToken(image)) return { repository: image, tag: "" };
  const at = image.indexOf("@");
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : "";
  const colon = name.lastIndexOf(":");
  const hasTag = colon > name.lastIndexOf("/");
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : "";
  return { repository, tag: `${tag}${digest}` };
}
