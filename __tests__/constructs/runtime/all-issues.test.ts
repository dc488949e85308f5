import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { KitValidationError } from "../../../core/validation";
import { EcsAgentService } from "../../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../../constructs/ecs/fargate-agent-task";
import { ServerlessAgentPool } from "../../../constructs/ecs/serverless-agent-pool";
import { HelmAgent } from "../../../constructs/k8s/helm-agent";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { VmAgentFleet } from "../../../constructs/vm/vm-agent-fleet";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";

/**
 * Every runtime construct reports every problem of one props object in one error: field rules of
 * the props, their cross-field rules, the pool and token rules of the runtime, and the fields and
 * rules of the nested AgentSettings (named `settings.…`). Each case seeds independent mistakes in
 * distinct fields and expects exactly those fields, in the order the construct checks them.
 */
const SCALR_URL = "https://acme.scalr.io";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf";
const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] };

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

/** The fields of the one KitValidationError `build` throws, checking it created nothing. */
function fieldsOf(build: (stack: TerraformStack) => unknown): string[] {
  const stack = newStack();
  const before = stack.node.findAll().length;
  let error: unknown;
  try {
    build(stack);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(KitValidationError);
  const e = error as KitValidationError;
  expect(e.message.split("\n")).toHaveLength(e.issues.length);
  // The construct itself (and the pools a case made) only: no resource before the error.
  expect(stack.node.findAll().filter((c) => c.node.path.startsWith("stack/Agent/"))).toEqual([]);
  expect(stack.node.findAll().length).toBeGreaterThan(before);
  return e.issues.map((i) => i.field);
}

describe("one error lists every problem of the props", () => {
  test("HelmAgent: props fields, a chart rule and a settings rule", () => {
    const fields = fieldsOf(
      (stack) =>
        new HelmAgent(stack, "Agent", {
          pool: new AgentPool(stack, "Pool", { name: "p" }),
          chart: "agent-k8s",
          releaseName: "Bad_Name",
          timeoutSeconds: 5,
          podDisruptionBudget: true,
          settings: { scalrUrl: SCALR_URL, shutdown: { mode: "drain", gracePeriodSeconds: 60 } },
        }),
    );
    expect(fields).toEqual(["releaseName", "timeoutSeconds", "settings.shutdown.gracePeriodSeconds", "podDisruptionBudget"]);
  });

  test("HelmAgent: the pool kind and the token source next to a props field and a shared namespace", () => {
    const fields = fieldsOf((stack) => {
      new HelmAgent(stack, "First", { pool: new AgentPool(stack, "Pool", { name: "p" }), settings: { scalrUrl: SCALR_URL } });
      return new HelmAgent(stack, "Agent", {
        pool: new AgentPool(stack, "Pool2", { name: "p2" }),
        chartVersion: "~0.6",
        settings: { scalrUrl: SCALR_URL, poolKind: "vcs", token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN) },
      });
    });
    expect(fields).toEqual(["chartVersion", "settings.poolKind", "settings.token", "namespace"]);
  });

  test("VmAgentFleet: a props field, settings fields and cross-field rules of the fleet", () => {
    const fields = fieldsOf(
      (stack) =>
        new VmAgentFleet(stack, "Agent", {
          name: "fleet",
          os: "rocky-9",
          pool: new AgentPool(stack, "Pool", { name: "p" }),
          vpcId: "my-vpc",
          subnetIds: NET.subnetIds,
          minSize: 4,
          maxSize: 2,
          instanceRefresh: { minHealthyPercentage: 50, maxHealthyPercentage: 200 },
          settings: { scalrUrl: SCALR_URL, proxy: { http: "proxy.corp.example:3128" } },
        }),
    );
    expect(fields).toEqual(["vpcId", "settings.proxy.http", "amiId", "instanceRefresh.maxHealthyPercentage", "minSize"]);
  });

  test("VmAgentFleet: the sizing and drain rules on valid settings, next to a props field and the capacity", () => {
    const fields = fieldsOf(
      (stack) =>
        new VmAgentFleet(stack, "Agent", {
          name: "fleet",
          os: "amazon-linux-2023",
          pool: new AgentPool(stack, "Pool", { name: "p" }),
          ...NET,
          instanceType: "t3.medium",
          desiredCapacity: 9,
          lifecycleHookTimeoutSeconds: 600,
          tokenSecretKmsKeyArn: "alias/scalr",
          settings: { scalrUrl: SCALR_URL, concurrency: 8 },
        }),
    );
    expect(fields).toEqual(["tokenSecretKmsKeyArn", "settings.concurrency", "lifecycleHookTimeoutSeconds", "desiredCapacity"]);
  });

  test("EcsAgentService: props fields, the pool kind and Fargate's rules for the settings", () => {
    const fields = fieldsOf(
      (stack) =>
        new EcsAgentService(stack, "Agent", {
          name: "agents",
          pool: new AgentPool(stack, "Vcs", { name: "v", kind: "vcs" }),
          vpcId: NET.vpcId,
          subnetIds: [],
          cpu: 1024,
          memoryMiB: 16384,
          settings: { scalrUrl: SCALR_URL, driver: "docker", shutdown: { gracePeriodSeconds: 120 } as never },
        }),
    );
    expect(fields).toEqual(["subnetIds", "pool", "memoryMiB", "settings.shutdown.gracePeriodSeconds", "settings.driver"]);
  });

  test("EcsAgentService: a props field, the Fargate size and a settings field", () => {
    const fields = fieldsOf(
      (stack) =>
        new EcsAgentService(stack, "Agent", {
          name: "agents",
          ...NET,
          cpu: 300,
          desiredCount: -1,
          settings: { scalrUrl: "http://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(SECRET_ARN) },
        }),
    );
    expect(fields).toEqual(["desiredCount", "cpu", "settings.scalrUrl"]);
  });

  test("FargateAgentTask: a props field, the token source and Fargate's size and stop-timeout rules", () => {
    const fields = fieldsOf(
      (stack) =>
        new FargateAgentTask(stack, "Agent", {
          name: "agents",
          vpcId: NET.vpcId,
          cpu: 512,
          memoryMiB: 512,
          stopTimeoutSeconds: 60,
          logRetentionDays: 2,
          settings: { scalrUrl: SCALR_URL, token: "agent-token-literal" as never },
        }),
    );
    expect(fields).toEqual(["logRetentionDays", "settings.token", "memoryMiB", "stopTimeoutSeconds"]);
  });

  test("ServerlessAgentPool: props fields, Fargate Spot on ARM64 and a settings rule of single-run agents", () => {
    const fields = fieldsOf(
      (stack) =>
        new ServerlessAgentPool(stack, "Agent", {
          name: "Scalr Serverless",
          ...NET,
          spot: true,
          cpuArchitecture: "ARM64",
          allowedSourceCidrs: ["scalr.io"],
          settings: { scalrUrl: SCALR_URL, concurrency: 3 } as never,
        }),
    );
    expect(fields).toEqual(["name", "allowedSourceCidrs[0]", "spot", "settings.concurrency"]);
  });
});
