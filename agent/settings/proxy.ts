import { AgentProxy } from "./agent-settings";

/** The proxy as every runtime renders it: both schemes filled in, and the direct list joined. */
export interface RenderedProxy {
  /** Proxy for `http://` traffic (the `https` proxy when only that was given). */
  readonly http: string;
  /** Proxy for `https://` traffic (the `http` proxy when only that was given). */
  readonly https: string;
  /** The runtime's must-bypass endpoints, then the user's entries, without duplicates, comma-joined. */
  readonly noProxy: string;
}

/** Loopback: every runtime keeps it direct. */
export const NO_PROXY_LOOPBACK: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/**
 * The one proxy renderer of the kit. `mustBypass` is the runtime's own list of endpoints that a
 * proxy must never see (instance or task metadata, which hands out credentials; in-cluster
 * addresses); the user's `noProxy` entries follow.
 */
export function renderProxy(proxy: AgentProxy | undefined, mustBypass: readonly string[]): RenderedProxy | undefined {
  if (!proxy) return undefined;
  const http = (proxy.http ?? proxy.https) as string;
  const https = (proxy.https ?? proxy.http) as string;
  const noProxy = [...new Set([...mustBypass, ...(proxy.noProxy ?? [])])].join(",");
  return { http, https, noProxy };
}

/**
 * The proxy as environment variables, in upper and lower case: Go tools read both, curl and git
 * only the lower-case `http_proxy` (https://everything.curl.dev/usingcurl/proxies/env.html).
 */
export function proxyVariables(proxy: RenderedProxy): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of [
    ["HTTP_PROXY", proxy.http],
    ["HTTPS_PROXY", proxy.https],
    ["NO_PROXY", proxy.noProxy],
  ] as const) {
    if (value === "") continue;
    vars[name] = value;
    vars[name.toLowerCase()] = value;
  }
  return vars;
}

/** The proxy URL with its credentials replaced by `***` when it has any (never echoed), else undefined. */
export function proxyWithoutCredentials(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not a URL: the settings' own check reports it
  }
  if (parsed.username === "" && parsed.password === "") return undefined;
  return `${parsed.protocol}//***@${parsed.host}`;
}
