#!/usr/bin/env node
// Copies the TypeScript sources of the code the kit bundles into Lambda functions at synth (the
// serverless webhook handler, the autoscaler) into dist/agent/<folder>/source/, so a build from the
// installed package bundles exactly what the repository bundles (ES modules tree-shake the AWS
// SDK; tsc's CommonJS output does not): same bytes, same Lambda asset hash.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
for (const folder of ["serverless", "autoscaler"]) {
  const from = path.join(root, "agent", folder);
  const to = path.join(root, process.argv[2] ?? "dist", "agent", folder, "source");
  fs.mkdirSync(to, { recursive: true });
  for (const file of fs.readdirSync(from)) {
    if (file.endsWith(".ts")) fs.copyFileSync(path.join(from, file), path.join(to, file));
  }
}
