import { AutoscalerDependencies, DECISION_LOG_PATTERNS, EcsCalls, HttpPost, asgFleet, createAutoscaler, ecsFleet, fetchTransport, signQueryPost } from "../../../agent/autoscaler";
import { FakeScalr, startFakeScalr, virtualClock } from "./fake-scalr";

const POOL = "apool-v0o1autoscale";
const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:scalr-autoscaler-AbCdEf";
const taskArn = (n: number) => `arn:aws:ecs:us-east-1:123456789012:task/agents/${n.toString(16).padStart(32, "0")}`;
const taskName = (n: number) => n.toString(16).padStart(32, "0");
const context = { getRemainingTimeInMillis: () => 60_000 };

/** A stateful in-memory ECS service: desired count, running tasks and their protection. */
function fakeEcs(desired: number, tasks: number[]) {
  const state = { desired, tasks: tasks.map(taskArn), protectedTasks: new Set<string>(), calls: [] as string[] };
  const calls: EcsCalls = {
    describeServices: async () => (state.calls.push("DescribeServices"), { services: [{ desiredCount: state.desired }], failures: [] }),
    listTasks: async () => (state.calls.push("ListTasks"), { taskArns: state.tasks }),
    getTaskProtection: async (i) => (state.calls.push("GetTaskProtection"), { protectedTasks: (i.tasks ?? []).map((t) => ({ taskArn: t, protectionEnabled: state.protectedTasks.has(t) })) }),
    updateService: async (i) => {
      state.calls.push(`UpdateService:${i.desiredCount}`);
      state.desired = i.desiredCount ?? state.desired;
    },
    updateTaskProtection: async (i) => {
      state.calls.push(`UpdateTaskProtection:${i.protectionEnabled}:${(i.tasks ?? []).length}:${i.expiresInMinutes ?? "-"}`);
      for (const t of i.tasks ?? []) {
        if (i.protectionEnabled) state.protectedTasks.add(t);
        else state.protectedTasks.delete(t);
      }
    },
  };
  return { state, calls };
}

let scalr: FakeScalr;
beforeEach(async () => {
  scalr = await startFakeScalr({
    pools: [{ id: POOL }],
    workspaces: [{ id: "ws-1", env: "env-a", pool: POOL }],
    environments: [{ id: "env-a", defaultPool: null }],
  });
});
afterEach(() => scalr.close());

const env = (o: Record<string, string> = {}) => ({
  SCALR_URL: "https://acme.scalr.io",
  SCALR_TOKEN_SECRET_ARN: SECRET_ARN,
  SCALR_AGENT_POOL_ID: POOL,
  TARGET_KIND: "ecs",
  TARGET_NAME: "scalr-agents",
  ECS_CLUSTER: "agents",
  SCALING_POLICY: JSON.stringify({ min: 0, max: 5, maxStepOut: 5, maxStepIn: 5, cooldownOutSeconds: 0, cooldownInSeconds: 0 }),
  ...o,
});

function build(ecs: ReturnType<typeof fakeEcs>, over: Partial<AutoscalerDependencies> = {}) {
  const clock = virtualClock();
  const lines: string[] = [];
  const secretReads: string[] = [];
  // The adapter is pointed at the loopback server whatever SCALR_URL says (SCALR_URL must be https).
  const transport: AutoscalerDependencies["scalr"] = (r) => fetchTransport({ ...r, url: r.url.replace("https://acme.scalr.io", scalr.url) });
  const handler = createAutoscaler({
    env: () => env(),
    getSecret: async (arn) => (secretReads.push(arn), "sa-token"),
    scalr: transport,
    createFleet: (cfg) => ecsFleet(ecs.calls, cfg.target.kind === "ecs" ? cfg.target.cluster : "", cfg.target.name),
    write: (l) => lines.push(l),
    ...clock,
    ...over,
  });
  return { handler, clock, lines, secretReads, log: () => JSON.parse(lines[lines.length - 1] ?? "{}") };
}

describe("the autoscaler handler end to end (loopback Scalr, in-memory ECS)", () => {
  test("scales out on a queue, protects the busy task, logs one decision line with EMF metrics", async () => {
    scalr.state.runs = [1, 2, 3].map((i) => ({ id: `run-${i}`, status: "plan_queued", ws: "ws-1" }));
    scalr.state.agents = [{ id: "agent-1", name: taskName(1), status: "busy", pool: POOL }];
    const ecs = fakeEcs(1, [1]);
    const h = build(ecs);
    const result = await h.handler({ source: "aws.events", "detail-type": "Scheduled Event" }, context);
    expect(result).toMatchObject({ outcome: "scaled", queued: 3, busy: 1, idle: 0, current: 1, target: 4, reason: "scale-out-demand" });
    expect(ecs.state.desired).toBe(4);
    expect(ecs.state.protectedTasks).toEqual(new Set([taskArn(1)]));
    expect(ecs.state.calls).toContain("UpdateTaskProtection:true:1:60");
    expect(h.lines).toHaveLength(1);
    const log = h.log();
    expect(log).toMatchObject({ level: "info", message: "scalr autoscaler", trigger: "schedule", pool: POOL, queued: 3, busy: 1, idle: 0, current: 1, target: 4, reason: "scale-out-demand" });
    expect(log._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(["QueuedRuns", "BusyAgents", "IdleAgents", "CurrentCapacity", "TargetCapacity"]);
    expect(h.lines.join("")).not.toContain("sa-token");
  });

  test("a Scalr run event (RunExecuted) decides like the schedule, and the log names the trigger", async () => {
    scalr.state.runs = [];
    scalr.state.agents = [1, 2].map((n) => ({ id: `agent-${n}`, name: taskName(n), status: "idle", pool: POOL }));
    const ecs = fakeEcs(2, [1, 2]);
    const h = build(ecs, { env: () => env({ SCALING_POLICY: JSON.stringify({ min: 0, max: 5, maxStepIn: 5, cooldownOutSeconds: 0, cooldownInSeconds: 0 }) }) });
    const runExecuted = { source: "aws.partner/scalr.com/acme", "detail-type": "RunExecuted", detail: { event: { "run-id": "run-9", result: "applied" } } };
    expect(await h.handler(runExecuted, context)).toMatchObject({ trigger: "run-event", outcome: "scaled", current: 2, target: 0, reason: "scale-in-idle" });
    expect(h.log().trigger).toBe("run-event");
    expect(await h.handler({ anything: true }, context)).toMatchObject({ trigger: "other" });
  });

  test("the alarms' filter patterns match what the handler writes: errors and unknown-signal holds, nothing else", async () => {
    // A pattern `{ $.field = "value" }`, as CloudWatch Logs evaluates it on a JSON log line.
    const matches = (pattern: string, line: string) => {
      const m = /^\{ \$\.(\w+) = "([^"]*)" \}$/.exec(pattern);
      if (!m) throw new Error(`not a simple pattern: ${pattern}`);
      return (JSON.parse(line) as Record<string, unknown>)[m[1] as string] === m[2];
    };
    scalr.state.runs = [];
    scalr.state.agents = [];
    const scaled = build(fakeEcs(0, []));
    await scaled.handler({}, context);
    const failed = build(fakeEcs(0, []), { getSecret: async () => Promise.reject(new Error("AccessDeniedException")) });
    await failed.handler({}, context);
    await scalr.close();
    const held = build(fakeEcs(2, [1, 2]));
    await held.handler({}, context);
    scalr = await startFakeScalr();
    const [ok, error, unknown] = [scaled, failed, held].map((h) => h.lines[h.lines.length - 1] as string);
    expect([matches(DECISION_LOG_PATTERNS.errors, ok!), matches(DECISION_LOG_PATTERNS.unknownSignal, ok!)]).toEqual([false, false]);
    expect([matches(DECISION_LOG_PATTERNS.errors, error!), matches(DECISION_LOG_PATTERNS.unknownSignal, error!)]).toEqual([true, false]);
    expect([matches(DECISION_LOG_PATTERNS.errors, unknown!), matches(DECISION_LOG_PATTERNS.unknownSignal, unknown!)]).toEqual([false, true]);
  });

  test("holds when Scalr is down: no scale-in, protection only renewed (it expires on ECS); the log says why and plots no made-up zero", async () => {
    const ecs = fakeEcs(3, [1, 2, 3]);
    ecs.state.protectedTasks.add(taskArn(2));
    await scalr.close();
    const h = build(ecs);
    const result = await h.handler({}, context);
    expect(result).toMatchObject({ outcome: "held", queued: null, busy: null, current: 3, target: 3, reason: "hold-unknown-signal" });
    // The protected task stays protected for another 60 minutes; nothing is cleared blind.
    expect(ecs.state.calls.filter((c) => c.startsWith("Update"))).toEqual(["UpdateTaskProtection:true:1:60"]);
    expect(ecs.state.protectedTasks).toEqual(new Set([taskArn(2)]));
    expect(h.log().unknown[0]).toMatch(/^unreachable: /);
    expect(h.log().QueuedRuns).toBeUndefined();
    scalr = await startFakeScalr();
  });

  test("scales in only idle capacity: busy tasks stay protected, idle ones are unprotected first", async () => {
    scalr.state.agents = [
      { id: "agent-1", name: taskName(1), status: "busy", pool: POOL },
      { id: "agent-2", name: taskName(2), status: "idle", pool: POOL },
      { id: "agent-3", name: taskName(3), status: "idle", pool: POOL },
    ];
    const ecs = fakeEcs(3, [1, 2, 3]);
    ecs.state.protectedTasks.add(taskArn(2));
    const h = build(ecs);
    const result = await h.handler({}, context);
    expect(result).toMatchObject({ outcome: "scaled", current: 3, target: 1, reason: "scale-in-idle", protection: { protect: [taskArn(1)], unprotect: [taskArn(2)], unmapped: [] } });
    const order = ecs.state.calls.filter((c) => c.startsWith("Update"));
    expect(order).toEqual(["UpdateTaskProtection:true:1:60", "UpdateTaskProtection:false:1:-", "UpdateService:1"]);
  });

  test("ECS agents without their task ID: every task is protected while one is busy, and scale-in waits for idle", async () => {
    scalr.state.agents = [
      { id: "agent-1", name: "ip-10-0-1-11", status: "busy", pool: POOL },
      { id: "agent-2", name: "ip-10-0-1-12", status: "idle", pool: POOL },
      { id: "agent-3", name: "ip-10-0-1-13", status: "idle", pool: POOL },
    ];
    const ecs = fakeEcs(3, [1, 2, 3]);
    const h = build(ecs);
    const busy = await h.handler({}, context);
    // Any task may run the busy agent: all are protected, and the count is held, so nothing rests on
    // protection that would lapse if the autoscaler stopped deciding.
    expect(busy).toMatchObject({ outcome: "held", current: 3, target: 3, reason: "hold-unmapped-busy", protection: { guard: true, protect: [taskArn(1), taskArn(2), taskArn(3)], unprotect: [] } });
    expect(ecs.state.protectedTasks).toEqual(new Set([taskArn(1), taskArn(2), taskArn(3)]));
    expect(ecs.state.calls.filter((c) => c.startsWith("Update"))).toEqual(["UpdateTaskProtection:true:3:60"]);

    // The busy agent lost its heartbeat (offline) but may still run: the guard holds and renews.
    scalr.state.agents = scalr.state.agents.map((a) => (a.id === "agent-1" ? { ...a, status: "offline" } : a));
    ecs.state.calls.length = 0;
    expect(await h.handler({}, context)).toMatchObject({ target: 3, reason: "hold-unmapped-busy", protection: { guard: true } });
    expect(ecs.state.calls.filter((c) => c.startsWith("Update"))).toEqual(["UpdateTaskProtection:true:3:60"]);

    // Scalr cannot be read for a while: every protection is renewed, nothing scaled in.
    await scalr.close();
    ecs.state.calls.length = 0;
    expect(await h.handler({}, context)).toMatchObject({ outcome: "held", target: 3, reason: "hold-unknown-signal" });
    expect(ecs.state.calls.filter((c) => c.startsWith("Update"))).toEqual(["UpdateTaskProtection:true:3:60"]);
    const agents = scalr.state.agents;
    scalr = await startFakeScalr({ pools: [{ id: POOL }], workspaces: [{ id: "ws-1", env: "env-a", pool: POOL }], environments: [{ id: "env-a", defaultPool: null }] });

    // The run ended: every protection the guard set is cleared first, then the surplus goes.
    scalr.state.agents = agents.map((a) => ({ ...a, status: "idle" }));
    ecs.state.calls.length = 0;
    const idle = await h.handler({}, context);
    expect(idle).toMatchObject({ outcome: "scaled", target: 0, reason: "scale-in-idle", protection: { guard: false, protect: [], unprotect: [taskArn(1), taskArn(2), taskArn(3)] } });
    expect(ecs.state.protectedTasks).toEqual(new Set());
    expect(ecs.state.calls.filter((c) => c.startsWith("Update"))).toEqual(["UpdateTaskProtection:false:3:-", "UpdateService:0"]);
  });

  test("a task ECS did not protect (a per-task failure in a 200 answer) stops the decision before the count is lowered", async () => {
    scalr.state.agents = [
      { id: "agent-1", name: taskName(1), status: "busy", pool: POOL },
      { id: "agent-2", name: taskName(2), status: "idle", pool: POOL },
    ];
    const ecs = fakeEcs(2, [1, 2]);
    const update = ecs.calls.updateTaskProtection;
    ecs.calls.updateTaskProtection = async (i) => {
      await update(i);
      return i.protectionEnabled ? { failures: [{ arn: taskArn(1), reason: "TASK_NOT_VALID" }] } : {};
    };
    const h = build(ecs);
    const result = await h.handler({}, context);
    expect(result).toMatchObject({ outcome: "apply-error", target: 1 });
    expect(h.log().error.message).toContain("TASK_NOT_VALID");
    expect(ecs.state.calls.some((c) => c.startsWith("UpdateService"))).toBe(false);
  });

  test("a bad environment is logged on every invocation and changes nothing", async () => {
    const ecs = fakeEcs(2, []);
    const h = build(ecs, { env: () => env({ TARGET_KIND: "k8s", SCALING_POLICY: "{" }) });
    await h.handler({}, context);
    await h.handler({}, context);
    expect(h.lines).toHaveLength(2);
    expect(h.log()).toMatchObject({ level: "error", outcome: "config-error" });
    expect(h.log().error.message).toContain("`TARGET_KIND` must be \"asg\" or \"ecs\"");
    expect(h.log().error.message).toContain("`SCALING_POLICY` must be JSON");
    expect(ecs.state.calls).toEqual([]);
  });

  test("the token is read once per warm container and again after Scalr rejects it", async () => {
    const ecs = fakeEcs(0, []);
    const reads: string[] = [];
    const h = build(ecs, { getSecret: async (arn) => (reads.push(arn), scalr.state.token) });
    await h.handler({}, context);
    await h.handler({}, context);
    expect(reads).toEqual([SECRET_ARN]);
    scalr.state.token = "rotated"; // the secret was rotated: the cached token is now rejected
    await h.handler({}, context);
    expect(h.log()).toMatchObject({ reason: "hold-unknown-signal" });
    await h.handler({}, context);
    expect(reads).toHaveLength(2);
    expect(h.log()).toMatchObject({ reason: "hold-steady", queued: 0 });
  });

  test("cool-down between warm invocations is kept in memory", async () => {
    scalr.state.agents = [{ id: "a", name: taskName(1), status: "idle", pool: POOL }];
    const ecs = fakeEcs(1, [1]);
    const h = build(ecs, { env: () => env({ SCALING_POLICY: JSON.stringify({ min: 0, max: 5, cooldownOutSeconds: 0, cooldownInSeconds: 600 }) }) });
    h.clock.advance(600_000);
    scalr.state.runs = [{ id: "r", status: "plan_queued", ws: "ws-1" }];
    await h.handler({}, context); // queue: 1 run, 1 idle → want 1 → hold
    scalr.state.runs = [];
    await h.handler({}, context);
    expect(h.log()).toMatchObject({ target: 0, reason: "scale-in-idle" });
    ecs.state.desired = 2;
    await h.handler({}, context);
    expect(h.log()).toMatchObject({ target: 2, reason: "hold-cooldown" });
  });
});

describe("the Auto Scaling fleet through the signed Query API", () => {
  const XML = `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>
    <AutoScalingGroupName>scalr-agents</AutoScalingGroupName><MinSize>0</MinSize><MaxSize>8</MaxSize><DesiredCapacity>2</DesiredCapacity>
    <WarmPoolConfiguration><MinSize>1</MinSize></WarmPoolConfiguration>
    <Instances>
      <member><InstanceId>i-00000000000000001</InstanceId><LifecycleState>InService</LifecycleState><ProtectedFromScaleIn>true</ProtectedFromScaleIn></member>
      <member><InstanceId>i-00000000000000002</InstanceId><LifecycleState>InService</LifecycleState><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>
      <member><InstanceId>i-00000000000000003</InstanceId><LifecycleState>Pending</LifecycleState><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>
    </Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>`;
  const endpoint = {
    url: "https://autoscaling.us-east-1.amazonaws.com",
    region: "us-east-1",
    credentials: () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session" }),
    now: () => Date.UTC(2026, 2, 2, 9, 0, 0),
  };

  test("reads desired/min/max and InService instances (not the warm pool's MinSize), sets capacity and protection", async () => {
    const sent: Array<{ headers: Readonly<Record<string, string>>; body: URLSearchParams }> = [];
    const post: HttpPost = async (_url, headers, body) => {
      sent.push({ headers, body: new URLSearchParams(body) });
      return { status: 200, body: sent.length === 1 ? XML : "<ok/>" };
    };
    const fleet = asgFleet(post, endpoint, "scalr-agents");
    expect(await fleet.describe()).toEqual({
      capacity: { desired: 2, min: 0, max: 8 },
      units: [
        { id: "i-00000000000000001", protected: true },
        { id: "i-00000000000000002", protected: false },
      ],
    });
    await fleet.setDesired(5);
    await fleet.setProtection(["i-00000000000000002"], true);
    expect(sent.map((s) => Object.fromEntries(s.body))).toEqual([
      { Action: "DescribeAutoScalingGroups", Version: "2011-01-01", "AutoScalingGroupNames.member.1": "scalr-agents" },
      { Action: "SetDesiredCapacity", Version: "2011-01-01", AutoScalingGroupName: "scalr-agents", DesiredCapacity: "5", HonorCooldown: "false" },
      { Action: "SetInstanceProtection", Version: "2011-01-01", AutoScalingGroupName: "scalr-agents", ProtectedFromScaleIn: "true", "InstanceIds.member.1": "i-00000000000000002" },
    ]);
    expect(sent[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260302\/us-east-1\/autoscaling\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(sent[0]?.headers["x-amz-security-token"]).toBe("session");
  });

  test("an error answer is thrown with its code", async () => {
    const fleet = asgFleet(async () => ({ status: 400, body: "<ErrorResponse><Error><Code>ValidationError</Code><Message>New SetDesiredCapacity value 9 is above max value 8</Message></Error></ErrorResponse>" }), endpoint, "g");
    await expect(fleet.setDesired(9)).rejects.toMatchObject({ name: "AwsQueryError", code: "ValidationError", status: 400 });
  });

  test("SigV4 signatures are deterministic for a request and change with its body", () => {
    const base = { url: "https://autoscaling.us-east-1.amazonaws.com/", region: "us-east-1", service: "autoscaling", credentials: { accessKeyId: "AKID", secretAccessKey: "secret" }, now: Date.UTC(2026, 0, 1) };
    const a = signQueryPost({ ...base, body: "Action=A" });
    expect(signQueryPost({ ...base, body: "Action=A" })).toEqual(a);
    expect(signQueryPost({ ...base, body: "Action=B" }).authorization).not.toEqual(a.authorization);
    expect(a["x-amz-date"]).toBe("20260101T000000Z");
  });
});
