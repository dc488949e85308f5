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
  const file = path.join(validatorTmpDir("vm-sh-"), path.basename(name));
  fs.writeFileSync(file, content);
  return runTool("shellcheck", ["--shell=bash", "--severity=style", file]);
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
