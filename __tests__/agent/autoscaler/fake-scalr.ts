import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A loopback Scalr API serving exactly the shapes agent/autoscaler/scalr-api.ts relies on
 * (SCALR_API_SHAPES): JSON:API documents under /api/iacp/v3, Bearer auth, `page[number]`/`page[size]`
 * with `meta.pagination.next-page`, GET /agent-pools/{id}, /workspaces?filter[agent-pool]=,
 * /runs-queue?filter[status]=&include=workspace,environment, /agents?filter[agent-pool]=.
 * Scripted faults: the next replies (429 with or without Retry-After, 5xx, garbage), or an outage.
 */
export interface FakeScalrState {
  token: string;
  pools: Array<{ id: string; default?: boolean; defaultEnvironments?: string[] }>;
  environments: Array<{ id: string; defaultPool: string | null }>;
  workspaces: Array<{ id: string; env: string; pool: string | null }>;
  runs: Array<{ id: string; status: string; ws: string }>;
  agents: Array<{ id: string; name: string; status: string; pool: string }>;
  /** Replies for the next requests, in order, before the normal answer. */
  faults: Array<{ status: number; headers?: Record<string, string>; body?: string }>;
  /** Largest page the fake serves (it clamps larger `page[size]`). */
  maxPageSize: number;
  /** Leaves `included` out of runs-queue answers. */
  omitIncluded: boolean;
}

export interface FakeScalr {
  readonly url: string;
  readonly state: FakeScalrState;
  /** Request paths received (with query). */
  readonly requests: string[];
  close(): Promise<void>;
}

const rel = (type: string, id: string | null) => ({ data: id === null ? null : { type, id } });

export async function startFakeScalr(initial: Partial<FakeScalrState> = {}): Promise<FakeScalr> {
  const state: FakeScalrState = { token: "sa-token", pools: [], environments: [], workspaces: [], runs: [], agents: [], faults: [], maxPageSize: 100, omitIncluded: false, ...initial };
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    requests.push(`${u.pathname}${u.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/vnd.api+json", ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const fault = state.faults.shift();
    if (fault) return send(fault.status, fault.body ?? { errors: [{ status: String(fault.status) }] }, fault.headers);
    if (req.headers.authorization !== `Bearer ${state.token}`) return send(401, { errors: [{ status: "401", title: "Unauthorized" }] });
    const path = u.pathname.replace(/^\/api\/iacp\/v3/, "");
    const q = (k: string) => u.searchParams.get(k);
    const list = (items: unknown[], included: unknown[] = []) => {
      const size = Math.min(Number(q("page[size]") ?? 20), state.maxPageSize);
      const number = Number(q("page[number]") ?? 1);
      const pages = Math.max(1, Math.ceil(items.length / size));
      send(200, {
        data: items.slice((number - 1) * size, number * size),
        ...(state.omitIncluded ? {} : { included }),
        meta: { pagination: { "current-page": number, "page-size": size, "prev-page": number > 1 ? number - 1 : null, "next-page": number < pages ? number + 1 : null, "total-pages": pages, "total-count": items.length } },
      });
    };
    const poolMatch = /^\/agent-pools\/([^/]+)$/.exec(path);
    if (poolMatch) {
      const p = state.pools.find((x) => x.id === poolMatch[1]);
      if (!p) return send(404, { errors: [{ status: "404" }] });
      return send(200, {
        data: { id: p.id, type: "agent-pools", attributes: { name: p.id, default: p.default ?? false }, relationships: { "default-environments": { data: (p.defaultEnvironments ?? []).map((id) => ({ type: "environments", id })) } } },
      });
    }
    if (path === "/workspaces") {
      const pool = q("filter[agent-pool]");
      return list(state.workspaces.filter((w) => w.pool === pool).map((w) => ({ id: w.id, type: "workspaces", attributes: {}, relationships: { "agent-pool": rel("agent-pools", w.pool), environment: rel("environments", w.env) } })));
    }
    if (path === "/runs-queue") {
      const status = q("filter[status]");
      const runs = state.runs.filter((r) => r.status === status);
      const wsIds = new Set(runs.map((r) => r.ws));
      const wss = state.workspaces.filter((w) => wsIds.has(w.id));
      const envs = state.environments.filter((e) => wss.some((w) => w.env === e.id));
      const included = [
        ...wss.map((w) => ({ id: w.id, type: "workspaces", attributes: {}, relationships: { "agent-pool": rel("agent-pools", w.pool), environment: rel("environments", w.env) } })),
        ...envs.map((e) => ({ id: e.id, type: "environments", attributes: {}, relationships: { "default-workspace-agent-pool": rel("agent-pools", e.defaultPool) } })),
      ];
      return list(
        runs.map((r) => ({
          id: r.id,
          type: "runs",
          attributes: { status: r.status },
          relationships: { workspace: rel("workspaces", r.ws), environment: rel("environments", state.workspaces.find((w) => w.id === r.ws)?.env ?? null) },
        })),
        included,
      );
    }
    if (path === "/agents") {
      const pool = q("filter[agent-pool]");
      return list(state.agents.filter((a) => a.pool === pool).map((a) => ({ id: a.id, type: "agents", attributes: { name: a.name, status: a.status }, relationships: { pool: rel("agent-pools", a.pool) } })));
    }
    send(404, { errors: [{ status: "404" }] });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A virtual clock: `sleep` advances it and records the wait. */
export function virtualClock(start = Date.UTC(2026, 2, 2, 9, 0, 0)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
    random: () => 0.5,
    sleeps,
  };
}
