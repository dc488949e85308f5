import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { parse as parseYaml } from "yaml";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { EcsAgentService, EcsAgentServiceProps } from "../../../constructs/ecs/ecs-agent-service";
import { ServerlessAgentPool, ServerlessAgentPoolProps } from "../../../constructs/ecs/serverless-agent-pool";
import { FargateAgentTask, FargateAgentTaskProps } from "../../../constructs/ecs/fargate-agent-task";
import { ADOT_COLLECTOR_IMAGE } from "../../../agent/ecs/render-collector";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitChecks } from "../../../constructs/checks";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };
const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token-AbCdEf";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function task(stack: TerraformStack, extra: Partial<FargateAgentTaskProps> = {}, settings: Record<string, unknown> = {}): FargateAgentTask {
  return new FargateAgentTask(stack, "Task", {
    name: "agents",
    vpcId: NET.vpcId,
    settings: { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), ...settings },
    ...extra,
  });
}

function all(json: any, type: string): any[] {
  return Object.values<any>(json.resource[type] ?? {});
}

function containers(json: any): any[] {
  return decodeTerraformJson(all(json, "aws_ecs_task_definition")[0].container_definitions);
}

function envOf(c: any): Record<string, string> {
  return Object.fromEntries((c.environment ?? []).map((e: any) => [e.name, e.value]));
}

/** The collector's configuration, read as the collector reads it: YAML. */
function configOf(json: any): any {
  const collector = containers(json).find((c) => c.name === "otel-collector");
  return parseYaml(envOf(collector).AOT_CONFIG_CONTENT as string);
}

function policies(json: any): Array<{ name: string; role: string; doc: any }> {
  return all(json, "aws_iam_role_policy").map((p) => ({ name: p.name, role: p.role, doc: decodeTerraformJson(p.policy) }));
}

describe("FargateAgentTask collector", () => {
  test("default: the agent alone, no telemetry, no metrics log group", () => {
    const stack = newStack();
    task(stack);
    const json = JSON.parse(Testing.synth(stack));
    const defs = containers(json);
    expect(defs.map((c) => c.name)).toEqual(["agent"]);
    expect(defs[0].dependsOn).toBeUndefined();
    expect(Object.keys(envOf(defs[0])).filter((k) => k.includes("OTLP"))).toEqual([]);
    expect(all(json, "aws_cloudwatch_log_group").map((g) => g.name)).toEqual(["/ecs/agents"]);
    expect(policies(json).map((p) => p.name)).toEqual(["agent-execution"]);
  });

  test("true: an ADOT sidecar, not essential, the agent pointed at localhost:4317 and started after it", () => {
    const stack = newStack();
    const t = task(stack, { collector: true, logRetentionDays: 90 });
    const json = JSON.parse(Testing.synth(stack));
    const [agent, collector] = containers(json);
    expect(agent.name).toBe("agent");
    expect(agent.essential).toBe(true);
    expect(agent.dependsOn).toEqual([{ containerName: "otel-collector", condition: "START" }]);
    expect(envOf(agent)).toMatchObject({ SCALR_AGENT_OTLP_ENDPOINT: "localhost:4317", SCALR_AGENT_OTLP_METRICS_ENABLED: "true" });
    expect(envOf(agent).SCALR_AGENT_OTLP_TRACES_ENABLED).toBeUndefined();

    expect(collector).toMatchObject({ name: "otel-collector", image: ADOT_COLLECTOR_IMAGE, essential: false });
    expect(ADOT_COLLECTOR_IMAGE).toBe("public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0");
    expect(collector.secrets).toBeUndefined();
    expect(collector.stopTimeout).toBeUndefined();
    expect(Object.keys(envOf(collector)).sort()).toEqual(["AOT_CONFIG_CONTENT", "AWS_REGION"]);
    expect(envOf(collector).AWS_REGION).toMatch(/^<ref:data\.aws_region\.Task_Region_[0-9A-F]+\.region>$/);
    // Its own logs go to the agent's log group (which the execution role may already write), in their own streams.
    expect(collector.logConfiguration.options).toEqual({ ...agent.logConfiguration.options, "awslogs-stream-prefix": "collector" });
    expect(t.collectorContainerName).toBe("otel-collector");

    expect(configOf(json)).toEqual({
      receivers: { otlp: { protocols: { grpc: { endpoint: "localhost:4317" } } } },
      processors: { resourcedetection: { detectors: ["env", "ecs"] }, batch: { timeout: "10s" } },
      exporters: {
        awsemf: { namespace: "ScalrAgent", log_group_name: "/ecs/agents/metrics", log_stream_name: "{TaskId}", dimension_rollup_option: "NoDimensionRollup" },
      },
      service: { pipelines: { metrics: { receivers: ["otlp"], processors: ["resourcedetection", "batch"], exporters: ["awsemf"] } } },
    });
  });

  test("true: the metrics log group has the task's retention, and the task role may write only there", () => {
    const stack = newStack();
    const t = task(stack, { collector: true, logRetentionDays: 90 });
    const json = JSON.parse(Testing.synth(stack));
    const groups = all(json, "aws_cloudwatch_log_group");
    expect(groups.map((g) => [g.name, g.retention_in_days])).toEqual([
      ["/ecs/agents", 90],
      ["/ecs/agents/metrics", 90],
    ]);
    expect(t.metricsLogGroup).toBeDefined();
    const metricsPolicy = policies(json).find((p) => p.name === "agent-metrics");
    const metricsGroup = Object.keys(json.resource.aws_cloudwatch_log_group).find((k) => k.includes("MetricsLogGroup"));
    const taskRole = Object.keys(json.resource.aws_iam_role).find((k) => k.includes("TaskRole"));
    expect(metricsPolicy?.role).toBe(`\${aws_iam_role.${taskRole}.id}`);
    expect(metricsPolicy?.doc.Statement).toEqual([
      { Sid: "WriteMetricsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`\${aws_cloudwatch_log_group.${metricsGroup}.arn}:*`] },
    ]);
    // The execution role is unchanged: it writes the containers' own logs only.
    const execution = policies(json).find((p) => p.name === "agent-execution");
    expect(JSON.stringify(execution?.doc)).not.toContain("MetricsLogGroup");
  });

  test("a single-run task stops with its agent: the agent is the only essential container", () => {
    const stack = newStack();
    new FargateAgentTask(
      stack,
      "Task",
      { name: "one", vpcId: NET.vpcId, settings: { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN) }, collector: true },
      { single: true },
    );
    const json = JSON.parse(Testing.synth(stack));
    const defs = containers(json);
    expect(envOf(defs[0]).SCALR_AGENT_SINGLE).toBe("true");
    expect(defs.filter((c) => c.essential !== false).map((c) => c.name)).toEqual(["agent"]);
  });

  test("ServerlessAgentPool and EcsAgentService pass `collector` through to their task", () => {
    const stack = newStack();
    new ServerlessAgentPool(stack, "Serverless", { name: "sl", settings: { scalrUrl: "https://acme.scalr.io" }, ...NET, collector: true } as ServerlessAgentPoolProps);
    const pool = new AgentPool(stack, "Pool", { name: "ecs-run" });
    new EcsAgentService(stack, "Svc", { name: "svc", pool, settings: { scalrUrl: "https://acme.scalr.io" }, ...NET, collector: { namespace: "Team/Agents" } } as EcsAgentServiceProps);
    const json = JSON.parse(Testing.synth(stack));
    const families = all(json, "aws_ecs_task_definition").map((t) => decodeTerraformJson(t.container_definitions).map((c: any) => `${c.name}:${c.essential}`));
    expect(families).toEqual([
      ["agent:true", "otel-collector:false"],
      ["agent:true", "otel-collector:false"],
    ]);
    expect(all(json, "aws_cloudwatch_log_group").map((g) => g.name)).toEqual(expect.arrayContaining(["/ecs/sl/metrics", "/ecs/svc/metrics"]));
    expect(KitChecks.of(stack).report().violations.map((v) => v.line)).toEqual([]);
  });

  test("options: another image and namespace", () => {
    const stack = newStack();
    task(stack, { collector: { image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/adot/collector:v0.49.0", namespace: "Platform/Scalr" } });
    const json = JSON.parse(Testing.synth(stack));
    expect(containers(json)[1].image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/adot/collector:v0.49.0");
    expect(configOf(json).exporters.awsemf.namespace).toBe("Platform/Scalr");
  });

  test("exporter { otlpEndpoint }: forwards metrics and traces over OTLP, no log group or task-role policy", () => {
    const stack = newStack();
    const t = task(stack, { collector: { exporter: { otlpEndpoint: "http://otel-gateway.internal:4317" } } }, { telemetry: { otlpEndpoint: "localhost:4317", traces: true } });
    const json = JSON.parse(Testing.synth(stack));
    expect(all(json, "aws_cloudwatch_log_group").map((g) => g.name)).toEqual(["/ecs/agents"]);
    expect(policies(json).map((p) => p.name)).toEqual(["agent-execution"]);
    expect(t.metricsLogGroup).toBeUndefined();
    const config = configOf(json);
    expect(config.exporters).toEqual({ otlp: { endpoint: "otel-gateway.internal:4317", tls: { insecure: true } } });
    expect(Object.keys(config.service.pipelines)).toEqual(["metrics", "traces"]);
    expect(config.service.pipelines.traces.exporters).toEqual(["otlp"]);
    expect(envOf(containers(json)[0])).toMatchObject({ SCALR_AGENT_OTLP_ENDPOINT: "localhost:4317", SCALR_AGENT_OTLP_TRACES_ENABLED: "true" });
  });

  test("exporter https:// or host:port keeps TLS on", () => {
    for (const otlpEndpoint of ["https://otlp.example.com:4317", "otlp.example.com:4317"]) {
      const stack = newStack();
      task(stack, { collector: { exporter: { otlpEndpoint } } });
      expect(configOf(JSON.parse(Testing.synth(stack))).exporters.otlp).toEqual({ endpoint: "otlp.example.com:4317", tls: { insecure: false } });
    }
  });

  test("the configuration holds no secret: a Terraform token goes to Secrets Manager, KitChecks pass", () => {
    const stack = newStack();
    new FargateAgentTask(stack, "Task", {
      name: "agents",
      vpcId: NET.vpcId,
      settings: { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromTerraformValue(new TerraformVariable(stack, "pool_token", { type: "string", sensitive: true }).stringValue) },
      collector: true,
    });
    const json = JSON.parse(Testing.synth(stack));
    const collector = containers(json).find((c) => c.name === "otel-collector");
    expect(JSON.stringify(collector)).not.toContain("pool_token");
    expect(JSON.stringify(collector)).not.toContain("secretsmanager");
    expect(KitChecks.of(stack).report().violations.map((v) => v.line)).toEqual([]);
  });

  test("fails when the agent's telemetry points elsewhere or asks EMF for traces", () => {
    const stack = newStack();
    expect(messageOf(() => task(stack, { collector: true }, { telemetry: { otlpEndpoint: "otel.example.com:4317", traces: true } }))).toBe(
      [
        'stack/Task: `settings.telemetry.otlpEndpoint` must be "localhost:4317" (or `telemetry` unset) with `collector`: the collector listens on the task\'s loopback; to send to your own collector, set `collector: false` or `collector.exporter: { otlpEndpoint }`, got: "otel.example.com:4317"',
        "stack/Task: `collector` exports to CloudWatch (EMF), which carries metrics only, but `settings.telemetry.traces` is true: forward traces with `collector.exporter: { otlpEndpoint }`, or set `settings.telemetry.traces` to false, got: true",
      ].join("\n"),
    );
  });

  test("fails when the exporter named CloudWatch is asked for traces", () => {
    expect(messageOf(() => task(newStack(), { collector: { exporter: "cloudwatch" } }, { telemetry: { otlpEndpoint: "localhost:4317", traces: true } }))).toBe(
      'stack/Task: `collector.exporter` exports to CloudWatch (EMF), which carries metrics only, but `settings.telemetry.traces` is true: forward traces with `collector.exporter: { otlpEndpoint }`, or set `settings.telemetry.traces` to false, got: "cloudwatch"',
    );
  });

  test("fails on bad options, naming each field", () => {
    const stack = newStack();
    const message = messageOf(() =>
      task(stack, { collector: { image: "aws-otel-collector", namespace: "AWS/ECS", exporter: { otlpEndpoint: "otel:99999" } } as FargateAgentTaskProps["collector"] }),
    );
    expect(message.split("\n")).toEqual([
      'stack/Task: `collector.image` must be an image reference with a tag or digest, such as public.ecr.aws/aws-observability/aws-otel-collector:v0.49.0, got: "aws-otel-collector"',
      'stack/Task: `collector.exporter.otlpEndpoint` must be an OTLP/gRPC address, host:port, https://host:port or http://host:port, got: "otel:99999"',
      "stack/Task: `collector.namespace` must be a CloudWatch namespace: 1–255 of letters, digits, '.', '-', '_', '/', '#', ':' or space, not starting with \"AWS/\", got: \"AWS/ECS\"",
    ]);
    expect(messageOf(() => task(newStack(), { collector: "yes" as never }))).toContain("`collector` must be true, false or { image?, exporter?, namespace? }");
    expect(messageOf(() => task(newStack(), { collector: { exporter: { otlpEndpoint: "otel:4317" }, namespace: "X" } }))).toBe(
      'stack/Task: `collector.namespace` applies to `exporter: "cloudwatch"` only: the OTLP exporter forwards metrics as they are, got: "X"',
    );
    expect(messageOf(() => task(newStack(), { collector: { extra: 1 } as never }))).toBe(
      "stack/Task: `collector.extra` is not a known field, got: 1",
    );
  });
});
