/**
 * A bundled Lambda run in-process, as Lambda runs it: the bundle built once into a temporary
 * directory, its `index.js` loaded with `env` in the process environment, and every line it writes
 * to stdout captured per test. Registers the jest hooks of the enclosing describe block.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export interface BundledLambda {
  /** The bundle's directory. */
  readonly dir: () => string;
  /** The loaded `handler` export. */
  readonly handler: (event?: unknown) => Promise<void>;
  /** The lines written to stdout in the current test. */
  readonly lines: () => string[];
}

export function useBundledLambda(bundle: (outDir: string) => string, prefix: string, env: Readonly<Record<string, string>>): BundledLambda {
  let dir = "";
  let loaded: ((event?: unknown) => Promise<void>) | undefined;
  let lines: string[] = [];
  let writeSpy: jest.SpyInstance | undefined;
  const saved = { ...process.env };
  beforeAll(() => {
    dir = bundle(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    Object.assign(process.env, env);
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(path.join(dir, "index.js")).handler;
    });
  });
  afterAll(() => {
    process.env = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
    writeSpy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => writeSpy?.mockRestore());
  return {
    dir: () => dir,
    handler: (event) => (loaded as (event?: unknown) => Promise<void>)(event),
    lines: () => lines,
  };
}
