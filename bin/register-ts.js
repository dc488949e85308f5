// @ts-check
/**
 * Lets Node load the kit's TypeScript sources directly (in a checkout, without `npm run build`):
 * each `.ts` file is transpiled on require with esbuild (a dependency of the package), one file at a
 * time, like `tsc` with `isolatedModules`. Not used in an installed package, which runs `dist/`.
 */
"use strict";

const fs = require("fs");
const { transformSync } = require("esbuild");

if (!require.extensions[".ts"]) {
  require.extensions[".ts"] = (module, filename) => {
    const { code } = transformSync(fs.readFileSync(filename, "utf8"), { loader: "ts", format: "cjs", target: "node20", sourcefile: filename });
    /** @type {any} */ (module)._compile(code, filename);
  };
}
