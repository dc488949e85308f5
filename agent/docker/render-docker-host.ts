import { stringify } from "yaml";
import { z } from "zod";
import { ABSOLUTE_PATH } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { ValidationContext, describeValue, strictProps } from "../../core/validation";
import { AgentSettings, ResolvedAgentSettings, resolveAgentSettings } from "../settings/agent-settings";
import { NO_PROXY_LOOPBACK } from "../settings/proxy";
import { AGENT_TOKEN_VARIABLE, renderAgentEnvironment } from "../settings/render-env";
import { checkSafePaths, reportTerraformReferences } from "./docker-common";
import { proxyWithoutCredentials } from "../settings/proxy";

/** Restart policy of the agent container (https://docs.docker.com/reference/compose-file/services/#restart). */
export type DockerRestartPolicy = "no" | "always" | "on-failure" | "unless-stopped";

/** What a Docker host adds to the settings. */
export interface DockerHostOptions {
  /** Compose service name and container name. @default "scalr-agent" */
  readonly containerName?: string;
  /** Path of the Docker daemon's socket on the host (run agents with the docker driver). @default "/var/run/docker.sock" */
  readonly dockerSocket?: string;
  /** Restart policy. @default "unless-stopped" */
  readonly restart?: DockerRestartPolicy;
}

/** The files for a Docker host, rendered from AgentSettings. None of them holds the token. */
export interface DockerHostFiles {
  /** The Compose document as an object (the same content as `composeYaml`). */
  readonly compose: Readonly<Record<string, unknown>>;
  /** `compose.yaml`: one service, the agent; its token comes from `tokenEnvFile`. */
  readonly composeYaml: string;
  /** The equivalent `docker run` arguments (after `docker`). */
  readonly dockerRunArgs: readonly string[];
  /** The equivalent command line, shell-quoted, one option per line. */
  readonly dockerRunCommand: string;
  /** `docker-run.sh`: a POSIX sh script that replaces any old agent container and runs `dockerRunCommand`. */
  readonly dockerRunScript: string;
  /** The env file on the host that holds `SCALR_AGENT_TOKEN=<token>` (from `settings.token`, `AgentTokenSource.fromFile`). */
  readonly tokenEnvFile: string;
  /** A template of that env file, without the token, to copy and fill in on the host. */
  readonly tokenEnvFileExample: string;
  /** The agent's plain variables (never the token). */
  readonly environment: Readonly<Record<string, string>>;
}

/** Compose service and container names: letters, digits, '.', '_', '-' (https://github.com/compose-spec/compose-spec/blob/main/schema/compose-spec.json, `services` pattern). */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/;

const optionsSchema = strictProps({
  containerName: z.string().regex(CONTAINER_NAME, { error: "must be 1–63 letters, digits, '.', '_' or '-', starting with a letter or digit" }).default("scalr-agent"),
  dockerSocket: z.string().regex(ABSOLUTE_PATH, { error: "must be an absolute path without whitespace" }).default("/var/run/docker.sock"),
  restart: z.enum(["no", "always", "on-failure", "unless-stopped"]).default("unless-stopped"),
}) satisfies z.ZodType<DockerHostOptions>;

/**
 * Addresses a proxy never sees on a Docker host: loopback and the cloud metadata endpoints (which
 * hand out the host's credentials when the host is a cloud VM): AWS IMDS
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html), Azure
 * (https://learn.microsoft.com/en-us/azure/virtual-machines/instance-metadata-service) and GCP
 * (https://cloud.google.com/compute/docs/metadata/overview) all answer at 169.254.169.254.
 */
export const DOCKER_HOST_NO_PROXY: readonly string[] = [...NO_PROXY_LOOPBACK, "169.254.169.254", "metadata.google.internal"];

/** Scalr's Docker installation guide, the source of the mounts and the `run` command below. */
const SCALR_DOCKER_INSTALL = "https://docs.scalr.io/docs/installation";

/**
 * Renders a Compose file and the equivalent `docker run` command line for a run or VCS agent on a
 * Docker host the kit does not manage (a bastion, an on-premises VM), from the same AgentSettings as
 * every other runtime.
 *
 * - Mounts as Scalr's Docker installation documents (https://docs.scalr.io/docs/installation,
 *   "Docker"): a run agent gets the Docker socket (docker driver) and its data directory, at the same
 *   path inside and out; a VCS agent gets neither ("provide only the Scalr agent token").
 * - The token only through an env file the Compose file references (`env_file`) and `docker run`
 *   reads (`--env-file`): `settings.token` must be `AgentTokenSource.fromFile(path)`, the path of
 *   that env file on the host, holding one line `SCALR_AGENT_TOKEN=<token>`. Scalr documents no
 *   file-based token setting of the agent (https://docs.scalr.io/docs/configuration lists
 *   `SCALR_AGENT_TOKEN` only), so the file is Docker's env-file format. The cloud token sources
 *   (Terraform, Secrets Manager, Kubernetes Secret) are rejected: nothing on a host the kit does not
 *   manage would fetch them.
 * - `stop_grace_period` (`--stop-timeout`) is `shutdown.gracePeriodSeconds`, the time between SIGTERM
 *   and SIGKILL every runtime gives the agent to drain.
 *
 * @param settings the agent (validated here)
 * @param options container name, socket path, restart policy
 * @param ctx the subject and field prefix used in error messages
 */
export function renderDockerHost(settings: AgentSettings, options: DockerHostOptions = {}, ctx: ValidationContext = { subject: "renderDockerHost" }): DockerHostFiles {
  const issues = new IssueCollector({ subject: ctx.subject });
  const resolved = issues.collect(() => resolveAgentSettings(settings, ctx));
  const opts = issues.parse(optionsSchema, options);
  if (!issues.has("dockerSocket")) checkSafePaths({ dockerSocket: opts.dockerSocket }, issues, "");
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const add = (field: string, message: string, received: string) => issues.addIssue({ field: `${prefix}${field}`, message, received });

  if (resolved) {
    reportTerraformReferences(resolved, "", (field, value) =>
      add(field, "must be known when the files are rendered: a Docker host's Compose file is a literal document (no Terraform expressions)", describeValue(value, field)),
    );
    if (resolved.token.kind !== "file") {
      add(
        "token",
        "must be AgentTokenSource.fromFile(path) on a Docker host the kit does not manage: the path of an env file on the host holding `SCALR_AGENT_TOKEN=<token>`, which Compose (`env_file`) and `docker run --env-file` read; nothing on such a host fetches a Terraform value, a Secrets Manager secret or a Kubernetes Secret",
        resolved.token.toString(),
      );
    }
    if (resolved.driver === "kubernetes") add("driver", 'must be "docker" or "local" on a Docker host', JSON.stringify(resolved.driver));
    if (resolved.image.credentials !== undefined) {
      add(
        "image.credentials",
        "cannot be used on a Docker host: its Docker daemon pulls the image with its own login (`docker login <registry>` on the host); leave `credentials` unset",
        resolved.image.credentials.toString(),
      );
    }
    checkSafePaths(
      {
        "token.path": resolved.token.path,
        dataDir: resolved.dataDir,
        cacheDir: resolved.cacheDir,
        hooksDir: resolved.hooksDir,
        "caBundle.path": resolved.caBundle?.path,
        "containerTask.caBundle.path": resolved.containerTask?.caBundle?.path,
      },
      issues,
      prefix,
    );
    for (const key of ["http", "https"] as const) {
      const hidden = proxyWithoutCredentials(resolved.proxy?.[key]);
      if (hidden !== undefined) {
        add(
          `proxy.${key}`,
          "must not hold credentials (user:password@) on a Docker host: the proxy URL is written into compose.yaml and the container's environment, which `docker inspect` shows to anyone with access to the Docker socket; let the proxy allow the host by address instead",
          JSON.stringify(hidden),
        );
      }
    }
  }
  issues.throwIfAny();
  const s = resolved as ResolvedAgentSettings;
  const o = opts as z.output<typeof optionsSchema>;
  return renderFiles(s, o);
}

function renderFiles(s: ResolvedAgentSettings, o: z.output<typeof optionsSchema>): DockerHostFiles {
  const run = s.poolKind === "run";
  const driver = run ? (s.driver ?? "docker") : undefined;
  const env: Record<string, string> = { ...renderAgentEnvironment(s, { noProxy: DOCKER_HOST_NO_PROXY }).variables };
  // Explicit, as on a VM: the agent would pick docker on a Docker backend anyway (https://docs.scalr.io/docs/drivers).
  if (driver !== undefined) env.SCALR_AGENT_DRIVER = driver;
  const environment = Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k] as string]));
  const tokenEnvFile = s.token.path as string;

  // Bind mounts at the same path inside and out: the docker driver starts task containers through
  // the host's daemon and mounts run directories into them by host path (https://docs.scalr.io/docs/installation).
  const volumes: { type: "bind"; source: string; target: string; read_only?: true }[] = [];
  const bind = (source: string, target = source, readOnly = false) => {
    if (!volumes.some((v) => v.target === target)) volumes.push({ type: "bind", source, target, ...(readOnly ? { read_only: true as const } : {}) });
  };
  // The socket goes where the agent looks for the daemon, whatever its path on the host.
  if (driver === "docker") bind(o.dockerSocket, "/var/run/docker.sock");
  if (run) {
    bind(s.dataDir);
    if (s.cacheDir && !s.cacheDir.startsWith(`${s.dataDir}/`)) bind(s.cacheDir);
  }
  if (s.hooksDir) bind(s.hooksDir, s.hooksDir, true);
  if (s.caBundle?.path) bind(s.caBundle.path, s.caBundle.path, true);
  if (s.containerTask?.caBundle?.path) bind(s.containerTask.caBundle.path, s.containerTask.caBundle.path, true);

  const grace = s.shutdown.gracePeriodSeconds;
  const service: Record<string, unknown> = {
    image: s.image.reference,
    container_name: o.containerName,
    command: ["run"],
    // The image is pinned, so a pull at every start buys nothing and would make starts depend on the registry.
    pull_policy: "missing",
    restart: o.restart,
    env_file: [tokenEnvFile],
    // Compose interpolates `$` in values; `$$` is a literal `$` (https://docs.docker.com/reference/compose-file/interpolation/).
    environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v.replace(/\$/g, "$$$$")])),
    ...(volumes.length > 0 ? { volumes } : {}),
    // SIGTERM, then SIGKILL after the grace period: the agent's drain and grace timeouts fit inside it.
    stop_grace_period: `${grace}s`,
    logging: { driver: "json-file", options: { "max-size": "50m", "max-file": "3" } },
  };
  const compose = { services: { [o.containerName]: service } };
  const header = [
    `# Scalr ${s.poolKind} agent on a Docker host, rendered by cdktf-scalr-kit from AgentSettings.`,
    `# Mounts and command as in Scalr's Docker installation guide: ${SCALR_DOCKER_INSTALL}`,
    `# The pool token is not here: create ${tokenEnvFile} (mode 0600) from agent.env.example.`,
    `# Start: docker compose up -d    Stop: docker compose stop (shutdown mode "${s.shutdown.mode}", SIGKILL after ${grace} s)`,
  ];
  const composeYaml = `${header.join("\n")}\n${stringify(compose, { lineWidth: 0 })}`;

  const args: string[][] = [
    ["run", "--detach"],
    ["--name", o.containerName],
    ["--restart", o.restart],
    ["--env-file", tokenEnvFile],
    ...Object.entries(environment).map(([k, v]) => ["--env", `${k}=${v}`]),
    ...volumes.map((v) => ["--mount", `type=bind,source=${v.source},target=${v.target}${v.read_only ? ",readonly" : ""}`]),
    ["--stop-timeout", String(grace)],
    ["--log-opt", "max-size=50m"],
    ["--log-opt", "max-file=3"],
    [s.image.reference, "run"],
  ];
  const dockerRunArgs = args.flat();
  const dockerRunCommand = `docker ${args.map((g) => g.map(shellQuote).join(" ")).join(" \\\n  ")}\n`;

  const dockerRunScript = [
    "#!/bin/sh",
    `# Scalr ${s.poolKind} agent on a Docker host, rendered by cdktf-scalr-kit from AgentSettings (the same agent as compose.yaml).`,
    `# The pool token is read from ${tokenEnvFile}; stop with: docker stop ${o.containerName} (shutdown mode "${s.shutdown.mode}", SIGKILL after ${grace} s).`,
    "set -eu",
    `docker rm --force ${shellQuote(o.containerName)} >/dev/null 2>&1 || true`,
    `exec ${dockerRunCommand}`,
  ].join("\n");

  const tokenEnvFileExample = [
    "# The Scalr agent pool token, read by Docker (compose.yaml `env_file`, `docker run --env-file`).",
    `# Copy to ${tokenEnvFile}, make it readable by root only (chmod 0600), and put the token after '='.`,
    "# One line, no quotes, no spaces: Docker takes the value literally.",
    `${AGENT_TOKEN_VARIABLE}=`,
    "",
  ].join("\n");

  return { compose, composeYaml, dockerRunArgs, dockerRunCommand, dockerRunScript, tokenEnvFile, tokenEnvFileExample, environment };
}

/** POSIX shell quoting: plain words as they are, anything else in single quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
