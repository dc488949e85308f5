import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT, run, runHere } from "./cli-harness";
import { INVALID_SPECS, MANY_MISTAKES, MANY_MISTAKES_PROBLEMS, POOLS } from "./cases";

describe("cdktf-scalr-kit validate", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vm-cli-"));
    fs.writeFileSync(path.join(dir, "good.yaml"), `${POOLS}environments:\n  - name: prod\n    workspaces:\n      - name: a\n        agentPool: aws-run\n`);
    fs.writeFileSync(path.join(dir, "good.json"), JSON.stringify({ environments: [{ name: "dev" }] }));
    const bad = INVALID_SPECS.find(([what]) => what === "a workspace names an unknown agent pool")!;
    fs.writeFileSync(path.join(dir, "spec.yaml"), bad[1]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("exit 0 and a summary for valid specs (YAML and JSON)", () => {
    const r = run(["validate", "good.yaml", "good.json"], dir);
    expect(r).toEqual({ code: 0, err: "", out: "good.yaml: valid (1 environment, 1 workspace, 1 stack)\ngood.json: valid (1 environment, 0 workspaces, 1 stack)\n" });
  });

  test("the example spec is valid", () => {
    const r = runHere(["validate", "examples/vending-machine/spec.yaml"], ROOT);
    expect(r).toEqual({ code: 0, err: "", out: "examples/vending-machine/spec.yaml: valid (3 environments, 10 workspaces, 4 stacks)\n" });
  });

  test("fails with exit 1 and one file:line: path: message line per problem", () => {
    const r = run(["validate", "good.yaml", "spec.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe("good.yaml: valid (1 environment, 1 workspace, 1 stack)\n");
    expect(r.err).toBe('spec.yaml:12: environments[0].workspaces[0].agentPool: no pool named "gpu"; pools are: aws-run, vcs\n');
  });

  test("one run lists every problem of a spec, of every kind, each at its line", () => {
    fs.writeFileSync(path.join(dir, "many.yaml"), MANY_MISTAKES);
    const r = run(["validate", "many.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err.split("\n")).toEqual([...MANY_MISTAKES_PROBLEMS.map((p) => p.replace(/^spec\.yaml:/, "many.yaml:")), ""]);
  });

  test("--format github writes annotations", () => {
    const r = runHere(["validate", "--format", "github", "spec.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe('::error file=spec.yaml,line=12::environments[0].workspaces[0].agentPool: no pool named "gpu"; pools are: aws-run, vcs\n');
  });

  test("names that collided in construct ids or with the kit's constructs are spec problems (exit 0 or 1), never internal errors (exit 2)", () => {
    fs.writeFileSync(path.join(dir, "names.yaml"), "agentPools:\n  - name: a/b\n  - name: a_b\ntags: [x/y, x_y]\n");
    expect(runHere(["validate", "names.yaml"], dir)).toEqual({ code: 0, err: "", out: "names.yaml: valid (0 environments, 0 workspaces, 1 stack)\n" });
    fs.writeFileSync(path.join(dir, "aws.yaml"), "variables:\n  - key: k\n    sensitive: true\n    valueFromTerraformVariable: aws\nproviderConfigurations:\n  - name: a\n    aws: { auth: oidc, scalrAccountName: acme }\n");
    expect(runHere(["validate", "aws.yaml"], dir)).toEqual({
      code: 1,
      out: "",
      err: 'aws.yaml:4: variables[0].valueFromTerraformVariable: must not be "aws": a construct of the kit has that id in the stack (a Terraform variable\'s name is its construct id)\n',
    });
  });

  test("fails with exit 2 for a missing file, no stack trace", () => {
    expect(run(["validate", "missing.yaml"], dir)).toEqual({ code: 2, out: "", err: "missing.yaml: no such file\n" });
  });

  test("fails with exit 2 for usage errors", () => {
    expect(runHere([], dir).code).toBe(2);
    const unknown = runHere(["deploy"], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err.split("\n")[0]).toBe('cdktf-scalr-kit: unknown command "deploy"');
    expect(runHere(["validate"], dir).err.split("\n")[0]).toBe("cdktf-scalr-kit validate: name at least one spec file");
    expect(runHere(["validate", "--format", "xml", "good.yaml"], dir).err).toBe('cdktf-scalr-kit validate: --format must be "text" or "github", got: "xml"\n');
    expect(runHere(["--help"], dir)).toMatchObject({ code: 0, out: expect.stringContaining("usage: cdktf-scalr-kit validate") });
  });
});
