const fs = require("fs");
const os = require("os");

// Loading @cdktf/commons (the bindings check) spawns `terraform version`, which complains about a
// missing CLI config file; child processes see the real environment, so set it here, once.
if (!process.env.TF_CLI_CONFIG_FILE || !fs.existsSync(process.env.TF_CLI_CONFIG_FILE)) process.env.TF_CLI_CONFIG_FILE = os.devNull;
process.env.CHECKPOINT_DISABLE = "1";
// The webhook handler's AWS SDK warns once per process on Node < 22. The handler runs on Lambda's
// nodejs22.x (constructs/ecs/webhook-handler-bundle.ts) and CI also runs the suite on Node 22, so
// the warning says nothing about the kit when the tests run on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (tsconfig isolatedModules); `npm run typecheck` type-checks everything once.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  // Every core: the slow suites wait on child processes (cloud-init, systemd-analyze, shellcheck,
  // python3, tsc), so two workers on two cores cut the wall time by a third (75 s -> 50 s).
  maxWorkers: "100%",
};
