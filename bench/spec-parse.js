#!/usr/bin/env node
// @ts-check
/**
 * Spec-parse benchmark: the CPU time of validating the vending-machine benchmark's spec (1,000 and
 * 10,000 workspaces) with the spec schema's own parse and with `fastParse` (core/fast-parse.ts),
 * each in a fresh process, code cold as in a synth. Both give the same value (a test holds them to
 * it); the difference is what a valid spec no longer costs.
 *
 *   npm run build && node bench/spec-parse.js            (sizes 1000 10000, 5 runs each)
 *   BENCH_RUNS=9 node bench/spec-parse.js 1000
 */
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** The child: parse one way, print the CPU milliseconds. */
function child(/** @type {string} */ way, /** @type {number} */ n) {
  require("cdktf");
  const { fastParse, NOT_FAST } = require(path.join(ROOT, "dist", "core", "fast-parse.js"));
  const { specSchema } = require(path.join(ROOT, "dist", "vending-machine", "spec-schema.js"));
  const { generateSpec } = require("./vending-machine.js");
  const spec = generateSpec(n);
  const cpu0 = process.cpuUsage();
  const value = way === "fast" ? fastParse(specSchema, spec) : specSchema.parse(spec);
  const cpu = process.cpuUsage(cpu0);
  if (value === NOT_FAST) throw new Error("the benchmark spec did not take the fast way");
  process.stdout.write(String((cpu.user + cpu.system) / 1000));
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function main() {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const runs = Number(process.env.BENCH_RUNS || 5);
  console.log(`spec parse: the schema's parse vs fastParse, CPU ms, median of ${runs} fresh processes each, node ${process.version}`);
  for (const n of sizes.length > 0 ? sizes : [1000, 10000]) {
    /** @type {Record<string, number[]>} */
    const samples = { schema: [], fast: [] };
    for (let i = 0; i < runs; i++) {
      for (const way of i % 2 === 0 ? ["schema", "fast"] : ["fast", "schema"]) {
        const r = spawnSync(process.execPath, [module.filename, "--child", way, String(n)], { cwd: ROOT, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`${way} ${n} failed:\n${r.stderr}`);
        samples[way]?.push(Number(r.stdout));
      }
    }
    const schema = median(samples.schema ?? []);
    const fast = median(samples.fast ?? []);
    console.log(`${String(n).padStart(10)} workspaces: schema ${schema.toFixed(0)} ms, fastParse ${fast.toFixed(0)} ms (${(schema - fast).toFixed(0)} ms less)`);
  }
}

if (process.argv[2] === "--child") child(String(process.argv[3]), Number(process.argv[4]));
else main();
