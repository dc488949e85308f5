import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { Fn, TerraformVariable } from "cdktf";
import { KIT_IAM_4 } from "../../../../../constructs/checks/rules/iam/resource-policy-named-principals";
import { ServerlessAgentPool } from "../../../../../constructs/ecs/serverless-agent-pool";
import { violations, policy } from "../../rule-helpers";

const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:agents-token-AbCdEf";

describe("KIT-IAM-4 resource-policy-named-principals", () => {
  test("compliant: named principals, a service principal with aws:SourceAccount, Principal * restricted by the organization, a Deny of *", () => {
    expect(
      violations(KIT_IAM_4, (s) => {
        new SecretsmanagerSecretPolicy(s, "Secret", {
          secretArn: SECRET,
          policy: policy([
            { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/agents" }, Action: "secretsmanager:GetSecretValue", Resource: "*" },
            { Effect: "Deny", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
          ]),
        });
        new SqsQueuePolicy(s, "Queue", {
          queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
          policy: policy([{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }]),
        });
        new KmsKey(s, "Key", { policy: policy([{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } } }]) });
        new LambdaPermission(s, "Invoke", { functionName: "f", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:abc/*/POST/trigger" });
      }),
    ).toEqual([]);
  });

  test("compliant: ServerlessAgentPool's API policy (Principal * restricted by aws:SourceIp to allowedSourceCidrs)", () => {
    expect(
      violations(KIT_IAM_4, (s) => {
        new ServerlessAgentPool(s, "Serverless", { name: "p", settings: { scalrUrl: "https://acme.scalr.io" }, vpcId: "vpc-1", subnetIds: ["subnet-1"], allowedSourceCidrs: ["203.0.113.0/24"] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: Principal * without a restricting condition, in JSON and in a policy document; a Lambda permission for *", () => {
    expect(
      violations(KIT_IAM_4, (s) => {
        new SecretsmanagerSecretPolicy(s, "Secret", {
          secretArn: SECRET,
          policy: policy([{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } } }]),
        });
        const doc = new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["sqs:SendMessage"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["*"] }] }] });
        new SqsQueuePolicy(s, "Queue", { queueUrl: "https://sqs/q", policy: doc.json });
        new LambdaPermission(s, "Invoke", { functionName: "f", action: "lambda:InvokeFunction", principal: "*" });
      }),
    ).toEqual([
      'KIT-IAM-4 stack/Secret: aws_secretsmanager_secret_policy.policy Statement[0] ("Open") must name the principals it grants, not any principal ("*"), or restrict the callers with a condition (aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce, aws:SourceIp, …)',
      'KIT-IAM-4 stack/Queue: aws_sqs_queue_policy.policy → data.aws_iam_policy_document.Doc statement[0] must name the principals it grants, not any principal ("*"), or restrict the callers with a condition (aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce, aws:SourceIp, …)',
      'KIT-IAM-4 stack/Invoke: aws_lambda_permission with principal "*" must set source_arn, source_account or principal_org_id (without them any AWS account may invoke the function)',
    ]);
  });

  test("fails closed: a policy that cannot be read, a principal known only at apply time", () => {
    expect(
      violations(KIT_IAM_4, (s) => {
        new KmsKey(s, "Key", { policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [] }) });
        const who = new TerraformVariable(s, "who", { type: "string" });
        new LambdaPermission(s, "Invoke", { functionName: "f", action: "lambda:InvokeFunction", principal: who.stringValue });
      }),
    ).toEqual([
      "KIT-IAM-4 stack/Key: aws_kms_key.policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so the principals it grants cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-4 with a reason",
      'KIT-IAM-4 stack/Invoke: aws_lambda_permission.principal holds "${var.who}", known only at apply time, so the principal it grants cannot be confirmed: write the values in the stack, or acknowledge KIT-IAM-4 with a reason',
    ]);
  });
});
