import { parse as parseYaml } from "yaml";
import { COLLECTOR_OTLP_ENDPOINT, renderCollectorConfig, renderCollectorConfigContent } from "../../../agent/ecs/render-collector";

describe("renderCollectorConfig", () => {
  const cloudwatch = { kind: "cloudwatch", namespace: "Team/Agents", logGroupName: "/ecs/team/metrics" } as const;

  test("the content is the configuration, read back as YAML (how the collector reads AOT_CONFIG_CONTENT)", () => {
    const input = { exporter: cloudwatch, metrics: true, traces: false };
    expect(parseYaml(renderCollectorConfigContent(input))).toEqual(renderCollectorConfig(input));
  });

  test("no `$` anywhere: neither the collector's ${env:…} expansion nor Terraform's ${…} interpolation can touch it", () => {
    const content = renderCollectorConfigContent({ exporter: { kind: "otlp", endpoint: "https://otlp.example.com:4317" }, metrics: true, traces: true });
    expect(content).not.toContain("$");
  });

  test("receives OTLP/gRPC on loopback only", () => {
    const config = renderCollectorConfig({ exporter: cloudwatch, metrics: true, traces: false }) as any;
    expect(config.receivers).toEqual({ otlp: { protocols: { grpc: { endpoint: "localhost:4317" } } } });
    expect(COLLECTOR_OTLP_ENDPOINT).toBe("localhost:4317");
  });

  test("pipelines follow the agent's telemetry: traces only", () => {
    const config = renderCollectorConfig({ exporter: { kind: "otlp", endpoint: "gw:4317" }, metrics: false, traces: true }) as any;
    expect(Object.keys(config.service.pipelines)).toEqual(["traces"]);
    expect(config.exporters).toEqual({ otlp: { endpoint: "gw:4317", tls: { insecure: false } } });
  });

  test("every component a pipeline names is defined", () => {
    for (const exporter of [cloudwatch, { kind: "otlp", endpoint: "http://gw:4317" } as const]) {
      const config = renderCollectorConfig({ exporter, metrics: true, traces: exporter.kind === "otlp" }) as any;
      for (const pipeline of Object.values<any>(config.service.pipelines)) {
        for (const r of pipeline.receivers) expect(config.receivers[r]).toBeDefined();
        for (const p of pipeline.processors) expect(config.processors[p]).toBeDefined();
        for (const e of pipeline.exporters) expect(config.exporters[e]).toBeDefined();
      }
    }
  });
});
