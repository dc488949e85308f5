import { isToken } from "../../core/validation";

/** The charts' image values: `repository` + `tag`, rendered as `repository:tag`. */
export interface ImageParts {
  readonly repository: string;
  readonly tag: string;
}

/**
 * The image values of `image`. The charts render `repository:tag`: a digest needs a tag in front of
 * it, or the image becomes `repository:@sha256:…` (reported to `fail`).
 */
export function chartImage(image: string, field: string, fail: (field: string, message: string, received: unknown) => void): ImageParts {
  const parts = splitImage(image);
  if (parts.tag.startsWith("@")) {
    fail(field, `must give a tag with the digest, e.g. ${parts.repository}:1.4.0${parts.tag} (the charts render \`repository:tag\`, so a digest alone becomes \`${parts.repository}:${parts.tag}\`)`, image);
  }
  return parts;
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
