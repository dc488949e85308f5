import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { parse as parseYaml } from "yaml";
import { gunzipSync } from "zlib";
import { ADOT_COLLECTOR_IMAGE } from "../../../agent/ecs/render-collector";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitChecks } from "../../../constructs/checks";
import { AGENT_COLLECTOR_SERVICE_IDS, AgentCollectorService, AgentCollectorServiceProps } from "../../../constructs/ecs/agent-collector-service";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const NET = { vpcId: "vpc-0c011ec7", subnetIds: ["subnet-0c0aaa11", "subnet-0c0bbb22"] };
const CLIENTS = ["sg-0c1e47a1", "sg-0c1e47b2"];

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return stack;
}

function collector(stack: TerraformStack, extra: Partial<AgentCollectorServiceProps> = {}): AgentCollectorService {
  return new AgentCollectorService(stack, "Collector", { name: "otel", ...NET, clientSecurityGroupIds: CLIENTS, ...extra });
}

function synth(extra: Partial<AgentCollectorServiceProps> = {}): any {
  const stack = newStack();
  collector(stack, extra);
  return JSON.parse(Testing.synth(stack));
}

function all(json: any, type: string): any[] {
  return Object.values<any>(json.resource[type] ?? {});
}

function only(json: any, type: string): any {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0];
}

function containers(json: any): any[] {
  return decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions);
}

function envOf(c: any): Record<string, string> {
  return Object.fromEntries((c.environment ?? []).map((e: any) => [e.name, e.value]));
}

/** The collector's configuration, read as the collector reads it: YAML. */
function configOf(json: any): any {
  return parseYaml(envOf(containers(json)[0]).AOT_CONFIG_CONTENT as string);
}

function policies(json: any): Array<{ name: string; role: string; doc: any }> {
  return all(json, "aws_iam_role_policy").map((p) => ({ name: p.name, role: p.role, doc: decodeTerraformJson(p.policy) }));
}

function roleRef(json: any, name: string): string {
  const key = Object.entries<any>(json.resource.aws_iam_role).find(([, r]) => r.name === name)?.[0];
  return `\${aws_iam_role.${key}.id}`;
}

describe("AgentCollectorService", () => {
  test("defaults: two ARM64 Fargate tasks of the pinned ADOT image, 256 CPU / 512 MiB, in a new cluster with Container Insights", () => {
    const json = synth();
    const td = only(json, "aws_ecs_task_definition");
    expect(td).toMatchObject({
      family: "otel",
      requires_compatibilities: ["FARGATE"],
      network_mode: "awsvpc",
      cpu: "256",
      memory: "512",
      runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "ARM64" },
    });
    const [c, ...rest] = containers(json);
    expect(rest).toEqual([]);
    expect(c).toMatchObject({ name: "otel-collector", image: ADOT_COLLECTOR_IMAGE, essential: true, portMappings: [{ containerPort: 4317, protocol: "tcp" }] });
    expect(Object.keys(envOf(c)).sort()).toEqual(["AOT_CONFIG_CONTENT", "AWS_REGION"]);
    expect(only(json, "aws_ecs_cluster")).toMatchObject({ name: "otel", setting: [{ name: "containerInsights", value: "enabled" }] });
    const service = only(json, "aws_ecs_service");
    expect(service).toMatchObject({
      name: "otel",
      launch_type: "FARGATE",
      desired_count: 2,
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      deployment_circuit_breaker: { enable: true, rollback: true },
      enable_execute_command: false,
    });
    expect(service.cluster).toMatch(/^\$\{aws_ecs_cluster\.[^.]+\.arn\}$/);
    expect(service.task_definition).toMatch(/^\$\{aws_ecs_task_definition\.[^.]+\.arn\}$/);
  });

  test("no public IP: the tasks sit in the given subnets behind the collector's group", () => {
    const service = only(synth(), "aws_ecs_service");
    expect(service.network_configuration).toEqual({ subnets: NET.subnetIds, security_groups: [expect.stringMatching(/^\$\{aws_security_group\.[^.]+\.id\}$/)], assign_public_ip: false });
  });

  test("the collector configuration: OTLP/gRPC on 0.0.0.0:4317, EMF to the metrics log group, metrics only", () => {
    const json = synth({ namespace: "Platform/ScalrAgent" });
    expect(configOf(json)).toEqual({
      receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" } } } },
      processors: { resourcedetection: { detectors: ["env", "ecs"] }, batch: { timeout: "10s" } },
      exporters: { awsemf: { namespace: "Platform/ScalrAgent", log_group_name: "/ecs/otel/metrics", log_stream_name: "{TaskId}", dimension_rollup_option: "NoDimensionRollup" } },
      service: { pipelines: { metrics: { receivers: ["otlp"], processors: ["resourcedetection", "batch"], exporters: ["awsemf"] } } },
    });
    expect(envOf(containers(json)[0]).AWS_REGION).toMatch(/^<ref:data\.aws_region\.[^.]+\.region>$/);
  });

  test("exporter { otlpEndpoint }: metrics and traces forwarded, no metrics log group, no task-role policy", () => {
    const stack = newStack();
    const c = collector(stack, { exporter: { otlpEndpoint: "http://gateway.corp.internal:4317" } });
    const json = JSON.parse(Testing.synth(stack));
    const config = configOf(json);
    expect(config.exporters).toEqual({ otlp: { endpoint: "gateway.corp.internal:4317", tls: { insecure: true } } });
    expect(Object.keys(config.service.pipelines).sort()).toEqual(["metrics", "traces"]);
    expect(config.service.pipelines.traces.exporters).toEqual(["otlp"]);
    expect(all(json, "aws_cloudwatch_log_group").map((g) => g.name)).toEqual(["/ecs/otel"]);
    expect(policies(json).map((p) => p.name)).toEqual(["collector-execution"]);
    expect(c.metricsLogGroupName).toBeUndefined();
  });

  test("endpoint: the literal collector.<namespace>:4317 (default <name>.internal, lower case), and Cloud Map wiring", () => {
    const stack = newStack();
    expect(collector(stack, { name: "Otel-A" }).endpoint).toBe("collector.otel-a.internal:4317");
    const c = collector(newStack(), { dnsNamespace: "metrics.corp.internal" });
    expect(c.endpoint).toBe("collector.metrics.corp.internal:4317");
    const json = JSON.parse(Testing.synth(c.node.scope as TerraformStack));
    const ns = only(json, "aws_service_discovery_private_dns_namespace");
    expect(ns).toMatchObject({ name: "metrics.corp.internal", vpc: NET.vpcId });
    const sd = only(json, "aws_service_discovery_service");
    expect(sd).toMatchObject({
      name: "collector",
      dns_config: { routing_policy: "MULTIVALUE", dns_records: [{ type: "A", ttl: 10 }] },
      health_check_custom_config: { failure_threshold: 1 },
    });
    expect(sd.dns_config.namespace_id).toMatch(/^\$\{aws_service_discovery_private_dns_namespace\.[^.]+\.id\}$/);
    expect(only(json, "aws_ecs_service").service_registries).toEqual({ registry_arn: expect.stringMatching(/^\$\{aws_service_discovery_service\.[^.]+\.arn\}$/) });
  });

  test("security group: ingress exactly TCP 4317 from the client groups, egress as the kit's other groups", () => {
    const sg = only(synth(), "aws_security_group");
    expect(sg.vpc_id).toBe(NET.vpcId);
    expect(sg.ingress).toEqual([
      expect.objectContaining({ protocol: "tcp", from_port: 4317, to_port: 4317, security_groups: CLIENTS, cidr_blocks: null, ipv6_cidr_blocks: null, prefix_list_ids: null }),
    ]);
    expect(sg.ingress[0].self).not.toBe(true);
    expect(sg.egress).toEqual([expect.objectContaining({ protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: ["::/0"] })]);
  });

  test("least privilege: the execution role writes its log group only; the task role writes the metrics group only", () => {
    const json = synth();
    const logs = all(json, "aws_cloudwatch_log_group");
    expect(logs.map((g) => [g.name, g.retention_in_days])).toEqual([
      ["/ecs/otel", 30],
      ["/ecs/otel/metrics", 30],
    ]);
    const [own, metrics] = Object.keys(json.resource.aws_cloudwatch_log_group);
    const byName = Object.fromEntries(policies(json).map((p) => [p.name, p]));
    expect(byName["collector-execution"]!.role).toBe(roleRef(json, "otel-collector-execution"));
    expect(byName["collector-execution"]!.doc.Statement).toEqual([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`\${aws_cloudwatch_log_group.${own}.arn}:*`] },
    ]);
    expect(byName["collector-metrics"]!.role).toBe(roleRef(json, "otel-collector-task"));
    expect(byName["collector-metrics"]!.doc.Statement).toEqual([
      { Sid: "WriteMetricsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`\${aws_cloudwatch_log_group.${metrics}.arn}:*`] },
    ]);
    // awslogs writes to the declared group and never creates one.
    const options = containers(json)[0].logConfiguration.options;
    expect(options["awslogs-group"]).toBe(`<ref:aws_cloudwatch_log_group.${own}.name>`);
    expect(options["awslogs-create-group"]).toBeUndefined();
    for (const role of all(json, "aws_iam_role")) {
      expect(decodeTerraformJson(role.assume_role_policy).Statement).toEqual([
        expect.objectContaining({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/^<ref:data\.aws_caller_identity\./) } } }),
      ]);
    }
  });

  test("an image in private ECR: the execution role may pull that repository only", () => {
    const json = synth({ image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/aws-otel-collector:v0.49.0", logRetentionDays: 90 });
    const exec = policies(json).find((p) => p.name === "collector-execution")!.doc.Statement;
    expect(exec.slice(1)).toEqual([
      { Sid: "EcrAuthorization", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      {
        Sid: "PullCollectorImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^.]+\.partition\}:ecr:eu-west-1:123456789012:repository\/mirror\/aws-otel-collector$/)],
      },
    ]);
    expect(all(json, "aws_cloudwatch_log_group").map((g) => g.retention_in_days)).toEqual([90, 90]);
  });

  test("supplied values: an existing cluster, desired count, size and architecture", () => {
    const json = synth({ cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared", desiredCount: 3, cpu: 512, memoryMiB: 1024, cpuArchitecture: "X86_64" });
    expect(all(json, "aws_ecs_cluster")).toEqual([]);
    expect(only(json, "aws_ecs_service")).toMatchObject({ cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared", desired_count: 3 });
    expect(only(json, "aws_ecs_task_definition")).toMatchObject({ cpu: "512", memory: "1024", runtime_platform: { cpu_architecture: "X86_64" } });
  });

  test("construct ids are the published ones", () => {
    const stack = newStack();
    const c = collector(stack);
    const ids = c.node.children.map((n) => n.node.id).sort();
    expect(ids).toEqual(Object.values(AGENT_COLLECTOR_SERVICE_IDS).sort());
  });

  test("KitChecks pass without acknowledgements", () => {
    for (const extra of [{}, { exporter: { otlpEndpoint: "https://otlp.example.com:4317" } }] as const) {
      const stack = newStack();
      collector(stack, extra);
      expect(KitChecks.of(stack).report().violations.map((v) => v.line)).toEqual([]);
    }
  });

  test("the secret rules read the Cloud Map resources: a secret in either is a KIT-SEC-1 violation", () => {
    const stack = newStack();
    const c = collector(stack);
    const token = new TerraformVariable(stack, "token", { type: "string", sensitive: true });
    c.dnsNamespace.addOverride("description", token.stringValue);
    c.discoveryService.addOverride("description", token.stringValue);
    const lines = KitChecks.of(stack).report().violations.map((v) => v.line);
    expect(lines).toEqual([
      expect.stringMatching(/^KIT-SEC-1 stack\/Collector\/DnsNamespace: .*sensitive variable var\.token.* in description/),
      expect.stringMatching(/^KIT-SEC-1 stack\/Collector\/DiscoveryService: .*sensitive variable var\.token.* in description/),
    ]);
  });

  test("client groups may be Terraform references", () => {
    const stack = newStack();
    const sg = new TerraformVariable(stack, "agents_sg", { type: "string" });
    collector(stack, { clientSecurityGroupIds: [sg.stringValue] });
    expect(only(JSON.parse(Testing.synth(stack)), "aws_security_group").ingress[0].security_groups).toEqual(["${var.agents_sg}"]);
  });

  describe("fails when", () => {
    const fails = (extra: Record<string, unknown>) => messageOf(() => collector(newStack(), extra as Partial<AgentCollectorServiceProps>));
    test("subnets are empty", () => {
      expect(fails({ subnetIds: [] })).toContain("stack/Collector: `subnetIds` must list at least one subnet (private subnets), got: an array of 0");
    });
    test("it admits no security group at synthesis (none listed, none added with allowFrom)", () => {
      const stack = newStack();
      collector(stack, { clientSecurityGroupIds: [] });
      expect(() => Testing.synth(stack, true)).toThrow(
        "stack/Collector: `clientSecurityGroupIds` must list at least one security group, or `allowFrom(…)` add one before synthesis: the agents' groups are the only sources the collector admits, got: none",
      );
    });
    test("allowFrom is given something else than group IDs", () => {
      const c = collector(newStack(), {});
      expect(messageOf(() => c.allowFrom("subnet-0abc"))).toContain('stack/Collector: `allowFrom[0]` must be a security group ID such as "sg-0abc1234", got: "subnet-0abc"');
      expect(messageOf(() => c.allowFrom())).toContain("stack/Collector: `allowFrom` must name at least one security group");
    });
    test("a client group is not a group ID", () => {
      expect(fails({ clientSecurityGroupIds: ["subnet-0abc"] })).toContain('stack/Collector: `clientSecurityGroupIds[0]` must be a security group ID such as "sg-0abc1234", got: "subnet-0abc"');
    });
    test("the image is not pinned", () => {
      expect(fails({ image: "public.ecr.aws/aws-observability/aws-otel-collector" })).toContain("stack/Collector: `image` must be an image reference with a tag or digest");
    });
    test("desiredCount is out of range", () => {
      expect(fails({ desiredCount: 0 })).toContain("stack/Collector: `desiredCount` must be a whole number from 1 to 10, got: 0");
      expect(fails({ desiredCount: 11 })).toContain("`desiredCount` must be a whole number from 1 to 10, got: 11");
    });
    test("cpu and memory are not a Fargate pair", () => {
      expect(fails({ cpu: 256, memoryMiB: 4096 })).toContain("stack/Collector: `memoryMiB` must be a memory size Fargate offers with 256 CPU units (512, 1024, 2048 MiB), got: 4096");
      expect(fails({ cpu: 300 })).toContain("stack/Collector: `cpu` must be a Fargate CPU size");
    });
    test("the OTLP endpoint is not host:port, or a namespace comes with it", () => {
      expect(fails({ exporter: { otlpEndpoint: "otlp.example.com" } })).toContain("stack/Collector: `exporter.otlpEndpoint` must be an OTLP/gRPC address, host:port, https://host:port or http://host:port");
      expect(fails({ exporter: { otlpEndpoint: "otlp.example.com:4317" }, namespace: "X" })).toContain(
        'stack/Collector: `namespace` applies to `exporter: "cloudwatch"` only: the OTLP exporter forwards metrics as they are, got: "X"',
      );
    });
    test("an unknown field, a bad retention, a bad namespace name", () => {
      const m = fails({ subnets: ["subnet-0abc"], logRetentionDays: 10, dnsNamespace: "Metrics" });
      expect(m).toContain("stack/Collector: `subnets`");
      expect(m).toContain("stack/Collector: `logRetentionDays` must be a CloudWatch retention");
      expect(m).toContain("stack/Collector: `dnsNamespace` must be a DNS name of two or more lower-case labels");
    });
  });
});

describe("AgentCollectorService with a VmAgentFleet", () => {
  const stack = newStack();
  // The fleet's security group is the collector's only source, and the collector's endpoint the
  // fleet's: the collector comes first and admits the fleet once it exists.
  const c = new AgentCollectorService(stack, "Collector", { name: "vm-metrics", ...NET, dnsNamespace: "metrics.internal" });
  const fleet = new VmAgentFleet(stack, "Fleet", {
    name: "blue-fleet",
    os: "amazon-linux-2023",
    ...NET,
    settings: {
      scalrUrl: "https://fleet-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbC123"),
      telemetry: { otlpEndpoint: c.endpoint },
    },
  });
  c.allowFrom(fleet.securityGroup.id);
  const json = JSON.parse(Testing.synth(stack));

  test("the fleet's agents export to collector.<namespace>:4317", () => {
    const lt = only(json, "aws_launch_template");
    const document = gunzipSync(Buffer.from(lt.user_data, "base64")).toString("utf8");
    const files = (parseYaml(document) as { write_files: { path: string; content: string }[] }).write_files;
    const env = files.find((f) => f.path === "/etc/scalr-agent/agent.env")?.content ?? "";
    expect(env.split("\n")).toContain("SCALR_AGENT_OTLP_ENDPOINT=collector.metrics.internal:4317");
  });

  test("the collector admits the fleet's security group on 4317, and KitChecks pass the whole stack", () => {
    const sg = json.resource.aws_security_group;
    const collectorSg = Object.values<any>(sg).find((g) => g.name === "vm-metrics-collector");
    const fleetKey = Object.entries<any>(sg).find(([, g]) => g.name !== "vm-metrics-collector")?.[0];
    expect(collectorSg.ingress).toEqual([expect.objectContaining({ from_port: 4317, to_port: 4317, protocol: "tcp", security_groups: [`\${aws_security_group.${fleetKey}.id}`] })]);
    expect(KitChecks.of(stack).report().violations.map((v) => v.line)).toEqual([]);
  });
});
