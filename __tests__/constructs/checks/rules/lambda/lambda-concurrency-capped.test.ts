import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { TerraformStack } from "cdktf";
import { KIT_LAMBDA_1 } from "../../../../../constructs/checks/rules/lambda/lambda-concurrency-capped";
import { violations } from "../../rule-helpers";

describe("KIT-LAMBDA-1 lambda-concurrency-capped", () => {
  const fn = (s: TerraformStack, id: string, reservedConcurrentExecutions?: number) =>
    new LambdaFunction(s, id, { functionName: id, role: "r", reservedConcurrentExecutions });

  test("compliant: reserved concurrency", () => {
    expect(violations(KIT_LAMBDA_1, (s) => fn(s, "Handler", 20))).toEqual([]);
  });

  test("non-compliant: unset, and -1 (unreserved)", () => {
    expect(
      violations(KIT_LAMBDA_1, (s) => {
        fn(s, "Unset");
        fn(s, "Unreserved", -1);
      }),
    ).toEqual([
      "KIT-LAMBDA-1 stack/Unreserved: aws_lambda_function must cap its concurrency with reserved_concurrent_executions (got -1)",
      "KIT-LAMBDA-1 stack/Unset: aws_lambda_function must cap its concurrency with reserved_concurrent_executions (got nothing)",
    ]);
  });
});
