import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { KitChecks } from "../../../constructs/checks";
import { launchFailuresNamespace } from "../../../constructs/ecs/serverless-agent-pool";
import { AGENT_TOKEN_AGE_ALARM_IDS, AgentTokenAgeAlarm, AgentTokenAgeAlarmProps, tokenAgeNamespace } from "../../../constructs/operations/token-age-alarm";
import { AgentPool, AgentPoolProps } from "../../../constructs/scalr/agent-pool";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { messageOf } from "../../support/errors";
import { decodeTerraformJson } from "../../support/terraform-json";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:on-call";
const POOL: AgentPoolProps = { name: "age-pool", tokens: ["blue", "green"], activeToken: "green", tokenMaxAgeDays: 90 };

function stackWith(poolProps: AgentPoolProps = POOL) {
  const stack = new TerraformStack(Testing.app(), "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new ScalrProvider(stack, "scalr", {});
  return { stack, pool: new AgentPool(stack, "Pool", poolProps) };
}

function build(props: Partial<AgentTokenAgeAlarmProps> = {}, poolProps: AgentPoolProps = POOL) {
  const { stack, pool } = stackWith(poolProps);
  const construct = new AgentTokenAgeAlarm(stack, "TokenAge", { pool, ...props });
  return { stack, pool, construct, json: JSON.parse(Testing.synth(stack)) };
}
const all = (json: any, type: string): any[] => Object.values<any>(json.resource[type] ?? {});
const one = (json: any, type: string): any => {
  const found = all(json, type);
  expect(found).toHaveLength(1);
  return found[0];
};

describe("AgentTokenAgeAlarm", () => {
  const { json, construct } = build({ alarms: { actions: [TOPIC] } });

  test("the alarm <pool>-token-age: Maximum of TokenAgeDays {Pool, Token = the active token} over an hour, above the pool's tokenMaxAgeDays, with the SNS actions", () => {
    const alarm = one(json, "aws_cloudwatch_metric_alarm");
    expect(alarm).toMatchObject({
      alarm_name: "age-pool-token-age",
      namespace: "ScalrAgents/age-pool",
      metric_name: "TokenAgeDays",
      dimensions: { Pool: "age-pool", Token: "green" },
      statistic: "Maximum",
      period: 3600,
      evaluation_periods: 1,
      threshold: 90,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "missing",
      alarm_actions: [TOPIC],
      ok_actions: [TOPIC],
    });
    expect(alarm.alarm_description).toBe(
      'The active token "green" of the Scalr agent pool age-pool is older than 90 days. Rotate it: add a new token, point activeToken at it, remove the old one once the new agents registered (docs/token-rotation.md in cdktf-scalr-kit).',
    );
    expect(construct.alarm).toBeDefined();
    expect(construct.maxAgeDays).toBe(90);
  });

  test("the namespace follows the pools' convention (ScalrAgents/<pool>, as the serverless pool's metrics)", () => {
    expect(tokenAgeNamespace("age-pool")).toBe(launchFailuresNamespace("age-pool"));
    expect(construct.namespace).toBe("ScalrAgents/age-pool");
  });

  test("maxAgeDays overrides the pool's limit; the alarm follows the active token", () => {
    const alarm = one(build({ maxAgeDays: 60 }, { ...POOL, activeToken: "blue" }).json, "aws_cloudwatch_metric_alarm");
    expect(alarm).toMatchObject({ threshold: 60, dimensions: { Pool: "age-pool", Token: "blue" }, alarm_actions: [], ok_actions: [] });
    expect(alarm.alarm_description).toContain('The active token "blue" of the Scalr agent pool age-pool is older than 60 days.');
  });

  test("alarms: true (the default) creates the alarm without actions; false creates none but keeps the metric", () => {
    expect(one(build().json, "aws_cloudwatch_metric_alarm")).toMatchObject({ alarm_actions: [], ok_actions: [] });
    const off = build({ alarms: false });
    expect(off.json.resource.aws_cloudwatch_metric_alarm).toBeUndefined();
    expect(off.construct.alarm).toBeUndefined();
    expect(all(off.json, "aws_lambda_function")).toHaveLength(1);
  });

  test("the Lambda: arm64, Node.js 22, 128 MB, 10 s, one at a time, after its log group; names, namespace, active token and each token's recorded creation time", () => {
    const fn = one(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "age-pool-token-age",
      handler: "index.handler",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      memory_size: 128,
      timeout: 10,
      reserved_concurrent_executions: 1,
      role: expect.stringMatching(/^\$\{aws_iam_role\.TokenAge_Role_[0-9A-F]+\.arn\}$/),
    });
    expect(fn.depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\.TokenAge_LogGroup_[0-9A-F]+$/)]);
    const env = fn.environment.variables;
    expect(Object.keys(env).sort()).toEqual(["ACTIVE_TOKEN", "METRIC_NAMESPACE", "POOL_NAME", "TOKEN_CREATED_AT"]);
    expect(env).toMatchObject({ ACTIVE_TOKEN: "green", METRIC_NAMESPACE: "ScalrAgents/age-pool", POOL_NAME: "age-pool" });
    // Terraform builds the JSON from the pool's creation records, one per token, in the pool's order.
    expect(env.TOKEN_CREATED_AT).toMatch(
      /^\$\{jsonencode\(\{"blue" = terraform_data\.Pool_TokenCreated-blue_[0-9A-F]+\.output\["createdAt"\], "green" = terraform_data\.Pool_TokenCreated-green_[0-9A-F]+\.output\["createdAt"\]\}\)\}$/,
    );
    expect(construct.environment).toEqual(expect.objectContaining({ ACTIVE_TOKEN: "green", POOL_NAME: "age-pool" }));
  });

  test("no token value reaches the Lambda, its role or the alarm: nothing of the construct names scalr_agent_pool_token", () => {
    const mine = ["aws_lambda_function", "aws_iam_role", "aws_iam_role_policy", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_lambda_permission", "aws_cloudwatch_log_group"];
    const text = JSON.stringify(mine.map((t) => json.resource[t]));
    expect(text).not.toContain("scalr_agent_pool_token");
    expect(text).not.toMatch(/\.token\b/);
  });

  test("its log group /aws/lambda/<name> keeps 30 days by default, or logRetentionDays", () => {
    expect(one(json, "aws_cloudwatch_log_group")).toMatchObject({ name: "/aws/lambda/age-pool-token-age", retention_in_days: 30 });
    expect(one(build({ logRetentionDays: 365 }).json, "aws_cloudwatch_log_group").retention_in_days).toBe(365);
  });

  test("its role: trusted by Lambda for this account's functions only, allowed to write its own log group and nothing else", () => {
    const role = one(json, "aws_iam_role");
    expect(role.name).toBe("age-pool-token-age");
    expect(decodeTerraformJson(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/^<ref:data\.aws_caller_identity\.TokenAge_Account_[0-9A-F]+\.account_id>$/) } },
      },
    ]);
    const policy = one(json, "aws_iam_role_policy");
    expect(policy.name).toBe("write-own-logs");
    expect(decodeTerraformJson(policy.policy).Statement).toEqual([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.TokenAge_LogGroup_[0-9A-F]+\.arn\}:\*$/)] }],
    );
  });

  test("an hourly EventBridge schedule invokes it, and only that rule may (the permission's source_arn)", () => {
    const rule = one(json, "aws_cloudwatch_event_rule");
    expect(rule).toMatchObject({ name: "age-pool-token-age", schedule_expression: "rate(1 hour)" });
    expect(rule.event_pattern).toBeUndefined();
    const target = one(json, "aws_cloudwatch_event_target");
    expect(target).toMatchObject({ target_id: "token-age", rule: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.TokenAge_Schedule_[0-9A-F]+\.name\}$/), arn: expect.stringMatching(/^\$\{aws_lambda_function\.TokenAge_Function_[0-9A-F]+\.arn\}$/) });
    const permission = one(json, "aws_lambda_permission");
    expect(permission).toMatchObject({
      action: "lambda:InvokeFunction",
      principal: "events.amazonaws.com",
      function_name: expect.stringMatching(/^\$\{aws_lambda_function\.TokenAge_Function_[0-9A-F]+\.function_name\}$/),
      source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_rule\.TokenAge_Schedule_[0-9A-F]+\.arn\}$/),
    });
  });

  test("`name` names the Lambda, role, schedule, log group and alarm", () => {
    const { json: named } = build({ name: "rotation_watch-1" });
    expect(one(named, "aws_lambda_function").function_name).toBe("rotation_watch-1");
    expect(one(named, "aws_iam_role").name).toBe("rotation_watch-1");
    expect(one(named, "aws_cloudwatch_event_rule").name).toBe("rotation_watch-1");
    expect(one(named, "aws_cloudwatch_log_group").name).toBe("/aws/lambda/rotation_watch-1");
    expect(one(named, "aws_cloudwatch_metric_alarm").alarm_name).toBe("rotation_watch-1");
  });

  test("construct ids are AGENT_TOKEN_AGE_ALARM_IDS", () => {
    const ids = Object.values<any>(json.resource).flatMap((byName) => Object.keys(byName)).filter((id) => id.startsWith("TokenAge_"));
    const expected = Object.entries(AGENT_TOKEN_AGE_ALARM_IDS).filter(([key]) => !["account", "code"].includes(key));
    for (const [, id] of expected) expect(ids.some((x) => x.startsWith(`TokenAge_${id}_`))).toBe(true);
    expect(Object.keys(json.data.aws_caller_identity)[0]).toMatch(new RegExp(`^TokenAge_${AGENT_TOKEN_AGE_ALARM_IDS.account}_`));
  });
});

describe("AgentTokenAgeAlarm with its pool in another stack", () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "token-age-cross-"));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test("reads the creation times through cdktf's cross-stack outputs, and KitChecks finds nothing", () => {
    const app = new App({ outdir });
    const scalr = new TerraformStack(app, "scalr");
    new ScalrProvider(scalr, "scalr", {});
    const pool = new AgentPool(scalr, "Pool", POOL);
    const aws = new TerraformStack(app, "aws");
    new AwsProvider(aws, "aws", { region: "eu-west-1" });
    new AgentTokenAgeAlarm(aws, "TokenAge", { pool });
    const checks = KitChecks.of(aws);
    app.synth();
    const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
    const consumer = read("aws");
    const producer = read("scalr");
    const fn = one(consumer, "aws_lambda_function");
    const refs = [...String(fn.environment.variables.TOKEN_CREATED_AT).matchAll(/data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)/g)];
    expect(refs.map((m) => m[1])).toEqual(["cross-stack-reference-input-scalr", "cross-stack-reference-input-scalr"]);
    for (const [, , output] of refs) expect(producer.output[output as string].value).toMatch(/^\$\{terraform_data\.Pool_TokenCreated-(blue|green)_[0-9A-F]+\.output\["createdAt"\]\}$/);
    expect(Object.values<any>(producer.output).map((o) => o.value).join(" ")).not.toContain("scalr_agent_pool_token");
    expect(one(consumer, "aws_cloudwatch_metric_alarm").dimensions).toEqual({ Pool: "age-pool", Token: "green" });
    expect(consumer.resource.scalr_agent_pool_token).toBeUndefined();
    expect(checks.report().violations).toEqual([]);
  });
});

describe("AgentTokenAgeAlarm and KitChecks", () => {
  test("no violation or warning", () => {
    const { stack, pool } = stackWith();
    new AgentTokenAgeAlarm(stack, "TokenAge", { pool, alarms: { actions: [TOPIC] } });
    const checks = KitChecks.of(stack);
    Testing.synth(stack, true);
    expect(checks.report().violations).toEqual([]);
  });

  const broken = (edit: (c: AgentTokenAgeAlarm) => void) => {
    const { stack, pool } = stackWith();
    const c = new AgentTokenAgeAlarm(stack, "TokenAge", { pool });
    edit(c);
    return KitChecks.of(stack).report().violations.map((v) => `${v.ruleId} ${v.path}`);
  };
  const child = (c: AgentTokenAgeAlarm, id: string) => c.node.findChild(id) as unknown as { addOverride(path: string, value: unknown): void };

  test("the rules see its resources: a permission open to any principal without source_arn", () => {
    expect(
      broken((c) => {
        child(c, AGENT_TOKEN_AGE_ALARM_IDS.permission).addOverride("principal", "*");
        child(c, AGENT_TOKEN_AGE_ALARM_IDS.permission).addOverride("source_arn", null);
      }),
    ).toEqual(["KIT-IAM-4 stack/TokenAge/Permission", "KIT-API-1 stack/TokenAge/Permission"]);
  });

  test("the rules see its resources: its role's policy on every resource", () => {
    expect(
      broken((c) => child(c, AGENT_TOKEN_AGE_ALARM_IDS.policy).addOverride("policy", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: "*" }] }))),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/^KIT-IAM-\d+ stack\/TokenAge\/Policy$/)]));
  });

  test("the rules see its resources: a log group without retention, a Lambda without a concurrency cap", () => {
    expect(broken((c) => c.logGroup.addOverride("retention_in_days", null))).toEqual([expect.stringMatching(/^KIT-LOG-\d+ stack\/TokenAge\/LogGroup$/)]);
    expect(broken((c) => c.function.addOverride("reserved_concurrent_executions", null))).toEqual([expect.stringMatching(/^KIT-LAMBDA-\d+ stack\/TokenAge\/Function$/)]);
  });
});

describe("AgentTokenAgeAlarm bad input", () => {
  const fails = (props: Record<string, unknown>, poolProps: AgentPoolProps = POOL) => {
    const { stack, pool } = stackWith(poolProps);
    return messageOf(() => new AgentTokenAgeAlarm(stack, "TokenAge", { pool, ...props } as AgentTokenAgeAlarmProps));
  };

  test.each([
    [0, "0"],
    [1.5, "1.5"],
    [3651, "3651"],
    ["30", '"30"'],
  ])("fails when maxAgeDays is %p", (value, shown) => {
    expect(fails({ maxAgeDays: value })).toBe(`stack/TokenAge: \`maxAgeDays\` must be a whole number from 1 to 3650, got: ${shown}`);
  });

  test("fails when the pool does not record token creation times (no tokenMaxAgeDays), with or without maxAgeDays", () => {
    const expected = "stack/TokenAge: `pool` must set `tokenMaxAgeDays` (stack/Pool): only then does the pool record when its tokens were created, got: \"stack/Pool\"";
    expect(fails({}, { name: "age-pool" })).toBe(expected);
    expect(fails({ maxAgeDays: 30 }, { name: "age-pool" })).toBe(expected);
  });

  test("fails when pool is no AgentPool", () => {
    const { stack } = stackWith();
    expect(messageOf(() => new AgentTokenAgeAlarm(stack, "TokenAge", { pool: "apool-v0abc123" } as unknown as AgentTokenAgeAlarmProps))).toBe(
      'stack/TokenAge: `pool` must be an AgentPool construct (with `tokenMaxAgeDays`), got: "apool-v0abc123"',
    );
  });

  test.each([
    [31, "31"],
    [0, "0"],
    ["30", '"30"'],
  ])("fails when logRetentionDays is %p", (value, shown) => {
    expect(fails({ logRetentionDays: value })).toBe(
      `stack/TokenAge: \`logRetentionDays\` must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got: ${shown}`,
    );
  });

  test("fails on an unknown field", () => {
    expect(fails({ scheduleExpression: "rate(5 minutes)" })).toMatch(/^stack\/TokenAge: `scheduleExpression` .*, got: "rate\(5 minutes\)"$/);
  });

  test("fails when a name is needed and missing (a pool name Lambda does not take), or is not one Lambda takes", () => {
    expect(fails({}, { ...POOL, name: "AWS run pool" })).toBe(
      "stack/TokenAge: `name` is required here: the pool's name (\"AWS run pool\") is not a literal of at most 54 letters, digits, '-' or '_', so the Lambda and the alarm cannot be named after it, got: nothing",
    );
    expect(() => build({ name: "aws-run-token-age" }, { ...POOL, name: "AWS run pool" })).not.toThrow();
    expect(fails({ name: "token age" })).toBe("stack/TokenAge: `name` must be 1–64 letters, digits, '-' or '_', got: \"token age\"");
    expect(fails({ name: "x".repeat(65) })).toMatch(/^stack\/TokenAge: `name` must be 1–64 letters, digits, '-' or '_', got: "x{65}"$/);
  });

  test("fails when the pool's name is no CloudWatch namespace part", () => {
    expect(fails({ name: "pool-token-age" }, { ...POOL, name: "pool\u00e9" })).toBe('stack/TokenAge: `pool` has a name that is no CloudWatch namespace part (printable ASCII only): "poolé", got: "stack/Pool"');
  });

  test("fails when the tokens' names and creation times would not fit in Lambda's 4 KB of environment", () => {
    const tokens = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, "0")}-${"x".repeat(59)}`);
    expect(fails({}, { name: "age-pool", tokens, tokenMaxAgeDays: 30 })).toMatch(
      /^stack\/TokenAge: `pool` has too many tokens \(40\) for the token-age Lambda: their names and creation times need up to \d+ bytes of environment, over Lambda's 4096, got: "stack\/Pool"$/,
    );
    expect(() => build({}, { name: "age-pool", tokens: tokens.slice(0, 20), tokenMaxAgeDays: 30 })).not.toThrow();
  });

  test("fails when a second alarm in the app would take the same name; warns when it fires after the plans' warning", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const pool = new AgentPool(stack, "Pool", POOL);
    new AgentTokenAgeAlarm(stack, "TokenAge", { pool });
    expect(() => new AgentTokenAgeAlarm(stack, "Again", { pool })).toThrow(
      `stack/Again: \`name\` names the Lambda, role, rule and alarm "${POOL.name}-token-age", already used by stack/TokenAge: give this alarm another \`name\` (one alarm per pool is enough), got: nothing`,
    );
    const late = new AgentTokenAgeAlarm(stack, "Late", { pool, name: "late-token-age", maxAgeDays: (POOL.tokenMaxAgeDays as number) + 10 });
    const warnings = late.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringMatching(/^stack\/Late: `maxAgeDays` \(\d+\) is above the pool's `tokenMaxAgeDays` \(\d+\): plans warn before the alarm fires/)]);
  });

  test("reports every problem at once", () => {
    const message = fails({ maxAgeDays: 0, logRetentionDays: 2, name: "a b" });
    expect(message.split("\n").map((l) => l.replace(/ must.*| is .*/, ""))).toEqual(["stack/TokenAge: `maxAgeDays`", "stack/TokenAge: `logRetentionDays`", "stack/TokenAge: `name`"]);
  });
});
