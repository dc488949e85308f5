import { parse } from "yaml";
import { DOCKER_HOST_NO_PROXY, renderDockerHost } from "../../../agent/docker";
import { AgentSettings, AgentTokenSource, ImagePullCredentials } from "../../../agent/settings";
import { KitValidationError } from "../../../core/validation";
import { expectGolden } from "../../support/golden";
import { testWithTools } from "../../support/system-tool";
import { PROXY_AGENT, RUN_AGENT, TOKEN_CANARY, TOKEN_ENV_FILE, VCS_AGENT, composeSchemaErrors, shellcheckSh } from "./fixtures";

type Service = Record<string, unknown> & { volumes?: { source: string; target: string; read_only?: boolean }[]; environment: Record<string, string> };
const service = (settings: AgentSettings, options = {}): Service => (renderDockerHost(settings, options).compose.services as Record<string, Service>)["scalr-agent"] as Service;

function errorOf(fn: () => unknown): KitValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KitValidationError) return e;
    throw e;
  }
  throw new Error("expected a KitValidationError");
}

describe("renderDockerHost", () => {
  const variants: [string, AgentSettings][] = [
    ["run-agent", RUN_AGENT],
    ["vcs-agent", VCS_AGENT],
    ["proxy-agent", PROXY_AGENT],
  ];

  describe.each(variants)("%s", (name, settings) => {
    const files = renderDockerHost(settings);

    test("golden files", () => {
      expectGolden(`docker/${name}/compose.yaml`, files.composeYaml);
      expectGolden(`docker/${name}/docker-run.sh`, files.dockerRunScript);
      expectGolden(`docker/${name}/agent.env.example`, files.tokenEnvFileExample);
    });

    test("the Compose file is valid against the Compose Specification's schema", () => {
      expect(composeSchemaErrors(parse(files.composeYaml))).toEqual([]);
    });

    test("the YAML text is the document", () => {
      expect(parse(files.composeYaml)).toEqual(files.compose);
    });

    testWithTools("docker-run.sh passes shellcheck", [["shellcheck"]], () => {
      expect(shellcheckSh(files.dockerRunScript)).toEqual({ status: 0, out: "" });
    });

    test("the token only through the env file; no variable named like it", () => {
      const svc = service(settings);
      expect(svc.env_file).toEqual([files.tokenEnvFile]);
      expect(Object.keys(svc.environment)).not.toContain("SCALR_AGENT_TOKEN");
      expect(files.dockerRunArgs.filter((a) => a.startsWith("SCALR_AGENT_TOKEN"))).toEqual([]);
      expect(files.dockerRunArgs).toEqual(expect.arrayContaining(["--env-file", files.tokenEnvFile]));
      expect(files.tokenEnvFileExample).toMatch(/^SCALR_AGENT_TOKEN=$/m);
    });

    test("docker run carries the same variables as the Compose file", () => {
      const fromRun = Object.fromEntries(
        files.dockerRunArgs.flatMap((a, i) => (files.dockerRunArgs[i - 1] === "--env" ? [[a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]] : [])),
      );
      expect(fromRun).toEqual(files.environment);
    });
  });

  test("a run agent mounts the Docker socket and its data directory at the same path, as Scalr documents", () => {
    const svc = service(RUN_AGENT);
    expect(svc.command).toEqual(["run"]);
    expect(svc.volumes).toEqual([
      { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" },
      { type: "bind", source: "/srv/scalr-agent", target: "/srv/scalr-agent" },
      { type: "bind", source: "/var/cache/scalr-agent", target: "/var/cache/scalr-agent" },
      { type: "bind", source: "/opt/scalr-hooks", target: "/opt/scalr-hooks", read_only: true },
      { type: "bind", source: "/etc/pki/corp-bundle.pem", target: "/etc/pki/corp-bundle.pem", read_only: true },
    ]);
    expect(svc.environment.SCALR_AGENT_DRIVER).toBe("docker");
  });

  test("default settings: the documented data directory and socket, the pinned image", () => {
    const svc = service({ scalrUrl: "https://d.scalr.io", token: AgentTokenSource.fromFile(TOKEN_ENV_FILE) });
    expect(svc.volumes).toEqual([
      { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" },
      { type: "bind", source: "/var/lib/scalr-agent", target: "/var/lib/scalr-agent" },
    ]);
    expect(svc.image).toBe("scalr/agent:1.4.0");
    expect(svc.restart).toBe("unless-stopped");
    expect(svc.stop_grace_period).toBe("3660s");
  });

  test("a cache directory inside the data directory is not mounted twice", () => {
    const svc = service({ ...RUN_AGENT, cacheDir: "/srv/scalr-agent/cache" });
    expect(svc.volumes?.map((v) => v.source)).toEqual(["/var/run/docker.sock", "/srv/scalr-agent", "/opt/scalr-hooks", "/etc/pki/corp-bundle.pem"]);
  });

  test("a VCS agent mounts neither the socket nor a data directory", () => {
    const svc = service(VCS_AGENT);
    expect(svc.volumes).toBeUndefined();
    expect(svc.environment.SCALR_AGENT_DRIVER).toBeUndefined();
  });

  test("the local driver keeps the data directory but not the socket", () => {
    expect(service(PROXY_AGENT).volumes).toEqual([{ type: "bind", source: "/var/lib/scalr-agent", target: "/var/lib/scalr-agent" }]);
  });

  test("stop_grace_period and --stop-timeout are shutdown.gracePeriodSeconds", () => {
    const files = renderDockerHost(RUN_AGENT);
    expect(service(RUN_AGENT).stop_grace_period).toBe("1800s");
    expect(files.dockerRunArgs[files.dockerRunArgs.indexOf("--stop-timeout") + 1]).toBe("1800");
  });

  test("the proxy is rendered as on every runtime, metadata and loopback kept direct", () => {
    const env = service(PROXY_AGENT).environment;
    expect(env.HTTPS_PROXY).toBe("http://proxy.corp.example:3128");
    expect(env.no_proxy).toBe([...DOCKER_HOST_NO_PROXY, ".corp.example", "10.0.0.0/8"].join(","));
  });

  test("concurrency, CA bundle and container-task settings come from the settings", () => {
    const env = service(RUN_AGENT).environment;
    expect(env).toMatchObject({
      SCALR_AGENT_CONCURRENCY: "3",
      SCALR_AGENT_CA_CERT: "/etc/pki/corp-bundle.pem",
      SSL_CERT_FILE: "/etc/pki/corp-bundle.pem",
      SCALR_AGENT_CONTAINER_TASK_IMAGE: "registry.example.com/scalr/runner:0.2.0",
    });
  });

  test("'$' in a value is escaped for Compose and literal for docker run", () => {
    const files = renderDockerHost(RUN_AGENT);
    expect(service(RUN_AGENT).environment.TEAM_PRICE).toBe("5$$ per run");
    expect(files.dockerRunArgs).toContain("TEAM_PRICE=5$ per run");
  });

  test("options: container name, socket path, restart policy", () => {
    const files = renderDockerHost(RUN_AGENT, { containerName: "agent-b", dockerSocket: "/run/user/1000/docker.sock", restart: "always" });
    const svc = (files.compose.services as Record<string, Service>)["agent-b"] as Service;
    expect(svc.container_name).toBe("agent-b");
    expect(svc.restart).toBe("always");
    expect(svc.volumes?.[0]).toEqual({ type: "bind", source: "/run/user/1000/docker.sock", target: "/var/run/docker.sock" });
    expect(composeSchemaErrors(files.compose)).toEqual([]);
  });

  test("the schema check can fail: an unknown service key and a bad restart policy are reported", () => {
    const svc = { ...service(RUN_AGENT), restart_policy: "always", pull_policy: "sometimes" };
    expect(composeSchemaErrors({ services: { "scalr-agent": svc } })).toEqual(
      expect.arrayContaining(["/services/scalr-agent must NOT have additional properties", "/services/scalr-agent/pull_policy must be equal to one of the allowed values"]),
    );
  });

  test("canary: a token in the env file the kit never reads appears nowhere", () => {
    const files = renderDockerHost(RUN_AGENT);
    const all = JSON.stringify(files);
    expect(all).not.toContain(TOKEN_CANARY);
    expect(all).toContain(TOKEN_ENV_FILE);
  });

  describe("fails", () => {
    test("fails when the token source is one a host the kit does not manage cannot fetch", () => {
      const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-token-AbCdEf";
      for (const token of [AgentTokenSource.fromAwsSecretsManager(arn), AgentTokenSource.fromKubernetesSecret("scalr-token")]) {
        const e = errorOf(() => renderDockerHost({ ...RUN_AGENT, token }));
        expect(e.issues).toEqual([
          {
            field: "token",
            message: expect.stringMatching(/^must be AgentTokenSource\.fromFile\(path\) on a Docker host the kit does not manage: the path of an env file/),
            received: token.toString(),
          },
        ]);
      }
    });

    test("fails when a proxy URL holds credentials, without echoing them", () => {
      const e = errorOf(() => renderDockerHost({ ...PROXY_AGENT, proxy: { https: `http://svc:${TOKEN_CANARY}@proxy.corp.example:3128` } }));
      expect(e.issues).toEqual([{ field: "proxy.https", message: expect.stringMatching(/^must not hold credentials/), received: '"http://***@proxy.corp.example:3128"' }]);
      expect(e.message).not.toContain(TOKEN_CANARY);
    });

    test("fails when the image is not pinned", () => {
      const e = errorOf(() => renderDockerHost({ ...RUN_AGENT, image: "scalr/agent:latest" }));
      expect(e.message).toBe('renderDockerHost: `image` must be pinned: a version tag such as scalr/agent:1.4.0 (not `latest`), or a digest (@sha256:…), got: "scalr/agent:latest"');
      expect(() => renderDockerHost({ ...RUN_AGENT, image: `scalr/agent:latest@sha256:${"0".repeat(64)}` })).not.toThrow();
    });

    test("fails on the kubernetes driver, pull credentials and paths Compose would rewrite, all in one error", () => {
      const e = errorOf(() =>
        renderDockerHost(
          {
            ...RUN_AGENT,
            driver: "kubernetes",
            dataDir: "/srv/$HOME",
            image: { registry: "ghcr.io", repository: "corp/agent", tag: "1.4.0", credentials: ImagePullCredentials.fromKubernetesSecret("pull") },
          },
          { containerName: "-bad", dockerSocket: "/run/a,b.sock" },
          { subject: "docker-host/bastion" },
        ),
      );
      expect(e.issues.map((i) => i.field)).toEqual(["containerName", "dockerSocket", "driver", "image.credentials", "dataDir"]);
      expect(e.message).toContain("docker-host/bastion: `driver` must be \"docker\" or \"local\" on a Docker host, got: \"kubernetes\"");
      expect(e.message).toContain("`dataDir` must be an absolute path of letters, digits and '._@+-/' here");
    });

    test("fails when settings are invalid, naming the field", () => {
      const e = errorOf(() => renderDockerHost({ ...VCS_AGENT, concurrency: 2 }));
      expect(e.issues).toEqual([{ field: "concurrency", message: 'applies only to run agents (poolKind "run")', received: "2" }]);
    });
  });
});
