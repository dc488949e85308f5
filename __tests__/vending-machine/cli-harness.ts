import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runCli } from "../../vending-machine/cli";

/** The repository's root, where the bin shim and the examples are. */
export const ROOT = path.join(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "cdktf-scalr-kit.js");

/** Runs the command as a user would (a fresh process through the bin shim): slow, so only for the exit paths. */
export function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Runs the same command line in this process, files read and written relative to `cwd`. */
export function runHere(args: string[], cwd: string) {
  let out = "";
  let err = "";
  const code = runCli(args, {
    out: (line) => (out += `${line}\n`),
    err: (line) => (err += `${line}\n`),
    readFile: (file) => fs.readFileSync(path.resolve(cwd, file), "utf8"),
    writeFile: (file, content, mode) => {
      const abs = path.resolve(cwd, file);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content, { mode });
    },
  });
  return { code, out, err };
}
