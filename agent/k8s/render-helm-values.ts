import { z } from "zod";
import { AgentChart, HelmReleaseContext } from "./agent-chart";
import { AgentHelmChart } from "./agent-helm-chart";
import { AGENT_JOB_CHART } from "./agent-job";
import { AGENT_K8S_CHART } from "./agent-k8s";
import { AGENT_LOCAL_CHART } from "./agent-local";
import { HelmTokenSecret, HelmValues, HelmValuesInput, ParsedHelmValuesOptions, helmValuesInputSchema } from "./helm-values-options";
import { ValuesRenderer } from "./values-renderer";
import { AgentSettings, ResolvedAgentSettings, reservedEnvField, resolveAgentSettings } from "../settings/agent-settings";
import { NO_PROXY_LOOPBACK } from "../settings/proxy";
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
export function renderParsedHelmValues(rawSettings: AgentSettings, options: ParsedHelmValuesOptions, ctx: ValidationContext, release: HelmReleaseContext = {}): HelmValues {
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  const settings = resolveAgentSettings(rawSettings, { subject: ctx.subject, fieldPrefix: `${prefix}settings` });
  const chart = CHARTS[options.chart];
  const renderer = new ValuesRenderer(ctx.subject, prefix);
  renderChart(renderer, chart, rawSettings, settings, options, release);
  return renderer.finish(options.extraValues, chart.values);
}

/**
 * What a proxy must never see from a pod, before the user's `proxy.noProxy`:
 * - loopback;
 * - in-cluster Service names: `kubernetes.default.svc` (the API server's name) and every
 *   `*.svc` / `*.cluster.local` name (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/).
 *   A leading dot matches every subdomain in Go's NO_PROXY (https://pkg.go.dev/golang.org/x/net/http/httpproxy#Config)
 *   and Python's (https://docs.python.org/3/library/urllib.request.html#urllib.request.getproxies);
 * - the instance metadata addresses (EC2 IMDS IPv4 and IPv6,
 *   https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html), only when
 *   runs may reach them (`allowMetadataService`): blocked, they are reached by nobody;
 * - the EKS Pod Identity Agent, which hands out the pod's AWS credentials at 169.254.170.23 and
 *   fd00:ec2::23 (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html): a
 *   credentials endpoint must never go through a proxy;
 * - `serviceCidr`: clients in a pod reach the API server at KUBERNETES_SERVICE_HOST, an IP of the
 *   Service CIDR (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/), which
 *   no name above matches. No chart adds anything to NO_PROXY (Scalr/agent-helm
 *   charts/agent-job/templates/_helpers.tpl `agent-job.proxyEnv` @ cf283e1 passes `global.proxy.noProxy`
 *   as it is; agent-local and agent-k8s take the proxy only through `extraEnv`).
 */
export const KUBERNETES_NO_PROXY: readonly string[] = [...NO_PROXY_LOOPBACK, "kubernetes.default.svc", ".svc", ".cluster.local", "169.254.170.23", "fd00:ec2::23"];
const METADATA_ADDRESSES: readonly string[] = ["169.254.169.254", "fd00:ec2::254"];

function noProxyOf(o: ParsedHelmValuesOptions): string[] {
  return [...KUBERNETES_NO_PROXY, ...(o.allowMetadataService ? METADATA_ADDRESSES : []), ...(o.serviceCidr !== undefined ? [o.serviceCidr] : [])];
}

/** What every chart shares around its own rendering: the common checks, the token, the image, `extraEnv`. */
function renderChart(r: ValuesRenderer, chart: AgentChart, raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedHelmValuesOptions, release: HelmReleaseContext): void {
  if (s.poolKind === "vcs" && !chart.runsInAgentPod) {
    r.fail("chart", 'must be "agent-local" for a VCS pool: the other charts start run tasks only', chart.name);
  }
  checkCommon(r, chart, raw, s, o);
  const noProxy = noProxyOf(o);
  const env = { ...renderAgentEnvironment(s, { noProxy }).variables };
  const take = (name: string): string | undefined => {
    const v = env[name];
    delete env[name];
    return v;
  };
  // The charts name each pod after itself and always render these.
  for (const name of ["SCALR_AGENT_NAME", "SCALR_URL"]) take(name);

  const tokenSecret = tokenSecretOf(r, s, o);
  const image = r.image(s.image, "settings.image");
  const credentials = s.image.credentials;
  if (credentials?.kind === "aws-secrets-manager") {
    r.fail(
      "settings.image.credentials",
      "must be ImagePullCredentials.fromKubernetesSecret(name) on Kubernetes: the charts pull with the pods' imagePullSecrets, a `kubernetes.io/dockerconfigjson` Secret in the release namespace (sync the Secrets Manager secret into one, e.g. with External Secrets)",
      credentials.kind,
      false,
    );
  } else if (credentials) {
    r.set(chart.imagePullSecretsPath, [{ name: credentials.reference }], "settings.image.credentials");
  }
  chart.render(r, { raw, settings: s, options: o, take, tokenSecret, image, noProxy, taskPodLabels: release.taskPodLabels });

  // Every agent variable the chart has no value for goes through its `extraEnv`, each named after
  // the setting it comes from.
  const extraEnvPath = chart.extraEnvPath.split(".");
  for (const name of Object.keys(env).sort()) {
    const field = name in s.extraEnv ? "extraEnv" : (reservedEnvField(name) ?? "extraEnv");
    r.set([...extraEnvPath, name], env[name], `settings.${field}`);
  }
}

function checkCommon(r: ValuesRenderer, chart: AgentChart, raw: AgentSettings, s: ResolvedAgentSettings, o: ParsedHelmValuesOptions): void {
  if (s.name !== undefined) r.fail("settings.name", "is set by the chart: each pod registers under its own pod name", s.name);
  if (s.single) r.fail("settings.single", "applies to serverless agents (ECS); chart agents stay up", s.single);
  if (s.hooksDir !== undefined && !chart.runsInAgentPod) {
    r.fail("settings.hooksDir", "applies only to agent-local, where runs execute in the agent pod", s.hooksDir);
  }
  chart.checkOptions?.(r, o);
  if (raw.caBundle?.path !== undefined) r.fail("settings.caBundle", chart.caBundlePathMessage, raw.caBundle.path);
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

