import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { PodV1 } from "@cdktf/provider-kubernetes/lib/pod-v1";
import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Fn, TerraformStack, Testing } from "cdktf";
import { terraformJson } from "../../../core/terraform-json";
import { KitChecks } from "../../../constructs/checks";
import { AgentPool } from "../../../constructs/scalr/agent-pool";

// Cases KitChecks used to miss: unreadable IAM documents, wildcard ARNs, open trust
// policies, the token in cloud-init parts, Kubernetes workloads and EventBridge inputs, and open
// Lambda function URLs. (KIT-IAM-1's own cases are in rules.test.ts.)

/** Violations of one rule (only the rule under test runs). */
function violations(ruleId: string, build: (stack: TerraformStack) => void): string[] {
  const stack = new TerraformStack(Testing.app(), "stack");
  build(stack);
  return KitChecks.of(stack, { rules: [ruleId] })
    .report()
    .violations.map((v) => v.line);
}

const EC2_TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const role = (stack: TerraformStack, assumeRolePolicy = EC2_TRUST) => new IamRole(stack, "Role", { name: "r", assumeRolePolicy });
const policy = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const token = (stack: TerraformStack) => new AgentPool(stack, "Pool", { name: "p" }).tokenValue();
const TOKEN_REF = "the secret scalr_agent_pool_token.Pool_Token-default_F35A092E.token";

describe("KIT-IAM-1: unreadable policies", () => {
  test("fails when a policy is written with Fn.jsonencode (its actions cannot be read)", () => {
    expect(
      violations("KIT-IAM-1", (stack) => {
        new IamRolePolicy(stack, "Admin", { role: role(stack).id, policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
      }),
    ).toEqual([
      "KIT-IAM-1 stack/Admin: aws_iam_role_policy.policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so named actions cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-1",
    ]);
  });
});

describe("KIT-IAM-2: unreadable policies and wildcard ARNs", () => {
  test("fails when a policy is written with Fn.jsonencode (HCL once synthesized, so its statements cannot be read)", () => {
    expect(
      violations("KIT-IAM-2", (stack) => {
        new IamRolePolicy(stack, "Admin", { role: role(stack).id, policy: Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
      }),
    ).toEqual([
      "KIT-IAM-2 stack/Admin: aws_iam_role_policy.policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so named resources cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-2",
    ]);
  });

  test("fails when a policy is a function call such as file(…)", () => {
    expect(
      violations("KIT-IAM-2", (stack) => {
        new IamRolePolicy(stack, "FromFile", { role: role(stack).id, policy: Fn.file("policy.json") });
      }),
    ).toEqual([
      'KIT-IAM-2 stack/FromFile: aws_iam_role_policy.policy holds the expression ${file("policy.json")}, which cannot be read at synth time, so named resources cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-2',
    ]);
  });

  test("a reference to an aws_iam_policy_document is checked where it is defined, not reported as unreadable", () => {
    expect(
      violations("KIT-IAM-2", (stack) => {
        const doc = new DataAwsIamPolicyDocument(stack, "Doc", { statement: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::bucket/*"] }] });
        new IamRolePolicy(stack, "ByReference", { role: role(stack).id, policy: doc.json });
      }),
    ).toEqual([]);
  });

  test("fails when an ARN's region, account and resource are all wildcards", () => {
    expect(
      violations("KIT-IAM-2", (stack) => {
        const r = role(stack);
        new IamRolePolicy(stack, "AllSecrets", {
          role: r.id,
          policy: policy([{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:*:*:secret:*"] }]),
        });
        new IamRolePolicy(stack, "AllBuckets", { role: r.id, policy: policy([{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::*" }]) });
      }),
    ).toEqual([
      'KIT-IAM-2 stack/AllBuckets: aws_iam_role_policy.policy Statement[0] must name its resources, not "arn:aws:s3:::*" (region, account and resource all wildcards: every resource of the type)',
      'KIT-IAM-2 stack/AllSecrets: aws_iam_role_policy.policy Statement[0] must name its resources, not "arn:aws:secretsmanager:*:*:secret:*" (region, account and resource all wildcards: every resource of the type)',
    ]);
  });

  test("an ARN that names its account, or a resource prefix, passes", () => {
    expect(
      violations("KIT-IAM-2", (stack) => {
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
    expect(violations("KIT-IAM-2", listTasks({ ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:123456789012:cluster/agents" } }))).toEqual([]);
    expect(violations("KIT-IAM-2", listTasks())).toEqual([
      'KIT-IAM-2 stack/List: aws_iam_role_policy.policy Statement[0] must name its resources instead of "*" for "ecs:ListTasks" (only actions AWS grants on "*" alone may use it; put them in a statement of their own)',
    ]);
  });
});

describe("KIT-IAM-3: trust policies name their principals", () => {
  test('fails when a trust policy allows Principal "*" or {AWS: "*"}', () => {
    expect(
      violations("KIT-IAM-3", (stack) => {
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
      violations("KIT-IAM-3", (stack) => {
        new DataAwsIamPolicyDocument(stack, "Trust", { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }] });
      }),
    ).toEqual([
      'KIT-IAM-3 stack/Trust: data.aws_iam_policy_document statement[0] must name the principals it trusts, not any principal ("*"): name the service, account or role',
    ]);
  });

  test("fails when a trust policy cannot be read at synth time", () => {
    expect(
      violations("KIT-IAM-3", (stack) => {
        role(stack, Fn.jsonencode({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }));
      }),
    ).toEqual([
      "KIT-IAM-3 stack/Role: aws_iam_role.assume_role_policy holds Fn.jsonencode(…) (HCL once synthesized), which cannot be read at synth time, so the trusted principals cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge KIT-IAM-3",
    ]);
  });

  test("a service principal, and a Deny of *, pass", () => {
    expect(
      violations("KIT-IAM-3", (stack) => {
        role(stack, policy([{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }, { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }]));
      }),
    ).toEqual([]);
  });
});

describe("KIT-SEC-1: the token in places that used to go unchecked", () => {
  test("fails when a cloudinit_config part holds the token", () => {
    expect(
      violations("KIT-SEC-1", (stack) => {
        stack.addOverride("data.cloudinit_config.boot", { part: [{ content_type: "text/x-shellscript", content: `#!/bin/sh\necho ${token(stack)} > /etc/token` }] });
        new LaunchTemplate(stack, "Lt", { userData: "${data.cloudinit_config.boot.rendered}" });
      }),
    ).toEqual([
      `KIT-SEC-1 stack/data.cloudinit_config.boot: cloudinit_config must not hold ${TOKEN_REF} in part[0].content (rendered into user data): reference it from a secret store instead`,
    ]);
  });

  const container = (stack: TerraformStack) => [{ name: "agent", image: "scalr/agent:1.4.0", env: [{ name: "SCALR_AGENT_TOKEN", value: token(stack) }] }];
  const template = (stack: TerraformStack) => ({ metadata: { labels: { app: "a" } }, spec: { container: container(stack) } });
  const workloads: Array<[string, string, (stack: TerraformStack) => void]> = [
    ["kubernetes_deployment_v1", "Deployment", (s) => new DeploymentV1(s, "Workload", { metadata: { name: "a" }, spec: { selector: { matchLabels: { app: "a" } }, template: template(s) } })],
    ["kubernetes_daemon_set_v1", "DaemonSet", (s) => new DaemonSetV1(s, "Workload", { metadata: { name: "a" }, spec: { selector: { matchLabels: { app: "a" } }, template: template(s) } })],
    [
      "kubernetes_stateful_set_v1",
      "StatefulSet",
      (s) => new StatefulSetV1(s, "Workload", { metadata: { name: "a" }, spec: { serviceName: "a", selector: { matchLabels: { app: "a" } }, template: template(s) } }),
    ],
    ["kubernetes_job_v1", "Job", (s) => new JobV1(s, "Workload", { metadata: { name: "a" }, spec: { template: template(s) } })],
    [
      "kubernetes_cron_job_v1",
      "CronJob",
      (s) => new CronJobV1(s, "Workload", { metadata: { name: "a" }, spec: { schedule: "* * * * *", jobTemplate: { metadata: {}, spec: { template: template(s) } } } }),
    ],
    ["kubernetes_pod_v1", "Pod", (s) => new PodV1(s, "Workload", { metadata: { name: "a" }, spec: { container: container(s) } })],
  ];
  test.each(workloads)("fails when a %s container's env holds the token", (type, _kind, build) => {
    expect(violations("KIT-SEC-1", build)).toEqual([
      `KIT-SEC-1 stack/Workload: ${type} must not hold ${TOKEN_REF} in the environment variable "SCALR_AGENT_TOKEN" of container "agent": reference it from a secret store instead`,
    ]);
  });

  test("a workload that reads the token from a Secret passes", () => {
    expect(
      violations("KIT-SEC-1", (stack) => {
        new DeploymentV1(stack, "Workload", {
          metadata: { name: "a" },
          spec: {
            selector: { matchLabels: { app: "a" } },
            template: { metadata: { labels: { app: "a" } }, spec: { container: [{ name: "agent", env: [{ name: "SCALR_AGENT_TOKEN", valueFrom: { secretKeyRef: { name: "agent-token", key: "token" } } }] }] } },
          },
        });
      }),
    ).toEqual([]);
  });

  test("fails when a kubernetes_manifest workload holds the token; a Secret manifest may", () => {
    expect(
      violations("KIT-SEC-1", (stack) => {
        const t = token(stack);
        new Manifest(stack, "Deployment", {
          manifest: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "a", namespace: "x" },
            spec: { template: { spec: { containers: [{ name: "agent", env: [{ name: "SCALR_AGENT_TOKEN", value: t }] }] } } },
          },
        });
        new Manifest(stack, "Secret", { manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "t", namespace: "x" }, stringData: { token: t } } });
      }),
    ).toEqual([
      `KIT-SEC-1 stack/Deployment: kubernetes_manifest must not hold ${TOKEN_REF} in the environment variable "SCALR_AGENT_TOKEN" of container "agent" (a Deployment): reference it from a secret store instead`,
    ]);
  });

  test("fails when an EventBridge target's input holds the token", () => {
    expect(
      violations("KIT-SEC-1", (stack) => {
        new CloudwatchEventTarget(stack, "Target", { rule: "r", arn: "arn:aws:lambda:eu-west-1:123456789012:function:f", input: terraformJson({ token: token(stack) }) });
      }),
    ).toEqual([`KIT-SEC-1 stack/Target: aws_cloudwatch_event_target must not hold ${TOKEN_REF} in input: reference it from a secret store instead`]);
  });
});

describe("KIT-API-1: Lambda function URLs", () => {
  test("fails when a function URL has authorization_type NONE; AWS_IAM passes", () => {
    expect(
      violations("KIT-API-1", (stack) => {
        new LambdaFunctionUrl(stack, "Open", { functionName: "webhook", authorizationType: "NONE" });
        new LambdaFunctionUrl(stack, "Signed", { functionName: "other", authorizationType: "AWS_IAM" });
      }),
    ).toEqual(['KIT-API-1 stack/Open: aws_lambda_function_url "webhook" must set authorization_type = "AWS_IAM": with NONE anyone on the internet can invoke the function']);
  });
});
