import { parse as parseYaml } from "yaml";
import { AgentHelmChart } from "../../agent/k8s";
import { tryDecodeTerraformJson } from "../../core/terraform-json";
import { SynthesizedStack, TerraformBlock, blocks, record } from "./synthesized-stack";

/**
 * The chart defaults the Kubernetes rules depend on: what a release gets for every key its values
 * leave out, from the values.yaml of Scalr's charts at 0.6.5
 * (https://github.com/Scalr/agent-helm/blob/agent-local-0.6.5/charts/agent-local/values.yaml,
 * https://github.com/Scalr/agent-helm/blob/agent-k8s-0.6.5/charts/agent-k8s/values.yaml,
 * https://github.com/Scalr/agent-helm/blob/agent-job-0.6.5/charts/agent-job/values.yaml).
 */
export const CHART_SECURITY_DEFAULTS: Readonly<Record<AgentHelmChart, Record<string, unknown>>> = {
  "agent-local": {
    allowMetadataService: true,
    podSecurityContext: { runAsNonRoot: true, fsGroup: 1000 },
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
  },
  "agent-k8s": {
    restrictMetadataService: false,
    podSecurityContext: { runAsNonRoot: false, fsGroup: 0 },
    securityContext: { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 },
  },
  "agent-job": {
    global: { podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } },
    agent: { podSecurityContext: {}, controller: { securityContext: {} } },
    task: { allowMetadataService: false, podSecurityContext: {}, worker: { securityContext: {} }, runner: { securityContext: { runAsNonRoot: true } } },
  },
};

/** A `helm_release` of one of Scalr's agent charts, with the values the chart will render from. */
export interface ScalrChartRelease {
  readonly release: TerraformBlock;
  readonly chart: AgentHelmChart;
  /** Chart defaults merged with every `values` document and `set` value, in Helm's order. */
  readonly values: Record<string, unknown>;
  /** `values[i]` documents that could not be read at synth time (a reference, not YAML). */
  readonly unreadable: readonly number[];
}

/** Every release of a Scalr agent chart (by chart name: `agent-local`, `agent-k8s`, `agent-job`). */
export function scalrChartReleases(stack: SynthesizedStack): ScalrChartRelease[] {
  const out: ScalrChartRelease[] = [];
  for (const release of stack.resources("helm_release")) {
    const chart = typeof release.body.chart === "string" ? release.body.chart.split("/").pop() : undefined;
    if (chart !== "agent-local" && chart !== "agent-k8s" && chart !== "agent-job") continue;
    let values = structuredClone(CHART_SECURITY_DEFAULTS[chart]);
    const unreadable: number[] = [];
    const docs = Array.isArray(release.body.values) ? release.body.values : [];
    docs.forEach((doc, i) => {
      const parsed = readValues(doc);
      if (parsed === undefined) unreadable.push(i);
      else values = deepMerge(values, parsed);
    });
    for (const s of [...blocks(release.body.set), ...blocks(release.body.set_sensitive)]) {
      if (typeof s.name === "string") setPath(values, s.name, s.type === "string" ? s.value : scalar(s.value));
    }
    out.push({ release, chart, values, unreadable });
  }
  return out;
}

/** The value at a dotted path (`task.allowMetadataService`). */
export function valueAt(values: Record<string, unknown>, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split(".")) node = record(node)[key];
  return node;
}

/** `false`/`"false"` and `true`/`"true"` as booleans; anything else as it is. */
export function booleanOf(value: unknown): unknown {
  return value === "true" ? true : value === "false" ? false : value;
}

function readValues(doc: unknown): Record<string, unknown> | undefined {
  if (typeof doc !== "string") return undefined;
  const json = tryDecodeTerraformJson(doc);
  if (json !== undefined) return record(json);
  if (/^\$\{[^}]*\}$/.test(doc.trim())) return undefined;
  try {
    const parsed: unknown = parseYaml(doc);
    return parsed === null || parsed === undefined ? {} : typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function scalar(value: unknown): unknown {
  if (typeof value !== "string") return value;
  if (value === "true" || value === "false") return value === "true";
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

/** Helm `--set` paths: dots separate keys, `\.` is a literal dot. */
function setPath(values: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(/(?<!\\)\./).map((k) => k.replace(/\\\./g, "."));
  let node = values;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object" || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    out[key] = isObj(current) && isObj(value) ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}
