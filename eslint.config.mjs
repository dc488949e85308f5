// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Root imports of the prebuilt providers load every binding: ~2.5 s and ~425 MB per process for AWS. */
export const providerRootImports = {
  paths: ["aws", "kubernetes", "helm"].flatMap((p) => [
    {
      name: `@cdktf/provider-${p}`,
      message: `Import the resource you need from @cdktf/provider-${p}/lib/<resource> (the package root loads every binding).`,
    },
    {
      name: `@cdktf/provider-${p}/lib`,
      message: `Import the resource you need from @cdktf/provider-${p}/lib/<resource>.`,
    },
    {
      name: `@cdktf/provider-${p}/lib/index`,
      message: `Import the resource you need from @cdktf/provider-${p}/lib/<resource>.`,
    },
  ]),
};

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "cdktf.out/", "coverage/", "temp/", "docs/api/", "providers/scalr/generated/", "examples/platform-repo/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", providerRootImports],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" } },
    rules: {
      "@typescript-eslint/no-require-imports": "off",
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.name='require'][arguments.0.value=/^@cdktf\\/provider-(aws|kubernetes|helm)(\\/lib(\\/index)?)?$/]",
          message: "Require the resource you need from @cdktf/provider-<name>/lib/<resource>.",
        },
      ],
    },
  },
);
