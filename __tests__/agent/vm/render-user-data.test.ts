import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { AgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, SystemdCommand, VmTokenFetch, VmUserData, VmUserDataOptions, VM_NO_PROXY_DEFAULTS } from "../../../agent/vm";
import { messageOf } from "../../support/errors";
import { expectGolden } from "../../support/golden";
import { SCENARIOS, TEST_CA_PEM } from "./fixtures";

const SECRET = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalr/pool-XyZ123";
const base: AgentSettings = { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(SECRET) };

function render(settings: Partial<AgentSettings> = {}, options: Partial<VmUserDataOptions> = {}): VmUserData {
  return renderVmUserData({ ...base, ...settings }, { os: "amazon-linux-2023", ...options });
}

function file(u: VmUserData, path: string): { permissions: string; content: string } {
  const f = u.cloudConfig.props.writeFiles?.find((w) => w.path === path && !w.append);
  if (!f) throw new Error(`${path} is not written`);
  return f;
}

function unit(u: VmUserData, path: string): string {
  const found = u.units.find((x) => x.path === path);
  if (!found) throw new Error(`no unit ${path}`);
  return found.render();
}

function script(u: VmUserData, path: string): string {
  const found = u.scripts.find((x) => x.path === path);
  if (!found) throw new Error(`no script ${path}`);
  return found.content;
}

const AGENT = "/etc/systemd/system/scalr-agent.service";
const FIRST_BOOT = "/usr/local/libexec/scalr-agent/first-boot";

describe("renderVmUserData golden files", () => {
  for (const sc of SCENARIOS) {
    for (const os of sc.oses) {
      test(`${os}/${sc.name}`, () => {
        expectGolden(`vm/${os}/${sc.name}.yaml`, renderVmUserData(sc.settings, { ...sc.options, os }).document);
      });
    }
  }
});

describe("renderVmUserData: docker mode (default)", () => {
  test("runs the pinned scalr/agent image under scalr-agent.service with the data dir and the Docker socket", () => {
    const u = render();
    expect(u.installMode).toBe("docker");
    expect(u.image).toBe("scalr/agent:1.4.0");
    const agent = unit(u, AGENT);
    expect(agent).toContain("ExecStart=/usr/bin/docker run --rm \\\n    --name scalr-agent \\\n    --hostname %H \\\n");
    expect(agent).toContain("--volume /var/run/docker.sock:/var/run/docker.sock");
    expect(agent).toContain("--volume /var/lib/scalr-agent:/var/lib/scalr-agent");
    expect(agent).toContain("\\\n    scalr/agent:1.4.0 run\n");
    expect(agent).toContain("Requires=docker.service\nAfter=network-online.target docker.service\n");
    expect(agent).toContain("WantedBy=multi-user.target");
    expect(u.cloudConfig.props.packages).toEqual(["docker"]);
    expect(u.cloudConfig.props.runcmd).toEqual([[FIRST_BOOT]]);
  });

  test("the token is fetched into /run at every start of the agent and is never in the document", () => {
    const u = render();
    const agent = unit(u, AGENT);
    // At every start (a restart retries a failed fetch and picks up a rotated token), read again before ExecStart.
    expect(agent).toContain(
      "[Service]\nEnvironmentFile=-/run/scalr-agent/token.env\nEnvironmentFile=-/run/scalr-agent/agent-name.env\nExecStartPre=/usr/local/libexec/scalr-agent/fetch-token\nExecStartPre=-/usr/bin/docker rm --force scalr-agent\n",
    );
    expect(agent).toContain("TimeoutStartSec=900\n");
    expect(agent).toContain("Restart=always\n");
    expect(agent).toContain("--env SCALR_AGENT_TOKEN");
    // Docker mode needs no separate oneshot unit, which ran once per boot only.
    expect(u.units.map((x) => x.unitName)).not.toContain("scalr-agent-token.service");
    expect(script(u, "/usr/local/libexec/scalr-agent/fetch-token")).toContain(`/usr/local/libexec/scalr-agent/aws-secretsmanager-token --secret-id ${SECRET}`);
    expect(u.environmentFile.variables).not.toHaveProperty("SCALR_AGENT_TOKEN");
    expect(u.document).not.toMatch(/SCALR_AGENT_TOKEN=[^%\s]/);
  });

  test("the environment file is root-only and holds the settings", () => {
    const u = render({ concurrency: 4, name: "agent-a" });
    const env = file(u, "/etc/scalr-agent/agent.env");
    expect(env.permissions).toBe("0600");
    expect(env.content).toContain("\nSCALR_URL=https://acme.scalr.io\n");
    expect(env.content).toContain("\nSCALR_AGENT_CONCURRENCY=4\n");
    expect(env.content).toContain("\nSCALR_AGENT_DRIVER=docker\n");
    expect(env.content).toContain("\nSCALR_AGENT_NAME=agent-a\n");
    for (const s of u.scripts) expect(file(u, s.path).permissions).toBe("0700");
  });

  test("stopping the service drains: the agent's on-stop action, docker stop and TimeoutStopSec follow shutdown", () => {
    const u = render({ shutdown: { gracePeriodSeconds: 1200 } });
    const agent = unit(u, AGENT);
    expect(agent).toContain("TimeoutStopSec=1200\n");
    expect(agent).toContain("ExecStop=/usr/bin/docker stop --time 1195 scalr-agent");
    expect(agent).toContain("--stop-timeout 1195");
    expect(u.environmentFile.variables).toMatchObject({ SCALR_AGENT_WORKER_ON_STOP_ACTION: "drain", SCALR_AGENT_WORKER_DRAIN_TIMEOUT: "1130" });
    expect(unit(render(), AGENT)).toContain("TimeoutStopSec=3660\n");
  });

  test("a VCS agent gets neither the Docker socket nor the data dir", () => {
    const agent = unit(render({ poolKind: "vcs" }), AGENT);
    expect(agent).not.toContain("docker.sock");
    expect(agent).not.toContain("/var/lib/scalr-agent:");
  });

  test("the local driver gets the data dir but not the Docker socket", () => {
    const u = render({ driver: "local" });
    expect(unit(u, AGENT)).not.toContain("docker.sock");
    expect(u.environmentFile.variables.SCALR_AGENT_DRIVER).toBe("local");
  });

  test("a cache dir outside the data dir and the hooks dir are mounted at the same path", () => {
    const agent = unit(render({ dataDir: "/data/agent", cacheDir: "/cache/agent", hooksDir: "/opt/hooks" }), AGENT);
    expect(agent).toContain("--volume /data/agent:/data/agent");
    expect(agent).toContain("--volume /cache/agent:/cache/agent");
    expect(agent).toContain("--volume /opt/hooks:/opt/hooks:ro");
  });

  test("the agent image: explicit image wins; the default one follows containerTask.imageRegistry", () => {
    expect(render({ image: "registry.example.com/tools/agent:1.5.0" }).image).toBe("registry.example.com/tools/agent:1.5.0");
    expect(render({ containerTask: { imageRegistry: "mirror.example.com/proj/" } }).image).toBe("mirror.example.com/proj/scalr/agent:1.4.0");
    expect(render({ containerTask: { imageRegistry: "mirror.example.com/proj" } }).image).toBe("mirror.example.com/proj/agent:1.4.0");
    expect(render({ containerTask: { imageRegistry: "mirror.example.com:5000" } }).image).toBe("mirror.example.com:5000/scalr/agent:1.4.0");
  });

  test("Docker comes from each OS's own source", () => {
    expect(render({}, { os: "ubuntu-22.04" }).cloudConfig.props.packages).toEqual(["docker.io"]);
    expect(render({}, { os: "ubuntu-24.04" }).cloudConfig.props.packages).toEqual(["docker.io"]);
    const rocky = render({}, { os: "rocky-9" }).cloudConfig.props;
    expect(rocky.packages).toEqual(["docker-ce", "docker-ce-cli", "containerd.io"]);
    expect(rocky.yumRepos?.["docker-ce-stable"]?.baseurl).toBe("https://download.docker.com/linux/centos/$releasever/$basearch/stable");
  });
});

describe("renderVmUserData: the agent's name identifies its instance (issue 15)", () => {
  const FETCH = "/usr/local/libexec/scalr-agent/fetch-token";

  test("no name, Secrets Manager fetch (EC2): the fetch writes SCALR_AGENT_NAME=<instance id> to /run and the container gets it", () => {
    const u = render();
    const agent = unit(u, AGENT);
    expect(agent).toContain("EnvironmentFile=-/run/scalr-agent/agent-name.env\n");
    expect(agent).toContain("--env SCALR_AGENT_TOKEN \\\n    --env SCALR_AGENT_NAME \\\n");
    const fetch = script(u, FETCH);
    expect(fetch).toContain('"$imds/latest/meta-data/instance-id"');
    expect(fetch).toContain("--noproxy '*'");
    expect(fetch).toContain("printf 'SCALR_AGENT_NAME=%s\\n' \"$id\" >\"$tmp_name\"");
    // Unknown at synth: never a literal in the document or the agent's environment file.
    expect(u.environmentFile.variables).not.toHaveProperty("SCALR_AGENT_NAME");
    expect(u.document).not.toMatch(/SCALR_AGENT_NAME=[^%\s]/);
  });

  test("settings.name wins: no IMDS step, no --env SCALR_AGENT_NAME, the name in agent.env", () => {
    const u = render({ name: "fixed-agent" });
    expect(unit(u, AGENT)).not.toContain("SCALR_AGENT_NAME");
    expect(unit(u, AGENT)).not.toContain("agent-name.env");
    expect(script(u, FETCH)).not.toContain("instance-id");
    expect(u.environmentFile.variables.SCALR_AGENT_NAME).toBe("fixed-agent");
  });

  test("other token fetches (other clouds) and the legacy package keep the host name", () => {
    for (const tokenFetch of [VmTokenFetch.command("gcloud secrets versions access latest --secret=t"), VmTokenFetch.file("/run/secrets/t")]) {
      const u = render({}, { os: "ubuntu-24.04", tokenFetch });
      expect(unit(u, AGENT)).not.toContain("SCALR_AGENT_NAME");
      expect(script(u, FETCH)).not.toContain("instance-id");
    }
    const legacy = render({}, { os: "rocky-9", installMode: "package" });
    expect(script(legacy, FETCH)).not.toContain("instance-id");
    expect(legacy.document).not.toContain("agent-name.env");
  });
});

describe("renderVmUserData: proxy", () => {
  const proxy = { http: "http://proxy.internal:3128", noProxy: [".corp.example"] };

  test("writes the agent's proxy drop-in (which the token fetch runs under) and links it into docker.service.d", () => {
    const u = render({ proxy });
    const dropIn = unit(u, "/etc/systemd/system/scalr-agent.service.d/proxy.conf");
    expect(dropIn).toContain('Environment="HTTP_PROXY=http://proxy.internal:3128"');
    expect(dropIn).toContain('Environment="HTTPS_PROXY=http://proxy.internal:3128"');
    expect(dropIn).toContain('Environment="https_proxy=http://proxy.internal:3128"');
    expect(u.symlinks).toEqual([{ path: "/etc/systemd/system/docker.service.d/proxy.conf", target: "/etc/systemd/system/scalr-agent.service.d/proxy.conf" }]);
    const boot = script(u, FIRST_BOOT);
    expect(boot).toContain("ln -sfn /etc/systemd/system/scalr-agent.service.d/proxy.conf /etc/systemd/system/docker.service.d/proxy.conf");
  });

  test("NO_PROXY keeps metadata and local addresses direct, then the user's entries", () => {
    const noProxy = render({ proxy }).environmentFile.variables.NO_PROXY;
    expect(noProxy).toBe([...VM_NO_PROXY_DEFAULTS, ".corp.example"].join(","));
    for (const direct of ["169.254.169.254", "169.254.170.2", "localhost", "127.0.0.1"]) expect(noProxy?.split(",")).toContain(direct);
    expect(render({ proxy }).environmentFile.variables.no_proxy).toBe(noProxy);
  });

  test("first boot reloads systemd, restarts Docker, then starts the agent without waiting for the token fetch", () => {
    const boot = script(render({ proxy }), FIRST_BOOT);
    const order = ["ln -sfn", "systemctl daemon-reload", "systemctl restart docker.service", "systemctl enable --now --no-block scalr-agent.service\n"].map((s) => boot.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("the package manager goes through the proxy (apt on Ubuntu, dnf elsewhere) unless turned off", () => {
    expect(render({ proxy }, { os: "ubuntu-24.04" }).cloudConfig.toObject().apt).toEqual({ http_proxy: "http://proxy.internal:3128", https_proxy: "http://proxy.internal:3128" });
    const dnf = render({ proxy }).cloudConfig.props.writeFiles?.find((f) => f.path === "/etc/dnf/dnf.conf");
    expect(dnf).toMatchObject({ append: true, content: "proxy=http://proxy.internal:3128\n" });
    const off = render({ proxy }, { packageManagerProxy: false }).cloudConfig.props.writeFiles?.find((f) => f.path === "/etc/dnf/dnf.conf");
    expect(off).toBeUndefined();
  });

  test("without a proxy there is no drop-in and no symlink", () => {
    const u = render();
    expect(u.units.map((x) => x.path)).toEqual([AGENT]);
    expect(u.symlinks).toEqual([]);
    expect(script(u, FIRST_BOOT)).not.toContain("ln -s");
  });
});

describe("renderVmUserData: CA bundle", () => {
  test.each([
    ["amazon-linux-2023", "/etc/pki/ca-trust/source/anchors/scalr-agent-ca.crt", "update-ca-trust extract", "/etc/pki/tls/certs/ca-bundle.crt"],
    ["rocky-9", "/etc/pki/ca-trust/source/anchors/scalr-agent-ca.crt", "update-ca-trust extract", "/etc/pki/tls/certs/ca-bundle.crt"],
    ["ubuntu-22.04", "/usr/local/share/ca-certificates/scalr-agent-ca.crt", "update-ca-certificates", "/etc/ssl/certs/ca-certificates.crt"],
    ["ubuntu-24.04", "/usr/local/share/ca-certificates/scalr-agent-ca.crt", "update-ca-certificates", "/etc/ssl/certs/ca-certificates.crt"],
  ] as const)("%s: PEM joins the trust store at %s and the agent uses the OS bundle", (os, anchor, update, bundle) => {
    const u = render({ caBundle: { pem: TEST_CA_PEM } }, { os });
    expect(file(u, anchor)).toMatchObject({ permissions: "0644", content: `${TEST_CA_PEM}\n` });
    expect(script(u, FIRST_BOOT)).toContain(`\n${update}\n`);
    expect(u.environmentFile.variables).toMatchObject({ SCALR_AGENT_CA_CERT: bundle, SSL_CERT_FILE: bundle });
    expect(unit(u, AGENT)).toContain(`--volume ${bundle}:${bundle}:ro`);
  });

  test("a bundle already on the host is copied into the trust store at first boot", () => {
    const boot = script(render({ caBundle: { path: "/opt/certs/corp.pem" } }), FIRST_BOOT);
    expect(boot).toContain("install -m 0644 /opt/certs/corp.pem /etc/pki/ca-trust/source/anchors/scalr-agent-ca.crt\nupdate-ca-trust extract");
  });
});

describe("renderVmUserData: legacy package mode", () => {
  const legacy = (os: "rocky-9" | "ubuntu-22.04", settings: Partial<AgentSettings> = {}) =>
    render({ name: "old-agent", proxy: { http: "http://p.example:3128" }, ...settings }, { os, installMode: "package" });

  test("reproduces the seed layout: proxy drop-in symlinked into scalr-docker.service.d, seed restart order", () => {
    const u = legacy("rocky-9");
    expect(u.image).toBeUndefined();
    expect(u.units.map((x) => x.path)).toEqual([
      "/etc/systemd/system/scalr-agent-token.service",
      "/etc/systemd/system/scalr-agent.service.d/kit.conf",
      "/etc/systemd/system/scalr-agent.service.d/proxy.conf",
    ]);
    expect(u.symlinks.map((l) => l.path)).toContain("/etc/systemd/system/scalr-docker.service.d/proxy.conf");
    const boot = script(u, FIRST_BOOT);
    const order = [
      "ln -sfn /etc/systemd/system/scalr-agent.service.d/proxy.conf /etc/systemd/system/scalr-docker.service.d/proxy.conf",
      "systemctl start scalr-agent-token.service",
      `scalr-agent configure --token="$(cat /run/scalr-agent/token)" --url=https://acme.scalr.io --agent-name=old-agent`,
      "systemctl daemon-reload\nsystemctl restart scalr-docker\nsystemctl restart scalr-agent",
    ].map((s) => boot.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("installs Scalr's package from its rpm repository on Rocky and its apt repository on Ubuntu", () => {
    const rocky = legacy("rocky-9").cloudConfig.props;
    expect(rocky.packages).toEqual(["scalr-agent"]);
    expect(rocky.yumRepos?.scalr).toEqual({ name: "Scalr Agent", baseurl: "https://downloads.scalr.com/rpm", enabled: true, gpgcheck: true, gpgkey: "https://downloads.scalr.com/pgp-key.public" });
    const ubuntu = legacy("ubuntu-22.04");
    expect(ubuntu.cloudConfig.props.packages).toEqual([]);
    expect(script(ubuntu, FIRST_BOOT)).toContain("deb [signed-by=/usr/share/keyrings/scalr-keyring.gpg] https://downloads.scalr.com/apt stable main");
  });

  test("the packaged unit gets the environment (systemd quoting) and the drain timeout", () => {
    const u = legacy("rocky-9", { extraEnv: { NOTE: 'say "hi" $HOME' }, shutdown: { gracePeriodSeconds: 900 } });
    expect(unit(u, "/etc/systemd/system/scalr-agent.service.d/kit.conf")).toContain("EnvironmentFile=/etc/scalr-agent/agent.env\nTimeoutStopSec=900\n");
    expect(file(u, "/etc/scalr-agent/agent.env").content).toContain('NOTE="say \\"hi\\" \\$HOME"\n');
  });
});

describe("renderVmUserData: token fetch", () => {
  test("defaults to the settings' Secrets Manager secret, read with the instance role", () => {
    const u = render();
    expect(u.tokenFetch.kind).toBe("aws-secrets-manager");
    expect(u.tokenFetch.secretId).toBe(SECRET);
    expect(u.scripts.map((s) => s.path)).toContain("/usr/local/libexec/scalr-agent/aws-secretsmanager-token");
  });

  test("a secret name with region and JSON key (a secret created in the same stack, by its fixed name)", () => {
    const u = render({}, { tokenFetch: VmTokenFetch.awsSecretsManager("scalr/pool-token", { region: "eu-north-1", jsonKey: "token" }) });
    expect(script(u, "/usr/local/libexec/scalr-agent/fetch-token")).toContain(
      "/usr/local/libexec/scalr-agent/aws-secretsmanager-token --secret-id scalr/pool-token --region eu-north-1 --json-key token",
    );
  });

  test("a command (other clouds) or a file; no AWS fetcher is installed then", () => {
    const cmd = render({}, { tokenFetch: VmTokenFetch.command("az keyvault secret show --vault-name kv1 --name scalr --query value -o tsv") });
    expect(script(cmd, "/usr/local/libexec/scalr-agent/fetch-token")).toContain("fetch() {\n  az keyvault secret show --vault-name kv1 --name scalr --query value -o tsv\n}");
    expect(cmd.scripts.map((s) => s.language)).toEqual(["bash", "bash"]);
    const f = render({ token: AgentTokenSource.fromFile("/mnt/secrets/token") });
    expect(script(f, "/usr/local/libexec/scalr-agent/fetch-token")).toContain("cat -- /mnt/secrets/token");
  });
});

describe("renderVmUserData: bad input", () => {
  test("fails when the OS is unknown", () => {
    expect(messageOf(() => renderVmUserData(base, { os: "debian-12" as never }))).toBe(
      'renderVmUserData: `os` must be one of "amazon-linux-2023", "ubuntu-22.04", "ubuntu-24.04", "rocky-9", got: "debian-12"',
    );
  });

  test("fails when the proxy URL has no scheme", () => {
    expect(messageOf(() => render({ proxy: { http: "proxy.internal:3128" } }))).toContain(
      "renderVmUserData: `proxy.http` must be an http(s) proxy URL such as http://proxy.internal:3128",
    );
  });

  test("fails when a proxy URL holds credentials, without echoing them", () => {
    const message = messageOf(() =>
      renderVmUserData(
        { ...base, proxy: { http: "http://agent:s3cr3t-pass@proxy.internal:3128", https: "https://only-user@secure.internal:3129" } },
        { os: "ubuntu-24.04" },
        { subject: "vm/Fleet", fieldPrefix: "settings" },
      ),
    );
    expect(message).toBe(
      [
        'vm/Fleet: `settings.proxy.http` must not hold credentials (user:password@) on a VM: the proxy URL is written into user data and into unit files any local user can read; let the proxy allow the instances by address instead, got: "http://***@proxy.internal:3128"',
        'vm/Fleet: `settings.proxy.https` must not hold credentials (user:password@) on a VM: the proxy URL is written into user data and into unit files any local user can read; let the proxy allow the instances by address instead, got: "https://***@secure.internal:3129"',
      ].join("\n"),
    );
    expect(message).not.toContain("s3cr3t");
  });

  test("fails when the token is a Terraform value (it would be written into user data)", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const v = new TerraformVariable(stack, "t", { type: "string", sensitive: true });
    expect(messageOf(() => render({ token: AgentTokenSource.fromTerraformValue(v.stringValue) }))).toBe(
      "renderVmUserData: `token` must be read by the VM at boot: use AgentTokenSource.fromAwsSecretsManager(arn) or fromFile(path), or pass `tokenFetch` (a Terraform value or Kubernetes Secret would have to be written into user data), got: an instance of AgentTokenSource",
    );
  });

  test("fails when a setting is a Terraform reference, naming the construct path and field", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const url = new TerraformVariable(stack, "url", { type: "string" });
    const dir = new TerraformVariable(stack, "dir", { type: "string" });
    expect(messageOf(() => renderVmUserData({ ...base, scalrUrl: url.stringValue, dataDir: dir.stringValue }, { os: "rocky-9" }, { subject: "vm/Fleet", fieldPrefix: "agent" }))).toBe(
      [
        "vm/Fleet: `agent.scalrUrl` must be known at synth time: VM user data is rendered into a literal document (no Terraform expressions), got: a Terraform reference",
        "vm/Fleet: `agent.dataDir` must be known at synth time: VM user data is rendered into a literal document (no Terraform expressions), got: a Terraform reference",
      ].join("\n"),
    );
  });

  test("fails when the secret ARN is a Terraform reference", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const arn = new TerraformVariable(stack, "arn", { type: "string" });
    expect(messageOf(() => render({ token: AgentTokenSource.fromAwsSecretsManager(arn.stringValue) }))).toBe(
      "renderVmUserData: `token.secretId` must be known at synth time: user data is rendered into a literal document; give the secret a fixed name and pass the name, got: a Terraform reference",
    );
  });

  test("fails when the driver is kubernetes", () => {
    expect(messageOf(() => render({ driver: "kubernetes" }))).toBe('renderVmUserData: `driver` must be "docker" or "local" on a VM, got: "kubernetes"');
  });

  test("fails when package mode is asked on an OS Scalr never packaged for", () => {
    expect(messageOf(() => render({}, { installMode: "package" }))).toBe(
      'renderVmUserData: `installMode` must be "docker" on this OS: Scalr published its (deprecated) package for rocky-9 and ubuntu-22.04 only, got: "package" (os "amazon-linux-2023")',
    );
  });

  test("fails when an environment value spans lines", () => {
    expect(messageOf(() => render({ extraEnv: { BANNER: "a\nb" } }))).toBe(
      'renderVmUserData: `extraEnv.BANNER` must be a single line on a VM (environment files hold one variable per line), got: "a\\nb"',
    );
  });

  test("fails when tokenFetch is not a VmTokenFetch", () => {
    expect(messageOf(() => render({}, { tokenFetch: { kind: "command" } as never }))).toBe(
      'renderVmUserData: `tokenFetch` must be a VmTokenFetch (VmTokenFetch.awsSecretsManager(…), command(…), file(…)), got: an object (value hidden)',
    );
  });

  test("fails when an option is misspelt", () => {
    expect(messageOf(() => render({}, { installMod: "docker" } as never))).toBe(
      'renderVmUserData: `installMod` is not a known field (did you mean `installMode`?), got: "docker"',
    );
  });

  test("VmTokenFetch fails on a bad secret id, options, region, command or path", () => {
    expect(messageOf(() => VmTokenFetch.awsSecretsManager("bad id"))).toBe(
      'VmTokenFetch.awsSecretsManager: `secretId` must be a Secrets Manager secret ARN or name (letters, digits and /_+=.@:-), got: "bad id"',
    );
    expect(messageOf(() => VmTokenFetch.awsSecretsManager("s", { region: "Europe" }))).toBe(
      'VmTokenFetch.awsSecretsManager: `region` must be an AWS region known at synth time, e.g. eu-west-1, got: "Europe"',
    );
    expect(messageOf(() => VmTokenFetch.awsSecretsManager("abc", null as never))).toBe(
      "VmTokenFetch.awsSecretsManager: `options` must be an object such as { region, jsonKey }, or left out, got: null",
    );
    expect(messageOf(() => VmTokenFetch.command("  "))).toBe('VmTokenFetch.command: `command` must be a non-empty shell command known at synth time, got: "  "');
    expect(messageOf(() => VmTokenFetch.file("relative/token"))).toBe(
      'VmTokenFetch.file: `path` must be an absolute path without whitespace or quotes, known at synth time, got: "relative/token"',
    );
  });

  test("VmTokenFetch.awsSecretsManager reports a bad secret id, region and JSON key together", () => {
    expect(messageOf(() => VmTokenFetch.awsSecretsManager("bad id", { region: "Europe", jsonKey: "a b" })).split("\n")).toEqual([
      'VmTokenFetch.awsSecretsManager: `secretId` must be a Secrets Manager secret ARN or name (letters, digits and /_+=.@:-), got: "bad id"',
      'VmTokenFetch.awsSecretsManager: `region` must be an AWS region known at synth time, e.g. eu-west-1, got: "Europe"',
      "VmTokenFetch.awsSecretsManager: `jsonKey` must be 1–128 letters, digits, '_', '.' or '-' known at synth time, got: \"a b\"",
    ]);
  });
});

describe("renderVmUserData: EC2 Auto Scaling drain", () => {
  const drain = { autoScalingGroupName: "green-fleet", lifecycleHookName: "hook-3" };

  test("off by default: no drain unit, watcher or lifecycle helper", () => {
    const u = render();
    expect(u.autoScalingDrain).toBeUndefined();
    expect(u.units.map((x) => x.unitName)).not.toContain("scalr-agent-drain.service");
    expect(u.scripts.map((x) => x.path)).not.toContain("/usr/local/libexec/scalr-agent/drain-watcher");
  });

  test("a watcher service for the group and hook, started before the agent and not ordered after it, behind the proxy like the agent", () => {
    const u = render({ proxy: { http: "http://proxy.example:3128" } }, { autoScalingDrain: drain });
    expect(u.autoScalingDrain).toEqual({ ...drain, pollIntervalSeconds: 5, heartbeatIntervalSeconds: 60 });
    const unitText = unit(u, "/etc/systemd/system/scalr-agent-drain.service");
    expect(unitText).toContain("ExecStart=/usr/local/libexec/scalr-agent/drain-watcher\n");
    expect(unitText).toContain("After=network-online.target\n");
    expect(unitText).not.toContain("scalr-agent.service\n");
    expect(unitText).toContain("Restart=on-failure\n");
    const watcher = script(u, "/usr/local/libexec/scalr-agent/drain-watcher");
    expect(watcher).toContain("group=green-fleet\nhook=hook-3\npoll_seconds=5\nheartbeat_seconds=60\n");
    expect(watcher).toContain("systemctl stop scalr-agent.service &\n");
    expect(u.scripts.find((x) => x.path === "/usr/local/libexec/scalr-agent/aws-autoscaling-lifecycle")?.language).toBe("python");
    expect(u.symlinks.map((l) => l.path)).toContain("/etc/systemd/system/scalr-agent-drain.service.d/proxy.conf");
    const boot = script(u, FIRST_BOOT);
    // A failed or slow agent start must not leave the instance without its watcher.
    const watcher_ = boot.indexOf("systemctl enable --now scalr-agent-drain.service\n");
    expect(watcher_).toBeGreaterThan(boot.indexOf("ln -sfn /etc/systemd/system/scalr-agent.service.d/proxy.conf /etc/systemd/system/scalr-agent-drain.service.d/proxy.conf"));
    expect(watcher_).toBeGreaterThan(boot.indexOf("systemctl daemon-reload"));
    expect(watcher_).toBeLessThan(boot.indexOf("systemctl restart docker.service"));
    expect(watcher_).toBeLessThan(boot.indexOf("systemctl enable --now --no-block scalr-agent.service"));
  });

  test("legacy package mode: the watcher starts before the package download, the token fetch and the configuration", () => {
    const u = render({}, { os: "ubuntu-22.04", installMode: "package", autoScalingDrain: drain });
    const boot = script(u, FIRST_BOOT);
    const watcher_ = boot.indexOf("systemctl enable --now scalr-agent-drain.service\n");
    expect(watcher_).toBeGreaterThan(0);
    expect(watcher_).toBeLessThan(boot.indexOf("curl -fsSL https://downloads.scalr.com/pgp-key.public"));
    expect(watcher_).toBeLessThan(boot.indexOf("systemctl start scalr-agent-token.service"));
  });

  test("fails when the group name is a Terraform reference or the hook name is invalid", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const name = new TerraformVariable(stack, "asg", { type: "string" });
    expect(messageOf(() => render({}, { autoScalingDrain: { autoScalingGroupName: name.stringValue, lifecycleHookName: "h" } }))).toBe(
      "renderVmUserData: `autoScalingDrain.autoScalingGroupName` must be an Auto Scaling group name known at synth time (letters, digits, '_', '.', '/', '-'), got: a Terraform reference",
    );
    expect(messageOf(() => render({}, { autoScalingDrain: { autoScalingGroupName: "g", lifecycleHookName: "a hook", heartbeatIntervalSeconds: 0 } }))).toBe(
      [
        "renderVmUserData: `autoScalingDrain.lifecycleHookName` must be a lifecycle hook name known at synth time (letters, digits, '_', '/', '-'), got: \"a hook\"",
        "renderVmUserData: `autoScalingDrain.heartbeatIntervalSeconds` must be a whole number from 1 to 3600, got: 0",
      ].join("\n"),
    );
  });
});

describe("SystemdCommand", () => {
  test("quotes arguments and escapes specifiers and variables", () => {
    expect(new SystemdCommand(["/bin/echo", "a b", "50%", "$HOME", 'q"x']).render()).toBe('/bin/echo "a b" 50%% $$HOME "q\\"x"');
    expect(new SystemdCommand(["/usr/bin/docker", "rm", "x"], { ignoreFailure: true }).render()).toBe("-/usr/bin/docker rm x");
    expect(() => new SystemdCommand(["docker"])).toThrow("absolute path");
  });
});

describe("renderVmUserData: legacy package mode, issue 12 item 7", () => {
  const legacy = (settings: Partial<AgentSettings> = {}) => render(settings, { os: "rocky-9", installMode: "package" });
  const envNames = (u: VmUserData) => Object.keys(u.environmentFile.variables);

  test("writes the names the package's 0.x agent reads (SCALR_TOKEN era), not the SCALR_AGENT_* names of agent 1.x", () => {
    const u = legacy({
      name: "old-agent",
      driver: "docker",
      concurrency: 1,
      single: true,
      dataDir: "/srv/scalr",
      debug: true,
      logFormat: "plain",
      caBundle: { path: "/opt/certs/corp.pem" },
      shutdown: { mode: "drain", gracePeriodSeconds: 900 },
      containerTask: { cpuRequest: 1, cpuLimit: 2, memoryRequestMiB: 512, memoryLimitMiB: 1024, schedulingTimeoutSeconds: 60, acquireTimeoutSeconds: 90, imageRegistry: "mirror.example.com/" },
    });
    expect(envNames(u)).toEqual([
      "SCALR_AGENT_CONCURRENCY",
      "SCALR_AGENT_NAME",
      "SCALR_CA_CERT",
      "SCALR_CONTAINER_TASK_ACQUIRE_TIMEOUT",
      "SCALR_CONTAINER_TASK_CPU_LIMIT",
      "SCALR_CONTAINER_TASK_CPU_REQUEST",
      "SCALR_CONTAINER_TASK_IMAGE_REGISTRY",
      "SCALR_CONTAINER_TASK_MEM_LIMIT",
      "SCALR_CONTAINER_TASK_MEM_REQUEST",
      "SCALR_CONTAINER_TASK_SCHEDULING_TIMEOUT",
      "SCALR_DATA_HOME",
      "SCALR_DEBUG",
      "SCALR_DISCONNECT_ON_STOP",
      "SCALR_DRIVER",
      "SCALR_LOG_FORMAT",
      "SCALR_SINGLE",
      "SCALR_URL",
      "SCALR_WORKER_DRAIN_TIMEOUT",
      "SCALR_WORKER_GRACE_SHUTDOWN_TIMEOUT",
      "SCALR_WORKER_ON_STOP_ACTION",
      "SSL_CERT_FILE",
    ]);
    const env = file(u, "/etc/scalr-agent/agent.env").content;
    expect(env).toContain('SCALR_DATA_HOME="/srv/scalr"\n');
    expect(env).toContain('SCALR_DRIVER="docker"\n');
    expect(env).toContain('SCALR_CA_CERT="/etc/pki/tls/certs/ca-bundle.crt"\n');
    expect(env).not.toMatch(/^SCALR_AGENT_(DATA_DIR|DRIVER|DEBUG|TOKEN)=/m);
    // Docker mode keeps the current names.
    expect(envNames(render({ dataDir: "/srv/scalr" }))).toContain("SCALR_AGENT_DATA_DIR");
  });

  test("warns that the package is deprecated, with the migration guide; docker mode has no warning", () => {
    expect(legacy().warnings).toEqual([
      expect.stringMatching(
        /^`installMode` "package" installs Scalr's RPM\/Debian agent package, deprecated since 2026-03-31 .*https:\/\/docs\.scalr\.io\/docs\/installation/,
      ),
    ]);
    expect(render().warnings).toEqual([]);
  });

  test.each(["localhost:4317", "http://127.0.0.1:4317", "[::1]:4317"])("warns that a telemetry endpoint on the loopback (%s) reaches no collector in docker mode", (endpoint) => {
    expect(render({ telemetry: { otlpEndpoint: endpoint } }).warnings).toEqual([
      `\`settings.telemetry.otlpEndpoint\` ${JSON.stringify(endpoint)} is the agent container's own loopback on a VM, where no collector runs: the agent's metrics go nowhere; send them to a collector in the VPC (AgentCollectorService)`,
    ]);
    expect(render({ telemetry: { otlpEndpoint: "collector.metrics.internal:4317" } }).warnings).toEqual([]);
  });

  test("warns about every setting whose package-era name could not be verified (written under its current name)", () => {
    const u = legacy({ cacheDir: "/srv/cache", hooksDir: "/srv/hooks" });
    expect(envNames(u)).toEqual(expect.arrayContaining(["SCALR_AGENT_CACHE_DIR", "SCALR_AGENT_HOOKS_DIR"]));
    expect(u.warnings).toHaveLength(2);
    expect(u.warnings[1]).toBe(
      "`installMode` \"package\": the package's agent may not read SCALR_AGENT_CACHE_DIR, SCALR_AGENT_HOOKS_DIR (no package-era name for them could be verified; they are written under their current names); check on one instance, or use the default install mode",
    );
  });
});

describe("renderVmUserData: the agent image on a VM, issue 12 item 8", () => {
  const DIGEST = `sha256:${"ab12".repeat(16)}`;

  test("a user-given digest is pulled exactly as given", () => {
    const parts = render({ image: { digest: DIGEST } });
    expect(parts.image).toBe(`scalr/agent@${DIGEST}`);
    expect(unit(parts, AGENT)).toContain(`\\\n    scalr/agent@${DIGEST} run\n`);
    const ref = render({ image: `registry.example.com/scalr/agent:1.4.0@${DIGEST}` });
    expect(unit(ref, AGENT)).toContain(`\\\n    registry.example.com/scalr/agent:1.4.0@${DIGEST} run\n`);
  });

  test("pull credentials are rejected: the VM writes no registry password (ECR images use the instance role)", () => {
    const credentials = ImagePullCredentials.fromAwsSecretsManager("arn:aws:secretsmanager:eu-central-1:123456789012:secret:registry-AbC123");
    expect(messageOf(() => render({ image: { registry: "registry.example.com", credentials } }))).toBe(
      "renderVmUserData: `image.credentials` cannot be used on a VM: the host's Docker pulls the agent image without a registry password (the kit writes none to user data or disk); pull from Amazon ECR with the instance role instead (`settings.image: new AgentImageMirror(…).agentImage()`, or an image in an ECR repository you fill), use an image the instances can pull anonymously, or bake it into the machine image, and leave `credentials` unset, got: ImagePullCredentials(aws-secrets-manager \"arn:aws:secretsmanager:eu-central-1:123456789012:secret:registry-AbC123\")",
    );
  });
});
