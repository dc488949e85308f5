import { HandlerConfigError, parseHandlerConfig } from "../../../agent/serverless";
import { ENV } from "./fixtures";

const issuesOf = (env: Record<string, string | undefined>): readonly string[] => {
  try {
    parseHandlerConfig(env);
  } catch (e) {
    if (e instanceof HandlerConfigError) return e.issues;
    throw e;
  }
  throw new Error("expected a HandlerConfigError");
};

describe("parseHandlerConfig", () => {
  test("reads the environment the construct sets; no strategy means launch type FARGATE and no fallback", () => {
    expect(parseHandlerConfig(ENV)).toEqual({
      clusterArn: ENV.CLUSTER_ARN,
      taskDefinitionArn: ENV.TASK_DEFINITION_ARN,
      subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"],
      securityGroupIds: ["sg-0c3d4e5f607182930"],
      assignPublicIp: "DISABLED",
      capacityProviderStrategy: [],
      fallbackToFargate: false,
      strategyActions: [],
    });
  });

  test("reads the task types that use the strategy; bad lists name the variable", () => {
    expect(parseHandlerConfig({ ...ENV, STRATEGY_ACTIONS: '["plan","policy.check"]' }).strategyActions).toEqual(["plan", "policy.check"]);
    expect(parseHandlerConfig({ ...ENV, STRATEGY_ACTIONS: "" }).strategyActions).toEqual([]);
    expect(() => parseHandlerConfig({ ...ENV, STRATEGY_ACTIONS: "plan" })).toThrow(/`STRATEGY_ACTIONS` must be a JSON array, got: "plan"/);
    expect(() => parseHandlerConfig({ ...ENV, STRATEGY_ACTIONS: '["Plan!"]' })).toThrow(/`STRATEGY_ACTIONS` must be task types such as plan \(at 0\)/);
  });

  test("reads a capacity provider strategy and the fallback switch; an empty strategy is none", () => {
    const strategy = [{ capacityProvider: "FARGATE_SPOT", weight: 4, base: 0 }, { capacityProvider: "FARGATE", weight: 1 }];
    expect(parseHandlerConfig({ ...ENV, CAPACITY_PROVIDER_STRATEGY: JSON.stringify(strategy), FALLBACK_TO_FARGATE: "true" })).toMatchObject({
      capacityProviderStrategy: strategy,
      fallbackToFargate: true,
    });
    expect(parseHandlerConfig({ ...ENV, CAPACITY_PROVIDER_STRATEGY: "", FALLBACK_TO_FARGATE: "false" })).toMatchObject({ capacityProviderStrategy: [], fallbackToFargate: false });
    expect(parseHandlerConfig({ ...ENV, CAPACITY_PROVIDER_STRATEGY: "[]" }).capacityProviderStrategy).toEqual([]);
  });

  test("accepts other partitions (aws-cn, aws-us-gov)", () => {
    expect(() =>
      parseHandlerConfig({ ...ENV, CLUSTER_ARN: "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/a", TASK_DEFINITION_ARN: "arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/b:1" }),
    ).not.toThrow();
  });

  describe("fails, naming the variable, when", () => {
    const cases: Array<[string, Record<string, string | undefined>, string]> = [
      ["CLUSTER_ARN is missing", { ...ENV, CLUSTER_ARN: undefined }, "`CLUSTER_ARN` is required, got: nothing"],
      ["CLUSTER_ARN is a name, not an ARN", { ...ENV, CLUSTER_ARN: "scalr-agents" }, '`CLUSTER_ARN` must be an ECS cluster ARN, got: "scalr-agents"'],
      [
        "TASK_DEFINITION_ARN has no revision",
        { ...ENV, TASK_DEFINITION_ARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/scalr-agent-run" },
        "`TASK_DEFINITION_ARN` must be an ECS task definition ARN with its revision (…:task-definition/family:revision), got: \"arn:aws:ecs:us-east-1:123456789012:task-definition/scalr-agent-run\"",
      ],
      ["SUBNET_IDS is empty", { ...ENV, SUBNET_IDS: " , " }, '`SUBNET_IDS` must name at least one of subnet IDs (subnet-…), got: " , "'],
      ["SUBNET_IDS holds something else", { ...ENV, SUBNET_IDS: "subnet-0a1b2c3d4e5f60718,vpc-0a1b2c3d" }, "`SUBNET_IDS` must be a comma-separated list of subnet IDs (subnet-…) (at 1)"],
      ["SUBNET_IDS repeats a subnet", { ...ENV, SUBNET_IDS: "subnet-0a1b2c3d4e5f60718,subnet-0a1b2c3d4e5f60718" }, "`SUBNET_IDS` must not repeat an ID"],
      ["SECURITY_GROUP_IDS is missing", { ...ENV, SECURITY_GROUP_IDS: undefined }, "`SECURITY_GROUP_IDS` is required, got: nothing"],
      ["SECURITY_GROUP_IDS names more than 5", { ...ENV, SECURITY_GROUP_IDS: Array.from({ length: 6 }, (_, i) => `sg-0000000${i}`).join(",") }, "`SECURITY_GROUP_IDS` must name at most 5"],
      ["ASSIGN_PUBLIC_IP is lower case", { ...ENV, ASSIGN_PUBLIC_IP: "enabled" }, '`ASSIGN_PUBLIC_IP` must be "ENABLED" or "DISABLED", got: "enabled"'],
      ["CAPACITY_PROVIDER_STRATEGY is not JSON", { ...ENV, CAPACITY_PROVIDER_STRATEGY: "FARGATE_SPOT" }, "`CAPACITY_PROVIDER_STRATEGY` must be a JSON array, got:"],
      ["CAPACITY_PROVIDER_STRATEGY is an object", { ...ENV, CAPACITY_PROVIDER_STRATEGY: '{"capacityProvider":"FARGATE"}' }, "`CAPACITY_PROVIDER_STRATEGY` must be a JSON array"],
      ["a strategy item has a typo", { ...ENV, CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE","wieght":1}]' }, "`CAPACITY_PROVIDER_STRATEGY` must be a JSON array of {capacityProvider, weight?, base?} (at 0)"],
      ["a weight is out of range", { ...ENV, CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE","weight":1001}]' }, "`CAPACITY_PROVIDER_STRATEGY` must be 0–1000 (at 0.weight)"],
      [
        "two items set base",
        { ...ENV, CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider":"FARGATE","base":1},{"capacityProvider":"FARGATE_SPOT","base":2}]' },
        "`CAPACITY_PROVIDER_STRATEGY` must set `base` on at most one capacity provider",
      ],
      ["FALLBACK_TO_FARGATE is yes", { ...ENV, FALLBACK_TO_FARGATE: "yes" }, '`FALLBACK_TO_FARGATE` must be "true" or "false", got: "yes"'],
    ];
    test.each(cases)("%s", (_name, env, expected) => {
      const issues = issuesOf(env);
      expect(issues).toHaveLength(1);
      expect(issues[0]).toContain(expected);
    });

    test("several variables are wrong: one line each, in one error", () => {
      const issues = issuesOf({ ASSIGN_PUBLIC_IP: "DISABLED" });
      expect(issues.map((i) => i.split(" ")[0])).toEqual(["`CLUSTER_ARN`", "`TASK_DEFINITION_ARN`", "`SUBNET_IDS`", "`SECURITY_GROUP_IDS`"]);
      expect(() => parseHandlerConfig({})).toThrow(/^webhook handler configuration is invalid:\n {2}`CLUSTER_ARN` is required/);
    });
  });
});
