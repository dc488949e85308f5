import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { App } from "cdktf";
import { parse as parseYaml } from "yaml";
import { buildExamplesApp } from "../../examples/app";
import { referenceCycles } from "../support/reference-graph";
import { checkAgainstScalrSchema, countScalrBlocks } from "../support/scalr-schema";
import { expectGolden } from "../support/golden";
import { chartSchemaErrors } from "../support/helm-charts";
import { decodeTerraformJson } from "../support/terraform-json";
import { AgentHelmChart } from "../../agent/k8s";

/** Synthesizes the examples app the way `cdktf synth` does, into a temporary folder. */
function synthExamples(): { outdir: string; stacks: Record<string, string> } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-examples-"));
  buildExamplesApp(new App({ outdir })).synth();
  const stacksDir = path.join(outdir, "stacks");
  const stacks: Record<string, string> = {};
  for (const name of fs.readdirSync(stacksDir).sort()) {
    stacks[name] = fs.readFileSync(path.join(stacksDir, name, "cdk.tf.json"), "utf8");
  }
  return { outdir, stacks };
}

const { outdir, stacks } = synthExamples();
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe("examples app", () => {
  test("synthesizes the agent-pool stack with pools, tokens and the Scalr provider", () => {
    const json = JSON.parse(stacks["agent-pool"] ?? "{}");
    expect(Object.keys(json.resource.scalr_agent_pool)).toHaveLength(2);
    expect(Object.keys(json.resource.scalr_agent_pool_token)).toHaveLength(3);
    expect(json.terraform.required_providers.scalr).toEqual({ source: "registry.scalr.io/scalr/scalr", version: "3.19.0" });
    const vcs = Object.values<any>(json.resource.scalr_agent_pool).filter((p) => p.vcs_enabled);
    expect(vcs).toHaveLength(1);
  });

  test("every token output is sensitive", () => {
    const json = JSON.parse(stacks["agent-pool"] ?? "{}");
    const tokenOutputs = Object.entries<any>(json.output).filter(([, o]) => /\.token\}$/.test(o.value));
    expect(tokenOutputs.length).toBe(3);
    for (const [, o] of tokenOutputs) expect(o.sensitive).toBe(true);
  });

  test("k8s-agent: every release names Scalr's repository and a pinned chart; its values validate and hold no token", () => {
    const json = JSON.parse(stacks["k8s-agent"] ?? "{}");
    const releases = Object.values<any>(json.resource.helm_release);
    expect(releases.map((r) => r.chart).sort()).toEqual(["agent-job", "agent-local"]);
    for (const release of releases) {
      expect(release.repository).toBe("https://scalr.github.io/agent-helm/");
      expect(release.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(release.values).toHaveLength(1);
      expect(release.values[0]).not.toMatch(/scalr_agent_pool_token|"token"\s*:/);
      const values = decodeTerraformJson(release.values[0]);
      const errors = chartSchemaErrors(release.chart as AgentHelmChart, values);
      if (errors) expect(errors).toEqual([]);
    }
    const secrets = Object.values<any>(json.resource.kubernetes_secret_v1);
    expect(secrets.map((s) => s.data.token)).toEqual([expect.stringMatching(/^\$\{scalr_agent_pool_token\./), expect.stringMatching(/^\$\{scalr_agent_pool_token\./)]);
  });

  test.each(Object.keys(stacks))("stack %s uses only attributes of the Scalr provider schema", (name) => {
    const json = JSON.parse(stacks[name] ?? "{}");
    expect(countScalrBlocks(json)).toBeGreaterThan(0);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test.each(Object.keys(stacks))("stack %s has no reference cycle (Terraform could not plan it)", (name) => {
    expect(referenceCycles(JSON.parse(stacks[name] ?? "{}"))).toEqual([]);
  });

  test.each(Object.keys(stacks))("stack %s holds no unresolved or broken values and no machine paths", (name) => {
    const text = stacks[name] ?? "";
    expect(text).not.toMatch(/undefined|NaN|\[object Object\]|TfToken|Token\[/);
    expect(text).not.toContain(outdir);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toContain(os.homedir());
  });

  test.each(Object.keys(stacks))("stack %s matches its golden file", (name) => {
    expectGolden(`examples/${name}.cdk.tf.json`, stacks[name] ?? "");
  });
});

describe("review files next to each stack (cdktf.out/stacks/<stack>/review)", () => {
  /** Every review file of a stack, by its path below `review/`. */
  const reviewFiles = (stack: string): Record<string, string> => {
    const root = path.join(outdir, "stacks", stack, "review");
    const out: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else out[path.relative(root, p).split(path.sep).join("/")] = fs.readFileSync(p, "utf8");
      }
    };
    if (fs.existsSync(root)) walk(root);
    return out;
  };

  test("the fleet's cloud-init document is the user data the launch template carries, readable", () => {
    const files = reviewFiles("vm-agent-fleet");
    expect(Object.keys(files)).toEqual(["Fleet/user-data.yaml"]);
    const json = JSON.parse(stacks["vm-agent-fleet"] ?? "{}");
    const [template] = Object.values<any>(json.resource.aws_launch_template);
    const decoded = zlib.gunzipSync(Buffer.from(template.user_data, "base64")).toString("utf8");
    expect(files["Fleet/user-data.yaml"]).toBe(decoded);
    expect(decoded.startsWith("#cloud-config")).toBe(true);
  });

  test("each Helm release's values, as YAML, are the values the release gets", () => {
    const files = reviewFiles("k8s-agent");
    const json = JSON.parse(stacks["k8s-agent"] ?? "{}");
    const releases = Object.values<any>(json.resource.helm_release);
    expect(Object.keys(files)).toHaveLength(releases.length);
    for (const release of releases) {
      const file = `${release["//"].metadata.path.split("/").slice(1, -1).join("/")}/values.yaml`;
      const values = decodeTerraformJson(release.values[0]) as Record<string, unknown>;
      // References read the same in both: `${jsonencode(var.x)}` in the release, `${var.x}` here.
      const reviewed = JSON.parse(JSON.stringify(parseYaml(files[file] ?? "")).replace(/\$\{([^}]*)\}/g, "<ref:$1>"));
      expect(reviewed).toEqual(values);
    }
  });

  test("the serverless handler's environment is what the Lambda function gets", () => {
    const files = reviewFiles("ecs-serverless-agent");
    const json = JSON.parse(stacks["ecs-serverless-agent"] ?? "{}");
    const [fn] = Object.values<any>(json.resource.aws_lambda_function);
    const [file] = Object.keys(files);
    expect(file).toMatch(/handler-environment\.json$/);
    expect(JSON.parse(files[file as string] ?? "")).toEqual(fn.environment.variables);
  });

  test("stacks that render nothing unreadable write no review folder", () => {
    expect(reviewFiles("agent-pool")).toEqual({});
    expect(reviewFiles("vending-machine")).toEqual({});
  });
});
