#!/usr/bin/env node
// @ts-check
/**
 * The webhook handler's Lambda bundle against the seed's Python handler, on this machine:
 *   - bundle size (bytes, gzip) of what bundleWebhookHandler() produces for the TerraformAsset;
 *   - cold module-load time: a fresh `node -e "require('<bundle>')"` process against a fresh
 *     `python3 -c "import boto3; boto3.client"` process (Debian's python3-boto3), median of RUNS
 *     runs after warm-up, interleaved so machine noise hits both sides alike; the ratio of the two,
 *     whole process and net of the bare interpreter.
 * For information, the seed's handler also builds `boto3.client("ecs")` at import time; that row is
 * shown too (the Node handler makes its client at the first request, a few ms).
 *
 *   node bench/handler.js                 (no build needed: bundles from the TypeScript sources)
 *   BENCH_RUNS=21 BENCH_PYTHON=/usr/bin/python3 node bench/handler.js
 */
"use strict";

const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS || 11);
const WARMUP = 2;

// Load the bundler from its TypeScript source (esbuild strips the types), so the bench measures the
// bundle the repository synthesizes, whether or not dist/ is built.
require.extensions[".ts"] = (module, filename) => {
  const { transformSync } = require("esbuild");
  const { code } = transformSync(fs.readFileSync(filename, "utf8"), { loader: "ts", format: "cjs", target: "node20", sourcefile: filename });
  /** @type {any} */ (module)._compile(code, filename);
};
const { bundleWebhookHandler } = require(path.join(ROOT, "constructs", "ecs", "webhook-handler-bundle.ts"));

const bundleDir = bundleWebhookHandler();
const bundleFile = path.join(bundleDir, "index.js");
const bytes = fs.readFileSync(bundleFile);
const gzipBytes = zlib.gzipSync(bytes, { level: 9 }).length;

/** @param {string[]} candidates */
function findPython(candidates) {
  for (const py of candidates) {
    const r = spawnSync(py, ["-c", "import boto3, sys; print(boto3.__version__, sys.version.split()[0], boto3.__file__)"], { encoding: "utf8" });
    if (r.status === 0) {
      const [boto3Version, pythonVersion, file] = r.stdout.trim().split(" ");
      return { py, boto3Version, pythonVersion, file };
    }
  }
  return undefined;
}
const python = findPython(process.env.BENCH_PYTHON ? [process.env.BENCH_PYTHON] : ["/usr/bin/python3", "python3"]);

/** @typedef {{ cmd: string, args: string[] }} Subject */
/** @type {Record<string, Subject>} */
const subjects = {
  "node (empty)": { cmd: process.execPath, args: ["-e", "0"] },
  "node: require(handler bundle)": { cmd: process.execPath, args: ["-e", `require(${JSON.stringify(bundleFile)}).handler`] },
};
if (python) {
  subjects["python (empty)"] = { cmd: python.py, args: ["-c", "pass"] };
  subjects["python: import boto3; boto3.client"] = { cmd: python.py, args: ["-c", "import boto3; boto3.client"] };
  subjects["  + boto3.client('ecs') (seed, info)"] = { cmd: python.py, args: ["-c", "import boto3; boto3.client('ecs', region_name='us-east-1')"] };
}

/** @param {Subject} s */
function once(s) {
  const started = process.hrtime.bigint();
  const r = spawnSync(s.cmd, s.args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true" } });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${s.cmd} ${s.args.join(" ")} failed:\n${r.stderr}`);
  return ms;
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** @type {Record<string, number[]>} */
const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (const [name, s] of Object.entries(subjects)) {
    const ms = once(s);
    if (i >= WARMUP) samples[name]?.push(ms);
  }
}
const m = (/** @type {string} */ name) => median(samples[name] ?? []);

console.log(`webhook handler bundle: ${bytes.length} bytes, ${gzipBytes} bytes gzip (${(bytes.length / 1024).toFixed(0)} KiB / ${(gzipBytes / 1024).toFixed(0)} KiB)`);
console.log(`cold module load, whole process, median of ${RUNS} runs (${WARMUP} warm-up), node ${process.version}` + (python ? `, python ${python.pythonVersion} + boto3 ${python.boto3Version} (${python.py})` : ""));
console.log("subject".padEnd(40) + "wall ms".padStart(10) + "net ms".padStart(10));
for (const name of Object.keys(subjects)) {
  const base = name.startsWith("node") ? m("node (empty)") : m("python (empty)");
  const net = name.endsWith("(empty)") ? "" : (m(name) - base).toFixed(0);
  console.log(name.padEnd(40) + m(name).toFixed(0).padStart(10) + net.padStart(10));
}

// The handler's load budget (information, never a gate: timings depend on the machine).
const requireNet = m("node: require(handler bundle)") - m("node (empty)");
console.log(`\nbudget: bundle ${(bytes.length / 1024).toFixed(1)} KiB of 50 KiB (${bytes.length <= 50 * 1024 ? "within" : "OVER"}), require ${requireNet.toFixed(0)} ms net of 20 ms (${requireNet <= 20 ? "within" : "OVER"})`);

if (!python) {
  console.log("\n!!! python3 with boto3 not found: no comparison. Install Debian's python3-boto3 (apt-get install -y python3-boto3) or set BENCH_PYTHON.");
} else {
  const node = m("node: require(handler bundle)");
  const py = m("python: import boto3; boto3.client");
  const nodeNet = node - m("node (empty)");
  const pyNet = py - m("python (empty)");
  console.log(`\nnode bundle / python boto3 = ${(node / py).toFixed(2)}× whole process, ${(nodeNet / pyNet).toFixed(2)}× net of the bare interpreter`);
}
