// Mutation corpus of KIT-LOG-1 (log-retention): every way a stack can leave a log group without
// retention, including the groups AWS creates on its own, and a compliant twin of each.
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { LambdaFunction, LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { TerraformStack, TerraformVariable } from "cdktf";
import { terraformJson } from "../../../../core/terraform-json";
import { KIT_LOG_1 } from "../../../../constructs/checks/rules/logs/log-retention";
import { violations } from "../rule-helpers";
import { Form, UNCONFIRMED, raw, runCorpus } from "./forms";

const group = (s: TerraformStack, name: string, id = "Logs", retentionInDays: number | null = 30) => new CloudwatchLogGroup(s, id, { name, retentionInDays: retentionInDays ?? undefined });
const fn = (s: TerraformStack, props: Partial<LambdaFunctionConfig> = {}) => new LambdaFunction(s, "Fn", { functionName: "webhook", role: "r", ...props });
/** A task definition with one awslogs container; `handWritten` writes the JSON as a user would (`${…}` then interpolates). */
const task = (s: TerraformStack, options: Record<string, unknown>, handWritten = false) =>
  new EcsTaskDefinition(s, "Task", {
    family: "agents",
    containerDefinitions: (handWritten ? JSON.stringify : terraformJson)([{ name: "agent", image: "scalr/agent:1.4.0", logConfiguration: { logDriver: "awslogs", options: { "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "agent", ...options } } }]),
  });
const settings = (s: TerraformStack, level: string, stage = "prod") =>
  new ApiGatewayMethodSettings(s, "Settings", { restApiId: "${aws_api_gateway_rest_api.Api.id}", stageName: stage, methodPath: "*/*", settings: { loggingLevel: level } });
const flow = (s: TerraformStack, destination: Record<string, unknown>) => new FlowLog(s, "Flow", { vpcId: "vpc-1", trafficType: "ALL", iamRoleArn: "r", ...destination });

function retentionCorpus(): { violating: Form[]; compliant: Form[] } {
  const violating: Form[] = [
    { form: "log group without retention", build: (s) => void group(s, "/x", "Logs", null) },
    ...[0, "0", "0e0", "${0}", "${ 0 }", "00"].map((v) => ({ form: `log group retention ${JSON.stringify(v)} (never expire)`, build: (s: TerraformStack) => void group(s, "/x").addOverride("retention_in_days", v) })),
    { form: "log group retention a reference", build: (s) => void group(s, "/x").addOverride("retention_in_days", "${var.days}") },
    { form: "log group retention a TerraformVariable", build: (s) => void group(s, "/x", "Logs", new TerraformVariable(s, "days", { type: "number" }).numberValue) },
    { form: "log group retention null by addOverride", build: (s) => void group(s, "/x").addOverride("retention_in_days", null) },
    { form: "log group retention not a number", build: (s) => void group(s, "/x").addOverride("retention_in_days", "forever") },
    { form: "Lambda without a declared /aws/lambda group", build: (s) => void fn(s) },
    { form: "Lambda with a group of another function's name", build: (s) => (group(s, "/aws/lambda/other"), void fn(s)) },
    { form: "Lambda whose function_name is a reference, no group", build: (s) => void fn(s, { functionName: "${var.name}" }) },
    { form: "Lambda logging_config to an undeclared group", build: (s) => void fn(s, { loggingConfig: { logFormat: "JSON", logGroup: "/custom/webhook" } }) },
    { form: "Lambda: the declared group has no retention", build: (s) => (group(s, "/aws/lambda/webhook", "Logs", null), void fn(s)) },
    { form: "Lambda as a raw resource", build: (s) => void raw(s, "aws_lambda_function", "Raw", { function_name: "raw", role: "r" }) },
    { form: "ECS awslogs-create-group \"true\" to an undeclared group", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": "true" }) },
    { form: "ECS awslogs-create-group true (boolean) to an undeclared group", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": true }) },
    { form: "ECS awslogs-create-group a reference (hand-written JSON)", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": "${var.create}" }, true) },
    { form: "ECS awslogs-create-group a reference (jsonencode)", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": new TerraformVariable(s, "create", {}).stringValue }) },
    { form: "ECS awslogs-create-group, the group name a reference (hand-written JSON)", build: (s) => void task(s, { "awslogs-group": "${var.group}", "awslogs-create-group": "true" }, true) },
    { form: "ECS awslogs-create-group \"True\" in hand-written JSON", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": "True" }, true) },
    { form: "ECS container definitions not readable (a variable)", build: (s) => void new EcsTaskDefinition(s, "Task", { family: "agents", containerDefinitions: "${var.containers}" }) },
    { form: "API Gateway execution logging INFO without the group", build: (s) => void settings(s, "INFO") },
    { form: "API Gateway execution logging ERROR without the group", build: (s) => void settings(s, "ERROR") },
    { form: "API Gateway execution logging level a reference", build: (s) => void settings(s, "${var.level}") },
    { form: "API Gateway execution logging: a group for another stage", build: (s) => (group(s, "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.Api.id}/dev"), void settings(s, "INFO")) },
    { form: "VPC flow log to an undeclared group name", build: (s) => void flow(s, { logGroupName: "/vpc/flow" }) },
    { form: "VPC flow log to an undeclared group ARN", build: (s) => void flow(s, { logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/flow" }) },
    { form: "VPC flow log to a destination known only at apply", build: (s) => void flow(s, { logDestination: "${var.destination}" }) },
    { form: "EKS control plane logging without the group", build: (s) => void raw(s, "aws_eks_cluster", "Eks", { name: "agents", role_arn: "r", vpc_config: { subnet_ids: ["s"] }, enabled_cluster_log_types: ["api", "audit"] }) },
  ];
  const compliant: Form[] = [
    ...[1, 30, "30", "${30}", 3653].map((v) => ({ form: `log group retention ${JSON.stringify(v)}`, build: (s: TerraformStack) => void group(s, "/x").addOverride("retention_in_days", v) })),
    { form: "Lambda with its /aws/lambda group declared by literal name", build: (s) => (group(s, "/aws/lambda/webhook"), void fn(s)) },
    { form: "Lambda with its group named after a reference to the function", build: (s) => (group(s, "/aws/lambda/${aws_lambda_function.Fn.function_name}"), void fn(s)) },
    { form: "Lambda with its group named after a reference with whitespace", build: (s) => (group(s, "/aws/lambda/${ aws_lambda_function.Fn.function_name }"), void fn(s)) },
    { form: "Lambda whose function_name is a variable, group named after the same variable", build: (s) => (group(s, "/aws/lambda/${var.name}"), void fn(s, { functionName: "${var.name}" })) },
    { form: "Lambda logging_config to a declared group (reference)", build: (s) => (group(s, "/custom/webhook"), void fn(s, { loggingConfig: { logFormat: "JSON", logGroup: "${aws_cloudwatch_log_group.Logs.name}" } })) },
    { form: "Lambda logging_config to a declared group (literal)", build: (s) => (group(s, "/custom/webhook"), void fn(s, { loggingConfig: { logFormat: "JSON", logGroup: "/custom/webhook" } })) },
    { form: "ECS awslogs without awslogs-create-group", build: (s) => void task(s, { "awslogs-group": "/ecs/agents" }) },
    { form: "ECS awslogs-create-group \"false\"", build: (s) => void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": "false" }) },
    { form: "ECS awslogs-create-group to a declared group (literal)", build: (s) => (group(s, "/ecs/agents"), void task(s, { "awslogs-group": "/ecs/agents", "awslogs-create-group": "true" })) },
    { form: "ECS awslogs-create-group to a declared group (jsonencode reference)", build: (s) => void task(s, { "awslogs-group": group(s, "/ecs/agents").name, "awslogs-create-group": "true" }) },
    { form: "ECS awslogs-create-group to a declared group (hand-written reference)", build: (s) => (group(s, "/ecs/agents"), void task(s, { "awslogs-group": "${aws_cloudwatch_log_group.Logs.name}", "awslogs-create-group": "true" }, true)) },
    { form: "API Gateway execution logging OFF", build: (s) => void settings(s, "OFF") },
    { form: "API Gateway execution logging with its group declared", build: (s) => (group(s, "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.Api.id}/prod"), void settings(s, "INFO")) },
    {
      form: "API Gateway execution logging, stage by reference, group declared",
      build: (s) => {
        raw(s, "aws_api_gateway_stage", "Stage", { rest_api_id: "${aws_api_gateway_rest_api.Api.id}", deployment_id: "d", stage_name: "prod" });
        group(s, "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.Api.id}/prod");
        settings(s, "INFO", "${aws_api_gateway_stage.Stage.stage_name}");
      },
    },
    { form: "VPC flow log to a declared group (ARN reference)", build: (s) => (group(s, "/vpc/flow"), void flow(s, { logDestination: "${aws_cloudwatch_log_group.Logs.arn}" })) },
    { form: "VPC flow log to a declared group (literal ARN)", build: (s) => (group(s, "/vpc/flow"), void flow(s, { logDestination: "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/flow:*" })) },
    { form: "VPC flow log to S3", build: (s) => void flow(s, { logDestinationType: "s3", logDestination: "arn:aws:s3:::bucket" }) },
    { form: "EKS control plane logging with its group declared", build: (s) => (group(s, "/aws/eks/agents/cluster"), void raw(s, "aws_eks_cluster", "Eks", { name: "agents", role_arn: "r", enabled_cluster_log_types: ["api"] })) },
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_LOG_1, ...retentionCorpus() });

describe("implicit log groups", () => {
  test("a Lambda without its group names the group AWS creates", () => {
    expect(violations(KIT_LOG_1, (s) => fn(s))).toEqual([
      'KIT-LOG-1 stack/Fn: aws_lambda_function: Lambda creates log group "/aws/lambda/webhook" with no retention (events never expire): declare it as an aws_cloudwatch_log_group with retention_in_days',
    ]);
  });

  test("a retention known only at apply is unconfirmed, not passed", () => {
    expect(violations(KIT_LOG_1, (s) => group(s, "/x").addOverride("retention_in_days", "${var.days}"))).toEqual([expect.stringMatching(UNCONFIRMED)]);
  });
});
