import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Release } from "@cdktf/provider-helm/lib/release";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { PodV1 } from "@cdktf/provider-kubernetes/lib/pod-v1";
import { StatefulSetV1 } from "@cdktf/provider-kubernetes/lib/stateful-set-v1";
import { Fn, TerraformStack, TerraformVariable } from "cdktf";
import { terraformJson } from "../../../../../core/terraform-json";
import { FargateAgentTask } from "../../../../../constructs/ecs/fargate-agent-task";
import { AgentPool } from "../../../../../constructs/scalr/agent-pool";
import { KIT_SEC_1 } from "../../../../../constructs/checks/rules/secrets/no-secret-in-plain-configuration";
import { violations, compliantLaunchTemplate, SCALR_URL, fargateTask, helmAgent, token, TOKEN_REF } from "../../rule-helpers";

describe("KIT-SEC-1 no-secret-in-plain-configuration", () => {
  test("compliant: the token only in a secret version, a Kubernetes Secret and ECS `secrets`; the kit's constructs", () => {
    expect(
      violations(KIT_SEC_1, (s) => {
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
    const lines = violations(KIT_SEC_1, (s) => {
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
    // Resources in type order, then name.
    expect(lines).toEqual([
      "KIT-SEC-1 stack/Task: aws_ecs_task_definition must not hold the secret aws_secretsmanager_secret_version.Version.secret_string in container_definitions: reference it from a secret store instead",
      'KIT-SEC-1 stack/Handler: aws_lambda_function must not hold a value marked sensitive(...) in environment.variables.TOKEN: reference it from a secret store instead',
      expect.stringMatching(/^KIT-SEC-1 stack\/Lt: aws_launch_template must not hold the secret scalr_agent_pool_token\.Pool_Token-default_\w+\.token in user_data: reference it/),
      expect.stringMatching(/^KIT-SEC-1 stack\/Param: aws_ssm_parameter must not hold the secret scalr_agent_pool_token\.\S+ in value: reference it/),
      expect.stringMatching(/^KIT-SEC-1 stack\/Release: helm_release must not hold the secret scalr_agent_pool_token\.\S+ in set\[0\]\.value:/),
      "KIT-SEC-1 stack/Release: helm_release must not hold the sensitive variable var.agent_token in values[0]: reference it from a secret store instead",
      expect.stringMatching(/^KIT-SEC-1 stack\/Config: kubernetes_config_map_v1 must not hold the secret scalr_agent_pool_token\.\S+ in data\.token:/),
    ]);
  });

  test("non-compliant: a local that holds the token is followed", () => {
    const lines = violations(KIT_SEC_1, (s) => {
      const pool = new AgentPool(s, "Pool", { name: "p" });
      s.addOverride("locals.agent_token", pool.tokenValue());
      fargateTask(s, { environment: [SCALR_URL, { name: "T", value: "${local.agent_token}" }] });
    });
    expect(lines).toEqual([expect.stringContaining("must not hold local.agent_token, which holds the secret scalr_agent_pool_token.")]);
  });
});

describe("KIT-SEC-1 no-secret-in-plain-configuration: cloud-init parts, Kubernetes workloads, EventBridge inputs", () => {
  test("fails when a cloudinit_config part holds the token", () => {
    expect(
      violations(KIT_SEC_1, (stack) => {
        stack.addOverride("data.cloudinit_config.boot", { part: [{ content_type: "text/x-shellscript", content: `#!/bin/sh\necho ${token(stack)} > /etc/token` }] });
        new LaunchTemplate(stack, "Lt", { userData: "${data.cloudinit_config.boot.rendered}" });
      }),
    ).toEqual([
      `KIT-SEC-1 stack/data.cloudinit_config.boot: cloudinit_config must not hold ${TOKEN_REF} in part[0].content: reference it from a secret store instead`,
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
    expect(violations(KIT_SEC_1, build)).toEqual([
      expect.stringMatching(new RegExp(`^KIT-SEC-1 stack/Workload: ${type} must not hold ${TOKEN_REF.replace(/\./g, "\\.")} in spec\\.(job_template\\.spec\\.)?(template\\.spec\\.)?container\\[0\\]\\.env\\[0\\]\\.value: reference it from a secret store instead$`)),
    ]);
  });

  test("a workload that reads the token from a Secret passes", () => {
    expect(
      violations(KIT_SEC_1, (stack) => {
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
      violations(KIT_SEC_1, (stack) => {
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
      `KIT-SEC-1 stack/Deployment: kubernetes_manifest must not hold ${TOKEN_REF} in manifest.spec.template.spec.containers[0].env[0].value: reference it from a secret store instead`,
    ]);
  });

  test("fails when an EventBridge target's input holds the token", () => {
    expect(
      violations(KIT_SEC_1, (stack) => {
        new CloudwatchEventTarget(stack, "Target", { rule: "r", arn: "arn:aws:lambda:eu-west-1:123456789012:function:f", input: terraformJson({ token: token(stack) }) });
      }),
    ).toEqual([`KIT-SEC-1 stack/Target: aws_cloudwatch_event_target must not hold ${TOKEN_REF} in input: reference it from a secret store instead`]);
  });
});
