import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, Lazy, LocalBackend, TerraformStack } from "cdktf";
import { parse } from "yaml";
import { IMAGE_CA_BUNDLE_PATH } from "../../agent/docker";
import { KitChecks } from "../../constructs/checks/kit-checks";
import { AgentPool } from "../../constructs/scalr/agent-pool";
import { KitValidationError } from "../../core/validation";
import { BASTION_TOKEN_ENV_FILE, DOCKER_HOST_STACK, dockerHostExample } from "../../examples/docker-host/main";
import { StackFiles, StackFilesProps } from "../../examples/docker-host/stack-files";
import { composeSchemaErrors, dockerfileProblems, shellcheckSh } from "../agent/docker/fixtures";
import { expectGolden } from "../support/golden";
import { testWithTools } from "../support/system-tool";

/** The files the example documents, below `cdktf.out/stacks/docker-host/`. */
const WRITTEN = ["host/agent.env.example", "host/compose.yaml", "host/docker-run.sh", "image/Dockerfile"];

/** Synthesizes the example's stack as the examples app does (KitChecks, local backend) into `outdir`. */
function synthExample(outdir: string): TerraformStack {
  const app = new App({ outdir });
  const stack = dockerHostExample(app);
  KitChecks.of(stack);
  new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
  app.synth();
  return stack;
}

/** Every file below `dir`, by its `/`-separated path relative to it. */
function filesBelow(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[path.relative(dir, full).split(path.sep).join("/")] = fs.readFileSync(full, "utf8");
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const temp: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-docker-host-"));
  temp.push(dir);
  return dir;
};
afterAll(() => temp.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe("examples/docker-host", () => {
  const outdir = tempDir();
  const stack = synthExample(outdir);
  const stackDir = path.join(outdir, "stacks", DOCKER_HOST_STACK);
  const files = filesBelow(stackDir);
  const json = JSON.parse(files["cdk.tf.json"] ?? "{}");
  const compose = parse(files["host/compose.yaml"] ?? "");
  const service = compose.services?.["scalr-agent"];

  test("cdktf synth writes the documented files next to the stack's configuration, and only those", () => {
    expect(Object.keys(files)).toEqual(["cdk.tf.json", ...WRITTEN]);
  });

  test("golden files", () => {
    for (const file of WRITTEN) expectGolden(`docker/examples/${file}`, files[file] ?? "");
  });

  test("docker-run.sh is executable, the other files are not", () => {
    const mode = (file: string) => fs.statSync(path.join(stackDir, file)).mode & 0o777;
    expect(WRITTEN.map((f) => [f, mode(f).toString(8)])).toEqual([
      ["host/agent.env.example", "644"],
      ["host/compose.yaml", "644"],
      ["host/docker-run.sh", "755"],
      ["image/Dockerfile", "644"],
    ]);
  });

  test("the stack manages the Scalr side: a run pool, its token, the token as a sensitive output only", () => {
    expect(Object.values<any>(json.resource.scalr_agent_pool).map((p) => p.name)).toEqual(["bastion"]);
    expect(Object.keys(json.resource.scalr_agent_pool_token)).toHaveLength(1);
    const tokenOutputs = Object.entries<any>(json.output).filter(([, o]) => /scalr_agent_pool_token\..*\.token\}$/.test(o.value));
    expect(tokenOutputs.map(([name, o]) => [name, o.sensitive])).toEqual([["BastionPool_token_bastion", true]]);
    // terraform_data: the pool's guard against a changed kind (see AgentPool.kindGuard).
    expect(Object.keys(json.resource).sort()).toEqual(["scalr_agent_pool", "scalr_agent_pool_token", "terraform_data"]);
  });

  test("passes every KitChecks rule, warnings included", () => {
    expect(KitChecks.of(stack).report().violations).toEqual([]);
  });

  test("the Compose file is valid against the Compose Specification's schema", () => {
    expect(composeSchemaErrors(compose)).toEqual([]);
  });

  testWithTools("docker-run.sh passes shellcheck", [["shellcheck"]], () => {
    expect(shellcheckSh(files["host/docker-run.sh"] ?? "")).toEqual({ status: 0, out: "" });
  });

  test("the Dockerfile passes dockerfile-utils' validator", () => {
    expect(dockerfileProblems(files["image/Dockerfile"] ?? "")).toEqual([]);
  });

  test("the host runs the image the recipe builds; the recipe builds on the pinned scalr/agent image", () => {
    const dockerfile = files["image/Dockerfile"] ?? "";
    const version = /org\.opencontainers\.image\.version="([^"]+)"/.exec(dockerfile)?.[1];
    expect(version).toBe("1.4.0-corp.1");
    expect(service.image).toBe(`registry.example.com/platform/scalr-agent:${version}`);
    expect(dockerfile).toMatch(/^FROM scalr\/agent:1\.4\.0$/m);
    // The CA bundle is a file the team puts in the build context; the kit writes no certificate.
    expect(dockerfile).toContain(`COPY --chmod=0644 ca-bundle.crt ${IMAGE_CA_BUNDLE_PATH}\n`);
    expect(dockerfile).toContain(`ENV SCALR_AGENT_CA_CERT=${IMAGE_CA_BUNDLE_PATH}`);
    // The image points the agent at its bundle; the host neither overrides it nor binds one.
    expect(Object.keys(service.environment)).not.toContain("SCALR_AGENT_CA_CERT");
    expect(service.volumes.map((v: { source: string }) => v.source)).toEqual(["/var/run/docker.sock", "/var/lib/scalr-agent"]);
  });

  test("the token only through the env file the files name; its template holds no token", () => {
    expect(service.env_file).toEqual([BASTION_TOKEN_ENV_FILE]);
    expect(files["host/docker-run.sh"]).toContain(`--env-file ${BASTION_TOKEN_ENV_FILE} `);
    expect(files["host/agent.env.example"]).toMatch(/^SCALR_AGENT_TOKEN=$/m);
    for (const file of WRITTEN) expect(files[file]).not.toMatch(/SCALR_AGENT_TOKEN=\S/);
  });

  test("synthesis is deterministic and replaces what an earlier synth left in the folders", () => {
    const again = tempDir();
    synthExample(again);
    expect(filesBelow(path.join(again, "stacks", DOCKER_HOST_STACK))).toEqual(files);
    const stale = path.join(again, "stacks", DOCKER_HOST_STACK, "host", "old-token.env");
    fs.writeFileSync(stale, "left over\n");
    synthExample(again);
    expect(fs.existsSync(stale)).toBe(false);
    expect(filesBelow(path.join(again, "stacks", DOCKER_HOST_STACK))).toEqual(files);
  });

  test("no machine paths or unresolved values in any file", () => {
    for (const [file, text] of Object.entries(files)) {
      expect([file, text.includes(outdir) || text.includes(process.cwd()) || text.includes(os.homedir())]).toEqual([file, false]);
      expect(text).not.toMatch(/undefined|NaN|\[object Object\]|TfToken|Token\[|\$\{TfToken/);
    }
  });
});

describe("examples/docker-host: canary", () => {
  const CANARY = "CANARY-9b2e71d4-bastion-pool-token";
  afterEach(() => jest.restoreAllMocks());

  test("a pool token that is the canary reaches the sensitive output and no written file", () => {
    jest.spyOn(AgentPool.prototype, "tokenValue").mockImplementation(() => Lazy.stringValue({ produce: () => CANARY }));
    const outdir = tempDir();
    synthExample(outdir);
    const files = filesBelow(path.join(outdir, "stacks", DOCKER_HOST_STACK));
    expect(Object.keys(files)).toEqual(["cdk.tf.json", ...WRITTEN]);
    for (const file of WRITTEN) expect([file, files[file]?.includes(CANARY)]).toEqual([file, false]);
    // The canary did flow, into the sensitive output and nowhere else of the configuration.
    const json = JSON.parse(files["cdk.tf.json"] ?? "{}");
    expect(json.output.BastionPool_token_bastion).toMatchObject({ value: CANARY, sensitive: true });
    delete json.output.BastionPool_token_bastion;
    expect(JSON.stringify(json)).not.toContain(CANARY);
  });
});

describe("StackFiles", () => {
  const stackIn = () => new TerraformStack(new App({ outdir: tempDir() }), "s");
  const file = { content: "x\n" };
  const errorOf = (build: () => unknown): KitValidationError => {
    try {
      build();
    } catch (e) {
      if (e instanceof KitValidationError) return e;
      throw e;
    }
    throw new Error("expected a KitValidationError");
  };

  test("writes nested folders and modes under the stack's folder", () => {
    const outdir = tempDir();
    const app = new App({ outdir });
    const stack = new TerraformStack(app, "s");
    new StackFiles(stack, "Files", { directory: "a/b", files: { "run.sh": { content: "#!/bin/sh\n", mode: 0o700 }, "c.txt": file } });
    app.synth();
    const dir = path.join(outdir, "stacks", "s", "a", "b");
    expect(filesBelow(dir)).toEqual({ "c.txt": "x\n", "run.sh": "#!/bin/sh\n" });
    expect((fs.statSync(path.join(dir, "run.sh")).mode & 0o777).toString(8)).toBe("700");
  });

  test.each<[string, Partial<StackFilesProps>, string]>([
    ["a folder outside the stack's", { directory: "../x" }, "s/Files: `directory` must be a relative folder: segments of letters, digits, '.', '_' and '-' separated by '/' (no '..', no leading '/'), got: \"../x\""],
    ["an absolute folder", { directory: "/etc" }, "s/Files: `directory` must be a relative folder: segments of letters, digits, '.', '_' and '-' separated by '/' (no '..', no leading '/'), got: \"/etc\""],
    ["the kit's review folder", { directory: "review/x" }, 's/Files: `directory` must not be a folder cdktf, Terraform or the kit writes (assets, review, .terraform, cdk.tf*), got: "review/x"'],
    ["the configuration's file", { directory: "cdk.tf.json" }, 's/Files: `directory` must not be a folder cdktf, Terraform or the kit writes (assets, review, .terraform, cdk.tf*), got: "cdk.tf.json"'],
    ["no files", { files: {} }, "s/Files: `files` must name at least one file, got: {}"],
    ["a mode beyond 0777", { files: { a: { content: "", mode: 0o4755 } } }, "s/Files: `files.a.mode` must be at most 511, got: 2541"],
  ])("fails on %s", (_what, change, message) => {
    expect(errorOf(() => new StackFiles(stackIn(), "Files", { directory: "out", files: { a: file }, ...change })).message).toBe(message);
  });

  test("fails on a file name with a path in it", () => {
    const e = errorOf(() => new StackFiles(stackIn(), "Files", { directory: "out", files: { "../a": file } }));
    expect(e.message).toBe("s/Files: `files[\"../a\"]` must be a file name of letters, digits, '.', '_' and '-' (the key names the file), got: \"../a\"");
  });

  test("fails when two constructs write the same folder or one inside the other", () => {
    const stack = stackIn();
    new StackFiles(stack, "A", { directory: "out", files: { a: file } });
    expect(errorOf(() => new StackFiles(stack, "B", { directory: "out/inner", files: { b: file } })).message).toBe(
      's/B: `directory` must not overlap the folder of s/A ("out"): each folder is emptied by the construct that writes it, got: "out/inner"',
    );
    expect(() => new StackFiles(stack, "C", { directory: "outer", files: { c: file } })).not.toThrow();
  });
});
