import { IssueCollector } from "../../core/issues";
import { describeValue, fieldPath, isToken } from "../../core/validation";
import { ResolvedAgentSettings } from "../settings/agent-settings";

/**
 * Reports every unresolved Terraform reference in the resolved settings: the Docker renderers write
 * literal files for a host (or a build) outside Terraform, so every value must be known when they run.
 */
export function reportTerraformReferences(value: unknown, path: string, report: (field: string, value: unknown) => void): void {
  if (isToken(value)) {
    report(path, value);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => reportTerraformReferences(v, `${path}[${i}]`, report));
    return;
  }
  // Only plain objects: AgentTokenSource and ImagePullCredentials are references, checked on their own.
  if (Object.getPrototypeOf(value) !== Object.prototype) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) reportTerraformReferences(v, path ? `${path}.${k}` : fieldPath([k]), report);
}

/** A fully qualified reference (`docker.io/scalr/agent:1.4.0` for Docker Hub), as OCI's `base.name` asks. */
export function qualifiedReference(s: ResolvedAgentSettings): string {
  const ref = s.image.reference;
  return s.image.registry === undefined ? `docker.io/${ref}` : ref;
}

/**
 * Paths the Docker files write into Compose values, `--mount` options and Dockerfile instructions:
 * letters, digits and `._@+-/` only, so Compose's `$` interpolation, the `--mount` option's commas
 * and the Dockerfile's `$` substitution and quoting never change them.
 */
export const DOCKER_SAFE_PATH = /^\/[A-Za-z0-9._@+/-]*$/;

/** Reports each given path that is not a {@link DOCKER_SAFE_PATH}. */
export function checkSafePaths(paths: Readonly<Record<string, string | undefined>>, issues: IssueCollector, prefix: string): void {
  for (const [field, path] of Object.entries(paths)) {
    if (path === undefined || isToken(path) || DOCKER_SAFE_PATH.test(path)) continue;
    issues.addIssue({
      field: `${prefix}${field}`,
      message: "must be an absolute path of letters, digits and '._@+-/' here (Compose interpolates '$', `--mount` splits at ',')",
      received: describeValue(path, field),
    });
  }
}
