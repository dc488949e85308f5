#!/usr/bin/env node
// @ts-check
/**
 * Vending-machine benchmark: synthesizes generated specs of 100, 1,000 and 10,000 workspaces (3
 * variables each) with VendingMachineStack, and the same Scalr resources created directly with the
 * generated L1 bindings in the same stack layout (the baseline). Each run is a fresh process; the
 * sides alternate so machine noise hits both alike. Reports wall time of app construction + synth
 * (and of the whole process, module loading included), peak RSS, stacks and resources per stack,
 * and the ratio L2/L1. Budget: ≤ 1.3× at 1,000 and 10,000 workspaces; goal: CPU ≤ 1.1× (reported).
 *
 *   npm run build && node bench/vending-machine.js            (sizes 100 1000 10000, 3 runs each)
 *   BENCH_RUNS=5 node bench/vending-machine.js 1000
 *   BENCH_FROM_SOURCE=1 node bench/vending-machine.js         (TypeScript sources, no build)
 *
 * Once per size, apart from the timed sides, it also builds the vending machine with a
 * BootstrapStack of VCS-driven workspaces and reports what that stack yields: one workspace per
 * stack, one run trigger per dependency between stacks (CLI-driven workspaces get none), and the
 * deploy order's waves.
 */
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { performance } = require("perf_hooks");

const ROOT = path.resolve(__dirname, "..");
const BUDGET = 1.3;
/** KitChecks' goal: the vending machine's CPU time at most 1.1× the L1 code's (reported, not enforced). */
const CPU_GOAL = 1.1;
const WORKSPACES_PER_SHARD = 500;
const ENVIRONMENTS = 10;

/**
 * A spec of `n` workspaces over 10 environments: 2 pools, a VCS provider, an AWS OIDC provider
 * configuration, a policy group, 2 account variables (one final), a variable per environment,
 * and per workspace a VCS source, the run pool, the configuration and 3 variables. Shards of 500.
 * @param {number} n
 */
function generateSpec(n) {
  const perEnv = Math.ceil(n / ENVIRONMENTS);
  const environments = [];
  for (let e = 0; e < ENVIRONMENTS; e++) {
    const workspaces = [];
    for (let w = 0; w < perEnv && e * perEnv + w < n; w++) {
      workspaces.push({
        name: `ws-${w}`,
        vcs: { provider: "github", repository: `acme/team-${e}`, branch: "main", triggerPrefixes: [`stacks/ws-${w}`] },
        workingDirectory: `stacks/ws-${w}`,
        agentPool: "aws-run",
        version: "1.9.8",
        providerConfigurations: ["aws"],
        variables: [
          { key: "name", value: `ws-${w}` },
          { key: "size", value: String(w % 7) },
          { key: "LOG_LEVEL", value: "info", category: "shell" },
        ],
      });
    }
    environments.push({ name: `env-${e}`, defaultAgentPool: "aws-run", policyGroups: ["guardrails"], variables: [{ key: "environment", value: `env-${e}` }], workspaces });
  }
  return {
    stacks: { split: "shards", shards: Math.max(1, Math.ceil(n / WORKSPACES_PER_SHARD)), maxWorkspacesPerStack: 1000 },
    vcsProviders: [{ name: "github", id: "vcs-gh0bench" }],
    agentPools: [{ name: "aws-run" }, { name: "vcs", kind: "vcs" }],
    providerConfigurations: [{ name: "aws", aws: { auth: "oidc", scalrAccountName: "acme" } }],
    policyGroups: [{ name: "guardrails", vcsProvider: "github", repository: { identifier: "acme/opa" } }],
    variables: [
      { key: "region", value: "eu-west-1", final: true },
      { key: "owner", value: "platform" },
    ],
    environments,
  };
}

/** The child: build and synthesize one side, print a JSON line. */
function child(/** @type {string} */ side, /** @type {number} */ n) {
  if (process.env.BENCH_FROM_SOURCE) require(path.join(ROOT, "bin", "register-ts.js"));
  const ext = process.env.BENCH_FROM_SOURCE ? "" : ".js";
  const base = process.env.BENCH_FROM_SOURCE ? ROOT : path.join(ROOT, "dist");
  const mod = (/** @type {string} */ p) => require(path.join(base, p) + (ext || ".ts"));
  const gen = (/** @type {string} */ r) => mod(`providers/scalr/generated/providers/scalr/${r}/index`);
  const { App, DataResource, TerraformStack, TerraformVariable, Fn, Op, Token, Lazy } = require("cdktf");
  const { Construct } = require("constructs");
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `vm-bench-${side}-`));
  const spec = generateSpec(n);
  const cpu0 = process.cpuUsage();
  const started = process.hrtime.bigint();
  const app = new App({ outdir, stackTraces: false });
  if (side === "l2" || side === "bootstrap") {
    const { VendingMachineStack } = mod("vending-machine/vending-machine-stack");
    const vm = new VendingMachineStack(app, "vending-machine", { spec });
    if (side === "bootstrap") {
      const { BootstrapStack } = mod("stacks/bootstrap-stack");
      new BootstrapStack(app, "vending-machine-bootstrap", {
        stacks: vm.stacks,
        environment: "env-bench0platform",
        agentPool: "apool-bench0platform",
        providerConfigurations: ["pcfg-bench0scalr"],
        vcs: { providerId: "vcs-gh0bench", repository: "acme/platform-synth", branch: "synth" },
      });
    }
  } else {
    // The same resources with the generated bindings, in the same stacks, names and references.
    const { ScalrProvider } = gen("provider");
    const { AgentPool } = gen("agent-pool");
    const { AgentPoolToken } = gen("agent-pool-token");
    const { Environment } = gen("environment");
    const { Workspace } = gen("workspace");
    const { Variable } = gen("variable");
    const { ProviderConfiguration } = gen("provider-configuration");
    const { PolicyGroup } = gen("policy-group");
    const { PolicyGroupLinkage } = gen("policy-group-linkage");
    const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
    const { IamRole } = require("@cdktf/provider-aws/lib/iam-role");
    const { IamOpenidConnectProvider } = require("@cdktf/provider-aws/lib/iam-openid-connect-provider");
    const provider = (/** @type {any} */ stack) => {
      const h = new TerraformVariable(stack, "scalr_hostname", { type: "string", default: "" }).stringValue;
      const t = new TerraformVariable(stack, "scalr_token", { type: "string", default: "", sensitive: true }).stringValue;
      const orNull = (/** @type {string} */ v) => Token.asString(Fn.conditional(Op.lt(Fn.lengthOf(v), 1), Token.nullValue(), v));
      new ScalrProvider(stack, "Scalr", { hostname: orNull(h), token: orNull(t) });
    };
    const shared = new TerraformStack(app, "vending-machine");
    provider(shared);
    const vm = new Construct(shared, "VendingMachine");
    const pools = new Map();
    for (const p of spec.agentPools) {
      const c = new Construct(vm, `Pool-${p.name}`);
      const kind = p.kind ?? "run";
      const guard = new DataResource(c, "KindGuard", { input: { kind } });
      const pool = new AgentPool(c, "Resource", { name: p.name, vcsEnabled: kind === "vcs", environments: ["*"], lifecycle: { replaceTriggeredBy: [guard] } });
      new AgentPoolToken(c, "Token-default", { agentPoolId: pool.id, description: "default" });
      pools.set(p.name, pool.id);
    }
    const pc = new Construct(vm, "ProviderConfiguration-aws");
    const oidc = new IamOpenidConnectProvider(pc, "OidcProvider", { url: "https://scalr.io", clientIdList: ["aws.scalr-run-workload"] });
    const role = new IamRole(pc, "Role", {
      name: "scalr-aws",
      description: 'Assumed by Scalr runs through the provider configuration "aws".',
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: oidc.arn }, Action: "sts:AssumeRoleWithWebIdentity" }] }),
      maxSessionDuration: 3600,
    });
    /** @type {string[]} */
    const shares = [];
    const config = new ProviderConfiguration(pc, "Resource", {
      name: "aws",
      exportShellVariables: false,
      environments: Lazy.listValue({ produce: () => shares }),
      aws: { credentialsType: "oidc", accountType: "regular", roleArn: role.arn, audience: "aws.scalr-run-workload" },
    });
    const configId = config.id;
    const pg = new Construct(vm, "PolicyGroup-guardrails");
    const group = new PolicyGroup(pg, "Resource", { name: "guardrails", vcsProviderId: "vcs-gh0bench", vcsRepo: { identifier: "acme/opa" } });
    const groupId = group.id;
    for (const v of spec.variables) {
      const c = new Construct(vm, `Variable-terraform-${v.key}`);
      new Variable(c, "Resource", { key: v.key, value: v.value, category: "terraform", final: v.final ?? false, sensitive: false, hcl: false, description: "" });
    }
    new AwsProvider(shared, "aws", {});
    const shardStacks = new Map();
    for (let i = 0; i < (spec.stacks.shards ?? 1); i++) {
      const s = new TerraformStack(app, `vending-machine-${i}`);
      provider(s);
      shardStacks.set(String(i), s);
    }
    const { shardOf } = mod("vending-machine/sharding");
    const containers = new Map();
    for (const e of spec.environments) {
      const ec = new Construct(vm, `Environment-${e.name}`);
      const env = new Environment(ec, "Resource", { name: e.name, defaultWorkspaceAgentPoolId: pools.get(e.defaultAgentPool), tagIds: [], remoteBackendOverridable: true, maskSensitiveOutput: true });
      const envId = env.id;
      new PolicyGroupLinkage(ec, "PolicyGroup-guardrails", { policyGroupId: groupId, environmentId: envId });
      for (const v of e.variables) {
        const c = new Construct(ec, `Variable-terraform-${v.key}`);
        new Variable(c, "Resource", { key: v.key, value: v.value, category: "terraform", final: false, sensitive: false, hcl: false, description: "", environmentId: envId });
      }
      shares.push(envId);
      for (const w of e.workspaces) {
        const shard = shardOf(spec.stacks, e.name, w.name);
        const key = `${shard}/${e.name}`;
        let container = containers.get(key);
        if (!container) containers.set(key, (container = new Construct(shardStacks.get(shard), `Environment-${e.name}`)));
        const wc = new Construct(container, `Workspace-${w.name}`);
        const ws = new Workspace(wc, "Resource", {
          name: w.name,
          environmentId: envId,
          agentPoolId: pools.get(w.agentPool),
          iacPlatform: "terraform",
          terraformVersion: w.version,
          autoApply: false,
          workingDirectory: w.workingDirectory,
          deletionProtectionEnabled: true,
          tagIds: [],
          varFiles: [],
          vcsProviderId: "vcs-gh0bench",
          vcsRepo: [{ identifier: w.vcs.repository, branch: w.vcs.branch, triggerPrefixes: w.vcs.triggerPrefixes, dryRunsEnabled: true, ingressSubmodules: false }],
          providerConfiguration: [{ id: configId, alias: "" }],
        });
        const wsId = ws.id;
        for (const v of w.variables) {
          const c = new Construct(wc, `Variable-${v.category ?? "terraform"}-${v.key}`);
          new Variable(c, "Resource", { key: v.key, value: v.value, category: v.category ?? "terraform", final: false, sensitive: false, hcl: false, description: "", workspaceId: wsId });
        }
      }
    }
  }
  const built = process.hrtime.bigint();
  app.synth();
  const done = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpu0);
  /** @type {Record<string, number>} */
  const resources = {};
  /** @type {Record<string, unknown> | undefined} */
  let bootstrap;
  const bootDir = path.join(outdir, "stacks", "vending-machine-bootstrap");
  if (side === "bootstrap") {
    const json = JSON.parse(fs.readFileSync(path.join(bootDir, "cdk.tf.json"), "utf8"));
    const order = JSON.parse(fs.readFileSync(path.join(bootDir, "deploy-order.json"), "utf8"));
    bootstrap = {
      workspaces: Object.keys(json.resource.scalr_workspace ?? {}).length,
      runTriggers: Object.keys(json.resource.scalr_run_trigger ?? {}).length,
      waves: order.waves.map((/** @type {string[]} */ w) => w.length),
    };
  }
  for (const stack of fs.readdirSync(path.join(outdir, "stacks")).sort()) {
    const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"));
    resources[stack] = Object.values(json.resource ?? {}).reduce((a, r) => a + Object.keys(r).length, 0);
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = {
    buildMs: Number(built - started) / 1e6,
    synthMs: Number(done - built) / 1e6,
    totalMs: Number(done - started) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    processMs: performance.now(),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    resources,
    bootstrap,
  };
  process.stdout.write(JSON.stringify(result));
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function main() {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const runs = Number(process.env.BENCH_RUNS || 3);
  const all = sizes.length > 0 ? sizes : [100, 1000, 10000];
  console.log(`vending machine: L2 (VendingMachineStack) vs L1 (generated bindings), median of ${runs} fresh processes each, node ${process.version}${process.env.BENCH_FROM_SOURCE ? ", from TypeScript sources" : ""}`);
  console.log(
    "workspaces".padStart(10) + "side".padStart(6) + "build+synth ms".padStart(16) + "CPU ms".padStart(10) + "process ms".padStart(12) + "peak RSS MiB".padStart(14) + "stacks".padStart(8) + "  resources per stack",
  );
  let ok = true;
  for (const n of all) {
    /** @type {Record<string, any[]>} */
    const samples = { l1: [], l2: [] };
    for (let i = 0; i < runs; i++) {
      for (const side of i % 2 === 0 ? ["l1", "l2"] : ["l2", "l1"]) {
        const r = spawnSync(process.execPath, ["--max-old-space-size=8192", module.filename, "--child", side, String(n)], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
        if (r.status !== 0) throw new Error(`${side} ${n} failed:\n${r.stderr}`);
        samples[side]?.push(JSON.parse(r.stdout));
      }
    }
    /** @type {Record<string, {total: number, cpu: number, proc: number, rss: number}>} */
    const m = {};
    for (const side of ["l1", "l2"]) {
      const s = samples[side] ?? [];
      const last = s[s.length - 1];
      const counts = Object.values(last.resources);
      const stacks = counts.length;
      const per = `${Math.min(...counts)}–${Math.max(...counts)} (shared ${last.resources["vending-machine"]})`;
      m[side] = { total: median(s.map((x) => x.totalMs)), cpu: median(s.map((x) => x.cpuMs)), proc: median(s.map((x) => x.processMs)), rss: median(s.map((x) => x.maxRssMiB)) };
      const r = m[side];
      console.log(
        String(n).padStart(10) + side.padStart(6) + r.total.toFixed(0).padStart(16) + r.cpu.toFixed(0).padStart(10) + r.proc.toFixed(0).padStart(12) + r.rss.toFixed(0).padStart(14) + String(stacks).padStart(8) + `  ${per}, total ${counts.reduce((a, b) => a + b, 0)}`,
      );
    }
    const l1 = m.l1;
    const l2 = m.l2;
    if (!l1 || !l2) continue;
    const boot = spawnSync(process.execPath, ["--max-old-space-size=8192", module.filename, "--child", "bootstrap", String(n)], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
    if (boot.status !== 0) throw new Error(`bootstrap ${n} failed:\n${boot.stderr}`);
    const b = JSON.parse(boot.stdout).bootstrap;
    console.log(
      `${"".padStart(10)}  bootstrap stack: ${b.workspaces} workspaces (one per stack), ${b.runTriggers} run triggers when VCS-driven (none when CLI-driven), deploy order in ${b.waves.length} waves of ${b.waves.join(" + ")} stacks`,
    );
    // Each run's two sides ran back to back: the ratio within a pair cancels the machine's slower drifts.
    const pairs = (samples.l1 ?? []).map((a, i) => (samples.l2?.[i]?.cpuMs ?? NaN) / a.cpuMs).sort((x, y) => x - y);
    const ratio = l2.total / l1.total;
    const verdict = n < 1000 ? "for information" : ratio <= BUDGET ? `within the ${BUDGET}× budget` : `OVER the ${BUDGET}× budget`;
    if (n >= 1000 && ratio > BUDGET) ok = false;
    console.log(
      `${"".padStart(10)}  L2/L1: build+synth ${ratio.toFixed(2)}× (${verdict}), CPU ${(l2.cpu / l1.cpu).toFixed(2)}× (goal ≤ ${CPU_GOAL}×), whole process ${(l2.proc / l1.proc).toFixed(2)}×, peak RSS ${(l2.rss / l1.rss).toFixed(2)}×`,
    );
    console.log(`${"".padStart(10)}  CPU L2/L1 per back-to-back pair: median ${median(pairs).toFixed(2)}×, range ${(pairs[0] ?? NaN).toFixed(2)}–${(pairs[pairs.length - 1] ?? NaN).toFixed(2)}× over ${pairs.length} pairs`);
  }
  process.exit(ok ? 0 : 1);
}

module.exports = { generateSpec };
if (require.main === module) {
  if (process.argv[2] === "--child") child(String(process.argv[3]), Number(process.argv[4]));
  else main();
}
