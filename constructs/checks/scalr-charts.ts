import { AgentHelmChart } from "../../agent/k8s";
import { readTerraformDocument } from "./rules/api/terraform-document";
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
  /**
   * What could not be read at synth time, e.g. `values[0]` (a reference, not YAML), `values` (the
   * whole list is a reference), `set[1].name`: the rules report the release rather than pass it.
   */
  readonly unreadable: readonly string[];
}

/** A `helm_release` whose chart is known only at apply time: it may be one of Scalr's. */
export interface UnknownChartRelease {
  readonly release: TerraformBlock;
  readonly chart: string;
}

const SCALR_CHARTS: readonly AgentHelmChart[] = ["agent-local", "agent-k8s", "agent-job"];

/**
 * The chart a `chart` argument names, by its name wherever the reference puts it: a name
 * (`agent-local`), a repository alias (`scalr/agent-local`), an OCI reference
 * (`oci://ghcr.io/scalr/charts/agent-local:0.6.5`, `…@sha256:…`), a packaged chart's URL or path
 * (`https://…/agent-local-0.6.5.tgz`, `./charts/agent-local`). Undefined for a reference
 * (`${var.chart}`), which cannot be named at synth time.
 * Helm's chart references: https://helm.sh/docs/helm/helm_install/ ("There are six different ways
 * you can express the chart you want to install"), the provider's `chart`:
 * https://registry.terraform.io/providers/hashicorp/helm/latest/docs/resources/release#chart.
 */
export function chartNameOf(chart: unknown): string | undefined {
  if (typeof chart !== "string" || /(^|[^$])\$\{/.test(chart)) return undefined;
  let ref = chart.trim().replace(/[?#].*$/, "").replace(/\/+$/, "");
  ref = ref.replace(/@sha256:[0-9a-f]+$/i, "");
  let name = ref.split("/").pop() ?? "";
  name = name.replace(/:[^:]*$/, ""); // an OCI tag
  name = name.replace(/\.(tgz|tar\.gz)$/i, "").replace(/-v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/, "");
  return name.toLowerCase();
}

/** Every `helm_release` whose chart cannot be named at synth time (`chart = var.chart`). */
export function unknownChartReleases(stack: SynthesizedStack): UnknownChartRelease[] {
  return stack
    .resources("helm_release")
    .filter((r) => chartNameOf(r.body.chart) === undefined)
    .map((release) => ({ release, chart: JSON.stringify(release.body.chart) ?? "nothing" }));
}

/** What a release whose chart is known only at apply time gets: it may be one of Scalr's agent charts. */
export function unknownChartMessage(ruleId: string): string {
  return `helm_release: its chart is known only at apply time, so it may be one of Scalr's agent charts whose values cannot be confirmed at synth time; name the chart literally, or (if it is not a Scalr agent chart) acknowledge ${ruleId} with a reason`;
}

/** Every release of a Scalr agent chart (`agent-local`, `agent-k8s`, `agent-job`, by name however referenced: {@link chartNameOf}). */
export function scalrChartReleases(stack: SynthesizedStack): ScalrChartRelease[] {
  const out: ScalrChartRelease[] = [];
  for (const release of stack.resources("helm_release")) {
    const chart = SCALR_CHARTS.find((c) => c === chartNameOf(release.body.chart));
    if (chart === undefined) continue;
    out.push({ release, chart, ...helmValuesOf(release.body, CHART_SECURITY_DEFAULTS[chart]) });
  }
  return out;
}

/**
 * The values a `helm_release` gives its chart, in the provider's order: `values` documents merged
 * one after the other, then `set`, `set_list` and `set_sensitive`
 * (https://registry.terraform.io/providers/hashicorp/helm/latest/docs/resources/release#argument-reference).
 */
export function helmValuesOf(body: Readonly<Record<string, unknown>>, defaults: Record<string, unknown> = {}): { values: Record<string, unknown>; unreadable: string[] } {
  let values = structuredClone(defaults);
  const unreadable: string[] = [];
  if (body.values !== undefined && body.values !== null && !Array.isArray(body.values)) unreadable.push("values");
  const docs = Array.isArray(body.values) ? body.values : [];
  docs.forEach((doc, i) => {
    const parsed = readValues(doc);
    if (parsed === undefined) unreadable.push(`values[${i}]`);
    else values = deepMerge(values, parsed);
  });
  for (const field of ["set", "set_list", "set_sensitive"]) {
    const raw = body[field];
    if (raw === undefined || raw === null) continue;
    if (typeof raw === "string") {
      unreadable.push(field); // `set = var.sets`: known at apply
      continue;
    }
    blocks(raw).forEach((s, i) => {
      if (typeof s.name !== "string" || isReference(s.name)) {
        unreadable.push(`${field}[${i}].name`);
        return;
      }
      let value: unknown;
      if (field === "set_list") value = s.value;
      else if (typeof s.value !== "string") value = s.value;
      else if (s.type === "string" || s.type === "literal") value = s.value;
      else value = typedValue(s.value);
      if (!setPath(values, s.name, value)) unreadable.push(`${field}[${i}].name`);
    });
  }
  return { values, unreadable };
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

/** A values path as Helm's `set` writes it: `extraVolumes[0].hostPath`. */
export function valuesPath(path: readonly (string | number)[]): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join("");
}

/** True for a value known only at apply time: a string with a `${…}` reference (not `$${`, a literal). */
export function isReference(value: unknown): boolean {
  return typeof value === "string" && (value.startsWith("<ref:") || /(^|[^$])\$\{/.test(value));
}

/** A values document: JSON, YAML with anchors and merge keys (YAML 1.1, as Helm reads it), or `${jsonencode/yamlencode({…})}`. */
function readValues(doc: unknown): Record<string, unknown> | undefined {
  const read = readTerraformDocument(doc);
  if (read === undefined) return undefined;
  const parsed = read.value;
  if (parsed === null || parsed === undefined) return {};
  return typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/**
 * A `set` value of type `auto`, as Helm's strvals types it: `true`/`false` (any case) are booleans,
 * `null` is null, integers are numbers, `{a,b}` is a list
 * (https://github.com/helm/helm/blob/v3.16.0/pkg/strvals/parser.go, `typedVal`).
 */
function typedValue(value: string): unknown {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  if (value.toLowerCase() === "null") return null;
  if (/^\{.*\}$/s.test(value)) return value.slice(1, -1).split(",").map((v) => typedValue(v));
  return /^-?[1-9]\d*$|^0$/.test(value) ? Number(value) : value;
}

/**
 * Helm `--set` paths: dots separate keys, `\.` is a literal dot, `name[0]` an index. False when the
 * path cannot be followed (a bad index).
 */
function setPath(values: Record<string, unknown>, path: string, value: unknown): boolean {
  const keys: (string | number)[] = [];
  for (const part of path.split(/(?<!\\)\./)) {
    const m = /^(.*?)((\[\d+\])*)$/.exec(part.replace(/\\\./g, "."));
    if (!m) return false;
    if (m[1] !== "") keys.push(m[1] as string);
    for (const index of (m[2] as string).match(/\d+/g) ?? []) keys.push(Number(index));
  }
  if (keys.length === 0) return false;
  let node: Record<string | number, unknown> = values;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const nextIsIndex = typeof keys[i + 1] === "number";
    const current = node[key];
    if (nextIsIndex ? !Array.isArray(current) : current === null || typeof current !== "object" || Array.isArray(current)) node[key] = nextIsIndex ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  return true;
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
