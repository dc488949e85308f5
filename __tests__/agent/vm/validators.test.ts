import * as fs from "fs";
import * as path from "path";
import { renderVmUserData, SystemdCommand, VmUserData } from "../../../agent/vm";
import { testWithTools } from "../../support/system-tool";
import { SCENARIOS } from "./fixtures";
import { cleanUpValidatorDirs, cloudInitSchema, runTool, shellcheck, systemdVerify, validatorTmpDir } from "./vm-validators";

/**
 * Every rendered document goes through the real validators: `cloud-init schema`, a YAML parser,
 * `systemd-analyze verify` for every unit and drop-in, `shellcheck` for every shell script and
 * `python3 -m py_compile` for the Python helpers. What is checked is extracted from the rendered
 * document, so it is exactly what ships.
 */
const rendered: { name: string; u: VmUserData }[] = SCENARIOS.flatMap((sc) =>
  sc.oses.map((o) => ({ name: `${o}/${sc.name}`, u: renderVmUserData(sc.settings, { ...sc.options, os: o }) })),
);

afterAll(cleanUpValidatorDirs);

describe("cloud-init schema", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name} is a valid cloud-config`, [["cloud-init"]], () => {
      const r = cloudInitSchema(u.document);
      expect(r.out).toContain("Valid cloud-config");
      expect(r.status).toBe(0);
    });
  }
});

describe("YAML round trip", () => {
  const pyYaml: [string, string[]] = ["python3", ["-c", "import yaml"]];
  for (const { name, u } of rendered) {
    testWithTools(`${name} parses back to the structure it was rendered from`, [pyYaml], () => {
      const r = runTool("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], u.document);
      expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(u.cloudConfig.toObject())));
    });
  }
});

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
      const r = systemdVerify({
        units: u.units.map((unit) => ({ path: unit.path, content: unit.render() })),
        executables: u.scripts,
        symlinks: u.symlinks,
        provided: u.installMode === "docker" ? ["docker.service"] : ["scalr-agent.service", "scalr-docker.service"],
        programs: programs(u),
      });
      expect(r.out).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe("shellcheck and python", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name}: every shell script passes shellcheck`, [["shellcheck"]], () => {
      for (const s of u.scripts.filter((x) => x.language === "bash")) {
        const r = shellcheck(s.path, s.content);
        expect(`${s.path}\n${r.out}`).toBe(`${s.path}\n`);
        expect(r.status).toBe(0);
      }
    });
    const py = u.scripts.filter((x) => x.language === "python");
    if (py.length > 0) {
      testWithTools(`${name}: the Python helpers compile`, [["python3"]], () => {
        for (const s of py) {
          const file = path.join(validatorTmpDir("vm-py-"), `${path.basename(s.path)}.py`);
          fs.writeFileSync(file, s.content);
          const r = runTool("python3", ["-m", "py_compile", file]);
          expect(r.out).toBe("");
          expect(r.status).toBe(0);
        }
      });
    }
  }
});
