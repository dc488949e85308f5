import { TerraformOutput, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { EcsAgentService, EcsAgentServiceProps } from "../../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../../constructs/ecs/fargate-agent-task";
import { ServerlessAgentPool } from "../../../constructs/ecs/serverless-agent-pool";
import { KitChecks } from "../../../constructs/checks/kit-checks";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";
import { warningsOf } from "../../support/annotations";

// What a first real deployment on ECS needs right (issue 12): the local driver's concurrency,
// settings the local driver ignores, registry credentials and Docker Hub's anonymous pull limit,
// outputs for operators, and literal text that stays literal.

const SCALR_URL = "https://acme.scalr.io";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"] };
const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf";
const PULL_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub/pull-GhIjKl";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

const only = (json: any, type: string): any => {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};
const container = (json: any): any => decodeTerraformJson(only(json, "aws_ecs_task_definition").container_definitions)[0];
const statements = (json: any, name: string): any[] =>
  decodeTerraformJson(Object.values<any>(json.resource.aws_iam_role_policy).find((p) => p.name === name).policy).Statement;

const service = (stack: TerraformStack, settings: Record<string, unknown>, extra: Partial<EcsAgentServiceProps> = {}) =>
  new EcsAgentService(stack, "Agents", { name: "a", settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), ...settings } as never, ...NET, ...extra });

describe("the local driver runs one task per container (Scalr/agent-helm charts/agent-local @ cf283e1)", () => {
  test("concurrency above 1 is rejected on EcsAgentService, with the reason and what to do instead", () => {
    const message = messageOf(() => service(newStack(), { concurrency: 2 }));
    expect(message).toMatch(/^stack\/Agents: `settings\.concurrency` must be 1 \(or unset\) on Fargate: the local driver runs every task inside the agent's own container/);
    expect(message).toMatch(/`desiredCount` or `autoscaling`/);
    expect(message).toMatch(/got: 2$/);
  });

  test("concurrency above 1 is rejected on FargateAgentTask too", () => {
    const stack = newStack();
    const message = messageOf(
      () => new FargateAgentTask(stack, "Task", { name: "t", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), concurrency: 3 } }),
    );
    expect(message).toMatch(/^stack\/Task: `settings\.concurrency` must be 1 \(or unset\) on Fargate/);
  });

  test("concurrency 1 is accepted and rendered", () => {
    const stack = newStack();
    service(stack, { concurrency: 1 });
    expect(container(JSON.parse(Testing.synth(stack))).environment).toContainEqual({ name: "SCALR_AGENT_CONCURRENCY", value: "1" });
  });

  test("containerTask settings are rejected: the local driver starts no task containers", () => {
    const message = messageOf(() => service(newStack(), { containerTask: { cpuLimit: 2, memoryLimitMiB: 4096 } }));
    expect(message).toMatch(/^stack\/Agents: `settings\.containerTask` has no effect with the local driver/);
    expect(message).toMatch(/`cpu` and `memoryMiB`/);
  });

  test("both mistakes are reported together, once each", () => {
    const message = messageOf(() => service(newStack(), { concurrency: 4, containerTask: { imageMode: "golden" } }));
    expect(message.match(/settings\.concurrency/g)).toHaveLength(1);
    expect(message.match(/settings\.containerTask/g)).toHaveLength(1);
  });
});

describe("the agent image on ECS: registry credentials and Docker Hub's anonymous pull limit", () => {
  test("Secrets Manager credentials render repositoryCredentials, and the execution role may read exactly that secret", () => {
    const stack = newStack();
    service(stack, { image: { repository: "scalr/agent", tag: "1.4.0", credentials: ImagePullCredentials.fromAwsSecretsManager(PULL_ARN) } });
    const json = JSON.parse(Testing.synth(stack));
    expect(container(json).repositoryCredentials).toEqual({ credentialsParameter: PULL_ARN });
    expect(statements(json, "agent-execution")).toContainEqual({ Sid: "ReadImagePullSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [PULL_ARN] });
  });

  test("a pull secret ARN without its random suffix is granted as <arn>-??????", () => {
    const stack = newStack();
    const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub/pull";
    service(stack, { image: { credentials: ImagePullCredentials.fromAwsSecretsManager(partial) } });
    const json = JSON.parse(Testing.synth(stack));
    expect(container(json).repositoryCredentials).toEqual({ credentialsParameter: partial });
    expect(statements(json, "agent-execution").find((s) => s.Sid === "ReadImagePullSecret").Resource).toEqual([`${partial}-??????`]);
  });

  test("KitChecks still pass with the pull-secret statement", () => {
    const stack = newStack();
    service(stack, { image: { credentials: ImagePullCredentials.fromAwsSecretsManager(PULL_ARN) } });
    expect(KitChecks.of(stack).report().errors).toEqual([]);
  });

  test("Kubernetes pull credentials are rejected on ECS with what to use instead", () => {
    const message = messageOf(() => service(newStack(), { image: { credentials: ImagePullCredentials.fromKubernetesSecret("regcred") } }));
    expect(message).toMatch(/^stack\/Agents: `settings\.image\.credentials` must be ImagePullCredentials\.fromAwsSecretsManager\(arn\) on ECS/);
  });

  test("a user-given digest renders as given", () => {
    const stack = newStack();
    service(stack, { image: { digest: DIGEST } });
    expect(container(JSON.parse(Testing.synth(stack))).image).toBe(`scalr/agent@${DIGEST}`);
  });

  test("per-run tasks pulled anonymously from Docker Hub warn, naming the limit, the source and the two fixes", () => {
    const stack = newStack();
    new ServerlessAgentPool(stack, "Serverless", { name: "sl", settings: { scalrUrl: SCALR_URL }, ...NET });
    const warnings = warningsOf(stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^stack\/Serverless: `settings\.image` .*100 pulls per 6 hours/);
    expect(warnings[0]).toContain("https://docs.docker.com/docker-hub/usage/pulls/");
    expect(warnings[0]).toContain("ImagePullCredentials.fromAwsSecretsManager");
    expect(warnings[0]).toMatch(/ECR/);
  });

  test("a standalone FargateAgentTask (run per task) warns too", () => {
    const stack = newStack();
    new FargateAgentTask(stack, "Task", { name: "t", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN) } });
    expect(warningsOf(stack)).toEqual([expect.stringMatching(/^stack\/Task: `settings\.image` /)]);
  });

  test("no warning with credentials, with a registry other than Docker Hub, or on a persistent service", () => {
    const withCredentials = newStack();
    new ServerlessAgentPool(withCredentials, "Serverless", {
      name: "sl",
      settings: { scalrUrl: SCALR_URL, image: { credentials: ImagePullCredentials.fromAwsSecretsManager(PULL_ARN) } },
      ...NET,
    });
    expect(warningsOf(withCredentials)).toEqual([]);
    const mirror = newStack();
    new ServerlessAgentPool(mirror, "Serverless", { name: "sl", settings: { scalrUrl: SCALR_URL, image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/docker-hub/scalr/agent:1.4.0" }, ...NET });
    expect(warningsOf(mirror)).toEqual([]);
    const persistent = newStack();
    service(persistent, {});
    expect(warningsOf(persistent)).toEqual([]);
  });
});

/** The Terraform expressions of `values`, as outputs of a synthesized `stack` would show them. */
function resolved(stack: TerraformStack, values: Record<string, string | undefined>): Record<string, unknown> {
  for (const [k, v] of Object.entries(values)) new TerraformOutput(stack, `out_${k}`, { value: v });
  const json = JSON.parse(Testing.synth(stack));
  return Object.fromEntries(Object.keys(values).map((k) => [k, json.output[`out_${k}`].value]));
}

describe("outputs for operators", () => {
  test("EcsAgentService exposes cluster and service names, task definition ARN, log group name and pool ID", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    const s = new EcsAgentService(stack, "Agents", { name: "agents", pool, settings: { scalrUrl: SCALR_URL }, ...NET });
    expect(resolved(stack, { cluster: s.clusterName, service: s.serviceName, td: s.taskDefinitionArn, logs: s.logGroupName, pool: s.poolId })).toEqual({
      cluster: expect.stringMatching(/^\$\{aws_ecs_cluster\.Agents_Cluster_[0-9A-F]+\.name\}$/),
      service: expect.stringMatching(/^\$\{aws_ecs_service\.Agents_[0-9A-F]+\.name\}$/),
      td: expect.stringMatching(/^\$\{aws_ecs_task_definition\.Agents_Agent_[0-9A-F]+\.arn\}$/),
      logs: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Agents_Agent_LogGroup_[0-9A-F]+\.name\}$/),
      pool: expect.stringMatching(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/),
    });
  });

  test("EcsAgentService on a cluster given by ARN names that cluster; without a pool there is no pool ID", () => {
    const s = service(newStack(), {}, { cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/shared" });
    expect(s.clusterName).toBe("shared");
    expect(s.poolId).toBeUndefined();
  });

  test("FargateAgentTask exposes its task definition ARN and log group name", () => {
    const stack = newStack();
    const t = new FargateAgentTask(stack, "Task", { name: "t", vpcId: NET.vpcId, settings: { scalrUrl: SCALR_URL, token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN) } });
    expect(resolved(stack, { td: t.taskDefinitionArn, logs: t.logGroupName })).toEqual({
      td: expect.stringMatching(/^\$\{aws_ecs_task_definition\.Task_[0-9A-F]+\.arn\}$/),
      logs: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Task_LogGroup_[0-9A-F]+\.name\}$/),
    });
  });

  test("ServerlessAgentPool exposes the webhook URL, pool ID, cluster name, task definition ARN and both log groups", () => {
    const stack = newStack();
    const p = new ServerlessAgentPool(stack, "Serverless", { name: "sl", settings: { scalrUrl: SCALR_URL }, ...NET });
    expect(Token.isUnresolved(p.webhookUrl)).toBe(true);
    expect(
      resolved(stack, { url: p.webhookUrl, pool: p.poolId, cluster: p.clusterName, td: p.taskDefinitionArn, agentLogs: p.agentLogGroupName, handlerLogs: p.handlerLogGroupName }),
    ).toEqual({
      url: expect.stringMatching(/^\$\{aws_api_gateway_stage\.Serverless_Stage_[0-9A-F]+\.invoke_url\}\/trigger$/),
      pool: expect.stringMatching(/^\$\{scalr_agent_pool\.Serverless_Pool_[0-9A-F]+\.id\}$/),
      cluster: expect.stringMatching(/^\$\{aws_ecs_cluster\.Serverless_Cluster_[0-9A-F]+\.name\}$/),
      td: expect.stringMatching(/^\$\{aws_ecs_task_definition\.Serverless_Agent_[0-9A-F]+\.arn\}$/),
      agentLogs: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Serverless_Agent_LogGroup_[0-9A-F]+\.name\}$/),
      handlerLogs: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.Serverless_HandlerLogGroup_[0-9A-F]+\.name\}$/),
    });
  });
});

describe("literal text stays literal in the ECS constructs' Terraform JSON", () => {
  test("${…} in an extraEnv value synthesizes as $${…}", () => {
    const stack = newStack();
    service(stack, { extraEnv: { GREETING: "hello ${var.x} %{if true}" } });
    const td = only(JSON.parse(Testing.synth(stack)), "aws_ecs_task_definition");
    expect(td.container_definitions).toContain("hello $${var.x} %%{if true}");
    expect(td.container_definitions).not.toMatch(/[^$]\$\{var\.x\}/);
  });

  test("a cluster name given as a literal is escaped; an alarm action that is no SNS topic ARN is refused", () => {
    const stack = newStack();
    service(stack, {}, { cluster: "shared-${var.x}" });
    const json = JSON.parse(Testing.synth(stack));
    expect(only(json, "aws_ecs_service").cluster).toBe("shared-$${var.x}");
    // SNS topic names hold letters, digits, '-' and '_' only: "${" can never be part of one.
    expect(() =>
      new ServerlessAgentPool(newStack(), "Serverless", {
        name: "sl",
        settings: { scalrUrl: SCALR_URL, image: { credentials: ImagePullCredentials.fromAwsSecretsManager(PULL_ARN) } },
        ...NET,
        alarms: { actions: ["arn:aws:sns:eu-west-1:123456789012:ops-${var.x}"] },
      }),
    ).toThrow("stack/Serverless: `alarms.actions[0]` must be an SNS topic ARN");
  });

  test("references stay references", () => {
    const stack = newStack();
    const v = new TerraformVariable(stack, "cluster", { type: "string" });
    service(stack, {}, { cluster: v.stringValue });
    expect(only(JSON.parse(Testing.synth(stack)), "aws_ecs_service").cluster).toBe("${var.cluster}");
  });
});
