/**
 * What the kit knows about Scalr's legacy RPM/Debian agent package (`installMode: "package"`): its
 * deprecation, and the environment variable names its agent reads.
 */

/** Scalr's migration guide from the Linux packages to the Docker install. */
export const LEGACY_PACKAGE_MIGRATION_GUIDE = "https://docs.scalr.io/docs/installation#linux-packages-deprecation";

/**
 * The synth-time warning for the package mode. Source of the date: "RPM and Debian Linux package
 * support has been deprecated as of March 31, 2026" (https://docs.scalr.io/docs/agent-pools), which
 * links the migration guide above.
 */
export const LEGACY_PACKAGE_DEPRECATION_WARNING =
  '`installMode` "package" installs Scalr\'s RPM/Debian agent package, deprecated since 2026-03-31 (https://docs.scalr.io/docs/agent-pools): ' +
  `it gets no new agent versions; move the fleet to the default install mode ("docker") following ${LEGACY_PACKAGE_MIGRATION_GUIDE}`;

/**
 * The names the package's agent reads, for the names the kit renders for agent 1.x.
 *
 * The packages shipped the 0.x agent (the apt index https://downloads.scalr.com/apt/dists/stable/main/binary-amd64/Packages
 * lists `scalr-agent` 0.x versions such as 0.51.0; which version was the last is unverified), from
 * before Scalr renamed the agent's variables to the `SCALR_AGENT_` prefix. The names below are the ones Scalr's own charts set for that agent
 * generation: Scalr/agent-helm @ 4c6ce22 (appVersion 0.52.3, the last commit before fdac67a "Use
 * the newer SCALR_AGENT prefix for environment variables"):
 * - charts/agent-k8s/templates/controller.yaml and worker.yaml @ 4c6ce22: `SCALR_TOKEN`,
 *   `SCALR_DATA_HOME`, `SCALR_DEBUG`, `SCALR_LOG_FORMAT`, `SCALR_DISCONNECT_ON_STOP`,
 *   `SCALR_WORKER_ON_STOP_ACTION`, `SCALR_WORKER_DRAIN_TIMEOUT`, `SCALR_WORKER_GRACE_SHUTDOWN_TIMEOUT`,
 *   `SCALR_CA_CERT`, `SCALR_CONTAINER_TASK_{CPU,MEM}_{REQUEST,LIMIT}`,
 *   `SCALR_CONTAINER_TASK_{SCHEDULING,ACQUIRE}_TIMEOUT`, `SCALR_CONTAINER_TASK_CA_CERT`,
 *   `SCALR_CONTAINER_TASK_IMAGE_REGISTRY`, and already `SCALR_AGENT_NAME`;
 * - charts/agent-local/templates/deployment.yaml @ 4c6ce22: `SCALR_DRIVER`, and already
 *   `SCALR_AGENT_CONCURRENCY`;
 * - `SCALR_SINGLE`: Scalr/terraform-scalr-serverless aws/modules/ecs/main.tf @ c95c10a6.
 * `SCALR_URL` kept its name throughout. Scalr's configuration page documents only the current names
 * (https://docs.scalr.io/docs/configuration); no package option table could be read here.
 */
export const LEGACY_PACKAGE_VARIABLE_NAMES: Readonly<Record<string, string>> = {
  SCALR_URL: "SCALR_URL",
  SCALR_AGENT_NAME: "SCALR_AGENT_NAME",
  SCALR_AGENT_CONCURRENCY: "SCALR_AGENT_CONCURRENCY",
  SCALR_AGENT_DRIVER: "SCALR_DRIVER",
  SCALR_AGENT_SINGLE: "SCALR_SINGLE",
  SCALR_AGENT_DATA_DIR: "SCALR_DATA_HOME",
  SCALR_AGENT_DEBUG: "SCALR_DEBUG",
  SCALR_AGENT_LOG_FORMAT: "SCALR_LOG_FORMAT",
  SCALR_AGENT_DISCONNECT_ON_STOP: "SCALR_DISCONNECT_ON_STOP",
  SCALR_AGENT_WORKER_ON_STOP_ACTION: "SCALR_WORKER_ON_STOP_ACTION",
  SCALR_AGENT_WORKER_DRAIN_TIMEOUT: "SCALR_WORKER_DRAIN_TIMEOUT",
  SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT: "SCALR_WORKER_GRACE_SHUTDOWN_TIMEOUT",
  SCALR_AGENT_CA_CERT: "SCALR_CA_CERT",
  SCALR_AGENT_CONTAINER_TASK_CPU_REQUEST: "SCALR_CONTAINER_TASK_CPU_REQUEST",
  SCALR_AGENT_CONTAINER_TASK_CPU_LIMIT: "SCALR_CONTAINER_TASK_CPU_LIMIT",
  SCALR_AGENT_CONTAINER_TASK_MEM_REQUEST: "SCALR_CONTAINER_TASK_MEM_REQUEST",
  SCALR_AGENT_CONTAINER_TASK_MEM_LIMIT: "SCALR_CONTAINER_TASK_MEM_LIMIT",
  SCALR_AGENT_CONTAINER_TASK_SCHEDULING_TIMEOUT: "SCALR_CONTAINER_TASK_SCHEDULING_TIMEOUT",
  SCALR_AGENT_CONTAINER_TASK_ACQUIRE_TIMEOUT: "SCALR_CONTAINER_TASK_ACQUIRE_TIMEOUT",
  SCALR_AGENT_CONTAINER_TASK_CA_CERT: "SCALR_CONTAINER_TASK_CA_CERT",
  SCALR_AGENT_CONTAINER_TASK_IMAGE_REGISTRY: "SCALR_CONTAINER_TASK_IMAGE_REGISTRY",
};

/**
 * Agent variables the kit renders whose package-era name could not be verified: they are written
 * under their current names, and the package mode warns that the agent may ignore them.
 * Unverified: https://docs.scalr.io/docs/configuration lists only the current names, and no chart
 * of the 0.x generation set these.
 */
export const LEGACY_PACKAGE_UNVERIFIED_VARIABLES: readonly string[] = [
  "SCALR_AGENT_CACHE_DIR",
  "SCALR_AGENT_HOOKS_DIR",
  "SCALR_AGENT_CONTAINER_TASK_IMAGE_MODE",
  "SCALR_AGENT_CONTAINER_TASK_IMAGE",
  "SCALR_AGENT_PROVIDER_NETWORK_MIRRORS",
  "SCALR_AGENT_PROVIDER_CACHE_ENABLED",
  "SCALR_AGENT_PROVIDER_CACHE_SIZE_LIMIT_MB",
  "SCALR_AGENT_MODULE_CACHE_ENABLED",
  "SCALR_AGENT_MODULE_CACHE_SIZE_LIMIT_MB",
  "SCALR_AGENT_BINARY_CACHE_SIZE_LIMIT_MB",
];

/** The package mode's view of the agent's environment: renamed, and the names it could not verify. */
export function legacyPackageEnvironment(variables: Readonly<Record<string, string>>): { variables: Record<string, string>; unverified: string[] } {
  const renamed: Record<string, string> = {};
  const unverified: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    const legacy = LEGACY_PACKAGE_VARIABLE_NAMES[name];
    if (LEGACY_PACKAGE_UNVERIFIED_VARIABLES.includes(name)) unverified.push(name);
    renamed[legacy ?? name] = value;
  }
  const sorted = Object.fromEntries(Object.keys(renamed).sort().map((k) => [k, renamed[k] as string]));
  return { variables: sorted, unverified: unverified.sort() };
}

/** The warning for variables {@link legacyPackageEnvironment} could not verify. */
export function legacyPackageUnverifiedWarning(names: readonly string[]): string {
  return (
    `\`installMode\` "package": the package's agent may not read ${names.join(", ")} ` +
    "(no package-era name for them could be verified; they are written under their current names); check on one instance, or use the default install mode"
  );
}
