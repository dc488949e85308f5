import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Fn } from "cdktf";
import { KIT_IAM_3 } from "../../../../../constructs/checks/rules/iam/iam-trust-named-principals";
import { violations, role, policy } from "../../rule-helpers";

describe("KIT-IAM-3 iam-trust-named-principals", () => {
  test('fails when a trust policy allows Principal "*" or {AWS: "*"}', () => {
    expect(
      violations(KIT_IAM_3, (stack) => {
        new IamRole(stack, "Star", { name: "a", assumeRolePolicy: policy([{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }]) });
        new IamRole(stack, "AnyAws", { name: "b", assumeRolePolicy: policy([{ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::123456789012:root", "*"] }, Action: "sts:AssumeRole" }]) });
      }),
    ).toEqual([
      'KIT-IAM-3 stack/AnyAws: aws_iam_role.assume_role_policy Statement[0] must name the principals it trusts, not any principal ("*"): name the service, account or role',
      'KIT-IAM-3 stack/Star: aws_iam_role.assume_role_policy Statement[0] must name the principals it trusts, not any principal ("*"): name the service, account or role',
    ]);
  });

  test("fails when an aws_iam_policy_document trust statement has an AWS principal *", () => {
    expect(
      violations(KIT_IAM_3, (stack) => {
        new DataAwsIamPolicyDocument(stack, "Trust", { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }] });
      }),
    ).toEqual([
      'KIT-IAM-3 stack/Trust: data.aws_iam_policy_document statement[0] must name the principals it trusts, not any principal ("*"): name the service, account or role',
    ]);
  });

  test("fails when a trust policy cannot be read at synth time", () => {
    expect(
      violations(KIT_IAM_3, (stack) => {
        role(stack, Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }));
      }),
    ).toEqual([
      "KIT-IAM-3 stack/Role: aws_iam_role.assume_role_policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so the trusted principals cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-3 with a reason",
    ]);
  });

  test("a service principal, and a Deny of *, pass", () => {
    expect(
      violations(KIT_IAM_3, (stack) => {
        role(stack, policy([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }]));
      }),
    ).toEqual([]);
  });
});
