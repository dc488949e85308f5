import { FARGATE_MAX_STOP_TIMEOUT_SECONDS, MIN_GRACE_PERIOD_SECONDS, SHUTDOWN_MARGIN_SECONDS } from "../../../../agent/settings/shutdown-limits";
import { tryDecodeTerraformJson } from "../../../../core/terraform-json";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, blocks, numberOf, record } from "../../synthesized-stack";

/** ECS's stop timeout when a container sets none. */
const ECS_DEFAULT_STOP_TIMEOUT_SECONDS = 30;
const AGENT_IMAGE = /(^|\/)scalr\/agent([:@]|$)/;

/**
 * The agent's shutdown variables (https://docs.scalr.io/docs/configuration), each with its legacy
 * `SCALR_WORKER_*` name, which the agent still reads.
 */
const ENV = {
  action: ["SCALR_AGENT_WORKER_ON_STOP_ACTION", "SCALR_WORKER_ON_STOP_ACTION"],
  drain: ["SCALR_AGENT_WORKER_DRAIN_TIMEOUT", "SCALR_WORKER_DRAIN_TIMEOUT"],
  grace: ["SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT", "SCALR_WORKER_GRACE_SHUTDOWN_TIMEOUT"],
} as const;

/** KIT-ECS-1: Fargate containers stop within 120 s, and agents' shutdown fits in that time. */
export const KIT_ECS_1: KitRule = {
  id: "KIT-ECS-1",
  name: "fargate-stop-timeout",
  area: "ecs",
  severity: "error",
  description: `Fargate containers set \`stopTimeout\` of at most ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s. A Scalr agent container's shutdown mode (SCALR_AGENT_WORKER_ON_STOP_ACTION) fits it: \`drain\` needs ${MIN_GRACE_PERIOD_SECONDS.drain} s and drain + grace-shutdown timeouts ≤ stopTimeout − ${SHUTDOWN_MARGIN_SECONDS}; \`grace-shutdown\` needs ${MIN_GRACE_PERIOD_SECONDS.graceful} s and its timeout ≤ stopTimeout − ${SHUTDOWN_MARGIN_SECONDS}.`,
  rationale:
    "ECS sends SIGKILL after stopTimeout (30 s when unset, 120 s at most on Fargate). An agent still draining or stopping a run at that moment is killed mid-apply, which can leave state locked or half-written.",
  source: {
    title: "AWS: ECS ContainerDefinition `stopTimeout` (120 s at most on Fargate, 30 s by default)",
    url: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_ecs_task_definition")) {
      const compat = Array.isArray(r.body.requires_compatibilities) ? r.body.requires_compatibilities : [];
      if (!compat.includes("FARGATE")) continue;
      const containers = tryDecodeTerraformJson(r.body.container_definitions);
      if (!Array.isArray(containers)) continue;
      for (const c of containers.map(record)) {
        const name = JSON.stringify(c.name ?? "(unnamed)");
        const fail = (message: string) => findings.push({ path: r.path, message: `container ${name}: ${message}` });
        const given = numberOf(c.stopTimeout);
        if (c.stopTimeout !== undefined && given === undefined) continue; // a reference: known at apply time only
        if (given !== undefined && given > FARGATE_MAX_STOP_TIMEOUT_SECONDS) {
          fail(`stopTimeout must be at most ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} on Fargate, got ${given}`);
          continue;
        }
        const env = new Map(blocks(c.environment).map((e) => [String(e.name), e.value]));
        const isAgent = (typeof c.image === "string" && AGENT_IMAGE.test(c.image)) || env.has("SCALR_URL") || [...env.keys()].some((k) => k.startsWith("SCALR_AGENT_"));
        if (!isAgent) continue;
        const stop = given ?? ECS_DEFAULT_STOP_TIMEOUT_SECONDS;
        const stopText = given === undefined ? `the default stopTimeout (${stop} s)` : `stopTimeout ${stop}`;
        const read = (names: readonly string[]) => names.map((n) => env.get(n)).find((v) => v !== undefined);
        const action = read(ENV.action);
        const drain = numberOf(read(ENV.drain));
        const grace = numberOf(read(ENV.grace));
        const budget = stop - SHUTDOWN_MARGIN_SECONDS;
        if (action === undefined) {
          fail(`a Scalr agent must set SCALR_AGENT_WORKER_ON_STOP_ACTION (and its timeouts) to fit ${stopText}: the agent's own drain timeout is an hour`);
        } else if (typeof action === "string" && action.startsWith("<ref:")) {
          continue;
        } else if (action === "drain") {
          if (stop < MIN_GRACE_PERIOD_SECONDS.drain) fail(`shutdown mode "drain" needs stopTimeout ${MIN_GRACE_PERIOD_SECONDS.drain}, got ${stopText}; use "grace-shutdown" for shorter timeouts`);
          else if (drain === undefined || grace === undefined) fail(`shutdown mode "drain" must set SCALR_AGENT_WORKER_DRAIN_TIMEOUT and SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT to fit ${stopText}`);
          else if (drain + grace > budget) fail(`drain (${drain} s) + grace-shutdown (${grace} s) timeouts must be at most ${stopText} − ${SHUTDOWN_MARGIN_SECONDS} (${budget}) so runs stop before SIGKILL`);
        } else if (action === "grace-shutdown") {
          if (stop < MIN_GRACE_PERIOD_SECONDS.graceful) fail(`shutdown mode "grace-shutdown" needs stopTimeout of at least ${MIN_GRACE_PERIOD_SECONDS.graceful}, got ${stopText}`);
          else if (grace === undefined) fail(`shutdown mode "grace-shutdown" must set SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT to fit ${stopText}`);
          else if (grace > budget) fail(`grace-shutdown timeout (${grace} s) must be at most ${stopText} − ${SHUTDOWN_MARGIN_SECONDS} (${budget}) so runs stop before SIGKILL`);
        } else if (action !== "force-shutdown") {
          fail(`SCALR_AGENT_WORKER_ON_STOP_ACTION must be "drain", "grace-shutdown" or "force-shutdown", got ${JSON.stringify(action)}`);
        }
      }
    }
    return findings;
  },
};
