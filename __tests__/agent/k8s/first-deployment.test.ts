import { renderHelmValues, renderParsedHelmValues } from "../../../agent/k8s";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { describeValue } from "../../../core/validation";
import { messageOf } from "../../support/errors";
import { chartSchemaErrors } from "../../support/helm-charts";
import { FailureCase, PEM, TASK_PEM, ctx, minimal, render } from "./fixtures";

// What the charts actually do with the CA bundle, the proxy, the image and the task pods
// (Scalr/agent-helm charts/*/templates @ cf283e1).

const DIGEST = `sha256:${"b".repeat(64)}`;
const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
/** The endpoints a proxy must never see in a pod: loopback and in-cluster names. */
const K8S_BYPASS = "localhost,127.0.0.1,::1,kubernetes.default.svc,.svc,.cluster.local,169.254.170.23,fd00:ec2::23";

describe("CA bundle: only what reaches the pods", () => {
  test("agent-k8s takes the PEM base64-encoded in agent.ca_cert and agent.container_task_ca_cert", () => {
    const values = render({ chart: "agent-k8s", settings: { ...minimal, caBundle: { pem: PEM }, containerTask: { caBundle: { pem: TASK_PEM } } } });
    expect(values.agent.ca_cert).toBe(base64(PEM));
    expect(values.agent.container_task_ca_cert).toBe(base64(TASK_PEM));
  });

  const cases: FailureCase[] = [
    [
      "agent-k8s: a path names a file no volume brings into the pods",
      { chart: "agent-k8s", settings: { ...minimal, caBundle: { path: "/etc/ssl/corp.pem" } } },
      'k8s/Agent: `settings.caBundle` must be given as `pem` for agent-k8s: the chart mounts no volume a CA file could come from (its controller and workers take no extra volumes), so a path would name a file that does not exist in the pods; the PEM is rendered base64-encoded into `agent.ca_cert` (or bake the bundle into a custom agent image and leave `caBundle` unset), got: "/etc/ssl/corp.pem"',
    ],
    [
      "agent-k8s: the task CA bundle as a path, likewise",
      { chart: "agent-k8s", settings: { ...minimal, containerTask: { caBundle: { path: "/etc/ssl/task.pem" } } } },
      'k8s/Agent: `settings.containerTask.caBundle` must be given as `pem` for agent-k8s: the chart mounts no volume a CA file could come from (its controller and workers take no extra volumes), so a path would name a file that does not exist in the pods; the PEM is rendered base64-encoded into `agent.container_task_ca_cert` (or bake the bundle into a custom agent image and leave `caBundle` unset), got: "/etc/ssl/task.pem"',
    ],
    [
      "agent-local: the chart sets SCALR_AGENT_CA_CERT itself, from the bundle it mounts",
      { chart: "agent-local", settings: { ...minimal, caBundle: { path: "/etc/ssl/corp.pem" } } },
      'k8s/Agent: `settings.caBundle` must be given as `pem` for agent-local: the chart sets SCALR_AGENT_CA_CERT itself, to the bundle it mounts from `agent.tls.caBundle` (rendered from `pem`), and rejects it in `extraEnv` (for a Secret you already have, leave `caBundle` unset and set `extraValues.agent.tls.caBundleSecret`), got: "/etc/ssl/corp.pem"',
    ],
    [
      "agent-job: the chart sets SCALR_AGENT_CA_CERT itself, from the bundle it mounts",
      { chart: "agent-job", settings: { ...minimal, caBundle: { path: "/etc/ssl/corp.pem" } } },
      'k8s/Agent: `settings.caBundle` must be given as `pem` for agent-job: the chart sets SCALR_AGENT_CA_CERT itself in the controller and task pods, to the bundle it mounts from `global.tls.caBundle` (rendered from `pem`) (for a Secret you already have, leave `caBundle` unset and set `extraValues.global.tls.caBundleSecret`), got: "/etc/ssl/corp.pem"',
    ],
  ];
  test.each(cases)("fails: %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});

describe("proxy: the Kubernetes must-bypass endpoints first", () => {
  const proxy = { http: "http://proxy.corp:3128", noProxy: ["git.corp"] };

  test.each(["agent-local", "agent-k8s"] as const)("%s: extraEnv NO_PROXY keeps loopback and in-cluster names direct", (chart) => {
    const values = render({ chart, settings: { ...minimal, proxy } });
    expect(values.extraEnv.NO_PROXY).toBe(`${K8S_BYPASS},git.corp`);
    expect(values.extraEnv.no_proxy).toBe(`${K8S_BYPASS},git.corp`);
  });

  test("agent-job: global.proxy.noProxy, the same list", () => {
    const values = render({ chart: "agent-job", settings: { ...minimal, proxy } });
    expect(values.global.proxy).toEqual({ enabled: true, httpProxy: "http://proxy.corp:3128", httpsProxy: "http://proxy.corp:3128", noProxy: `${K8S_BYPASS},git.corp` });
  });

  test("the instance metadata addresses bypass the proxy only where runs may reach them", () => {
    const open = render({ chart: "agent-local", allowMetadataService: true, settings: { ...minimal, proxy } });
    expect(open.extraEnv.NO_PROXY).toBe(`${K8S_BYPASS},169.254.169.254,fd00:ec2::254,git.corp`);
  });

  test("serviceCidr: the API server's service address (KUBERNETES_SERVICE_HOST, an IP) bypasses the proxy too", () => {
    const values = render({ chart: "agent-job", serviceCidr: "172.20.0.0/16", settings: { ...minimal, proxy } });
    expect(values.global.proxy.noProxy).toBe(`${K8S_BYPASS},172.20.0.0/16,git.corp`);
    expect(chartSchemaErrors("agent-job", values) ?? []).toEqual([]);
  });

  test("serviceCidr without a proxy changes nothing", () => {
    expect(render({ chart: "agent-k8s", serviceCidr: "10.100.0.0/16", settings: minimal }).extraEnv).toBeUndefined();
  });

  test("fails on a serviceCidr that is not a CIDR", () => {
    expect(messageOf(() => render({ chart: "agent-k8s", serviceCidr: "10.100.0.0", settings: { ...minimal, proxy } }))).toBe(
      'k8s/Agent: `serviceCidr` must be the cluster\'s Service CIDR, e.g. "10.100.0.0/16" or "fd00:10:96::/112", got: "10.100.0.0"',
    );
  });
});

describe("image: one model on every chart", () => {
  const pullSecret = ImagePullCredentials.fromKubernetesSecret("regcred");
  const image = { registry: "registry.corp", repository: "scalr/agent", tag: "1.4.0", digest: DIGEST, credentials: pullSecret };

  test("agent-local and agent-k8s: tag@digest and the pull Secret in imagePullSecrets", () => {
    for (const chart of ["agent-local", "agent-k8s"] as const) {
      const values = render({ chart, settings: { ...minimal, image } });
      expect(values.image).toMatchObject({ repository: "registry.corp/scalr/agent", tag: `1.4.0@${DIGEST}` });
      expect(values.imagePullSecrets).toEqual([{ name: "regcred" }]);
      expect(chartSchemaErrors(chart, values) ?? []).toEqual([]);
    }
  });

  test("agent-job: global.imagePullSecrets (controller and task pods)", () => {
    const values = render({ chart: "agent-job", settings: { ...minimal, image } });
    expect(values.agent.image).toMatchObject({ repository: "registry.corp/scalr/agent", tag: `1.4.0@${DIGEST}` });
    expect(values.global.imagePullSecrets).toEqual([{ name: "regcred" }]);
    expect(chartSchemaErrors("agent-job", values) ?? []).toEqual([]);
  });

  test("the pull policy is a default extraValues may replace", () => {
    expect(render({ chart: "agent-k8s", settings: minimal, extraValues: { image: { pullPolicy: "Always" } } }).image.pullPolicy).toBe("Always");
    expect(render({ chart: "agent-job", settings: minimal, extraValues: { agent: { image: { pullPolicy: "Always" } } } }).agent.image.pullPolicy).toBe("Always");
    expect(render({ chart: "agent-job", settings: minimal }).agent.image.pullPolicy).toBe("IfNotPresent");
  });

  const cases: FailureCase[] = [
    [
      "credentials from Secrets Manager",
      { chart: "agent-local", settings: { ...minimal, image: { credentials: ImagePullCredentials.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg-AbCdEf") } } },
      "k8s/Agent: `settings.image.credentials` must be ImagePullCredentials.fromKubernetesSecret(name) on Kubernetes: the charts pull with the pods' imagePullSecrets, a `kubernetes.io/dockerconfigjson` Secret in the release namespace (sync the Secrets Manager secret into one, e.g. with External Secrets), got: \"aws-secrets-manager\"",
    ],
    [
      "a digest without a tag (object form)",
      { chart: "agent-k8s", settings: { ...minimal, image: { digest: DIGEST } } },
      `k8s/Agent: \`settings.image\` must give a tag with the digest, e.g. scalr/agent:1.4.0@${DIGEST} (the charts render \`repository:tag\`, so a digest alone becomes \`scalr/agent:@${DIGEST}\`), got: ${describeValue(`scalr/agent@${DIGEST}`)}`,
    ],
    [
      "an extra value replacing a hardened default",
      { chart: "agent-local", settings: minimal, extraValues: { securityContext: { allowPrivilegeEscalation: true } } },
      "k8s/Agent: `extraValues.securityContext.allowPrivilegeEscalation` is set by the kit (HelmAgent's hardened defaults) and cannot be replaced; remove it from `extraValues`, got: true",
    ],
  ];
  test.each(cases)("fails: %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});

describe("agent-k8s task pods", () => {
  test("the task pod labels given to the renderer reach agent.kubernetes_task_labels, next to the user's", () => {
    const values: Record<string, any> = renderParsedHelmValues(
      minimal,
      { chart: "agent-k8s", allowMetadataService: false, extraValues: { agent: { kubernetes_task_labels: { team: "platform" } } } },
      ctx,
      { taskPodLabels: { "app.kubernetes.io/instance": "run", "app.kubernetes.io/component": "task" } },
    );
    expect(values.agent.kubernetes_task_labels).toEqual({ "app.kubernetes.io/instance": "run", "app.kubernetes.io/component": "task", team: "platform" });
  });
});
