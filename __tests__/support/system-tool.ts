import { spawnSync } from "child_process";

/**
 * Tests that run a real validator (cloud-init, systemd-analyze, shellcheck, python3) use this.
 * In CI (`CI=true`) a missing tool FAILS the test: `.ci/run` installs them, so a missing one means
 * the validation silently stopped. Elsewhere the test is skipped with a loud message, so a laptop
 * without the tools can still run the suite.
 */
export function hasSystemTool(name: string, versionArgs: readonly string[] = ["--version"]): boolean {
  const key = [name, ...versionArgs].join("\0");
  let found = probed.get(key);
  if (found === undefined) {
    const probe = spawnSync(name, [...versionArgs], { encoding: "utf8" });
    found = !probe.error && probe.status === 0;
    probed.set(key, found);
  }
  return found;
}

/** Probe results per tool and arguments: a suite registers many tests per tool. */
const probed = new Map<string, boolean>();

/**
 * `test` that needs `tools`; see {@link hasSystemTool} for what happens when one is missing.
 * @param tools `[name, versionArgs?]` pairs, e.g. `[["shellcheck"], ["systemd-analyze", ["--version"]]]`
 */
export function testWithTools(
  title: string,
  tools: readonly (readonly [name: string, versionArgs?: readonly string[]])[],
  fn: jest.ProvidesCallback,
  timeoutMs?: number,
): void {
  const missing = tools.filter(([name, args]) => !hasSystemTool(name, args)).map(([name]) => name);
  if (missing.length === 0) {
    test(title, fn, timeoutMs);
    return;
  }
  if (process.env.CI === "true") {
    test(title, () => {
      throw new Error(`${missing.join(", ")} not found: CI must install it (see .ci/run), or this validation does not run`);
    });
    return;
  }
  console.warn(`\n*** SKIPPED "${title}": ${missing.join(", ")} not installed. CI=true would fail here. ***\n`);
  test.skip(title, fn);
}
