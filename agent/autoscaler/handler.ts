import type { FleetPort, FleetState } from "./aws";
import { AutoscalerConfig, AutoscalerConfigError, parseAutoscalerConfig } from "./config";
import { Decision, decide } from "./decision";
import { ProtectionPlan, planProtection } from "./protection";
import { AgentInfo, HttpTransport, PoolSignal, countAgents, readPoolSignal } from "./scalr-api";

/** The part of the Lambda context the autoscaler uses. */
export interface LambdaContextLike {
  /** Milliseconds until Lambda stops the invocation. */
  getRemainingTimeInMillis(): number;
}

/** Time kept back from the Lambda's remaining time for the AWS calls and the log line. */
export const AWS_MARGIN_MS = 10_000;

/**
 * What an autoscaler is built from. The Lambda entry (construct increment) passes `process.env`,
 * `fetchTransport`, a Secrets Manager getter and `ecsFleet`/`asgFleet`; tests pass fakes.
 */
export interface AutoscalerDependencies {
  /** The Lambda environment (read once). */
  readonly env: () => Readonly<Record<string, string | undefined>>;
  /**
   * Reads the Scalr token from Secrets Manager (`GetSecretValue`, `SecretString`). Injected: the
   * real getter (the SDK's Secrets Manager client, or the Lambda parameters-and-secrets extension)
   * is wired by the construct increment.
   */
  readonly getSecret: (arn: string) => Promise<string>;
  /** HTTP to Scalr. */
  readonly scalr: HttpTransport;
  /** The fleet's platform calls, for this configuration. */
  readonly createFleet: (config: AutoscalerConfig) => FleetPort;
  /** Writes one log line. */
  readonly write: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** What one invocation did, as logged. */
export type AutoscalerOutcome = "scaled" | "held" | "config-error" | "secret-error" | "fleet-error" | "apply-error";

/** The one log line of an invocation. */
export interface AutoscalerLog {
  /** What happened. */
  readonly outcome: AutoscalerOutcome;
  /** What invoked the decision: the schedule, a Scalr run event (`RunExecuted`), or anything else. */
  readonly trigger?: AutoscalerTrigger;
  /** The pool. */
  readonly pool?: string;
  /** Queued runs, or null when unknown. */
  readonly queued?: number | null;
  /** Busy agents, or null when unknown. */
  readonly busy?: number | null;
  /** Idle agents, or null when unknown. */
  readonly idle?: number | null;
  /** Offline agents, or null when unknown. */
  readonly offline?: number | null;
  /** Errored agents, or null when unknown. */
  readonly errored?: number | null;
  /** Desired capacity before. */
  readonly current?: number;
  /** Desired capacity decided. */
  readonly target?: number;
  /** Why. */
  readonly reason?: Decision["reason"];
  /** The decision's bounds and want. */
  readonly decision?: Omit<Decision, "target" | "reason">;
  /** Why the signal was unknown. */
  readonly unknown?: readonly string[];
  /** Protection changes made. */
  readonly protection?: ProtectionPlan;
  /** Error, by name and message. */
  readonly error?: { readonly name: string; readonly message: string };
  /** Scalr requests made. */
  readonly scalrRequests?: number;
}

const errorOf = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: "Error", message: String(e) });

/**
 * CloudWatch embedded metric format: the log line also carries the metrics a dashboard plots,
 * with no API call (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Unknown values are left out rather than plotted as zero.
 */
export function embeddedMetrics(log: AutoscalerLog, time: number): Record<string, unknown> {
  const values: Record<string, number> = {};
  const put = (name: string, v: number | null | undefined) => void (typeof v === "number" && (values[name] = v));
  put("QueuedRuns", log.queued);
  put("BusyAgents", log.busy);
  put("IdleAgents", log.idle);
  put("CurrentCapacity", log.current);
  put("TargetCapacity", log.target);
  const names = Object.keys(values);
  if (names.length === 0 || log.pool === undefined) return {};
  return {
    _aws: { Timestamp: time, CloudWatchMetrics: [{ Namespace: "CdktfScalrKit/Autoscaler", Dimensions: [["Pool"]], Metrics: names.map((Name) => ({ Name, Unit: "Count" })) }] },
    Pool: log.pool,
    ...values,
  };
}

/**
 * Builds the scheduled handler: read the pool's signal from Scalr, read the fleet, decide, protect
 * busy units and unprotect idle ones, set the capacity, write one log line. Any EventBridge event
 * triggers one decision (the event's content is not needed). The configuration is read once; a bad
 * one is logged on every invocation and nothing is changed.
 */
export function createAutoscaler(deps: AutoscalerDependencies): (event: unknown, context: LambdaContextLike) => Promise<AutoscalerLog> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const startedAt = now();
  let config: AutoscalerConfig | AutoscalerConfigError | undefined;
  let fleet: FleetPort | undefined;
  let token: string | undefined;
  let lastScaledAt: number | undefined;

  return async (event, context) => {
    const started = now();
    const trigger = triggerOf(event);
    const emit = (decided: AutoscalerLog): AutoscalerLog => {
      const log: AutoscalerLog = { trigger, ...decided };
      const level = log.outcome.endsWith("error") ? "error" : "info";
      deps.write(`${JSON.stringify({ level, message: "scalr autoscaler", ...log, durationMs: now() - started, ...embeddedMetrics(log, now()) })}\n`);
      return log;
    };
    if (config === undefined) {
      try {
        config = parseAutoscalerConfig(deps.env());
      } catch (e) {
        if (!(e instanceof AutoscalerConfigError)) throw e;
        config = e;
      }
    }
    if (config instanceof AutoscalerConfigError) return emit({ outcome: "config-error", error: errorOf(config) });
    const cfg = config;
    const pool = cfg.poolId;

    try {
      token ??= await deps.getSecret(cfg.tokenSecretArn);
    } catch (e) {
      return emit({ outcome: "secret-error", pool, error: errorOf(e) });
    }
    const deadline = now() + context.getRemainingTimeInMillis() - AWS_MARGIN_MS;
    const signal: PoolSignal = await readPoolSignal({ url: cfg.scalrUrl, token, poolId: pool }, deps.scalr, { now, sleep, random }, deadline);
    const unknown = [signal.queued, signal.agents].flatMap((s) => (s.known ? [] : [`${s.unknown.cause}: ${s.unknown.detail}`]));
    // A rejected token (rotated secret) is read again next time.
    if (unknown.some((u) => / (401|403)$/.test(u))) token = undefined;
    const counts = signal.agents.known ? countAgents(signal.agents.value) : undefined;
    const queued = signal.queued.known ? signal.queued.value : undefined;
    const observed = {
      pool,
      queued: queued ?? null,
      busy: counts?.busy ?? null,
      idle: counts?.idle ?? null,
      offline: counts?.offline ?? null,
      errored: counts?.errored ?? null,
      scalrRequests: signal.requests,
      ...(unknown.length > 0 ? { unknown } : {}),
    };

    let state: FleetState;
    try {
      fleet ??= deps.createFleet(cfg);
      state = await fleet.describe();
    } catch (e) {
      return emit({ outcome: "fleet-error", ...observed, error: errorOf(e) });
    }
    const current = state.capacity.desired;
    const decidedAt = now();
    const decision = decide({ queued, agents: counts, fleet: state.capacity, concurrency: cfg.concurrency, policy: cfg.policy, now: decidedAt, lastScaledAt, startedAt });
    const protection: ProtectionPlan | undefined = cfg.protectBusy && signal.agents.known ? planProtection(signal.agents.value, state.units, cfg.target.kind) : undefined;
    // Under the ECS guard no task may go: a lowered count would rest on protection that lapses if
    // the autoscaler stops deciding (an outage, a rotated token) for its 60 minutes.
    const guarded = protection?.guard === true && decision.target < current;
    const { target, reason, ...bounds } = guarded ? { ...decision, target: current, reason: "hold-unmapped-busy" as const } : decision;
    const decided = { ...observed, current, target, reason, decision: bounds };

    try {
      if (cfg.protectBusy && !signal.agents.known && cfg.target.kind === "ecs") {
        // The agents cannot be read: keep every protection in place (ECS protection expires), never
        // clear one blind. Capacity is held by the decision.
        const held = state.units.filter((u) => u.protected).map((u) => u.id);
        if (held.length > 0) await fleet.setProtection(held, true);
      }
      if (protection && signal.agents.known) {
        // Protect first: a scale-in must find busy units protected. ECS protection expires, so busy
        // tasks (under the guard: every task) are renewed every decision, already-protected ones included.
        const renew =
          cfg.target.kind !== "ecs" ? protection.protect : protection.guard ? state.units.map((u) => u.id) : busyUnits(signal.agents.value, state, cfg.target.kind);
        if (renew.length > 0) await fleet.setProtection(renew, true);
        if (protection.unprotect.length > 0) await fleet.setProtection(protection.unprotect, false);
      }
      if (target !== current) {
        await fleet.setDesired(target);
        // The decision's time, not the end of the AWS calls: the next scheduled decision comes one
        // period after this one, and a cool-down of one period must let it act.
        lastScaledAt = decidedAt;
      }
    } catch (e) {
      return emit({ outcome: "apply-error", ...decided, ...(protection ? { protection } : {}), error: errorOf(e) });
    }
    return emit({ outcome: target === current ? "held" : "scaled", ...decided, ...(protection ? { protection } : {}) });
  };
}

/** Every unit whose agent is busy (for ECS, whose protection expires and is renewed). */
function busyUnits(agents: readonly AgentInfo[], state: FleetState, kind: "asg" | "ecs"): string[] {
  const all = planProtection(agents, state.units.map((u) => ({ id: u.id, protected: false })), kind);
  return [...all.protect];
}

/** What invoked a decision (every invocation decides the same way; the trigger is logged). */
export type AutoscalerTrigger = "schedule" | "run-event" | "other";

/**
 * The trigger of an invocation, from its EventBridge `detail-type`: `Scheduled Event` for a
 * schedule rule (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html),
 * `RunExecuted` for Scalr's run-finished event (Scalr/terraform-aws-scalr-event-bridge@fe70c5cf:
 * modules/scalr-eventbridge/main.tf).
 */
export function triggerOf(event: unknown): AutoscalerTrigger {
  const type = typeof event === "object" && event !== null ? (event as Record<string, unknown>)["detail-type"] : undefined;
  return type === "Scheduled Event" ? "schedule" : type === "RunExecuted" ? "run-event" : "other";
}

/**
 * CloudWatch Logs filter patterns over the decision log line (one JSON object per decision, as
 * `createAutoscaler` writes it), for the alarms the AgentAutoscaler construct creates:
 * `errors` matches the outcomes config-error, secret-error, fleet-error and apply-error (`level` is
 * "error"), `unknownSignal` a decision held because Scalr could not be read.
 * Pattern syntax: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export const DECISION_LOG_PATTERNS = {
  errors: '{ $.level = "error" }',
  unknownSignal: '{ $.reason = "hold-unknown-signal" }',
} as const;
