import { renderEcsContainerEnvironment } from "../../../agent/ecs/render-ecs";
import { HelmValuesInput, renderHelmValues } from "../../../agent/k8s";
import { AgentHelmChart } from "../../../agent/k8s/agent-helm-chart";
import { AgentSettings, resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { renderAgentEnvironment } from "../../../agent/settings/render-env";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData } from "../../../agent/vm";
import { messageOf } from "../../support/errors";
import { chartSchemaErrors } from "../../support/helm-charts";

const asm = AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token");
const base: AgentSettings = { scalrUrl: "https://acme.scalr.io", token: asm };
const OTLP = ["SCALR_AGENT_OTLP_ENDPOINT", "SCALR_AGENT_OTLP_METRICS_ENABLED", "SCALR_AGENT_OTLP_TRACES_ENABLED"];

function otlpOf(variables: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).filter(([k]) => OTLP.includes(k)));
}

describe("AgentSettings.telemetry", () => {
  test("metrics are on by default and traces off; both switches render only when on, as Scalr's chart does", () => {
    const env = (telemetry: AgentSettings["telemetry"]) => otlpOf(renderAgentEnvironment(resolveAgentSettings({ ...base, telemetry }), { noProxy: [] }).variables);
    expect(env({ otlpEndpoint: "otel-collector:4317" })).toEqual({ SCALR_AGENT_OTLP_ENDPOINT: "otel-collector:4317", SCALR_AGENT_OTLP_METRICS_ENABLED: "true" });
    expect(env({ otlpEndpoint: "http://10.0.0.5:4317", metrics: false, traces: true })).toEqual({
      SCALR_AGENT_OTLP_ENDPOINT: "http://10.0.0.5:4317",
      SCALR_AGENT_OTLP_TRACES_ENABLED: "true",
    });
    expect(env(undefined)).toEqual({});
  });

  test.each(["localhost:4317", "otel.observability.svc.cluster.local:4317", "https://otel.example.com:443", "[fd00::1]:4317", "10.1.2.3:65535"])(
    "accepts %s",
    (otlpEndpoint) => {
      expect(() => resolveAgentSettings({ ...base, telemetry: { otlpEndpoint } })).not.toThrow();
    },
  );

  test.each([
    ["no port", "otel-collector"],
    ["a path after the port", "http://otel:4317/v1/metrics"],
    ["a scheme gRPC clients do not take", "grpc://otel:4317"],
    ["a port out of range", "otel:70000"],
    ["port 0", "otel:0"],
    ["whitespace", " otel:4317"],
  ])("rejects an endpoint with %s, naming the field and what is allowed", (_, otlpEndpoint) => {
    const message = messageOf(() => resolveAgentSettings({ ...base, telemetry: { otlpEndpoint } }, { subject: "stack/Agents" }));
    expect(message).toContain("stack/Agents");
    expect(message).toContain("telemetry.otlpEndpoint");
    expect(message).toContain("host:port");
  });

  test("telemetry that exports nothing is an error, not a silent no-op", () => {
    const message = messageOf(() => resolveAgentSettings({ ...base, telemetry: { otlpEndpoint: "otel:4317", metrics: false } }));
    expect(message).toContain("telemetry");
    expect(message).toContain("exports nothing");
  });

  test.each(["SCALR_AGENT_OTLP_ENDPOINT", "SCALR_AGENT_OTLP_METRICS_ENABLED", "SCALR_AGENT_OTLP_TRACES_ENABLED", "SCALR_AGENT_OTLP_TRACES"])(
    "extraEnv %s is reserved for the typed field",
    (name) => {
      const message = messageOf(() => resolveAgentSettings({ ...base, extraEnv: { [name]: "true" } }));
      expect(message).toMatch(/is reserved: set `telemetry\.(otlpEndpoint|metrics|traces)` instead/);
    },
  );
});

describe("telemetry on every runtime", () => {
  const telemetry = { otlpEndpoint: "otel-collector:4317", traces: true } as const;
  const expected = { SCALR_AGENT_OTLP_ENDPOINT: "otel-collector:4317", SCALR_AGENT_OTLP_METRICS_ENABLED: "true", SCALR_AGENT_OTLP_TRACES_ENABLED: "true" };

  test("ECS: plain container environment variables", () => {
    const env = renderEcsContainerEnvironment(resolveAgentSettings({ ...base, telemetry }), { subject: "ecs" });
    const plain = Object.fromEntries(env.environment.map((e) => [e.name, e.value]));
    expect(otlpOf(plain)).toEqual(expected);
  });

  test("VM: the agent's environment file", () => {
    const rendered = renderVmUserData({ ...base, telemetry }, { os: "ubuntu-24.04" });
    expect(otlpOf(rendered.environmentFile.variables)).toEqual(expected);
  });

  test("agent-job: the chart's own `otel` values (they reach the controller and every run's Job), nothing in extraEnv", () => {
    const values = renderHelmValues({ chart: "agent-job", settings: { ...base, token: AgentTokenSource.fromKubernetesSecret("scalr-token"), telemetry } }, { subject: "k8s" }) as Record<string, any>;
    expect(values.otel).toEqual({ enabled: true, endpoint: "otel-collector:4317", metricsEnabled: true, tracesEnabled: true });
    expect(otlpOf(values.agent?.extraEnv ?? {})).toEqual({});
    const errors = chartSchemaErrors("agent-job", values);
    if (errors) expect(errors).toEqual([]);
  });

  test.each<[AgentHelmChart, string]>([
    ["agent-local", "extraEnv"],
    ["agent-k8s", "extraEnv"],
  ])("%s: the chart has no telemetry value, so the variables go through %s and validate against its schema", (chart, path) => {
    const input: HelmValuesInput = { chart, settings: { ...base, token: AgentTokenSource.fromKubernetesSecret("scalr-token"), telemetry } };
    const values = renderHelmValues(input, { subject: "k8s" }) as Record<string, any>;
    expect(otlpOf(values[path])).toEqual(expected);
    const errors = chartSchemaErrors(chart, values);
    if (errors) expect(errors).toEqual([]);
  });
});
