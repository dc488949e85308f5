import { z } from "zod";
import { ImageParts, chartImage } from "./chart-image";
import { checkConflicts, checkExtraEnv, checkPlainData, checkPodWeakening, deepMerge, isPlainObject, RenderedValueSources } from "./extra-values";
import { HelmValues, ParsedHelmValuesOptions } from "./helm-values-options";
import { ResolvedAgentImage } from "../settings/agent-image";
import { AgentSettings } from "../settings/agent-settings";
import { KitValidationError, ValidationIssue, describeValue, parseOrThrow } from "../../core/validation";

/** Joins a values path for lookups; keys themselves may hold dots. */
const PATH_SEPARATOR = "\u0000";
function pathKey(path: readonly string[]): string {
  return path.join(PATH_SEPARATOR);
}

/**
 * One chart's values as the kit renders them, with the source of every value for conflict
 * messages, and the problems found on the way (all reported at once).
 */
export class ValuesRenderer implements RenderedValueSources {
  private readonly values: HelmValues = {};
  private readonly sources = new Map<string, string>();
  private readonly issues: ValidationIssue[] = [];

  public constructor(
    private readonly subject: string,
    private readonly prefix: string,
  ) {}

  /**
   * Sets a value at a dotted path of the kit's own keys; objects are set leaf by leaf (their keys may
   * contain dots, e.g. label keys) so extra values can add keys next to the kit's.
   */
  public set(path: string | readonly string[], value: unknown, source: string): void {
    this.put(path, value, source);
  }

  /**
   * Sets a value the kit prefers but that is not rendered from anything the user sets (e.g. an image
   * pull policy): `extraValues` may replace it.
   */
  public setDefault(path: string | readonly string[], value: unknown): void {
    this.put(path, value, undefined);
  }

  private put(path: string | readonly string[], value: unknown, source: string | undefined): void {
    if (value === undefined) return;
    const keys = typeof path === "string" ? path.split(".") : path;
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      for (const [key, v] of Object.entries(value)) this.put([...keys, key], v, source);
      return;
    }
    let node = this.values;
    for (const key of keys.slice(0, -1)) {
      if (!isPlainObject(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1] as string] = value;
    if (source === undefined) this.sources.delete(pathKey(keys));
    else this.sources.set(pathKey(keys), source);
  }

  /** Records a problem with a field of the options (`settings.…`, `replicas`, …). */
  public fail(field: string, message: string, received: unknown, sensitive?: boolean): void {
    this.issues.push({ field: `${this.prefix}${field}`, message, received: describeValue(received, field, sensitive) });
  }

  /** The image values of `image` (`settings.image` resolved, `settings.containerTask.image`), checked. */
  public image(image: ResolvedAgentImage | string, field: string): ImageParts {
    return chartImage(image, field, (f, message, received) => this.fail(f, message, received));
  }

  /** Node selector, tolerations and affinity, each under the chart's prefix for them. */
  public placement(o: ParsedHelmValuesOptions, nodeSelectorPrefix: string, tolerationsPrefix: string, affinityPrefix: string): void {
    if (o.nodeSelector) this.set(`${nodeSelectorPrefix}nodeSelector`, o.nodeSelector, "nodeSelector");
    if (o.tolerations) this.set(`${tolerationsPrefix}tolerations`, o.tolerations, "tolerations");
    if (o.affinity) this.set(`${affinityPrefix}affinity`, o.affinity, "affinity");
  }

  /** Data and cache directories: the chart's own layout unless the settings name them. */
  public dataDirs(raw: AgentSettings, take: (name: string) => string | undefined, dataPath: string, cachePath: string): void {
    const data = take("SCALR_AGENT_DATA_DIR");
    const cache = take("SCALR_AGENT_CACHE_DIR");
    if (raw.dataDir !== undefined) this.set(dataPath, data, "settings.dataDir");
    if (raw.cacheDir !== undefined) this.set(cachePath, cache, "settings.cacheDir");
  }

  public sourceAt(path: readonly string[]): string | undefined {
    return this.sources.get(pathKey(path));
  }

  public sourceBelow(path: readonly string[]): string | undefined {
    const prefix = `${pathKey(path)}${PATH_SEPARATOR}`;
    for (const [p, source] of this.sources) if (p.startsWith(prefix)) return source;
    return undefined;
  }

  /**
   * Checks the extra values (plain data, the chart's keys, reserved `extraEnv` names, no value the
   * kit renders) and merges them into the kit's; throws every problem found so far.
   */
  public finish(extra: Record<string, unknown>, chartValues: z.ZodType): HelmValues {
    this.throwIssues();
    checkPlainData(extra, ["extraValues"], (field, message, value) => this.fail(field, message, value));
    this.throwIssues();
    parseOrThrow(chartValues, extra, { subject: this.subject, fieldPrefix: `${this.prefix}extraValues` });
    checkExtraEnv(extra, [], (field, message, value) => this.fail(field, message, value));
    checkConflicts(extra, [], this, (issue) => this.issues.push({ ...issue, field: `${this.prefix}${issue.field}` }));
    // A weakening of a value the kit sets is reported once, as the conflict above.
    const reported = new Set(this.issues.map((i) => i.field));
    checkPodWeakening(extra, (field, message, value) => {
      if (!reported.has(`${this.prefix}${field}`)) this.fail(field, message, value);
    });
    this.throwIssues();
    return deepMerge(this.values, extra);
  }

  private throwIssues(): void {
    if (this.issues.length > 0) throw new KitValidationError(this.subject, this.issues);
  }
}
