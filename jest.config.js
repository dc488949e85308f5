/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (tsconfig isolatedModules); `npm run typecheck` type-checks everything once.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
  maxWorkers: "50%",
};
