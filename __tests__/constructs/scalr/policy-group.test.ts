import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Environment } from "../../../constructs/scalr/environment";
import { PolicyGroup, PolicyGroupProps } from "../../../constructs/scalr/policy-group";
import { PolicyGroup as ScalrPolicyGroup } from "../../../providers/scalr/generated/providers/scalr/policy-group";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

const base = { name: "guardrails", vcsProviderId: "vcs-gh123", repository: { identifier: "acme/opa-policies" } };

describe("PolicyGroup", () => {
  test("defaults: the repository's default branch and root, linked nowhere, no environments attribute", () => {
    const stack = newStack();
    const g = new PolicyGroup(stack, "Group", base);
    expect(g.groupName).toBe("guardrails");
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.values<any>(json.resource.scalr_policy_group)[0]).toEqual({ name: "guardrails", vcs_provider_id: "vcs-gh123", vcs_repo: { identifier: "acme/opa-policies" } });
    expect(json.resource.scalr_policy_group_linkage).toBeUndefined();
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("branch, path, OPA version, common functions, and linkages owned by the group", () => {
    const stack = newStack();
    const prod = new Environment(stack, "Prod", { name: "prod" });
    new PolicyGroup(stack, "Group", {
      ...base,
      repository: { identifier: "acme/opa-policies", branch: "release", path: "policies/aws" },
      opaVersion: "0.68.0",
      commonFunctionsFolder: "/lib",
      environments: [prod, "env-ext123"],
    });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrPolicyGroup, { opa_version: "0.68.0", common_functions_folder: "/lib", vcs_repo: { identifier: "acme/opa-policies", branch: "release", path: "policies/aws" } });
    const json = JSON.parse(out);
    expect(Object.keys(json.resource.scalr_policy_group_linkage)).toEqual([expect.stringMatching(/^Group_Linkage-env-ext123_/), expect.stringMatching(/^Group_Linkage-prod_/)]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("linkage ids derive from names: adding an environment keeps the others' addresses", () => {
    const ids = (names: string[]) => {
      const stack = newStack();
      const envs = names.map((n) => new Environment(stack, n, { name: n }));
      new PolicyGroup(stack, "Group", { ...base, environments: envs });
      return Object.keys(JSON.parse(Testing.synth(stack)).resource.scalr_policy_group_linkage);
    };
    expect(ids(["b", "a", "c"])).toEqual(expect.arrayContaining(ids(["a", "c"])));
  });

  test("fails when an environment is a Terraform reference: the linkage's id derives from it", () => {
    const stack = newStack();
    const env = new TerraformVariable(stack, "env", { type: "string" }).stringValue;
    expect(messageOf(() => new PolicyGroup(stack, "Group", { ...base, environments: [env] }))).toBe(
      "stack/Group: `environments[0]` must be a construct or a literal ID here: the linkage's construct id derives from it, got: a Terraform reference",
    );
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["the VCS provider is a name", { vcsProviderId: "github" }, 'stack/Group: `vcsProviderId` must be a VCS provider ID such as "vcs-v0o1example", got: "github"'],
    ["the repository is not org/repo", { repository: { identifier: "opa" } }, 'stack/Group: `repository.identifier` must be a repository as "org/repo", got: "opa"'],
    ["the OPA version is a range", { opaVersion: "0.x" }, 'stack/Group: `opaVersion` must be a version such as "0.68.0", got: "0.x"'],
    ["common functions are relative", { commonFunctionsFolder: "lib" }, 'stack/Group: `commonFunctionsFolder` must be an absolute path from the repository root, such as "/common", got: "lib"'],
    ["an environment is listed twice", { environments: ["env-a1", "env-a1"] }, 'stack/Group: `environments[1]` is listed twice, got: "env-a1"'],
    ["an environment is a name", { environments: ["prod"] }, 'stack/Group: `environments[0]` must be an environment construct or an ID such as "env-v0o1example", got: "prod"'],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new PolicyGroup(newStack(), "Group", { ...base, ...props } as PolicyGroupProps))).toBe(expected);
  });
});
