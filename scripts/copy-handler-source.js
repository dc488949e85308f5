#!/usr/bin/env node
// Copies the webhook handler's TypeScript sources into dist/agent/serverless/source/, so a build
// from the installed package bundles exactly what the repository bundles (ES modules tree-shake the
// AWS SDK; tsc's CommonJS output does not): same bytes, same Lambda asset hash.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const from = path.join(root, "agent", "serverless");
const to = path.join(root, process.argv[2] ?? "dist", "agent", "serverless", "source");
fs.mkdirSync(to, { recursive: true });
for (const file of fs.readdirSync(from)) {
  if (file.endsWith(".ts")) fs.copyFileSync(path.join(from, file), path.join(to, file));
}
