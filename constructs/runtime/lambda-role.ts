import { terraformJson } from "../../core/terraform-json";

/**
 * The trust policy of a kit Lambda's role: the Lambda service may assume it, for functions of this
 * account only (`aws:SourceAccount`, the confused-deputy guard:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
export function lambdaAssumeRolePolicy(accountId: string): string {
  return terraformJson({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "lambda.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  });
}
