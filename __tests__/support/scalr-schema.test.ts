import { checkAgainstScalrSchema } from "./scalr-schema";

describe("checkAgainstScalrSchema", () => {
  test("accepts a valid pool, token and provider", () => {
    expect(
      checkAgainstScalrSchema({
        provider: { scalr: [{ hostname: "x.scalr.io", alias: "a" }] },
        resource: {
          scalr_agent_pool: { p: { name: "p", environments: ["*"], header: [{ name: "n", value: "v" }], lifecycle: {} } },
          scalr_agent_pool_token: { t: { agent_pool_id: "${scalr_agent_pool.p.id}" } },
          aws_instance: { ignored: { anything: 1 } },
        },
      }),
    ).toEqual([]);
  });

  test("reports unknown, missing, read-only and mistyped attributes, unknown types and bad blocks", () => {
    expect(
      checkAgainstScalrSchema({
        provider: { scalr: [{ hostname: 1 }] },
        resource: {
          scalr_agent_pool: { p: { nmae: "p", vcs_enabled: "yes", header: [{ name: "n" }] } },
          scalr_agent_pool_token: { t: { agent_pool_id: "x", token: "secret" } },
          scalr_nope: { n: {} },
        },
        data: { scalr_environment: { e: { name: ["x"] } } },
      }),
    ).toEqual([
      "provider.scalr[0].hostname: 1 does not match type \"string\"",
      "resource.scalr_agent_pool.p.nmae: not an attribute or block of the schema",
      'resource.scalr_agent_pool.p.vcs_enabled: "yes" does not match type "bool"',
      "resource.scalr_agent_pool.p.header[0].value: required attribute is missing",
      "resource.scalr_agent_pool.p.name: required attribute is missing",
      "resource.scalr_agent_pool_token.t.token: read-only attribute is set",
      "resource.scalr_nope: not in the provider schema",
      'data.scalr_environment.e.name: ["x"] does not match type "string"',
    ]);
  });
});
