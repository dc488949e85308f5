/**
 * The numbers the agent's shutdown is fitted to, in a module of their own (no zod, no renderers) so
 * KitChecks can read them without loading the agent settings model.
 */

/**
 * What the agent does when its runtime stops it (SIGTERM):
 * - `drain`: takes no new tasks and lets running ones finish (up to the drain timeout), then stops them gracefully;
 * - `graceful`: stops running tasks gracefully (SIGTERM to the task, SIGKILL after the grace timeout);
 * - `force`: stops at once.
 */
export type AgentShutdownMode = "drain" | "graceful" | "force";

/** Minimum grace period per shutdown mode (the agent-helm charts enforce the same). */
export const MIN_GRACE_PERIOD_SECONDS: Readonly<Record<AgentShutdownMode, number>> = { drain: 120, graceful: 30, force: 10 };
/** Seconds kept between the agent's own timeouts and the runtime's SIGKILL. */
export const SHUTDOWN_MARGIN_SECONDS = 10;
/** Fargate's longest stop timeout (seconds between SIGTERM and SIGKILL). */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;
