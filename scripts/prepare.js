#!/usr/bin/env node
// @ts-check
/**
 * npm's `prepare` script. npm runs `prepare` (not `prepack`) when it installs the package from a
 * git URL (https://docs.npmjs.com/cli/v10/using-npm/scripts#life-cycle-scripts: "prepare … Runs
 * … on local npm install without any arguments … before the package is packaged" and for git
 * dependencies after their devDependencies are installed), so a git install builds `dist/` here.
 * In a clone that already has a build it does nothing: `npm ci` stays fast, and `cdktf synth` and
 * `npm pack` (prepack) build anyway.
 */
"use strict";

const { execSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
if (fs.existsSync(path.join(root, "dist", "index.js"))) process.exit(0);
execSync("npm run --silent build", { cwd: root, stdio: "inherit" });
