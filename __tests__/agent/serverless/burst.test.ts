import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ServerlessAgentPool, ServerlessAgentPoolProps } from "../../../constructs/ecs/serverless-agent-pool";
import { bundleWebhookHandler } from "../../../constructs/ecs/webhook-handler-bundle";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { FARGATE_RUN_TASK_RATE, FARGATE_TASK_LAUNCH_RATE, FakeEcs, startFakeEcs } from "../../support/fake-ecs";
import { BurstResult, IntakeLimits, RedeliverySchedule, SimClock, intakeLimitsOf, loadBundle, runBurst, tasksByStartedBy } from "./burst-sim";

// A burst of distinct Scalr deliveries (a vending-machine apply, a monorepo commit) through a
// serverless pool as synthesized: API Gateway's usage-plan throttle and quota and the Lambda's
// reserved concurrency read from the synthesized JSON, the real bundled handler, and a loopback ECS
// that throttles RunTask as Fargate documents it (FARGATE_RUN_TASK_RATE, FARGATE_TASK_LAUNCH_RATE)
// and honours clientToken. Scalr's redelivery schedule is not documented
// (unverified: https://docs.scalr.io/docs/serverless-webhooks, "Response and retries"), so it is a
// parameter; the pessimistic one below gives up after three redeliveries within two minutes.
// Time is simulated: the drain time is printed, not gated.

/** Three redeliveries, 10 s, 30 s and 60 s after each rejection: then the sender gives up. */
const PESSIMISTIC: RedeliverySchedule = { delaysMs: [10_000, 30_000, 60_000] };
/** No redelivery at all: what the intake holds on the first attempt. */
const NONE: RedeliverySchedule = { delaysMs: [] };

const BURST = 300;
const SIM_START = Date.UTC(2026, 10, 2, 10, 15, 0);

function synth(props: Partial<ServerlessAgentPoolProps> = {}): IntakeLimits {
  const stack = new TerraformStack(Testing.app(), "burst");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new ScalrProvider(stack, "scalr", {});
  new ServerlessAgentPool(stack, "Serverless", { name: "burst", settings: { scalrUrl: "https://acme.scalr.io" }, vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"], ...props });
  return intakeLimitsOf(JSON.parse(Testing.synth(stack)));
}

/** The defaults before docs/decisions/0010-burst-intake.md, given explicitly. */
const LEGACY: Partial<ServerlessAgentPoolProps> = { maxConcurrentLaunches: 10, throttle: { rateLimit: 5, burstLimit: 10, dailyQuota: 5000 } };

let bundleDir: string;
const fakes: FakeEcs[] = [];
const report: string[] = [];

beforeAll(() => {
  bundleDir = bundleWebhookHandler({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), "burst-")) });
});
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fs.rmSync(bundleDir, { recursive: true, force: true });
  // The measurement, for the reader of the test log (docs/decisions/0010-burst-intake.md quotes it).
  console.log(`burst intake (simulated time):\n${report.join("\n")}`);
});

async function burst(
  name: string,
  limits: IntakeLimits,
  schedule: RedeliverySchedule,
  count = BURST,
  arrivalWindowMs = 0,
  senderTimeoutMs?: number,
): Promise<{ result: BurstResult; fake: FakeEcs }> {
  const clock = new SimClock(SIM_START);
  const fake = await startFakeEcs({ now: clock.now, runTaskRate: FARGATE_RUN_TASK_RATE, taskLaunchRate: FARGATE_TASK_LAUNCH_RATE });
  fakes.push(fake);
  const result = await runBurst({ bundle: loadBundle(bundleDir), fake, clock, limits, schedule, count, arrivalWindowMs, seed: 7, ...(senderTimeoutMs !== undefined ? { senderTimeoutMs } : {}) });
  const r = result.rejectedBy;
  report.push(
    `  ${name}: ${count} deliveries, limits ${JSON.stringify(limits)}, redeliveries ${JSON.stringify(schedule.delaysMs)} → ` +
      `${result.delivered.size} launched, ${result.lost.length} lost, drain ${(result.drainMs / 1000).toFixed(1)} s, ` +
      `rejected: throttle ${r.throttle}, quota ${r.quota}, concurrency ${r.concurrency}, handler ${r.handler}, 504 ${r["gateway-timeout"]}, sender timeout ${r["sender-timeout"]}; ` +
      `peak concurrency ${result.peakConcurrency}, RunTask throttled by ECS ${fake.throttled()}×, most RunTask calls in one invocation ${result.maxHandlerAttempts}`,
  );
  return { result, fake };
}

/** Every delivery's key has at most one task; each 2xx names the one task its key has. */
function expectNoneDoubled(result: BurstResult, fake: FakeEcs): void {
  const tasks = tasksByStartedBy(fake);
  for (const [startedBy, arns] of tasks) expect({ startedBy, arns }).toEqual({ startedBy, arns: [arns[0]] });
  for (const [key, taskArn] of result.delivered) expect(tasks.get(`scalr/task/${key}`)).toEqual([taskArn]);
}

// Simulated time keeps the results deterministic, but each case still makes hundreds of loopback calls: a busy CI machine needs more than the default 5 s.
jest.setTimeout(60_000);

describe("a burst of distinct deliveries through the synthesized intake", () => {
  test(`the defaults launch every one of ${BURST} deliveries exactly once under a pessimistic redelivery schedule`, async () => {
    const limits = synth();
    const { result, fake } = await burst("defaults, pessimistic", limits, PESSIMISTIC);
    expect(result.lost).toEqual([]);
    expect(result.delivered.size).toBe(BURST);
    expect(fake.tasks.size).toBe(BURST);
    expectNoneDoubled(result, fake);
    // ECS really throttled: the handler's own retries did the pacing.
    expect(fake.throttled()).toBeGreaterThan(0);
    expect(result.rejectedBy["gateway-timeout"]).toBe(0);
    // No invocation ran out of retries: every 503 would be a delivery left to Scalr's schedule.
    expect(result.rejectedBy.handler).toBe(0);
  });

  test("a sender that gives up waiting after 2 s and redelivers while the first invocation still runs: the clientToken and ListTasks keep it at one task each", async () => {
    const limits = synth();
    const { result, fake } = await burst("defaults, sender timeout 2 s, pessimistic", limits, PESSIMISTIC, BURST, 0, 2_000);
    expect(result.rejectedBy["sender-timeout"]).toBeGreaterThan(0);
    expect(result.lost).toEqual([]);
    expect(fake.tasks.size).toBe(BURST);
    expectNoneDoubled(result, fake);
    // Some redeliveries reached RunTask with the token of a launch in flight or done.
    const tokens = fake.runTaskRequests().map((b) => b.clientToken as string);
    expect(new Set(tokens).size).toBeLessThan(tokens.length);
  });

  test("the defaults hold a burst of their burst limit on the first attempt, with no redelivery at all", async () => {
    const limits = synth();
    const { result, fake } = await burst("defaults, no redelivery", limits, NONE, limits.burstLimit);
    expect(result.lost).toEqual([]);
    expect(fake.tasks.size).toBe(limits.burstLimit);
    expectNoneDoubled(result, fake);
  });

  test("past the burst limit without redelivery, the excess is refused by API Gateway (429) — never half-launched or doubled", async () => {
    const limits = synth();
    const { result, fake } = await burst("defaults, no redelivery, 2× burst", limits, NONE, 2 * limits.burstLimit);
    expect(result.lost.length).toBe(limits.burstLimit);
    expect(result.rejectedBy.throttle).toBe(limits.burstLimit);
    expect(fake.tasks.size).toBe(limits.burstLimit);
    expectNoneDoubled(result, fake);
  });

  test("the legacy defaults (5 req/s, burst 10, concurrency 10) lose most of the burst under the same schedule", async () => {
    const limits = synth(LEGACY);
    expect(limits).toMatchObject({ rateLimit: 5, burstLimit: 10, reservedConcurrency: 10 });
    const { result, fake } = await burst("legacy defaults, pessimistic", limits, PESSIMISTIC);
    expect(result.lost.length).toBeGreaterThan(BURST / 2);
    expect(result.delivered.size + result.lost.length).toBe(BURST);
    expect(fake.tasks.size).toBe(result.delivered.size);
    expectNoneDoubled(result, fake);
  });

  test("a burst spread over 10 s with concurrency below the ECS drain time: Lambda throttles are redelivered, still exactly one task each", async () => {
    const limits = { ...synth({ maxConcurrentLaunches: 20 }) };
    expect(limits.reservedConcurrency).toBe(20);
    const { result, fake } = await burst("concurrency 20, 10 s arrival, pessimistic", limits, PESSIMISTIC, BURST, 10_000);
    expect(result.rejectedBy.concurrency).toBeGreaterThan(0);
    expect(result.delivered.size + result.lost.length).toBe(BURST);
    expect(fake.tasks.size).toBe(result.delivered.size);
    expectNoneDoubled(result, fake);
  });
});
