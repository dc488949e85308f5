import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { KitChecks } from "../../../constructs/checks";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { ScalrBackendProps, scalrBackend, scalrBackendOf } from "../../../constructs/scalr/scalr-backend";
import { ScalrProviderFromVariables } from "../../../constructs/scalr/scalr-provider-from-variables";
import { messageOf } from "../../support/errors";

const HOST = "example.scalr.io";

describe("scalrBackend", () => {
  test("the remote backend as Scalr documents it: the host, the environment as organization, one named workspace per stack", () => {
    const stack = new TerraformStack(Testing.app(), "network");
    scalrBackend(stack, { hostname: HOST, environment: "platform" });
    new TerraformOutput(stack, "x", { value: "y" });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.terraform.backend).toEqual({ remote: { hostname: HOST, organization: "platform", workspaces: { name: "network" } } });
    expect(JSON.stringify(json)).not.toMatch(/"token"/);
  });

  test("scalrBackendOf tells what scalrBackend configured for a stack, and nothing for another stack", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "network");
    scalrBackend(stack, { hostname: HOST, environment: "platform" });
    expect(scalrBackendOf(stack)).toEqual({ hostname: HOST, environment: "platform", workspace: "network" });
    expect(scalrBackendOf(new TerraformStack(app, "other"))).toBeUndefined();
  });

  test("a workspace of its own name, and an environment by ID (which may have a space in its name)", () => {
    const stack = new TerraformStack(Testing.app(), "network");
    scalrBackend(stack, { hostname: HOST, environment: "env-v0o1example", workspace: "platform-network" });
    expect(JSON.parse(Testing.synth(stack)).terraform.backend.remote).toEqual({ hostname: HOST, organization: "env-v0o1example", workspaces: { name: "platform-network" } });
  });

  test("cross-stack references read the producing stack's workspace in Scalr through terraform_remote_state", () => {
    const app = Testing.app();
    const producer = new TerraformStack(app, "pools");
    new ScalrProviderFromVariables(producer, "Scalr");
    scalrBackend(producer, { hostname: HOST, environment: "platform" });
    const pool = new AgentPool(producer, "Pool", { name: "run" });
    const consumer = new TerraformStack(app, "consumer");
    scalrBackend(consumer, { hostname: HOST, environment: "platform" });
    new TerraformOutput(consumer, "pool_id", { value: pool.poolId });
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "consumer", "cdk.tf.json"), "utf8"));
    const states = Object.values<any>(json.data.terraform_remote_state);
    expect(states).toEqual([{ backend: "remote", config: { hostname: HOST, organization: "platform", workspaces: { name: "pools" } } }]);
  });

  test("KitChecks passes on a stack with its state in Scalr", () => {
    const stack = new TerraformStack(new App({ stackTraces: false }), "pools");
    new ScalrProviderFromVariables(stack, "Scalr");
    scalrBackend(stack, { hostname: HOST, environment: "platform" });
    new AgentPool(stack, "Pool", { name: "run" });
    const checks = KitChecks.of(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(checks.report().violations).toEqual([]);
  });

  describe("bad input names the stack and the field", () => {
    const attempt = (props: Record<string, unknown>, id = "network") => messageOf(() => scalrBackend(new TerraformStack(Testing.app(), id), { hostname: HOST, environment: "platform", ...props } as ScalrBackendProps));

    test.each<[string, Record<string, unknown>, RegExp]>([
      ["a URL as the host", { hostname: "https://example.scalr.io" }, /^network: `hostname` must be the Scalr account's host name, such as example\.scalr\.io \(no scheme, no path\), got: "https:\/\/example\.scalr\.io"$/],
      ["an environment name with a space", { environment: "Platform Team" }, /^network: `environment` has a space: Scalr needs the environment's ID \(env-…\) as the organization then/],
      ["an empty environment", { environment: "" }, /^network: `environment` must not be empty/],
      ["a workspace name Scalr refuses", { workspace: " spaced " }, /^network: `workspace` /],
      ["a token in the configuration", { token: "tok-literal-value" }, /^network: `token` is not a known field/],
    ])("%s", (_name, props, message) => {
      expect(attempt(props)).toMatch(message);
    });

    test("an environment known only at apply time", () => {
      const stack = new TerraformStack(Testing.app(), "network");
      const env = new TerraformVariable(stack, "env", { type: "string" });
      expect(messageOf(() => scalrBackend(stack, { hostname: HOST, environment: env.stringValue }))).toMatch(/^network: `environment` must be known at synth time/);
    });

    test("a literal token never appears in the message", () => {
      expect(attempt({ token: "tok-literal-value" })).not.toContain("tok-literal-value");
    });
  });
});
