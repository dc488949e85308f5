import * as fs from "fs";
import * as path from "path";

const GOLDEN_DIR = path.join(__dirname, "..", "__golden__");

/**
 * Compares `actual` with the golden file `__tests__/__golden__/<name>`. `UPDATE_GOLDEN=1` rewrites
 * it (review the diff); in CI a missing golden file fails instead of being written.
 */
export function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === "1" || (!fs.existsSync(file) && !process.env.CI)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) throw new Error(`golden file ${name} is missing: run UPDATE_GOLDEN=1 npx jest and commit it`);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}
