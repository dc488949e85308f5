import { VM_LOG_EVENTS } from "./log-events";
import { VmOsProfile } from "./vm-os";
import { VmTokenFetch } from "./vm-token-fetch";

/** Where the kit's VM scripts live. */
export const VM_LIBEXEC_DIR = "/usr/local/libexec/scalr-agent";
/** tmpfs directory (root-only) holding the token fetched at every agent start. */
export const VM_RUN_DIR = "/run/scalr-agent";
/** The raw token, fetched at every agent start (0600, tmpfs). */
export const VM_TOKEN_FILE = `${VM_RUN_DIR}/token`;
/** `SCALR_AGENT_TOKEN=<token>` for systemd's `EnvironmentFile=` (0600, tmpfs). */
export const VM_TOKEN_ENV_FILE = `${VM_RUN_DIR}/token.env`;
/**
 * `SCALR_AGENT_NAME=<instance id>` for systemd's `EnvironmentFile=` (0600, tmpfs), written by the
 * fetch on EC2 when the settings give no name: see {@link FetchTokenOptions.agentNameFromInstanceId}.
 */
export const VM_AGENT_NAME_ENV_FILE = `${VM_RUN_DIR}/agent-name.env`;
/** The Secrets Manager fetcher (Python 3, standard library only). */
export const VM_AWS_FETCHER = `${VM_LIBEXEC_DIR}/aws-secretsmanager-token`;
/** The token fetch script: `ExecStartPre=` of the Docker-mode agent, `scalr-agent-token.service` in legacy mode. */
export const VM_FETCH_TOKEN_SCRIPT = `${VM_LIBEXEC_DIR}/fetch-token`;
/** The first-boot script run by cloud-init `runcmd`. */
export const VM_FIRST_BOOT_SCRIPT = `${VM_LIBEXEC_DIR}/first-boot`;
/** The drain watcher run by `scalr-agent-drain.service` (EC2 Auto Scaling). */
export const VM_DRAIN_WATCHER_SCRIPT = `${VM_LIBEXEC_DIR}/drain-watcher`;
/** The Auto Scaling lifecycle helper (Python 3, standard library only). */
export const VM_AWS_LIFECYCLE_HELPER = `${VM_LIBEXEC_DIR}/aws-autoscaling-lifecycle`;

/** Quotes a word for bash (single quotes). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function argv(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}

/** The command that prints the token, per fetch kind. */
function fetchCommand(fetch: VmTokenFetch): string {
  switch (fetch.kind) {
    case "aws-secrets-manager": {
      const words = [VM_AWS_FETCHER, "--secret-id", fetch.secretId as string];
      if (fetch.region) words.push("--region", fetch.region);
      if (fetch.jsonKey) words.push("--json-key", fetch.jsonKey);
      return `  ${argv(words)}`;
    }
    case "command":
      return (fetch.command as string)
        .split("\n")
        .map((l) => (l ? `  ${l}` : ""))
        .join("\n");
    case "file":
      return `  cat -- ${shellQuote(fetch.path as string)}`;
  }
}

/**
 * `fetch-token`: run before the agent starts — at every start of `scalr-agent.service` in Docker
 * mode (so a restart picks up a rotated token and retries a failed fetch), by
 * `scalr-agent-token.service` in legacy mode. Writes the token to {@link VM_TOKEN_FILE} and
 * {@link VM_TOKEN_ENV_FILE} atomically, root-only, on tmpfs. The token is checked to be one line of
 * token characters (so it cannot inject into the env file) and is never printed.
 */
export function renderFetchTokenScript(fetch: VmTokenFetch, options: FetchTokenOptions = {}): string {
  return `#!/bin/bash
# Fetches the Scalr agent pool token into ${VM_RUN_DIR} (tmpfs, root-only) before the agent starts:
# the token is never in user data or in the kit's files. Source: ${fetch.toString()}.
set -euo pipefail
umask 077

run_dir=${VM_RUN_DIR}

fetch() {
${fetchCommand(fetch)}
}

install -d -m 0700 "$run_dir"
# Failures are logged as \`${VM_LOG_EVENTS.tokenFetchFailed.line}\` lines: the fleet's log metric filter counts them.
if ! token="$(fetch)"; then
  echo "${VM_LOG_EVENTS.tokenFetchFailed.line} reason=source-failed: the token source failed" >&2
  exit 1
fi
# One line of token characters: anything else is an error, reported without the value.
if [[ ! "$token" =~ ^[A-Za-z0-9._~+/=-]+$ ]]; then
  echo "${VM_LOG_EVENTS.tokenFetchFailed.line} reason=malformed-value: the token source returned an empty or malformed value (${"$"}{#token} characters, value not shown)" >&2
  exit 1
fi
tmp="$(mktemp "$run_dir/.token.XXXXXX")"
tmp_env="$(mktemp "$run_dir/.token-env.XXXXXX")"
trap 'rm -f "$tmp" "$tmp_env"' EXIT
printf '%s' "$token" >"$tmp"
printf 'SCALR_AGENT_TOKEN=%s\\n' "$token" >"$tmp_env"
mv -f "$tmp" "$run_dir/token"
mv -f "$tmp_env" "$run_dir/token.env"
echo "${VM_LOG_EVENTS.tokenFetched.line}: token written to $run_dir (${"$"}{#token} characters)"
${options.agentNameFromInstanceId ? INSTANCE_ID_NAME_STEP : ""}`;
}

/** Options of {@link renderFetchTokenScript}. */
export interface FetchTokenOptions {
  /**
   * After the token, also read this instance's ID from IMDSv2 and write `SCALR_AGENT_NAME=<id>` to
   * {@link VM_AGENT_NAME_ENV_FILE} (EC2 only; the agent's name then identifies its instance, which
   * the autoscaler's scale-in protection relies on). A failed or malformed read fails the fetch,
   * so the agent never registers under a name that maps to no instance. @default false
   */
  readonly agentNameFromInstanceId?: boolean;
}

/**
 * The fetch's name step (EC2): `SCALR_AGENT_NAME` defaults to the host name
 * (https://docs.scalr.io/docs/configuration), which on EC2 is usually IP-based (`ip-10-0-1-2…`);
 * the instance ID from IMDSv2 (`meta-data/instance-id`:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html, retrieved
 * as https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html) names
 * the agent instead. IMDS is reached directly (`--noproxy '*'`), as the drain watcher does; the
 * value is checked to be an instance ID before it goes into the env file.
 */
const INSTANCE_ID_NAME_STEP = `
# The agent is named after this instance (SCALR_AGENT_NAME; default: the host name), so Scalr's
# agent list maps each agent to its instance (the autoscaler's scale-in protection relies on it).
# IMDSv2, always direct. AWS SDKs' variable: unset on the VM (clean unit environment); tests set it.
imds="${"$"}{AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"
instance_id() {
  local imds_token
  imds_token="$(curl -fs --noproxy '*' --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")" || return 1
  curl -fs --noproxy '*' --max-time 5 -H "X-aws-ec2-metadata-token: $imds_token" "$imds/latest/meta-data/instance-id"
}
id=""
for attempt in 1 2 3 4 5; do
  if id="$(instance_id)" && [[ "$id" =~ ^i-[0-9a-f]{8}([0-9a-f]{9})?$ ]]; then
    break
  fi
  id=""
  if ((attempt < 5)); then sleep 2; fi
done
if [[ -z "$id" ]]; then
  echo "${VM_LOG_EVENTS.tokenFetchFailed.line} reason=instance-id: could not read this instance's ID from IMDS (needed for the agent's name)" >&2
  exit 1
fi
tmp_name="$(mktemp "$run_dir/.agent-name-env.XXXXXX")"
trap 'rm -f "$tmp" "$tmp_env" "$tmp_name"' EXIT
printf 'SCALR_AGENT_NAME=%s\\n' "$id" >"$tmp_name"
mv -f "$tmp_name" "$run_dir/agent-name.env"
echo "scalr-agent-token: agent name $id written to $run_dir/agent-name.env"
`;

/** What the first-boot script does; rendered per install mode. */
export interface FirstBootPlan {
  /** OS facts. */
  readonly os: VmOsProfile;
  /** `docker` (the kit's unit runs scalr/agent) or `package` (Scalr's legacy units). */
  readonly installMode: "docker" | "package";
  /** The CA bundle: `pem` was written to the OS anchor by cloud-init, `path` is copied there now. @default - none */
  readonly ca?: { readonly pemWritten: boolean; readonly path?: string };
  /**
   * The proxy for the script's own downloads (`curl`, `apt-get`): `http_proxy`, `https_proxy` and
   * `no_proxy`, exported at the top. @default - no proxy
   */
  readonly proxyEnv?: Readonly<Record<"http_proxy" | "https_proxy" | "no_proxy", string>>;
  /** Units that get the proxy drop-in, symlinked to the agent's (https://docs.scalr.io/docs/run-agents, "Adding a Proxy"). @default - no proxy */
  readonly proxyUnits?: readonly string[];
  /** Directories to create (data, cache). */
  readonly directories: readonly string[];
  /** Legacy mode: how to install the package on Debian-family systems (Scalr's apt repository). */
  readonly aptPackageRepo?: boolean;
  /** Legacy mode: `scalr-agent configure` flags other than the token. */
  readonly configure?: { readonly url: string; readonly agentName?: string };
  /**
   * Services enabled and started before anything that can fail (the drain watcher): a failed or
   * slow agent start must not leave the instance without them. @default []
   */
  readonly services?: readonly string[];
}

const AGENT_PROXY_DROP_IN = "/etc/systemd/system/scalr-agent.service.d/proxy.conf";

/**
 * `first-boot`: run once by cloud-init `runcmd`, after packages are installed. Joins the CA to the
 * OS trust store, links the proxy drop-in to the other units, starts the drain watcher, then
 * restarts in the order https://docs.scalr.io/docs/run-agents ("Adding a Proxy") gives: daemon-reload, the Docker daemon, the agent.
 *
 * The watcher comes first (before the CA step, which fails on a missing CA file) and the agent
 * starts without waiting (`--no-block`): the agent's start
 * fetches the token, which can fail or take minutes, and an instance whose first boot stopped
 * there would otherwise never answer its termination lifecycle hook. In legacy mode the Scalr
 * package is downloaded after the CA joins the trust store, through the proxy.
 */
export function renderFirstBootScript(plan: FirstBootPlan): string {
  const lines: string[] = [
    "#!/bin/bash",
    "# First boot of a Scalr agent VM (run once by cloud-init runcmd, after packages are installed).",
    "set -euo pipefail",
    "",
    'log() { echo "scalr-agent first boot: $*"; }',
    "",
  ];
  if (plan.proxyEnv) {
    lines.push(
      "# This script's own downloads (curl, apt-get) go through the agent's proxy; units get it from their drop-ins.",
      ...(["http_proxy", "https_proxy", "no_proxy"] as const).map((n) => `export ${n}=${shellQuote(plan.proxyEnv?.[n] as string)}`),
      "",
    );
  }
  if (plan.proxyUnits?.length) {
    lines.push("# One proxy drop-in, symlinked into every unit that goes out (https://docs.scalr.io/docs/run-agents, Adding a Proxy).");
    for (const unit of plan.proxyUnits) {
      const dir = `/etc/systemd/system/${unit}.d`;
      lines.push(`install -d -m 0755 ${dir}`, `ln -sfn ${AGENT_PROXY_DROP_IN} ${dir}/proxy.conf`);
    }
    lines.push("");
  }
  for (const dir of plan.directories) lines.push(`install -d -m 0755 ${shellQuote(dir)}`);
  if (plan.directories.length) lines.push("");

  lines.push("systemctl daemon-reload");
  if (plan.services?.length) {
    lines.push("# First, before anything that can fail or wait: the drain watcher must run even if the agent never starts.");
    for (const unit of plan.services) lines.push(`systemctl enable --now ${unit}`, `log '${unit} started'`);
  }
  lines.push("");
  if (plan.ca) {
    lines.push("# The CA joins the OS trust store, after the drain watcher started: Docker pulls, the token fetch, downloads and the agent all trust it.");
    if (plan.ca.path) lines.push(`install -m 0644 ${shellQuote(plan.ca.path)} ${shellQuote(plan.os.caAnchor)}`);
    lines.push(`${argv(plan.os.caUpdate)}`, `log 'CA bundle added to ${plan.os.caBundle}'`, "");
  }

  if (plan.installMode === "package" && plan.aptPackageRepo) {
    lines.push(
      "# Scalr's (deprecated) apt repository, as Scalr's install instructions set it up.",
      "log 'adding the Scalr apt repository'",
      "curl -fsSL https://downloads.scalr.com/pgp-key.public | gpg --batch --yes --dearmor -o /usr/share/keyrings/scalr-keyring.gpg",
      "echo 'deb [signed-by=/usr/share/keyrings/scalr-keyring.gpg] https://downloads.scalr.com/apt stable main' >/etc/apt/sources.list.d/scalr.list",
      "apt-get update",
      "DEBIAN_FRONTEND=noninteractive apt-get install -y scalr-agent",
      "",
    );
  }

  if (plan.installMode === "docker") {
    lines.push(
      "systemctl enable docker.service",
      "systemctl restart docker.service",
      "# The agent's start fetches the token first (ExecStartPre), which may retry for minutes: do not wait for it.",
      "systemctl enable --now --no-block scalr-agent.service",
      "log 'scalr-agent.service enabled and starting'",
    );
  } else {
    const configure = plan.configure as { url: string; agentName?: string };
    const flags = [`--url=${shellQuote(configure.url)}`];
    if (configure.agentName) flags.push(`--agent-name=${shellQuote(configure.agentName)}`);
    lines.push(
      "systemctl start scalr-agent-token.service",
      `# scalr-agent configure only takes the token as a flag; it is read from ${VM_TOKEN_FILE}, never from user data.`,
      `scalr-agent configure --token="$(cat ${VM_TOKEN_FILE})" ${flags.join(" ")}`,
      "systemctl daemon-reload",
      "systemctl restart scalr-docker",
      "systemctl restart scalr-agent",
      "systemctl enable scalr-docker scalr-agent",
      "log 'scalr-agent configured and started'",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** What the drain watcher needs: where to answer the lifecycle hook, and how often. */
export interface DrainWatcherPlan {
  /** The Auto Scaling group of the instance. */
  readonly autoScalingGroupName: string;
  /** The termination lifecycle hook to answer. */
  readonly lifecycleHookName: string;
  /** Seconds between reads of the target lifecycle state. */
  readonly pollIntervalSeconds: number;
  /** Seconds between lifecycle heartbeats while the agent drains. */
  readonly heartbeatIntervalSeconds: number;
}

/**
 * `drain-watcher`: run by `scalr-agent-drain.service` for as long as the instance lives. It reads
 * the Auto Scaling target lifecycle state from IMDS with curl (directly, never through a proxy; a
 * curl every few seconds costs far less than starting Python); when it turns `Terminated` (scale-in, instance
 * refresh, capacity rebalancing) the termination lifecycle hook holds the instance in
 * `Terminating:Wait`, and the watcher stops `scalr-agent.service`. Stopping drains: the agent takes
 * no new runs and running ones finish, bounded by the unit's `TimeoutStopSec`. Meanwhile it sends
 * lifecycle heartbeats, then completes the lifecycle action with CONTINUE so the instance goes.
 */
export function renderDrainWatcherScript(plan: DrainWatcherPlan): string {
  return `#!/bin/bash
# Drains the Scalr agent before EC2 Auto Scaling terminates this instance (scale-in, instance
# refresh, rebalancing): the termination lifecycle hook ${plan.lifecycleHookName} of ${plan.autoScalingGroupName}
# holds the instance until this script completes the lifecycle action.
set -uo pipefail

group=${shellQuote(plan.autoScalingGroupName)}
hook=${shellQuote(plan.lifecycleHookName)}
poll_seconds=${plan.pollIntervalSeconds}
heartbeat_seconds=${plan.heartbeatIntervalSeconds}
lifecycle=${VM_AWS_LIFECYCLE_HELPER}
# AWS SDKs' variable: unset on the VM (systemd starts units with a clean environment); tests set it.
imds="${"$"}{AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254}"

log() { echo "scalr-agent drain: $*"; }

# IMDSv2, always direct (--noproxy): the target lifecycle state, or a failure.
target_state() {
  local token
  token="$(curl -fs --noproxy '*' --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' "$imds/latest/api/token")" || return 1
  curl -fs --noproxy '*' --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/autoscaling/target-lifecycle-state"
}

# 1. Wait until Auto Scaling decides to terminate this instance. A failed read (IMDS busy) is a "not yet".
log "watching the target lifecycle state every $poll_seconds s"
while true; do
  state="$(target_state)" || state=""
  if [[ "$state" == "Terminated" ]]; then
    break
  fi
  sleep "$poll_seconds"
done
log "Auto Scaling is terminating this instance: draining scalr-agent.service"

# 2. Stopping the agent drains it (no new runs, running runs finish), bounded by TimeoutStopSec.
drain_started=$SECONDS
systemctl stop scalr-agent.service &
stop_pid=$!

# 3. Heartbeats keep the lifecycle hook waiting while runs finish.
next_heartbeat=0
while kill -0 "$stop_pid" 2>/dev/null; do
  if ((SECONDS >= next_heartbeat)); then
    "$lifecycle" heartbeat --group "$group" --hook "$hook" || log "heartbeat failed; the hook's own timeout still covers the drain"
    next_heartbeat=$((SECONDS + heartbeat_seconds))
  fi
  sleep 1
done
stop_status=0
wait "$stop_pid" || stop_status=$?
# systemd's result of the stop: "timeout" when the agent outlived TimeoutStopSec (its grace period)
# and was killed, cutting the runs still in progress short (systemd.exec(5), $SERVICE_RESULT).
result="$(systemctl show --property=Result --value scalr-agent.service 2>/dev/null)" || result=""
if [[ "$result" == "timeout" ]]; then
  log "${VM_LOG_EVENTS.drainTimeout.line} seconds=$((SECONDS - drain_started)): scalr-agent.service did not stop within its grace period and was killed; runs still in progress were cut short"
elif ((stop_status == 0)); then
  log "${VM_LOG_EVENTS.drainFinished.line} seconds=$((SECONDS - drain_started)): scalr-agent.service stopped after $((SECONDS - drain_started)) s"
else
  log "${VM_LOG_EVENTS.drainFailed.line} result=${"$"}{result:-unknown}: stopping scalr-agent.service failed; completing the lifecycle action anyway"
fi

# 4. Let Auto Scaling terminate the instance.
if "$lifecycle" complete --group "$group" --hook "$hook" --result CONTINUE; then
  exit 0
fi
log "${VM_LOG_EVENTS.drainCompleteFailed.line}: could not complete the lifecycle action: Auto Scaling terminates the instance when the hook times out"
exit 1
`;
}
