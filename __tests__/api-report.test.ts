// The package's public API, as index.ts exports it, is recorded in etc/cdktf-scalr-kit.api.md
// (API Extractor's report, committed). This test regenerates the report from the sources and fails
// when the committed one differs: a change to the public API shows up in review as a diff of that
// file. Everything it writes goes to a temporary folder, never into the repository.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConsoleMessageId, Extractor, ExtractorConfig, ExtractorLogLevel, ExtractorMessage } from "@microsoft/api-extractor";
import { emitDeclarations } from "./support/declarations";

const ROOT = path.join(__dirname, "..");
const CONFIG = path.join(ROOT, "api-extractor.json");

/**
 * Emits the declarations of index.ts and of what it imports (not of the whole project: tests,
 * examples and unreached files are left out), laid out as the build lays out dist/, so they are
 * the dist/*.d.ts `npm run api` reads. The kit's dependencies resolve through a link to node_modules.
 */
function emitEntryDeclarations(outDir: string): void {
  emitDeclarations(outDir, () => [path.join(ROOT, "index.ts")]);
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(outDir, "node_modules"), "dir");
}

describe("the API report", () => {
  let tmp: string | undefined;
  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test(
    "etc/cdktf-scalr-kit.api.md is up to date with index.ts",
    () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kit-api-report-"));
      const dts = path.join(tmp, "dts");
      emitEntryDeclarations(dts);

      // api-extractor.json as `npm run api` uses it, reading these declarations and writing its
      // report to the temporary folder; not a local build, so it never touches etc/.
      const configObject = ExtractorConfig.loadFile(CONFIG);
      configObject.mainEntryPointFilePath = path.join(dts, "index.d.ts");
      configObject.apiReport = { ...configObject.apiReport, enabled: true, reportTempFolder: path.join(tmp, "report") };
      const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: CONFIG, packageJsonFullPath: path.join(ROOT, "package.json") });

      const errors: string[] = [];
      let diff = "";
      const result = Extractor.invoke(config, {
        localBuild: false,
        printApiReportDiff: true,
        messageCallback: (message: ExtractorMessage) => {
          message.handled = true; // nothing on the console: the assertions say what matters
          if (message.messageId === ConsoleMessageId.ApiReportDiff) diff = message.text;
          else if (message.logLevel === ExtractorLogLevel.Error) errors.push(message.formatMessageWithLocation(ROOT));
        },
      });
      expect(errors).toEqual([]);

      if (result.apiReportChanged) {
        const committed = path.relative(ROOT, path.join(config.reportFolder, config.reportConfigs[0]!.fileName));
        const state = fs.existsSync(path.join(ROOT, committed)) ? "stale" : "missing";
        throw new Error(
          `${committed} is ${state}: the public API (what index.ts exports, and the signatures of those exports) changed. ` +
            `Run \`npm run api\` to regenerate it, then review the diff (\`git diff ${committed}\`) and commit it with your change.\n\n${diff.slice(0, 8000)}`,
        );
      }
    },
    120_000,
  );
});
