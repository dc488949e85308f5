import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, numberOf } from "../../synthesized-stack";
import { isUnknownValue } from "../api/terraform-document";

/** KIT-LAMBDA-1: Lambda functions reserve (and so cap) their concurrency. */
export const KIT_LAMBDA_1: KitRule = {
  id: "KIT-LAMBDA-1",
  name: "lambda-concurrency-capped",
  area: "lambda",
  severity: "error",
  description:
    "Lambda functions set `reserved_concurrent_executions` to 0 or more (unset or -1 means uncapped; a number given as a string counts as that number). A value known only at apply time (a reference) is a violation: the cap cannot be confirmed.",
  rationale:
    "An uncapped webhook handler turns a flood of requests (or a retry storm) into as many concurrent ECS RunTask calls, and can exhaust the account's Lambda concurrency for everything else.",
  source: {
    title: "AWS: Lambda function concurrency (reserved concurrency)",
    url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_lambda_function")) {
      const value = r.body.reserved_concurrent_executions;
      const n = numberOf(value);
      if (n === undefined && value !== undefined && value !== null && (isUnknownValue(value) || typeof value !== "number")) {
        findings.push({
          path: r.path,
          message: `aws_lambda_function: reserved_concurrent_executions ${JSON.stringify(value)} is known only at apply time, so a cap cannot be confirmed at synth time; write it as a number, or acknowledge KIT-LAMBDA-1 with a reason`,
        });
      } else if (value === undefined || value === null || (n !== undefined && n < 0)) {
        findings.push({ path: r.path, message: `aws_lambda_function must cap its concurrency with reserved_concurrent_executions (got ${value === undefined ? "nothing" : JSON.stringify(value)})` });
      }
    }
    return findings;
  },
};
