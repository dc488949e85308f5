/**
 * The structured lines the kit's VM scripts write to the journal (and, shipped, to the fleet's
 * CloudWatch log group): a fixed phrase `<program>: event=<name>` followed by `key=value` details
 * and a sentence for people. The phrase is stable: CloudWatch Logs metric filters count it, so
 * changing one is a breaking change of the fleet's alarms.
 *
 * A filter pattern in double quotes matches log events that contain the quoted text exactly,
 * case-sensitively, including characters such as `:` and `=`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html,
 * "Matching terms in unstructured log events").
 */
export interface VmLogEvent {
  /** What the script writes after its own log prefix (`log` in the drain watcher adds `scalr-agent drain: `). */
  readonly line: string;
  /** The whole stable phrase as it appears in the log. */
  readonly phrase: string;
  /** The CloudWatch Logs filter pattern that matches the phrase. */
  readonly pattern: string;
}

const TOKEN_PREFIX = "scalr-agent-token:";
const DRAIN_PREFIX = "scalr-agent drain:";

function event(prefix: string, name: string, scriptAddsPrefix: boolean): VmLogEvent {
  const phrase = `${prefix} event=${name}`;
  return { line: scriptAddsPrefix ? `event=${name}` : phrase, phrase, pattern: `"${phrase}"` };
}

/** Every event the kit's VM scripts log with a stable phrase. */
export const VM_LOG_EVENTS = {
  /** `fetch-token` wrote the token (before every start of the agent). */
  tokenFetched: event(TOKEN_PREFIX, "token-fetched", false),
  /**
   * `fetch-token` failed: the source failed after its retries (`reason=source-failed`; the Secrets
   * Manager fetcher retries for 10 minutes), returned a malformed value (`reason=malformed-value`),
   * or the instance ID could not be read (`reason=instance-id`). The agent does not start; systemd
   * retries the whole start after `RestartSec`.
   */
  tokenFetchFailed: event(TOKEN_PREFIX, "token-fetch-failed", false),
  /** The drain watcher stopped the agent within its grace period (`seconds=<n>`). */
  drainFinished: event(DRAIN_PREFIX, "drain-finished", true),
  /**
   * The agent outlived its grace period (`TimeoutStopSec`) and systemd killed it: runs still in
   * progress were cut short (`seconds=<n>`).
   */
  drainTimeout: event(DRAIN_PREFIX, "drain-timeout", true),
  /** Stopping the agent failed for another reason (`result=<systemd result>`). */
  drainFailed: event(DRAIN_PREFIX, "drain-failed", true),
  /** The lifecycle action could not be completed: the instance waits for the hook's heartbeat timeout. */
  drainCompleteFailed: event(DRAIN_PREFIX, "drain-complete-failed", true),
} as const;
