import { DecisionInput, PolicyError, decide, floorAt, localTime, parsePolicy, planProtection, unitIdOfAgentName } from "../../../agent/autoscaler";

const policy = parsePolicy({ min: 0, max: 10, minIdle: 0, cooldownOutSeconds: 60, cooldownInSeconds: 600, maxStepOut: 4, maxStepIn: 2 });
const NOW = Date.UTC(2026, 2, 2, 12, 0, 0); // a Monday
const LONG_AGO = NOW - 3_600_000;
const input = (o: Partial<DecisionInput> & { busy?: number; idle?: number; desired?: number }): DecisionInput => ({
  queued: 0,
  agents: { busy: o.busy ?? 0, idle: o.idle ?? 0, offline: 0, errored: 0 },
  fleet: { desired: o.desired ?? 0, min: 0, max: 100 },
  concurrency: 1,
  policy,
  now: NOW,
  lastScaledAt: LONG_AGO,
  ...o,
});

describe("decide: the decision table", () => {
  test.each([
    // [case, input, target, reason]
    ["scale out on a queue", input({ queued: 3, desired: 0 }), 3, "scale-out-demand"],
    ["scale out counts runs per unit (concurrency 5)", input({ queued: 7, concurrency: 5, desired: 0 }), 2, "scale-out-demand"],
    ["scale out is limited by maxStepOut", input({ queued: 9, desired: 1, busy: 1 }), 5, "scale-out-demand"],
    ["scale out stops at max (the cost ceiling)", input({ queued: 50, desired: 8, busy: 8 }), 10, "scale-out-demand"],
    ["scale out stops at the platform's max", input({ queued: 50, desired: 2, busy: 2, fleet: { desired: 2, min: 0, max: 3 } }), 3, "scale-out-demand"],
    ["hold when the queue is unknown", input({ queued: undefined, desired: 4, idle: 4 }), 4, "hold-unknown-signal"],
    ["hold when the agents are unknown", input({ agents: undefined, queued: 0, desired: 4 }), 4, "hold-unknown-signal"],
    ["unknown signal still raises to the floor (no scale-in, ever)", input({ queued: undefined, desired: 0, policy: { ...policy, min: 2 } }), 2, "scale-out-floor"],
    ["scale in only idle capacity, by maxStepIn", input({ desired: 6, busy: 1, idle: 5 }), 4, "scale-in-idle"],
    ["never below busy", input({ desired: 3, busy: 3, idle: 0 }), 3, "hold-steady"],
    ["never below busy, even above a lowered max", input({ desired: 12, busy: 12, policy: { ...policy, max: 10 } }), 12, "hold-busy"],
    ["above max: scale in to it (no wait), keeping busy", input({ desired: 14, busy: 11, idle: 3, queued: 2, policy: { ...policy, max: 10 } }), 11, "scale-in-above-max"],
    ["no scale-in while runs wait (idle agents take them)", input({ queued: 1, desired: 5, busy: 0, idle: 5 }), 5, "hold-queue-waiting"],
    ["minIdle keeps warm agents", input({ desired: 4, busy: 2, idle: 2, policy: { ...policy, minIdle: 2 } }), 4, "hold-steady"],
    ["minIdle scales out when warm agents are busy", input({ desired: 2, busy: 2, idle: 0, policy: { ...policy, minIdle: 1 } }), 3, "scale-out-demand"],
    ["min is a floor", input({ desired: 0, policy: { ...policy, min: 2 } }), 2, "scale-out-floor"],
    ["scale-in cool-down after a change", input({ desired: 5, idle: 5, lastScaledAt: NOW - 300_000 }), 5, "hold-cooldown"],
    ["scale-out cool-down after a change", input({ queued: 2, desired: 1, busy: 1, lastScaledAt: NOW - 30_000 }), 1, "hold-cooldown"],
    ["cold start: scale-in waits one cool-down from the start", input({ desired: 5, idle: 5, lastScaledAt: undefined, startedAt: NOW - 60_000 }), 5, "hold-cooldown"],
    ["the next scheduled decision, a little under one period later, may scale out again (60 s cool-down)", input({ queued: 2, desired: 1, busy: 1, lastScaledAt: NOW - 57_000 }), 3, "scale-out-demand"],
    ["scale-out cool-down holds well inside the period", input({ queued: 2, desired: 1, busy: 1, lastScaledAt: NOW - 54_000 }), 1, "hold-cooldown"],
    ["scale-in at the decision ten periods later (600 s cool-down)", input({ desired: 5, idle: 5, lastScaledAt: NOW - 598_000 }), 3, "scale-in-idle"],
    ["cold start: scale-out does not wait", input({ queued: 2, desired: 0, lastScaledAt: undefined, startedAt: NOW }), 2, "scale-out-demand"],
    ["scale to zero when idle", input({ desired: 1, idle: 1 }), 0, "scale-in-idle"],
  ])("%s", (_name, i, target, reason) => {
    const d = decide(i);
    expect({ target: d.target, reason: d.reason }).toEqual({ target, reason });
  });

  test("the floor raise ignores the cool-down but not the step", () => {
    const d = decide(input({ desired: 0, lastScaledAt: NOW - 1000, policy: { ...policy, min: 6 } }));
    expect(d).toMatchObject({ target: 4, reason: "scale-out-floor", floor: 6 });
  });
});

describe("schedules in a time zone", () => {
  const business = parsePolicy({
    min: 0,
    max: 20,
    timeZone: "Europe/Berlin",
    schedules: [{ days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "08:00", end: "18:00", min: 3, minIdle: 1 }],
  });

  test("the window applies in local time, and outside it the fleet scales to zero", () => {
    // Berlin is UTC+1 in winter: 07:30 UTC is 08:30 local.
    expect(floorAt(business, Date.UTC(2026, 2, 2, 7, 30))).toEqual({ min: 3, minIdle: 1, window: 0 });
    expect(floorAt(business, Date.UTC(2026, 2, 2, 6, 59))).toEqual({ min: 0, minIdle: 0 });
    expect(floorAt(business, Date.UTC(2026, 2, 7, 10, 0))).toEqual({ min: 0, minIdle: 0 }); // Saturday
    const night = decide({ queued: 0, agents: { busy: 0, idle: 3, offline: 0, errored: 0 }, fleet: { desired: 3, min: 0, max: 20 }, concurrency: 1, policy: { ...business, maxStepIn: 10 }, now: Date.UTC(2026, 2, 2, 20, 0), lastScaledAt: 0 });
    expect(night).toMatchObject({ target: 0, reason: "scale-in-idle" });
  });

  test("across the spring DST change (29 March 2026 in Berlin) the window still opens at 08:00 local", () => {
    // Friday 27 March: UTC+1, 08:00 local = 07:00 UTC. Monday 30 March: UTC+2, 08:00 local = 06:00 UTC.
    expect(floorAt(business, Date.UTC(2026, 2, 27, 7, 0)).min).toBe(3);
    expect(floorAt(business, Date.UTC(2026, 2, 27, 6, 59)).min).toBe(0);
    expect(floorAt(business, Date.UTC(2026, 2, 30, 6, 0)).min).toBe(3);
    expect(floorAt(business, Date.UTC(2026, 2, 30, 5, 59)).min).toBe(0);
    expect(localTime(Date.UTC(2026, 2, 30, 6, 0), "Europe/Berlin")).toEqual({ day: "Mon", minute: 480 });
  });

  test("across the autumn DST change (25 October 2026) the window closes at 18:00 local", () => {
    expect(floorAt(business, Date.UTC(2026, 9, 23, 15, 59)).min).toBe(3); // Fri, UTC+2
    expect(floorAt(business, Date.UTC(2026, 9, 23, 16, 0)).min).toBe(0);
    expect(floorAt(business, Date.UTC(2026, 9, 26, 16, 59)).min).toBe(3); // Mon, UTC+1
    expect(floorAt(business, Date.UTC(2026, 9, 26, 17, 0)).min).toBe(0);
  });

  test("a window past midnight belongs to its start day", () => {
    const nightly = parsePolicy({ min: 0, max: 5, timeZone: "America/New_York", schedules: [{ days: ["Fri"], start: "22:00", end: "02:00", min: 2 }] });
    expect(floorAt(nightly, Date.UTC(2026, 2, 7, 4, 0)).min).toBe(2); // Fri 23:00 EST
    expect(floorAt(nightly, Date.UTC(2026, 2, 7, 6, 30)).min).toBe(2); // Sat 01:30 EST
    expect(floorAt(nightly, Date.UTC(2026, 2, 7, 7, 30)).min).toBe(0); // Sat 02:30 EST
    expect(floorAt(nightly, Date.UTC(2026, 2, 8, 4, 0)).min).toBe(0); // Sat 23:00
  });

  test("a bad policy names each bad field", () => {
    expect(() => parsePolicy({ min: 5, max: 2, timeZone: "Mars/Olympus", schedules: [{ days: ["Mon"], start: "8:00", end: "18:00", min: 1 }] })).toThrow(PolicyError);
    try {
      parsePolicy({ min: 5, max: 2, timeZone: "Mars/Olympus", schedules: [{ days: ["Mon"], start: "8:00", end: "18:00", min: 1 }] });
    } catch (e) {
      const text = (e as PolicyError).issues.join("\n");
      expect(text).toContain("`timeZone` must be an IANA time zone");
      expect(text).toContain("`schedules.0.start` must be HH:MM");
    }
    expect(() => parsePolicy({ min: 5, max: 2 })).toThrow(/`min` must not exceed `max`/);
  });
});

describe("agents to units (ASSUMPTION: the agent name carries the instance or task ID)", () => {
  test.each([
    ["i-0123456789abcdef0.eu-west-1.compute.internal", "asg", "i-0123456789abcdef0"],
    ["scalr-agent-i-0a1b2c3d", "asg", "i-0a1b2c3d"],
    ["ip-10-0-1-23.ec2.internal", "asg", undefined],
    ["agent-0f1e2d3c4b5a69788796a5b4c3d2e1f0", "ecs", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"],
    ["0F1E2D3C4B5A69788796A5B4C3D2E1F0", "ecs", "0f1e2d3c4b5a69788796a5b4c3d2e1f0"],
    ["i-0123456789abcdef0", "ecs", undefined],
  ] as const)("%s (%s) → %s", (name, kind, id) => {
    expect(unitIdOfAgentName(name, kind)).toBe(id);
  });

  test("protect busy, unprotect idle, leave offline/unknown/unmapped alone", () => {
    const units = [
      { id: "i-00000000000000001", protected: false },
      { id: "i-00000000000000002", protected: true },
      { id: "i-00000000000000003", protected: true },
      { id: "i-00000000000000004", protected: true },
      { id: "i-00000000000000005", protected: false },
    ];
    const agents = [
      { id: "agent-1", name: "i-00000000000000001.ec2.internal", status: "busy" },
      { id: "agent-2", name: "i-00000000000000002.ec2.internal", status: "idle" },
      { id: "agent-3", name: "i-00000000000000003.ec2.internal", status: "offline" },
      { id: "agent-5", name: "i-00000000000000005.ec2.internal", status: "idle" },
      { id: "agent-x", name: "laptop", status: "busy" },
    ];
    expect(planProtection(agents, units, "asg")).toEqual({ protect: ["i-00000000000000001"], unprotect: ["i-00000000000000002"], unmapped: ["laptop"], guard: false });
  });

  test("ECS units are task ARNs; two agents on one unit must agree before it is unprotected", () => {
    const arn = "arn:aws:ecs:us-east-1:123456789012:task/agents/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    const agents = [
      { id: "a1", name: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", status: "idle" },
      { id: "a2", name: "old-0f1e2d3c4b5a69788796a5b4c3d2e1f0", status: "offline" },
    ];
    expect(planProtection(agents, [{ id: arn, protected: true }], "ecs")).toEqual({ protect: [], unprotect: [], unmapped: [], guard: false });
    expect(planProtection([agents[0]!], [{ id: arn, protected: true }], "ecs").unprotect).toEqual([arn]);
  });

  describe("ECS fleet-wide guard: agents that carry no task ID", () => {
    const arn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/agents/${n.toString(16).padStart(32, "0")}`;
    const units = [
      { id: arn(1), protected: false },
      { id: arn(2), protected: true },
      { id: arn(3), protected: false },
    ];

    test("a busy agent that maps to no task protects every task, and nothing is unprotected", () => {
      const agents = [
        { id: "a1", name: "ip-10-0-1-23", status: "busy" },
        { id: "a2", name: "ip-10-0-1-24", status: "idle" },
      ];
      expect(planProtection(agents, units, "ecs")).toEqual({ protect: [arn(1), arn(3)], unprotect: [], unmapped: ["ip-10-0-1-23", "ip-10-0-1-24"], guard: true });
    });

    test("a mapped idle agent does not lift the guard while another agent is busy unmapped", () => {
      const agents = [
        { id: "a1", name: arn(2).slice(-32), status: "idle" },
        { id: "a2", name: "ip-10-0-1-24", status: "busy" },
      ];
      expect(planProtection(agents, units, "ecs")).toMatchObject({ unprotect: [], guard: true });
    });

    test("once no unmapped agent is busy or offline, protection the guard left on tasks no agent names is cleared", () => {
      const agents = [
        { id: "a1", name: "ip-10-0-1-23", status: "idle" },
        { id: "a2", name: "ip-10-0-1-24", status: "errored" },
      ];
      expect(planProtection(agents, units, "ecs")).toEqual({ protect: [], unprotect: [arn(2)], unmapped: ["ip-10-0-1-23", "ip-10-0-1-24"], guard: false });
    });

    test("an offline unmapped agent may still run its run (lost heartbeat): it holds the guard", () => {
      const agents = [{ id: "a1", name: "ip-10-0-1-23", status: "offline" }];
      expect(planProtection(agents, units, "ecs")).toMatchObject({ protect: [arn(1), arn(3)], unprotect: [], guard: true });
    });

    test("a task claimed by a mapped busy or offline agent keeps its protection after the guard", () => {
      const agents = [
        { id: "a1", name: arn(2).slice(-32), status: "offline" },
        { id: "a2", name: "ip-10-0-1-24", status: "idle" },
      ];
      expect(planProtection(agents, units, "ecs")).toMatchObject({ unprotect: [], guard: false });
    });

    test("VM fleets have no guard: an unmapped busy agent changes nothing", () => {
      const vm = [{ id: "i-00000000000000001", protected: false }];
      expect(planProtection([{ id: "a", name: "laptop", status: "busy" }], vm, "asg")).toEqual({ protect: [], unprotect: [], unmapped: ["laptop"], guard: false });
    });
  });
});
