import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderVmUserData, SystemdCommand, VmUserData } from "../../../agent/vm";
import { testWithTools } from "../../support/system-tool";
import { SCENARIOS } from "./fixtures";

/**
 * Every rendered document goes through the real validators: `cloud-init schema`, a YAML parser,
 * `systemd-analyze verify` for every unit and drop-in, `shellcheck` for every shell script and
 * `python3 -m py_compile` for the fetcher. What is checked is extracted from the rendered
 * document, so it is exactly what ships.
 */
const rendered: { name: string; u: VmUserData }[] = SCENARIOS.flatMap((sc) =>
  sc.oses.map((o) => ({ name: `${o}/${sc.name}`, u: renderVmUserData(sc.settings, { ...sc.options, os: o }) })),
);

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

function run(cmd: string, args: readonly string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, [...args], { encoding: "utf8", input });
  return { status: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

describe("cloud-init schema", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name} is a valid cloud-config`, [["cloud-init"]], () => {
      const dir = tmpDir("vm-cc-");
      const file = path.join(dir, "user-data.yaml");
      fs.writeFileSync(file, u.document);
      const r = run("cloud-init", ["schema", "--config-file", file]);
      expect(r.out).toContain("Valid cloud-config");
      expect(r.status).toBe(0);
    });
  }
});

describe("YAML round trip", () => {
  const pyYaml: [string, string[]] = ["python3", ["-c", "import yaml"]];
  for (const { name, u } of rendered) {
    testWithTools(`${name} parses back to the structure it was rendered from`, [pyYaml], () => {
      const r = spawnSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], { input: u.document, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(u.cloudConfig.toObject())));
    });
  }
});

/** The host's system units (targets, sockets), so dependencies such as multi-user.target resolve. */
function systemUnitDir(): string {
  for (const d of ["/usr/lib/systemd/system", "/lib/systemd/system"]) if (fs.existsSync(path.join(d, "multi-user.target"))) return d;
  throw new Error("no systemd system unit directory found");
}

/** Stand-ins for the units the OS or Scalr's package provides, so drop-ins and dependencies load. */
const STAND_INS: Record<string, string> = {
  "docker.service": "[Unit]\nDescription=stand-in for the distribution's docker.service\n\n[Service]\nExecStart=/usr/bin/dockerd\n",
  "scalr-agent.service": "[Unit]\nDescription=stand-in for the package's scalr-agent.service\n\n[Service]\nExecStart=/opt/scalr-agent/bin/scalr-agent run\n",
  "scalr-docker.service": "[Unit]\nDescription=stand-in for the package's scalr-docker.service\n\n[Service]\nExecStart=/opt/scalr-agent/embedded/bin/dockerd\n",
};

function programs(u: VmUserData): string[] {
  return u.units.flatMap((unit) =>
    [unit.sections.unit, unit.sections.service].flatMap((entries) =>
      (entries ?? []).flatMap(([, v]) => (v instanceof SystemdCommand && v.argv[0] ? [v.argv[0]] : [])),
    ),
  );
}

describe("systemd-analyze verify", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name}: every unit and drop-in verifies`, [["systemd-analyze"]], () => {
      const root = tmpDir("vm-sd-");
      const etc = path.join(root, "etc/systemd/system");
      fs.mkdirSync(etc, { recursive: true });
      fs.cpSync(systemUnitDir(), path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
      const put = (p: string, content: string, mode = 0o644) => {
        fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
        fs.writeFileSync(path.join(root, p), content, { mode });
      };
      const base = u.installMode === "docker" ? ["docker.service"] : ["scalr-agent.service", "scalr-docker.service"];
      for (const b of base) put(`/etc/systemd/system/${b}`, STAND_INS[b] as string);
      for (const unit of u.units) put(unit.path, unit.render());
      for (const link of u.symlinks) {
        fs.mkdirSync(path.dirname(path.join(root, link.path)), { recursive: true });
        fs.symlinkSync(link.target, path.join(root, link.path));
      }
      // The scripts the document ships, at their paths; OS binaries (docker, dockerd) as stubs.
      for (const s of u.scripts) put(s.path, s.content, 0o755);
      for (const p of [...programs(u), "/usr/bin/dockerd", "/opt/scalr-agent/bin/scalr-agent", "/opt/scalr-agent/embedded/bin/dockerd"]) {
        if (!fs.existsSync(path.join(root, p))) put(p, "#!/bin/sh\n", 0o755);
      }
      const names = [...new Set([...u.units.map((x) => x.unitName), ...base, ...u.symlinks.map((l) => l.path.split("/")[4]?.replace(/\.d$/, "") as string)])];
      const r = run("systemd-analyze", ["verify", `--root=${root}`, "--man=no", "--generators=no", ...names]);
      expect(r.out).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe("shellcheck and python", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name}: every shell script passes shellcheck`, [["shellcheck"]], () => {
      for (const s of u.scripts.filter((x) => x.language === "bash")) {
        const dir = tmpDir("vm-sh-");
        const file = path.join(dir, path.basename(s.path));
        fs.writeFileSync(file, s.content);
        const r = run("shellcheck", ["--shell=bash", "--severity=style", file]);
        expect(`${s.path}\n${r.out}`).toBe(`${s.path}\n`);
        expect(r.status).toBe(0);
      }
    });
    const py = u.scripts.filter((x) => x.language === "python");
    if (py.length > 0) {
      testWithTools(`${name}: the Python fetcher compiles`, [["python3"]], () => {
        for (const s of py) {
          const dir = tmpDir("vm-py-");
          const file = path.join(dir, "fetcher.py");
          fs.writeFileSync(file, s.content);
          const r = run("python3", ["-m", "py_compile", file]);
          expect(r.out).toBe("");
          expect(r.status).toBe(0);
        }
      });
    }
  }
});
