import { tryDecodeTerraformJson } from "../../../../core/terraform-json";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, TerraformBlock, blocks, record } from "../../synthesized-stack";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** KIT-SEC-1: the agent token (or any secret) is never in plain configuration. */
export const KIT_SEC_1: KitRule = {
  id: "KIT-SEC-1",
  name: "no-secret-in-plain-configuration",
  area: "secrets",
  severity: "error",
  description:
    "No secret — a reference to `scalr_agent_pool_token.*.token` or another sensitive Scalr attribute, a Secrets Manager secret value, a Kubernetes Secret's data, a sensitive variable, a local holding one, or `sensitive(…)` — in EC2 user data, a `cloudinit_config` part, an ECS container definition outside `secrets`, Helm release `values` or `set`, a Kubernetes workload's containers (Deployment, DaemonSet, StatefulSet, Job, CronJob, Pod, and `kubernetes_manifest` objects other than Secrets), Lambda environment variables, an EventBridge target's `input`, a ConfigMap, or a non-SecureString SSM parameter. Only these places are read: a secret passed through another resource first (e.g. a `terraform_data` output) is not followed.",
  rationale:
    "Those places are readable without access to a secret: user data by anyone who can describe the instance (and by every process on it through IMDS), task definitions and Lambda configuration by read-only roles, Helm values in the release Secret and `helm get values`. The token must flow through a secret store and be referenced (ECS `secrets`, `tokenExistingSecret`, a boot-time fetch).",
  source: {
    title: "AWS: EC2 user data (not protected: no place for secrets)",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const report = (r: TerraformBlock, where: string, value: unknown) => {
      const secret = stack.findSecret(value);
      if (secret) findings.push({ path: r.path, message: `${r.type} must not hold ${secret} in ${where}: reference it from a secret store instead` });
    };
    for (const r of stack.resources("aws_launch_template", "aws_instance", "aws_launch_configuration")) {
      for (const key of ["user_data", "user_data_base64"]) {
        const value = r.body[key];
        if (value === undefined) continue;
        report(r, key, value);
        if (typeof value === "string" && BASE64.test(value)) report(r, `${key} (decoded)`, Buffer.from(value, "base64").toString("utf8"));
      }
    }
    for (const r of [...stack.dataSources("cloudinit_config"), ...stack.resources("cloudinit_config")]) {
      blocks(r.body.part).forEach((part, i) => report(r, `part[${i}].content (rendered into user data)`, part.content));
    }
    for (const r of stack.resources(...KUBERNETES_WORKLOADS)) {
      for (const c of containersOf(r.body, TF_CONTAINER_KEYS)) {
        const name = JSON.stringify(c.name ?? "(unnamed)");
        for (const env of blocks(c.env)) report(r, `the environment variable ${JSON.stringify(env.name)} of container ${name}`, env.value);
        report(r, `container ${name} (outside env)`, without(c, ["env"]));
      }
    }
    for (const r of stack.resources("kubernetes_manifest")) {
      const manifest = record(r.body.manifest);
      // A Secret is where the token belongs.
      if (manifest.kind === "Secret") continue;
      const kind = typeof manifest.kind === "string" ? manifest.kind : "object";
      for (const c of containersOf(manifest, MANIFEST_CONTAINER_KEYS)) {
        const name = JSON.stringify(c.name ?? "(unnamed)");
        for (const env of blocks(c.env)) report(r, `the environment variable ${JSON.stringify(env.name)} of container ${name} (a ${kind})`, env.value);
      }
      report(r, `manifest (a ${kind}, outside container env)`, stripEnv(manifest));
    }
    for (const r of stack.resources("aws_cloudwatch_event_target")) {
      report(r, "input", r.body.input);
      blocks(r.body.input_transformer).forEach((t) => report(r, "input_transformer.input_template", t.input_template));
    }
    for (const r of stack.resources("aws_ecs_task_definition")) {
      const containers = tryDecodeTerraformJson(r.body.container_definitions);
      if (!Array.isArray(containers)) {
        report(r, "container_definitions", r.body.container_definitions);
        continue;
      }
      for (const c of containers.map(record)) {
        const name = JSON.stringify(c.name ?? "(unnamed)");
        for (const env of blocks(c.environment)) report(r, `the environment variable ${JSON.stringify(env.name)} of container ${name}`, env.value);
        const rest = Object.fromEntries(Object.entries(c).filter(([k]) => !["environment", "secrets", "repositoryCredentials"].includes(k)));
        report(r, `container ${name} (outside environment and secrets)`, rest);
      }
    }
    for (const r of stack.resources("helm_release")) {
      const values = Array.isArray(r.body.values) ? r.body.values : [];
      values.forEach((doc, i) => report(r, `values[${i}]`, doc));
      for (const key of ["set", "set_list"]) {
        for (const s of blocks(r.body[key])) report(r, `${key} ${JSON.stringify(s.name)}`, s.value);
      }
    }
    for (const r of stack.resources("aws_lambda_function")) {
      const variables = record(blocks(r.body.environment)[0]?.variables);
      for (const [name, value] of Object.entries(variables)) report(r, `the environment variable ${JSON.stringify(name)}`, value);
    }
    for (const r of stack.resources("kubernetes_config_map_v1", "kubernetes_config_map")) {
      report(r, "data", r.body.data);
      report(r, "binary_data", r.body.binary_data);
    }
    for (const r of stack.resources("aws_ssm_parameter")) {
      if (r.body.type !== "SecureString") report(r, `value (a ${JSON.stringify(r.body.type ?? "String")} parameter)`, r.body.value);
    }
    return findings;
  },
};

/** Kubernetes workload resources (the kubernetes provider's typed ones) whose containers are checked. */
const KUBERNETES_WORKLOADS = [
  "kubernetes_deployment_v1",
  "kubernetes_deployment",
  "kubernetes_daemon_set_v1",
  "kubernetes_daemonset",
  "kubernetes_stateful_set_v1",
  "kubernetes_stateful_set",
  "kubernetes_job_v1",
  "kubernetes_job",
  "kubernetes_cron_job_v1",
  "kubernetes_cron_job",
  "kubernetes_pod_v1",
  "kubernetes_pod",
  "kubernetes_replication_controller_v1",
  "kubernetes_replication_controller",
];
const TF_CONTAINER_KEYS = new Set(["container", "init_container"]);
const MANIFEST_CONTAINER_KEYS = new Set(["containers", "initContainers", "ephemeralContainers"]);

/** Every container block below `node`, at any depth (pod templates nest differently per kind). */
function containersOf(node: unknown, keys: ReadonlySet<string>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== "object") return;
    for (const [key, value] of Object.entries(n)) {
      if (keys.has(key)) out.push(...blocks(value));
      else walk(value);
    }
  };
  walk(node);
  return out;
}

function without(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** `manifest` without the `env` of its containers (reported one variable at a time). */
function stripEnv(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripEnv);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, MANIFEST_CONTAINER_KEYS.has(k) ? blocks(v).map((c) => without(c, ["env"])) : stripEnv(v)]));
}
