import { HttpTransport, SCALR_API_SHAPES, SCALR_RETRY, fetchTransport, readPoolSignal } from "../../../agent/autoscaler";
import { FakeScalr, startFakeScalr, virtualClock } from "./fake-scalr";

const POOL = "apool-v0o1autoscale";
let fake: FakeScalr;

beforeEach(async () => {
  fake = await startFakeScalr({
    pools: [{ id: POOL }, { id: "apool-other" }],
    environments: [{ id: "env-a", defaultPool: null }],
    workspaces: [
      { id: "ws-mine1", env: "env-a", pool: POOL },
      { id: "ws-mine2", env: "env-a", pool: POOL },
      { id: "ws-other", env: "env-a", pool: "apool-other" },
      { id: "ws-nopool", env: "env-a", pool: null },
    ],
    runs: [
      { id: "run-1", status: "plan_queued", ws: "ws-mine1" },
      { id: "run-2", status: "apply_queued", ws: "ws-mine2" },
      { id: "run-3", status: "plan_queued", ws: "ws-other" },
      { id: "run-4", status: "pending", ws: "ws-mine1" },
      { id: "run-5", status: "planning", ws: "ws-mine2" },
      { id: "run-6", status: "plan_queued", ws: "ws-nopool" },
    ],
    agents: [
      { id: "agent-1", name: "i-00000000000000001", status: "busy", pool: POOL },
      { id: "agent-2", name: "i-00000000000000002", status: "idle", pool: POOL },
      { id: "agent-3", name: "i-00000000000000003", status: "offline", pool: POOL },
      { id: "agent-9", name: "other", status: "idle", pool: "apool-other" },
    ],
  });
});
afterEach(() => fake.close());

const read = (transport: HttpTransport = fetchTransport, clock = virtualClock(), budgetMs = 60_000) =>
  readPoolSignal({ url: fake.url, token: "sa-token", poolId: POOL }, transport, clock, clock.now() + budgetMs);

describe("the Scalr adapter against a loopback JSON:API server", () => {
  test("counts plan_queued + apply_queued runs of the pool's workspaces, and its agents", async () => {
    const s = await read();
    expect(s.queued).toEqual({ known: true, value: 2 });
    expect(s.agents.known && s.agents.value.map((a) => a.status)).toEqual(["busy", "idle", "offline"]);
    expect(fake.requests).toContain(`/api/iacp/v3/workspaces?filter%5Bagent-pool%5D=${POOL}&page%5Bnumber%5D=1&page%5Bsize%5D=${SCALR_RETRY.pageSize}`);
    expect(fake.requests.some((r) => r.startsWith("/api/iacp/v3/runs-queue?filter%5Bstatus%5D=plan_queued&include=workspace%2Cenvironment"))).toBe(true);
  });

  test("follows next-page through every page", async () => {
    fake.state.maxPageSize = 1;
    const s = await read();
    expect(s.queued).toEqual({ known: true, value: 2 });
    expect(s.agents.known && s.agents.value).toHaveLength(3);
    expect(fake.requests.filter((r) => r.startsWith("/api/iacp/v3/agents")).length).toBe(3);
  });

  test("an environment's default pool and the account default pool serve workspaces with no pool", async () => {
    fake.state.pools[0] = { id: POOL, defaultEnvironments: ["env-a"] };
    expect((await read()).queued).toEqual({ known: true, value: 3 });
    fake.state.pools[0] = { id: POOL, default: true };
    expect((await read()).queued).toEqual({ known: true, value: 3 });
    fake.state.environments[0] = { id: "env-a", defaultPool: "apool-other" };
    expect((await read()).queued).toEqual({ known: true, value: 2 });
  });

  test("a default pool with runs it cannot attribute (no `included`) is unknown, not zero", async () => {
    fake.state.pools[0] = { id: POOL, default: true };
    fake.state.omitIncluded = true;
    const s = await read();
    expect(s.queued).toMatchObject({ known: false, unknown: { cause: "unreadable" } });
  });

  test("429s and 5xx are retried with backoff (Retry-After honoured) on the virtual clock", async () => {
    fake.state.faults.push({ status: 429, headers: { "Retry-After": "3" } }, { status: 503 }, { status: 429 });
    const clock = virtualClock();
    const s = await read(fetchTransport, clock);
    expect(s.agents.known).toBe(true);
    expect(s.queued).toEqual({ known: true, value: 2 });
    expect(clock.sleeps).toEqual([3000, 250, 500]); // Retry-After, then half of 250·2^(n-1) (random 0.5)
  });

  test("rate-limited past the time budget → unknown, without sleeping past it", async () => {
    for (let i = 0; i < 20; i++) fake.state.faults.push({ status: 429 });
    const clock = virtualClock();
    const start = clock.now();
    const s = await read(fetchTransport, clock, 3_000);
    expect(s.agents).toMatchObject({ known: false, unknown: { cause: "rate-limited" } });
    expect(s.queued.known).toBe(false);
    expect(clock.now() - start).toBeLessThanOrEqual(3_000);
  });

  test("an outage (connection refused) is unknown, not zero", async () => {
    await fake.close();
    const clock = virtualClock();
    const s = await readPoolSignal({ url: fake.url, token: "sa-token", poolId: POOL }, fetchTransport, clock, clock.now() + 20_000);
    expect(s.agents).toMatchObject({ known: false, unknown: { cause: "unreachable" } });
    expect(s.queued).toMatchObject({ known: false, unknown: { cause: "unreachable" } });
    fake = await startFakeScalr(); // for afterEach
  });

  test("an unreadable answer (HTML from a proxy, a list without data) is unknown", async () => {
    fake.state.faults.push({ status: 200, body: "<html>maintenance</html>" });
    expect((await read()).agents).toMatchObject({ known: false, unknown: { cause: "unreadable" } });
    fake.state.faults.push({ status: 200, body: JSON.stringify({ data: [{ id: "agent-1", type: "agents", attributes: {} }] }) });
    expect((await read()).agents).toMatchObject({ known: false, unknown: { cause: "unreadable", detail: expect.stringContaining("no status") } });
  });

  test("a rejected token (401) is not retried and is unknown", async () => {
    const s = await readPoolSignal({ url: fake.url, token: "wrong", poolId: POOL }, fetchTransport, virtualClock(), Date.UTC(2027, 0, 1));
    expect(s.agents).toMatchObject({ known: false, unknown: { cause: "http-error", detail: expect.stringMatching(/401$/) } });
    expect(fake.requests.filter((r) => r.startsWith("/api/iacp/v3/agents"))).toHaveLength(1);
  });

  test("every request carries the Bearer token and the JSON:API media type, and only GETs", async () => {
    const seen: Array<{ method: string; headers: Readonly<Record<string, string>> }> = [];
    const spy: HttpTransport = (r) => (seen.push(r), fetchTransport(r));
    await read(spy);
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(r).toMatchObject({ method: "GET", headers: { Authorization: "Bearer sa-token", Accept: "application/vnd.api+json" } });
  });

  test("the shapes table names a source for every row and marks the unverified ones", () => {
    for (const row of SCALR_API_SHAPES) expect(row.source.length).toBeGreaterThan(10);
    expect(SCALR_API_SHAPES.filter((r) => r.status === "assumed").every((r) => /unverified|assum|convention|undocumented|unpublished|use PageSize/i.test(r.source))).toBe(true);
  });
});
