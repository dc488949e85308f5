/**
 * The one adapter between the autoscaler and Scalr's API: every request it makes and every field it
 * reads is here, and {@link SCALR_API_SHAPES} says which are verified (with the source) and which are
 * assumed. The loopback fake in `__tests__/agent/autoscaler/fake-scalr.ts` serves exactly these shapes.
 *
 * Sources are named as `repo@commit:path` or a URL; the facts were gathered in
 * `../shared/reference/scalr-facts-addendum.md` §A. Nothing here imports CDKTF: it runs in Lambda.
 */

/** One HTTP request. The adapter only reads (GET). */
export interface HttpRequest {
  /** Always `GET`. */
  readonly method: "GET";
  /** Absolute URL. */
  readonly url: string;
  /** Request headers (carry the token: never log them). */
  readonly headers: Readonly<Record<string, string>>;
  /** Abandon the attempt after this many milliseconds. */
  readonly timeoutMs: number;
}

/** One HTTP response; header names lower-case. */
export interface HttpResponse {
  /** Status code. */
  readonly status: number;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Body text. */
  readonly body: string;
}

/** Sends one request; throws on a network error or timeout. Tests pass a loopback or scripted one. */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** An {@link HttpTransport} over the runtime's `fetch` (Node 18+). */
export const fetchTransport: HttpTransport = async (request) => {
  const res = await fetch(request.url, { method: request.method, headers: request.headers, signal: AbortSignal.timeout(request.timeoutMs) });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  return { status: res.status, headers, body: await res.text() };
};

/** Time and chance, injected so tests control them. */
export interface ScalrRuntime {
  /** Milliseconds clock. */
  now(): number;
  /** Waits `ms`. */
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1), for backoff jitter. */
  random(): number;
}

/** Whether a shape the adapter relies on is verified from a primary source, inferred from one, or assumed. */
export type ShapeStatus = "verified" | "inferred" | "assumed";

/** One row of {@link SCALR_API_SHAPES}. */
export interface ApiShape {
  /** What the adapter relies on. */
  readonly shape: string;
  /** How sure it is. */
  readonly status: ShapeStatus;
  /** Where it is stated (or where it should be checked, for assumed rows). */
  readonly source: string;
}

const VSCODE = "Scalr/scalr-vscode@5e1268b998aa6030496b52df74ad8fd7b6cecd9a:src/api/types.gen.ts";
const GO_V2 = "Scalr/go-scalr@60635bee8e1c0767711f9c9530e760b2d5e24a74";

/** Every Scalr API shape the autoscaler relies on, and how sure we are of it. */
export const SCALR_API_SHAPES: readonly ApiShape[] = [
  { shape: "base path /api/iacp/v3 on the account host", status: "verified", source: `${GO_V2}:scalr.go (DefaultBasePath); ${VSCODE} (baseUrl)` },
  { shape: "Authorization: Bearer <token>; Accept: application/vnd.api+json", status: "verified", source: `${GO_V2}:scalr.go; ${GO_V2}:v2/scalr/client/http.gen.go` },
  { shape: "JSON:API list: {data: [{id, type, attributes, relationships}], included?, meta.pagination}", status: "verified", source: `${GO_V2}:v2/scalr/client/jsonapi.gen.go` },
  { shape: "paging: page[number], page[size]; meta.pagination.next-page null on the last page", status: "verified", source: `${GO_V2}:v2/scalr/client/jsonapi.gen.go (Pagination); ${GO_V2}:v2/scalr/ops/agent/agent.gen.go (iterator)` },
  { shape: "page[size]=100 is accepted (the maximum page size is not published)", status: "assumed", source: `go-scalr tests use PageSize: 100; maximum unverified: https://docs.scalr.io/reference` },
  { shape: "HTTP 429 means rate-limited; retry with backoff", status: "inferred", source: `${GO_V2}:v2/scalr/client/http.gen.go ("Always retry on 429"); ${GO_V2}:scalr.go (go-retryablehttp)` },
  { shape: "Retry-After on 429/503 (honoured when present, capped by the time budget)", status: "assumed", source: "unverified: https://docs.scalr.io/reference (no rate-limit headers documented)" },
  { shape: "GET /agent-pools/{id}: attributes.default (account default pool), relationships.default-environments", status: "verified", source: `${VSCODE} (AgentPool); ${GO_V2}:v2/scalr/schemas/agent_pool.gen.go` },
  { shape: "GET /workspaces?filter[agent-pool]=<pool>", status: "verified", source: `${VSCODE} (GetWorkspacesData)` },
  { shape: "workspace relationships.agent-pool (null when the workspace uses the environment/account default)", status: "verified", source: `${VSCODE} (Workspace: "Overrides the default account-level and environment-level pools")` },
  { shape: "environment relationships.default-workspace-agent-pool", status: "verified", source: "Scalr/go-scalr:environment.go (relation `default-workspace-agent-pool`); Scalr/terraform-provider-scalr@e29c00ca (default_workspace_agent_pool_id)" },
  { shape: "a workspace with no pool uses its environment's default, else the account default", status: "inferred", source: `${VSCODE} (Workspace.agent-pool, AgentPool.default descriptions)` },
  { shape: "GET /runs-queue?filter[status]=<one status>&include=workspace,environment", status: "verified", source: `https://docs.scalr.io/reference/get_runs_queue; ${VSCODE} (GetRunsQueueData); ${GO_V2}:v2/scalr/ops/run/run.gen.go` },
  { shape: "included workspaces/environments carry their relationships (agent-pool, default-workspace-agent-pool)", status: "assumed", source: "JSON:API convention; unverified: https://docs.scalr.io/reference/get_runs_queue" },
  { shape: "runs-queue has no agent-pool filter; runs have no agent-pool relationship", status: "verified", source: `${VSCODE} (Run, GetRunsQueueData); ${GO_V2}:v2/scalr/schemas/run.gen.go` },
  { shape: "plan_queued / apply_queued = waiting for capacity (agent demand)", status: "verified", source: `${GO_V2}:v2/scalr/schemas/run.gen.go (RunStatus: "queued and waiting for capacity/and or quota")` },
  { shape: "pending = waiting on earlier runs of the workspace (not agent demand); pre_plan_queued/pre_apply_queued not counted", status: "assumed", source: `${GO_V2}:v2/scalr/schemas/run.gen.go (pre_*_queued undocumented)` },
  { shape: "GET /agents?filter[agent-pool]=<pool>; attributes.status idle|busy|offline|errored, attributes.name", status: "verified", source: `${VSCODE} (GetAgentsData, Agent, AgentStatus); ${GO_V2}:v2/scalr/schemas/agent.gen.go` },
  { shape: "agent name = SCALR_AGENT_NAME, default the host name", status: "verified", source: "https://docs.scalr.io/docs/configuration (SCALR_AGENT_NAME: \"Unique agent name\", default hostname)" },
  { shape: "an agent has no current-run / task-count attribute: busy is per agent, not per slot", status: "verified", source: `${VSCODE} (Agent)` },
] as const;

/** Backoff of throttled or failing Scalr requests. */
export const SCALR_RETRY = {
  /** First backoff ceiling; doubles per attempt (full jitter). */
  baseMs: 250,
  /** Largest backoff ceiling. */
  capMs: 8_000,
  /** Attempts per request, the first included. */
  maxAttempts: 6,
  /** Longest single attempt. */
  attemptTimeoutMs: 10_000,
  /** No attempt is started with less time than this left. */
  minAttemptMs: 1_000,
  /** Page size asked for (maximum unverified, see {@link SCALR_API_SHAPES}). */
  pageSize: 100,
  /** Pages read per listing at most; a longer listing is "unknown", never truncated. */
  maxPages: 50,
} as const;

/** A JSON:API resource as the adapter reads it. */
export interface JsonApiResource {
  /** Resource ID. */
  readonly id: string;
  /** Resource type. */
  readonly type: string;
  /** Attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Relationships, `{data: {id, type} | [...] | null}` each. */
  readonly relationships: Readonly<Record<string, { readonly data?: unknown } | undefined>>;
}

/** A read that failed: why, for the log. The autoscaler treats it as an unknown signal. */
export interface ScalrUnknown {
  /** Short machine-readable cause. */
  readonly cause: "unreachable" | "rate-limited" | "server-error" | "http-error" | "unreadable" | "too-many-pages" | "out-of-time";
  /** Detail for the log (never the token). */
  readonly detail: string;
}

/** The outcome of a read: the value, or unknown with why. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly unknown: ScalrUnknown };

/** Counts of a pool's agents by status. */
export interface AgentCounts {
  /** Working on a task. */
  readonly busy: number;
  /** Ready for a task. */
  readonly idle: number;
  /** No heartbeat for 30 s. */
  readonly offline: number;
  /** Broken. */
  readonly errored: number;
}

/** One agent as the autoscaler uses it. */
export interface AgentInfo {
  /** Agent ID. */
  readonly id: string;
  /** `SCALR_AGENT_NAME` (default the host name). */
  readonly name: string;
  /** `idle`, `busy`, `offline`, `errored`, or what Scalr sent. */
  readonly status: string;
}

/** What the autoscaler reads about a pool: each part known or unknown on its own. */
export interface PoolSignal {
  /** Runs of the pool's workspaces in `plan_queued` or `apply_queued`. */
  readonly queued: Known<number>;
  /** The pool's agents. */
  readonly agents: Known<readonly AgentInfo[]>;
  /** HTTP requests made (attempts included), for the log. */
  readonly requests: number;
}

/** Where and how to reach Scalr. */
export interface ScalrConnection {
  /** `https://<account>.scalr.io` (no path). */
  readonly url: string;
  /** API token (a service account's). */
  readonly token: string;
  /** The pool to read. */
  readonly poolId: string;
}

/** Run statuses that mean "waiting for capacity". Source: go-scalr v2 run.gen.go (see {@link SCALR_API_SHAPES}). */
export const WAITING_STATUSES = ["plan_queued", "apply_queued"] as const;

/** Counts agents by status; an unexpected status counts as `errored` (not usable, not idle). */
export function countAgents(agents: readonly AgentInfo[]): AgentCounts {
  const c = { busy: 0, idle: 0, offline: 0, errored: 0 };
  for (const a of agents) {
    if (a.status === "busy") c.busy++;
    else if (a.status === "idle") c.idle++;
    else if (a.status === "offline") c.offline++;
    else c.errored++;
  }
  return c;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads one JSON:API resource object; undefined when it is not one. */
export function readResource(v: unknown): JsonApiResource | undefined {
  if (!isObject(v) || typeof v.id !== "string" || typeof v.type !== "string") return undefined;
  const attributes = isObject(v.attributes) ? v.attributes : {};
  const relationships = isObject(v.relationships) ? (v.relationships as JsonApiResource["relationships"]) : {};
  return { id: v.id, type: v.type, attributes, relationships };
}

/** The ID a to-one relationship names: a string, `null` when it names nothing, undefined when unreadable or absent. */
export function relationshipId(resource: JsonApiResource, name: string): string | null | undefined {
  const rel = resource.relationships[name];
  if (!isObject(rel) || !("data" in rel)) return undefined;
  if (rel.data === null) return null;
  return isObject(rel.data) && typeof rel.data.id === "string" ? rel.data.id : undefined;
}

/** The IDs a to-many relationship names; undefined when unreadable or absent. */
export function relationshipIds(resource: JsonApiResource, name: string): string[] | undefined {
  const rel = resource.relationships[name];
  if (!isObject(rel) || !Array.isArray(rel.data)) return undefined;
  const ids = rel.data.map((d) => (isObject(d) && typeof d.id === "string" ? d.id : undefined));
  return ids.every((x): x is string => x !== undefined) ? ids : undefined;
}

interface Page {
  readonly data: JsonApiResource[];
  readonly included: JsonApiResource[];
  readonly nextPage: number | null;
}

/** Parses one page of a JSON:API list; undefined when the body is not one. */
export function parseListPage(body: string): Page | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(doc) || !Array.isArray(doc.data)) return undefined;
  const data = doc.data.map(readResource);
  const included = Array.isArray(doc.included) ? doc.included.map(readResource) : [];
  if (data.some((r) => r === undefined) || included.some((r) => r === undefined)) return undefined;
  // meta.pagination.next-page: null on the last page (go-scalr v2 jsonapi.gen.go). A list without
  // pagination meta is read as one page only when it holds less than a page.
  const pagination = isObject(doc.meta) && isObject(doc.meta.pagination) ? doc.meta.pagination : undefined;
  let nextPage: number | null;
  if (pagination === undefined) {
    if (data.length >= SCALR_RETRY.pageSize) return undefined;
    nextPage = null;
  } else {
    const next = pagination["next-page"];
    if (next === null || next === undefined) nextPage = null;
    else if (typeof next === "number" && Number.isInteger(next) && next > 0) nextPage = next;
    else return undefined;
  }
  return { data: data as JsonApiResource[], included: included as JsonApiResource[], nextPage };
}

/** Parses Retry-After (seconds or an HTTP date); undefined when absent or unreadable. Unverified that Scalr sends it. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** A Scalr API reader bound to one connection, transport and deadline. */
export class ScalrApi {
  private requestCount = 0;

  public constructor(
    private readonly connection: ScalrConnection,
    private readonly transport: HttpTransport,
    private readonly runtime: ScalrRuntime,
    /** Clock time (runtime.now) after which no request starts. */
    private readonly deadline: number,
  ) {}

  /** Requests made so far, attempts included. */
  public get requests(): number {
    return this.requestCount;
  }

  /** One GET with retries on 429, 5xx and network errors, within the deadline. */
  public async get(pathAndQuery: string): Promise<Known<string>> {
    const url = `${this.connection.url.replace(/\/+$/, "")}/api/iacp/v3${pathAndQuery}`;
    let last: ScalrUnknown = { cause: "out-of-time", detail: `no time left for GET ${pathAndQuery}` };
    for (let attempt = 1; attempt <= SCALR_RETRY.maxAttempts; attempt++) {
      const left = this.deadline - this.runtime.now();
      if (left < SCALR_RETRY.minAttemptMs) return { known: false, unknown: attempt === 1 ? last : { ...last, detail: `${last.detail} (then out of time)` } };
      let retryAfter: number | undefined;
      try {
        this.requestCount++;
        const res = await this.transport({
          method: "GET",
          url,
          headers: { Authorization: `Bearer ${this.connection.token}`, Accept: "application/vnd.api+json" },
          timeoutMs: Math.min(SCALR_RETRY.attemptTimeoutMs, left),
        });
        if (res.status >= 200 && res.status < 300) return { known: true, value: res.body };
        if (res.status === 429) last = { cause: "rate-limited", detail: `GET ${pathAndQuery}: 429` };
        else if (res.status >= 500) last = { cause: "server-error", detail: `GET ${pathAndQuery}: ${res.status}` };
        else return { known: false, unknown: { cause: "http-error", detail: `GET ${pathAndQuery}: ${res.status}` } }; // 401/403/404: retrying gives the same answer
        retryAfter = retryAfterMs(res.headers["retry-after"], this.runtime.now());
      } catch (e) {
        last = { cause: "unreachable", detail: `GET ${pathAndQuery}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
      }
      if (attempt === SCALR_RETRY.maxAttempts) break;
      const ceiling = Math.min(SCALR_RETRY.capMs, SCALR_RETRY.baseMs * 2 ** (attempt - 1));
      const wait = Math.max(retryAfter ?? 0, Math.floor(this.runtime.random() * ceiling));
      if (this.runtime.now() + wait + SCALR_RETRY.minAttemptMs > this.deadline) return { known: false, unknown: { ...last, detail: `${last.detail} (no time left to retry)` } };
      await this.runtime.sleep(wait);
    }
    return { known: false, unknown: last };
  }

  /** Every item of a paged list (and the included resources), or unknown. */
  public async list(path: string, query: Readonly<Record<string, string>>): Promise<Known<{ data: JsonApiResource[]; included: JsonApiResource[] }>> {
    const data: JsonApiResource[] = [];
    const included: JsonApiResource[] = [];
    let page: number | null = 1;
    for (let n = 0; page !== null; n++) {
      if (n >= SCALR_RETRY.maxPages) return { known: false, unknown: { cause: "too-many-pages", detail: `${path}: more than ${SCALR_RETRY.maxPages} pages` } };
      const qs = new URLSearchParams({ ...query, "page[number]": String(page), "page[size]": String(SCALR_RETRY.pageSize) });
      const body = await this.get(`${path}?${qs.toString()}`);
      if (!body.known) return body;
      const parsed = parseListPage(body.value);
      if (parsed === undefined) return { known: false, unknown: { cause: "unreadable", detail: `${path} page ${page}: not a JSON:API list` } };
      data.push(...parsed.data);
      included.push(...parsed.included);
      if (parsed.nextPage !== null && parsed.nextPage <= page) return { known: false, unknown: { cause: "unreadable", detail: `${path}: next-page ${parsed.nextPage} after page ${page}` } };
      page = parsed.nextPage;
    }
    return { known: true, value: { data, included } };
  }

  /** One resource, or unknown. */
  public async show(path: string): Promise<Known<JsonApiResource>> {
    const body = await this.get(path);
    if (!body.known) return body;
    let doc: unknown;
    try {
      doc = JSON.parse(body.value);
    } catch {
      doc = undefined;
    }
    const r = isObject(doc) ? readResource(doc.data) : undefined;
    return r === undefined ? { known: false, unknown: { cause: "unreadable", detail: `${path}: not a JSON:API resource` } } : { known: true, value: r };
  }

  /** The pool's agents (`GET /agents?filter[agent-pool]=`); an agent without a readable status or name makes the list unknown. */
  public async agents(): Promise<Known<AgentInfo[]>> {
    const res = await this.list("/agents", { "filter[agent-pool]": this.connection.poolId });
    if (!res.known) return res;
    const agents: AgentInfo[] = [];
    for (const r of res.value.data) {
      const { status, name } = r.attributes;
      if (typeof status !== "string") return { known: false, unknown: { cause: "unreadable", detail: `/agents: agent ${r.id} has no status` } };
      agents.push({ id: r.id, name: typeof name === "string" ? name : "", status });
    }
    return { known: true, value: agents };
  }

  /** Runs waiting for this pool's capacity, counted through the runs' workspaces (runs have no pool). */
  public async queuedRuns(): Promise<Known<number>> {
    const pool = await this.show(`/agent-pools/${encodeURIComponent(this.connection.poolId)}`);
    if (!pool.known) return pool;
    const isAccountDefault = pool.value.attributes.default === true;
    const defaultEnvironments = relationshipIds(pool.value, "default-environments") ?? [];
    const explicit = await this.list("/workspaces", { "filter[agent-pool]": this.connection.poolId });
    if (!explicit.known) return explicit;
    const context: PoolContext = {
      poolId: this.connection.poolId,
      isAccountDefault,
      defaultEnvironments: new Set(defaultEnvironments),
      workspaces: new Set(explicit.value.data.map((w) => w.id)),
    };
    let total = 0;
    for (const status of WAITING_STATUSES) {
      // One status per request: whether filter[status] takes an `in:` list is unverified.
      const runs = await this.list("/runs-queue", { "filter[status]": status, include: "workspace,environment" });
      if (!runs.known) return runs;
      const counted = countRunsOfPool(runs.value.data, runs.value.included, context);
      if (!counted.known) return counted;
      total += counted.value;
    }
    return { known: true, value: total };
  }
}

/** What decides whether a run is this pool's. */
export interface PoolContext {
  /** The pool. */
  readonly poolId: string;
  /** The pool is the account's default (`attributes.default`). */
  readonly isAccountDefault: boolean;
  /** Environments whose default workspace pool it is (`relationships.default-environments`). */
  readonly defaultEnvironments: ReadonlySet<string>;
  /** Workspaces linked to it (`GET /workspaces?filter[agent-pool]=`). */
  readonly workspaces: ReadonlySet<string>;
}

/**
 * Counts the runs served by the pool. A run is the pool's when its workspace is linked to it; else,
 * when its workspace names no pool, its environment's default pool decides, else the account default
 * (the fallback is inferred from the schema's descriptions, see {@link SCALR_API_SHAPES}). When the
 * pool is a default somewhere, a run whose workspace (or environment) is not in `included` makes the
 * count unknown: it may be the pool's.
 */
export function countRunsOfPool(runs: readonly JsonApiResource[], included: readonly JsonApiResource[], pool: PoolContext): Known<number> {
  const byKey = new Map(included.map((r) => [`${r.type}/${r.id}`, r] as const));
  const isDefaultSomewhere = pool.isAccountDefault || pool.defaultEnvironments.size > 0;
  let count = 0;
  for (const run of runs) {
    const wsId = relationshipId(run, "workspace");
    if (typeof wsId !== "string") return { known: false, unknown: { cause: "unreadable", detail: `run ${run.id} names no workspace` } };
    if (pool.workspaces.has(wsId)) {
      count++;
      continue;
    }
    if (!isDefaultSomewhere) continue;
    const ws = byKey.get(`workspaces/${wsId}`);
    const wsPool = ws === undefined ? undefined : relationshipId(ws, "agent-pool");
    if (wsPool === undefined) return { known: false, unknown: { cause: "unreadable", detail: `run ${run.id}: workspace ${wsId} not included or its agent-pool unreadable` } };
    if (wsPool !== null) continue; // linked to another pool
    const envId = relationshipId(run, "environment") ?? (ws ? relationshipId(ws, "environment") : undefined);
    if (typeof envId !== "string") return { known: false, unknown: { cause: "unreadable", detail: `run ${run.id} names no environment` } };
    if (pool.defaultEnvironments.has(envId)) {
      count++;
      continue;
    }
    if (!pool.isAccountDefault) continue;
    const env = byKey.get(`environments/${envId}`);
    const envPool = env === undefined ? undefined : relationshipId(env, "default-workspace-agent-pool");
    if (envPool === undefined) return { known: false, unknown: { cause: "unreadable", detail: `run ${run.id}: environment ${envId} not included or its default pool unreadable` } };
    if (envPool === null || envPool === pool.poolId) count++;
  }
  return { known: true, value: count };
}

/**
 * Reads the pool's signal: waiting runs and agents, each known or unknown on its own, within
 * `deadline` (a `runtime.now()` time).
 */
export async function readPoolSignal(connection: ScalrConnection, transport: HttpTransport, runtime: ScalrRuntime, deadline: number): Promise<PoolSignal> {
  const api = new ScalrApi(connection, transport, runtime, deadline);
  const agents = await api.agents();
  const queued = await api.queuedRuns();
  return { queued, agents, requests: api.requests };
}
