import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, VmUserData, VM_AWS_LIFECYCLE_HELPER, VM_DRAIN_WATCHER_SCRIPT } from "../../../agent/vm";
import { hasSystemTool, testWithTools } from "../../support/system-tool";
import { expectedSignature } from "./sigv4";
import { VM_LOG_EVENTS } from "../../../agent/vm/log-events";
import { matchesFilterPattern } from "../../constructs/operations/filter-pattern";

/**
 * The drain path, run for real: the drain watcher extracted from the rendered document, with the
 * metadata and AWS calls replaced at the command level (a stub curl for IMDS, a stub lifecycle
 * helper, a stub systemctl), then with the real curl and Python helper against a fake IMDS and
 * Auto Scaling endpoint. The tests are independent and mostly wait: they run concurrently.
 */
const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "vm-drain-"));
  tmpDirs.push(d);
  return d;
}

const GROUP = "fleet-blue-7";
const HOOK = "drain-hook-q";

/** `test.concurrent` when the tools are there; otherwise {@link testWithTools} skips (or fails in CI). */
function concurrentWithTools(title: string, tools: readonly (readonly [string, (readonly string[])?])[], fn: () => Promise<void>, timeoutMs: number): void {
  if (tools.every(([name, args]) => hasSystemTool(name, args))) test.concurrent(title, fn, timeoutMs);
  else testWithTools(title, tools, fn, timeoutMs);
}

function userData(): VmUserData {
  return renderVmUserData(
    { scalrUrl: "https://drain-run.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-north-1:135792468024:secret:scalr/drain-AbCdEf") },
    { os: "amazon-linux-2023", autoScalingDrain: { autoScalingGroupName: GROUP, lifecycleHookName: HOOK, pollIntervalSeconds: 1, heartbeatIntervalSeconds: 1 } },
  );
}

function script(u: VmUserData, p: string): string {
  return u.scripts.find((s) => s.path === p)?.content as string;
}

interface Installed {
  readonly root: string;
  readonly watcher: string;
  readonly log: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Installs the watcher under a temp root, with `systemctl` replaced by a stub that takes
 * `stopSeconds` to stop the agent, and IMDS and the lifecycle helper either real
 * (`helper: "real"`: the real curl and Python helper, for a fake server) or stubs: `curl` answers
 * the target lifecycle state from `states`, the helper the lifecycle calls with `heartbeatExit` /
 * `completeExit`. Every call is appended to `log`.
 */
function install(options: { stopSeconds: number; stopResult?: string; helper: "real" | { states: readonly string[]; heartbeatExit?: number; completeExit?: number } }): Installed {
  const u = userData();
  const root = tmpDir();
  const bin = path.join(root, "bin");
  const libexec = path.join(root, "libexec");
  fs.mkdirSync(bin);
  fs.mkdirSync(libexec);
  const log = path.join(root, "calls.log");
  const relocate = (s: string) => s.replace(/\/usr\/local\/libexec\/scalr-agent/g, libexec);
  const watcher = path.join(libexec, path.basename(VM_DRAIN_WATCHER_SCRIPT));
  fs.writeFileSync(watcher, relocate(script(u, VM_DRAIN_WATCHER_SCRIPT)), { mode: 0o700 });
  fs.writeFileSync(
    path.join(bin, "systemctl"),
    // `systemctl show` answers the stop's result (systemd's "timeout" when the agent was killed).
    `#!/bin/bash\nif [[ "$1" == show ]]; then echo ${options.stopResult ?? "success"}; exit 0; fi\necho "systemctl $* begin" >>"${log}"\nsleep ${options.stopSeconds}\necho "systemctl $* end" >>"${log}"\n`,
    { mode: 0o755 },
  );
  const helperPath = path.join(libexec, path.basename(VM_AWS_LIFECYCLE_HELPER));
  if (options.helper === "real") {
    fs.writeFileSync(helperPath, script(u, VM_AWS_LIFECYCLE_HELPER), { mode: 0o700 });
  } else {
    const { states, heartbeatExit = 0, completeExit = 0 } = options.helper;
    const stateFile = path.join(root, "states");
    // One state per line; "-" stands for a failed read (IMDS unavailable).
    fs.writeFileSync(stateFile, `${states.join("\n")}\n`);
    fs.writeFileSync(
      path.join(bin, "curl"),
      [
        "#!/bin/bash",
        'case "$*" in',
        "  */latest/api/token*) echo imds-v2-stub ;;",
        `  */latest/meta-data/autoscaling/target-lifecycle-state*) echo "imds target-lifecycle-state" >>"${log}"; state="$(head -n 1 "${stateFile}")"; sed -i 1d "${stateFile}"; [[ "$state" == "-" ]] && exit 22; echo "$state" ;;`,
        "  *) exit 2 ;;",
        "esac",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    fs.writeFileSync(
      helperPath,
      [
        "#!/bin/bash",
        `echo "lifecycle $*" >>"${log}"`,
        'case "$1" in',
        `  heartbeat) exit ${heartbeatExit} ;;`,
        `  complete) exit ${completeExit} ;;`,
        "esac",
        "",
      ].join("\n"),
      { mode: 0o700 },
    );
  }
  return { root, watcher, log, env: { PATH: `${bin}:${process.env.PATH}` } };
}

function run(i: Installed, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; calls: string[] }> {
  return new Promise((resolve) =>
    execFile(i.watcher, { env: { ...i.env, ...extraEnv }, encoding: "utf8", timeout: 20000 }, (err, stdout, stderr) =>
      resolve({
        code: err ? Number(err.code ?? 1) : 0,
        stdout,
        stderr,
        calls: fs.existsSync(i.log) ? fs.readFileSync(i.log, "utf8").trim().split("\n") : [],
      }),
    ),
  );
}

describe("drain-watcher with the metadata and AWS calls replaced by stubs", () => {
  concurrentWithTools(
    "waits for Terminated, stops the agent, sends heartbeats while it drains, then completes with CONTINUE",
    [["bash"]],
    async () => {
      const i = install({ stopSeconds: 2.2, helper: { states: ["InService", "-", "Terminated"] } });
      const r = await run(i);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const args = `--group ${GROUP} --hook ${HOOK}`;
      expect(r.calls.slice(0, 3)).toEqual(["imds target-lifecycle-state", "imds target-lifecycle-state", "imds target-lifecycle-state"]);
      const stopEnd = r.calls.indexOf("systemctl stop scalr-agent.service end");
      // The stop runs in the background: its first line and the first heartbeat may come in either order.
      const during = r.calls.slice(3, stopEnd).filter((c) => c !== "systemctl stop scalr-agent.service begin");
      expect(r.calls.slice(3, stopEnd)).toContain("systemctl stop scalr-agent.service begin");
      // A heartbeat at once, then one per second while the stop runs.
      expect(during.length).toBeGreaterThanOrEqual(2);
      expect(new Set(during)).toEqual(new Set([`lifecycle heartbeat ${args}`]));
      expect(r.calls.slice(stopEnd)).toEqual(["systemctl stop scalr-agent.service end", `lifecycle complete ${args} --result CONTINUE`]);
      expect(r.stdout).toContain("scalr-agent drain: Auto Scaling is terminating this instance: draining scalr-agent.service\n");
      // The stop takes 2.2 s of wall time, so at least 2 whole seconds pass; no upper bound: a loaded
      // machine may take longer, and how long is not what this test is about.
      const stopped = /scalr-agent drain: event=drain-finished seconds=\d+: scalr-agent.service stopped after (\d+) s\n/.exec(r.stdout);
      expect(stopped).not.toBeNull();
      expect(Number(stopped?.[1])).toBeGreaterThanOrEqual(2);
    },
    20000,
  );

  concurrentWithTools(
    "a failed heartbeat does not stop the drain; a failed completion exits 1 and says the hook's timeout takes over",
    [["bash"]],
    async () => {
      const i = install({ stopSeconds: 0.3, helper: { states: ["Terminated"], heartbeatExit: 1, completeExit: 1 } });
      const r = await run(i);
      expect(r.code).toBe(1);
      // The background stop and the first heartbeat may log in either order; on a loaded machine
      // the stop can outlast the 1 s heartbeat interval, so a second failed heartbeat is allowed.
      const heartbeat = `lifecycle heartbeat --group ${GROUP} --hook ${HOOK}`;
      const calls = r.calls.filter((c, n) => c !== heartbeat || r.calls.indexOf(heartbeat) === n);
      expect([...calls.slice(1, 3)].sort()).toEqual([heartbeat, "systemctl stop scalr-agent.service begin"]);
      expect([calls[0], ...calls.slice(3)]).toEqual([
        "imds target-lifecycle-state",
        "systemctl stop scalr-agent.service end",
        `lifecycle complete --group ${GROUP} --hook ${HOOK} --result CONTINUE`,
      ]);
      expect(r.stdout).toContain("scalr-agent drain: heartbeat failed; the hook's own timeout still covers the drain\n");
      expect(r.stdout).toContain("scalr-agent drain: event=drain-complete-failed: could not complete the lifecycle action: Auto Scaling terminates the instance when the hook times out\n");
      expect(matchesFilterPattern(VM_LOG_EVENTS.drainCompleteFailed.pattern, r.stdout)).toBe(true);
      expect(matchesFilterPattern(VM_LOG_EVENTS.drainTimeout.pattern, r.stdout)).toBe(false);
    },
    20000,
  );

  concurrentWithTools(
    "an agent killed at the end of its grace period logs the drain-timeout line the fleet's alarm counts, then still completes",
    [["bash"]],
    async () => {
      const i = install({ stopSeconds: 0.2, stopResult: "timeout", helper: { states: ["Terminated"] } });
      const r = await run(i);
      expect(r.code).toBe(0);
      const lines = r.stdout.split("\n");
      const timeout = lines.filter((l) => matchesFilterPattern(VM_LOG_EVENTS.drainTimeout.pattern, l));
      expect(timeout).toHaveLength(1);
      expect(timeout[0]).toMatch(
        /^scalr-agent drain: event=drain-timeout seconds=\d+: scalr-agent.service did not stop within its grace period and was killed; runs still in progress were cut short$/,
      );
      expect(lines.filter((l) => matchesFilterPattern(VM_LOG_EVENTS.drainFinished.pattern, l))).toEqual([]);
      expect(r.calls[r.calls.length - 1]).toBe(`lifecycle complete --group ${GROUP} --hook ${HOOK} --result CONTINUE`);
    },
    20000,
  );

  concurrentWithTools(
    "a drain within the grace period is no timeout",
    [["bash"]],
    async () => {
      const r = await run(install({ stopSeconds: 0.2, helper: { states: ["Terminated"] } }));
      expect(r.stdout.split("\n").filter((l) => matchesFilterPattern(VM_LOG_EVENTS.drainTimeout.pattern, l))).toEqual([]);
      expect(r.stdout.split("\n").filter((l) => matchesFilterPattern(VM_LOG_EVENTS.drainFinished.pattern, l))).toHaveLength(1);
    },
    20000,
  );
});

/** A fake IMDS (IMDSv2 only) and Auto Scaling Query API on one local port. */
async function fakeAws(handlers: { targetStates: string[]; autoscaling: (form: URLSearchParams, signatureOk: boolean) => { status: number; body: string } }) {
  const requests: { form: URLSearchParams; signatureOk: boolean }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const token = req.headers["x-aws-ec2-metadata-token"] === "imds-v2-drain";
      if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("imds-v2-drain");
      if (req.url === "/latest/meta-data/autoscaling/target-lifecycle-state" && token) return res.end(handlers.targetStates.shift() ?? "Terminated");
      if (req.url === "/latest/meta-data/instance-id" && token) return res.end("i-0fedcba9876543210");
      if (req.url === "/latest/meta-data/iam/security-credentials/" && token) return res.end("drain-role\n");
      if (req.url === "/latest/meta-data/iam/security-credentials/drain-role" && token) {
        return res.end(JSON.stringify({ AccessKeyId: "ASIADRAINKEY", SecretAccessKey: "drain/secret+key", Token: "drain-session" }));
      }
      if (req.url === "/latest/meta-data/placement/region" && token) return res.end("eu-north-1");
      if (req.method === "POST" && req.url === "/") {
        const auth = String(req.headers.authorization);
        const signatureOk =
          req.headers["x-amz-security-token"] === "drain-session" &&
          String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded") &&
          auth.includes("Credential=ASIADRAINKEY/") &&
          auth.includes("/eu-north-1/autoscaling/aws4_request") &&
          auth.endsWith(`Signature=${expectedSignature(req, body, "drain/secret+key")}`);
        const form = new URLSearchParams(body);
        requests.push({ form, signatureOk });
        const answer = handlers.autoscaling(form, signatureOk);
        res.statusCode = answer.status;
        return res.end(answer.body);
      }
      res.statusCode = 401;
      return res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Every proxy variable points nowhere and only `localhost` (the API) bypasses it: IMDS, on
  // 127.0.0.1, answers only when curl and the helper reach it directly whatever the proxy says.
  const dead = "http://127.0.0.1:9";
  const env = {
    AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
    AWS_ENDPOINT_URL_AUTO_SCALING: url.replace("127.0.0.1", "localhost"),
    HTTP_PROXY: dead,
    http_proxy: dead,
    HTTPS_PROXY: dead,
    https_proxy: dead,
    NO_PROXY: "localhost",
    no_proxy: "localhost",
  };
  return { requests, env, close: () => server.close() };
}

const OK = `<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>`;
const error = (code: string) => `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error></ErrorResponse>`;

describe("drain-watcher with the real lifecycle helper against a fake IMDS and Auto Scaling", () => {
  concurrentWithTools(
    "the target lifecycle state through IMDS, then signed RecordLifecycleActionHeartbeat and CompleteLifecycleAction for this instance, throttling retried",
    [["bash"], ["curl"], ["python3"]],
    async () => {
      let throttled = false;
      const states = ["InService", "Terminated"];
      const aws = await fakeAws({
        targetStates: states,
        autoscaling: (form) => {
          if (form.get("Action") === "RecordLifecycleActionHeartbeat" && !throttled) {
            throttled = true;
            return { status: 400, body: error("Throttling") };
          }
          return { status: 200, body: OK };
        },
      });
      try {
        const r = await run(install({ stopSeconds: 1.5, helper: "real" }), aws.env);
        expect(r.code).toBe(0);
        expect(states).toEqual([]); // both states were read from IMDS
        expect(r.stderr).toContain("scalr-agent drain: RecordLifecycleActionHeartbeat failed (Throttling), retrying in 2s\n");
        expect(aws.requests.every((q) => q.signatureOk)).toBe(true);
        const actions = aws.requests.map((q) => q.form.get("Action"));
        expect(actions.slice(0, 2)).toEqual(["RecordLifecycleActionHeartbeat", "RecordLifecycleActionHeartbeat"]);
        expect(actions[actions.length - 1]).toBe("CompleteLifecycleAction");
        const complete = aws.requests[aws.requests.length - 1]?.form as URLSearchParams;
        expect(Object.fromEntries(complete.entries())).toEqual({
          Action: "CompleteLifecycleAction",
          AutoScalingGroupName: GROUP,
          InstanceId: "i-0fedcba9876543210",
          LifecycleActionResult: "CONTINUE",
          LifecycleHookName: HOOK,
          Version: "2011-01-01",
        });
        expect(r.stdout).toContain("scalr-agent drain: CompleteLifecycleAction CONTINUE for i-0fedcba9876543210\n");
      } finally {
        aws.close();
      }
    },
    30000,
  );

  concurrentWithTools(
    "the helper fails at once, naming AWS's error code, when there is no lifecycle action to complete",
    [["python3"]],
    async () => {
      const aws = await fakeAws({ targetStates: [], autoscaling: () => ({ status: 400, body: error("ValidationError") }) });
      try {
        const i = install({ stopSeconds: 0, helper: "real" });
        const helper = path.join(i.root, "libexec", path.basename(VM_AWS_LIFECYCLE_HELPER));
        const out = await new Promise<{ code: number; stderr: string }>((resolve) =>
          execFile(helper, ["complete", "--group", GROUP, "--hook", HOOK], { env: { PATH: process.env.PATH, ...aws.env } }, (err, _o, stderr) =>
            resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
          ),
        );
        expect(out.code).toBe(1);
        expect(out.stderr).toBe("scalr-agent drain: CompleteLifecycleAction failed: ValidationError\n");
        expect(aws.requests).toHaveLength(1);
      } finally {
        aws.close();
      }
    },
    20000,
  );
});
