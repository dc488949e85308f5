// @ts-check
/**
 * Writes the KitChecks rules table into docs/kitchecks.md, between `<!-- rules:start -->` and
 * `<!-- rules:end -->`, from the rules' own metadata (constructs/checks/rules/all-rules.ts). Run it
 * with `npm run docs:rules` after adding or changing a rule; a test fails while the committed table
 * is stale. `--check` only reports whether the table is current (exit code 1 when it is not).
 */
"use strict";

const fs = require("fs");
const path = require("path");
require("../bin/register-ts.js");

const { renderRulesTable, spliceRulesTable } = require("../constructs/checks/rules-table.ts");

const DOC = path.join(__dirname, "..", "docs", "kitchecks.md");
const current = fs.readFileSync(DOC, "utf8");
const updated = spliceRulesTable(current, renderRulesTable());
const relative = path.relative(process.cwd(), DOC);

if (process.argv.includes("--check")) {
  if (updated !== current) {
    console.error(`${relative}: the rules table is stale; run \`npm run docs:rules\``);
    process.exit(1);
  }
  console.log(`${relative}: the rules table is current`);
} else if (updated === current) {
  console.log(`${relative}: the rules table is current`);
} else {
  fs.writeFileSync(DOC, updated);
  console.log(`${relative}: rules table written`);
}
