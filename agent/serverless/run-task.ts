import { createHash } from "crypto";
import type { ListTasksCommandInput, RunTaskCommandInput, Tag } from "@aws-sdk/client-ecs";
import type { HandlerConfig } from "./config";
import type { ScalrDelivery } from "./webhook";

/** ECS accepts a `clientToken` of up to 64 characters in the range 33–126 (printable ASCII, no space). */
const CLIENT_TOKEN = /^[\x21-\x7e]{1,64}$/;

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * The `clientToken` of a delivery: the idempotency key itself when ECS accepts it as a token, else
 * its SHA-256 in hex (64 characters). Deterministic, so every redelivery of a task maps to the same
 * token and ECS answers with the task it already started instead of starting another.
 */
export function clientTokenFor(idempotencyKey: string): string {
  return CLIENT_TOKEN.test(idempotencyKey) ? idempotencyKey : sha256(idempotencyKey);
}

/**
 * How long one `clientToken` serves a delivery, counted from its `created_at`. ECS answers a token
 * it has seen with the original result for 24 hours — possibly a `failures` answer — so a
 * delivery that failed must eventually launch with a token ECS has not seen. Within a window every
 * redelivery uses the same token (idempotent: a started task is answered again); the next window's
 * redelivery uses the next token, and `ListTasks` by `startedBy` still finds a task that runs.
 */
export const CLIENT_TOKEN_WINDOW_MS = 5 * 60_000;

/**
 * Token `index` of a delivery: `clientTokenFor(key)` first (the Idempotency-Key itself), then
 * `sha256(key + ":" + (index - 1))`.
 */
export function chainClientTokenFor(idempotencyKey: string, index: number): string {
  return index === 0 ? clientTokenFor(idempotencyKey) : sha256(`${idempotencyKey}:${index - 1}`);
}

/**
 * The token of a delivery at `nowMs`: index = whole {@link CLIENT_TOKEN_WINDOW_MS} windows since its
 * `created_at` (0 for a time in the future or one the handler cannot parse).
 */
export function windowClientTokenFor(idempotencyKey: string, createdAt: string, nowMs: number): { readonly token: string; readonly index: number } {
  const created = Date.parse(createdAt.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  const index = Number.isFinite(created) ? Math.max(0, Math.floor((nowMs - created) / CLIENT_TOKEN_WINDOW_MS)) : 0;
  return { token: chainClientTokenFor(idempotencyKey, index), index };
}

/**
 * The token of the on-demand FARGATE fallback launch. ECS rejects a reused token with different
 * parameters (ConflictException), so the fallback needs its own token; it is derived from the
 * primary one so a redelivery that falls back again reuses the fallback's task.
 */
export function fallbackClientTokenFor(primaryToken: string): string {
  return sha256(`fargate-fallback:${primaryToken}`);
}

/**
 * `startedBy` for a delivery: `scalr/<run_id>/<task_id>` (ECS allows 128 of `A-Za-z0-9_/-`), so
 * `ListTasks --started-by` finds the task of a run. Other characters become `_`; when too long the
 * run part is dropped, then the rest is cut.
 */
export function startedByFor(delivery: Pick<ScalrDelivery, "runId" | "taskId">): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_/-]/g, "_");
  const full = `scalr/${clean(delivery.runId)}/${clean(delivery.taskId)}`;
  return full.length <= 128 ? full : `scalr/${clean(delivery.taskId)}`.slice(0, 128);
}

/** Tag keys on every launched task: they trace the task to its Scalr task, run, workspace, environment. */
export const TASK_TAG_KEYS = {
  taskId: "scalr:task-id",
  runId: "scalr:run-id",
  workspaceId: "scalr:workspace-id",
  environmentId: "scalr:environment-id",
  action: "scalr:action",
} as const;

/** Tags of a delivery's task. Values are cut to ECS's 256 characters and never start with `aws:`. */
export function tagsFor(delivery: ScalrDelivery): Tag[] {
  const value = (s: string) => (/^aws:/i.test(s) ? `_${s}` : s).slice(0, 256);
  return [
    { key: TASK_TAG_KEYS.taskId, value: value(delivery.taskId) },
    { key: TASK_TAG_KEYS.runId, value: value(delivery.runId) },
    { key: TASK_TAG_KEYS.workspaceId, value: value(delivery.workspaceId) },
    { key: TASK_TAG_KEYS.environmentId, value: value(delivery.environmentId) },
    { key: TASK_TAG_KEYS.action, value: value(delivery.action) },
  ];
}

/** How a launch places its task: the configured strategy, or on-demand Fargate. */
export type Placement = "configured" | "fargate";

/**
 * The `RunTask` request for a delivery. `placement: "fargate"` is the spot fallback: launch type
 * `FARGATE` instead of the strategy, and the fallback token. `primary` is the delivery's token of
 * this launch (its first token unless an earlier one failed).
 */
export function runTaskInput(
  delivery: ScalrDelivery,
  config: HandlerConfig,
  placement: Placement = "configured",
  primary: string = clientTokenFor(delivery.idempotencyKey),
): RunTaskCommandInput {
  const strategy = placement === "configured" ? config.capacityProviderStrategy : [];
  return {
    cluster: config.clusterArn,
    taskDefinition: config.taskDefinitionArn,
    count: 1,
    ...(strategy.length > 0 ? { capacityProviderStrategy: strategy.map((s) => ({ ...s })) } : { launchType: "FARGATE" }),
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...config.subnetIds],
        securityGroups: [...config.securityGroupIds],
        assignPublicIp: config.assignPublicIp,
      },
    },
    clientToken: placement === "configured" ? primary : fallbackClientTokenFor(primary),
    startedBy: startedByFor(delivery),
    tags: tagsFor(delivery),
    propagateTags: "TASK_DEFINITION",
  };
}

/** Whether a configuration's strategy can launch on Fargate Spot (so a capacity failure may fall back). */
export function usesFargateSpot(config: HandlerConfig): boolean {
  return config.capacityProviderStrategy.some((s) => s.capacityProvider === "FARGATE_SPOT");
}

/**
 * The `ListTasks` request that finds a delivery's task: same cluster and `startedBy`. ECS wants
 * `startedBy` as the only filter; the default desired status, RUNNING, includes tasks still PENDING.
 */
export function listTasksInput(delivery: Pick<ScalrDelivery, "runId" | "taskId">, config: Pick<HandlerConfig, "clusterArn">): ListTasksCommandInput {
  return { cluster: config.clusterArn, startedBy: startedByFor(delivery), maxResults: 10 };
}
