import { z } from "zod";
import { AgentChart } from "./agent-chart";
import { AgentHelmChart } from "./agent-helm-chart";
import { AGENT_JOB_CHART } from "./agent-job";
import { AGENT_K8S_CHART } from "./agent-k8s";
import { AGENT_LOCAL_CHART } from "./agent-local";
import { HelmTokenSecret, HelmValues, HelmValuesInput, ParsedHelmValuesOptions, helmValuesInputSchema } from "./helm-values-options";
import { ValuesRenderer } from "./values-renderer";
import { AgentSettings, ResolvedAgentSettings, resolveAgentSettings } from "../settings/agent-settings";
import { renderAgentEnvironment } from "../settings/render-env";
import { IssueCollector } from "../../core/issues";
import { ValidationContext, describeValue, parseOrThrow } from "../../core/validation";
import { checkPlainData, isPlainObject } from "./extra-values";

/** Each chart's module (values model and rendering), by chart. */
const CHARTS: Readonly<Record<AgentHelmChart, AgentChart>> = {
  "agent-local": AGENT_LOCAL_CHART,
  "agent-k8s": AGENT_K8S_CHART,
  "agent-job": AGENT_JOB_CHART,
};

/** The kit's model of each chart's values (keys and the types it knows). */
export const CHART_VALUES: Readonly<Record<AgentHelmChart, z.ZodType>> = {
  "agent-local": CHARTS["agent-local"].values,
  "agent-k8s": CHARTS["agent-k8s"].values,
  "agent-job": CHARTS["agent-job"].values,
};

/**
 * Renders the values of one of Scalr's agent charts from {@link AgentSettings}
 * (docs/decisions/0004-helm-values-from-agent-settings.md).
 *
 * - The token is never a value: the chart reads it from a Secret, referenced the way that chart
 *   expects (`agent.tokenExistingSecret.{name,key}`, or `tokenExistingSecret` + `tokenExistingSecretKey`
 *   for agent-k8s).
 * - Settings the chart controls itself are checked against what it would do (e.g. agent-local
 *   derives its drain timeout from the grace period), so a value is never silently dropped.
 * - Everything else the agent reads goes through the chart's `extraEnv`.
 * - Pods are hardened (non-root where the chart allows it, no privilege escalation, all
 *   capabilities dropped, RuntimeDefault seccomp) and the metadata service is blocked.
 */
export function renderHelmValues(input: HelmValuesInput, ctx: ValidationContext): HelmValues {
  // Every problem of the options and the settings in one error.
  const issues = new IssueCollector(ctx);
  const options: ParsedHelmValuesOptions = issues.parse(helmValuesInputSchema, input);
  if (!issues.has("settings")) {
    const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
    issues.collect(() => resolveAgentSettings(input.settings, { subject: ctx.subject, fieldPrefix: `${prefix}settings` }));
  }
  // extraValues must be plain data whatever the chart: checked here so it is reported with the rest.
  const extra = (input as { extraValues?: unknown } | undefined)?.extraValues;
  if (!issues.has("extraValues") && isPlainObject(extra)) {
    const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
    checkPlainData(extra, ["extraValues"], (field, message, value) => issues.addIssue({ field: `${prefix}${field}`, message, received: describeValue(value, field) }));
    issues.rule(["chart", "extraValues"], () => {
      parseOrThrow(CHART_VALUES[options.chart], extra, { subject: ctx.subject, fieldPrefix: `${prefix}extraValues` });
    });
  }
  issues.throwIfAny();
  return renderParsedHelmValues(input.settings, options, ctx);
}

/**
 * {@link renderHelmValues} for options already parsed with {@link helmValuesOptionsShape} (HelmAgent
 * parses its props once, chart options included).
 */
export function renderParsedHelmValues(rawSettings: AgentSettings, options: ParsedHelmValuesOptions, ctx: ValidationContext): HelmValues {
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const settings = resolveAgentSettings(rawSettings, { subject: ctx.subject, fieldPrefix: `${prefix}settings` });
  const chart = CHARTS[options.chart];
  const renderer = new ValuesRenderer(ctx.subject, prefix);
  renderChart(renderer, chart, rawSettings, settings, options);
  return renderer.finish(options.extraValues, chart.values);
}

/** What every chart shares around its own rendering: the common checks, the token, the image, `extraEnv`. */
function renderChart(r: ValuesRenderer, chart: AgentChart, raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedHelmValuesOptions): void {
  if (s.poolKind === "vcs" && !chart.runsInAgentPod) {
    r.fail("chart", 'must be "agent-local" for a VCS pool: the other charts start run tasks only', chart.name);
  }
  checkCommon(r, chart, raw, s, o);
  const env = { ...renderAgentEnvironment(s, { noProxy: [] }).variables };
  const take = (name: string): string | undefined => {
    const v = env[name];
    delete env[name];
    return v;
  };
  // The charts name each pod after itself and always render these.
  for (const name of ["SCALR_AGENT_NAME", "SCALR_URL"]) take(name);

  const tokenSecret = tokenSecretOf(r, s, o);
  const image = r.image(s.image.reference, "settings.image");
  chart.render(r, { raw, settings: s, options: o, take, tokenSecret, image });

  // Every agent variable the chart has no value for goes through its `extraEnv`.
  if (Object.keys(env).length > 0) {
    r.set(chart.extraEnvPath, sortKeys(env), "settings (proxy, extraEnv and the agent variables the chart has no value for)");
  }
}

function checkCommon(r: ValuesRenderer, chart: AgentChart, raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedHelmValuesOptions): void {
  if (s.name !== undefined) r.fail("settings.name", "is set by the chart: each pod registers under its own pod name", s.name);
  if (s.single) r.fail("settings.single", "applies to serverless agents (ECS); chart agents stay up", s.single);
  if (s.hooksDir !== undefined && !chart.runsInAgentPod) {
    r.fail("settings.hooksDir", "applies only to agent-local, where runs execute in the agent pod", s.hooksDir);
  }
  chart.checkOptions?.(r, o);
  if (raw.caBundle?.path !== undefined && !chart.caBundleByPath) {
    r.fail("settings.caBundle", `must be given as \`pem\` for ${chart.name}: the chart mounts the bundle from its values`, raw.caBundle.path);
  }
}

/** The Secret the chart reads the token from: the settings' Kubernetes Secret, or the one HelmAgent creates. */
function tokenSecretOf(r: ValuesRenderer, s: ResolvedAgentSettings, o: ParsedHelmValuesOptions): HelmTokenSecret {
  const t = s.token;
  if (t.kind === "kubernetes-secret" && t.secretName !== undefined) return { name: t.secretName, key: t.secretKey ?? "token" };
  if (o.tokenSecret) return o.tokenSecret;
  r.fail(
    "settings.token",
    "must come from AgentTokenSource.fromKubernetesSecret(name, key) (or use HelmAgent, which stores a Terraform value in a Secret it creates): chart values never hold the token",
    t.kind,
    false,
  );
  return { name: "", key: "" };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k] as string]));
}
