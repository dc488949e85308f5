import { KIT_RULE_AREAS, KitRule } from "./rule";
import { KIT_RULES } from "./rules";

/** The markers of docs/kitchecks.md between which the rules table is generated. */
export const RULES_TABLE_MARKERS = { start: "<!-- rules:start -->", end: "<!-- rules:end -->" } as const;

/**
 * The rules table of docs/kitchecks.md, from the rules' own metadata: id, area, what the rule
 * checks (its name, description and rationale), severity and the public source it rests on, one
 * row per rule in list order.
 * `npm run docs:rules` writes it into the document; a test fails when the committed one is stale.
 */
export function renderRulesTable(rules: readonly KitRule[] = KIT_RULES): string {
  const rows = rules.map((r) => {
    const source = r.source ? `[${cell(r.source.title)}](${r.source.url})` : "— (the kit's own policy)";
    return `| \`${r.id}\` | ${KIT_RULE_AREAS[r.area]} | **${r.name}**: ${cell(r.description)}<br>*Why:* ${cell(r.rationale)} | ${r.severity} | ${source} |`;
  });
  return ["| Id | Area | What it checks | Severity | Source |", "|----|------|----------------|----------|--------|", ...rows].join("\n");
}

/**
 * `markdown` with everything between the rules table markers replaced by `table` (the markers
 * stay). Throws when the markers are missing or out of order.
 */
export function spliceRulesTable(markdown: string, table: string): string {
  const { start, end } = RULES_TABLE_MARKERS;
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document has no ${start} … ${end} region for the rules table`);
  const generated = `\n<!-- Generated from the rules' metadata by \`npm run docs:rules\`: edit the rules, not this table. -->\n\n${table}\n\n`;
  return markdown.slice(0, from + start.length) + generated + markdown.slice(to);
}

/** Text for one table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}
