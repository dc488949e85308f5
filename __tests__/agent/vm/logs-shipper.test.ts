import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, VM_LOGS_SHIPPER, VM_LOGS_UNIT, VmTokenFetch, VmUserData } from "../../../agent/vm";
import { VM_LOG_EVENTS } from "../../../agent/vm/log-events";
import { matchesFilterPattern } from "../../constructs/operations/filter-pattern";
import { testWithTools } from "../../support/system-tool";
import { expectedSignature, startFakeImds } from "./sigv4";

const GROUP = "/scalr-agent/ship-fleet-3";

function userData(installMode: "docker" | "package" = "docker"): VmUserData {
  return renderVmUserData(
    { scalrUrl: "https://ship-acct.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-north-1:121212121212:secret:ship-Qr12St") },
    {
      os: installMode === "docker" ? "amazon-linux-2023" : "rocky-9",
      installMode,
      tokenFetch: VmTokenFetch.awsSecretsManager("scalr-agent/ship-fleet-3/pool-token"),
      autoScalingDrain: { autoScalingGroupName: "ship-fleet-3", lifecycleHookName: "scalr-agent-drain" },
      logShipping: { logGroupName: GROUP, flushSeconds: 2 },
    },
  );
}

describe("renderVmUserData: log shipping", () => {
  test("a shipper unit follows the journal of every unit the kit runs, started by first boot before the agent", () => {
    const u = userData();
    expect(u.logShipping).toEqual({
      logGroupName: GROUP,
      flushSeconds: 2,
      units: ["cloud-final.service", "docker.service", "scalr-agent.service", "scalr-agent-drain.service"],
    });
    const unit = u.units.find((x) => x.unitName === VM_LOGS_UNIT)?.render() as string;
    expect(unit).toContain(`ExecStart=${VM_LOGS_SHIPPER} \\\n    --log-group ${GROUP} \\\n    --cursor-file /var/lib/scalr-agent-logs/cursor`);
    expect(unit).toContain("--unit scalr-agent.service \\\n");
    expect(unit).toContain("StateDirectory=scalr-agent-logs\n");
    expect(unit).toContain("Restart=always\n");
    const firstBoot = u.scripts.find((s) => s.path.endsWith("/first-boot"))?.content as string;
    expect(firstBoot.indexOf(`systemctl enable --now ${VM_LOGS_UNIT}`)).toBeGreaterThan(-1);
    expect(firstBoot.indexOf(`systemctl enable --now ${VM_LOGS_UNIT}`)).toBeLessThan(firstBoot.indexOf("scalr-agent.service enabled"));
  });

  test("legacy package mode ships the packaged units", () => {
    expect(userData("package").logShipping?.units).toEqual(["cloud-final.service", "scalr-agent-token.service", "scalr-docker.service", "scalr-agent.service", "scalr-agent-drain.service"]);
  });

  test("no shipper without logShipping", () => {
    const u = renderVmUserData({ scalrUrl: "https://a.scalr.io", token: AgentTokenSource.fromFile("/run/t") }, { os: "ubuntu-24.04" });
    expect(u.logShipping).toBeUndefined();
    expect(u.document).not.toContain("scalr-agent-logs");
  });

  test("fails when the log group name is not one", () => {
    expect(() =>
      renderVmUserData({ scalrUrl: "https://a.scalr.io", token: AgentTokenSource.fromFile("/run/t") }, { os: "ubuntu-24.04", logShipping: { logGroupName: "bad name*" } }),
    ).toThrow("renderVmUserData: `logShipping.logGroupName` must be a log group name known at synth time (1–512 letters, digits, '.', '-', '_', '/', '#'), got: \"bad name*\"");
  });
});

interface Call {
  readonly target: string;
  readonly body: { logGroupName: string; logStreamName: string; logEvents?: { timestamp: number; message: string }[] };
}

/** A loopback IMDS (IMDSv2 only) and CloudWatch Logs API; `failFirstPut` answers the first PutLogEvents with a throttle. */
async function fakeImdsAndLogs(options: { failFirstPut?: boolean; streamExists?: boolean } = {}): Promise<{ url: string; calls: Call[]; badSignatures: () => number; close: () => void }> {
  const calls: Call[] = [];
  let bad = 0;
  let failed = false;
  const instance = {
    role: "ship-role",
    credentials: { AccessKeyId: "ASIASHIPKEY", SecretAccessKey: "ship/secret+key", Token: "session-token-ship" },
    region: "eu-north-1",
    instanceId: "i-0123456789abcdef0",
  };
  const server = await startFakeImds(instance, (req, body, res) => {
    const auth = String(req.headers.authorization);
    if (!auth.includes("/eu-north-1/logs/aws4_request") || !auth.endsWith(`Signature=${expectedSignature(req, body, "ship/secret+key")}`)) bad++;
    const target = String(req.headers["x-amz-target"]);
    calls.push({ target, body: JSON.parse(body) });
    res.setHeader("Content-Type", "application/x-amz-json-1.1");
    if (target === "Logs_20140328.CreateLogStream" && options.streamExists) {
      res.statusCode = 400;
      return res.end(JSON.stringify({ __type: "ResourceAlreadyExistsException", message: "The specified log stream already exists" }));
    }
    if (target === "Logs_20140328.PutLogEvents" && options.failFirstPut && !failed) {
      failed = true;
      res.statusCode = 400;
      return res.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
    }
    return res.end(target === "Logs_20140328.PutLogEvents" ? JSON.stringify({ nextSequenceToken: "1" }) : "");
  });
  return { ...server, calls, badSignatures: () => bad };
}

const entry = (unit: string, usec: number, message: unknown, cursor: string, systemdUnit = true) =>
  JSON.stringify({ __CURSOR: cursor, __REALTIME_TIMESTAMP: String(usec), ...(systemdUnit ? { _SYSTEMD_UNIT: unit } : { UNIT: unit, _SYSTEMD_UNIT: "init.scope" }), MESSAGE: message });

/** Installs the shipper with a fake journalctl that records its arguments and prints `lines`. */
function install(lines: readonly string[]): { dir: string; shipper: string; journalctl: string; cursor: string; args: () => string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logs-shipper-"));
  const shipper = path.join(dir, "aws-logs-shipper");
  fs.writeFileSync(shipper, userData().scripts.find((s) => s.path === VM_LOGS_SHIPPER)?.content as string, { mode: 0o700 });
  const journalctl = path.join(dir, "journalctl");
  fs.writeFileSync(path.join(dir, "journal.json"), lines.map((l) => `${l}\n`).join(""));
  fs.writeFileSync(journalctl, `#!/bin/bash\necho "$*" >>"${dir}/journalctl.args"\ncat "${dir}/journal.json"\n`, { mode: 0o700 });
  return { dir, shipper, journalctl, cursor: path.join(dir, "cursor"), args: () => fs.readFileSync(path.join(dir, "journalctl.args"), "utf8") };
}

function ship(i: ReturnType<typeof install>, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, AWS_EC2_METADATA_SERVICE_ENDPOINT: url, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url };
  const args = [i.shipper, "--log-group", GROUP, "--unit", "scalr-agent.service", "--unit", "docker.service", "--cursor-file", i.cursor, "--flush-seconds", "1", "--journalctl", i.journalctl];
  return new Promise((resolve) => execFile("python3", args, { env, encoding: "utf8", timeout: 30000 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })));
}

const FAILED = "scalr-agent-token: event=token-fetch-failed reason=source-failed: the token source failed";

describe("aws-logs-shipper, run as shipped against a loopback CloudWatch Logs", () => {
  testWithTools(
    "ships each unit's lines to <instance>/<unit> in order, signed, and records the cursor; the failure line reaches CloudWatch as written",
    [["python3"]],
    async () => {
      const aws = await fakeImdsAndLogs();
      const i = install([
        entry("scalr-agent.service", 1_700_000_002_000_000, FAILED, "c2"),
        entry("docker.service", 1_700_000_001_000_000, "dockerd started", "c1"),
        entry("scalr-agent.service", 1_700_000_003_500_000, "Failed to start scalr-agent.service", "c3", false),
        // Not UTF-8: journald gives bytes; an empty message is skipped.
        entry("scalr-agent.service", 1_700_000_004_000_000, [104, 105, 255], "c4"),
        entry("docker.service", 1_700_000_005_000_000, "", "c5"),
        "not json",
      ]);
      try {
        const r = await ship(i, aws.url);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        expect(aws.badSignatures()).toBe(0);
        expect(i.args().trim()).toBe("--output=json --follow --no-pager --unit=scalr-agent.service --unit=docker.service --boot --no-tail");
        const puts = aws.calls.filter((c) => c.target === "Logs_20140328.PutLogEvents");
        expect(aws.calls.filter((c) => c.target === "Logs_20140328.CreateLogStream").map((c) => c.body.logStreamName)).toEqual([
          "i-0123456789abcdef0/docker.service",
          "i-0123456789abcdef0/scalr-agent.service",
        ]);
        expect(puts.map((c) => [c.body.logGroupName, c.body.logStreamName, c.body.logEvents])).toEqual([
          [GROUP, "i-0123456789abcdef0/docker.service", [{ timestamp: 1_700_000_001_000, message: "dockerd started" }]],
          [
            GROUP,
            "i-0123456789abcdef0/scalr-agent.service",
            [
              { timestamp: 1_700_000_002_000, message: FAILED },
              { timestamp: 1_700_000_003_500, message: "Failed to start scalr-agent.service" },
              { timestamp: 1_700_000_004_000, message: "hi\ufffd" },
            ],
          ],
        ]);
        // The fleet's metric filter counts exactly the failure line among what was shipped.
        const shipped = puts.flatMap((c) => c.body.logEvents ?? []).map((e) => e.message);
        expect(shipped.filter((m) => matchesFilterPattern(VM_LOG_EVENTS.tokenFetchFailed.pattern, m))).toEqual([FAILED]);
        expect(fs.readFileSync(i.cursor, "utf8")).toBe("c5");
      } finally {
        aws.close();
        fs.rmSync(i.dir, { recursive: true, force: true });
      }
    },
    40000,
  );

  testWithTools(
    "resumes after the recorded cursor; an existing stream is fine; a throttled call is retried, not lost",
    [["python3"]],
    async () => {
      const aws = await fakeImdsAndLogs({ failFirstPut: true, streamExists: true });
      const i = install([entry("scalr-agent.service", 1_700_000_010_000_000, "agent line", "c10")]);
      fs.writeFileSync(i.cursor, "c9\n");
      try {
        const r = await ship(i, aws.url);
        expect(r.code).toBe(0);
        expect(i.args()).toContain("--after-cursor=c9");
        expect(i.args()).not.toContain("--boot");
        expect(r.stderr).toBe("scalr-agent logs: PutLogEvents to i-0123456789abcdef0/scalr-agent.service failed (ThrottlingException), retrying in 2s\n");
        const puts = aws.calls.filter((c) => c.target === "Logs_20140328.PutLogEvents");
        expect(puts).toHaveLength(2);
        expect(puts[1]?.body.logEvents).toEqual([{ timestamp: 1_700_000_010_000, message: "agent line" }]);
        expect(fs.readFileSync(i.cursor, "utf8")).toBe("c10");
      } finally {
        aws.close();
        fs.rmSync(i.dir, { recursive: true, force: true });
      }
    },
    40000,
  );
});
