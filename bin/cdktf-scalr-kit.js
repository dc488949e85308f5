#!/usr/bin/env node
// @ts-check
/**
 * The `cdktf-scalr-kit` command (package.json `bin`): `npx cdktf-scalr-kit validate spec.yaml`.
 * An installed package runs the compiled CLI from dist/; a checkout of the repository (where the
 * TypeScript sources sit next to this file) runs the sources, transpiled on load by esbuild, so
 * the command never runs a stale build.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const source = path.join(root, "vending-machine", "cli.ts");
/** @type {{ runCli: (argv: readonly string[]) => number }} */
let cli;
if (fs.existsSync(source)) {
  require("./register-ts.js");
  cli = require(source);
} else {
  cli = require(path.join(root, "dist", "vending-machine", "cli.js"));
}
process.exitCode = cli.runCli(process.argv.slice(2));
