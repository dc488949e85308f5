import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { WEBHOOK_HANDLER_LAMBDA_HANDLER, bundleWebhookHandler, webhookHandlerEntry } from "../../../constructs/ecs/webhook-handler-bundle";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let dir: string;
let code: Buffer;
beforeAll(() => {
  dir = bundleWebhookHandler({ outDir: tmp("bundle-a-") });
  made.push(dir);
  code = fs.readFileSync(path.join(dir, "index.js"));
});

describe("bundleWebhookHandler", () => {
  test("writes one index.js exporting the Lambda handler named by WEBHOOK_HANDLER_LAMBDA_HANDLER", () => {
    expect(fs.readdirSync(dir)).toEqual(["index.js"]);
    expect(WEBHOOK_HANDLER_LAMBDA_HANDLER).toBe("index.handler");
    let mod: { handler?: unknown } = {};
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(path.join(dir, "index.js"));
    });
    expect(typeof mod.handler).toBe("function");
  });

  test("bundles from the TypeScript sources when they are there", () => {
    expect(path.relative(ROOT, webhookHandlerEntry())).toBe(path.join("agent", "serverless", "handler.ts"));
  });

  test("is minified, without source map, absolute paths or machine-specific strings", () => {
    const text = code.toString("utf8");
    expect(text).not.toContain("sourceMappingURL");
    for (const local of [ROOT, os.tmpdir(), os.homedir(), "node_modules/", "agent/serverless"]) expect(text).not.toContain(local);
    expect(text.length / text.split("\n").length).toBeGreaterThan(2_000); // minified: long lines
  });

  test("is byte-identical across builds, output directories and working directories (stable asset hash)", () => {
    const cwd = process.cwd();
    const elsewhere = tmp("bundle-cwd-");
    made.push(elsewhere);
    process.chdir(elsewhere);
    try {
      const other = bundleWebhookHandler({ outDir: path.join(elsewhere, "nested", "out") });
      expect(fs.readFileSync(path.join(other, "index.js")).equals(code)).toBe(true);
    } finally {
      process.chdir(cwd);
    }
  });

  test("stays within 50 KiB: no AWS SDK (the handler signs its ECS calls) and zod/mini (full zod alone adds ~240 KB)", () => {
    expect(code.length).toBeLessThanOrEqual(50 * 1024);
    expect(code.toString("utf8")).not.toMatch(/@smithy|@aws-sdk|smithy-client/);
  });

  test("without outDir, builds once per process into a temporary directory and reuses it", () => {
    const a = bundleWebhookHandler();
    made.push(a); // removed at process exit too, but jest's sandboxed `process` may not see that event
    const b = bundleWebhookHandler();
    expect(b).toBe(a);
    expect(path.relative(os.tmpdir(), a).startsWith("..")).toBe(false);
    expect(fs.readFileSync(path.join(a, "index.js")).equals(code)).toBe(true);
  });

  describe("from the compiled package layout (dist/constructs/ecs → dist/agent/serverless)", () => {
    let pkg: string;
    beforeAll(() => {
      pkg = tmp("kit-layout-");
      made.push(pkg);
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
      const compile = (rel: string) => {
        const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, rel), "utf8"), {
          compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
        }).outputText;
        fs.mkdirSync(path.join(pkg, path.dirname(rel)), { recursive: true });
        fs.writeFileSync(path.join(pkg, rel.replace(/\.ts$/, ".js")), out);
      };
      compile("constructs/ecs/webhook-handler-bundle.ts");
      compile("constructs/runtime/lambda-bundle.ts");
      for (const folder of ["serverless", "aws"]) for (const f of fs.readdirSync(path.join(ROOT, "agent", folder))) if (f.endsWith(".ts")) compile(path.join("agent", folder, f));
    });
    const bundleThere = (outDir: string) =>
      execFileSync(
        process.execPath,
        ["-e", `const b = require("./constructs/ecs/webhook-handler-bundle.js"); const d = b.bundleWebhookHandler({ outDir: ${JSON.stringify(outDir)} }); const h = require(d + "/index.js").handler; process.stdout.write(JSON.stringify([b.webhookHandlerEntry(), typeof h]));`],
        { cwd: pkg, encoding: "utf8" },
      );

    test("bundles tsc's JavaScript when the sources are not shipped", () => {
      const out = path.join(pkg, "out-js");
      const [entry, kind] = JSON.parse(bundleThere(out));
      expect(path.relative(pkg, entry)).toBe(path.join("agent", "serverless", "handler.js"));
      expect(kind).toBe("function");
    });

    test("bundles the shipped sources (agent/serverless/source) to the very bytes the repository produces", () => {
      const source = path.join(pkg, "agent", "serverless", "source");
      fs.mkdirSync(source);
      for (const f of fs.readdirSync(path.join(ROOT, "agent", "serverless"))) if (f.endsWith(".ts")) fs.copyFileSync(path.join(ROOT, "agent", "serverless", f), path.join(source, f));
      // What both Lambdas share ships next to the sources (scripts/copy-handler-source.js).
      const shared = path.join(pkg, "agent", "serverless", "aws");
      fs.mkdirSync(shared);
      for (const f of fs.readdirSync(path.join(ROOT, "agent", "aws"))) if (f.endsWith(".ts")) fs.copyFileSync(path.join(ROOT, "agent", "aws", f), path.join(shared, f));
      const out = path.join(pkg, "out-ts");
      const [entry] = JSON.parse(bundleThere(out));
      expect(path.relative(pkg, entry)).toBe(path.join("agent", "serverless", "source", "handler.ts"));
      expect(fs.readFileSync(path.join(out, "index.js")).equals(code)).toBe(true);
    });
  });
});
