#!/usr/bin/env node
// Copies the TypeScript sources of the code the kit bundles into Lambda functions at synth (the
// serverless webhook handler, the autoscaler, the token-age metric) into
// dist/agent/<folder>/source/, so a build from the installed package bundles exactly what the
// repository bundles (ES modules tree-shake; tsc's CommonJS output does not): same bytes, same
// Lambda asset hash.
const fs = require("fs");
const path = require("path");

// What the serverless and autoscaler Lambdas share (agent/aws) is copied next to each one's sources,
// as dist/agent/<folder>/aws/, so the sources' `../aws/…` imports resolve from
// dist/agent/<folder>/source/. The token-age Lambda imports nothing outside its folder.
const root = path.resolve(__dirname, "..");
const out = path.join(root, process.argv[2] ?? "dist", "agent");
const copyTs = (/** @type {string} */ from, /** @type {string} */ to) => {
  fs.mkdirSync(to, { recursive: true });
  for (const file of fs.readdirSync(from)) {
    if (file.endsWith(".ts")) fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
};
for (const folder of ["serverless", "autoscaler"]) {
  copyTs(path.join(root, "agent", folder), path.join(out, folder, "source"));
  copyTs(path.join(root, "agent", "aws"), path.join(out, folder, "aws"));
}
copyTs(path.join(root, "agent", "token-age"), path.join(out, "token-age", "source"));
