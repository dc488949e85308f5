import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { EcsAgentService, EcsAgentServiceProps } from "../../../constructs/ecs/ecs-agent-service";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const SCALR_URL = "https://acme.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function only(json: any, type: string): any {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

function container(json: any): any {
  return decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions)[0];
}

function statements(json: any, name: string): any[] {
  const policy = Object.values<any>(json.resource.aws_iam_role_policy).find((p) => p.name === name);
  return decodeTerraformJson(policy.policy).Statement;
}

describe("EcsAgentService and its FargateAgentTask", () => {
  test("defaults: 2 polling agents (local driver) on Fargate 2048/4096, token from Secrets Manager, drain within 120 s", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "ecs-run" });
    new EcsAgentService(stack, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(EcsService, {
      name: "scalr-agents",
      launch_type: "FARGATE",
      desired_count: 2,
      deployment_minimum_healthy_percent: 100,
      deployment_maximum_percent: 200,
      deployment_circuit_breaker: { enable: true, rollback: true },
    });
    const json = JSON.parse(out);
    const td = only(json, "aws_ecs_task_definition");
    expect(td).toMatchObject({ family: "scalr-agents", cpu: "2048", memory: "4096", network_mode: "awsvpc", requires_compatibilities: ["FARGATE"] });
    const c = container(json);
    expect(c).toMatchObject({ name: "agent", image: "scalr/agent:1.4.0", essential: true, stopTimeout: 120 });
    const env = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      SCALR_URL,
      SCALR_AGENT_DRIVER: "local",
      SCALR_AGENT_WORKER_ON_STOP_ACTION: "drain",
      SCALR_AGENT_WORKER_DRAIN_TIMEOUT: "50",
      SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT: "60",
    });
    expect(env).not.toHaveProperty("SCALR_AGENT_SINGLE");
    expect(c.secrets).toEqual([{ name: "SCALR_AGENT_TOKEN", valueFrom: expect.stringMatching(/^<ref:aws_secretsmanager_secret\.Agents_Agent_TokenSecret_[0-9A-F]+\.arn>$/) }]);
    expect(JSON.stringify(c.environment)).not.toMatch(/token/i);
    expect(only(json, "aws_secretsmanager_secret_version").secret_string).toMatch(/^\$\{scalr_agent_pool_token\.Pool_Token-default_[0-9A-F]+\.token\}$/);
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/ecs/scalr-agents", retention_in_days: 30 });
  });

  test("the security group admits no ingress", () => {
    const stack = newStack();
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL }, ...NET });
    const sg = only(JSON.parse(Testing.synth(stack)), "aws_security_group");
    expect(sg.ingress).toEqual([]);
    expect(sg.egress).toHaveLength(1);
  });

  test("the execution role reads only the token secret and writes only its log group; no wildcard action", () => {
    const stack = newStack();
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL }, ...NET });
    const json = JSON.parse(Testing.synth(stack));
    const st = statements(json, "agent-execution");
    expect(st).toEqual([
      { Sid: "ReadTokenSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [expect.stringMatching(/^<ref:aws_secretsmanager_secret\..*\.arn>$/)] },
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:\*$/)] },
    ]);
    for (const role of Object.values<any>(json.resource.aws_iam_role)) {
      const trust = decodeTerraformJson(role.assume_role_policy).Statement[0];
      expect(trust.Principal).toEqual({ Service: "ecs-tasks.amazonaws.com" });
      expect(trust.Condition.StringEquals["aws:SourceAccount"]).toMatch(/^<ref:data\.aws_caller_identity\./);
    }
  });

  test("an existing Secrets Manager secret is referenced, not created", () => {
    const stack = newStack();
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf";
    new EcsAgentService(stack, "Agents", { name: "a", settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(arn) }, ...NET });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.resource.aws_secretsmanager_secret).toBeUndefined();
    expect(container(json).secrets).toEqual([{ name: "SCALR_AGENT_TOKEN", valueFrom: arn }]);
  });

  test("graceful mode with a shorter stop timeout, ARM, a bigger size", () => {
    const stack = newStack();
    new EcsAgentService(stack, "Agents", {
      name: "a",
      pool: new AgentPool(stack, "Pool", { name: "p" }),
      settings: { scalrUrl: SCALR_URL, shutdown: { mode: "graceful" } },
      stopTimeoutSeconds: 90,
      cpu: 4096,
      memoryMiB: 12288,
      cpuArchitecture: "ARM64",
      ...NET,
    });
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json, "aws_ecs_task_definition")).toMatchObject({ cpu: "4096", memory: "12288", runtime_platform: { cpu_architecture: "ARM64" } });
    const c = container(json);
    expect(c.stopTimeout).toBe(90);
    expect(c.environment).toContainEqual({ name: "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT", value: "80" });
  });

  test("autoscaling tracks CPU and never scales in unless allowed", () => {
    const stack = newStack();
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL }, autoscaling: { minCount: 1, maxCount: 6 }, ...NET });
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json, "aws_appautoscaling_target")).toMatchObject({ min_capacity: 1, max_capacity: 6, scalable_dimension: "ecs:service:DesiredCount" });
    expect(only(json, "aws_appautoscaling_policy").target_tracking_scaling_policy_configuration).toMatchObject({ target_value: 60, disable_scale_in: true });
    expect(only(json, "aws_ecs_service")).toMatchObject({ desired_count: 1, lifecycle: { ignore_changes: ["desired_count"] } });
  });

  test("autoscaling on a referenced cluster: the resource ID takes the cluster name from its ARN with Terraform functions", () => {
    const stack = newStack();
    const cluster = new EcsCluster(stack, "Mine", { name: "mine" });
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL }, cluster: cluster.arn, autoscaling: { minCount: 1, maxCount: 2 }, ...NET });
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json, "aws_appautoscaling_target").resource_id).toBe(
      "service/${element(reverse(split(\"/\", aws_ecs_cluster.Mine.arn)), 0)}/${aws_ecs_service.Agents_8DC46436.name}",
    );
  });

  test("autoscaling on a cluster given by literal ARN uses its name", () => {
    const stack = newStack();
    new EcsAgentService(stack, "Agents", {
      name: "a",
      pool: new AgentPool(stack, "Pool", { name: "p" }),
      settings: { scalrUrl: SCALR_URL },
      cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared",
      autoscaling: { minCount: 1, maxCount: 2 },
      ...NET,
    });
    expect(only(JSON.parse(Testing.synth(stack)), "aws_appautoscaling_target").resource_id).toMatch(/^service\/shared\/\$\{aws_ecs_service\./);
  });

  test("a private ECR image: the execution role may get an ECR token and pull from that repository only", () => {
    const stack = newStack();
    const image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/scalr-agent:1.4.0";
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL, image }, ...NET });
    const st = statements(JSON.parse(Testing.synth(stack)), "agent-execution");
    expect(st.slice(2)).toEqual([
      { Sid: "EcrAuthorization", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
      {
        Sid: "PullAgentImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: [expect.stringMatching(/^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:ecr:eu-west-1:123456789012:repository\/mirror\/scalr-agent$/)],
      },
    ]);
  });

  test("a secret ARN without its 6-character suffix is granted as <arn>-?????? (a full ARN as it is)", () => {
    const grant = (arn: string) => {
      const stack = newStack();
      new EcsAgentService(stack, "Agents", { name: "a", settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(arn) }, ...NET });
      return statements(JSON.parse(Testing.synth(stack)), "agent-execution")[0].Resource;
    };
    expect(grant("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token")).toEqual(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-??????"]);
    expect(grant("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf")).toEqual(["arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf"]);
  });

  test("references in settings stay Terraform expressions inside the container definition", () => {
    const stack = newStack();
    const url = new TerraformVariable(stack, "scalr_url", { type: "string" });
    new EcsAgentService(stack, "Agents", { name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: url.stringValue }, ...NET });
    const td = only(JSON.parse(Testing.synth(stack)), "aws_ecs_task_definition");
    expect(td.container_definitions).toContain('"value":${jsonencode(var.scalr_url)}');
  });
});

describe("EcsAgentService fails at synth time", () => {
  const base = (stack: TerraformStack): EcsAgentServiceProps => ({ name: "a", pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL }, ...NET });
  const cases: Array<[string, (stack: TerraformStack) => EcsAgentServiceProps, string]> = [
    ["when the stop timeout is over 120", (s) => ({ ...base(s), stopTimeoutSeconds: 180 }), "stack/Agents: `stopTimeoutSeconds` must be a whole number from 2 to 120, got: 180"],
    [
      "when drain mode gets a short stop timeout",
      (s) => ({ ...base(s), stopTimeoutSeconds: 60 }),
      'stack/Agents: `stopTimeoutSeconds` must be 120 with `settings.shutdown.mode` "drain" (drain needs at least 120 s; Fargate allows at most 120), or use mode "graceful", got: 60',
    ],
    [
      "when the CPU/memory pair is not a Fargate size",
      (s) => ({ ...base(s), cpu: 1024, memoryMiB: 16384 }),
      "stack/Agents: `memoryMiB` must be a memory size Fargate offers with 1024 CPU units (2048–8192 in steps of 1024 MiB), got: 16384",
    ],
    ["when there are no subnets", (s) => ({ ...base(s), subnetIds: [] }), "stack/Agents: `subnetIds` must list at least one subnet (private subnets with a NAT route to Scalr), got: an array of 0"],
    [
      "when the token is a plain string",
      (s) => ({ ...base(s), pool: undefined, settings: { scalrUrl: SCALR_URL, token: "agent-token-literal" as never } }),
      "stack/Agents: `settings.token` must be a Terraform value (stored in a Secrets Manager secret) or AgentTokenSource.fromAwsSecretsManager(arn) on ECS, got: a plain string of 19 characters (value hidden)",
    ],
    [
      "when the grace period is given instead of the stop timeout",
      (s) => ({ ...base(s), settings: { scalrUrl: SCALR_URL, shutdown: { mode: "drain", gracePeriodSeconds: 120 } as never } }),
      "stack/Agents: `settings.shutdown.gracePeriodSeconds` is `stopTimeoutSeconds` on Fargate: set that instead, got: 120",
    ],
    ["when the driver is docker", (s) => ({ ...base(s), settings: { scalrUrl: SCALR_URL, driver: "docker" } }), 'stack/Agents: `settings.driver` must be "local" (or unset) on Fargate: tasks cannot start containers, got: "docker"'],
    ["when the pool is a VCS pool", (s) => ({ ...base(s), pool: new AgentPool(s, "Vcs", { name: "v", kind: "vcs" }) }), 'stack/Agents: `pool` must be a run pool: VCS agents do not run on ECS here, got: "vcs"'],
    ["when the pool is not an AgentPool", (s) => ({ ...base(s), pool: { kind: "run" } as never }), 'stack/Agents: `pool` must be an AgentPool, got: {"kind":"run"}'],
    ["when the VPC is not a VPC ID", (s) => ({ ...base(s), vpcId: "my-vpc" }), 'stack/Agents: `vpcId` must be a VPC ID such as "vpc-0abc1234", got: "my-vpc"'],
    [
      "when autoscaling bounds are reversed",
      (s) => ({ ...base(s), autoscaling: { minCount: 5, maxCount: 2 } }),
      'stack/Agents: `autoscaling` must have `minCount` ≤ `maxCount`, got: {"minCount":5,"maxCount":2,"targetCpuPercent":60,"allowScaleIn":false}',
    ],
  ];

  test.each(cases)("fails %s", (_name, props, expected) => {
    const stack = newStack();
    expect(messageOf(() => new EcsAgentService(stack, "Agents", props(stack)))).toBe(expected);
  });
});
