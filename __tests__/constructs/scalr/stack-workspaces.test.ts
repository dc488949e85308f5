import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { KitChecks } from "../../../constructs/checks";
import { AgentPool } from "../../../constructs/scalr/agent-pool";
import { Environment } from "../../../constructs/scalr/environment";
import { scalrBackend } from "../../../constructs/scalr/scalr-backend";
import { ScalrProviderFromVariables } from "../../../constructs/scalr/scalr-provider-from-variables";
import { ScalrStackWorkspaces, ScalrStackWorkspacesProps } from "../../../constructs/scalr/stack-workspaces";
import { BootstrapStack } from "../../../stacks/bootstrap-stack";
import { referenceCycles } from "../../support/reference-graph";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

const HOST = "example.scalr.io";
const ENV = "env-v0o1platform";
const POOL = "apool-v0o1platform";
const SCALR_PCFG = "pcfg-v0o1scalr";
const VCS = { providerId: "vcs-v0o1github", repository: "acme/platform-synth", branch: "synth" };

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function newApp(): App {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-stack-workspaces-"));
  outdirs.push(outdir);
  return new App({ outdir, stackTraces: false });
}

/** A stack with its state in Scalr and a pool whose ID other stacks may read. */
function poolStack(app: App, id: string): { stack: TerraformStack; pool: AgentPool } {
  const stack = new TerraformStack(app, id);
  new ScalrProviderFromVariables(stack, "Scalr");
  scalrBackend(stack, { hostname: HOST, environment: "platform" });
  return { stack, pool: new AgentPool(stack, "Pool", { name: `${id}-pool` }) };
}

/** `consumer` reads `producer`'s pool ID: a cross-stack reference (cdktf adds the dependency at synthesis). */
function reads(consumer: { stack: TerraformStack }, producer: { pool: AgentPool }, name: string): void {
  new TerraformOutput(consumer.stack, name, { value: producer.pool.poolId });
}

/**
 * A diamond (base → left, base → right, left → top, right → top) and a chain (c1 → c2 → c3, the
 * last link an explicit addDependency), all but the explicit link cross-stack references.
 */
function graphApp() {
  const app = newApp();
  const base = poolStack(app, "base");
  const left = poolStack(app, "left");
  const right = poolStack(app, "right");
  const top = poolStack(app, "top");
  const c1 = poolStack(app, "c1");
  const c2 = poolStack(app, "c2");
  const c3 = poolStack(app, "c3");
  reads(left, base, "base_pool");
  reads(right, base, "base_pool");
  reads(top, left, "left_pool");
  reads(top, right, "right_pool");
  reads(c2, c1, "c1_pool");
  c3.stack.addDependency(c2.stack);
  const stacks = [base, left, right, top, c1, c2, c3].map((s) => s.stack);
  return { app, stacks };
}

/** Edges upstream → downstream of the diamond and the chain. */
const EDGES = ["base>left", "base>right", "left>top", "right>top", "c1>c2", "c2>c3"].sort();

function synthBootstrap(props: Partial<ScalrStackWorkspacesProps> = {}) {
  const { app, stacks } = graphApp();
  const boot = new BootstrapStack(app, "bootstrap", { stacks, environment: ENV, agentPool: POOL, providerConfigurations: [SCALR_PCFG], ...props });
  app.synth();
  const read = (id: string) => JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
  return { app, boot, stacks, json: read("bootstrap"), read };
}

/** The workspace block of each stack id, by its name. */
function workspacesByName(json: any): Record<string, any> {
  return Object.fromEntries(Object.values<any>(json.resource.scalr_workspace).map((w) => [w.name, w]));
}

/** The Terraform address of a workspace block of `json`, by workspace name. */
function addressOf(json: any, name: string): string {
  const [key] = Object.entries<any>(json.resource.scalr_workspace).find(([, w]) => w.name === name)!;
  return `\${scalr_workspace.${key}.id}`;
}

describe("ScalrStackWorkspaces", () => {
  test("one CLI-driven workspace per stack, named as scalrBackend names the stack's backend, in the environment, on the pool", () => {
    const { json, read, stacks } = synthBootstrap();
    const ws = workspacesByName(json);
    expect(Object.keys(ws).sort()).toEqual(stacks.map((s) => s.node.id).sort());
    for (const s of stacks) {
      const backend = read(s.node.id).terraform.backend.remote;
      expect(ws[backend.workspaces.name]).toBeDefined();
      expect(ws[backend.workspaces.name]).toMatchObject({ environment_id: ENV, agent_pool_id: POOL, provider_configuration: [{ id: SCALR_PCFG, alias: "" }] });
      expect(ws[backend.workspaces.name].vcs_repo).toBeUndefined();
      expect(ws[backend.workspaces.name].working_directory).toBe("");
    }
  });

  test("a workspace name given to scalrBackend is the workspace's name", () => {
    const app = newApp();
    const stack = new TerraformStack(app, "network");
    scalrBackend(stack, { hostname: HOST, environment: "platform", workspace: "platform-network" });
    new BootstrapStack(app, "bootstrap", { stacks: [stack], environment: ENV });
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "bootstrap", "cdk.tf.json"), "utf8"));
    expect(Object.keys(workspacesByName(json))).toEqual(["platform-network"]);
  });

  test("every cross-stack reference reads the producing stack's workspace in Scalr", () => {
    const { read } = synthBootstrap();
    const expectations: Record<string, string[]> = { left: ["base"], right: ["base"], top: ["left", "right"], c2: ["c1"], c3: [], base: [], c1: [] };
    for (const [consumer, producers] of Object.entries(expectations)) {
      const states = Object.values<any>(read(consumer).data?.terraform_remote_state ?? {});
      expect(states.map((s) => s.config.workspaces.name).sort()).toEqual(producers);
      for (const s of states) expect(s).toEqual({ backend: "remote", config: { hostname: HOST, organization: "platform", workspaces: { name: s.config.workspaces.name } } });
    }
  });

  test("CLI-driven: no run trigger, and the deploy order is the dependency graph in waves", () => {
    const { json, boot, app } = synthBootstrap();
    expect(json.resource.scalr_run_trigger).toBeUndefined();
    const order = boot.deployOrder();
    expect(order.waves).toEqual([["base", "c1"], ["c2", "left", "right"], ["c3", "top"]]);
    const edges = Object.entries(order.dependencies).flatMap(([down, ups]) => ups.map((up) => `${up}>${down}`));
    expect(edges.sort()).toEqual(EDGES);
    // Every stack comes after everything it depends on.
    const wave = new Map(order.waves.flatMap((w, i) => w.map((id) => [id, i] as const)));
    for (const e of EDGES) {
      const [up, down] = e.split(">") as [string, string];
      expect(wave.get(up)!).toBeLessThan(wave.get(down)!);
    }
    expect(json.output.deploy_order.value).toEqual(order.waves);
    expect(json.output.deploy_order.sensitive).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "bootstrap", "deploy-order.json"), "utf8"))).toEqual(order);
    // cdktf's manifest records the same dependencies (what `cdktf deploy` orders stacks by).
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    const fromManifest = Object.entries<any>(manifest.stacks)
      .filter(([id]) => id !== "bootstrap")
      .flatMap(([id, s]) => (s.dependencies as string[]).map((d) => `${d}>${id}`));
    expect(fromManifest.sort()).toEqual(EDGES);
  });

  test("the deploy order is refused before the app has synthesized: it would miss the cross-stack dependencies", () => {
    const { app, stacks } = graphApp();
    const boot = new BootstrapStack(app, "bootstrap", { stacks, environment: ENV, agentPool: POOL, providerConfigurations: [SCALR_PCFG] });
    expect(boot.workspaces.deployOrderKnown).toBe(false);
    expect(() => boot.deployOrder()).toThrow("bootstrap/Workspaces: deployOrder() is known once the app has synthesized (call it after app.synth())");
    app.synth();
    expect(boot.workspaces.deployOrderKnown).toBe(true);
    expect(boot.deployOrder().waves).toHaveLength(3);
  });

  test("VCS-driven: one run trigger per dependency, upstream → downstream, and each stack's folder of the branch", () => {
    const { json } = synthBootstrap({ vcs: VCS });
    const names = new Map(Object.entries<any>(json.resource.scalr_workspace).map(([key, w]) => [`\${scalr_workspace.${key}.id}`, w.name as string]));
    const triggers = Object.values<any>(json.resource.scalr_run_trigger).map((t) => `${names.get(t.upstream_id)}>${names.get(t.downstream_id)}`);
    expect(triggers.sort()).toEqual(EDGES);
    const ws = workspacesByName(json);
    for (const [name, w] of Object.entries(ws)) {
      expect(w.working_directory).toBe(`cdktf.out/stacks/${name}`);
      expect(w.vcs_provider_id).toBe(VCS.providerId);
      expect(w.vcs_repo).toEqual([{ identifier: VCS.repository, branch: VCS.branch, trigger_prefixes: [`cdktf.out/stacks/${name}`], dry_runs_enabled: true, ingress_submodules: false }]);
    }
  });

  test("a VCS folder of its own", () => {
    const { json } = synthBootstrap({ vcs: { ...VCS, directory: "synth" } });
    expect(workspacesByName(json).top.working_directory).toBe("synth/top");
  });

  test.each([["CLI-driven", {}], ["VCS-driven", { vcs: VCS }]])("%s: each workspace shares its state with exactly the workspaces of its dependents", (_mode, props) => {
    const { json } = synthBootstrap(props);
    const ws = workspacesByName(json);
    const consumers = (name: string) => [...ws[name].remote_state_consumers].sort();
    const ids = (...names: string[]) => names.map((n) => addressOf(json, n)).sort();
    expect(consumers("base")).toEqual(ids("left", "right"));
    expect(consumers("left")).toEqual(ids("top"));
    expect(consumers("right")).toEqual(ids("top"));
    expect(consumers("c1")).toEqual(ids("c2"));
    expect(consumers("c2")).toEqual(ids("c3"));
    expect(consumers("top")).toEqual([]);
    expect(consumers("c3")).toEqual([]);
  });

  test.each([["CLI-driven", {}], ["VCS-driven", { vcs: VCS }]])("%s: the stack has no reference cycle and uses only the provider's schema", (_mode, props) => {
    const { json } = synthBootstrap(props);
    expect(referenceCycles(json)).toEqual([]);
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("KitChecks passes on the bootstrap stack; no token in its configuration", () => {
    const { app, stacks } = graphApp();
    const boot = new BootstrapStack(app, "bootstrap", { stacks, environment: ENV, agentPool: POOL, providerConfigurations: [SCALR_PCFG], vcs: VCS });
    app.synth();
    expect(KitChecks.of(boot).report().violations).toEqual([]);
    const text = fs.readFileSync(path.join(app.outdir, "stacks", "bootstrap", "cdk.tf.json"), "utf8");
    const json = JSON.parse(text);
    expect(json.variable.scalr_token).toMatchObject({ sensitive: true, default: "" });
    expect(json.provider.scalr).toHaveLength(1);
    expect(Object.keys(json.resource).sort()).toEqual(["scalr_run_trigger", "scalr_workspace"]);
  });

  test("per-stack settings add to the common ones", () => {
    const { json } = synthBootstrap({
      variables: [{ key: "region", value: "eu-west-1" }],
      perStack: { top: { variables: [{ key: "tier", value: "top" }], agentPool: "apool-v0o1other", autoApply: true, providerConfigurations: [{ configuration: "pcfg-v0o1aws", alias: "east" }] } },
    });
    const ws = workspacesByName(json);
    expect(ws.top).toMatchObject({ agent_pool_id: "apool-v0o1other", auto_apply: true, provider_configuration: [{ id: SCALR_PCFG, alias: "" }, { id: "pcfg-v0o1aws", alias: "east" }] });
    expect(ws.base).toMatchObject({ agent_pool_id: POOL, auto_apply: false });
    const vars = Object.values<any>(json.resource.scalr_variable).map((v) => `${v.key}=${v.value}`);
    expect(vars.filter((v) => v === "region=eu-west-1")).toHaveLength(7);
    expect(vars.filter((v) => v === "tier=top")).toHaveLength(1);
  });

  describe("bad input names the construct and the field", () => {
    const attempt = (props: (stacks: TerraformStack[], boot: TerraformStack, app: App) => Record<string, unknown>) => {
      const app = newApp();
      const a = new TerraformStack(app, "a");
      const b = new TerraformStack(app, "b");
      const boot = new TerraformStack(app, "bootstrap");
      return messageOf(() => new ScalrStackWorkspaces(boot, "Workspaces", { environment: ENV, ...props([a, b], boot, app) } as unknown as ScalrStackWorkspacesProps));
    };

    test.each<[string, (stacks: TerraformStack[], boot: TerraformStack, app: App) => Record<string, unknown>, RegExp]>([
      ["no stack", () => ({ stacks: [] }), /^bootstrap\/Workspaces: `stacks` must name at least one stack/],
      ["not a stack", () => ({ stacks: ["a"] }), /^bootstrap\/Workspaces: `stacks\[0\]` must be a TerraformStack, got: "a"$/],
      ["its own stack", (s, boot) => ({ stacks: [s[0], boot] }), /^bootstrap\/Workspaces: `stacks\[1\]` is the stack these workspaces are created in: its state cannot live in a workspace it creates/],
      ["a stack twice", (s) => ({ stacks: [s[0], s[1], s[0]] }), /^bootstrap\/Workspaces: `stacks\[2\]` repeats stacks\[0\], got: "a"$/],
      ["a stack of another app", (s) => ({ stacks: [s[0], new TerraformStack(newApp(), "elsewhere")] }), /^bootstrap\/Workspaces: `stacks\[1\]` must be a stack of this app, got: "elsewhere"$/],
      ["a bad environment", (s) => ({ stacks: s, environment: "platform" }), /^bootstrap\/Workspaces: `environment` must be an environment construct or an ID such as "env-v0o1example", got: "platform"$/],
      ["a VCS source without a branch", (s) => ({ stacks: s, vcs: { providerId: VCS.providerId, repository: VCS.repository } }), /^bootstrap\/Workspaces: `vcs.branch` /],
      ["an absolute VCS folder", (s) => ({ stacks: s, vcs: { ...VCS, directory: "/cdktf.out" } }), /^bootstrap\/Workspaces: `vcs.directory` /],
      ["settings of an unknown stack", (s) => ({ stacks: s, perStack: { c: { autoApply: true } } }), /^bootstrap\/Workspaces: `perStack.c` names no stack of `stacks`; stacks are: a, b, got: "c"$/],
      ["a variable twice (common and per stack)", (s) => ({ stacks: s, variables: [{ key: "x", value: "1" }], perStack: { a: { variables: [{ key: "x", value: "2" }] } } }), /^bootstrap\/Workspaces: `perStack.a.variables\[0\]` /],
      ["a token in the configuration", (s) => ({ stacks: s, token: "tok-literal-value" }), /^bootstrap\/Workspaces: `token` is not a known field/],
    ])("fails when given %s", (_name, props, message) => {
      expect(attempt(props)).toMatch(message);
    });

    test("fails when the environment is in a stack that gets a workspace", () => {
      const app = newApp();
      const a = new TerraformStack(app, "a");
      new ScalrProviderFromVariables(a, "Scalr");
      const env = new Environment(a, "Env", { name: "platform" });
      const boot = new TerraformStack(app, "bootstrap");
      expect(messageOf(() => new ScalrStackWorkspaces(boot, "Workspaces", { stacks: [a], environment: env }))).toMatch(
        /^bootstrap\/Workspaces: `environment` is a\/Env, in a stack that gets a workspace here: that stack's first run needs this workspace, so neither could be applied first; pass its ID instead/,
      );
    });

    test("fails when a stack keeps its state in another environment", () => {
      const app = newApp();
      const a = new TerraformStack(app, "a");
      scalrBackend(a, { hostname: HOST, environment: "env-v0o1other" });
      const boot = new TerraformStack(app, "bootstrap");
      expect(messageOf(() => new ScalrStackWorkspaces(boot, "Workspaces", { stacks: [a], environment: ENV }))).toMatch(
        /^bootstrap\/Workspaces: `stacks\[0\]` keeps its state in environment "env-v0o1other" \(scalrBackend\), not in `environment` "env-v0o1platform" where its workspace is created, got: "a"$/,
      );
    });

    test("fails when a stack id is no workspace name and scalrBackend gave none", () => {
      const app = newApp();
      const a = new TerraformStack(app, "a".repeat(256));
      expect(messageOf(() => new ScalrStackWorkspaces(new TerraformStack(app, "bootstrap"), "Workspaces", { stacks: [a], environment: ENV }))).toMatch(/`stacks\[0\]` has the id "a{256}", which is not a Scalr workspace name: give it scalrBackend with a `workspace`/);
    });

    test("fails at synthesis when a stack depends on a stack without a workspace", () => {
      const app = newApp();
      const a = poolStack(app, "a");
      const outside = poolStack(app, "outside");
      reads(a, outside, "outside_pool");
      new BootstrapStack(app, "bootstrap", { stacks: [a.stack], environment: ENV });
      expect(messageOf(() => app.synth())).toMatch(/bootstrap\/Workspaces: `stacks\[0\]` depends on outside, which gets no workspace here: add it to `stacks`, got: "a"/);
    });

    test("fails at synthesis when scalrBackend named another workspace after the workspaces were made", () => {
      const app = newApp();
      const a = new TerraformStack(app, "a");
      new ScalrProviderFromVariables(a, "Scalr");
      new BootstrapStack(app, "bootstrap", { stacks: [a], environment: ENV });
      scalrBackend(a, { hostname: HOST, environment: ENV, workspace: "renamed" });
      expect(messageOf(() => app.synth())).toMatch(/`stacks\[0\]` keeps its state in workspace "renamed" \(scalrBackend, called after this construct was built\), not in "a"/);
    });
  });
});
