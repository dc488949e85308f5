import { TerraformStack, Testing } from "cdktf";
import { VendingMachine, VendingMachineSpec, readSpecText } from "../../../index";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

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
