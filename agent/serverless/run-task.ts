import { createHash } from "crypto";
import type { ListTasksCommandInput, RunTaskCommandInput, Tag } from "../aws/ecs-types";
import type { CapacityProviderStrategyItem, HandlerConfig } from "./config";
import { ScalrDelivery, parseScalrTime } from "./webhook";

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
 * How long one `clientToken` serves a delivery. ECS answers a token it has seen with the original
 * result for 24 hours — possibly a `failures` answer — so a delivery that failed must eventually
 * launch with a token ECS has not seen. Within a window every redelivery uses the same token
 * (idempotent: a started task is answered again); the next window's redelivery uses the next token,
 * and `ListTasks` by `startedBy` still finds a task that runs.
 */
export const CLIENT_TOKEN_WINDOW_MS = 5 * 60_000;

/**
 * How far in the future a `created_at` may lie (clock skew between Scalr and AWS) and still count
 * windows from it (window -1 is the one before it). A `created_at` further ahead cannot be Scalr's
 * creation time: the windows then follow the clock instead.
 */
export const CREATED_AT_MAX_SKEW_MS = CLIENT_TOKEN_WINDOW_MS;

/**
 * Token `index` of a delivery: `clientTokenFor(key)` first (the Idempotency-Key itself), then
 * `sha256(key + ":" + (index - 1))` (index -1, the window before a `created_at` slightly ahead of
 * the clock, is `sha256(key + ":-2")`).
 */
export function chainClientTokenFor(idempotencyKey: string, index: number): string {
  return index === 0 ? clientTokenFor(idempotencyKey) : sha256(`${idempotencyKey}:${index - 1}`);
}

/**
 * Token of clock window `window` (whole windows since the Unix epoch), for a delivery without a
 * usable `created_at`: `sha256(key + ":clock:" + window)`, a namespace apart from the chain's.
 */
export function clockClientTokenFor(idempotencyKey: string, window: number): string {
  return sha256(`${idempotencyKey}:clock:${window}`);
}

/** Which clock a delivery's token windows follow. */
export type TokenWindowBasis = "created_at" | "clock";

/**
 * The token of a delivery at `nowMs`. With a usable `created_at` (a time {@link parseScalrTime}
 * reads, at most {@link CREATED_AT_MAX_SKEW_MS} ahead), index = whole windows since it (floored, so
 * -1 just before it); otherwise the windows follow the clock ({@link clockClientTokenFor}). Either
 * way the token is a function of the delivery's key, its `created_at` and the time only —
 * deterministic — and changes every {@link CLIENT_TOKEN_WINDOW_MS}.
 */
export function windowClientTokenFor(
  idempotencyKey: string,
  createdAt: string | undefined,
  nowMs: number,
): { readonly token: string; readonly index: number; readonly basis: TokenWindowBasis } {
  const created = createdAt === undefined ? undefined : parseScalrTime(createdAt);
  if (created !== undefined && created - nowMs <= CREATED_AT_MAX_SKEW_MS) {
    const index = Math.floor((nowMs - created) / CLIENT_TOKEN_WINDOW_MS);
    return { token: chainClientTokenFor(idempotencyKey, index), index, basis: "created_at" };
  }
  const window = Math.floor(nowMs / CLIENT_TOKEN_WINDOW_MS);
  return { token: clockClientTokenFor(idempotencyKey, window), index: window, basis: "clock" };
}

/**
 * The token of the on-demand FARGATE fallback launch. ECS rejects a reused token with different
 * parameters (ConflictException), so the fallback needs its own token; it is derived from the
 * primary one so a redelivery that falls back again reuses the fallback's task.
 */
export function fallbackClientTokenFor(primaryToken: string): string {
  return sha256(`fargate-fallback:${primaryToken}`);
}

// ECS allows 128 characters of A-Za-z0-9_/- in `startedBy`. A key of such characters (no `/`)
// is used as it is, anything else by its SHA-256, under two different prefixes: two deliveries never
// share a `startedBy`, so ListTasks never answers with another delivery's task.
const STARTED_BY_KEY = /^[A-Za-z0-9_-]{1,117}$/;

/**
 * `startedBy` for a delivery: `scalr/task/<Idempotency-Key>` (the agent task ID), or
 * `scalr/sha256/<hex>` for a key ECS would not take as it is. A function of the key alone, so every
 * redelivery of a task — whatever its body — finds the task an earlier one started.
 */
export function startedByFor(delivery: Pick<ScalrDelivery, "idempotencyKey">): string {
  const key = delivery.idempotencyKey;
  return STARTED_BY_KEY.test(key) ? `scalr/task/${key}` : `scalr/sha256/${sha256(key)}`;
}

/** Tag keys on every launched task: they trace the task to its Scalr task, run, workspace, environment. */
export const TASK_TAG_KEYS = {
  idempotencyKey: "scalr:idempotency-key",
  taskId: "scalr:task-id",
  runId: "scalr:run-id",
  workspaceId: "scalr:workspace-id",
  environmentId: "scalr:environment-id",
  action: "scalr:action",
} as const;

// Characters ECS accepts in tag values (letters, digits, spaces and + - = . _ : / @), 256 at most.
const TAG_VALUE = /^[A-Za-z0-9 +\-=._:/@]{1,256}$/;

/**
 * Tags of a delivery's task: the key, when ECS accepts it as a tag value, and each body field that
 * arrived readable. Values never start with `aws:` (reserved).
 */
export function tagsFor(delivery: ScalrDelivery): Tag[] {
  const value = (s: string) => (/^aws:/i.test(s) ? `_${s}` : s).slice(0, 256);
  const tags: Tag[] = [];
  if (TAG_VALUE.test(delivery.idempotencyKey)) tags.push({ key: TASK_TAG_KEYS.idempotencyKey, value: value(delivery.idempotencyKey) });
  for (const field of ["taskId", "runId", "workspaceId", "environmentId", "action"] as const) {
    const v = delivery[field];
    if (v !== undefined) tags.push({ key: TASK_TAG_KEYS[field], value: value(v) });
  }
  return tags;
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
  const strategy = placement === "configured" ? strategyFor(delivery, config) : [];
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

/**
 * The capacity provider strategy of a delivery: the configured one, unless `strategyActions` lists
 * task types and the delivery's `action` is not one of them (or it has none): then none, which is
 * launch type `FARGATE` (on-demand).
 */
export function strategyFor(delivery: ScalrDelivery, config: HandlerConfig): readonly CapacityProviderStrategyItem[] {
  if (config.strategyActions.length === 0) return config.capacityProviderStrategy;
  return delivery.action !== undefined && config.strategyActions.includes(delivery.action) ? config.capacityProviderStrategy : [];
}

/** Whether a delivery's strategy can launch on Fargate Spot (so a capacity failure may fall back). */
export function usesFargateSpot(config: HandlerConfig, delivery?: ScalrDelivery): boolean {
  const strategy = delivery === undefined ? config.capacityProviderStrategy : strategyFor(delivery, config);
  return strategy.some((s) => s.capacityProvider === "FARGATE_SPOT");
}

/**
 * The `ListTasks` request that finds a delivery's task: same cluster and `startedBy`. ECS wants
 * `startedBy` as the only filter; the default desired status, RUNNING, includes tasks still PENDING.
 */
export function listTasksInput(delivery: Pick<ScalrDelivery, "idempotencyKey">, config: Pick<HandlerConfig, "clusterArn">): ListTasksCommandInput {
  return { cluster: config.clusterArn, startedBy: startedByFor(delivery), maxResults: 10 };
}
