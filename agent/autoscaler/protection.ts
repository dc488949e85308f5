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
 * - ECS (not built): the container would set `SCALR_AGENT_NAME` to the task ID from the task
 *   metadata endpoint (`$ECS_CONTAINER_METADATA_URI_V4/task`, `TaskARN`) before the agent starts;
 *   that needs a wrapper around Scalr's entrypoint (docs/autoscaling.md, "Agents to units"). Until
 *   then ECS agents do not map and no protection changes are made for them.
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
  /** Units whose agent is busy and which are not protected. */
  readonly protect: readonly string[];
  /** Protected units whose agent is idle. */
  readonly unprotect: readonly string[];
  /** Agent names that name no unit of the fleet (other hosts, or names without an ID). */
  readonly unmapped: readonly string[];
}

/**
 * Protects units whose agent is busy; unprotects those whose agent is idle. A unit whose agent is
 * offline, errored, unknown or absent keeps its protection as it is: only a known idle agent is
 * cleared (the drain path on the host stays the last line of defence). Two agents naming one unit
 * leave it alone unless all of them agree.
 */
export function planProtection(agents: readonly AgentInfo[], units: readonly FleetUnit[], kind: UnitKind): ProtectionPlan {
  const unitById = new Map(units.map((u) => [kind === "ecs" ? taskIdOfArn(u.id) : u.id, u] as const));
  const statusByUnit = new Map<string, Set<string>>();
  const unmapped: string[] = [];
  for (const a of agents) {
    const id = unitIdOfAgentName(a.name, kind);
    if (id === undefined || !unitById.has(id)) {
      unmapped.push(a.name);
      continue;
    }
    const s = statusByUnit.get(id) ?? new Set<string>();
    s.add(a.status);
    statusByUnit.set(id, s);
  }
  const protect: string[] = [];
  const unprotect: string[] = [];
  for (const [id, statuses] of statusByUnit) {
    const unit = unitById.get(id) as FleetUnit;
    const only = statuses.size === 1 ? [...statuses][0] : undefined;
    if (statuses.has("busy") && !unit.protected) protect.push(unit.id);
    else if (only === "idle" && unit.protected) unprotect.push(unit.id);
  }
  return { protect: protect.sort(), unprotect: unprotect.sort(), unmapped: unmapped.sort() };
}
