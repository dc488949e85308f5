#!/usr/bin/env node
// @ts-check
/**
 * The webhook handler's own latency, on loopback: the Lambda bundle that ServerlessAgentPool
 * synthesizes (bundleWebhookHandler()), invoked in this process with API Gateway proxy events, makes
 * its signed `ListTasks` and `RunTask` calls to the loopback fake ECS endpoint of the test suite
 * (`__tests__/support/fake-ecs.ts`, through `AWS_ENDPOINT_URL_ECS`). Each delivery is a new Scalr
 * task, so every invocation takes the launch path: ListTasks finds nothing, RunTask starts a task,
 * 202. Reports p50 / p95 / max of
 *   - warm invocations (one loaded bundle, BENCH_RUNS deliveries one after another, as one Lambda
 *     execution environment serves them), after BENCH_WARMUP unmeasured ones;
 *   - cold first invocations (BENCH_COLD fresh copies of the bundle, each invoked once: the
 *     configuration is parsed, the ECS client and its keep-alive agent are made, and the first
 *     connection is opened). The module load itself is measured by bench/handler.js.
 * Wall time around `await handler(event, context)`, and the `durationMs` the handler logs itself.
 * Not measured: TLS and the network to a real ECS endpoint, and ECS's own RunTask time. Every
 * invocation must answer 202 with a task the fake started, or the bench exits 1.
 *
 *   npm run build && node bench/start-latency.js    (the bundler from dist/)
 *   BENCH_FROM_SOURCE=1 node bench/start-latency.js  (the bundler from the TypeScript sources, no build)
 *   BENCH_RUNS=500 BENCH_COLD=30 node bench/start-latency.js
 */
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/**
 * @param {string} name
 * @param {number} fallback
 */
function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got: ${raw}`);
  return n;
}

/**
 * The p-th percentile (0–100) of ascending samples, nearest rank.
 * @param {readonly number[]} sorted
 * @param {number} p
 */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? NaN;
}

/**
 * p50 / p95 / max / mean of samples in ms.
 * @param {readonly number[]} xs
 */
function summarize(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

/** The handler's environment: a valid configuration, dummy credentials and the loopback endpoint. */
const HANDLER_ENV = {
  CLUSTER_ARN: "arn:aws:ecs:us-east-1:123456789012:cluster/scalr-agents",
  TASK_DEFINITION_ARN: "arn:aws:ecs:us-east-1:123456789012:task-definition/scalr-agent-run:7",
  SUBNET_IDS: "subnet-0a1b2c3d4e5f60718,subnet-0b2c3d4e5f6071829",
  SECURITY_GROUP_IDS: "sg-0c3d4e5f607182930",
  ASSIGN_PUBLIC_IP: "DISABLED",
  AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE0001",
  AWS_SECRET_ACCESS_KEY: "fake-secret-access-key-for-loopback",
  AWS_REGION: "us-east-1",
  AWS_EC2_METADATA_DISABLED: "true",
};

/** Scalr's `created_at` format for now (`2026-11-02T10:15:00+0000`). */
const scalrNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, "+0000");

/**
 * An API Gateway REST proxy event (payload 1.0) for the delivery of Scalr agent task `key`.
 * @param {string} key
 */
function deliveryEvent(key) {
  const body = { task_id: key, action: "plan", run_id: `run-${key}`, workspace_id: "ws-v0p6k8aq4c2sdkl9a", environment_id: "env-v0p6k8a7pqrstu0vb", created_at: scalrNow() };
  return {
    resource: "/trigger",
    path: "/trigger",
    httpMethod: "POST",
    headers: { "Content-Type": "application/json", "Idempotency-Key": key, "x-api-key": "bench-api-key" },
    requestContext: { requestId: `bench-${key}`, stage: "prod", httpMethod: "POST", requestTimeEpoch: Date.now() },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const lambdaContext = { getRemainingTimeInMillis: () => 30_000, awsRequestId: "bench-lambda" };

/** @returns {(options?: { outDir?: string }) => string} */
function loadBundler() {
  if (process.env.BENCH_FROM_SOURCE) return require(path.join(ROOT, "constructs", "ecs", "webhook-handler-bundle.ts")).bundleWebhookHandler;
  const built = path.join(ROOT, "dist", "constructs", "ecs", "webhook-handler-bundle.js");
  if (!fs.existsSync(built)) throw new Error(`${path.relative(ROOT, built)} not found: run \`npm run build\` first, or set BENCH_FROM_SOURCE=1`);
  return require(built).bundleWebhookHandler;
}

async function main() {
  const RUNS = intEnv("BENCH_RUNS", 300);
  const COLD = intEnv("BENCH_COLD", 20);
  const WARMUP = intEnv("BENCH_WARMUP", 20);

  // The fake ECS endpoint is TypeScript (test support code): loaded through the kit's ts hook.
  require(path.join(ROOT, "bin", "register-ts.js"));
  /** @type {{ startFakeEcs: () => Promise<any> }} */
  const { startFakeEcs } = require(path.join(ROOT, "__tests__", "support", "fake-ecs.ts"));
  const bundleWebhookHandler = loadBundler();

  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "start-latency-"));
  const fake = await startFakeEcs();
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  /** @type {string[]} */
  const logLines = [];
  try {
    const bundleDir = bundleWebhookHandler({ outDir });
    const bundleFile = path.join(bundleDir, "index.js");
    const bytes = fs.statSync(bundleFile).size;
    Object.assign(process.env, HANDLER_ENV, {
      AWS_ENDPOINT_URL_ECS: fake.url,
      AWS_CONFIG_FILE: path.join(outDir, "no-aws-config"),
      AWS_SHARED_CREDENTIALS_FILE: path.join(outDir, "no-aws-credentials"),
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_ENDPOINT_URL;

    /** A fresh copy of the bundle, as a new Lambda execution environment loads it. */
    const freshHandler = () => {
      delete require.cache[require.resolve(bundleFile)];
      /** @type {(event: unknown, context: unknown) => Promise<{ statusCode: number, body: string }>} */
      const h = require(bundleFile).handler;
      if (typeof h !== "function") throw new Error("the bundle exports no handler");
      return h;
    };

    let seq = 0;
    /**
     * One delivery through `h`: wall ms, and the handler's own logged durationMs.
     * @param {(event: unknown, context: unknown) => Promise<{ statusCode: number, body: string }>} h
     */
    const invoke = async (h) => {
      const key = `atask-bench${String(seq++).padStart(6, "0")}`;
      const event = deliveryEvent(key);
      logLines.length = 0;
      // The handler logs one JSON line per request to stdout: kept here, not printed.
      process.stdout.write = /** @type {any} */ ((/** @type {string | Uint8Array} */ chunk) => (logLines.push(String(chunk)), true));
      const started = process.hrtime.bigint();
      let result;
      try {
        result = await h(event, lambdaContext);
      } finally {
        process.stdout.write = stdoutWrite;
      }
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const taskArn = result.statusCode === 202 ? JSON.parse(result.body).taskArn : undefined;
      if (!taskArn || !fake.tasks.has(taskArn)) throw new Error(`delivery ${key}: expected 202 with a task the fake started, got ${result.statusCode} ${result.body}`);
      const log = logLines.map((l) => l.trim()).filter((l) => l.includes('"scalr webhook"')).map((l) => JSON.parse(l))[0];
      if (log?.outcome !== "launched") throw new Error(`delivery ${key}: expected outcome "launched" in the handler's log, got ${JSON.stringify(log)}`);
      return { wallMs, loggedMs: Number(log.durationMs) };
    };

    // Cold: a fresh bundle copy per sample, one invocation each.
    const cold = [];
    for (let i = 0; i < COLD; i++) cold.push(await invoke(freshHandler()));

    // Warm: one copy, deliveries one after another.
    const warmHandler = freshHandler();
    for (let i = 0; i < WARMUP; i++) await invoke(warmHandler);
    const warm = [];
    for (let i = 0; i < RUNS; i++) warm.push(await invoke(warmHandler));

    const ops = fake.requests.map((/** @type {{ operation: string }} */ r) => r.operation);
    const runTasks = ops.filter((/** @type {string} */ o) => o === "RunTask").length;
    const expected = COLD + WARMUP + RUNS;
    if (runTasks !== expected || fake.tasks.size !== expected) throw new Error(`expected ${expected} RunTask calls and tasks, got ${runTasks} calls and ${fake.tasks.size} tasks`);

    const fmt = (/** @type {number} */ x) => x.toFixed(2).padStart(9);
    const row = (/** @type {string} */ name, /** @type {ReturnType<typeof summarize>} */ s) => console.log(name.padEnd(44) + String(s.n).padStart(5) + fmt(s.p50) + fmt(s.p95) + fmt(s.max) + fmt(s.mean));
    console.log(`webhook handler bundle (${process.env.BENCH_FROM_SOURCE ? "bundled from the TypeScript sources" : "bundled by dist/"}): ${bytes} bytes; node ${process.version}, ${os.cpus().length} CPUs`);
    console.log(`each delivery: ListTasks (none running) + RunTask against the loopback fake ECS (${fake.url}) → 202`);
    console.log("latency, ms".padEnd(44) + "n".padStart(5) + "p50".padStart(9) + "p95".padStart(9) + "max".padStart(9) + "mean".padStart(9));
    row("warm invocation, wall", summarize(warm.map((w) => w.wallMs)));
    row("warm invocation, handler's durationMs", summarize(warm.map((w) => w.loggedMs)));
    row("cold first invocation, wall", summarize(cold.map((c) => c.wallMs)));
    row("cold first invocation, handler's durationMs", summarize(cold.map((c) => c.loggedMs)));
    console.log("\nloopback only: no TLS, no network to ECS, no ECS processing; add ECS's RunTask response time for a real estimate.");
  } finally {
    process.stdout.write = stdoutWrite;
    await fake.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

module.exports = { percentile, summarize, deliveryEvent };

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e instanceof Error ? e.stack : e);
      process.exit(1);
    },
  );
}
