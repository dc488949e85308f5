import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LaunchTemplate, LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { Fn, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { terraformJson } from "../../../core/terraform-json";
import { KitChecks } from "../../../constructs/checks";
import { FargateAgentTask } from "../../../constructs/ecs/fargate-agent-task";
import { HelmAgent, HelmAgentProps } from "../../../constructs/k8s/helm-agent";
import { AgentPool } from "../../../constructs/scalr/agent-pool";

/** Violations of one rule (cdk-nag's TestPack: only the rule under test runs). */
function violations(ruleId: string, build: (stack: TerraformStack) => void): string[] {
  const stack = new TerraformStack(Testing.app(), "stack");
  build(stack);
  return KitChecks.of(stack, { rules: [ruleId] })
    .report()
    .violations.map((v) => v.line);
}

const compliantLaunchTemplate: LaunchTemplateConfig = {
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
  blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } }],
  networkInterfaces: [{ associatePublicIpAddress: "false", deviceIndex: 0 }],
};

const SCALR_URL = { name: "SCALR_URL", value: "https://example.scalr.io" };

function fargateTask(stack: TerraformStack, container: Record<string, unknown>): void {
  new EcsTaskDefinition(stack, "Task", {
    family: "agents",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "1024",
    memory: "2048",
    containerDefinitions: terraformJson([{ name: "agent", image: "scalr/agent:1.4.0", essential: true, ...container }]),
  });
}

function helmAgent(stack: TerraformStack, props: Omit<HelmAgentProps, "settings"> & { settings?: HelmAgentProps["settings"] }): HelmAgent {
  const pool = new AgentPool(stack, "K8sPool", { name: "k8s" });
  return new HelmAgent(stack, "Agent", { pool, ...props, settings: props.settings ?? { scalrUrl: "https://example.scalr.io" } });
}

function release(stack: TerraformStack, chart: string, values: Record<string, unknown>): Release {
  return new Release(stack, "Release", { name: "agent", chart, repository: "https://scalr.github.io/agent-helm/", values: [JSON.stringify(values)] });
}

describe("KIT-EC2-1 imdsv2-required", () => {
  test("compliant: a launch template and an instance requiring tokens; a disabled endpoint", () => {
    expect(
      violations("KIT-EC2-1", (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "required" } });
        new Instance(s, "NoImds", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpEndpoint: "disabled" } });
      }),
    ).toEqual([]);
  });

  test("non-compliant: optional tokens, and no metadata options at all", () => {
    expect(
      violations("KIT-EC2-1", (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "optional" } });
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro" });
      }),
    ).toEqual([
      'KIT-EC2-1 stack/Lt: aws_launch_template must require IMDSv2: set metadata_options.http_tokens = "required" (got "optional")',
      'KIT-EC2-1 stack/Vm: aws_instance must require IMDSv2: set metadata_options.http_tokens = "required" (got nothing: AWS then allows IMDSv1)',
    ]);
  });
});

describe("KIT-EC2-2 imds-hop-limit-1", () => {
  test("compliant: hop limit 1", () => {
    expect(violations("KIT-EC2-2", (s) => new LaunchTemplate(s, "Lt", compliantLaunchTemplate))).toEqual([]);
  });

  test("non-compliant: hop limit 2, and unset", () => {
    expect(
      violations("KIT-EC2-2", (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } });
        new LaunchTemplate(s, "Unset", { ...compliantLaunchTemplate, metadataOptions: { httpTokens: "required" } });
      }),
    ).toEqual([
      "KIT-EC2-2 stack/Lt: aws_launch_template must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got 2)",
      "KIT-EC2-2 stack/Unset: aws_launch_template must set metadata_options.http_put_response_hop_limit = 1 so containers cannot reach instance credentials (got nothing: the AMI's default applies)",
    ]);
  });
});

describe("KIT-EC2-3 root-volume-encrypted", () => {
  test("compliant: encrypted mappings, root block device and volume", () => {
    expect(
      violations("KIT-EC2-3", (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", rootBlockDevice: { encrypted: true } });
        new EbsVolume(s, "Vol", { availabilityZone: "eu-west-1a", size: 10, encrypted: true });
      }),
    ).toEqual([]);
  });

  test("non-compliant: no root mapping, an unencrypted mapping, an instance without root_block_device", () => {
    expect(
      violations("KIT-EC2-3", (s) => {
        new LaunchTemplate(s, "NoMapping", { metadataOptions: { httpTokens: "required" } });
        new LaunchTemplate(s, "Plain", { blockDeviceMappings: [{ deviceName: "/dev/sda1", ebs: { volumeSize: 50 } }] });
        new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro" });
      }),
    ).toEqual([
      "KIT-EC2-3 stack/NoMapping: aws_launch_template must declare its root volume in block_device_mappings with ebs.encrypted = true (without it, encryption depends on the account default)",
      'KIT-EC2-3 stack/Plain: aws_launch_template must encrypt EBS volume "/dev/sda1": set ebs.encrypted = true',
      "KIT-EC2-3 stack/Vm: aws_instance must set root_block_device.encrypted = true",
    ]);
  });
});

describe("KIT-NET-1 no-public-ip", () => {
  const service = (s: TerraformStack, assignPublicIp: boolean) =>
    new EcsService(s, "Service", { name: "agents", taskDefinition: "td", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp } });
  const lambda = (s: TerraformStack, value: string) =>
    new LambdaFunction(s, "Handler", { functionName: "h", role: "arn:aws:iam::123456789012:role/h", environment: { variables: { ASSIGN_PUBLIC_IP: value } } });

  test("compliant: private launch template, ECS service and webhook handler", () => {
    expect(
      violations("KIT-NET-1", (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        service(s, false);
        lambda(s, "DISABLED");
      }),
    ).toEqual([]);
  });

  test("non-compliant: a public IP on a launch template, an ECS service, an EventBridge target and a handler's RunTask", () => {
    expect(
      violations("KIT-NET-1", (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, networkInterfaces: [{ associatePublicIpAddress: "true" }] });
        service(s, true);
        new CloudwatchEventTarget(s, "Target", {
          rule: "r",
          arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
          ecsTarget: { taskDefinitionArn: "td", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } },
        });
        lambda(s, "ENABLED");
      }),
    ).toEqual([
      "KIT-NET-1 stack/Lt: aws_launch_template must not associate a public IP (network_interfaces[0].associate_public_ip_address)",
      "KIT-NET-1 stack/Service: aws_ecs_service must set network_configuration.assign_public_ip = false (use private subnets with a NAT route)",
      "KIT-NET-1 stack/Target: aws_cloudwatch_event_target must launch ECS tasks without a public IP (ecs_target.network_configuration.assign_public_ip)",
      'KIT-NET-1 stack/Handler: aws_lambda_function must launch agent tasks without a public IP (environment ASSIGN_PUBLIC_IP is "ENABLED")',
    ]);
  });
});

describe("KIT-NET-2 no-ingress", () => {
  test("compliant: an egress-only group", () => {
    expect(
      violations("KIT-NET-2", (s) => {
        new SecurityGroup(s, "Sg", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }], ingress: [] });
        new SecurityGroupRule(s, "Out", { type: "egress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
      }),
    ).toEqual([]);
  });

  test("non-compliant: inline ingress, an ingress rule resource, a VPC ingress rule", () => {
    expect(
      violations("KIT-NET-2", (s) => {
        new SecurityGroup(s, "Sg", { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] });
        new SecurityGroupRule(s, "Ssh", { type: "ingress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] });
        new VpcSecurityGroupIngressRule(s, "Https", { securityGroupId: "sg-1", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.0.0.0/8" });
      }),
    ).toEqual([
      "KIT-NET-2 stack/Sg: aws_security_group must have no ingress rules (has 1): agents only connect out",
      "KIT-NET-2 stack/Ssh: aws_security_group_rule must not open ingress: agents only connect out",
      "KIT-NET-2 stack/Https: aws_vpc_security_group_ingress_rule must not exist: agents only connect out",
    ]);
  });
});

describe("KIT-SEC-1 no-secret-in-plain-configuration", () => {
  test("compliant: the token only in a secret version, a Kubernetes Secret and ECS `secrets`; the kit's constructs", () => {
    expect(
      violations("KIT-SEC-1", (s) => {
        const pool = new AgentPool(s, "Pool", { name: "p" });
        new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: pool.tokenValue() });
        fargateTask(s, { environment: [SCALR_URL], secrets: [{ name: "SCALR_AGENT_TOKEN", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t" }] });
        new FargateAgentTask(s, "Fargate", { name: "agents", vpcId: "vpc-0abc", settings: { scalrUrl: "https://example.scalr.io", token: pool.tokenSource() } });
        helmAgent(s, { chart: "agent-job" });
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, userData: Buffer.from("#cloud-config\n{}\n").toString("base64") });
      }),
    ).toEqual([]);
  });

  test("non-compliant: the token in user data, a container environment, Helm values and set, Lambda env, a ConfigMap and an SSM String", () => {
    const lines = violations("KIT-SEC-1", (s) => {
      const pool = new AgentPool(s, "Pool", { name: "p" });
      const token = pool.tokenValue();
      const secretVar = new TerraformVariable(s, "agent_token", { type: "string", sensitive: true });
      const version = new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: token });
      new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, userData: Fn.base64encode(`#!/bin/sh\nexport SCALR_AGENT_TOKEN=${token}\n`) });
      fargateTask(s, { environment: [SCALR_URL, { name: "SCALR_AGENT_TOKEN", value: version.secretString }] });
      new Release(s, "Release", { name: "agent", chart: "agent-local", values: [terraformJson({ agent: { token: secretVar.stringValue } })], set: [{ name: "agent.token", value: token }] });
      new LambdaFunction(s, "Handler", { functionName: "h", role: "r", environment: { variables: { TOKEN: Fn.sensitive("x") } } });
      new ConfigMapV1(s, "Config", { metadata: { name: "agent" }, data: { token } });
      new SsmParameter(s, "Param", { name: "/agent/token", type: "String", value: token });
    });
    expect(lines).toEqual([
      expect.stringMatching(/^KIT-SEC-1 stack\/Lt: aws_launch_template must not hold the secret scalr_agent_pool_token\.Pool_Token-default_\w+\.token in user_data: reference it/),
      expect.stringMatching(/^KIT-SEC-1 stack\/Task: aws_ecs_task_definition must not hold the secret aws_secretsmanager_secret_version\.Version\.secret_string in the environment variable "SCALR_AGENT_TOKEN" of container "agent"/),
      "KIT-SEC-1 stack/Release: helm_release must not hold the sensitive variable var.agent_token in values[0]: reference it from a secret store instead",
      expect.stringMatching(/^KIT-SEC-1 stack\/Release: helm_release must not hold the secret scalr_agent_pool_token\.\S+ in set "agent.token"/),
      'KIT-SEC-1 stack/Handler: aws_lambda_function must not hold a value marked sensitive(...) in the environment variable "TOKEN": reference it from a secret store instead',
      expect.stringMatching(/^KIT-SEC-1 stack\/Config: kubernetes_config_map_v1 must not hold the secret scalr_agent_pool_token\.\S+ in data/),
      expect.stringMatching(/^KIT-SEC-1 stack\/Param: aws_ssm_parameter must not hold the secret scalr_agent_pool_token\.\S+ in value \(a "String" parameter\)/),
    ]);
  });

  test("non-compliant: a local that holds the token is followed", () => {
    const lines = violations("KIT-SEC-1", (s) => {
      const pool = new AgentPool(s, "Pool", { name: "p" });
      s.addOverride("locals.agent_token", pool.tokenValue());
      fargateTask(s, { environment: [SCALR_URL, { name: "T", value: "${local.agent_token}" }] });
    });
    expect(lines).toEqual([expect.stringContaining("must not hold local.agent_token, which holds the secret scalr_agent_pool_token.")]);
  });
});

describe("KIT-SEC-2 no-secret-in-plain-output", () => {
  test("compliant: the token in a sensitive output, an ID in a plain one", () => {
    expect(
      violations("KIT-SEC-2", (s) => {
        const version = new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "${var.x}" });
        new TerraformOutput(s, "token", { value: version.secretString, sensitive: true });
        new TerraformOutput(s, "id", { value: version.id });
      }),
    ).toEqual([]);
  });

  test("non-compliant: a secret value and a sensitive variable in plain outputs (stacks without Scalr constructs too)", () => {
    expect(
      violations("KIT-SEC-2", (s) => {
        const version = new SecretsmanagerSecretVersion(s, "Version", { secretId: "x", secretString: "${var.x}" });
        const v = new TerraformVariable(s, "password", { type: "string", sensitive: true });
        new TerraformOutput(s, "token", { value: version.secretString });
        new TerraformOutput(s, "both", { value: { password: v.stringValue } });
      }),
    ).toEqual([
      'KIT-SEC-2 stack/both: output "both" shows the sensitive variable var.password: set sensitive = true',
      'KIT-SEC-2 stack/token: output "token" shows the secret aws_secretsmanager_secret_version.Version.secret_string: set sensitive = true',
    ]);
  });
});

describe("KIT-IAM-1 iam-no-wildcard-actions", () => {
  test("compliant: named actions in a policy, a trust policy and a policy document; Deny with *", () => {
    expect(
      violations("KIT-IAM-1", (s) => {
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
      violations("KIT-IAM-1", (s) => {
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
      "KIT-IAM-1 stack/Admin: aws_iam_role_policy_attachment must not attach arn:aws:iam::aws:policy/AdministratorAccess: it grants * actions",
    ]);
  });

  test("non-compliant: a broad managed policy in aws_iam_role_policy_attachments_exclusive (ProviderConfiguration's managedPolicyArns)", () => {
    expect(
      violations("KIT-IAM-1", (s) => {
        new IamRolePolicyAttachmentsExclusive(s, "Exclusive", {
          roleName: "r",
          policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws-us-gov:iam::aws:policy/PowerUserAccess"],
        });
      }),
    ).toEqual([
      "KIT-IAM-1 stack/Exclusive: aws_iam_role_policy_attachments_exclusive must not attach arn:aws-us-gov:iam::aws:policy/PowerUserAccess: it grants * actions",
    ]);
  });

  test("compliant: scoped policies in aws_iam_role_policy_attachments_exclusive", () => {
    expect(
      violations("KIT-IAM-1", (s) => {
        new IamRolePolicyAttachmentsExclusive(s, "Exclusive", { roleName: "r", policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/deploy-network"] });
      }),
    ).toEqual([]);
  });
});

describe("KIT-IAM-2 iam-scoped-resources", () => {
  test("compliant: references and ARN patterns; actions AWS grants only on * in a statement of their own", () => {
    expect(
      violations("KIT-IAM-2", (s) => {
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
      violations("KIT-IAM-2", (s) => {
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

describe("KIT-LOG-1 log-retention", () => {
  test("compliant: 30 days", () => {
    expect(violations("KIT-LOG-1", (s) => new CloudwatchLogGroup(s, "Logs", { name: "/x", retentionInDays: 30 }))).toEqual([]);
  });

  test("non-compliant: unset, and 0 (never expire)", () => {
    expect(
      violations("KIT-LOG-1", (s) => {
        new CloudwatchLogGroup(s, "Unset", { name: "/x" });
        new CloudwatchLogGroup(s, "Never", { name: "/y", retentionInDays: 0 });
      }),
    ).toEqual([
      "KIT-LOG-1 stack/Never: aws_cloudwatch_log_group must set retention_in_days (got 0: events never expire)",
      "KIT-LOG-1 stack/Unset: aws_cloudwatch_log_group must set retention_in_days (got nothing: events never expire)",
    ]);
  });
});

describe("KIT-API-1 api-method-authenticated", () => {
  const method = (s: TerraformStack, id: string, extra: { apiKeyRequired?: boolean; authorization: string; httpMethod?: string }) =>
    new ApiGatewayMethod(s, id, { restApiId: "api", resourceId: "res", httpMethod: extra.httpMethod ?? "POST", authorization: extra.authorization, apiKeyRequired: extra.apiKeyRequired });

  test("compliant: an API key, an authorizer, a CORS preflight; an HTTP API route with JWT", () => {
    expect(
      violations("KIT-API-1", (s) => {
        method(s, "Key", { apiKeyRequired: true, authorization: "NONE" });
        method(s, "Iam", { authorization: "AWS_IAM" });
        method(s, "Cors", { authorization: "NONE", httpMethod: "OPTIONS" });
        new Apigatewayv2Route(s, "Route", { apiId: "api", routeKey: "POST /trigger", authorizationType: "JWT" });
      }),
    ).toEqual([]);
  });

  test("non-compliant: an open method and an open route", () => {
    expect(
      violations("KIT-API-1", (s) => {
        method(s, "Open", { authorization: "NONE" });
        new Apigatewayv2Route(s, "Route", { apiId: "api", routeKey: "POST /trigger" });
      }),
    ).toEqual([
      'KIT-API-1 stack/Open: aws_api_gateway_method "POST" must require an API key (api_key_required = true) or an authorizer (authorization)',
      'KIT-API-1 stack/Route: aws_apigatewayv2_route "POST /trigger" must set an authorization_type other than NONE',
    ]);
  });
});

describe("KIT-LAMBDA-1 lambda-concurrency-capped", () => {
  const fn = (s: TerraformStack, id: string, reservedConcurrentExecutions?: number) =>
    new LambdaFunction(s, id, { functionName: id, role: "r", reservedConcurrentExecutions });

  test("compliant: reserved concurrency", () => {
    expect(violations("KIT-LAMBDA-1", (s) => fn(s, "Handler", 20))).toEqual([]);
  });

  test("non-compliant: unset, and -1 (unreserved)", () => {
    expect(
      violations("KIT-LAMBDA-1", (s) => {
        fn(s, "Unset");
        fn(s, "Unreserved", -1);
      }),
    ).toEqual([
      "KIT-LAMBDA-1 stack/Unreserved: aws_lambda_function must cap its concurrency with reserved_concurrent_executions (got -1)",
      "KIT-LAMBDA-1 stack/Unset: aws_lambda_function must cap its concurrency with reserved_concurrent_executions (got nothing)",
    ]);
  });
});

describe("KIT-ECS-1 fargate-stop-timeout", () => {
  const env = (action: string, drain?: number, grace?: number) => [
    SCALR_URL,
    { name: "SCALR_AGENT_WORKER_ON_STOP_ACTION", value: action },
    ...(drain === undefined ? [] : [{ name: "SCALR_AGENT_WORKER_DRAIN_TIMEOUT", value: String(drain) }]),
    ...(grace === undefined ? [] : [{ name: "SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT", value: String(grace) }]),
  ];

  test("compliant: FargateAgentTask in drain and graceful modes; force; a non-agent container without stopTimeout", () => {
    expect(
      violations("KIT-ECS-1", (s) => {
        const token = AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:t");
        new FargateAgentTask(s, "Drain", { name: "drain", vpcId: "vpc-0abc", settings: { scalrUrl: "https://example.scalr.io", token } });
        new FargateAgentTask(s, "Graceful", { name: "graceful", vpcId: "vpc-0abc", stopTimeoutSeconds: 45, settings: { scalrUrl: "https://example.scalr.io", token, shutdown: { mode: "graceful" } } });
        fargateTask(s, { stopTimeout: 10, environment: env("force-shutdown") });
        new EcsTaskDefinition(s, "Other", { family: "other", requiresCompatibilities: ["FARGATE"], containerDefinitions: terraformJson([{ name: "nginx", image: "nginx:1" }]) });
      }),
    ).toEqual([]);
  });

  test("non-compliant: drain in 60 s, timeouts beyond the stop timeout, no shutdown mode, over 120 s", () => {
    const lines = violations("KIT-ECS-1", (s) => {
      new EcsTaskDefinition(s, "Task", {
        family: "agents",
        requiresCompatibilities: ["FARGATE"],
        containerDefinitions: terraformJson([
          { name: "short-drain", image: "scalr/agent:1.4.0", stopTimeout: 60, environment: env("drain", 10, 10) },
          { name: "long-drain", image: "scalr/agent:1.4.0", stopTimeout: 120, environment: env("drain", 3600, 60) },
          { name: "graceful", image: "scalr/agent:1.4.0", stopTimeout: 30, environment: env("grace-shutdown", 25) },
          { name: "unset", image: "scalr/agent:1.4.0", environment: [SCALR_URL] },
          { name: "too-long", image: "busybox", stopTimeout: 300 },
        ]),
      });
    });
    expect(lines).toEqual([
      'KIT-ECS-1 stack/Task: container "short-drain": shutdown mode "drain" needs stopTimeout 120, got stopTimeout 60; use "grace-shutdown" for shorter timeouts',
      'KIT-ECS-1 stack/Task: container "long-drain": drain (3600 s) + grace-shutdown (60 s) timeouts must be at most stopTimeout 120 − 10 (110) so runs stop before SIGKILL',
      'KIT-ECS-1 stack/Task: container "graceful": shutdown mode "grace-shutdown" must set SCALR_AGENT_WORKER_GRACE_SHUTDOWN_TIMEOUT to fit stopTimeout 30',
      'KIT-ECS-1 stack/Task: container "unset": a Scalr agent must set SCALR_AGENT_WORKER_ON_STOP_ACTION (and its timeouts) to fit the default stopTimeout (30 s): the agent\'s own drain timeout is an hour',
      'KIT-ECS-1 stack/Task: container "too-long": stopTimeout must be at most 120 on Fargate, got 300',
    ]);
  });
});

describe("KIT-K8S-1 k8s-metadata-service-blocked", () => {
  test("compliant: HelmAgent with each chart (its defaults block the metadata service)", () => {
    for (const chart of ["agent-local", "agent-k8s", "agent-job"] as const) {
      expect(violations("KIT-K8S-1", (s) => helmAgent(s, { chart }))).toEqual([]);
    }
  });

  test("non-compliant: HelmAgent opting out, and raw releases relying on unsafe chart defaults", () => {
    expect(violations("KIT-K8S-1", (s) => helmAgent(s, { chart: "agent-job", allowMetadataService: true }))).toEqual([
      "KIT-K8S-1 stack/Agent/Resource: helm_release agent-job must set `task.allowMetadataService: false` so runs cannot reach the metadata service (got true)",
    ]);
    expect(violations("KIT-K8S-1", (s) => release(s, "agent-local", {}))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-local must set `allowMetadataService: false` so runs cannot reach the metadata service (got true)",
    ]);
    expect(violations("KIT-K8S-1", (s) => release(s, "scalr/agent-k8s", { restrictMetadataService: false }))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-k8s must set `restrictMetadataService: true` so runs cannot reach the metadata service (got false)",
    ]);
  });

  test("set blocks override values, as in Helm; YAML values are read", () => {
    expect(
      violations("KIT-K8S-1", (s) => {
        const r = release(s, "agent-local", { allowMetadataService: false });
        r.addOverride("set", [{ name: "allowMetadataService", value: "true" }]);
      }),
    ).toHaveLength(1);
    expect(violations("KIT-K8S-1", (s) => new Release(s, "Release", { name: "a", chart: "agent-local", values: ["allowMetadataService: false\n"] }))).toEqual([]);
  });

  test("non-compliant: values that are only a reference cannot be confirmed", () => {
    expect(violations("KIT-K8S-1", (s) => new Release(s, "Release", { name: "a", chart: "agent-job", values: ["${var.values}"] }))).toEqual([
      "KIT-K8S-1 stack/Release: helm_release agent-job: values[0] cannot be read at synth time, so `task.allowMetadataService: false` cannot be confirmed",
    ]);
  });
});

describe("KIT-K8S-2 k8s-non-root", () => {
  test("compliant: HelmAgent with agent-local and agent-job; chart defaults of agent-job", () => {
    expect(violations("KIT-K8S-2", (s) => helmAgent(s, { chart: "agent-local" }))).toEqual([]);
    expect(violations("KIT-K8S-2", (s) => helmAgent(s, { chart: "agent-job" }))).toEqual([]);
    expect(violations("KIT-K8S-2", (s) => release(s, "agent-job", {}))).toEqual([]);
  });

  test("non-compliant: agent-k8s workers run as root; agent-job runner forced to root", () => {
    expect(violations("KIT-K8S-2", (s) => release(s, "agent-k8s", {}))).toEqual([
      "KIT-K8S-2 stack/Release: helm_release agent-k8s: the agent container must not run as root (runAsUser 0, runAsNonRoot false)",
    ]);
    expect(violations("KIT-K8S-2", (s) => release(s, "agent-job", { task: { runner: { securityContext: { runAsUser: 0 } } } }))).toEqual([
      "KIT-K8S-2 stack/Release: helm_release agent-job: the task runner container must not run as root (runAsUser 0, runAsNonRoot true)",
    ]);
  });
});
