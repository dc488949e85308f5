#!/usr/bin/env node
// @ts-check
/**
 * Type-checks the kit and synthesizes every example against the LOWEST version of each peer
 * dependency range package.json claims (the highest are the devDependencies the tests run with).
 * Each peer at its lowest version is fetched from the npm registry with `npm pack`, unpacked into a
 * copy of the project whose other node_modules entries link to the project's own, and then
 * `tsc --noEmit` and the examples app run there. Run by .ci/run; `node scripts/check-peer-range.js`.
 *
 * Ranges must be caret ranges (`^21.0.0`): their lowest version is the one written.
 */
"use strict";

const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** @param {string} name @param {string} range */
function lowest(name, range) {
  const m = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`peer ${name}: range ${JSON.stringify(range)} is not a caret range; this check only knows ^x.y.z`);
  return m[1];
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "kit-peers-"));
const kit = path.join(work, "kit");
const packs = path.join(work, "packs");
fs.mkdirSync(packs);
try {
  // The project's tracked files (what a clean clone has).
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const f of files) {
    const to = path.join(kit, f);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (fs.existsSync(path.join(ROOT, f))) fs.copyFileSync(path.join(ROOT, f), to);
  }

  const peers = Object.entries(/** @type {Record<string, string>} */ (pkg.peerDependencies)).map(([name, range]) => ({ name, version: lowest(name, range) }));
  const replaced = new Set(peers.map((p) => p.name));
  // node_modules: links to the project's packages, except the peers, unpacked at their lowest version.
  const nm = path.join(kit, "node_modules");
  fs.mkdirSync(nm);
  for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
    if (entry.startsWith("@")) {
      fs.mkdirSync(path.join(nm, entry));
      for (const sub of fs.readdirSync(path.join(ROOT, "node_modules", entry))) {
        if (!replaced.has(`${entry}/${sub}`)) fs.symlinkSync(path.join(ROOT, "node_modules", entry, sub), path.join(nm, entry, sub));
      }
    } else if (!replaced.has(entry)) {
      fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(nm, entry));
    }
  }
  for (const { name, version } of peers) {
    const tgz = execFileSync(npm, ["pack", "--silent", `${name}@${version}`], { cwd: packs, encoding: "utf8" }).trim().split("\n").pop();
    const dest = path.join(nm, name);
    fs.mkdirSync(dest, { recursive: true });
    execFileSync("tar", ["-xzf", path.join(packs, /** @type {string} */ (tgz)), "-C", dest, "--strip-components=1"]);
    console.log(`peer ${name}@${version} (range ${pkg.peerDependencies[name]})`);
  }

  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"], { cwd: kit, stdio: "inherit" });
  console.log("typecheck: ok");
  const out = path.join(work, "cdktf.out");
  execFileSync(process.execPath, ["-r", "./bin/register-ts.js", "examples/app.ts"], { cwd: kit, stdio: "inherit", env: { ...process.env, CDKTF_OUTDIR: out } });
  const stacks = fs.readdirSync(path.join(out, "stacks"));
  if (stacks.length === 0) throw new Error("the examples app synthesized no stack");
  console.log(`synth: ${stacks.length} stacks (${stacks.join(", ")})`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
