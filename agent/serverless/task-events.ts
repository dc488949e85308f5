/**
 * The serverless pool's task-event Lambda. For each "ECS Task State Change" event of an agent task,
 * one log line in CloudWatch's embedded metric format (EMF):
 * - a task that reached RUNNING: `TimeToRunningMs` = `startedAt` − `createdAt`, the ECS part of an
 *   agent's start (RunTask accepted → task RUNNING);
 * - a task that STOPPED with stop code `TaskFailedToStart`: `TasksFailedToStart` = 1, with ECS's
 *   `stoppedReason` and each container's `reason` (an image that cannot be pulled, a secret that
 *   cannot be read, no ENI in the subnet). RunTask accepted these tasks, so the webhook handler
 *   counted them as launched: this is the only place their failure shows.
 * It calls no AWS API: CloudWatch Logs turns the line into the metric.
 *
 * ECS event shape (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html):
 * `detail` resembles the Task object of DescribeTasks
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html) and its `createdAt`,
 * `startedAt` are ISO 8601 strings in the event (UNIX timestamps only in DescribeTasks). The page's
 * example carries `createdAt`, `startedAt`, `lastStatus`, `clusterArn`, `taskArn`, `group`, but no
 * `startedBy`: the Task object has `startedBy` only when the task was started with one, as the
 * webhook handler's tasks are (./run-task.ts). Events may repeat (same `detail.version`), and a
 * task may send RUNNING more than once (a container's change while the task runs), so a task can
 * count twice, each time with the same value.
 */

/** The environment the Lambda reads. */
export interface TaskEventsConfig {
  /** ARN of the pool's ECS cluster: events of other clusters are ignored. */
  readonly clusterArn: string;
  /** CloudWatch namespace of the metric (`ScalrAgents/<pool>`, the pool dashboard's). */
  readonly namespace: string;
  /** Value of the `Pool` dimension (the pool's name). */
  readonly pool: string;
}

/** Names of the environment variables the Lambda reads. */
export const TASK_EVENTS_ENVIRONMENT = { clusterArn: "CLUSTER_ARN", namespace: "METRIC_NAMESPACE", pool: "POOL_NAME" } as const;

/** The metric the Lambda emits, milliseconds from task creation (RunTask) to RUNNING. */
export const TIME_TO_RUNNING_METRIC = "TimeToRunningMs";

/**
 * The metric the Lambda emits, 1 per STOPPED event of an agent task that never ran
 * (`TaskFailedToStart`): ECS may send an event twice, so the count can exceed the tasks.
 */
export const TASKS_FAILED_TO_START_METRIC = "TasksFailedToStart";

/**
 * The stop code of a task that stopped before its containers started. `Task.stopCode` is one of
 * `TaskFailedToStart`, `EssentialContainerExited`, `UserInitiated`, `ServiceSchedulerInitiated`,
 * `SpotInterruption`, `TerminationNotice` (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html,
 * "stopCode"; what each means: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html).
 * An agent task that ran ends with `EssentialContainerExited` (the single-run agent exits after its
 * run): that is the normal end, not a failure.
 */
export const FAILED_TO_START_STOP_CODE = "TaskFailedToStart";

/** The `lastStatus` values the task-events rule forwards. */
export const TASK_EVENT_STATUSES: readonly string[] = ["RUNNING", "STOPPED"];

/**
 * `startedBy` prefixes of the webhook handler's tasks: `scalr/task/<key>` or `scalr/sha256/<hex>`
 * (`startedByFor` in ./run-task.ts). Tasks started otherwise (by hand, by another tool) are not
 * agent launches and are not measured; a caller allowed to run tasks in the pool's cluster could
 * start one with such a `startedBy`, and it would be counted.
 */
export const HANDLER_STARTED_BY_PREFIXES: readonly string[] = ["scalr/task/", "scalr/sha256/"];

/** Reads the configuration; throws naming every missing variable. */
export function parseTaskEventsConfig(env: Readonly<Record<string, string | undefined>>): TaskEventsConfig {
  const missing = Object.values(TASK_EVENTS_ENVIRONMENT).filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`task-events Lambda: environment variable(s) ${missing.join(", ")} must be set`);
  return { clusterArn: env[TASK_EVENTS_ENVIRONMENT.clusterArn] as string, namespace: env[TASK_EVENTS_ENVIRONMENT.namespace] as string, pool: env[TASK_EVENTS_ENVIRONMENT.pool] as string };
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const time = (v: unknown): number | undefined => {
  const s = str(v);
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
};

/** Why an event produced no metric (logged, so a silent dashboard can be explained). */
export type SkipReason = "not-a-task-event" | "other-cluster" | "not-running" | "not-a-pool-task" | "missing-times" | "stopped-after-start";

/**
 * The EMF line for one event, or why there is none. Pure: tests call it with the documented
 * event's shape.
 */
export function taskEventRecord(event: unknown, config: TaskEventsConfig): { readonly line: string } | { readonly skip: SkipReason } {
  const e = (typeof event === "object" && event !== null ? event : {}) as { "detail-type"?: unknown; detail?: unknown; time?: unknown };
  const d = (typeof e.detail === "object" && e.detail !== null ? e.detail : undefined) as Record<string, unknown> | undefined;
  if (e["detail-type"] !== "ECS Task State Change" || d === undefined) return { skip: "not-a-task-event" };
  if (d.clusterArn !== config.clusterArn) return { skip: "other-cluster" };
  if (d.lastStatus !== "RUNNING" && d.lastStatus !== "STOPPED") return { skip: "not-running" };
  const startedBy = str(d.startedBy);
  if (startedBy === undefined || !HANDLER_STARTED_BY_PREFIXES.some((p) => startedBy.startsWith(p))) return { skip: "not-a-pool-task" };
  return d.lastStatus === "RUNNING" ? runningRecord(d, startedBy, config) : failedToStartRecord(d, e.time, startedBy, config);
}

function runningRecord(d: Record<string, unknown>, startedBy: string, config: TaskEventsConfig): { readonly line: string } | { readonly skip: SkipReason } {
  const createdAt = time(d.createdAt);
  const startedAt = time(d.startedAt);
  if (createdAt === undefined || startedAt === undefined || startedAt < createdAt) return { skip: "missing-times" };
  // EMF (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
  // `_aws.Timestamp` in milliseconds since the epoch, one MetricDirective naming the namespace, the
  // dimension set and the metric; every dimension and metric is a member of the root object.
  // The other members are ignored by the metric extraction and stay searchable in the log.
  const record = {
    _aws: {
      Timestamp: startedAt,
      CloudWatchMetrics: [{ Namespace: config.namespace, Dimensions: [["Pool"]], Metrics: [{ Name: TIME_TO_RUNNING_METRIC, Unit: "Milliseconds" }] }],
    },
    Pool: config.pool,
    [TIME_TO_RUNNING_METRIC]: startedAt - createdAt,
    message: "scalr agent task running",
    taskArn: str(d.taskArn),
    startedBy,
    group: str(d.group),
    createdAt: str(d.createdAt),
    startedAt: str(d.startedAt),
  };
  return { line: `${JSON.stringify(record)}\n` };
}

/** A STOPPED task: one count when it never started, else nothing (a run's normal end). */
function failedToStartRecord(d: Record<string, unknown>, eventTime: unknown, startedBy: string, config: TaskEventsConfig): { readonly line: string } | { readonly skip: SkipReason } {
  if (d.stopCode !== FAILED_TO_START_STOP_CODE) return { skip: "stopped-after-start" };
  // When ECS stopped it; the event's own time if the task carries none.
  const at = time(d.stoppedAt) ?? time(d.stoppingAt) ?? time(d.updatedAt) ?? time(eventTime);
  if (at === undefined) return { skip: "missing-times" };
  const containers = Array.isArray(d.containers) ? (d.containers as unknown[]) : [];
  const reasons = containers
    .map((c) => (typeof c === "object" && c !== null ? (c as Record<string, unknown>) : {}))
    .filter((c) => str(c.reason) !== undefined)
    .map((c) => ({ name: str(c.name), reason: str(c.reason) }));
  const record = {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: config.namespace, Dimensions: [["Pool"]], Metrics: [{ Name: TASKS_FAILED_TO_START_METRIC, Unit: "Count" }] }],
    },
    Pool: config.pool,
    [TASKS_FAILED_TO_START_METRIC]: 1,
    level: "error",
    message: "scalr agent task failed to start",
    taskArn: str(d.taskArn),
    startedBy,
    group: str(d.group),
    stopCode: FAILED_TO_START_STOP_CODE,
    stoppedReason: str(d.stoppedReason),
    containers: reasons,
    createdAt: str(d.createdAt),
    stoppedAt: str(d.stoppedAt),
  };
  return { line: `${JSON.stringify(record)}\n` };
}

/** What a handler instance is built from; the exported `handler` uses the process environment and stdout. */
export interface TaskEventsDependencies {
  /** The Lambda environment (read once, at the first invocation). */
  readonly env: () => Readonly<Record<string, string | undefined>>;
  /** Writes one log line. */
  readonly write: (line: string) => void;
}

/**
 * Builds the Lambda handler: one EMF line per measured event (a task RUNNING, or failed to start), one plain JSON line (`skipped` and
 * the reason) otherwise. A missing variable throws, so Lambda's Errors metric shows it.
 */
export function createTaskEventsHandler(deps: TaskEventsDependencies): (event: unknown) => Promise<void> {
  let config: TaskEventsConfig | undefined;
  return async (event) => {
    config ??= parseTaskEventsConfig(deps.env());
    const r = taskEventRecord(event, config);
    if ("line" in r) deps.write(r.line);
    else {
      const d = (event as { detail?: { taskArn?: unknown } } | null)?.detail;
      deps.write(`${JSON.stringify({ message: "scalr agent task event skipped", skipped: r.skip, taskArn: str(d?.taskArn) })}\n`);
    }
  };
}

/** The Lambda entry (`index.handler` in the bundle): an EventBridge event in, nothing out. */
export const handler = createTaskEventsHandler({ env: () => process.env, write: (line) => process.stdout.write(line) });
