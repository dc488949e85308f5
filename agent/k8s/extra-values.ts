import { findPodWeakenings } from "./pod-weakening";
import { reservedEnvField } from "../settings/agent-settings";
import { ValidationIssue, describeValue, fieldPath, isToken } from "../../core/validation";

// What the kit does with `extraValues` besides parsing them against the chart's model: they must be
// plain data, their `extraEnv` may not name a reserved variable, they may add keys next to the kit's
// but never replace one of its values, and then they are merged into what the kit renders
// (docs/decisions/0004-helm-values-from-agent-settings.md).

/** Reports a bad field: a path below the options (`extraValues.…`), what is wrong, what was received. */
export type FailField = (field: string, message: string, received: unknown) => void;

/** Where the kit's rendered values came from (the setting to name in a conflict). */
export interface RenderedValueSources {
  /** The setting the value at `path` was rendered from. */
  sourceAt(path: readonly string[]): string | undefined;
  /** The setting some value below `path` was rendered from. */
  sourceBelow(path: readonly string[]): string | undefined;
}

/** A non-null object that is neither a list nor a Terraform reference. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isToken(v);
}

/** Reports values Helm values cannot hold (functions, class instances, NaN, undefined). */
export function checkPlainData(value: unknown, path: readonly PropertyKey[], fail: FailField): void {
  if (value === null || typeof value === "string" || typeof value === "boolean" || isToken(value)) return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) notPlainData(path, value, fail);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkPlainData(v, [...path, i], fail));
    return;
  }
  if (isPlainObject(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [k, v] of Object.entries(value)) checkPlainData(v, [...path, k], fail);
    return;
  }
  notPlainData(path, value, fail);
}

function notPlainData(path: readonly PropertyKey[], value: unknown, fail: FailField): void {
  fail(fieldPath(path), "must be plain data (string, number, boolean, null, list or object)", value);
}

/**
 * Every `extraEnv` in extra values (the map form of agent-local, agent-k8s and agent-job's
 * `agent.extraEnv`, the list form of `agent.controller.extraEnv`, `task.worker.extraEnv`,
 * `task.runner.extraEnv`) is held to the same reserved names as `settings.extraEnv`: the token
 * and the variables the kit renders from settings.
 */
export function checkExtraEnv(node: unknown, path: readonly PropertyKey[], fail: FailField): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => checkExtraEnv(v, [...path, i], fail));
    return;
  }
  if (!isPlainObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const here = [...path, key];
    if (key !== "extraEnv") {
      checkExtraEnv(value, here, fail);
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((entry, i) => {
        const name = isPlainObject(entry) ? entry.name : undefined;
        const field = typeof name === "string" ? reservedEnvField(name) : undefined;
        if (field) fail(fieldPath(["extraValues", ...here, i, "name"]), `is reserved: set \`${field}\` instead`, name);
      });
    } else if (isPlainObject(value)) {
      for (const [name, v] of Object.entries(value)) {
        const field = reservedEnvField(name);
        if (field) fail(fieldPath(["extraValues", ...here, name]), `is reserved: set \`${field}\` instead`, v);
      }
    }
  }
}

/**
 * Extra values may not weaken the hardened pod: no privileged container, privilege escalation,
 * added capability (but NET_BIND_SERVICE), host namespace or port, hostPath volume, container
 * runtime socket, unmasked /proc, Unconfined seccomp/AppArmor profile, other SELinux type, and no
 * root user (pod-weakening.ts lists them with their sources). HelmAgent refuses them: there is no
 * acknowledgement in its props (docs/kubernetes.md, "extraValues"); a pod that really needs one is
 * a release of its own, where KitChecks' KIT-K8S-2/KIT-K8S-3 ask for an acknowledgement with a reason.
 */
export function checkPodWeakening(extra: Record<string, unknown>, fail: FailField): void {
  for (const w of findPodWeakenings(extra, isToken)) {
    const field = fieldPath(["extraValues", ...w.path]);
    if (w.unknown) fail(field, `must be a literal: ${w.what} known only at apply time cannot be confirmed to keep the hardened pod (HelmAgent refuses values that weaken it)`, "a Terraform reference");
    else fail(field, `weakens the hardened pod (${w.what}): HelmAgent refuses it (see "extraValues" in docs/kubernetes.md)`, valueAtPath(extra, w.path));
  }
}

function valueAtPath(values: unknown, path: readonly (string | number)[]): unknown {
  let node = values;
  for (const key of path) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

/** A source that names a field of the options (`settings.image`, `allowMetadataService`). */
const FIELD_SOURCE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * An extra value may add keys next to the kit's but never replace one of its values. Reports each
 * conflict with its field below the options (`extraValues.…`).
 */
export function checkConflicts(extra: Record<string, unknown>, path: readonly string[], sources: RenderedValueSources, report: (issue: ValidationIssue) => void): void {
  for (const [key, value] of Object.entries(extra)) {
    const here = [...path, key];
    const source = sources.sourceAt(here) ?? (isPlainObject(value) ? undefined : sources.sourceBelow(here));
    if (source !== undefined) {
      report({
        field: fieldPath(["extraValues", ...here]),
        // A field the user sets (`settings.shutdown.gracePeriodSeconds`, `replicas`) is the place to
        // change it; anything else is the kit's own choice (hardening, the task labels).
        message: FIELD_SOURCE.test(source)
          ? `is rendered by the kit from \`${source}\`; set it there instead`
          : `is set by the kit (${source}) and cannot be replaced; remove it from \`extraValues\``,
        received: describeValue(value, here.join(".")),
      });
    } else if (isPlainObject(value)) {
      checkConflicts(value, here, sources, report);
    }
  }
}

/** The kit's values with the extra values merged in (objects key by key, anything else replaced). */
export function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}
