import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { VendingMachine } from "../../vending-machine/vending-machine";
import { readSpecText } from "../../vending-machine/spec-source";
import { VendingMachineSpec } from "../../vending-machine/spec-types";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";
import { referenceCycles } from "../support/reference-graph";
import { checkAgainstScalrSchema } from "../support/scalr-schema";
import { messageOf } from "../support/errors";

const SPEC: VendingMachineSpec = {
  vcsProviders: [{ name: "github", id: "vcs-gh123" }],
  agentPools: [{ name: "aws-run" }, { name: "vcs", kind: "vcs" }],
  tags: ["team:a"],
  providerConfigurations: [
    { name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } },
    { name: "gcp", environments: ["dev"], google: { serviceAccountEmail: "sa@p.iam.gserviceaccount.com", workloadProviderName: "projects/1/locations/global/workloadIdentityPools/p/providers/scalr" } },
  ],
  policyGroups: [{ name: "guardrails", vcsProvider: "github", repository: { identifier: "acme/opa" } }],
  variables: [{ key: "region", value: "eu-west-1", final: true }, { key: "log_level", value: "info", category: "env" }],
  environments: [
    { name: "dev", defaultAgentPool: "aws-run", tags: ["team:a"] },
    {
      name: "prod",
      defaultAgentPool: "aws-run",
      defaultProviderConfigurations: ["aws"],
      policyGroups: ["guardrails"],
      variables: [{ key: "tier", value: "prod" }],
      workspaces: [
        { name: "net", vcs: { provider: "github", repository: "acme/infra", branch: "main" }, agentPool: "aws-run", variables: [{ key: "log_level", value: "warn", category: "env" }] },
        { name: "db", providerConfigurations: [{ configuration: "aws", alias: "replica" }], variables: [{ key: "password", sensitive: true, valueFromTerraformVariable: "db_password" }] },
      ],
    },
  ],
};

function synth(spec: VendingMachineSpec) {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  const vm = new VendingMachine(stack, "VendingMachine", { spec });
  return { vm, json: JSON.parse(Testing.synth(stack)) };
}

/** resource type → names, for address comparisons. */
function addresses(json: any): string[] {
  return Object.entries<any>(json.resource).flatMap(([type, r]) => Object.keys(r).map((n) => `${type}.${n}`)).sort();
}

describe("VendingMachine", () => {
  test("builds every object of the spec, by name, valid against the provider schema", () => {
    const { vm, json } = synth(SPEC);
    expect([...vm.agentPools.keys()]).toEqual(["aws-run", "vcs"]);
    expect([...vm.environments.keys()]).toEqual(["dev", "prod"]);
    expect([...vm.workspaces.keys()]).toEqual(["prod/net", "prod/db"]);
    expect(vm.needsAwsProvider).toBe(true);
    const all = Object.values<any>(json.resource.scalr_workspace);
    const ws = ["net", "db"].map((n) => all.find((w) => w.name === n));
    expect(all).toHaveLength(2);
    expect(ws[0]).toMatchObject({ vcs_provider_id: "vcs-gh123", vcs_repo: [{ identifier: "acme/infra", branch: "main" }], agent_pool_id: expect.stringMatching(/^\$\{scalr_agent_pool\.VendingMachine_Pool-aws-run_[0-9A-F]+\.id\}$/) });
    expect(ws[1].provider_configuration).toEqual([{ id: expect.stringMatching(/scalr_provider_configuration\.VendingMachine_ProviderConfiguration-aws_/), alias: "replica" }]);
    const vars = Object.values<any>(json.resource.scalr_variable);
    expect(vars.map((v) => `${v.key}:${v.final}`).sort()).toEqual(["log_level:false", "log_level:false", "password:false", "region:true", "tier:false"]);
    expect(vars.find((v) => v.key === "password")).toMatchObject({ sensitive: true, value: "${var.db_password}" });
    expect(json.variable.db_password).toMatchObject({ sensitive: true, type: "string" });
    expect(Object.keys(json.resource.scalr_policy_group_linkage)).toEqual([expect.stringMatching(/^VendingMachine_Environment-prod_PolicyGroup-guardrails_/)]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
    expect(referenceCycles(json)).toEqual([]);
  });

  test("an environment's default configuration is a scalr_provider_configuration_default, not a reference cycle", () => {
    const { vm, json } = synth(SPEC);
    const prod = vm.environments.get("prod")!;
    expect(prod.providerConfigurationDefaults.map((d) => d.node.path)).toEqual(["stack/VendingMachine/Environment-prod/ProviderConfigurationDefault-aws"]);
    expect(Object.values<any>(json.resource.scalr_environment).every((e) => e.default_provider_configurations === undefined)).toBe(true);
    expect(Object.values<any>(json.resource.scalr_provider_configuration_default)).toEqual([
      { environment_id: expect.stringMatching(/scalr_environment\.VendingMachine_Environment-prod_/), provider_configuration_id: expect.stringMatching(/scalr_provider_configuration\.VendingMachine_ProviderConfiguration-aws_/) },
    ]);
    expect(referenceCycles(json)).toEqual([]);
  });

  test("an OIDC role trusts only the environments its configuration is shared with, unless the spec says otherwise", () => {
    const subjects = (json: any, role: string) => JSON.parse(Object.values<any>(json.resource.aws_iam_role).find((r) => r.name === role).assume_role_policy).Statement[0].Condition.StringLike["scalr.io:sub"];
    const { json } = synth({
      providerConfigurations: [
        { name: "used", environments: ["staging"], aws: { auth: "oidc", scalrAccountName: "acme" } },
        { name: "everywhere", environments: "all", aws: { auth: "oidc", scalrAccountName: "acme" } },
        { name: "unused", aws: { auth: "oidc", scalrAccountName: "acme" } },
        { name: "explicit", aws: { auth: "oidc", scalrAccountName: "acme", allowedSubjects: [{ environment: "dev", workspace: "net-*" }] } },
      ],
      environments: [
        { name: "dev", defaultProviderConfigurations: ["explicit"] },
        { name: "staging" },
        { name: "prod", defaultProviderConfigurations: ["used"], workspaces: [{ name: "w", providerConfigurations: ["explicit"] }] },
      ],
    });
    expect(subjects(json, "scalr-used")).toEqual(["account:acme:environment:staging:workspace:*", "account:acme:environment:prod:workspace:*"]);
    expect(subjects(json, "scalr-everywhere")).toEqual(["account:acme:environment:*:workspace:*"]);
    expect(subjects(json, "scalr-unused")).toEqual(["account:acme:environment:*:workspace:*"]);
    expect(subjects(json, "scalr-explicit")).toEqual(["account:acme:environment:dev:workspace:net-*"]);
    expect(Object.keys(json.resource.aws_iam_openid_connect_provider)).toEqual(["ScalrOidcProvider"]);
  });

  test("names differing only by '/' and '_' get different construct ids; plain names keep theirs", () => {
    const { vm, json } = synth({ agentPools: [{ name: "a/b" }, { name: "a_b" }, { name: "run-1.x" }], tags: ["x/y", "x_y", "50%"], environments: [{ name: "e/1" }, { name: "e_1" }] });
    expect([...vm.agentPools.values()].map((p) => p.node.id)).toEqual(["Pool-a%2Fb", "Pool-a_b", "Pool-run-1.x"]);
    expect([...vm.tags.values()].map((t) => t.node.id)).toEqual(["Tag-x%2Fy", "Tag-x_y", "Tag-50%25"]);
    expect([...vm.environments.values()].map((e) => e.node.id)).toEqual(["Environment-e%2F1", "Environment-e_1"]);
    expect(Object.keys(json.resource.scalr_agent_pool)).toHaveLength(3);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("a secret's Terraform variable already declared sensitive in the stack is reused", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new ScalrProvider(stack, "scalr", {});
    new TerraformVariable(stack, "db_password", { type: "string", sensitive: true, description: "mine" });
    new VendingMachine(stack, "VendingMachine", { spec: { variables: [{ key: "pw", sensitive: true, valueFromTerraformVariable: "db_password" }] } });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.variable.db_password).toEqual({ type: "string", sensitive: true, description: "mine" });
    expect(Object.values<any>(json.resource.scalr_variable)[0].value).toBe("${var.db_password}");
  });

  test("fails when a secret's Terraform variable already exists and is not sensitive", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new TerraformVariable(stack, "region", { type: "string" });
    const text = ["environments:", "  - name: prod", "    workspaces:", "      - name: w", "        variables:", "          - key: pw", "            sensitive: true", "            valueFromTerraformVariable: region"].join("\n");
    expect(messageOf(() => new VendingMachine(stack, "VendingMachine", { spec: readSpecText(text, "spec.yaml") }))).toBe(
      'spec.yaml:8: environments[0].workspaces[0].variables[0].valueFromTerraformVariable: names the Terraform variable stack/region, which is not sensitive: a secret\'s value must come from a sensitive variable, got: "region"',
    );
  });

  test("fails when a secret's Terraform variable would take the id of another construct of the stack", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    new ScalrProvider(stack, "scalr", {});
    expect(messageOf(() => new VendingMachine(stack, "VendingMachine", { spec: { variables: [{ key: "pw", sensitive: true, valueFromTerraformVariable: "scalr" }] } }))).toBe(
      'variables[0].valueFromTerraformVariable: names stack/scalr, which is not a Terraform variable: pick another name, got: "scalr"',
    );
  });

  test("fails with a validation error, not a TypeError, when props are missing", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    expect(messageOf(() => new VendingMachine(stack, "VendingMachine", undefined as never))).toBe("stack/VendingMachine: must be an object, got: nothing");
    expect(messageOf(() => new VendingMachine(stack, "Vm2", {} as never))).toBe(
      "stack/Vm2: `spec` must be a spec object, the result of `readSpecText`, or a `ValidatedSpec`, got: nothing",
    );
  });

  test("provider configurations are shared with the environments that use them and those listed", () => {
    const { json } = synth(SPEC);
    const configs = Object.values<any>(json.resource.scalr_provider_configuration);
    expect(configs.find((c) => c.name === "aws").environments).toEqual([expect.stringMatching(/scalr_environment\.VendingMachine_Environment-prod_/)]);
    expect(configs.find((c) => c.name === "gcp").environments).toEqual([expect.stringMatching(/scalr_environment\.VendingMachine_Environment-dev_/)]);
  });

  test("adding or removing an entry never changes another entry's address", () => {
    const base = addresses(synth(SPEC).json);
    const prod = SPEC.environments![1]!;
    const more: VendingMachineSpec = {
      ...SPEC,
      agentPools: [{ name: "a-first" }, ...SPEC.agentPools!],
      environments: [{ name: "aaa" }, SPEC.environments![0]!, { ...prod, workspaces: [{ name: "new" }, ...prod.workspaces!] }],
    };
    const grown = addresses(synth(more).json);
    expect(grown.filter((a) => !base.includes(a)).length).toBeGreaterThan(0);
    expect(base.filter((a) => !grown.includes(a))).toEqual([]);
    const fewer: VendingMachineSpec = { ...SPEC, environments: [SPEC.environments![0]!, { ...prod, workspaces: prod.workspaces!.slice(1) }] };
    const shrunk = addresses(synth(fewer).json);
    expect(shrunk.filter((a) => !base.includes(a))).toEqual([]);
    expect(base.filter((a) => !shrunk.includes(a)).every((a) => /Workspace-net/.test(a))).toBe(true);
  });

  test("a construct's own rule is reported at the spec path and line", () => {
    const text = ["environments:", "  - name: prod", "    workspaces:", "      - name: a", "        hooks:", "          prePlan: ''"].join("\n");
    const stack = new TerraformStack(Testing.app(), "stack");
    expect(messageOf(() => new VendingMachine(stack, "VendingMachine", { spec: readSpecText(text, "spec.yaml") }))).toBe(
      'spec.yaml:6: environments[0].workspaces[0].hooks.prePlan: must not be empty, got: ""',
    );
  });

  test("fails when a sensitive value would be written into the configuration", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    expect(messageOf(() => new VendingMachine(stack, "VendingMachine", { spec: { variables: [{ key: "pw", value: "hunter22", sensitive: true }] } }))).toBe(
      "variables[0].value: must not be a literal when `sensitive` is true: set `valueFromTerraformVariable` and pass the secret as that Terraform variable",
    );
  });
});
