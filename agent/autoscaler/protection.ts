import type { AgentInfo } from "./scalr-api";

/**
 * Which unit (EC2 instance or ECS task) an agent runs on, from its name.
 *
 * ASSUMPTION (not verified against a live account): Scalr's agent API has no host or instance
 * attribute (Agent schema: Scalr/scalr-vscode@5e1268b9:src/api/types.gen.ts), so the only link is
 * the agent's `name`, which is `SCALR_AGENT_NAME` and defaults to the host name
 * (https://docs.scalr.io/docs/configuration). The kit makes the name carry the unit's ID:
 * - EC2 (built): with no `settings.name`, the VM boot (`agent/vm/scripts.ts`, `fetch-token`) reads
 *   the instance ID from IMDSv2 and sets `SCALR_AGENT_NAME` to it, so the name is exactly
 *   `i-0123456789abcdef0` (tested: `__tests__/agent/autoscaler/protection.test.ts`). A host name
 *   from resource-based naming (`i-….<region>.compute.internal`) maps too.
 * - ECS: nothing in Scalr's `scalr/agent` image sets `SCALR_AGENT_NAME` from the task (its ID is
 *   known only inside the task, at `$ECS_CONTAINER_METADATA_URI_V4/task`), so ECS agents usually do
 *   not map. A name that carries the 32-hex task ID (a user's wrapper entrypoint) maps like an
 *   instance; otherwise the fleet-wide guard below applies.
 * Agent names must be unique in a pool for this to hold ("Unique agent name", docs/configuration).
 */
export type UnitKind = "asg" | "ecs";

const INSTANCE_ID = /(?:^|[^0-9a-z])(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)(?![0-9a-f])/;
const TASK_ID = /(?:^|[^0-9a-f])([0-9a-f]{32})(?![0-9a-f])/;

/** The unit ID an agent name carries (`i-…` for asg, a 32-hex task ID for ecs), or undefined. */
export function unitIdOfAgentName(name: string, kind: UnitKind): string | undefined {
  const lower = name.toLowerCase();
  const m = (kind === "asg" ? INSTANCE_ID : TASK_ID).exec(lower);
  return m?.[1];
}

/** The unit ID within an ECS task ARN (`arn:…:task/<cluster>/<id>`, or the old `task/<id>`). */
export function taskIdOfArn(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** One unit of the fleet as the platform reports it. */
export interface FleetUnit {
  /** Instance ID, or the ECS task's ARN. */
  readonly id: string;
  /** Scale-in protection on now. */
  readonly protected: boolean;
}

/** Protection changes to make, and what could not be mapped. */
export interface ProtectionPlan {
  /** Units whose agent is busy and which are not protected (under the guard: every unprotected unit). */
  readonly protect: readonly string[];
  /** Protected units whose agent is idle (on ECS outside the guard: also protected units no busy agent claims). */
  readonly unprotect: readonly string[];
  /** Agent names that name no unit of the fleet (other hosts, or names without an ID). */
  readonly unmapped: readonly string[];
  /**
   * ECS only: an agent the fleet cannot map is busy (or offline, so possibly still running a run),
   * so it may run on any task; every task is protected, and the service is not scaled in, until no
   * unmapped agent is busy or offline.
   */
  readonly guard: boolean;
}

/**
 * Protects units whose agent is busy; unprotects those whose agent is idle. A unit whose agent is
 * offline, errored, unknown or absent keeps its protection as it is: only a known idle agent is
 * cleared (the drain path on the host stays the last line of defence). Two agents naming one unit
 * leave it alone unless all of them agree.
 *
 * ECS adds a fleet-wide guard, because its agents rarely carry their task ID (see above): while any
 * agent that maps to no task is busy or offline, every task of the service is protected (Amazon ECS
 * does not terminate protected tasks in scale-in events,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection.html) and the
 * handler does not lower the count, so nothing rests on protection that could lapse. When no
 * unmapped agent is busy or offline, protected tasks that no busy agent claims are cleared: on ECS
 * only the autoscaler protects tasks, and its protection would otherwise hold for its full expiry.
 */
export function planProtection(agents: readonly AgentInfo[], units: readonly FleetUnit[], kind: UnitKind): ProtectionPlan {
  const unitById = new Map(units.map((u) => [kind === "ecs" ? taskIdOfArn(u.id) : u.id, u] as const));
  const statusByUnit = new Map<string, Set<string>>();
  const unmapped: string[] = [];
  let unmappedBusy = false;
  for (const a of agents) {
    const id = unitIdOfAgentName(a.name, kind);
    if (id === undefined || !unitById.has(id)) {
      unmapped.push(a.name);
      // An offline agent may still be running a run whose heartbeat was lost: it holds the guard too.
      if (a.status === "busy" || a.status === "offline") unmappedBusy = true;
      continue;
    }
    const s = statusByUnit.get(id) ?? new Set<string>();
    s.add(a.status);
    statusByUnit.set(id, s);
  }
  unmapped.sort();
  if (kind === "ecs" && unmappedBusy) {
    return { protect: units.filter((u) => !u.protected).map((u) => u.id).sort(), unprotect: [], unmapped, guard: true };
  }
  const protect: string[] = [];
  const unprotect: string[] = [];
  for (const [id, statuses] of statusByUnit) {
    const unit = unitById.get(id) as FleetUnit;
    const only = statuses.size === 1 ? [...statuses][0] : undefined;
    if (statuses.has("busy") && !unit.protected) protect.push(unit.id);
    else if (only === "idle" && unit.protected) unprotect.push(unit.id);
  }
  if (kind === "ecs") {
    // Tasks no agent names (an earlier guard's protection): no busy agent can be on them now.
    for (const [id, unit] of unitById) if (unit.protected && !statusByUnit.has(id)) unprotect.push(unit.id);
  }
  return { protect: protect.sort(), unprotect: unprotect.sort(), unmapped, guard: false };
}
