import * as fs from "fs";
import * as path from "path";
import { KIT_RULES, KitRule } from "../../../constructs/checks";
import { RULES_TABLE_MARKERS, renderRulesTable, spliceRulesTable } from "../../../constructs/checks/rules-table";
import { KIT_NET_2 } from "../../../constructs/checks/rules/network/no-ingress";

const DOC = path.join(__dirname, "..", "..", "..", "docs", "kitchecks.md");

describe("the rules table of docs/kitchecks.md", () => {
  test("is the one generated from the rules' metadata (run `npm run docs:rules` when this fails)", () => {
    const committed = fs.readFileSync(DOC, "utf8");
    const generated = spliceRulesTable(committed, renderRulesTable());
    if (generated !== committed) {
      throw new Error("docs/kitchecks.md: the rules table is stale: run `npm run docs:rules` and commit the result");
    }
  });

  test("has one row per rule with its id, area, name, severity and source link", () => {
    const rows = renderRulesTable().split("\n").slice(2);
    expect(rows).toHaveLength(KIT_RULES.length);
    expect(KIT_RULES).toHaveLength(22);
    expect(rows[4]).toBe(
      `| \`KIT-NET-2\` | Network | **no-ingress**: ${KIT_NET_2.description}<br>*Why:* ${KIT_NET_2.rationale} | error | [${KIT_NET_2.source?.title}](${KIT_NET_2.source?.url}) |`,
    );
  });

  test("keeps each cell on one line with pipes escaped, and names the kit's policy when a rule has no source", () => {
    const rule: KitRule = { ...KIT_NET_2, description: "a | b\nc", source: undefined };
    expect(renderRulesTable([rule]).split("\n")[2]).toBe(`| \`KIT-NET-2\` | Network | **no-ingress**: a \\| b c<br>*Why:* ${KIT_NET_2.rationale} | error | — (the kit's own policy) |`);
  });

  test("replaces only what lies between the markers, and needs both", () => {
    const doc = `# Title\n\n${RULES_TABLE_MARKERS.start}\nold table\n${RULES_TABLE_MARKERS.end}\n\nAfter.\n`;
    const spliced = spliceRulesTable(doc, "| new |");
    expect(spliced.startsWith(`# Title\n\n${RULES_TABLE_MARKERS.start}\n`)).toBe(true);
    expect(spliced.endsWith(`\n\n| new |\n\n${RULES_TABLE_MARKERS.end}\n\nAfter.\n`)).toBe(true);
    expect(spliced).not.toContain("old table");
    expect(spliceRulesTable(spliced, "| new |")).toBe(spliced);
    expect(() => spliceRulesTable("# No markers\n", "| t |")).toThrow(/no <!-- rules:start --> … <!-- rules:end --> region/);
  });
});
