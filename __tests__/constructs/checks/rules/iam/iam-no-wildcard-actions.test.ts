import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { Fn } from "cdktf";
import { terraformJson } from "../../../../../core/terraform-json";
import { KIT_IAM_1 } from "../../../../../constructs/checks/rules/iam/iam-no-wildcard-actions";
import { violations, role } from "../../rule-helpers";

describe("KIT-IAM-1 iam-no-wildcard-actions", () => {
  test("compliant: named actions in a policy, a trust policy and a policy document; Deny with *", () => {
    expect(
      violations(KIT_IAM_1, (s) => {
        const role = new IamRole(s, "Role", { assumeRolePolicy: terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }) });
        new IamRolePolicy(s, "Policy", {
          role: role.id,
          policy: terraformJson({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:t"] },
              { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ],
          }),
        });
        new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["logs:PutLogEvents"], resources: ["arn:aws:logs:eu-west-1:123456789012:log-group:/x:*"] }] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: wildcard actions, NotAction, a broad managed policy", () => {
    expect(
      violations(KIT_IAM_1, (s) => {
        new IamRolePolicy(s, "Policy", {
          role: "r",
          policy: terraformJson({ Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: ["s3:*", "ecs:RunTask"], Resource: "*" }, { Effect: "Allow", NotAction: "iam:*", Resource: "*" }] }),
        });
        new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["*"], resources: ["*"] }] });
        new IamRolePolicyAttachment(s, "Admin", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
      }),
    ).toEqual([
      'KIT-IAM-1 stack/Policy: aws_iam_role_policy.policy Statement[0] ("All") must name its actions, not "s3:*"',
      "KIT-IAM-1 stack/Policy: aws_iam_role_policy.policy Statement[1] must not Allow with NotAction: it grants every other action",
      'KIT-IAM-1 stack/Doc: data.aws_iam_policy_document statement[0] must name its actions, not "*"',
      "KIT-IAM-1 stack/Admin: aws_iam_role_policy_attachment.policy_arn must not attach arn:aws:iam::aws:policy/AdministratorAccess: AWS's AdministratorAccess grants wildcard actions",
    ]);
  });

  test("non-compliant: a broad managed policy in aws_iam_role_policy_attachments_exclusive (ProviderConfiguration's managedPolicyArns)", () => {
    expect(
      violations(KIT_IAM_1, (s) => {
        new IamRolePolicyAttachmentsExclusive(s, "Exclusive", {
          roleName: "r",
          policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws-us-gov:iam::aws:policy/PowerUserAccess"],
        });
      }),
    ).toEqual([
      "KIT-IAM-1 stack/Exclusive: aws_iam_role_policy_attachments_exclusive.policy_arns must not attach arn:aws-us-gov:iam::aws:policy/PowerUserAccess: AWS's PowerUserAccess grants wildcard actions",
    ]);
  });

  test("compliant: scoped policies in aws_iam_role_policy_attachments_exclusive", () => {
    expect(
      violations(KIT_IAM_1, (s) => {
        new IamRolePolicyAttachmentsExclusive(s, "Exclusive", { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/deploy-network"] });
      }),
    ).toEqual([]);
  });
});

describe("KIT-IAM-1 iam-no-wildcard-actions: unreadable policies", () => {
  test("fails when a policy is written with Fn.jsonencode (its actions cannot be read)", () => {
    expect(
      violations(KIT_IAM_1, (stack) => {
        new IamRolePolicy(stack, "Admin", { role: role(stack).id, policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
      }),
    ).toEqual([
      "KIT-IAM-1 stack/Admin: aws_iam_role_policy.policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so named actions cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-1 with a reason",
    ]);
  });
});
