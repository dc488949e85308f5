import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { App, Lazy, TerraformOutput, TerraformStack } from "cdktf";
import { AgentSettings, resolveAgentSettings } from "../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../agent/settings/token-source";
import { KitValidationError } from "../../core/validation";
import { renderVmUserData } from "../../agent/vm";
import { EcsAgentService } from "../../constructs/ecs/ecs-agent-service";
import { FargateAgentTask } from "../../constructs/ecs/fargate-agent-task";
import { HelmAgent } from "../../constructs/k8s/helm-agent";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { buildExamplesApp } from "../../examples/app";

/** A recognisable token value: resolves to this literal at synth time, as a real token does at apply time. */
const CANARY = "CANARY-4f1d9c2e-scalr-agent-token";
const canaryToken = (): string => Lazy.stringValue({ produce: () => CANARY });

/**
 * Where the token may legitimately appear in a synthesized stack: secret stores and sensitive
 * outputs. Each returns the values it removes from `json`, so the test can also see the canary arrived.
 */
const LEGITIMATE_SINKS: ReadonlyArray<(json: any) => unknown[]> = [
  (json) => takeAll(json.resource?.aws_secretsmanager_secret_version, "secret_string"),
  (json) => takeAll(json.resource?.kubernetes_secret_v1, "data"),
  (json) =>
    Object.values<any>(json.output ?? {})
      .filter((o) => o.sensitive === true)
      .map((o) => {
        const v = o.value;
        delete o.value;
        return v;
      }),
];

function takeAll(byName: Record<string, any> | undefined, key: string): unknown[] {
  return Object.values(byName ?? {}).map((block) => {
    const v = block[key];
    delete block[key];
    return v;
  });
}

/** Every file under `dir`, relative path → text. */
function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, full), fs.readFileSync(full).toString("latin1"));
  }
  return out;
}

/** Synthesizes `build` into a temp dir; returns where the canary was found legitimately and where not. */
function synthesize(build: (app: App) => void): { legitimate: string[]; leaks: string[]; files: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-canary-"));
  try {
    const app = new App({ outdir });
    build(app);
    app.synth();
    const legitimate: string[] = [];
    const leaks: string[] = [];
    const files = filesOf(outdir);
    for (const [file, text] of files) {
      if (file.endsWith("cdk.tf.json")) {
        const json = JSON.parse(text);
        LEGITIMATE_SINKS.forEach((sink, i) => {
          if (sink(json).some((v) => JSON.stringify(v)?.includes(CANARY))) legitimate.push(`${file}#sink${i}`);
        });
        if (JSON.stringify(json).includes(CANARY)) leaks.push(file);
      } else if (text.includes(CANARY) || text.includes(Buffer.from(CANARY).toString("base64").slice(0, 24))) {
        leaks.push(file);
      }
    }
    return { legitimate, leaks, files: [...files.keys()] };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe("secret canary", () => {
  afterEach(() => jest.restoreAllMocks());

  test("every example: a pool token that is the canary reaches only secret stores and sensitive outputs", () => {
    jest.spyOn(AgentPool.prototype, "tokenValue").mockImplementation(canaryToken);
    const result = synthesize((app) => buildExamplesApp(app));
    expect(result.files.filter((f) => f.endsWith("cdk.tf.json")).length).toBeGreaterThanOrEqual(3);
    expect(result.leaks).toEqual([]);
    // The canary did flow: into the ECS token secret, the Kubernetes Secrets and the pool stack's sensitive outputs.
    expect(result.legitimate).toEqual(
      expect.arrayContaining([
        "stacks/agent-pool/cdk.tf.json#sink2",
        "stacks/ecs-agent-service/cdk.tf.json#sink0",
        "stacks/k8s-agent/cdk.tf.json#sink1",
      ]),
    );
  });

  test("runtime constructs: a Terraform-value token reaches only the secret each creates", () => {
    const result = synthesize((app) => {
      const stack = new TerraformStack(app, "runtimes");
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new KubernetesProvider(stack, "kubernetes", {});
      new HelmProvider(stack, "helm", {});
      const token = () => AgentTokenSource.fromTerraformValue(canaryToken());
      const scalrUrl = "https://example.scalr.io";
      new FargateAgentTask(stack, "Task", { name: "task", vpcId: "vpc-0abc1234", settings: { scalrUrl, token: token(), single: true } });
      new EcsAgentService(stack, "Service", { name: "svc", vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234"], settings: { scalrUrl, token: token() } });
      new HelmAgent(stack, "Local", { chart: "agent-local", namespace: "local", settings: { scalrUrl, token: token() } });
      new HelmAgent(stack, "K8s", { chart: "agent-k8s", namespace: "k8s", settings: { scalrUrl, token: token() } });
      new HelmAgent(stack, "Job", { chart: "agent-job", namespace: "job", settings: { scalrUrl, token: token() } });
    });
    expect(result.leaks).toEqual([]);
    expect(result.legitimate.sort()).toEqual(["stacks/runtimes/cdk.tf.json#sink0", "stacks/runtimes/cdk.tf.json#sink1"]);
  });

  test("the detector works: a canary in a plain output is a leak", () => {
    const result = synthesize((app) => {
      const stack = new TerraformStack(app, "leaky");
      new TerraformOutput(stack, "token", { value: canaryToken() });
    });
    expect(result.leaks).toEqual(["stacks/leaky/cdk.tf.json"]);
  });

  test("VM user data never takes a Terraform-value token: it fails without echoing it", () => {
    const settings: AgentSettings = { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromTerraformValue(canaryToken()) };
    let error: unknown;
    try {
      renderVmUserData(settings, { os: "ubuntu-24.04" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KitValidationError);
    expect((error as Error).message).not.toContain(CANARY);
  });

  test("a literal token where a reference belongs fails without echoing it", () => {
    const messages: string[] = [];
    const capture = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(KitValidationError);
        messages.push((e as Error).message);
      }
    };
    capture(() => AgentTokenSource.fromTerraformValue(CANARY));
    capture(() => resolveAgentSettings({ scalrUrl: "https://example.scalr.io", token: CANARY as unknown as AgentTokenSource }));
    capture(() => resolveAgentSettings({ scalrUrl: "https://example.scalr.io", token: { value: CANARY } as unknown as AgentTokenSource }));
    capture(() => new AgentPool(new TerraformStack(new App({ outdir: os.tmpdir() }), "s"), "Pool", { name: "p", webhook: { url: "https://x.example.com", headers: [{ name: "bad header", value: CANARY }] } }));
    expect(messages).toHaveLength(4);
    for (const m of messages) expect(m).not.toContain(CANARY);
  });
});
