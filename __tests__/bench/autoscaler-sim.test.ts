import { decide } from "../../agent/autoscaler/decision";
import { localTime, parsePolicy } from "../../agent/autoscaler/policy";
import { planProtection } from "../../agent/autoscaler/protection";
import { countAgents } from "../../agent/autoscaler/scalr-api";

interface Run {
  readonly arrival: number;
  readonly duration: number;
}
interface SimResult {
  readonly waits: number[];
  readonly agentSeconds: number;
  readonly maxUnits: number;
  readonly busyTerminated: number;
  readonly heldWhileQueued: number;
  readonly reasons: Record<string, number>;
  readonly launched: number;
}
type Api = { parsePolicy: typeof parsePolicy; decide: typeof decide; planProtection: typeof planProtection; countAgents: typeof countAgents; localTime: typeof localTime };
type Control = { kind: "fixed"; units: number } | { kind: "autoscaler"; api: Api; policy: unknown; signalSeconds?: number; startMs?: number };
interface SimModule {
  mulberry32(seed: number): () => number;
  pushRate(day: string, minute: number): number;
  generateTrace(o: { seed: number; days: number; localTime: typeof localTime }): Run[];
  peakConcurrency(runs: readonly Run[]): number;
  percentile(sorted: readonly number[], p: number): number;
  simulate(o: { runs: readonly Run[]; horizonSeconds: number; bootSeconds: number; concurrency: number; control: Control }): SimResult;
  summarize(r: SimResult): { p50: number; p95: number; max: number; agentHours: number };
  meetsGoal(auto: { p95: number; agentHours: number }, fixed: { p95: number; agentHours: number }, bootSeconds: number): boolean;
  parseSeeds(spec: string): number[];
}

// Plain JS script run by `npm run bench`; its pure parts are loaded here with the kit's runtime
// from the TypeScript sources (the benchmark itself loads dist/).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sim = require("../../bench/autoscaler-sim.js") as SimModule;
const api: Api = { parsePolicy, decide, planProtection, countAgents, localTime };
const HOUR = 3600;
const scaleToZero = { min: 0, max: 5, timeZone: "Europe/Berlin" };
const autoscaler = (policy: unknown, extra: Partial<Extract<Control, { kind: "autoscaler" }>> = {}): Control => ({ kind: "autoscaler", api, policy, ...extra });

describe("the trace", () => {
  test("is the same for a seed and differs between seeds", () => {
    const a = sim.generateTrace({ seed: 42, days: 1, localTime });
    expect(sim.generateTrace({ seed: 42, days: 1, localTime })).toEqual(a);
    expect(sim.generateTrace({ seed: 43, days: 1, localTime })).not.toEqual(a);
    const r = sim.mulberry32(7);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });

  test("follows the weekday profile: quiet nights, the 09:00 burst, a tenth of it at weekends", () => {
    expect(sim.pushRate("Mon", 5 * 60 + 59)).toBe(0.5);
    expect(sim.pushRate("Mon", 9 * 60)).toBe(120);
    expect(sim.pushRate("Fri", 14 * 60 + 30)).toBe(45);
    expect(sim.pushRate("Sat", 9 * 60)).toBe(12);
    const runs = sim.generateTrace({ seed: 1, days: 7, localTime });
    const count = (fromHour: number, toHour: number) => runs.filter((r) => r.arrival >= fromHour * HOUR && r.arrival < toHour * HOUR).length;
    // Expected runs: night 00-06 4.5, 09:00-09:30 90, a weekday ~615, a weekend day ~61.
    expect(count(0, 6)).toBeLessThan(15);
    expect(count(9, 9.5)).toBeGreaterThan(60);
    const monday = count(0, 24);
    expect(monday).toBeGreaterThan(500);
    expect(monday).toBeLessThan(750);
    expect(count(5 * 24, 7 * 24) / 2).toBeLessThan(monday / 5);
    expect(runs.every((r, i) => i === 0 || r.arrival >= (runs[i - 1] as Run).arrival)).toBe(true);
    const durations = runs.map((r) => r.duration).sort((x, y) => x - y);
    expect(sim.percentile(durations, 50)).toBeGreaterThan(200); // log-normal, median 240 s
    expect(sim.percentile(durations, 50)).toBeLessThan(280);
  });

  test("peak concurrency and nearest-rank percentiles", () => {
    const runs = [
      { arrival: 0, duration: 10 },
      { arrival: 5, duration: 10 },
      { arrival: 10, duration: 10 }, // the first ends as the third starts: 2, not 3
      { arrival: 12, duration: 1 },
    ];
    expect(sim.peakConcurrency(runs)).toBe(3);
    expect(sim.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(sim.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(sim.percentile([], 50)).toBeNaN();
    expect(sim.parseSeeds("3-5")).toEqual([3, 4, 5]);
    expect(() => sim.parseSeeds("a")).toThrow(/SIM_SEEDS/);
  });
});

describe("the simulator", () => {
  test("fixed fleet: FIFO on free slots, paid for the whole horizon", () => {
    const runs = [
      { arrival: 0, duration: 100 },
      { arrival: 10, duration: 50 },
      { arrival: 20, duration: 5 },
    ];
    const r = sim.simulate({ runs, horizonSeconds: HOUR, bootSeconds: 60, concurrency: 1, control: { kind: "fixed", units: 1 } });
    expect(r.waits).toEqual([0, 90, 130]);
    expect(r.agentSeconds).toBe(HOUR);
    const two = sim.simulate({ runs, horizonSeconds: HOUR, bootSeconds: 60, concurrency: 2, control: { kind: "fixed", units: 1 } });
    expect(two.waits).toEqual([0, 0, 40]);
  });

  test("autoscaler: decides each minute with the kit's decide, waits the boot, scales in after the cool-down", () => {
    const r = sim.simulate({ runs: [{ arrival: 10, duration: 100 }], horizonSeconds: HOUR, bootSeconds: 60, concurrency: 1, control: autoscaler(scaleToZero) });
    // Decisions at 0.8, 60.8, ...: the run is seen at 60.8, its unit is ready at 120.8.
    expect(r.waits[0]).toBeCloseTo(110.8, 6);
    // lastScaledAt 60.8 (the decision's time); scale-in at the decision 600 s later, 660.8.
    expect(r.agentSeconds).toBeCloseTo(660.8 - 60.8, 6);
    expect(r.reasons).toMatchObject({ "scale-out-demand": 1, "scale-in-idle": 1 });
  });

  test("a scale-out in the minute after another is not held by a cool-down of one period (lastScaledAt is the decision's time)", () => {
    const runs = [
      { arrival: 10, duration: 1000 },
      { arrival: 70, duration: 1000 },
    ];
    const r = sim.simulate({ runs, horizonSeconds: HOUR, bootSeconds: 60, concurrency: 1, control: autoscaler(scaleToZero) });
    // 120.8: busy 1, queued 1, 60 s after the scale-out at 60.8: scaled again, ready at 180.8.
    expect(r.waits[1]).toBeCloseTo(180.8 - 70, 6);
    expect(r.heldWhileQueued).toBe(0);
  });

  test("scale-in removes the idle unit, not the older busy one, because busy units are protected first", () => {
    const runs = [
      { arrival: 10, duration: 5000 },
      { arrival: 10, duration: 30 },
    ];
    const o = { runs, horizonSeconds: 2 * HOUR, bootSeconds: 60, concurrency: 1 };
    const protectedRun = sim.simulate({ ...o, control: autoscaler(scaleToZero) });
    expect(protectedRun.busyTerminated).toBe(0);
    expect(protectedRun.reasons["scale-in-idle"]).toBeGreaterThanOrEqual(1);
    // Without the protection plan the platform's oldest-first choice takes the busy unit.
    const noProtection: Api = { ...api, planProtection: () => ({ protect: [], unprotect: [], unmapped: [], guard: false }) };
    const unprotectedRun = sim.simulate({ ...o, control: { kind: "autoscaler", api: noProtection, policy: scaleToZero } });
    expect(unprotectedRun.busyTerminated).toBe(1);
  });

  test("a weekday: the autoscaler never terminates a busy unit and costs a fraction of the fixed fleet", () => {
    const runs = sim.generateTrace({ seed: 5, days: 1, localTime });
    const peak = sim.peakConcurrency(runs);
    const fixed = sim.summarize(sim.simulate({ runs, horizonSeconds: 24 * HOUR, bootSeconds: 180, concurrency: 1, control: { kind: "fixed", units: peak } }));
    const result = sim.simulate({ runs, horizonSeconds: 24 * HOUR, bootSeconds: 180, concurrency: 1, control: autoscaler({ ...scaleToZero, max: peak }) });
    const auto = sim.summarize(result);
    expect(fixed.p95).toBe(0); // sized for the peak: no run waits
    expect(result.busyTerminated).toBe(0);
    expect(result.waits.every((w) => w >= 0)).toBe(true);
    expect(result.maxUnits).toBeLessThanOrEqual(peak);
    expect(auto.agentHours).toBeLessThan(fixed.agentHours / 2);
    expect(auto.max).toBeLessThanOrEqual(60 + 60 + 180 + 1); // next decision, one cool-down minute, boot
    expect(sim.meetsGoal({ p95: 180, agentHours: 10 }, { p95: 0, agentHours: 20 }, 180)).toBe(true);
    expect(sim.meetsGoal({ p95: 181, agentHours: 10 }, { p95: 0, agentHours: 20 }, 180)).toBe(false);
    expect(sim.meetsGoal({ p95: 0, agentHours: 11 }, { p95: 0, agentHours: 20 }, 180)).toBe(false);
  });
});
