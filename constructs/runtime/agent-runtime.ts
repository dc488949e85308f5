import { Lazy } from "cdktf";
import { z } from "zod";
import type { AgentPoolKind, AgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource, AgentTokenSourceKind } from "../../agent/settings/token-source";
import { IssueCollector } from "../../core/issues";
import { AgentPool } from "../scalr/agent-pool";

/**
 * The agent settings a runtime construct takes next to its `pool`: AgentSettings (or the runtime's
 * flavour of it, `S`) where the token and the pool kind may come from the pool.
 */
export type RuntimeAgentSettings<S extends Pick<AgentSettings, "token" | "poolKind"> = AgentSettings> = Omit<S, "token" | "poolKind"> & {
  /**
   * The pool token, as a reference. Each runtime accepts some sources only (see its `settings`).
   * A token of the pool (`pool.tokenSource(name)`) carries its name, which the runtime renders
   * ({@link TOKEN_NAME_VARIABLE}) so a switch of token rolls the agents.
   * @default - `pool.tokenSource()`, the pool's `activeToken`
   */
  readonly token?: AgentTokenSource;
  /** Run or VCS agent. @default - `pool.kind`, else "run" */
  readonly poolKind?: AgentPoolKind;
};

/**
 * {@link RuntimeAgentSettings} with the token and the pool kind filled in: the runtime's AgentSettings
 * input, as {@link resolveRuntimeSettings} returns it.
 */
export type ResolvedRuntimeAgentSettings<S extends Pick<AgentSettings, "token" | "poolKind"> = AgentSettings> = Omit<S, "token" | "poolKind"> & {
  readonly token: AgentTokenSource;
  readonly poolKind: AgentPoolKind;
};

/**
 * What an agent runtime accepts from a pool and a token, with the runtime's own words for what it
 * rejects. One constant per runtime, next to its construct.
 */
export interface AgentRuntime {
  /**
   * Pool kinds the runtime serves, and what `pool` must be otherwise (the message follows the
   * field name: `must be a run pool: …`).
   * @default - run and VCS pools
   */
  readonly poolKinds?: { readonly accepted: readonly AgentPoolKind[]; readonly message: string };
  /**
   * Reject a `settings.poolKind` that differs from the pool's kind. Off where the runtime leaves
   * `settings.poolKind` to the rules of AgentSettings alone.
   * @default true
   */
  readonly poolKindMatchesPool?: boolean;
  /** Token sources the runtime turns into the agent's token. */
  readonly tokenSources: {
    readonly accepted: readonly AgentTokenSourceKind[];
    /** What `settings.token` must be, for a source of another kind. */
    readonly message: string;
    /**
     * Report a token that is no AgentTokenSource at all with `message` too; otherwise AgentSettings'
     * own rule reports it when the settings are rendered.
     * @default false
     */
    readonly strict?: boolean;
    /** A token source to suggest when neither a token nor a pool is given (`AgentTokenSource.fromKubernetesSecret(name)`). @default - none */
    readonly example?: string;
  };
}

/** The `pool` prop of a runtime construct. */
export const runtimePoolSchema = z.custom<AgentPool>((v) => v instanceof AgentPool, { error: "must be an AgentPool" });

/**
 * The one way a runtime construct takes its agent settings, its pool and its token: checks that the
 * runtime serves the pool's kind, that `settings.poolKind` agrees with the pool, that there is a
 * token (`settings.token`, else the pool's) and that the runtime accepts its source. Problems go to
 * `issues`, at `pool`, `settings.poolKind` and `settings.token`.
 *
 * Returns the runtime's AgentSettings input with the token and the pool kind filled in, so the
 * fields of the settings can be checked even when the pool or the token are wrong: then the kind is
 * the one the runtime would run (the pool's, else the runtime's first) and a missing or rejected
 * token is a stand-in ({@link standInToken}). Returns undefined only when the props schema rejected
 * the settings (or the whole props). Render only while `issues` has nothing at `settings` or `pool`
 * (a rule that reads them), and build nothing before `issues.throwIfAny()`.
 *
 * ```ts
 * const p = issues.parse(propsSchema, props);
 * const settings = resolveRuntimeSettings(issues, props, GCE_RUNTIME);
 * if (settings) issues.rule([], () => resolveAgentSettings(settings, { subject, fieldPrefix: "settings" }));
 * if (settings) issues.rule(["settings", "pool", "os"], () => { userData = renderVmUserData(settings, { os: p.os }, { subject, fieldPrefix: "settings" }); });
 * issues.throwIfAny();
 * ```
 */
export function resolveRuntimeSettings<S extends Pick<AgentSettings, "token" | "poolKind"> = AgentSettings>(
  issues: IssueCollector,
  input: { readonly settings: RuntimeAgentSettings<S>; readonly pool?: Pick<AgentPool, "kind" | "tokenSource"> },
  runtime: AgentRuntime,
): ResolvedRuntimeAgentSettings<S> | undefined {
  // Settings of the wrong type (or props that are no object) were reported by the props schema.
  if (issues.has("settings")) return undefined;
  const settings = input.settings;
  // A pool of the wrong type was reported too: it may have been meant to give the token and the kind.
  const poolRejected = issues.has("pool");
  const pool = poolRejected ? undefined : input.pool;
  let poolKind = settings.poolKind ?? pool?.kind ?? "run";
  if (pool && runtime.poolKinds && !runtime.poolKinds.accepted.includes(pool.kind)) {
    issues.add("pool", runtime.poolKinds.message, pool.kind);
    poolKind = settings.poolKind ?? runtime.poolKinds.accepted[0] ?? pool.kind;
  } else if (pool && (runtime.poolKindMatchesPool ?? true) && settings.poolKind !== undefined && settings.poolKind !== pool.kind) {
    issues.add("settings.poolKind", `must match \`pool\` (a ${pool.kind} pool), or be left unset`, settings.poolKind);
    poolKind = pool.kind;
  }
  let token: unknown = settings.token ?? pool?.tokenSource();
  if (token === undefined) {
    if (!poolRejected) {
      const example = runtime.tokenSources.example;
      issues.add("settings.token", `is required when \`pool\` is not given${example ? ` (e.g. ${example})` : ""}`, undefined);
    }
    token = standInToken();
  } else {
    token = checkTokenSource(issues, token, runtime);
  }
  return { ...settings, ...tokenNameEnvironment(issues, (settings as { readonly extraEnv?: unknown }).extraEnv, token), token, poolKind } as ResolvedRuntimeAgentSettings<S>;
}

/**
 * The variable a runtime construct sets to the name of the agent's token (the pool token's name,
 * {@link AgentTokenSource.name}), never its value. The agent does not read it. It is there so that
 * pointing a runtime at another token changes what the runtime renders (a VM's user data and so its
 * launch template, an ECS container definition and so its task definition, a chart's pod template)
 * and the agents move to the new token through the runtime's own rolling path: an instance refresh
 * through the drain hook, an ECS deployment, a Kubernetes rollout (docs/token-rotation.md). Storing
 * a new value in the runtime's secret alone would reach new agents only.
 */
export const TOKEN_NAME_VARIABLE = "CDKTF_SCALR_KIT_TOKEN_NAME";

/**
 * The name of the token a pool issues when its `tokens` are not given. A runtime on it renders no
 * {@link TOKEN_NAME_VARIABLE}, as a runtime on a token without a name: a pool that never rotated its
 * token renders as it always did, and the first switch to a named token still changes the rendering.
 */
export const DEFAULT_TOKEN_NAME = "default";

/**
 * `extraEnv` with {@link TOKEN_NAME_VARIABLE} set to the token's name, when the token has one
 * (other than {@link DEFAULT_TOKEN_NAME}); nothing to add otherwise. A variable of that name in the
 * user's `extraEnv` is reported at `settings.extraEnv.<name>`: the kit sets it.
 */
function tokenNameEnvironment(issues: IssueCollector, extraEnv: unknown, token: unknown): { extraEnv?: Record<string, string> } {
  const given = extraEnv !== null && typeof extraEnv === "object" && !Array.isArray(extraEnv) ? (extraEnv as Record<string, string>) : undefined;
  if (given !== undefined && Object.keys(given).some((k) => k.toUpperCase() === TOKEN_NAME_VARIABLE)) {
    const key = Object.keys(given).find((k) => k.toUpperCase() === TOKEN_NAME_VARIABLE) as string;
    issues.add(`settings.extraEnv.${key}`, "is set by the kit to the name of the agent's pool token (it rolls the agents when the token changes): leave it out", given[key]);
  }
  const name = token instanceof AgentTokenSource ? token.name : undefined;
  if (name === undefined || name === DEFAULT_TOKEN_NAME) return {};
  // A malformed `extraEnv` is AgentSettings' to report: keep it as it is.
  if (extraEnv !== undefined && given === undefined) return {};
  return { extraEnv: { ...given, [TOKEN_NAME_VARIABLE]: name } };
}

/**
 * The token part of {@link resolveRuntimeSettings} alone, for a building block that takes no pool
 * (FargateAgentTask): reports a token source the runtime does not accept at `settings.token`.
 * Returns the token to check the rest of the settings with: the token itself, or a stand-in for a
 * value a strict runtime rejected as no token source (so it is not reported twice).
 */
export function checkTokenSource(issues: IssueCollector, token: unknown, runtime: AgentRuntime): unknown {
  const rule = runtime.tokenSources;
  if (token instanceof AgentTokenSource) {
    if (!rule.accepted.includes(token.kind)) issues.add("settings.token", rule.message, token.kind, { sensitive: false });
    return token;
  }
  if (!rule.strict) return token;
  issues.add("settings.token", rule.message, token, { sensitive: true });
  return standInToken();
}

/**
 * A token source that stands in for a missing or rejected token while the rest of the settings are
 * checked (every field of AgentSettings has its problems reported in the same error). It never
 * reaches a resource: a construct builds nothing while a problem is left, and resolving the
 * stand-in throws.
 */
export function standInToken(): AgentTokenSource {
  return AgentTokenSource.fromTerraformValue(
    Lazy.stringValue({
      produce: () => {
        throw new Error("cdktf-scalr-kit: a stand-in agent token reached the configuration; a construct built resources from settings with a problem");
      },
    }),
  );
}
