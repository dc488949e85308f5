import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, VmAutoScalingDrain, VmTokenFetch, VmUserData, VM_AWS_FETCHER, VM_FETCH_TOKEN_SCRIPT, VM_FIRST_BOOT_SCRIPT } from "../../../agent/vm";
import { testWithTools } from "../../support/system-tool";
import { TEST_CA_PEM } from "./fixtures";
import { VM_LOG_EVENTS } from "../../../agent/vm/log-events";
import { matchesFilterPattern } from "../../constructs/operations/filter-pattern";
import { expectedSignature, startFakeImds } from "./sigv4";

/**
 * The scripts are run for real, extracted from the rendered document, with the paths under / moved
 * to a temp dir and the system commands (systemctl, update-ca-*, scalr-agent, IMDS and Secrets
 * Manager) replaced at the command level.
 */
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "vm-run-"));
  tmpDirs.push(d);
  return d;
}

const ARN = "arn:aws:secretsmanager:eu-west-3:210987654321:secret:scalr/e2e-token-QwErTy";
/** Proxy variables that lead nowhere, with only `localhost` exempt. */
const DEAD_PROXY = { HTTP_PROXY: "http://127.0.0.1:9", http_proxy: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9", https_proxy: "http://127.0.0.1:9", NO_PROXY: "localhost", no_proxy: "localhost" };
const TOKEN = "eyJhbGciOi.J9-payload_x.sig+/="; // token-shaped test value

function userData(tokenFetch: VmTokenFetch, extra: object = {}, autoScalingDrain?: VmAutoScalingDrain): VmUserData {
  return renderVmUserData({ scalrUrl: "https://run-acct.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(ARN), ...extra }, { os: "ubuntu-22.04", tokenFetch, autoScalingDrain });
}

/** The script as shipped, with absolute paths moved under `root`. */
function relocated(u: VmUserData, scriptPath: string, root: string): string {
  const s = u.scripts.find((x) => x.path === scriptPath)?.content as string;
  return s.replace(/\/run\/scalr-agent/g, `${root}/run/scalr-agent`).replace(/\/usr\/local\/libexec\/scalr-agent/g, `${root}/libexec`).replace(/\/etc\//g, `${root}/etc/`);
}

function install(u: VmUserData, root: string): string {
  fs.mkdirSync(path.join(root, "libexec"), { recursive: true });
  for (const s of u.scripts) fs.writeFileSync(path.join(root, "libexec", path.basename(s.path)), relocated(u, s.path, root), { mode: 0o700 });
  return path.join(root, "libexec", path.basename(VM_FETCH_TOKEN_SCRIPT));
}

describe("fetch-token", () => {
  testWithTools("writes the token root-only to /run/scalr-agent/token and token.env", [["bash"]], () => {
    const root = tmpDir();
    const r = spawnSync(install(userData(VmTokenFetch.command(`echo '${TOKEN}'`)), root), { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    const dir = path.join(root, "run/scalr-agent");
    expect(fs.readFileSync(path.join(dir, "token"), "utf8")).toBe(TOKEN);
    expect(fs.readFileSync(path.join(dir, "token.env"), "utf8")).toBe(`SCALR_AGENT_TOKEN=${TOKEN}\n`);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, "token")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, "token.env")).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(["token", "token.env"]);
  });

  testWithTools("fails on a malformed token without printing it, and leaves no file", [["bash"]], () => {
    const root = tmpDir();
    const r = spawnSync(install(userData(VmTokenFetch.command("echo 'secret-part1 injected=1'")), root), { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("scalr-agent-token: event=token-fetch-failed reason=malformed-value: the token source returned an empty or malformed value (23 characters, value not shown)\n");
    // The line the fleet's metric filter counts; the token's parts are not in it.
    expect(matchesFilterPattern(VM_LOG_EVENTS.tokenFetchFailed.pattern, r.stderr)).toBe(true);
    expect(r.stderr).not.toContain("secret-part1");
    expect(fs.readdirSync(path.join(root, "run/scalr-agent"))).toEqual([]);
  });

  testWithTools("fails when the source fails", [["bash"]], () => {
    const root = tmpDir();
    const r = spawnSync(install(userData(VmTokenFetch.file(`${root}/missing`)), root), { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("scalr-agent-token: event=token-fetch-failed reason=source-failed: the token source failed\n");
    expect(r.stderr.split("\n").filter((l) => matchesFilterPattern(VM_LOG_EVENTS.tokenFetchFailed.pattern, l))).toHaveLength(1);
  });

  testWithTools("a fetched token logs the token-fetched line, which the failure filter does not count", [["bash"]], () => {
    const root = tmpDir();
    const r = spawnSync(install(userData(VmTokenFetch.command("echo tok-en.1234")), root), { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`scalr-agent-token: event=token-fetched: token written to ${root}/run/scalr-agent (11 characters)\n`);
    expect(matchesFilterPattern(VM_LOG_EVENTS.tokenFetched.pattern, r.stdout)).toBe(true);
    expect(matchesFilterPattern(VM_LOG_EVENTS.tokenFetchFailed.pattern, r.stdout)).toBe(false);
  });
});

describe("AWS Secrets Manager fetcher", () => {
  testWithTools("signs like the AWS documentation's Signature Version 4 example", [["python3"]], () => {
    const dir = tmpDir();
    const u = userData(VmTokenFetch.awsSecretsManager(ARN));
    fs.writeFileSync(path.join(dir, "fetcher.py"), u.scripts.find((s) => s.path === VM_AWS_FETCHER)?.content as string);
    const py = [
      "import importlib.machinery, importlib.util, sys",
      `loader = importlib.machinery.SourceFileLoader("f", ${JSON.stringify(path.join(dir, "fetcher.py"))})`,
      "spec = importlib.util.spec_from_loader('f', loader); m = importlib.util.module_from_spec(spec); loader.exec_module(m)",
      "print(m.sigv4_authorization('GET', 'iam.amazonaws.com', '/', 'Action=ListUsers&Version=2010-05-08', {'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'Host': 'iam.amazonaws.com', 'X-Amz-Date': '20150830T123600Z'}, b'', 'us-east-1', 'iam', 'AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830T123600Z'))",
    ].join("\n");
    const r = spawnSync("python3", ["-c", py], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
    );
  });

  testWithTools(
    "boot fetch end to end: IMDSv2 credentials, a signed GetSecretValue, the JSON key, into /run; the agent named after the instance",
    [["python3"], ["bash"], ["curl"]],
    async () => {
      const aws = await fakeImdsAndSecretsManager("i-0abc123def4567890");
      try {
        const root = tmpDir();
        const script = install(userData(VmTokenFetch.awsSecretsManager(ARN, { jsonKey: "poolToken" })), root);
        const out = await runFetch(script, aws.url);
        expect(out.stderr).toBe("");
        expect(out.code).toBe(0);
        expect(aws.signatureOk()).toBe(true);
        expect(aws.seen[0]).toBe("PUT /latest/api/token");
        const dir = path.join(root, "run/scalr-agent");
        expect(fs.readFileSync(path.join(dir, "token"), "utf8")).toBe(TOKEN);
        // IMDSv2 (a session token first), directly although every proxy variable points nowhere.
        expect(aws.seen.slice(-2)).toEqual(["PUT /latest/api/token", "GET /latest/meta-data/instance-id (token ok)"]);
        expect(fs.readFileSync(path.join(dir, "agent-name.env"), "utf8")).toBe("SCALR_AGENT_NAME=i-0abc123def4567890\n");
        expect(fs.statSync(path.join(dir, "agent-name.env")).mode & 0o777).toBe(0o600);
        expect(fs.readdirSync(dir).sort()).toEqual(["agent-name.env", "token", "token.env"]);
        expect(out.stdout).toContain("scalr-agent-token: agent name i-0abc123def4567890 written to");
        expect(out.stdout).not.toContain(TOKEN);
      } finally {
        aws.close();
      }
    },
    30000,
  );

  testWithTools(
    "an instance ID that is not one fails the fetch (the agent does not start) and writes no name",
    [["python3"], ["bash"], ["curl"]],
    async () => {
      const aws = await fakeImdsAndSecretsManager("i-0abc\nSCALR_AGENT_TOKEN=x");
      try {
        const root = tmpDir();
        const sleeps = path.join(root, "sleeps.log");
        const out = await runFetch(install(userData(VmTokenFetch.awsSecretsManager(ARN, { jsonKey: "poolToken" })), root), aws.url, sleeps);
        expect(out.code).toBe(1);
        // Five reads, 2 s apart (the stub sleep records the waits instead of taking them).
        expect(fs.readFileSync(sleeps, "utf8")).toBe("2\n2\n2\n2\n");
        expect(out.stderr).toBe("scalr-agent-token: event=token-fetch-failed reason=instance-id: could not read this instance's ID from IMDS (needed for the agent's name)\n");
        expect(aws.seen.filter((r) => r.startsWith("GET /latest/meta-data/instance-id"))).toHaveLength(5);
        expect(fs.readdirSync(path.join(root, "run/scalr-agent")).sort()).toEqual(["token", "token.env"]);
      } finally {
        aws.close();
      }
    },
    30000,
  );
});

/** A loopback IMDS (IMDSv2 only) and Secrets Manager for the fetcher, answering `instanceId` for `meta-data/instance-id`. */
async function fakeImdsAndSecretsManager(instanceId: string): Promise<{ url: string; seen: string[]; signatureOk: () => boolean; close: () => void }> {
  const seen: string[] = [];
  let signatureOk = false;
  const instance = { role: "fleet-role", credentials: { AccessKeyId: "ASIATESTKEY", SecretAccessKey: "test/secret+key", Token: "session-token-1" }, region: "eu-west-3", instanceId };
  const server = await startFakeImds(
    instance,
    (req, body, res) => {
      const auth = String(req.headers.authorization);
      signatureOk =
        req.headers["x-amz-target"] === "secretsmanager.GetSecretValue" &&
        req.headers["x-amz-security-token"] === "session-token-1" &&
        auth.includes("Credential=ASIATESTKEY/") &&
        auth.includes("/eu-west-3/secretsmanager/aws4_request") &&
        auth.endsWith(`Signature=${expectedSignature(req, body, "test/secret+key")}`) &&
        JSON.parse(body).SecretId === ARN;
      res.end(JSON.stringify({ SecretString: JSON.stringify({ poolToken: TOKEN }) }));
    },
    (req, imdsToken) => seen.push(`${req.method} ${req.url}${imdsToken ? " (token ok)" : ""}`),
  );
  return { ...server, seen, signatureOk: () => signatureOk };
}

/**
 * Runs the fetch with every proxy variable pointing nowhere and only `localhost` (the API)
 * bypassing it: IMDS, on 127.0.0.1, answers only because the fetch reaches it directly whatever the proxy says.
 */
/**
 * Runs the fetch script against the fake endpoints. With `sleeps` (a file path), `sleep` is a stub
 * that appends its argument to that file instead of waiting, so retry loops cost no wall time.
 */
function runFetch(script: string, url: string, sleeps?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let pathPrefix = "";
  if (sleeps !== undefined) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "vm-fetch-bin-"));
    tmpDirs.push(bin);
    fs.writeFileSync(path.join(bin, "sleep"), `#!/bin/bash\necho "$1" >>"${sleeps}"\n`, { mode: 0o755 });
    pathPrefix = `${bin}:`;
  }
  const env = {
    PATH: `${pathPrefix}${process.env.PATH}`,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url.replace("127.0.0.1", "localhost"),
    ...DEAD_PROXY,
  };
  return new Promise((resolve) =>
    execFile(script, { env, encoding: "utf8" }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
  );
}

describe("first-boot", () => {
  const PROXY = "http://proxy.example:3128";
  const DRAIN = { autoScalingGroupName: "boot-fleet", lifecycleHookName: "boot-hook" };

  /**
   * Runs first-boot with a minimal environment and the system commands replaced by stubs that log
   * their arguments (curl also the proxy it was given). The systemctl stub behaves like systemd
   * where it matters: a blocking start of a unit that fetches the token (the Docker-mode agent,
   * legacy mode's scalr-agent-token.service) runs the real fetch-token and fails when it fails;
   * `--no-block` only queues the job.
   */
  function runFirstBoot(u: VmUserData): { root: string; status: number | null; stderr: string; calls: string[] } {
    const root = tmpDir();
    const bin = path.join(root, "bin");
    fs.mkdirSync(bin);
    const log = path.join(root, "calls.log");
    const fetchToken = install(u, root);
    const stub = (cmd: string, body = "", before = "") => fs.writeFileSync(path.join(bin, cmd), `#!/bin/bash\n${before}echo "${cmd} $*" >>"${log}"\n${body}`, { mode: 0o755 });
    for (const cmd of ["update-ca-certificates", "update-ca-trust", "scalr-agent", "apt-get"]) stub(cmd);
    // gpg reads the key curl pipes to it first, so the log keeps the pipeline's order.
    stub("gpg", "", "cat >/dev/null\n");
    stub("curl", `echo "  with http_proxy=\${http_proxy-unset} https_proxy=\${https_proxy-unset} no_proxy=\${no_proxy-unset}" >>"${log}"\necho "-----BEGIN PGP PUBLIC KEY BLOCK-----"\n`);
    stub(
      "systemctl",
      [
        'case " $* " in *" --no-block "*) exit 0 ;; esac',
        'if [[ "$1" == start || "$1" == restart || ( "$1" == enable && " $* " == *" --now "* ) ]]; then',
        '  for unit in "$@"; do',
        `    if [[ "$unit" == scalr-agent-token.service || ( "$unit" == scalr-agent.service && ${u.installMode === "docker"} == true ) ]]; then exec "${fetchToken}"; fi`,
        "  done",
        "fi",
        "",
      ].join("\n"),
    );
    fs.mkdirSync(path.join(root, "etc/apt/sources.list.d"), { recursive: true });
    const script = relocated(u, VM_FIRST_BOOT_SCRIPT, root).replace(/\/var\/lib\//g, `${root}/var/lib/`).replace(/\/usr\/share\/keyrings/g, root);
    fs.writeFileSync(path.join(root, "first-boot"), script, { mode: 0o700 });
    // A minimal environment: no proxy variable and no PATH entry the VM would not have.
    const r = spawnSync(path.join(root, "first-boot"), { encoding: "utf8", env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` } });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").map((l) => l.trimEnd().split(root).join("<root>")) : [];
    return { root, status: r.status, stderr: r.stderr, calls };
  }

  testWithTools("docker mode: proxy links, the drain watcher, CA trust, then Docker and the agent without waiting", [["bash"]], () => {
    const u = userData(VmTokenFetch.command(`echo '${TOKEN}'`), { proxy: { http: PROXY }, caBundle: { pem: TEST_CA_PEM } }, DRAIN);
    const r = runFirstBoot(u);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      "systemctl daemon-reload",
      "systemctl enable --now scalr-agent-drain.service",
      "update-ca-certificates",
      "systemctl enable docker.service",
      "systemctl restart docker.service",
      "systemctl enable --now --no-block scalr-agent.service",
    ]);
    const link = (unit: string) => fs.readlinkSync(path.join(r.root, `etc/systemd/system/${unit}.d/proxy.conf`));
    expect(link("scalr-agent-drain.service")).toBe(`${r.root}/etc/systemd/system/scalr-agent.service.d/proxy.conf`);
    expect(link("docker.service")).toBe(`${r.root}/etc/systemd/system/scalr-agent.service.d/proxy.conf`);
  });

  testWithTools("docker mode: a failing token fetch neither fails first boot nor leaves the drain watcher off", [["bash"]], () => {
    const r = runFirstBoot(userData(VmTokenFetch.command("exit 3"), {}, DRAIN));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.calls).toContain("systemctl enable --now scalr-agent-drain.service");
    // systemd retries the start (Restart=always), each time fetching again.
    expect(r.calls[r.calls.length - 1]).toBe("systemctl enable --now --no-block scalr-agent.service");
  });

  testWithTools("legacy package mode: a failing token fetch stops first boot, but the drain watcher is already on", [["bash"]], () => {
    const u = renderVmUserData(
      { scalrUrl: "https://legacy-run.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(ARN) },
      { os: "rocky-9", installMode: "package", tokenFetch: VmTokenFetch.command("exit 3"), autoScalingDrain: DRAIN },
    );
    const r = runFirstBoot(u);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("scalr-agent-token: event=token-fetch-failed reason=source-failed: the token source failed\n");
    expect(r.calls).toEqual(["systemctl daemon-reload", "systemctl enable --now scalr-agent-drain.service", "systemctl start scalr-agent-token.service"]);
  });

  testWithTools(
    "legacy package mode on Ubuntu 22.04 behind a proxy and a private CA: the CA before the download through the proxy, then configure",
    [["bash"]],
    () => {
      const u = renderVmUserData(
        {
          scalrUrl: "https://legacy-run.scalr.io",
          token: AgentTokenSource.fromAwsSecretsManager(ARN),
          name: "legacy-9",
          proxy: { http: PROXY, noProxy: [".corp.example"] },
          caBundle: { pem: TEST_CA_PEM },
        },
        { os: "ubuntu-22.04", installMode: "package", tokenFetch: VmTokenFetch.command(`echo '${TOKEN}'`) },
      );
      const r = runFirstBoot(u);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const noProxy = u.environmentFile.variables.no_proxy as string;
      expect(noProxy).toContain(".corp.example");
      expect(r.calls).toEqual([
        "systemctl daemon-reload",
        "update-ca-certificates",
        "curl -fsSL https://downloads.scalr.com/pgp-key.public",
        `  with http_proxy=${PROXY} https_proxy=${PROXY} no_proxy=${noProxy}`,
        "gpg --batch --yes --dearmor -o <root>/scalr-keyring.gpg",
        "apt-get update",
        "apt-get install -y scalr-agent",
        "systemctl start scalr-agent-token.service",
        `scalr-agent configure --token=${TOKEN} --url=https://legacy-run.scalr.io --agent-name=legacy-9`,
        "systemctl daemon-reload",
        "systemctl restart scalr-docker",
        "systemctl restart scalr-agent",
        "systemctl enable scalr-docker scalr-agent",
      ]);
    },
  );
});
