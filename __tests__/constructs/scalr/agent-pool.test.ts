import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentPool, AgentPoolProps } from "../../../constructs/scalr/agent-pool";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { AgentPool as ScalrAgentPool } from "../../../providers/scalr/generated/providers/scalr/agent-pool";
import { AgentPoolToken as ScalrAgentPoolToken } from "../../../providers/scalr/generated/providers/scalr/agent-pool-token";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

function synth(props: AgentPoolProps, id = "Pool"): { json: Record<string, any>; pool: AgentPool } {
  const stack = newStack();
  const pool = new AgentPool(stack, id, props);
  return { json: JSON.parse(Testing.synth(stack)), pool };
}

/** What a reference renders to in the synthesized configuration. */
function rendered(stack: TerraformStack, value: string): string {
  const id = `probe${stack.node.children.length}`;
  new TerraformOutput(stack, id, { value, sensitive: true });
  return JSON.parse(Testing.synth(stack)).output[id].value;
}


describe("AgentPool", () => {
  test("defaults: a run pool shared with every environment, with one token", () => {
    const stack = newStack();
    new AgentPool(stack, "Pool", { name: "aws-run" });
    const out = Testing.synth(stack);
    expect(out).toHaveResourceWithProperties(ScalrAgentPool, { name: "aws-run", vcs_enabled: false, environments: ["*"] });
    expect(out).toHaveResourceWithProperties(ScalrAgentPoolToken, { description: "default" });
    const json = JSON.parse(out);
    expect(Object.keys(json.resource.scalr_agent_pool_token)).toHaveLength(1);
    const pool = Object.values<any>(json.resource.scalr_agent_pool)[0];
    expect(pool).not.toHaveProperty("api_gateway_url");
    expect(pool).not.toHaveProperty("header");
  });

  test("a VCS pool shared with listed environments", () => {
    const stack = newStack();
    new AgentPool(stack, "Vcs", { name: "github", kind: "vcs", environments: ["env-aaa111", "env-bbb222"] });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ScalrAgentPool, {
      name: "github",
      vcs_enabled: true,
      environments: ["env-aaa111", "env-bbb222"],
    });
  });

  test("environments may be references to environments created in the same stack", () => {
    const stack = newStack();
    const env = new TerraformVariable(stack, "env", { type: "string" });
    new AgentPool(stack, "Pool", { name: "p", environments: [env.stringValue] });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ScalrAgentPool, { environments: ["${var.env}"] });
  });

  test("the kind is guarded: a change replaces the pool instead of failing at apply", () => {
    const { json } = synth({ name: "p", kind: "vcs" });
    const [guardName, guard] = Object.entries<any>(json.resource.terraform_data)[0] ?? [];
    expect(guard.input).toEqual({ kind: "vcs" });
    const pool = Object.values<any>(json.resource.scalr_agent_pool)[0];
    // A bare address: Terraform rejects a template there (hashicorp/terraform-cdk#3196).
    expect(pool.lifecycle.replace_triggered_by).toEqual([`terraform_data.${guardName}`]);
  });

  test("a serverless webhook with a sensitive API key header given as a reference", () => {
    const stack = newStack();
    const apiKey = new TerraformVariable(stack, "api_key", { type: "string", sensitive: true }).stringValue;
    new AgentPool(stack, "Pool", {
      name: "serverless",
      webhook: {
        url: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/trigger",
        headers: [
          { name: "x-api-key", value: apiKey },
          { name: "Content-Type", value: "application/json", sensitive: false },
        ],
      },
    });
    const json = JSON.parse(Testing.synth(stack));
    const pool = Object.values<any>(json.resource.scalr_agent_pool)[0];
    expect(pool.api_gateway_url).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod/trigger");
    expect(pool.header).toEqual([
      { name: "x-api-key", value: "${sensitive(var.api_key)}", sensitive: true },
      { name: "Content-Type", value: "application/json", sensitive: false },
    ]);
  });

  test("one token per name, each exposed as a sensitive reference and a token source", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p", tokens: ["fleet-a", "fleet-b"] });
    expect(pool.tokenNames).toEqual(["fleet-a", "fleet-b"]);
    expect(pool.tokenResources.map((t) => t.node.id)).toEqual(["Token-fleet-a", "Token-fleet-b"]);
    expect(rendered(stack, pool.tokenValue())).toMatch(/^\$\{scalr_agent_pool_token\.Pool_Token-fleet-a_[0-9A-F]+\.token\}$/);
    expect(rendered(stack, pool.tokenValue("fleet-b"))).toMatch(/Token-fleet-b_[0-9A-F]+\.token/);
    const source = pool.tokenSource("fleet-b");
    expect(source).toBeInstanceOf(AgentTokenSource);
    expect(rendered(stack, source.value ?? "")).toMatch(/Token-fleet-b_[0-9A-F]+\.token/);
    expect(pool.kind).toBe("run");
    expect(pool.poolName).toBe("p");
    expect(rendered(stack, pool.poolId)).toMatch(/^\$\{scalr_agent_pool\.Pool_[0-9A-F]+\.id\}$/);
  });

  test("construct ids are stable: adding a token keeps the others' addresses", () => {
    const one = synth({ name: "p", tokens: ["a"] }).json;
    const two = synth({ name: "p", tokens: ["b", "a"] }).json;
    const a1 = Object.keys(one.resource.scalr_agent_pool_token);
    const a2 = Object.keys(two.resource.scalr_agent_pool_token);
    expect(a2).toEqual(expect.arrayContaining(a1));
  });

  test("synthesizes only attributes the provider schema defines", () => {
    const stack = newStack();
    const apiKey = new TerraformVariable(stack, "api_key", { type: "string", sensitive: true }).stringValue;
    new AgentPool(stack, "Pool", {
      name: "p",
      environments: ["env-aaa111"],
      webhook: { url: "https://h.example/trigger", headers: [{ name: "x-api-key", value: apiKey }] },
      tokens: ["a", "b"],
    });
    expect(checkAgainstScalrSchema(JSON.parse(Testing.synth(stack)))).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    ["the name is empty", { name: "" }, 'stack/Pool: `name` must not be empty, got: ""'],
    ["the name is missing", {}, "stack/Pool: `name` is required, got: nothing"],
    ["the name has outer whitespace", { name: " p" }, 'stack/Pool: `name` must not start or end with whitespace, got: " p"'],
    ["the kind is unknown", { name: "p", kind: "gpu" }, 'stack/Pool: `kind` must be one of "run", "vcs", got: "gpu"'],
    ["environments is empty", { name: "p", environments: [] }, 'stack/Pool: `environments` must list at least one environment ID, or be "all", got: an array of 0'],
    [
      "environments mixes '*' in",
      { name: "p", environments: ["*"] },
      'stack/Pool: `environments[0]` must be an environment ID such as "env-v0o1example" (use `"all"` to share with every environment), got: "*"',
    ],
    ["an environment is listed twice", { name: "p", environments: ["env-a1", "env-a1"] }, 'stack/Pool: `environments[1]` is listed twice, got: "env-a1"'],
    ["environments is another word", { name: "p", environments: "everyone" }, 'stack/Pool: `environments` must be "all" or a list of environment IDs, got: "everyone"'],
    ["the webhook URL is http", { name: "p", webhook: { url: "http://h.example/trigger" } }, 'stack/Pool: `webhook.url` must be an https URL, got: "http://h.example/trigger"'],
    [
      "a header value is empty",
      { name: "p", webhook: { url: "https://h.example", headers: [{ name: "x-api-key", value: "" }] } },
      "stack/Pool: `webhook.headers[0].value` must not be empty, got: a plain string of 0 characters (value hidden)",
    ],
    [
      "a header name is invalid",
      { name: "p", webhook: { url: "https://h.example", headers: [{ name: "x api key", value: "v" }] } },
      "stack/Pool: `webhook.headers[0].name` must be an HTTP header name (letters, digits, '-', …), got: \"x api key\"",
    ],
    [
      "a sensitive header value is a literal",
      { name: "p", webhook: { url: "https://h.example", headers: [{ name: "Accept", value: "application/json", sensitive: false }, { name: "x-api-key", value: "key-value-123" }] } },
      "stack/Pool: `webhook.headers[1].value` must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration, got: a plain string of 13 characters (value hidden)",
    ],
    [
      "a header is set twice",
      { name: "p", webhook: { url: "https://h.example", headers: [{ name: "X-Key", value: "a", sensitive: false }, { name: "x-key", value: "b", sensitive: false }] } },
      'stack/Pool: `webhook.headers[1]` is listed twice, got: "x-key"',
    ],
    ["a VCS pool has a webhook", { name: "p", kind: "vcs", webhook: { url: "https://h.example" } }, 'stack/Pool: `webhook` applies only to run pools (kind "run"): Scalr starts serverless agents for run tasks, got: "https://h.example"'],
    ["no tokens are named", { name: "p", tokens: [] }, "stack/Pool: `tokens` must name at least one token, got: an array of 0"],
    ["a token name is invalid", { name: "p", tokens: ["Fleet A"] }, "stack/Pool: `tokens[0]` must be 1–63 lowercase letters, digits or '-', starting and ending with a letter or digit, got: \"Fleet A\""],
    ["a token is named twice", { name: "p", tokens: ["a", "a"] }, 'stack/Pool: `tokens[1]` is listed twice, got: "a"'],
    ["a field is misspelt", { name: "p", enviroments: "all" }, 'stack/Pool: `enviroments` is not a known field (did you mean `environments`?), got: "all"'],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new AgentPool(newStack(), "Pool", props as AgentPoolProps))).toBe(expected);
  });

  test("fails when the kind is a Terraform reference: it cannot change after creation", () => {
    const stack = newStack();
    const kind = new TerraformVariable(stack, "kind", { type: "string" }).stringValue;
    expect(messageOf(() => new AgentPool(stack, "Pool", { name: "p", kind: kind as "run" }))).toBe(
      'stack/Pool: `kind` must be a literal "run" or "vcs": it cannot change after the pool is created, got: a Terraform reference',
    );
  });

  test("fails when asked for a token it does not have", () => {
    const pool = new AgentPool(newStack(), "Pool", { name: "p", tokens: ["a", "b"] });
    expect(messageOf(() => pool.tokenValue("c"))).toBe('stack/Pool: `tokens` has no token named "c"; tokens are: a, b, got: "c"');
  });

  test("names the full construct path in errors", () => {
    const app = new App();
    const stack = new TerraformStack(app, "platform");
    expect(messageOf(() => new AgentPool(stack, "RunPool", { name: "" }))).toBe('platform/RunPool: `name` must not be empty, got: ""');
  });
});

describe("AgentPool tokens in outputs", () => {
  test("fails synth when a token goes into an output that is not sensitive", () => {
    const stack = newStack();
    const pool = new AgentPool(stack, "Pool", { name: "p" });
    new TerraformOutput(stack, "leak", { value: pool.tokenValue() });
    expect(messageOf(() => Testing.synth(stack))).toMatch(
      /^stack\/leak: `value` must not show the secret scalr_agent_pool_token\.Pool_Token-default_[0-9A-F]+\.token in an output that is not sensitive: set `sensitive: true` on the output, got: a value that holds a secret \(hidden\)$/,
    );
  });
});

describe("AgentPool on a synth machine without Terraform", () => {
  // The Terraform that plans a stack is its workspace's (in Scalr, or in CI), not the synth
  // machine's: a Node.js-only job synthesizes the pool's terraform_data blocks without running
  // `terraform version` (cdktf's DataResource would, and fail the synth where it is not installed).
  test("app.synth() succeeds with no terraform on PATH, and the guard and creation records are synthesized", () => {
    const root = path.resolve(__dirname, "..", "..", "..");
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "pool-no-terraform-"));
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), "empty-path-"));
    const script = `
      require(${JSON.stringify(path.join(root, "bin", "register-ts.js"))});
      const { App, TerraformStack } = require("cdktf");
      const { AgentPool } = require(${JSON.stringify(path.join(root, "constructs", "scalr", "agent-pool.ts"))});
      const { ScalrProviderFromVariables } = require(${JSON.stringify(path.join(root, "constructs", "scalr", "scalr-provider-from-variables.ts"))});
      const app = new App({ outdir: ${JSON.stringify(outdir)} });
      const stack = new TerraformStack(app, "pool");
      new ScalrProviderFromVariables(stack, "Scalr");
      new AgentPool(stack, "Pool", { name: "run", tokenMaxAgeDays: 90 });
      app.synth();
    `;
    try {
      const r = spawnSync(process.execPath, ["-e", script], { cwd: root, env: { PATH: emptyPath, HOME: os.tmpdir() }, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "pool", "cdk.tf.json"), "utf8"));
      expect(Object.keys(json.resource.terraform_data).sort()).toEqual([expect.stringMatching(/^Pool_KindGuard_/), expect.stringMatching(/^Pool_TokenCreated-default_/)]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
      fs.rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
