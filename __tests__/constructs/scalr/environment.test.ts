import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment, EnvironmentProps } from "../../../constructs/scalr/environment";
import { PolicyGroup } from "../../../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../../../constructs/scalr/provider-configuration";
import { Tag } from "../../../constructs/scalr/tag";
import { Environment as ScalrEnvironment } from "../../../providers/scalr/generated/providers/scalr/environment";
import { ProviderConfiguration as ScalrProviderConfiguration } from "../../../providers/scalr/generated/providers/scalr/provider-configuration";
import { ProviderConfigurationDefault as ScalrProviderConfigurationDefault } from "../../../providers/scalr/generated/providers/scalr/provider-configuration-default";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { referenceCycles } from "../../support/reference-graph";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function env(json: any): any {
  return Object.values<any>(json.resource.scalr_environment)[0];
}

describe("Environment", () => {
  test("defaults: masked output, overridable backend, no defaults set", () => {
    const stack = newStack();
    const e = new Environment(stack, "Prod", { name: "prod" });
    expect(e.environmentName).toBe("prod");
    const out = env(JSON.parse(Testing.synth(stack)));
    expect(out).toEqual({ name: "prod", mask_sensitive_output: true, remote_backend_overridable: true, tag_ids: [] });
  });

  test("default pool, provider configurations, tags, backend, storage profile and policy groups", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "aws-run" });
    const pc = new ProviderConfiguration(stack, "K8s", { name: "k8s", kubernetes: { host: "https://k8s.example.com" } });
    const tag = new Tag(stack, "Tier", { name: "tier:prod" });
    const group = new PolicyGroup(stack, "Guardrails", { name: "guardrails", vcsProviderId: "vcs-gh123", repository: { identifier: "acme/opa" } });
    const e = new Environment(stack, "Prod", {
      name: "prod",
      defaultAgentPool: pool,
      defaultProviderConfigurations: [pc, "pcfg-ext123"],
      tags: [tag, "tag-ext456"],
      remoteBackend: false,
      remoteBackendOverridable: false,
      storageProfileId: "sp-s3abc",
      policyGroups: [group, "pgrp-ext789"],
      maskSensitiveOutput: false,
    });
    expect(e.defaultAgentPool).toBe(pool);
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrEnvironment, { remote_backend: false, remote_backend_overridable: false, storage_profile_id: "sp-s3abc", mask_sensitive_output: false });
    const json = JSON.parse(out);
    const res = env(json);
    expect(res.default_workspace_agent_pool_id).toMatch(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/);
    expect(res).not.toHaveProperty("default_provider_configurations");
    expect(Object.entries<any>(json.resource.scalr_provider_configuration_default)).toEqual([
      [expect.stringMatching(/^Prod_ProviderConfigurationDefault-k8s_/), { environment_id: expect.stringMatching(/scalr_environment\.Prod_/), provider_configuration_id: expect.stringMatching(/scalr_provider_configuration\.K8s_/) }],
      [expect.stringMatching(/^Prod_ProviderConfigurationDefault-pcfg-ext123_/), { environment_id: expect.stringMatching(/scalr_environment\.Prod_/), provider_configuration_id: "pcfg-ext123" }],
    ]);
    expect(e.providerConfigurationDefaults.map((d) => d.node.id)).toEqual(["ProviderConfigurationDefault-k8s", "ProviderConfigurationDefault-pcfg-ext123"]);
    expect(res.tag_ids).toEqual([expect.stringMatching(/scalr_tag\.Tier_/), "tag-ext456"]);
    const linkages = json.resource.scalr_policy_group_linkage;
    expect(Object.keys(linkages)).toEqual([expect.stringMatching(/^Prod_PolicyGroup-guardrails_/), expect.stringMatching(/^Prod_PolicyGroup-pgrp-ext789_/)]);
    expect(Object.values<any>(linkages)[1]).toEqual({ policy_group_id: "pgrp-ext789", environment_id: expect.stringMatching(/scalr_environment\.Prod_/) });
    expect(Object.values<any>(json.resource.scalr_provider_configuration)[0].environments).toEqual([expect.stringMatching(/scalr_environment\.Prod_/)]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
    expect(referenceCycles(json)).toEqual([]);
  });

  test("a default configuration shared through `environments` makes no reference cycle (the environment does not name it)", () => {
    const stack = newStack();
    const pc = new ProviderConfiguration(stack, "K8s", { name: "k8s", kubernetes: { host: "https://k8s.example.com" } });
    new Environment(stack, "Prod", { name: "prod", defaultProviderConfigurations: [pc] });
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.values<any>(json.resource.scalr_provider_configuration)[0].environments).toEqual([expect.stringMatching(/scalr_environment\.Prod_/)]);
    expect(json).toHaveProperty("resource.scalr_provider_configuration_default");
    expect(referenceCycles(json)).toEqual([]);
  });

  test("reference-graph helper: reports the cycle of an environment naming a configuration shared with it", () => {
    const stack = newStack();
    const env = new ScalrEnvironment(stack, "Env", { name: "prod" });
    const pc = new ScalrProviderConfiguration(stack, "Pc", { name: "k8s", environments: [env.id], custom: { providerName: "kubernetes", argument: [{ name: "host", value: "https://k" }] } });
    env.defaultProviderConfigurations = [pc.id];
    new ScalrProviderConfigurationDefault(stack, "ProdK8s", { environmentId: env.id, providerConfigurationId: pc.id, dependsOn: [pc] });
    expect(referenceCycles(JSON.parse(Testing.synth(stack)))).toEqual([["scalr_environment.Env", "scalr_provider_configuration.Pc"]]);
  });

  test("environment variables become Variable constructs", () => {
    const stack = newStack();
    const e = new Environment(stack, "Prod", { name: "prod", variables: [{ key: "region", value: "eu-west-1", final: true }, { key: "TF_LOG", category: "env", value: "info" }] });
    expect([...e.variables.values()].map((v) => [v.node.id, v.final])).toEqual([
      ["Variable-terraform-region", true],
      ["Variable-env-TF_LOG", false],
    ]);
    expect(checkAgainstScalrSchema(JSON.parse(Testing.synth(stack)))).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["the name is empty", { name: "" }, 'stack/Env: `name` must not be empty, got: ""'],
    ["the default pool is a name", { defaultAgentPool: "aws-run" }, 'stack/Env: `defaultAgentPool` must be an AgentPool or an agent pool ID such as "apool-v0o1example", got: "aws-run"'],
    ["a default provider configuration is a name", { defaultProviderConfigurations: ["aws"] }, 'stack/Env: `defaultProviderConfigurations[0]` must be a provider configuration construct or an ID such as "pcfg-v0o1example", got: "aws"'],
    ["a tag is listed twice", { tags: ["tag-a1", "tag-a1"] }, 'stack/Env: `tags[1]` is listed twice, got: "tag-a1"'],
    ["the storage profile is empty", { storageProfileId: "" }, 'stack/Env: `storageProfileId` must not be empty, got: ""'],
    ["a default provider configuration is listed twice", { defaultProviderConfigurations: ["pcfg-a1", "pcfg-a1"] }, 'stack/Env: `defaultProviderConfigurations[1]` is listed twice, got: "pcfg-a1"'],
    ["a policy group is listed twice", { policyGroups: ["pgrp-a1", "pgrp-a1"] }, 'stack/Env: `policyGroups[1]` is listed twice, got: "pgrp-a1"'],
    ["a variable key is invalid", { variables: [{ key: "a b" }] }, "stack/Env: `variables[0].key` must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit), got: \"a b\""],
    ["a field is misspelt", { defaultAgentPol: "apool-a1" }, 'stack/Env: `defaultAgentPol` is not a known field (did you mean `defaultAgentPool`?), got: "apool-a1"'],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new Environment(newStack(), "Env", { name: "prod", ...props } as EnvironmentProps))).toBe(expected);
  });

  test("fails when two policy groups share a name (their linkages would share an address)", () => {
    const stack = newStack();
    const repo = { vcsProviderId: "vcs-gh123", repository: { identifier: "acme/opa" } };
    const a = new PolicyGroup(stack, "A", { name: "guardrails", ...repo });
    const b = new PolicyGroup(stack, "B", { name: "guardrails", ...repo });
    expect(messageOf(() => new Environment(stack, "Env", { name: "prod", policyGroups: [a, b] }))).toBe('stack/Env: `policyGroups[1]` is listed twice, got: "guardrails"');
  });

  test("fails when two default configurations share a name (their defaults would share an address)", () => {
    const stack = newStack();
    const a = new ProviderConfiguration(stack, "A", { name: "k8s", kubernetes: { host: "https://a.example.com" } });
    const b = new ProviderConfiguration(stack, "B", { name: "k8s", kubernetes: { host: "https://b.example.com" } });
    expect(messageOf(() => new Environment(stack, "Env", { name: "prod", defaultProviderConfigurations: [a, b] }))).toBe('stack/Env: `defaultProviderConfigurations[1]` is listed twice, got: "k8s"');
  });

  test("fails when a default configuration is a Terraform reference (its construct id derives from the ID)", () => {
    const stack = newStack();
    const id = new TerraformVariable(stack, "pcfg", { type: "string" }).stringValue;
    expect(messageOf(() => new Environment(stack, "Env", { name: "prod", defaultProviderConfigurations: [id] }))).toBe(
      "stack/Env: `defaultProviderConfigurations[0]` must be a construct or a literal ID here: the default's construct id derives from it, got: a Terraform reference",
    );
  });

  test("fails when the default pool is a VCS pool", () => {
    const stack = newStack();
    const vcs = new AgentPool(stack, "Vcs", { name: "ghe", kind: "vcs" });
    expect(messageOf(() => new Environment(stack, "Env", { name: "prod", defaultAgentPool: vcs }))).toBe('stack/Env: `defaultAgentPool` must be a run pool: stack/Vcs is a VCS pool, got: "ghe"');
  });
});
