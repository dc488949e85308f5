import { z } from "zod";
import { DEFAULT_AGENT_IMAGE } from "../settings/agent-image";
import { AgentSettings, reservedEnvField, resolveAgentSettings, ResolvedAgentSettings } from "../settings/agent-settings";
import { renderAgentEnvironment } from "../settings/render-env";
import { proxyWithoutCredentials } from "../settings/proxy";
import {
  describeValue,
  fieldPath,
  isToken,
  KitValidationError,
  literalIntInRange,
  strictProps,
  ValidationContext,
  ValidationIssue,
} from "../../core/validation";
import { IssueCollector } from "../../core/issues";
import { AWS_ECR_CREDENTIAL_HELPER_PY, VM_DOCKER_CONFIG_DIR, VM_ECR_CREDENTIAL_HELPER, VM_ECR_CREDENTIAL_HELPER_NAME } from "./aws-ecr-credential-helper";
import { AWS_LIFECYCLE_HELPER_PY } from "./aws-lifecycle-helper";
import { AWS_LOGS_SHIPPER_PY, VM_LOGS_SHIPPER, VM_LOGS_STATE_DIR, VM_LOGS_UNIT } from "./aws-logs-shipper";
import { AWS_SECRET_FETCHER_PY } from "./aws-secret-fetcher";
import { LEGACY_PACKAGE_DEPRECATION_WARNING, legacyPackageEnvironment, legacyPackageUnverifiedWarning } from "./legacy-package";
import { CloudConfig, CloudConfigFile } from "./cloud-config";
import {
  renderDrainWatcherScript,
  renderFetchTokenScript,
  renderFirstBootScript,
  VM_AWS_FETCHER,
  VM_AGENT_NAME_ENV_FILE,
  VM_AWS_LIFECYCLE_HELPER,
  VM_DRAIN_WATCHER_SCRIPT,
  VM_FETCH_TOKEN_SCRIPT,
  VM_FIRST_BOOT_SCRIPT,
  VM_TOKEN_ENV_FILE,
} from "./scripts";
import { SystemdCommand, SystemdEntries, systemdEnvironment, SystemdUnit } from "./systemd-unit";
import { VM_OS_PROFILES, VM_OPERATING_SYSTEMS, VmOperatingSystem, VmOsProfile } from "./vm-os";
import { VmTokenFetch } from "./vm-token-fetch";

/**
 * How the agent is installed:
 * - `docker`: Docker plus the `scalr/agent` container under the kit's `scalr-agent.service`
 *   (Scalr deprecated its RPM/DEB packages on 2026-03-31);
 * - `package`: Scalr's legacy package and its `scalr-agent`/`scalr-docker` units, for existing fleets
 *   (deprecated by Scalr: the render returns a warning, and the agent's variables get the names the
 *   package's 0.x agent reads, see `agent/vm/legacy-package.ts`).
 */
export type VmInstallMode = "docker" | "package";

/** Options of {@link renderVmUserData}. */
export interface VmUserDataOptions {
  /** The VM's operating system (x86_64 or arm64: the document is the same for both). */
  readonly os: VmOperatingSystem;
  /** How the agent is installed. @default "docker" */
  readonly installMode?: VmInstallMode;
  /**
   * How the VM fetches the pool token before the agent starts.
   * @default - from the settings' `token`: a Secrets Manager secret is read with the instance role, a file is read in place
   */
  readonly tokenFetch?: VmTokenFetch;
  /**
   * Send the OS package manager (apt, dnf) through the agent's proxy too, so installing Docker
   * works on a network whose only way out is the proxy.
   * @default true (when the settings have a proxy)
   */
  readonly packageManagerProxy?: boolean;
  /**
   * Drain the agent before EC2 Auto Scaling terminates the instance: a watcher service reads the
   * target lifecycle state from IMDS, stops the agent (which drains), sends lifecycle heartbeats
   * and completes the termination lifecycle hook. The instance role needs
   * `autoscaling:RecordLifecycleActionHeartbeat` and `autoscaling:CompleteLifecycleAction` on the group.
   * @default - no drain watcher (VMs outside an Auto Scaling group)
   */
  readonly autoScalingDrain?: VmAutoScalingDrain;
  /**
   * Ship the journal of the kit's units (the agent and its token fetch, Docker, the drain watcher,
   * first boot) to a CloudWatch Logs group with the instance role (`scalr-agent-logs.service`, see
   * `aws-logs-shipper.ts`). The instance role needs `logs:CreateLogStream` and `logs:PutLogEvents`
   * on the group. EC2 only: the shipper reads the instance's ID and credentials from IMDS.
   * @default - logs stay in the journal
   */
  readonly logShipping?: VmLogShipping;
}

/** Where the journal of a VM's units goes. */
export interface VmLogShipping {
  /** The CloudWatch Logs group (a literal name: user data is rendered at synth time). */
  readonly logGroupName: string;
  /** Seconds between `PutLogEvents` calls. @default 5 */
  readonly flushSeconds?: number;
}

/** Where and how the drain watcher answers an EC2 Auto Scaling termination lifecycle hook. */
export interface VmAutoScalingDrain {
  /** The instance's Auto Scaling group (a literal name: user data is rendered at synth time). */
  readonly autoScalingGroupName: string;
  /** The group's termination lifecycle hook. */
  readonly lifecycleHookName: string;
  /** Seconds between reads of the target lifecycle state. @default 5 */
  readonly pollIntervalSeconds?: number;
  /** Seconds between lifecycle heartbeats while the agent drains; keep it well under the hook's heartbeat timeout. @default 60 */
  readonly heartbeatIntervalSeconds?: number;
}

/** The drain watcher's service. */
export const VM_DRAIN_UNIT = "scalr-agent-drain.service";

/** A script the user data installs, with its language (for linters). */
export interface VmScript {
  /** Path on the VM. */
  readonly path: string;
  /** `bash` or `python`. */
  readonly language: "bash" | "python";
  /** The script. */
  readonly content: string;
}

/** The rendered user data and its structured parts (for tests, reviews and constructs). */
export interface VmUserData {
  /** The validated settings with every default applied. */
  readonly settings: ResolvedAgentSettings;
  /** The operating system rendered for. */
  readonly os: VmOperatingSystem;
  /** The install mode rendered. */
  readonly installMode: VmInstallMode;
  /** How the token is fetched before the agent starts (a construct grants the instance read access to `secretId`). */
  readonly tokenFetch: VmTokenFetch;
  /** The log shipping, with defaults applied, and the units it ships, when rendered. */
  readonly logShipping?: Required<VmLogShipping> & { readonly units: readonly string[] };
  /** The Auto Scaling drain, with defaults applied, when rendered. */
  readonly autoScalingDrain?: Required<VmAutoScalingDrain>;
  /** The agent image (docker mode). */
  readonly image?: string;
  /**
   * The ECR registry the host's Docker logs in to with the instance role (docker mode, an image in
   * ECR): a credential helper fetches a token at every pull. The instance role needs the pull
   * permissions of `settings.image.ecr` (VmAgentFleet grants them).
   */
  readonly ecrLogin?: { readonly registry: string; readonly credentialHelper: string; readonly dockerConfig: string };
  /**
   * Whether the agent is named after its EC2 instance ID at every start (`SCALR_AGENT_NAME`): no
   * `settings.name`, Docker mode and the Secrets Manager token fetch. Scalr's agent list then names
   * the instance each agent runs on, which an autoscaler needs to protect busy instances.
   */
  readonly agentNamedAfterInstance: boolean;

  /**
   * Synth-time warnings (a construct turns each into an annotation): the deprecated package mode,
   * settings the package's agent may not read. Empty in Docker mode.
   */
  readonly warnings: readonly string[];
  /** The agent's environment file: path and variables (never the token). */
  readonly environmentFile: { readonly path: string; readonly variables: Readonly<Record<string, string>> };
  /** Every unit and drop-in the document writes. */
  readonly units: readonly SystemdUnit[];
  /** Drop-ins linked to another unit's file at first boot: `{ path, target }` (the proxy symlink of https://docs.scalr.io/docs/run-agents, "Adding a Proxy"). */
  readonly symlinks: readonly { readonly path: string; readonly target: string }[];
  /** Every script the document installs. */
  readonly scripts: readonly VmScript[];
  /** The cloud-config value object. */
  readonly cloudConfig: CloudConfig;
  /** `cloudConfig.render()`: the literal user data (base64-encode it for EC2 launch templates). */
  readonly document: string;
}

/** The agent's environment file on the VM (root-only, 0600). */
export const VM_ENV_FILE = "/etc/scalr-agent/agent.env";
/**
 * Addresses that always stay direct behind a proxy: loopback and the cloud metadata endpoints, which
 * hand out the instance's credentials and must never be sent to a proxy.
 */
export const VM_NO_PROXY_DEFAULTS: readonly string[] = [
  "localhost",
  "127.0.0.1",
  "::1",
  // Instance metadata over IPv4: AWS IMDS (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html),
  // Azure IMDS (https://learn.microsoft.com/en-us/azure/virtual-machines/instance-metadata-service),
  // and GCP (https://cloud.google.com/compute/docs/metadata/overview), all at the same address.
  "169.254.169.254",
  // AWS IMDS over IPv6 (Nitro instances in IPv6 subnets): https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
  "fd00:ec2::254",
  // ECS task metadata and task-role credentials endpoint (ECS on EC2 instances):
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
  "169.254.170.2",
  // GCP's metadata server by name: https://cloud.google.com/compute/docs/metadata/overview
  "metadata.google.internal",
];
/** Seconds systemd gives `docker stop` less than TimeoutStopSec, so Docker, not systemd, ends the container. */
const DOCKER_STOP_MARGIN_SECONDS = 5;

const optionsSchema = strictProps({
  os: z.enum(VM_OPERATING_SYSTEMS as [VmOperatingSystem, ...VmOperatingSystem[]]),
  installMode: z.enum(["docker", "package"]).default("docker"),
  tokenFetch: z.custom<VmTokenFetch>((v) => v instanceof VmTokenFetch, { error: "must be a VmTokenFetch (VmTokenFetch.awsSecretsManager(…), command(…), file(…))" }).optional(),
  packageManagerProxy: z.boolean().default(true),
  autoScalingDrain: strictProps({
    autoScalingGroupName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,254}$/, {
      error: "must be an Auto Scaling group name known at synth time (letters, digits, '_', '.', '/', '-')",
    }),
    lifecycleHookName: z.string().regex(/^[A-Za-z0-9_/-]{1,255}$/, { error: "must be a lifecycle hook name known at synth time (letters, digits, '_', '/', '-')" }),
    pollIntervalSeconds: literalIntInRange(1, 60).default(5),
    heartbeatIntervalSeconds: literalIntInRange(1, 3600).default(60),
  }).optional(),
  logShipping: strictProps({
    // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html: 1-512 of [\.\-_/#A-Za-z0-9]+
    logGroupName: z.string().regex(/^[A-Za-z0-9._/#-]{1,512}$/, { error: "must be a log group name known at synth time (1–512 letters, digits, '.', '-', '_', '/', '#')" }),
    flushSeconds: literalIntInRange(1, 60).default(5),
  }).optional(),
});

/**
 * Renders the cloud-init user data of a Scalr agent VM from one {@link AgentSettings}: for EC2 (the
 * `VmAgentFleet` construct calls it) and for VMs on any other cloud (GCP, Azure, vSphere), whose
 * tooling takes the same `#cloud-config`.
 *
 * The document is literal: it is rendered at synth time, and settings that are unresolved Terraform
 * references fail here with the field named, so reviewers, golden files and `cloud-init schema`
 * see exactly what the VM receives. The pool token is never in it: the VM fetches it before every
 * start of the agent (`options.tokenFetch`) into a root-only file on tmpfs.
 *
 * @param settings the agent (validated here; pass the same object a construct validated)
 * @param options OS, install mode, token fetch
 * @param ctx the subject (a construct path) and field prefix used in error messages
 */
export function renderVmUserData(
  settings: AgentSettings,
  options: VmUserDataOptions,
  ctx: ValidationContext = { subject: "renderVmUserData" },
): VmUserData {
  // Every problem of the settings and the options in one error: settings first, as before.
  const issues = new IssueCollector({ subject: ctx.subject });
  const resolved = issues.collect(() => resolveAgentSettings(settings, ctx));
  const opts = issues.parse(optionsSchema, options);
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const add = (field: string, message: string, received: unknown) => issues.addIssue({ field: `${prefix}${field}`, message, received: describeValue(received, field) });

  if (resolved) {
    collectTerraformReferences({ ...resolved, image: undefined }, "", (field, value) =>
      add(field, "must be known at synth time: VM user data is rendered into a literal document (no Terraform expressions)", value),
    );
    // The image as one field: its reference, registry and ECR location come from the same input.
    let imageReference: unknown;
    collectTerraformReferences({ ...resolved.image, credentials: undefined }, "", (_field, value) => (imageReference ??= value));
    if (imageReference !== undefined) {
      add(
        "image",
        "must be known at synth time: VM user data names the image literally (for AgentImageMirror, give its `accountId` and `region`)",
        resolved.image.reference,
      );
    }
    if (resolved.driver === "kubernetes") add("driver", 'must be "docker" or "local" on a VM', resolved.driver);
    // The host's Docker pulls the agent image. Decision (docs/vm.md, "The agent image"): no
    // `docker login` with a registry password from the VM; it would leave the password in
    // /root/.docker/config.json on every instance. An ECR image is pulled with the instance role
    // through a credential helper instead (no password anywhere).
    if (resolved.image.credentials !== undefined) {
      issues.addIssue({
        field: `${prefix}image.credentials`,
        message:
          "cannot be used on a VM: the host's Docker pulls the agent image without a registry password (the kit writes none to user data or disk); pull from Amazon ECR with the instance role instead (`settings.image: new AgentImageMirror(…).agentImage()`, or an image in an ECR repository you fill), use an image the instances can pull anonymously, or bake it into the machine image, and leave `credentials` unset",
        received: resolved.image.credentials.toString(),
      });
    }
    for (const key of ["http", "https"] as const) {
      const hidden = proxyWithoutCredentials(resolved.proxy?.[key]);
      if (hidden !== undefined) {
        issues.addIssue({
          field: `${prefix}proxy.${key}`,
          message:
            "must not hold credentials (user:password@) on a VM: the proxy URL is written into user data and into unit files any local user can read; let the proxy allow the instances by address instead",
          received: JSON.stringify(hidden),
        });
      }
    }
  }
  issues.rule(["installMode", "os"], () => {
    if (opts.installMode === "package" && !VM_OS_PROFILES[opts.os].legacyPackage) {
      issues.addIssue({
        field: "installMode",
        message: 'must be "docker" on this OS: Scalr published its (deprecated) package for rocky-9 and ubuntu-22.04 only',
        received: `"package" (os ${JSON.stringify(opts.os)})`,
      });
    }
  });
  issues.throwIfAny();
  const s = resolved as ResolvedAgentSettings;
  const os = VM_OS_PROFILES[opts.os];

  const tokenFetch = opts.tokenFetch ?? VmTokenFetch.fromAgentTokenSource(s.token, ctx);
  const warnings: string[] = [];
  let variables = vmEnvironment(s, os, ctx);
  if (opts.installMode === "package") {
    const legacy = legacyPackageEnvironment(variables);
    variables = legacy.variables;
    warnings.push(LEGACY_PACKAGE_DEPRECATION_WARNING);
    if (legacy.unverified.length > 0) warnings.push(legacyPackageUnverifiedWarning(legacy.unverified));
  }
  // In docker mode the agent is a container on Docker's bridge: its localhost is its own, and no
  // collector runs in it (docs/vm.md, "Agent metrics").
  const otlpHost = s.telemetry && !isToken(s.telemetry.otlpEndpoint) ? /^(?:https?:\/\/)?(\[[^\]]*\]|[^:]+):/.exec(s.telemetry.otlpEndpoint)?.[1] : undefined;
  if (opts.installMode === "docker" && otlpHost !== undefined && /^(localhost|127(?:\.\d+){3}|\[::1\])$/i.test(otlpHost)) {
    warnings.push(
      `\`settings.telemetry.otlpEndpoint\` ${JSON.stringify(s.telemetry?.otlpEndpoint)} is the agent container's own loopback on a VM, where no collector runs: the agent's metrics go nowhere; send them to a collector in the VPC (AgentCollectorService)`,
    );
  }
  const runAgent = s.poolKind === "run";
  const image = opts.installMode === "docker" ? agentImage(s) : undefined;
  // The agent's name (SCALR_AGENT_NAME): `settings.name` when set; else, on EC2 (the Secrets Manager
  // fetch reads the instance role from IMDS, so IMDS is there), the instance ID, read by the fetch at
  // every start; else the agent's default, the host name (other clouds; the legacy package, which
  // `scalr-agent configure` names once).
  const nameFromInstanceId = s.name === undefined && opts.installMode === "docker" && tokenFetch.kind === "aws-secrets-manager";

  // Docker mode fetches the token in the agent's own unit (ExecStartPre), at every start; legacy
  // mode needs it once, in a oneshot unit, before `scalr-agent configure`.
  // An ECR image: the host's Docker logs in with the instance role through the credential helper.
  const ecrLogin =
    opts.installMode === "docker" && s.image.ecr !== undefined && s.image.registry !== undefined
      ? { registry: s.image.registry, credentialHelper: VM_ECR_CREDENTIAL_HELPER, dockerConfig: VM_DOCKER_CONFIG_DIR }
      : undefined;
  const units: SystemdUnit[] =
    opts.installMode === "docker" ? [dockerAgentUnit(s, image as string, os, nameFromInstanceId, ecrLogin !== undefined)] : [tokenUnit(), legacyDropIn(s)];
  const symlinks: { path: string; target: string }[] = [];
  const drain = opts.autoScalingDrain;
  const proxyUnits = opts.installMode === "docker" ? ["docker.service"] : ["scalr-docker.service", "scalr-agent-token.service"];
  // The drain watcher calls the Auto Scaling API: through the proxy too.
  if (drain) proxyUnits.push(VM_DRAIN_UNIT);
  if (drain) units.push(drainUnit());
  // The journal of every unit the kit runs or starts, plus cloud-init's final stage, whose output
  // (first boot) cloud-init also writes to its stdout, the unit's journal.
  const shipping = opts.logShipping
    ? {
        ...opts.logShipping,
        units: [
          "cloud-final.service",
          ...(opts.installMode === "docker" ? ["docker.service", "scalr-agent.service"] : ["scalr-agent-token.service", "scalr-docker.service", "scalr-agent.service"]),
          ...(drain ? [VM_DRAIN_UNIT] : []),
        ],
      }
    : undefined;
  if (shipping) {
    units.push(logsUnit(shipping));
    proxyUnits.push(VM_LOGS_UNIT);
  }
  if (s.proxy) {
    const proxyUnit = proxyDropIn(variables);
    units.push(proxyUnit);
    for (const unit of proxyUnits) symlinks.push({ path: `/etc/systemd/system/${unit}.d/proxy.conf`, target: proxyUnit.path });
  }

  const scripts: VmScript[] = [{ path: VM_FETCH_TOKEN_SCRIPT, language: "bash", content: renderFetchTokenScript(tokenFetch, { agentNameFromInstanceId: nameFromInstanceId }) }];
  if (tokenFetch.kind === "aws-secrets-manager") scripts.push({ path: VM_AWS_FETCHER, language: "python", content: AWS_SECRET_FETCHER_PY });
  if (drain) {
    scripts.push({ path: VM_DRAIN_WATCHER_SCRIPT, language: "bash", content: renderDrainWatcherScript(drain) });
    scripts.push({ path: VM_AWS_LIFECYCLE_HELPER, language: "python", content: AWS_LIFECYCLE_HELPER_PY });
  }
  if (shipping) scripts.push({ path: VM_LOGS_SHIPPER, language: "python", content: AWS_LOGS_SHIPPER_PY });
  if (ecrLogin) scripts.push({ path: VM_ECR_CREDENTIAL_HELPER, language: "python", content: AWS_ECR_CREDENTIAL_HELPER_PY });
  const directories = runAgent && opts.installMode === "docker" ? uniq([s.dataDir, s.cacheDir].filter((d): d is string => d !== undefined)) : [];
  scripts.push({
    path: VM_FIRST_BOOT_SCRIPT,
    language: "bash",
    content: renderFirstBootScript({
      os,
      installMode: opts.installMode,
      ca: s.caBundle ? { pemWritten: s.caBundle.pem !== undefined, path: s.caBundle.path } : undefined,
      proxyEnv: s.proxy
        ? { http_proxy: variables.http_proxy as string, https_proxy: variables.https_proxy as string, no_proxy: variables.no_proxy as string }
        : undefined,
      proxyUnits: s.proxy ? proxyUnits : undefined,
      directories,
      aptPackageRepo: opts.installMode === "package" && os.family === "debian",
      configure: opts.installMode === "package" ? { url: s.scalrUrl.replace(/\/+$/, ""), agentName: s.name } : undefined,
      services: [...(drain ? [VM_DRAIN_UNIT] : []), ...(shipping ? [VM_LOGS_UNIT] : [])],
    }),
  });

  const files: CloudConfigFile[] = [];
  if (s.caBundle?.pem !== undefined) files.push({ path: os.caAnchor, permissions: "0644", content: ensureNewline(s.caBundle.pem) });
  files.push({ path: VM_ENV_FILE, permissions: "0600", content: renderEnvFile(variables, opts.installMode) });
  for (const unit of units) files.push({ path: unit.path, permissions: "0644", content: unit.render() });
  for (const script of scripts) files.push({ path: script.path, permissions: "0700", content: script.content });
  // Docker's client configuration for the agent's unit: which helper serves the registry
  // (https://docs.docker.com/reference/cli/docker/login/#configure-the-credential-store, `credHelpers`). No credential in it.
  if (ecrLogin) {
    files.push({
      path: `${VM_DOCKER_CONFIG_DIR}/config.json`,
      permissions: "0644",
      content: `${JSON.stringify({ credHelpers: { [ecrLogin.registry]: VM_ECR_CREDENTIAL_HELPER_NAME } }, null, 2)}\n`,
    });
  }

  const pmProxy = s.proxy && opts.packageManagerProxy ? { http: s.proxy.http ?? s.proxy.https, https: s.proxy.https ?? s.proxy.http } : undefined;
  if (pmProxy && os.family === "rhel") {
    // dnf.conf holds only [main]: an appended option lands there.
    files.push({ path: "/etc/dnf/dnf.conf", permissions: "0644", append: true, content: `proxy=${pmProxy.https}\n` });
  }

  const packages =
    opts.installMode === "docker" ? [...os.dockerPackages] : os.family === "rhel" ? ["scalr-agent"] : [];
  const cloudConfig = new CloudConfig({
    comment: [
      `Scalr ${s.poolKind} agent (${opts.installMode === "docker" ? `Docker, ${image}` : "legacy package"}) on ${opts.os}, rendered by cdktf-scalr-kit.`,
      `The pool token is not in this document: ${VM_FETCH_TOKEN_SCRIPT} fetches it before the agent starts into ${VM_TOKEN_ENV_FILE}.`,
    ].join("\n"),
    writeFiles: files,
    aptProxy: pmProxy && os.family === "debian" ? pmProxy : undefined,
    yumRepos:
      opts.installMode === "docker"
        ? os.dockerRepos
        : os.family === "rhel"
          ? { scalr: { name: "Scalr Agent", baseurl: "https://downloads.scalr.com/rpm", enabled: true, gpgcheck: true, gpgkey: "https://downloads.scalr.com/pgp-key.public" } }
          : {},
    packageUpdate: true,
    packages,
    runcmd: [[VM_FIRST_BOOT_SCRIPT]],
  });

  return {
    settings: s,
    os: opts.os,
    installMode: opts.installMode,
    tokenFetch,
    autoScalingDrain: drain,
    logShipping: shipping,
    image,
    ecrLogin,
    agentNamedAfterInstance: nameFromInstanceId,
    warnings,
    environmentFile: { path: VM_ENV_FILE, variables },
    units,
    symlinks,
    scripts,
    cloudConfig,
    document: cloudConfig.render(),
  };
}

/** Reports every unresolved Terraform reference in the settings (the token source is checked separately). */
function collectTerraformReferences(value: unknown, path: string, report: (field: string, value: unknown) => void): void {
  if (isToken(value)) {
    report(path, value);
    return;
  }
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => collectTerraformReferences(v, `${path}[${i}]`, report));
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return; // AgentTokenSource
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) collectTerraformReferences(v, path ? `${path}.${k}` : fieldPath([k]), report);
}

/** The agent's variables on a VM: the shared rendering plus what the VM runtime decides. */
function vmEnvironment(s: ResolvedAgentSettings, os: VmOsProfile, ctx: ValidationContext): Record<string, string> {
  const env: Record<string, string> = { ...renderAgentEnvironment(s, { noProxy: VM_NO_PROXY_DEFAULTS }).variables };
  if (s.poolKind === "run" && s.driver === undefined) env.SCALR_AGENT_DRIVER = "docker";
  if (s.caBundle) {
    // The OS bundle holds the public CAs plus the custom one (the agent needs both).
    env.SCALR_AGENT_CA_CERT = os.caBundle;
    env.SSL_CERT_FILE = os.caBundle;
  }
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (/[\n\r\0]/.test(value)) {
      const field = reservedEnvField(name) ?? `extraEnv.${name}`;
      issues.push({ field: ctx.fieldPrefix ? `${ctx.fieldPrefix}.${field}` : field, message: "must be a single line on a VM (environment files hold one variable per line)", received: describeValue(value, field) });
    }
  }
  if (issues.length > 0) throw new KitValidationError(ctx.subject, issues);
  return Object.fromEntries(Object.keys(env).sort().map((k) => [k, env[k] as string]));
}

/** The agent image; the default one is pulled through `containerTask.imageRegistry` when that is set. */
function agentImage(s: ResolvedAgentSettings): string {
  const registry = s.containerTask?.imageRegistry;
  const image = s.image.reference;
  if (image !== DEFAULT_AGENT_IMAGE || registry === undefined) return image;
  // Scalr's rule for task images: a trailing '/' keeps the repository (`mirror/proj/` + `scalr/agent`),
  // a path without it replaces the namespace (`mirror/proj` + `agent`); a bare host keeps it.
  if (registry.endsWith("/")) return `${registry}${image}`;
  if (registry.includes("/")) return `${registry}/${image.slice(image.indexOf("/") + 1)}`;
  return `${registry}/${image}`;
}

function tokenUnit(): SystemdUnit {
  return new SystemdUnit(
    "/etc/systemd/system/scalr-agent-token.service",
    {
      unit: [
        ["Description", "Fetch the Scalr agent pool token into /run/scalr-agent"],
        ["Wants", "network-online.target"],
        ["After", "network-online.target"],
        ["Before", "scalr-agent.service"],
      ],
      service: [
        ["Type", "oneshot"],
        ["RemainAfterExit", true],
        ["ExecStart", new SystemdCommand([VM_FETCH_TOKEN_SCRIPT])],
        // The fetcher retries for up to 10 minutes (the instance role and the network can be late).
        ["TimeoutStartSec", 900],
      ],
    },
    "Legacy mode: fetches the token for `scalr-agent configure` at first boot (/run is tmpfs, root-only).",
  );
}

function logsUnit(shipping: Required<VmLogShipping> & { readonly units: readonly string[] }): SystemdUnit {
  return new SystemdUnit(
    `/etc/systemd/system/${VM_LOGS_UNIT}`,
    {
      unit: [
        ["Description", "Ship the Scalr agent's journal to CloudWatch Logs"],
        ["Wants", "network-online.target"],
        ["After", "network-online.target"],
      ],
      service: [
        ["Type", "simple"],
        [
          "ExecStart",
          SystemdCommand.lines([
            [VM_LOGS_SHIPPER],
            ["--log-group", shipping.logGroupName],
            ["--cursor-file", `${VM_LOGS_STATE_DIR}/cursor`],
            ["--flush-seconds", String(shipping.flushSeconds)],
            ...shipping.units.map((u) => ["--unit", u]),
          ]),
        ],
        // /var/lib/scalr-agent-logs, root-only: the journal cursor survives restarts and reboots.
        ["StateDirectory", VM_LOGS_STATE_DIR.slice("/var/lib/".length)],
        ["StateDirectoryMode", "0700"],
        ["Restart", "always"],
        ["RestartSec", 10],
      ],
      install: [["WantedBy", "multi-user.target"]],
    },
    `Follows the journal of ${shipping.units.join(", ")}\nand sends it to the log group ${shipping.logGroupName}, one stream per instance and unit.`,
  );
}

function drainUnit(): SystemdUnit {
  return new SystemdUnit(
    `/etc/systemd/system/${VM_DRAIN_UNIT}`,
    {
      unit: [
        ["Description", "Drain the Scalr agent before EC2 Auto Scaling terminates this instance"],
        ["Wants", "network-online.target"],
        // Not ordered after the agent: the watcher must run even when the agent's start fails or waits.
        ["After", "network-online.target"],
      ],
      service: [
        ["Type", "simple"],
        ["ExecStart", new SystemdCommand([VM_DRAIN_WATCHER_SCRIPT])],
        // Exits 0 once the lifecycle action is completed; restarted only if it fails.
        ["Restart", "on-failure"],
        ["RestartSec", 10],
      ],
      install: [["WantedBy", "multi-user.target"]],
    },
    "Watches the Auto Scaling target lifecycle state; on Terminated it stops (drains) scalr-agent.service,\nsends lifecycle heartbeats meanwhile, then completes the termination lifecycle hook.",
  );
}

function dockerAgentUnit(s: ResolvedAgentSettings, image: string, os: VmOsProfile, nameFromInstanceId: boolean, ecrLogin: boolean): SystemdUnit {
  const grace = s.shutdown.gracePeriodSeconds;
  const stop = Math.max(1, grace - DOCKER_STOP_MARGIN_SECONDS);
  const run = s.poolKind === "run";
  const groups: string[][] = [
    ["/usr/bin/docker", "run", "--rm"],
    ["--name", "scalr-agent"],
    ["--hostname", "%H"],
    ["--env-file", VM_ENV_FILE],
    ["--env", "SCALR_AGENT_TOKEN"],
  ];
  // SCALR_AGENT_NAME=<instance id>, written by the fetch (agent-name.env); not in VM_ENV_FILE, as no name is set.
  if (nameFromInstanceId) groups.push(["--env", "SCALR_AGENT_NAME"]);
  const volume = (host: string, mode = "") => groups.push(["--volume", `${host}:${host}${mode}`]);
  if (run && (s.driver ?? "docker") === "docker") volume("/var/run/docker.sock");
  if (run) {
    // Same path inside and out: the docker driver mounts run directories into task containers by host path.
    volume(s.dataDir);
    if (s.cacheDir && !s.cacheDir.startsWith(`${s.dataDir}/`)) volume(s.cacheDir);
  }
  if (s.hooksDir) volume(s.hooksDir, ":ro");
  if (s.caBundle) volume(os.caBundle, ":ro");
  if (s.containerTask?.caBundle?.path) volume(s.containerTask.caBundle.path, ":ro");
  groups.push(["--stop-timeout", String(stop)], ["--log-opt", "max-size=50m"], ["--log-opt", "max-file=3"], [image, "run"]);

  const service: SystemdEntries = [
    // Written by the fetch below and read again before ExecStart ('-': it does not exist before the first fetch).
    ["EnvironmentFile", `-${VM_TOKEN_ENV_FILE}`],
    ...(nameFromInstanceId ? ([["EnvironmentFile", `-${VM_AGENT_NAME_ENV_FILE}`]] as SystemdEntries) : []),
    // `docker run` pulls the ECR image with the credential helper named in this configuration
    // (https://docs.docker.com/reference/cli/docker/#environment-variables, DOCKER_CONFIG).
    ...(ecrLogin ? ([["Environment", systemdEnvironment("DOCKER_CONFIG", VM_DOCKER_CONFIG_DIR)]] as SystemdEntries) : []),
    // At every start, so Restart=always also recovers from a failed fetch and picks up a rotated token.
    ["ExecStartPre", new SystemdCommand([VM_FETCH_TOKEN_SCRIPT])],
    ["ExecStartPre", new SystemdCommand(["/usr/bin/docker", "rm", "--force", "scalr-agent"], { ignoreFailure: true })],
    ["ExecStart", SystemdCommand.lines(groups)],
    ["ExecStop", new SystemdCommand(["/usr/bin/docker", "stop", "--time", String(stop), "scalr-agent"])],
    // The fetcher retries for up to 10 minutes (the instance role and the network can be late).
    ["TimeoutStartSec", 900],
    ["TimeoutStopSec", grace],
    ["Restart", "always"],
    ["RestartSec", 10],
  ];
  return new SystemdUnit(
    "/etc/systemd/system/scalr-agent.service",
    {
      unit: [
        ["Description", `Scalr agent (${image})`],
        ["Documentation", "https://docs.scalr.io/docs/self-hosted-agents-pools"],
        ["Wants", "network-online.target"],
        ["Requires", "docker.service"],
        ["After", "network-online.target docker.service"],
      ],
      service,
      install: [["WantedBy", "multi-user.target"]],
    },
    [
      `Stopping this unit drains: the agent's on-stop action is "${s.shutdown.mode}" (${VM_ENV_FILE}),`,
      `docker stop waits ${stop} s and systemd ${grace} s (shutdown.gracePeriodSeconds) before killing.`,
      "Ordered after docker.service, so at shutdown the agent stops (and drains) before Docker does.",
    ].join("\n"),
  );
}

function legacyDropIn(s: ResolvedAgentSettings): SystemdUnit {
  return new SystemdUnit(
    "/etc/systemd/system/scalr-agent.service.d/kit.conf",
    {
      service: [
        ["EnvironmentFile", VM_ENV_FILE],
        ["TimeoutStopSec", s.shutdown.gracePeriodSeconds],
      ],
    },
    `Settings for the packaged scalr-agent.service: its environment, and ${s.shutdown.gracePeriodSeconds} s to drain on stop.`,
  );
}

function proxyDropIn(env: Readonly<Record<string, string>>): SystemdUnit {
  const names = ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"];
  return new SystemdUnit(
    "/etc/systemd/system/scalr-agent.service.d/proxy.conf",
    { service: names.filter((n) => env[n] !== undefined).map((n) => ["Environment", systemdEnvironment(n, env[n] as string)] as const) },
    "Proxy for the agent and its token fetch (https://docs.scalr.io/docs/run-agents, Adding a Proxy); symlinked into the drop-ins of the other units that go out (Docker, the drain watcher).",
  );
}

function renderEnvFile(variables: Readonly<Record<string, string>>, mode: VmInstallMode): string {
  const header =
    mode === "docker"
      ? ["# Scalr agent environment, rendered by cdktf-scalr-kit from AgentSettings.", "# Read by `docker run --env-file`: NAME=value, the value taken literally."]
      : ["# Scalr agent environment, rendered by cdktf-scalr-kit from AgentSettings.", "# Read by systemd (EnvironmentFile=): NAME=\"value\"."];
  header.push(`# The pool token is not here: it is fetched before the agent starts into ${VM_TOKEN_ENV_FILE}.`);
  const lines = Object.entries(variables).map(([k, v]) => (mode === "docker" ? `${k}=${v}` : `${k}="${v.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`));
  return `${[...header, ...lines].join("\n")}\n`;
}

function ensureNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}

function uniq<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
