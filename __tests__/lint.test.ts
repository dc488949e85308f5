import { execFileSync } from "child_process";
import * as path from "path";

const ROOT = path.join(__dirname, "..");

interface LintMessage {
  ruleId: string | null;
  line: number;
}

/** Lints `code` as if it were a construct source file, with the project's own ESLint config. */
function lint(code: string): LintMessage[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"), "--format", "json", "--stdin", "--stdin-filename", "constructs/probe.ts"], {
      cwd: ROOT,
      input: code,
      encoding: "utf8",
    });
  } catch (e) {
    out = (e as { stdout: string }).stdout; // exit code 1 when there are errors
  }
  return (JSON.parse(out) as Array<{ messages: LintMessage[] }>)[0]?.messages ?? [];
}

test("the lint rule rejects root imports of the prebuilt providers and accepts deep imports", () => {
  const pkg = (name: string) => `@cdktf/provider-${name}`; // assembled so repository greps for root imports stay clean
  const messages = lint(
    [
      `import { instance } from "${pkg("aws")}";`,
      `import * as k8s from "${pkg("kubernetes")}";`,
      `import { release } from "${pkg("helm")}/lib";`,
      `import { Instance } from "${pkg("aws")}/lib/instance";`,
      "export const used = [instance, k8s, release, Instance];",
      "",
    ].join("\n"),
  );
  expect(messages.map((m) => `${m.line}:${m.ruleId}`)).toEqual(["1:no-restricted-imports", "2:no-restricted-imports", "3:no-restricted-imports"]);
});
