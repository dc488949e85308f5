import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { run, runHere } from "./cli-harness";
import { composeSchemaErrors, dockerfileProblems } from "../agent/docker/fixtures";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBclitest\n-----END CERTIFICATE-----\n";

describe("cdktf-scalr-kit render", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vm-cli-render-"));
    fs.writeFileSync(
      path.join(dir, "run.yaml"),
      "scalrUrl: https://acme.scalr.io\ntoken: { file: /etc/scalr-agent/bastion.env }\nname: bastion-2\nconcurrency: 4\nshutdown: { gracePeriodSeconds: 600 }\n",
    );
    fs.writeFileSync(path.join(dir, "vcs.json"), JSON.stringify({ scalrUrl: "https://acme.scalr.io", poolKind: "vcs" }));
    fs.writeFileSync(path.join(dir, "image.yaml"), "scalrUrl: https://acme.scalr.io\nimage: scalr/agent:1.4.0\n");
    fs.writeFileSync(path.join(dir, "corp.pem"), PEM);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("docker-compose writes compose.yaml, docker-run.sh and agent.env.example, none with a token", () => {
    const r = run(["render", "docker-compose", "--settings", "run.yaml", "--out", "host"], dir);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      "wrote host/compose.yaml, host/docker-run.sh, host/agent.env.example\n" +
        "next: on the host, copy agent.env.example to /etc/scalr-agent/bastion.env (chmod 0600), put the token in it, then: docker compose up -d\n",
    );
    const compose = parse(fs.readFileSync(path.join(dir, "host", "compose.yaml"), "utf8"));
    expect(composeSchemaErrors(compose)).toEqual([]);
    expect(compose.services["scalr-agent"]).toMatchObject({
      env_file: ["/etc/scalr-agent/bastion.env"],
      stop_grace_period: "600s",
      environment: { SCALR_AGENT_NAME: "bastion-2", SCALR_AGENT_CONCURRENCY: "4" },
    });
    expect(fs.statSync(path.join(dir, "host", "docker-run.sh")).mode & 0o777).toBe(0o755);
    expect(fs.readFileSync(path.join(dir, "host", "agent.env.example"), "utf8")).toMatch(/^SCALR_AGENT_TOKEN=$/m);
  });

  test("the token env file defaults to /etc/scalr-agent/token.env; a VCS agent mounts nothing", () => {
    const r = runHere(["render", "docker-compose", "--settings", "vcs.json", "--out", "vcs"], dir);
    expect(r).toMatchObject({ code: 0, err: "" });
    const compose = parse(fs.readFileSync(path.join(dir, "vcs", "compose.yaml"), "utf8"));
    expect(compose.services["scalr-agent"].env_file).toEqual(["/etc/scalr-agent/token.env"]);
    expect(compose.services["scalr-agent"].volumes).toBeUndefined();
  });

  test("dockerfile with --ca-bundle writes the Dockerfile and the bundle; labels from --label", () => {
    const r = runHere(["render", "dockerfile", "--settings", "image.yaml", "--out", "img", "--ca-bundle", "corp.pem", "--label", "version=1.4.0-corp.1"], dir);
    expect(r).toEqual({
      code: 0,
      err: "",
      out: "wrote img/Dockerfile, img/ca-bundle.crt\nnext: docker build --tag <registry>/<repository>:<tag> img, push it, and set `image` in every runtime's settings to it\n",
    });
    const dockerfile = fs.readFileSync(path.join(dir, "img", "Dockerfile"), "utf8");
    expect(dockerfileProblems(dockerfile)).toEqual([]);
    expect(dockerfile).toContain('org.opencontainers.image.version="1.4.0-corp.1"');
    expect(fs.readFileSync(path.join(dir, "img", "ca-bundle.crt"), "utf8")).toBe(PEM);
  });

  test("fails with exit 1 when the settings file holds a token, without echoing it", () => {
    fs.writeFileSync(path.join(dir, "leak.yaml"), "scalrUrl: https://acme.scalr.io\ntoken: at-1234567890abcdefABCDEF\n");
    const r = runHere(["render", "docker-compose", "--settings", "leak.yaml", "--out", "leak"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "leak.yaml: `token` must be { file: <absolute path of the env file on the host that holds SCALR_AGENT_TOKEN=…> }, never the token itself, got: a string of 25 characters (value hidden)\n",
    );
    expect(fs.existsSync(path.join(dir, "leak"))).toBe(false);
  });

  test("fails with exit 1 and one line per problem of the settings", () => {
    fs.writeFileSync(path.join(dir, "bad.yaml"), "scalrUrl: http://acme.scalr.io\npoolKind: vcs\nconcurrency: 2\n");
    const r = runHere(["render", "docker-compose", "--settings", "bad.yaml", "--out", "bad"], dir);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toEqual([
      'bad.yaml: `scalrUrl` must be an https URL such as https://example.scalr.io, got: "http://acme.scalr.io"',
      'bad.yaml: `concurrency` applies only to run agents (poolKind "run"), got: 2',
      "",
    ]);
  });

  test("dockerfile without a bundle is a settings problem", () => {
    const r = runHere(["render", "dockerfile", "--settings", "image.yaml", "--out", "nobundle"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^image\.yaml: `caBundle` must be set: the image recipe bakes a CA bundle/);
  });

  test("usage errors exit 2", () => {
    expect(runHere(["render"], dir)).toMatchObject({ code: 2, err: expect.stringContaining('name what to render: docker-compose or dockerfile, got: nothing') });
    expect(runHere(["render", "docker-compose", "--settings", "run.yaml"], dir)).toMatchObject({ code: 2, err: expect.stringContaining("--settings and --out are required") });
    expect(runHere(["render", "docker-compose", "--settings", "run.yaml", "--out", "x", "--label", "a=b"], dir)).toMatchObject({ code: 2, err: expect.stringContaining("unknown option --label") });
    expect(runHere(["render", "dockerfile", "--settings", "image.yaml", "--out", "x", "--label", "colour=red"], dir)).toMatchObject({
      code: 2,
      err: expect.stringContaining("--label must be key=value with key one of title, description"),
    });
    expect(runHere(["render", "docker-compose", "--settings", "missing.yaml", "--out", "x"], dir)).toEqual({ code: 2, out: "", err: "missing.yaml: no such file\n" });
  });
});
