import { ScalingPolicy, floorAt } from "./policy";
import type { AgentCounts } from "./scalr-api";

/** The fleet as the target platform reports it, in units (instances or tasks, one agent each). */
export interface FleetCapacity {
  /** Desired capacity / desired count now. */
  readonly desired: number;
  /** The platform's own lower bound (ASG `MinSize`; 0 for an ECS service). */
  readonly min: number;
  /** The platform's own upper bound (ASG `MaxSize`; unbounded for an ECS service). */
  readonly max: number;
}

/** Everything a decision depends on. `undefined` means unknown (Scalr unreachable or unreadable). */
export interface DecisionInput {
  /** Runs of the pool's workspaces waiting for capacity (`plan_queued` + `apply_queued`). */
  readonly queued: number | undefined;
  /** The pool's agents by status. */
  readonly agents: AgentCounts | undefined;
  /** The fleet now. */
  readonly fleet: FleetCapacity;
  /** Runs one unit's agent takes at once (`SCALR_AGENT_CONCURRENCY`). */
  readonly concurrency: number;
  /** The policy. */
  readonly policy: ScalingPolicy;
  /** Epoch milliseconds. */
  readonly now: number;
  /** When the autoscaler last changed the capacity, if known. Unknown: no cool-down applies to scale-out, and scale-in waits one cool-down from `startedAt`. */
  readonly lastScaledAt?: number;
  /** When this autoscaler instance started (a cold start knows no history). */
  readonly startedAt?: number;
}

/** Why the target is what it is. `scale-*` change the capacity, `hold-*` keep it. */
export type DecisionReason =
  | "scale-out-floor"
  | "scale-out-demand"
  | "scale-in-idle"
  | "scale-in-above-max"
  | "hold-steady"
  | "hold-unknown-signal"
  | "hold-queue-waiting"
  | "hold-cooldown"
  | "hold-busy"
  /** ECS: an agent that maps to no task is busy or offline, so no task may go (the fleet-wide guard). */
  | "hold-unmapped-busy";

/** A decision: the capacity to set and why. */
export interface Decision {
  /** Units to set (equal to `fleet.desired` on a hold). */
  readonly target: number;
  /** Why. */
  readonly reason: DecisionReason;
  /** Units the demand asks for before bounds and steps (absent when the signal is unknown). */
  readonly want?: number;
  /** The lowest the fleet may go now: the larger of the policy's (scheduled) `min` and the platform's. */
  readonly floor: number;
  /** The highest: the smaller of the policy's `max` and the platform's. */
  readonly ceiling: number;
  /** `minIdle` in force now. */
  readonly minIdle: number;
  /** Index of the schedule window in force, if any. */
  readonly window?: number;
}

/**
 * How much earlier than a cool-down's end a decision may act: scheduled invocations do not land
 * exactly one period apart (EventBridge starts them within the minute, and each reads Scalr first),
 * so a cool-down of one schedule period would otherwise hold every other decision.
 */
export const SCHEDULE_JITTER_MS = 5_000;

/**
 * Decides the fleet's capacity. Rules, in order:
 * - the floor (policy `min`, or a schedule window's, and the platform's minimum) and the ceiling
 *   (`max`, the cost ceiling, and the platform's maximum) bound everything; raising to the floor
 *   needs no signal and ignores cool-downs;
 * - with the queue or the agents unknown, never scale in (hold) — scale out only to the floor;
 * - want = busy agents + ⌈queued / concurrency⌉ + minIdle (idle agents beyond `minIdle` are surplus);
 * - never below the busy agents (one per unit), even above the ceiling: a lowered `max` takes
 *   effect as they finish; scale-in protection keeps the platform from choosing a busy unit;
 * - scale out at most `maxStepOut` per decision and not within `cooldownOutSeconds` of the last change;
 * - scale in at most `maxStepIn`, not within `cooldownInSeconds`, and not while runs wait (the idle
 *   agents are about to take them); above the ceiling, scale in to it without waiting.
 */
export function decide(input: DecisionInput): Decision {
  const { policy, fleet, now } = input;
  const f = floorAt(policy, now);
  const ceiling = Math.min(policy.max, fleet.max);
  const floor = Math.min(Math.max(f.min, fleet.min), ceiling);
  const current = fleet.desired;
  const base = { floor, ceiling, minIdle: f.minIdle, ...(f.window === undefined ? {} : { window: f.window }) };
  const hold = (reason: DecisionReason, want?: number): Decision => ({ target: current, reason, ...(want === undefined ? {} : { want }), ...base });

  if (input.queued === undefined || input.agents === undefined) {
    if (current < floor) return { target: Math.min(floor, current + policy.maxStepOut), reason: "scale-out-floor", ...base };
    return hold("hold-unknown-signal");
  }

  const busy = input.agents.busy;
  const want = busy + Math.ceil(input.queued / Math.max(1, input.concurrency)) + f.minIdle;
  const bounded = Math.min(Math.max(want, floor), ceiling);
  const keepBusy = Math.min(busy, current); // never remove a unit whose agent works
  const desired = Math.max(bounded, keepBusy);
  const since = input.lastScaledAt ?? input.startedAt;

  if (desired > current) {
    const cooling = input.lastScaledAt !== undefined && now - input.lastScaledAt + SCHEDULE_JITTER_MS < policy.cooldownOutSeconds * 1000;
    if (current < floor) return { target: Math.min(Math.max(floor, cooling ? floor : desired), current + policy.maxStepOut), reason: "scale-out-floor", want, ...base };
    if (cooling) return hold("hold-cooldown", want);
    return { target: Math.min(desired, current + policy.maxStepOut), reason: "scale-out-demand", want, ...base };
  }
  if (desired < current) {
    if (current > ceiling) return { target: Math.max(ceiling, keepBusy), reason: current > Math.max(ceiling, keepBusy) ? "scale-in-above-max" : "hold-busy", want, ...base };
    if (input.queued > 0) return hold("hold-queue-waiting", want);
    if (since !== undefined && now - since + SCHEDULE_JITTER_MS < policy.cooldownInSeconds * 1000) return hold("hold-cooldown", want);
    return { target: Math.max(desired, current - policy.maxStepIn), reason: "scale-in-idle", want, ...base };
  }
  return hold(bounded < keepBusy ? "hold-busy" : "hold-steady", want);
}
