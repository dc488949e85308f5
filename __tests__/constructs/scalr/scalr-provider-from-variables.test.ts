import { TerraformStack, Testing } from "cdktf";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment } from "../../../constructs/scalr/environment";
import { ScalrProviderFromVariables } from "../../../constructs/scalr/scalr-provider-from-variables";
import { Tag } from "../../../constructs/scalr/tag";
import { Variable } from "../../../constructs/scalr/variable";
import { SCALR_ACCOUNT_SCOPED_TYPES } from "../../../constructs/scalr/scalr-provider-from-variables";
import { DataScalrEnvironment } from "../../../providers/scalr/generated/providers/scalr/data-scalr-environment";
import { Tag as ScalrTag } from "../../../providers/scalr/generated/providers/scalr/tag";
import { checkAgainstScalrSchema, scalrSchema } from "../../support/scalr-schema";

const ACCOUNT_ID = "${(length(var.scalr_account_id) < 1) ? null : var.scalr_account_id}";

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), "stack");
}

describe("ScalrProviderFromVariables", () => {
  test("the provider and its three variables, empty meaning the environment variables", () => {
    const stack = newStack();
    const scalr = new ScalrProviderFromVariables(stack, "Scalr");
    expect(scalr.accountId.node.id).toBe("scalr_account_id");
    const json = JSON.parse(Testing.synth(stack));
    expect(json.provider.scalr).toEqual([
      { hostname: "${(length(var.scalr_hostname) < 1) ? null : var.scalr_hostname}", token: "${(length(var.scalr_token) < 1) ? null : var.scalr_token}" },
    ]);
    expect(json.variable.scalr_account_id).toEqual({ type: "string", default: "", description: expect.stringContaining("SCALR_ACCOUNT_ID") });
    expect(json.variable.scalr_token.sensitive).toBe(true);
  });

  test("sets account_id on every account-scoped Scalr block that has none, and only there", () => {
    const stack = newStack();
    new ScalrProviderFromVariables(stack, "Scalr");
    const env = new Environment(stack, "Prod", { name: "prod" });
    new Tag(stack, "Team", { name: "team" });
    new Variable(stack, "Region", { key: "region", value: "eu-west-1" });
    new Variable(stack, "Flag", { key: "flag", value: "on", workspace: "ws-abc123" });
    new AgentPool(stack, "Pool", { name: "run" });
    new ScalrTag(stack, "Other", { name: "other", accountId: "acc-explicit" });
    new DataScalrEnvironment(stack, "Lookup", { name: "legacy" });
    void env;
    const json = JSON.parse(Testing.synth(stack));
    const accountIds = (type: Record<string, any>) => Object.fromEntries(Object.entries<any>(type).map(([k, v]) => [k.replace(/_[0-9A-F]{8}$/, ""), v.account_id]));
    expect(accountIds(json.resource.scalr_environment)).toEqual({ Prod: ACCOUNT_ID });
    expect(accountIds(json.resource.scalr_tag)).toEqual({ Team: ACCOUNT_ID, Other: "acc-explicit" });
    expect(accountIds(json.resource.scalr_variable)).toEqual({ Region: ACCOUNT_ID, Flag: ACCOUNT_ID });
    expect(accountIds(json.data.scalr_environment)).toEqual({ Lookup: ACCOUNT_ID });
    // Deprecated there: the agent pool takes its account from the API token.
    expect(Object.values<any>(json.resource.scalr_agent_pool)[0]).not.toHaveProperty("account_id");
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("another stack's blocks are left alone (the variable is this stack's)", () => {
    const app = Testing.app();
    const withProvider = new TerraformStack(app, "a");
    new ScalrProviderFromVariables(withProvider, "Scalr");
    const other = new TerraformStack(app, "b");
    new Tag(other, "Team", { name: "team" });
    expect(Object.values<any>(JSON.parse(Testing.synth(other)).resource.scalr_tag)[0]).not.toHaveProperty("account_id");
  });

  test("the account-scoped types are exactly those whose account_id the provider schema lets you set (not deprecated)", () => {
    const schema = scalrSchema();
    const settable = (kind: "resource_schemas" | "data_source_schemas", prefix: string) =>
      Object.entries(schema[kind])
        .filter(([, s]) => {
          const a = (s.block.attributes?.account_id ?? undefined) as { optional?: boolean; deprecated?: boolean } | undefined;
          return a?.optional === true && a.deprecated !== true;
        })
        .map(([name]) => `${prefix}${name}`);
    expect([...SCALR_ACCOUNT_SCOPED_TYPES].sort()).toEqual([...settable("resource_schemas", ""), ...settable("data_source_schemas", "data.")].sort());
  });
});
