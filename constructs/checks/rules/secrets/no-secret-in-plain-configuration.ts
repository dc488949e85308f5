import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, TerraformBlock, record } from "../../synthesized-stack";
import { SecretLeak, secretContext, secretLeaks } from "./secret-sinks";

/** Why an attribute path is especially wide open, when it is. */
function reach(attribute: string): string {
  if (/^(tags|tags_all|tag|tag_specifications)(\.|\[|$)/.test(attribute)) return " (tags are copied into tags_all and shown by every describe and tag-listing call)";
  if (/^default_tags(\.|\[|$)/.test(attribute)) return " (the provider's default tags are copied onto every resource it creates)";
  if (/^description$/.test(attribute)) return " (descriptions are shown to everyone who can list the object)";
  return "";
}

/** The finding of one leak: a violation, or an unconfirmed sink that must be acknowledged. */
function finding(path: string, what: string, leak: SecretLeak): KitRuleFinding {
  if (leak.unconfirmed !== undefined) {
    return {
      path,
      message: `${what} holds ${leak.secret} in ${leak.attribute}, which is a secret store only when ${leak.unconfirmed}: that could not be confirmed at synth time (the value is only known at apply time); make it a literal, or acknowledge KIT-SEC-1 on this block with a reason`,
    };
  }
  const unconfirmed = / could not be confirmed/.test(leak.secret);
  return {
    path,
    message: unconfirmed
      ? `${what} must not hold ${leak.secret} in ${leak.attribute}${reach(leak.attribute)}: reference it from a secret store, or acknowledge KIT-SEC-1 on this block with a reason if it is not a secret`
      : `${what} must not hold ${leak.secret} in ${leak.attribute}${reach(leak.attribute)}: reference it from a secret store instead`,
  };
}

/** KIT-SEC-1: the agent token (or any secret) is never in plain configuration. */
export const KIT_SEC_1: KitRule = {
  id: "KIT-SEC-1",
  name: "no-secret-in-plain-configuration",
  area: "secrets",
  severity: "error",
  description:
    "No secret — a reference to `scalr_agent_pool_token.*.token` or another sensitive Scalr attribute, a Secrets Manager secret value, a SecureString parameter, a Kubernetes Secret's data, a sensitive variable, `sensitive(…)`, a local holding one (followed through locals), a secret handed over by another stack (cdktf cross-stack outputs, whole objects included) or a remote state output named as a secret — in any string attribute of any resource, data source or provider block (user data, tags, descriptions, container definitions, Helm values, …; map keys too; base64 and gzip literals decoded), whatever function wraps it and however HCL spaces it. Only allow-listed secret sinks may hold one: Secrets Manager secret versions, `SecureString` SSM parameter values, sensitive Scalr variables and the Scalr provider's sensitive attributes, Kubernetes Secret data (also as a `Secret` manifest), Helm `set_sensitive`, and provider credentials (SECRET_SINKS, each with its documentation). A sink whose condition is only known at apply time (a parameter `type` or a variable's `sensitive` flag given as a reference) and a value whose sensitivity cannot be seen (another stack's variable) are violations that can be acknowledged.",
  rationale:
    "Any other attribute is readable without access to a secret: user data by anyone who can describe the instance (and by every process on it through IMDS), tags and descriptions by every describe call, task definitions and Lambda configuration by read-only roles, Helm values in the release Secret and `helm get values`, and every attribute in plan output and state. The token must flow through a secret store and be referenced (ECS `secrets`, `tokenExistingSecret`, a boot-time fetch).",
  source: {
    title: "AWS: EC2 user data (not protected: no place for secrets)",
    url: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    const ctx = secretContext(stack);
    const check = (blocks: TerraformBlock[], kind: (b: TerraformBlock) => string) => {
      for (const b of blocks) for (const leak of secretLeaks(kind(b), b.body, ctx)) findings.push(finding(b.path, b.type, leak));
    };
    check(stack.resources(), (b) => b.type);
    check(stack.dataSources(), (b) => `data.${b.type}`);
    for (const [name, configs] of Object.entries(record(stack.json.provider)).sort(([a], [b]) => a.localeCompare(b))) {
      const list = Array.isArray(configs) ? configs : [configs];
      list.forEach((config, i) => {
        const body = record(config);
        const label = `provider ${name}${typeof body.alias === "string" ? ` (alias ${body.alias})` : list.length > 1 ? `[${i}]` : ""}`;
        for (const leak of secretLeaks(`provider.${name}`, body, ctx)) findings.push(finding(`${stack.stackPath}/provider.${name}`, label, leak));
      });
    }
    return findings;
  },
};
