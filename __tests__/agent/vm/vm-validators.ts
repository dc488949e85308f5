import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The real validators every VM document goes through, shared by the golden-file suite and the
 * fleet example's test: `cloud-init schema`, `systemd-analyze verify` in a temporary root,
 * `shellcheck`. Temporary directories are removed by {@link cleanUpValidatorDirs}.
 */
const tmpDirs: string[] = [];

/** A fresh temporary directory, removed by {@link cleanUpValidatorDirs}. */
export function validatorTmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

/** Removes every directory {@link validatorTmpDir} created (call in `afterAll`). */
export function cleanUpValidatorDirs(): void {
  tmpDirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
}

/** Runs a command; its exit status and combined output. */
export function runTool(cmd: string, args: readonly string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", input });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** `cloud-init schema` on a document. */
export function cloudInitSchema(document: string): { status: number | null; out: string } {
  const file = path.join(validatorTmpDir("vm-cc-"), "user-data.yaml");
  fs.writeFileSync(file, document);
  return runTool("cloud-init", ["schema", "--config-file", file]);
}

/** `shellcheck` on one bash script. */
export function shellcheck(name: string, content: string): { status: number | null; out: string } {
  return shellcheckAll([{ name, content }]);
}

/**
 * `shellcheck` on many bash scripts in one process (each script once, however many documents ship
 * it); the output names each failing script by `name` (a file name, no directory).
 */
export function shellcheckAll(scripts: readonly { readonly name: string; readonly content: string }[]): { status: number | null; out: string } {
  const dir = validatorTmpDir("vm-sh-");
  const files = scripts.map((s) => {
    const file = path.join(dir, path.basename(s.name));
    fs.writeFileSync(file, s.content);
    return file;
  });
  const r = runTool("shellcheck", ["--shell=bash", "--severity=style", ...files]);
  return { status: r.status, out: r.out.split(`${dir}/`).join("") };
}

/**
 * The system Python that has cloud-init's modules. `python3` on PATH may be another one (pyenv)
 * without them, so the checks below name the system interpreter.
 */
export const SYSTEM_PYTHON = "/usr/bin/python3";
/** The tool probe for {@link pythonChecks}: the system Python importing cloud-init's schema and PyYAML. */
export const SYSTEM_PYTHON_WITH_CLOUD_INIT: readonly [string, readonly string[]] = [SYSTEM_PYTHON, ["-c", "import cloudinit.config.schema, yaml"]];

/** The oldest Python 3 on a supported image: 3.9 on Amazon Linux 2023 and Rocky Linux 9. */
export const OLDEST_VM_PYTHON: readonly [number, number] = [3, 9];

const PYTHON_CHECKS = `
import ast, json, sys
import yaml
from cloudinit.config.schema import SchemaValidationError, get_schema, validate_cloudconfig_schema

request = json.load(sys.stdin)
schema = get_schema()
out = {"documents": {}, "programs": {}}
for d in request["documents"]:
    result = {"parsed": None, "schemaError": None}
    try:
        config = yaml.safe_load(d["content"])
        result["parsed"] = config
        # What \`cloud-init schema --config-file\` checks, without a process per document.
        if not d["content"].startswith("#cloud-config\\n"):
            result["schemaError"] = "does not begin with #cloud-config"
        elif not isinstance(config, dict):
            result["schemaError"] = "is not a mapping"
        else:
            validate_cloudconfig_schema(config, schema, strict=True, log_details=False)
    except SchemaValidationError as e:
        result["schemaError"] = str(e)
    except yaml.YAMLError as e:
        result["schemaError"] = "is not valid YAML: %s" % e
    out["documents"][d["name"]] = result
for p in request["programs"]:
    try:
        ast.parse(p["source"], filename=p["name"], feature_version=tuple(request["featureVersion"]))
        compile(p["source"], p["name"], "exec")
        out["programs"][p["name"]] = None
    except SyntaxError as e:
        out["programs"][p["name"]] = "%s line %s: %s" % (p["name"], e.lineno, e.msg)
json.dump(out, sys.stdout)
`;

/** What {@link pythonChecks} found per document and per program. */
export interface PythonCheckResults {
  /** Per document: the YAML parsed back (`null` when it does not parse) and the schema error, if any. */
  readonly documents: Readonly<Record<string, { readonly parsed: unknown; readonly schemaError: string | null }>>;
  /** Per program: `null` when it parses as Python {@link OLDEST_VM_PYTHON} and compiles, else the error. */
  readonly programs: Readonly<Record<string, string | null>>;
}

/**
 * In ONE system Python process: every document through PyYAML and cloud-init's own schema
 * validation (`validate_cloudconfig_schema(…, strict=True)`, what `cloud-init schema` runs), and
 * every Python program through `ast.parse(…, feature_version=(3, 9))` and `compile`. Starting
 * cloud-init's CLI once per document costs about half a second each.
 */
export function pythonChecks(
  documents: readonly { readonly name: string; readonly content: string }[],
  programs: readonly { readonly name: string; readonly source: string }[],
): PythonCheckResults {
  const r = spawnSync(SYSTEM_PYTHON, ["-c", PYTHON_CHECKS], {
    encoding: "utf8",
    input: JSON.stringify({ documents, programs, featureVersion: OLDEST_VM_PYTHON }),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${SYSTEM_PYTHON} checks failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PythonCheckResults;
}

/** The host's system units (targets, sockets), so dependencies such as multi-user.target resolve. */
function systemUnitDir(): string {
  for (const d of ["/usr/lib/systemd/system", "/lib/systemd/system"]) if (fs.existsSync(path.join(d, "multi-user.target"))) return d;
  throw new Error("no systemd system unit directory found");
}

/** Stand-ins for the units the OS or Scalr's package provides, so drop-ins and dependencies load. */
export const UNIT_STAND_INS: Readonly<Record<string, string>> = {
  "docker.service": "[Unit]\nDescription=stand-in for the distribution's docker.service\n\n[Service]\nExecStart=/usr/bin/dockerd\n",
  "scalr-agent.service": "[Unit]\nDescription=stand-in for the package's scalr-agent.service\n\n[Service]\nExecStart=/opt/scalr-agent/bin/scalr-agent run\n",
  "scalr-docker.service": "[Unit]\nDescription=stand-in for the package's scalr-docker.service\n\n[Service]\nExecStart=/opt/scalr-agent/embedded/bin/dockerd\n",
};

/** What `systemd-analyze verify` checks: the files a document writes, and its symlinks. */
export interface SystemdTree {
  /** Units and drop-ins: `{ path, content }` under /etc/systemd/system. */
  readonly units: readonly { readonly path: string; readonly content: string }[];
  /** Scripts and other executables the units run, at their paths on the VM. */
  readonly executables: readonly { readonly path: string; readonly content: string }[];
  /** Drop-ins linked at first boot. */
  readonly symlinks: readonly { readonly path: string; readonly target: string }[];
  /** Units the OS or a package provides (stand-ins from {@link UNIT_STAND_INS}). */
  readonly provided: readonly string[];
  /** Programs of `Exec*=` lines that are not among `executables` (replaced by empty stubs). */
  readonly programs: readonly string[];
}

/** The unit a unit file or drop-in belongs to. */
export function unitNameOf(unitPath: string): string {
  const rel = unitPath.slice("/etc/systemd/system/".length);
  return rel.includes(".d/") ? rel.slice(0, rel.indexOf(".d/")) : rel;
}

/** `systemd-analyze verify` of every unit, drop-in and symlink, in a temporary root. */
export function systemdVerify(tree: SystemdTree): { status: number | null; out: string } {
  const root = validatorTmpDir("vm-sd-");
  fs.mkdirSync(path.join(root, "etc/systemd/system"), { recursive: true });
  fs.cpSync(systemUnitDir(), path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  const put = (p: string, content: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content, { mode });
  };
  for (const b of tree.provided) put(`/etc/systemd/system/${b}`, UNIT_STAND_INS[b] as string);
  for (const unit of tree.units) put(unit.path, unit.content);
  for (const link of tree.symlinks) {
    fs.mkdirSync(path.dirname(path.join(root, link.path)), { recursive: true });
    fs.symlinkSync(link.target, path.join(root, link.path));
  }
  for (const s of tree.executables) put(s.path, s.content, 0o755);
  for (const p of [...tree.programs, "/usr/bin/dockerd", "/opt/scalr-agent/bin/scalr-agent", "/opt/scalr-agent/embedded/bin/dockerd"]) {
    if (!fs.existsSync(path.join(root, p))) put(p, "#!/bin/sh\n", 0o755);
  }
  const names = [...new Set([...tree.units.map((u) => unitNameOf(u.path)), ...tree.provided, ...tree.symlinks.map((l) => unitNameOf(l.path))])];
  return runTool("systemd-analyze", ["verify", `--root=${root}`, "--man=no", "--generators=no", ...names]);
}
