#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench`: what importing the package entry costs, compared with importing `cdktf` alone.
 * Whole-process wall time and resident memory of `node -e "require(X)"`, after warm-up runs, median
 * of RUNS runs each, interleaved so machine noise hits both sides alike. Budget: entry ≤ 1.3× cdktf.
 * The entry is lazy (scripts/lazy-index.js), so the cost of first use of a construct is shown too.
 *
 *   npm run bench              (builds dist/ first)
 *   BENCH_RUNS=21 node bench/run.js
 */
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS || 11);
const WARMUP = 2;
const BUDGET = 1.3;

const subjects = {
  "node (empty)": "0",
  "require('cdktf')": "require('cdktf')",
  "require('cdktf-scalr-kit')": `require(${JSON.stringify(path.join(ROOT, "dist", "index.js"))})`,
  // What a program that uses the kit pays: the entry is lazy, so this is the honest figure.
  "  .AgentPool (first use)": `require(${JSON.stringify(path.join(ROOT, "dist", "index.js"))}).AgentPool`,
};

/** @param {string} code */
function once(code) {
  const script = `${code};process.stdout.write(JSON.stringify({rss:process.memoryUsage().rss}))`;
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${code} failed:\n${r.stderr}`);
  return { wallMs, rssMiB: JSON.parse(r.stdout).rss / 2 ** 20 };
}

/** @param {number[]} xs */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** @type {Record<string, {wallMs: number[], rssMiB: number[]}>} */
const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, { wallMs: [], rssMiB: [] }]));
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (const [name, code] of Object.entries(subjects)) {
    const s = once(code);
    if (i >= WARMUP) {
      samples[name]?.wallMs.push(s.wallMs);
      samples[name]?.rssMiB.push(s.rssMiB);
    }
  }
}

console.log(`import cost, whole process, median of ${RUNS} runs (${WARMUP} warm-up), node ${process.version}`);
console.log("subject".padEnd(30) + "wall ms".padStart(10) + "RSS MiB".padStart(10));
for (const [name, s] of Object.entries(samples)) {
  console.log(name.padEnd(30) + median(s.wallMs).toFixed(0).padStart(10) + median(s.rssMiB).toFixed(1).padStart(10));
}
const base = median(samples["require('cdktf')"]?.wallMs ?? []);
const kit = median(samples["require('cdktf-scalr-kit')"]?.wallMs ?? []);
const ratio = kit / base;
const used = median(samples["  .AgentPool (first use)"]?.wallMs ?? []);
const verdict = ratio <= BUDGET ? "within" : "OVER";
console.log(`\nentry / cdktf = ${ratio.toFixed(2)}× (${verdict} the ${BUDGET}× budget)`);
console.log(`entry + AgentPool / cdktf = ${(used / base).toFixed(2)}× (for information: loads cdktf, zod and the pool's bindings)`);
process.exit(ratio <= BUDGET ? 0 : 1);
