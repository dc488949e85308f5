import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, TerraformStack } from "cdktf";
import { terraformJson } from "../../../../../core/terraform-json";
import { KIT_IAM_2 } from "../../../../../constructs/checks/rules/iam/iam-scoped-resources";
import { violations, role, policy } from "../../rule-helpers";

describe("KIT-IAM-2 iam-scoped-resources", () => {
  test("compliant: references and ARN patterns; actions AWS grants only on * in a statement of their own", () => {
    expect(
      violations(KIT_IAM_2, (s) => {
        const logs = new CloudwatchLogGroup(s, "Logs", { name: "/x", retentionInDays: 30 });
        new IamRolePolicy(s, "Policy", {
          role: "r",
          policy: terraformJson({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["logs:PutLogEvents"], Resource: [`${logs.arn}:*`] },
              { Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "sts:GetCallerIdentity"], Resource: "*" },
            ],
          }),
        });
      }),
    ).toEqual([]);
  });

  test("non-compliant: Resource * for a scoped action, NotResource", () => {
    expect(
      violations(KIT_IAM_2, (s) => {
        new IamRolePolicy(s, "Policy", {
          role: "r",
          policy: terraformJson({
            Version: "2012-10-17",
            Statement: [
              { Sid: "Run", Effect: "Allow", Action: ["ecs:RunTask", "ecr:GetAuthorizationToken"], Resource: "*" },
              { Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:other" },
            ],
          }),
        });
        new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["iam:PassRole"], resources: ["*"] }] });
      }),
    ).toEqual([
      'KIT-IAM-2 stack/Policy: aws_iam_role_policy.policy Statement[0] ("Run") must name its resources instead of "*" for "ecs:RunTask" (only actions AWS grants on "*" alone may use it; put them in a statement of their own)',
      "KIT-IAM-2 stack/Policy: aws_iam_role_policy.policy Statement[1] must not Allow with NotResource: it grants every other resource",
      'KIT-IAM-2 stack/Doc: data.aws_iam_policy_document statement[0] must name its resources instead of "*" for "iam:PassRole" (only actions AWS grants on "*" alone may use it; put them in a statement of their own)',
    ]);
  });
});

describe("KIT-IAM-2 iam-scoped-resources: unreadable policies, wildcard ARNs, condition-scoped actions", () => {
  test("fails when a policy is written with Fn.jsonencode (HCL once synthesized, so its statements cannot be read)", () => {
    expect(
      violations(KIT_IAM_2, (stack) => {
        new IamRolePolicy(stack, "Admin", { role: role(stack).id, policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
      }),
    ).toEqual([
      "KIT-IAM-2 stack/Admin: aws_iam_role_policy.policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so named resources cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-2 with a reason",
    ]);
  });

  test("fails when a policy is a function call such as file(…)", () => {
    expect(
      violations(KIT_IAM_2, (stack) => {
        new IamRolePolicy(stack, "FromFile", { role: role(stack).id, policy: Fn.file("policy.json") });
      }),
    ).toEqual([
      'KIT-IAM-2 stack/FromFile: aws_iam_role_policy.policy holds the expression ${file("policy.json")}, which cannot be read at synth time, so named resources cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-2 with a reason',
    ]);
  });

  test("a reference to an aws_iam_policy_document is checked where it is defined, not reported as unreadable", () => {
    expect(
      violations(KIT_IAM_2, (stack) => {
        const doc = new DataAwsIamPolicyDocument(stack, "Doc", { statement: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*"] }] });
        new IamRolePolicy(stack, "ByReference", { role: role(stack).id, policy: doc.json });
      }),
    ).toEqual([]);
  });

  test("fails when an ARN's region, account and resource are all wildcards", () => {
    expect(
      violations(KIT_IAM_2, (stack) => {
        const r = role(stack);
        new IamRolePolicy(stack, "AllSecrets", {
          role: r.id,
          policy: policy([{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:*:*:secret:*"] }]),
        });
        new IamRolePolicy(stack, "AllBuckets", { role: r.id, policy: policy([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::*" }]) });
      }),
    ).toEqual([
      'KIT-IAM-2 stack/AllBuckets: aws_iam_role_policy.policy Statement[0] must name its resources, not "arn:aws:s3:::*" (account and resource all wildcards: every resource of the type)',
      'KIT-IAM-2 stack/AllSecrets: aws_iam_role_policy.policy Statement[0] must name its resources, not "arn:aws:secretsmanager:*:*:secret:*" (account and resource all wildcards: every resource of the type)',
    ]);
  });

  test("an ARN that names its account, or a resource prefix, passes", () => {
    expect(
      violations(KIT_IAM_2, (stack) => {
        new IamRolePolicy(stack, "Scoped", {
          role: role(stack).id,
          policy: policy([
            { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:*:123456789012:secret:*", "arn:aws:secretsmanager:*:*:secret:agents-*"] },
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::my-bucket/*" },
          ]),
        });
      }),
    ).toEqual([]);
  });

  test("ecs:ListTasks may use * only with an ecs:cluster condition", () => {
    const listTasks = (condition?: unknown) => (stack: TerraformStack) => {
      new IamRolePolicy(stack, "List", {
        role: role(stack).id,
        policy: terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecs:ListTasks"], Resource: "*", ...(condition ? { Condition: condition } : {}) }] }),
      });
    };
    expect(violations(KIT_IAM_2, listTasks({ ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/agents" } }))).toEqual([]);
    expect(violations(KIT_IAM_2, listTasks())).toEqual([
      'KIT-IAM-2 stack/List: aws_iam_role_policy.policy Statement[0] must name its resources instead of "*" for "ecs:ListTasks" (only actions AWS grants on "*" alone may use it; put them in a statement of their own)',
    ]);
  });
});
