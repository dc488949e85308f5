import { tryDecodeTerraformJson } from "../../../../core/terraform-json";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, TerraformBlock, blocks, boolOf, isUnknown, numberValueOf, record, referenceOf, stringOf, unconfirmed } from "../../synthesized-stack";

const ID = "KIT-LOG-1";

/** KIT-LOG-1: log groups expire their events, including those AWS creates on its own. */
export const KIT_LOG_1: KitRule = {
  id: ID,
  name: "log-retention",
  area: "logs",
  severity: "warning",
  description:
    "CloudWatch log groups set `retention_in_days` (a value other than 0, which means never expire; a value known only at apply time cannot be confirmed). Log groups AWS creates on its own, without retention, are declared in the stack: `/aws/lambda/<function_name>` for a Lambda function (or its `logging_config.log_group`), the `awslogs-group` of an ECS container with `awslogs-create-group`, `API-Gateway-Execution-Logs_<api>/<stage>` for REST API execution logging (`aws_api_gateway_method_settings` with a `logging_level`), the destination of a VPC flow log to CloudWatch Logs, and `/aws/eks/<cluster>/cluster` for EKS control plane logging.",
  rationale: "Agent and handler logs grow with every run; without retention they are kept (and billed) forever, along with whatever a run printed.",
  source: {
    title: "AWS: CloudWatch Logs retention (kept indefinitely by default)",
    url: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const groups = stack.resources("aws_cloudwatch_log_group");
    for (const r of groups) {
      const days = r.body.retention_in_days;
      const n = numberValueOf(days);
      if (n === undefined || n === 0) {
        findings.push({ path: r.path, message: `aws_cloudwatch_log_group must set retention_in_days (got ${days === undefined || days === null ? "nothing" : JSON.stringify(days)}: events never expire)` });
      } else if (isUnknown(days)) {
        findings.push({ path: r.path, message: `aws_cloudwatch_log_group: ${unconfirmed(ID, "retention_in_days", days)}` });
      } else if (typeof n !== "number") {
        findings.push({ path: r.path, message: `aws_cloudwatch_log_group must set retention_in_days to a number of days (got ${JSON.stringify(days)})` });
      }
    }
    const declared = new Set(groups.map((g) => canonical(stack, g.body.name)).filter((n): n is string => n !== undefined));
    const implicit = (r: TerraformBlock, name: string | undefined, who: string) => {
      if (name !== undefined && declared.has(name)) return;
      const shown = name === undefined ? "(a name known only at apply)" : JSON.stringify(name);
      findings.push({ path: r.path, message: `${r.type}: ${who} creates log group ${shown} with no retention (events never expire): declare it as an aws_cloudwatch_log_group with retention_in_days` });
    };

    // Lambda: "By default, CloudWatch automatically creates a log group named /aws/lambda/<function name>
    // for your function when it's first invoked" (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
    for (const r of stack.resources("aws_lambda_function")) {
      const custom = blocks(r.body.logging_config)[0]?.log_group;
      const fn = canonical(stack, r.body.function_name);
      const name = custom !== undefined && custom !== null ? canonical(stack, custom) : fn === undefined ? undefined : `/aws/lambda/${fn}`;
      implicit(r, name, "Lambda");
    }

    // ECS awslogs: "awslogs-create-group: Specify whether you want the log group to be created automatically"
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html).
    for (const r of stack.resources("aws_ecs_task_definition")) {
      const raw = r.body.container_definitions;
      const containers = tryDecodeTerraformJson(raw);
      if (!Array.isArray(containers)) {
        if (raw !== undefined) findings.push({ path: r.path, message: `aws_ecs_task_definition: ${unconfirmed(ID, "the log groups of container_definitions (not readable as JSON)")}` });
        continue;
      }
      for (const c of containers.map(record)) {
        const config = record(c.logConfiguration);
        if (config.logDriver !== "awslogs") continue;
        const options = record(config.options);
        const create = options["awslogs-create-group"];
        const creates = boolOf(fromDecoded(create)) === true || isUnknown(fromDecoded(create));
        if (creates) implicit(r, canonical(stack, fromDecoded(options["awslogs-group"])), `ECS (container ${JSON.stringify(c.name ?? "(unnamed)")}, awslogs-create-group)`);
      }
    }

    // API Gateway: "When you enable execution logging on a stage, API Gateway automatically creates and
    // manages a CloudWatch Logs log group ... named API-Gateway-Execution-Logs_{rest-api-id}/{stage_name}"
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-execution-logging.html).
    for (const r of stack.resources("aws_api_gateway_method_settings")) {
      for (const s of blocks(r.body.settings)) {
        const level = s.logging_level;
        if (level === undefined || level === null || stringOf(level) === "OFF") continue;
        const api = canonical(stack, r.body.rest_api_id);
        const stage = canonical(stack, r.body.stage_name);
        implicit(r, api === undefined || stage === undefined ? undefined : `API-Gateway-Execution-Logs_${api}/${stage}`, "API Gateway execution logging");
      }
    }

    // VPC flow logs: a destination log group that does not exist is created when traffic is recorded
    // (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl-create-flow-log.html).
    for (const r of stack.resources("aws_flow_log")) {
      const type = stringOf(r.body.log_destination_type);
      if (type === "s3" || type === "kinesis-data-firehose") continue;
      const destination = r.body.log_destination ?? r.body.log_group_name;
      const ref = referenceOf(destination);
      if (ref?.type === "aws_cloudwatch_log_group" && groups.some((g) => g.name === ref.name)) continue;
      const text = canonical(stack, destination);
      const arn = text === undefined ? undefined : /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(text);
      implicit(r, arn ? arn[1] : text, "VPC Flow Logs");
    }

    // EKS control plane logging: "log group name format /aws/eks/my-cluster/cluster"
    // (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html).
    for (const r of stack.resources("aws_eks_cluster")) {
      const types = r.body.enabled_cluster_log_types;
      if (types === undefined || types === null || (Array.isArray(types) && types.length === 0)) continue;
      const name = canonical(stack, r.body.name);
      implicit(r, name === undefined ? undefined : `/aws/eks/${name}/cluster`, "EKS control plane logging");
    }
    return findings;
  },
};

/** A value of a decoded container definition: `<ref:expr>` (how a reference decodes) back to `${expr}`. */
function fromDecoded(value: unknown): unknown {
  return typeof value === "string" && value.startsWith("<ref:") && value.endsWith(">") ? `\${${value.slice(5, -1)}}` : value;
}

/**
 * A name to compare: a literal as it is, references to a literal argument of a resource of the stack
 * (`${aws_lambda_function.F.function_name}`) replaced by that argument, other references with
 * their whitespace removed; undefined when `value` is not a string.
 */
function canonical(stack: SynthesizedStack, value: unknown, depth = 0): string | undefined {
  if (typeof value !== "string") return undefined;
  const literal = stringOf(value);
  if (literal !== undefined) return literal;
  return value.replace(/\$\{\s*([^{}]*?)\s*\}/g, (whole, expr: string) => {
    const ref = referenceOf(`\${${expr}}`);
    if (ref && depth < 3) {
      const target = stack.resources(ref.type).find((b) => b.name === ref.name);
      const arg = target?.body[ref.attribute];
      if (typeof arg === "string") return canonical(stack, arg, depth + 1) ?? whole;
    }
    return `\${${expr.replace(/\s+/g, "")}}`;
  });
}
