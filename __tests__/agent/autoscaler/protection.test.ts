import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planProtection, unitIdOfAgentName } from "../../../agent/autoscaler";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import {
  renderFetchTokenScript,
  renderVmUserData,
  VmTokenFetch,
  VM_FETCH_TOKEN_SCRIPT,
} from "../../../agent/vm";
import { testWithTools } from "../../support/system-tool";

/**
 * The VM half of the agent→unit mapping (issue 15): the name the rendered VM boot writes
 * (`SCALR_AGENT_NAME=<instance id>`, from IMDS) is the name the autoscaler maps back to the
 * instance. The fetch script is run for real with `curl` replaced by a stub IMDS.
 */
const tmpDirs: string[] = [];
afterAll(() =>
  tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }))
);

/** Runs the name step of the fetch script, as rendered, with IMDS answering `instanceId`; returns agent-name.env's name or undefined. */
function nameWrittenOnBoot(
  script: string,
  instanceId: string
): { status: number | null; name?: string; stderr: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "vm-name-"));
  tmpDirs.push(root);
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  const idFile = path.join(root, "instance-id");
  fs.writeFileSync(idFile, instanceId);
  // IMDSv2 stub: a session token for the PUT, the instance ID only with that token.
  fs.writeFileSync(
    path.join(bin, "curl"),
    [
      "#!/bin/bash",
      'case "$*" in',
      "  *'-X PUT'*/latest/api/token*) printf imds-v2-stub ;;",
      `  *'X-aws-ec2-metadata-token: imds-v2-stub'*/latest/meta-data/instance-id*) cat "${idFile}" ;;`,
      "  *) exit 22 ;;",
      "esac",
      "",
    ].join("\n"),
    { mode: 0o755 }
  );
  // The retry pauses are not what is tested here.
  fs.writeFileSync(path.join(bin, "sleep"), "#!/bin/bash\nexit 0\n", {
    mode: 0o755,
  });
  const file = path.join(root, "fetch-token");
  fs.writeFileSync(file, script.replace(/\/run\/scalr-agent/g, `${root}/run`), {
    mode: 0o700,
  });
  const r = spawnSync(file, {
    encoding: "utf8",
    env: { PATH: `${bin}:${process.env.PATH}` },
  });
  const envFile = path.join(root, "run", "agent-name.env");
  const line = fs.existsSync(envFile)
    ? fs.readFileSync(envFile, "utf8")
    : undefined;
  const name = line?.match(/^SCALR_AGENT_NAME=(.*)\n$/)?.[1];
  return { status: r.status, name, stderr: r.stderr };
}

describe("a VM agent's name, as the rendered boot writes it, maps to its instance", () => {
  // The fetch as renderVmUserData ships it on EC2 (Secrets Manager, no settings.name), with the
  // token source swapped for a command so only the name step talks to (stub) IMDS.
  const shipped = renderVmUserData(
    {
      scalrUrl: "https://map-acct.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager(
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:scalr/map-AbCdEf"
      ),
    },
    { os: "amazon-linux-2023" }
  );
  const shippedScript = shipped.scripts.find(
    (s) => s.path === VM_FETCH_TOKEN_SCRIPT
  )?.content as string;
  const script = renderFetchTokenScript(VmTokenFetch.command("echo tok-en"), {
    agentNameFromInstanceId: true,
  });

  test("the name step tested here is the one that ships", () => {
    expect(shipped.units.find((x) => x.unitName === "scalr-agent.service")?.render()).toContain("--env SCALR_AGENT_NAME");
    const step = (s: string) =>
      s.slice(s.indexOf("# The agent is named after this instance"));
    expect(step(script)).toBe(step(shippedScript));
    expect(step(script).length).toBeGreaterThan(500);
  });

  for (const instanceId of ["i-0123456789abcdef0", "i-0a1b2c3d"]) {
    testWithTools(
      `${instanceId}: written on boot, mapped back, protected while busy`,
      [["bash"]],
      () => {
        const r = nameWrittenOnBoot(script, instanceId);
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.name).toBe(instanceId);
        const name = r.name as string;
        expect(unitIdOfAgentName(name, "asg")).toBe(instanceId);
        const units = [
          { id: instanceId, protected: false },
          { id: "i-0fffffffffffffff0", protected: true },
        ];
        expect(
          planProtection(
            [{ id: "agent-1", name, status: "busy" }],
            units,
            "asg"
          )
        ).toEqual({ protect: [instanceId], unprotect: [], unmapped: [], guard: false });
        expect(
          planProtection(
            [{ id: "agent-1", name, status: "idle" }],
            [{ id: instanceId, protected: true }],
            "asg"
          )
        ).toEqual({
          protect: [],
          unprotect: [instanceId],
          unmapped: [],
          guard: false,
        });
        // Never read as an ECS task ID.
        expect(unitIdOfAgentName(name, "ecs")).toBeUndefined();
      }
    );
  }

  testWithTools(
    "what the boot refuses to write is never a name (no agent-name.env, the fetch fails)",
    [["bash"]],
    () => {
      for (const bad of [
        "i-0123",
        "i-0123456789ABCDEF0",
        "ip-10-0-1-23",
        "i-0123456789abcdef0\nSCALR_AGENT_TOKEN=x",
        "",
      ]) {
        const r = nameWrittenOnBoot(script, bad);
        expect(r.status).toBe(1);
        expect(r.name).toBeUndefined();
      }
    }
  );
});
