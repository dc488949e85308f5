import { isToken } from "../../core/validation";

/** A provider network mirror as the charts' `providerNetworkMirrors` list holds it. */
export function mirror(m: { url: string; include?: string[] | undefined }): Record<string, unknown> {
  return m.include ? { url: m.url, include: m.include } : { url: m.url };
}

/** The Scalr URL without trailing slashes (a Terraform reference is kept as it is). */
export function stripSlash(url: string): string {
  return isToken(url) ? url : url.replace(/\/+$/, "");
}
