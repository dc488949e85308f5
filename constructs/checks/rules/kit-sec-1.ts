import { tryDecodeTerraformJson } from "../../../agent/settings";
import { KitRule, KitRuleFinding } from "../rule";
import { SynthesizedStack, TerraformBlock, blocks, record } from "../synthesized-stack";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** KIT-SEC-1: the agent token (or any secret) is never in plain configuration. */
export const KIT_SEC_1: KitRule = {
  id: "KIT-SEC-1",
  name: "no-secret-in-plain-configuration",
  severity: "error",
  description:
    "No secret — a reference to `scalr_agent_pool_token.*.token` or another sensitive Scalr attribute, a Secrets Manager secret value, a Kubernetes Secret's data, a sensitive variable, a local holding one, or `sensitive(…)` — in EC2 user data, an ECS container definition outside `secrets`, Helm release `values` or `set`, Lambda environment variables, a ConfigMap, or a non-SecureString SSM parameter.",
  rationale:
    "Those places are readable without access to a secret: user data by anyone who can describe the instance (and by every process on it through IMDS), task definitions and Lambda configuration by read-only roles, Helm values in the release Secret and `helm get values`. The token must flow through a secret store and be referenced (ECS `secrets`, `tokenExistingSecret`, a boot-time fetch).",
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
