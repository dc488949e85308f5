// zod/mini, as in agent/serverless/config.ts: small in the Lambda bundle.
import * as z from "zod/mini";

/** Days as `Intl.DateTimeFormat(…, {weekday: "short"})` names them in `en-US`. */
export const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
/** A day of the week. */
export type Day = (typeof DAYS)[number];

/** A window of the week with its own floor (e.g. business hours). */
export interface ScheduleWindow {
  /** Days the window starts on. */
  readonly days: readonly Day[];
  /** Local start time `HH:MM` (24 h), inclusive. */
  readonly start: string;
  /** Local end time `HH:MM`, exclusive; at or before `start` means the window ends the next day. */
  readonly end: string;
  /** Units to keep at least, in the window. */
  readonly min: number;
  /** Idle agents to keep ready in the window. @default the policy's `minIdle` */
  readonly minIdle?: number;
}

/** How a fleet scales. Units are instances (VmAgentFleet) or tasks (EcsAgentService), one agent each. */
export interface ScalingPolicy {
  /** Units to keep at least, outside every schedule window (0: scale to zero). */
  readonly min: number;
  /** Units never to exceed: the hard cost ceiling. */
  readonly max: number;
  /** Idle agents to keep ready outside schedule windows. */
  readonly minIdle: number;
  /** IANA time zone of the schedule (e.g. `Europe/Berlin`). */
  readonly timeZone: string;
  /** Windows with a higher floor; outside them `min`/`minIdle` apply. */
  readonly schedules: readonly ScheduleWindow[];
  /** Seconds after a change before scaling out again. */
  readonly cooldownOutSeconds: number;
  /** Seconds after a change before scaling in. */
  readonly cooldownInSeconds: number;
  /** Units added per decision at most. */
  readonly maxStepOut: number;
  /** Units removed per decision at most. */
  readonly maxStepIn: number;
}

/** Defaults of the optional fields. */
export const POLICY_DEFAULTS = {
  minIdle: 0,
  timeZone: "UTC",
  schedules: [] as readonly ScheduleWindow[],
  cooldownOutSeconds: 60,
  cooldownInSeconds: 600,
  maxStepOut: 10,
  maxStepIn: 1,
} as const;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const count = (max: number) => z.int("must be an integer").check(z.gte(0, "must be 0 or more"), z.lte(max, `must be at most ${max}`));

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const windowSchema = z.strictObject({
  days: z.array(z.enum(DAYS, `must be one of ${DAYS.join(", ")}`)).check(z.minLength(1, "must name at least one day")),
  start: z.string().check(z.regex(HHMM, "must be HH:MM (24 h)")),
  end: z.string().check(z.regex(HHMM, "must be HH:MM (24 h)")),
  min: count(10_000),
  minIdle: z.optional(count(10_000)),
});

const policySchema = z
  .strictObject({
    min: count(10_000),
    max: count(10_000),
    minIdle: z.optional(count(10_000)),
    timeZone: z.optional(z.string().check(z.refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin"))),
    schedules: z.optional(z.array(windowSchema).check(z.maxLength(50, "must hold at most 50 windows"))),
    cooldownOutSeconds: z.optional(count(86_400)),
    cooldownInSeconds: z.optional(count(86_400)),
    maxStepOut: z.optional(z.int("must be an integer").check(z.gte(1, "must be at least 1"), z.lte(10_000, "must be at most 10000"))),
    maxStepIn: z.optional(z.int("must be an integer").check(z.gte(1, "must be at least 1"), z.lte(10_000, "must be at most 10000"))),
  })
  .check(
    z.refine((p) => p.min <= p.max, { message: "`min` must not exceed `max`", path: ["min"] }),
    z.refine((p) => (p.schedules ?? []).every((w) => w.min <= p.max), { message: "a window's `min` must not exceed `max`", path: ["schedules"] }),
  );

/** The policy is not usable; `issues` names each bad field. */
export class PolicyError extends Error {
  /** One line per bad field. */
  public readonly issues: readonly string[];
  public constructor(issues: readonly string[]) {
    super(`scaling policy is invalid:\n  ${issues.join("\n  ")}`);
    this.name = "PolicyError";
    this.issues = issues;
  }
}

/** Validates a policy (parsed JSON) and fills its defaults. @throws PolicyError */
export function parsePolicy(input: unknown): ScalingPolicy {
  // Fields without a message of their own: "is required" when missing, "must be an array" and so on for the wrong type.
  const r = policySchema.safeParse(input, { error: (iss) => (iss.code !== "invalid_type" ? undefined : iss.input === undefined ? "is required" : `must be ${/^[aeiou]/.test(iss.expected) ? "an" : "a"} ${iss.expected}`) });
  if (!r.success) throw new PolicyError(r.error.issues.map((i) => `\`${i.path.join(".") || "policy"}\` ${i.message}`));
  const p = r.data;
  return {
    min: p.min,
    max: p.max,
    minIdle: p.minIdle ?? POLICY_DEFAULTS.minIdle,
    timeZone: p.timeZone ?? POLICY_DEFAULTS.timeZone,
    schedules: p.schedules ?? POLICY_DEFAULTS.schedules,
    cooldownOutSeconds: p.cooldownOutSeconds ?? POLICY_DEFAULTS.cooldownOutSeconds,
    cooldownInSeconds: p.cooldownInSeconds ?? POLICY_DEFAULTS.cooldownInSeconds,
    maxStepOut: p.maxStepOut ?? POLICY_DEFAULTS.maxStepOut,
    maxStepIn: p.maxStepIn ?? POLICY_DEFAULTS.maxStepIn,
  };
}

/** Local weekday and minute of the day at `epochMs` in `timeZone` (DST-correct: Intl applies the zone's rules). */
export function localTime(epochMs: number, timeZone: string): { readonly day: Day; readonly minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(epochMs));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  const day = get("weekday") as Day;
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const previousDay = (d: Day): Day => DAYS[(DAYS.indexOf(d) + 6) % 7] as Day;

/** Whether local time `t` is in `w`: on a start day from `start`, or (for a window past midnight) on the next day before `end`. */
export function inWindow(w: ScheduleWindow, t: { readonly day: Day; readonly minute: number }): boolean {
  const start = toMinute(w.start);
  const end = toMinute(w.end);
  if (end > start) return w.days.includes(t.day) && t.minute >= start && t.minute < end;
  return (w.days.includes(t.day) && t.minute >= start) || (w.days.includes(previousDay(t.day)) && t.minute < end);
}

/** The floor at `epochMs`: the largest `min`/`minIdle` of the windows it falls in, else the policy's own. */
export function floorAt(policy: ScalingPolicy, epochMs: number): { readonly min: number; readonly minIdle: number; readonly window?: number } {
  const t = localTime(epochMs, policy.timeZone);
  let best: { min: number; minIdle: number; window?: number } = { min: policy.min, minIdle: policy.minIdle };
  policy.schedules.forEach((w, i) => {
    if (!inWindow(w, t)) return;
    const min = Math.max(best.min, w.min);
    const minIdle = Math.max(best.window === undefined ? 0 : best.minIdle, w.minIdle ?? policy.minIdle);
    best = { min, minIdle, window: best.window ?? i };
  });
  return best;
}
