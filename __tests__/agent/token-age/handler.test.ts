import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";
import { useBundledLambda } from "../../support/bundled-lambda";
import { TOKEN_AGE_LAMBDA_HANDLER, bundleTokenAge, tokenAgeEntry } from "../../../constructs/operations/token-age-bundle";
import { TokenAgeConfig, createTokenAgeHandler, parseRfc3339, parseTokenAgeConfig, tokenAgeRecords } from "../../../agent/token-age/handler";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const TOKENS = { blue: "2025-01-01T00:00:00Z", green: "2025-03-01T12:00:00Z" };
const ENV = { POOL_NAME: "age-pool", METRIC_NAMESPACE: "ScalrAgents/age-pool", TOKEN_CREATED_AT: JSON.stringify(TOKENS), ACTIVE_TOKEN: "green" };
/** 2025-03-31T12:00:00Z: 89.5 days after blue, exactly 30 days after green. */
const NOW = Date.UTC(2025, 2, 31, 12, 0, 0);

const emf = (namespace: string) => ({ Timestamp: NOW, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [["Pool", "Token"]], Metrics: [{ Name: "TokenAgeDays", Unit: "None" }] }] });

describe("the token-age core", () => {
  const config: TokenAgeConfig = parseTokenAgeConfig(ENV);

  test("reads its environment", () => {
    expect(config).toEqual({ pool: "age-pool", namespace: "ScalrAgents/age-pool", tokens: TOKENS, activeToken: "green" });
  });

  test("one EMF line per token, in the pool's order: TokenAgeDays in fractional days, dimensions Pool and Token, the active flag", () => {
    const { lines, unreadable } = tokenAgeRecords(NOW, config);
    expect(unreadable).toEqual([]);
    expect(lines.every((l) => l.endsWith("\n") && !l.slice(0, -1).includes("\n"))).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { _aws: emf("ScalrAgents/age-pool"), Pool: "age-pool", Token: "blue", TokenAgeDays: 89.5, active: false, createdAt: TOKENS.blue, message: "scalr agent pool token age" },
      { _aws: emf("ScalrAgents/age-pool"), Pool: "age-pool", Token: "green", TokenAgeDays: 30, active: true, createdAt: TOKENS.green, message: "scalr agent pool token age" },
    ]);
  });

  test("the age follows the clock: one hour later is 1/24 day more; fractional seconds and offsets count", () => {
    const later = tokenAgeRecords(NOW + 3_600_000, config).lines.map((l) => JSON.parse(l).TokenAgeDays);
    expect(later[0]).toBeCloseTo(89.5 + 1 / 24, 12);
    const offset = tokenAgeRecords(NOW, { ...config, tokens: { green: "2025-03-31T13:00:00.500+02:00" } }).lines.map((l) => JSON.parse(l).TokenAgeDays);
    // 13:00:00.500+02:00 is 11:00:00.500Z: one hour minus half a second before NOW.
    expect(offset[0]).toBeCloseTo((3_600_000 - 500) / 86_400_000, 12);
  });

  test.each([
    ["not a date", "soon"],
    ["a date without a time", "2025-03-01"],
    ["a form Date.parse takes but RFC 3339 does not", "March 1, 2025"],
    ["an impossible day (Date.parse rolls it over)", "2025-02-30T00:00:00Z"],
    ["hour 24", "2025-02-28T24:00:00Z"],
    ["no offset", "2025-03-01T12:00:00"],
    ["an empty string", ""],
  ])("a creation time that is %s gives a plain error line, and the other tokens still their metric", (_what, value) => {
    const { lines, unreadable } = tokenAgeRecords(NOW, { ...config, tokens: { blue: value, green: TOKENS.green } });
    expect(unreadable).toEqual(["blue"]);
    const [bad, good] = lines.map((l) => JSON.parse(l));
    expect(bad).toEqual({ level: "error", message: "scalr agent pool token creation time is not an RFC 3339 date-time", Pool: "age-pool", Token: "blue", active: false, createdAt: value });
    expect(bad._aws).toBeUndefined();
    expect(good).toMatchObject({ Token: "green", TokenAgeDays: 30, active: true });
  });

  test("RFC 3339 forms: lower-case separators and offsets are read", () => {
    expect(parseRfc3339("2025-03-01t12:00:00z")).toBe(Date.UTC(2025, 2, 1, 12));
    expect(parseRfc3339("2025-03-01T12:00:00-01:30")).toBe(Date.UTC(2025, 2, 1, 13, 30));
    expect(parseRfc3339("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
    expect(parseRfc3339("2025-02-29T00:00:00Z")).toBeUndefined();
  });

  test("fails naming each missing variable", () => {
    expect(() => parseTokenAgeConfig({ POOL_NAME: "age-pool" })).toThrow("token-age Lambda: environment variable(s) METRIC_NAMESPACE, TOKEN_CREATED_AT, ACTIVE_TOKEN must be set");
  });

  test.each([["not JSON", "{"], ["an array", "[]"], ["a non-string time", '{"blue": 1}'], ["null", "null"]])("fails when TOKEN_CREATED_AT is %s", (_what, value) => {
    expect(() => parseTokenAgeConfig({ ...ENV, TOKEN_CREATED_AT: value })).toThrow("token-age Lambda: TOKEN_CREATED_AT must be a JSON object of token names to creation times (strings)");
  });

  test("fails when the active token is not one of the tokens", () => {
    expect(() => parseTokenAgeConfig({ ...ENV, ACTIVE_TOKEN: "red" })).toThrow('token-age Lambda: ACTIVE_TOKEN "red" is not one of the tokens of TOKEN_CREATED_AT (blue, green)');
  });

  test("the handler writes every line first, then throws for an unreadable creation time (Lambda's Errors metric shows it)", async () => {
    const written: string[] = [];
    const handler = createTokenAgeHandler({ env: () => ({ ...ENV, TOKEN_CREATED_AT: JSON.stringify({ blue: "yesterday", green: TOKENS.green }) }), now: () => NOW, write: (l) => written.push(l) });
    await expect(handler({})).rejects.toThrow("token-age Lambda: creation time of token(s) blue is not an RFC 3339 date-time");
    expect(written.map((l) => JSON.parse(l).Token)).toEqual(["blue", "green"]);
  });

  test("the handler reads its environment once", async () => {
    const env = jest.fn(() => ENV);
    const handler = createTokenAgeHandler({ env, now: () => NOW, write: () => undefined });
    await handler();
    await handler();
    expect(env).toHaveBeenCalledTimes(1);
  });
});

describe("the bundled token-age Lambda", () => {
  const bundled = useBundledLambda((outDir) => bundleTokenAge({ outDir }), "token-age-", ENV);
  const handler = bundled.handler;
  afterEach(() => jest.useRealTimers());

  test("is one small index.js with the handler named by TOKEN_AGE_LAMBDA_HANDLER, built from the TypeScript source, without any AWS SDK", () => {
    expect(fs.readdirSync(bundled.dir())).toEqual(["index.js"]);
    expect(TOKEN_AGE_LAMBDA_HANDLER).toBe("index.handler");
    expect(path.relative(ROOT, tokenAgeEntry())).toBe(path.join("agent", "token-age", "handler.ts"));
    const code = fs.readFileSync(path.join(bundled.dir(), "index.js"), "utf8");
    expect(code.length).toBeLessThan(4 * 1024);
    expect(code).not.toMatch(/@smithy|@aws-sdk|sourceMappingURL/);
    for (const local of [ROOT, os.tmpdir(), "agent/token-age"]) expect(code).not.toContain(local);
  });

  test("is byte-identical across builds (stable asset hash)", () => {
    const other = bundleTokenAge({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), "token-age-b-")) });
    try {
      expect(fs.readFileSync(path.join(other, "index.js")).equals(fs.readFileSync(path.join(bundled.dir(), "index.js")))).toBe(true);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  test("on a scheduled event, writes one EMF line per token at the Lambda's clock", async () => {
    jest.useFakeTimers({ now: NOW, doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    // The scheduled event EventBridge sends (https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-scheduled.html): not read.
    await handler({ version: "0", id: "89d1a02d-5ec7-412e-82f5-13505f849b41", "detail-type": "Scheduled Event", source: "aws.events", time: "2025-03-31T12:00:00Z", resources: ["arn:aws:events:eu-west-1:123456789012:rule/age-pool-token-age"], detail: {} });
    expect(bundled.lines().map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ _aws: emf("ScalrAgents/age-pool"), Pool: "age-pool", Token: "blue", TokenAgeDays: 89.5, active: false }),
      expect.objectContaining({ _aws: emf("ScalrAgents/age-pool"), Pool: "age-pool", Token: "green", TokenAgeDays: 30, active: true }),
    ]);
  });
});

describe("the token-age Lambda from the compiled package layout", () => {
  let pkg: string;
  beforeAll(() => {
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), "token-age-pkg-"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pkg, "node_modules"), "dir");
    // tsc's output, one CommonJS file per source, as `npm run build` lays it out under dist/.
    for (const rel of ["constructs/operations/token-age-bundle.ts", "constructs/runtime/lambda-bundle.ts", "agent/token-age/handler.ts"]) {
      const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, rel), "utf8"), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
      fs.mkdirSync(path.join(pkg, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(pkg, rel.replace(/\.ts$/, ".js")), out);
    }
    // The build's copy step, writing into this layout instead of dist/.
    execFileSync(process.execPath, [path.join(ROOT, "scripts", "copy-handler-source.js"), path.relative(ROOT, pkg)], { cwd: ROOT, stdio: "pipe" });
  });
  afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

  test("the copy step ships the sources as agent/token-age/source, and they bundle to the very bytes the repository produces", () => {
    expect(fs.readdirSync(path.join(pkg, "agent", "token-age", "source"))).toEqual(fs.readdirSync(path.join(ROOT, "agent", "token-age")).filter((f) => f.endsWith(".ts")));
    const out = path.join(pkg, "out");
    const entry = execFileSync(
      process.execPath,
      ["-e", `const b = require("./constructs/operations/token-age-bundle.js"); b.bundleTokenAge({ outDir: ${JSON.stringify(out)} }); process.stdout.write(b.tokenAgeEntry());`],
      { cwd: pkg, encoding: "utf8" },
    );
    expect(path.relative(pkg, entry)).toBe(path.join("agent", "token-age", "source", "handler.ts"));
    const repository = bundleTokenAge({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), "token-age-repo-")) });
    try {
      expect(fs.readFileSync(path.join(out, "index.js")).equals(fs.readFileSync(path.join(repository, "index.js")))).toBe(true);
    } finally {
      fs.rmSync(repository, { recursive: true, force: true });
    }
  });
});
