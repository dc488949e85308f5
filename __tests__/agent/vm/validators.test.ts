import * as path from "path";
import { renderVmUserData, SystemdCommand, VmUserData } from "../../../agent/vm";
import { testWithTools } from "../../support/system-tool";
import { SCENARIOS } from "./fixtures";
import {
  cleanUpValidatorDirs,
  cloudInitSchema,
  PythonCheckResults,
  pythonChecks,
  shellcheckAll,
  SYSTEM_PYTHON_WITH_CLOUD_INIT,
  systemdVerify,
  SystemdTree,
} from "./vm-validators";

/**
 * Every rendered document goes through the real validators: cloud-init's schema, a YAML parser,
 * `systemd-analyze verify` for every unit and drop-in, `shellcheck` for every shell script and
 * Python 3.9's grammar for the Python helpers. What is checked is extracted from the rendered
 * document, so it is exactly what ships.
 *
 * Each validator starts as few processes as it can: one system Python for the schema, the YAML
 * round trip and the Python grammar of every document and program; one shellcheck for every
 * distinct script; one `systemd-analyze verify` per distinct set of units. One real
 * `cloud-init schema` run keeps the CLI itself covered.
 */
const rendered: { name: string; u: VmUserData }[] = SCENARIOS.flatMap((sc) =>
  sc.oses.map((o) => ({ name: `${o}/${sc.name}`, u: renderVmUserData(sc.settings, { ...sc.options, os: o }) })),
);

afterAll(cleanUpValidatorDirs);

/** Distinct items by content; `names` lists where each one ships. */
function distinct<T>(items: readonly { name: string; key: string; value: T }[]): { names: string[]; value: T }[] {
  const byKey = new Map<string, { names: string[]; value: T }>();
  for (const item of items) {
    const found = byKey.get(item.key);
    if (found) found.names.push(item.name);
    else byKey.set(item.key, { names: [item.name], value: item.value });
  }
  return [...byKey.values()];
}

const pythonPrograms = distinct(
  rendered.flatMap(({ name, u }) =>
    u.scripts.filter((s) => s.language === "python").map((s) => ({ name: `${name}:${path.basename(s.path)}`, key: s.content, value: s })),
  ),
);

let pythonResults: PythonCheckResults | undefined;
/** The one system Python run, on first use. */
function python(): PythonCheckResults {
  pythonResults ??= pythonChecks(
    rendered.map(({ name, u }) => ({ name, content: u.document })),
    pythonPrograms.map((p) => ({ name: p.names[0] as string, source: p.value.content })),
  );
  return pythonResults;
}

describe("cloud-init schema", () => {
  testWithTools("the cloud-init CLI accepts the largest document", [["cloud-init"]], () => {
    const largest = [...rendered].sort((a, b) => b.u.document.length - a.u.document.length)[0] as { u: VmUserData };
    const r = cloudInitSchema(largest.u.document);
    expect(r.out).toContain("Valid cloud-config");
    expect(r.status).toBe(0);
  });

  for (const { name } of rendered) {
    testWithTools(`${name} is a valid cloud-config (cloud-init's schema, strict)`, [SYSTEM_PYTHON_WITH_CLOUD_INIT], () => {
      expect(python().documents[name]?.schemaError).toBeNull();
    });
  }
});

describe("YAML round trip", () => {
  for (const { name, u } of rendered) {
    testWithTools(`${name} parses back to the structure it was rendered from`, [SYSTEM_PYTHON_WITH_CLOUD_INIT], () => {
      expect(python().documents[name]?.parsed).toEqual(JSON.parse(JSON.stringify(u.cloudConfig.toObject())));
    });
  }
});

describe("Python helpers", () => {
  for (const program of pythonPrograms) {
    testWithTools(`${program.names[0]} (shipped in ${program.names.length} documents) is Python 3.9 and compiles`, [SYSTEM_PYTHON_WITH_CLOUD_INIT], () => {
      expect(python().programs[program.names[0] as string]).toBeNull();
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
  const trees = distinct(
    rendered.map(({ name, u }) => {
      const tree: SystemdTree = {
        units: u.units.map((unit) => ({ path: unit.path, content: unit.render() })),
        executables: u.scripts,
        symlinks: u.symlinks,
        provided: u.installMode === "docker" ? ["docker.service"] : ["scalr-agent.service", "scalr-docker.service"],
        programs: programs(u),
      };
      return { name, key: JSON.stringify(tree), value: tree };
    }),
  );
  for (const tree of trees) {
    testWithTools(`every unit and drop-in verifies: ${tree.names.join(", ")}`, [["systemd-analyze"]], () => {
      const r = systemdVerify(tree.value);
      expect(r.out).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe("shellcheck", () => {
  const scripts = distinct(
    rendered.flatMap(({ name, u }) =>
      u.scripts.filter((s) => s.language === "bash").map((s) => ({ name: `${name.replace("/", "--")}--${path.basename(s.path)}`, key: s.content, value: s.content })),
    ),
  );
  testWithTools(`every shell script passes (${scripts.length} distinct scripts, one shellcheck run)`, [["shellcheck"]], () => {
    const r = shellcheckAll(scripts.map((s) => ({ name: s.names[0] as string, content: s.value })));
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });
});
