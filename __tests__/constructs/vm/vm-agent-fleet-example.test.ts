import { App } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { gunzipSync } from "zlib";
import { vmAgentFleetExample } from "../../../examples/vm-agent-fleet/main";
import { cleanUpValidatorDirs, cloudInitSchema, shellcheck, systemdVerify } from "../../agent/vm/vm-validators";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { testWithTools } from "../../support/system-tool";
import { decodeTerraformJson } from "../../support/terraform-json";

/**
 * The `vm-agent-fleet` example stack, synthesized as `cdktf synth` does, and what the issue says
 * must be true of it: the launch template's user data, decoded (base64, gunzip), passes
 * `cloud-init schema`, its units pass `systemd-analyze verify`, it holds both proxy drop-ins and no
 * token; IMDSv2 is required, the root volume encrypted, the security group without ingress, and the
 * instance role reads exactly one secret.
 */
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "vm-fleet-example-"));
const app = new App({ outdir });
vmAgentFleetExample(app);
app.synth();
const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "vm-agent-fleet", "cdk.tf.json"), "utf8"));
afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
  cleanUpValidatorDirs();
});

function only(type: string): any {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

const launchTemplate = only("aws_launch_template");
const document = gunzipSync(Buffer.from(launchTemplate.user_data, "base64")).toString("utf8");
interface WriteFile {
  path: string;
  content: string;
  permissions: string;
}
const files: WriteFile[] = (parse(document) as { write_files: WriteFile[] }).write_files;
const file = (p: string) => files.find((f) => f.path === p && !("append" in f));
const firstBoot = file("/usr/local/libexec/scalr-agent/first-boot")?.content ?? "";
/** `ln -sfn <target> <link>` lines of first-boot: the drop-ins linked to the agent's. */
const symlinks = [...firstBoot.matchAll(/^ln -sfn (\S+) (\S+)$/gm)].map((m) => ({ target: m[1] as string, path: m[2] as string }));

describe("example vm-agent-fleet", () => {
  test("the user data is a gzip-compressed #cloud-config within EC2's 16 KB", () => {
    const raw = Buffer.from(launchTemplate.user_data, "base64");
    expect(raw.subarray(0, 2).toString("hex")).toBe("1f8b");
    expect(raw.length).toBeLessThanOrEqual(16384);
    expect(document.startsWith("#cloud-config\n")).toBe(true);
  });

  testWithTools("the decoded user data passes cloud-init schema", [["cloud-init"]], () => {
    const r = cloudInitSchema(document);
    expect(r.out).toContain("Valid cloud-config");
    expect(r.status).toBe(0);
  });

  testWithTools("every unit and drop-in it writes or links passes systemd-analyze verify", [["systemd-analyze"]], () => {
    const units = files.filter((f) => f.path.startsWith("/etc/systemd/system/"));
    expect(units.map((u) => u.path).sort()).toEqual([
      "/etc/systemd/system/scalr-agent-drain.service",
      "/etc/systemd/system/scalr-agent-logs.service",
      "/etc/systemd/system/scalr-agent.service",
      "/etc/systemd/system/scalr-agent.service.d/proxy.conf",
    ]);
    const r = systemdVerify({
      units,
      executables: files.filter((f) => f.path.startsWith("/usr/local/libexec/")),
      symlinks,
      provided: ["docker.service"],
      programs: ["/usr/bin/docker"],
    });
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  testWithTools("its shell scripts pass shellcheck", [["shellcheck"]], () => {
    const scripts = files.filter((f) => f.content.startsWith("#!/bin/bash"));
    expect(scripts.map((s) => path.basename(s.path)).sort()).toEqual(["drain-watcher", "fetch-token", "first-boot"]);
    for (const s of scripts) expect(`${s.path}\n${shellcheck(s.path, s.content).out}`).toBe(`${s.path}\n`);
  });

  // Scalr's agent documentation (https://docs.scalr.io/docs/self-hosted-agents-pools) has the Docker
  // daemon use the agent's proxy too.
  test("it holds both proxy drop-ins: the agent's, and the Docker daemon's linked to it", () => {
    const agentDropIn = file("/etc/systemd/system/scalr-agent.service.d/proxy.conf")?.content ?? "";
    expect(agentDropIn).toContain('Environment="HTTP_PROXY=http://proxy.corp.example:3128"\n');
    expect(agentDropIn).toContain('Environment="HTTPS_PROXY=http://proxy.corp.example:3128"\n');
    expect(agentDropIn).toMatch(/Environment="NO_PROXY=localhost,127\.0\.0\.1,::1,169\.254\.169\.254,[^"]*,\.corp\.example,10\.0\.0\.0\/8"/);
    expect(symlinks).toEqual([
      { target: "/etc/systemd/system/scalr-agent.service.d/proxy.conf", path: "/etc/systemd/system/docker.service.d/proxy.conf" },
      { target: "/etc/systemd/system/scalr-agent.service.d/proxy.conf", path: "/etc/systemd/system/scalr-agent-drain.service.d/proxy.conf" },
      { target: "/etc/systemd/system/scalr-agent.service.d/proxy.conf", path: "/etc/systemd/system/scalr-agent-logs.service.d/proxy.conf" },
    ]);
  });

  test("it trusts the corporate CA and points the agent at the OS bundle", () => {
    expect(file("/etc/pki/ca-trust/source/anchors/scalr-agent-ca.crt")?.content).toContain("-----BEGIN CERTIFICATE-----");
    expect(file("/etc/scalr-agent/agent.env")?.content).toContain("\nSCALR_AGENT_CA_CERT=/etc/pki/tls/certs/ca-bundle.crt\n");
  });

  test("it holds no token and no Terraform expression: the token is read at boot from the fleet's secret", () => {
    expect(document).not.toMatch(/scalr_agent_pool_token|TfToken|\$\{(var|data|aws_[a-z_]+|scalr_[a-z_]+)\./);
    expect(document).not.toMatch(/SCALR_AGENT_TOKEN=[^%\s]/);
    expect(document).toContain("aws-secretsmanager-token --secret-id scalr-agent/scalr-ec2-agents/pool-token\n");
    expect(only("aws_secretsmanager_secret").name).toBe("scalr-agent/scalr-ec2-agents/pool-token");
    expect(only("aws_secretsmanager_secret_version").secret_string).toMatch(/^\$\{scalr_agent_pool_token\.RunPool_Token-ec2-fleet_[0-9A-F]{8}\.token\}$/);
  });

  test("IMDSv2 is required (hop limit 1), the root volume is encrypted, there is no public IP", () => {
    expect(launchTemplate.metadata_options).toMatchObject({ http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(launchTemplate.block_device_mappings).toEqual([expect.objectContaining({ ebs: expect.objectContaining({ encrypted: "true", volume_type: "gp3" }) })]);
    expect(launchTemplate.network_interfaces[0].associate_public_ip_address).toBe("false");
    expect(launchTemplate.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\.[^.]+\.insecure_value\}$/);
    expect(Object.values<any>(json.data.aws_ssm_parameter)[0].name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
  });

  test("the security group has no ingress", () => {
    expect(only("aws_security_group").ingress).toEqual([]);
    expect(json.resource.aws_security_group_rule).toBeUndefined();
    expect(json.resource.aws_vpc_security_group_ingress_rule).toBeUndefined();
  });

  test("the instance role can read one secret: the fleet's own", () => {
    const statements = Object.values<any>(json.resource.aws_iam_role_policy).flatMap((p) => decodeTerraformJson(p.policy).Statement as any[]);
    const secretAccess = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("secretsmanager:") || a === "*"));
    expect(secretAccess).toEqual([expect.objectContaining({ Action: ["secretsmanager:GetSecretValue"], Resource: [expect.stringMatching(/^<ref:aws_secretsmanager_secret\.Fleet_TokenSecret_[0-9A-F]{8}\.arn>$/)] })]);
    // No managed policy: Session Manager gets an inline policy of its channels only.
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
  });

  test("scale-in and instance refresh go through the drain hook", () => {
    expect(only("aws_autoscaling_lifecycle_hook")).toMatchObject({ lifecycle_transition: "autoscaling:EC2_INSTANCE_TERMINATING", heartbeat_timeout: 3720, default_result: "CONTINUE" });
    expect(only("aws_autoscaling_group").instance_refresh.preferences).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200 });
    expect(only("aws_autoscaling_group").vpc_zone_identifier).toBe("${var.subnet_ids}");
  });

  test("outputs what an operator needs next, none of it sensitive (an ARN is not the secret)", () => {
    const out = json.output as Record<string, { value: string; sensitive?: boolean }>;
    expect(Object.keys(out).sort()).toEqual(["agent_pool_id", "autoscaling_group_name", "instance_role_name", "launch_template_id", "token_secret_arn"]);
    expect(out.autoscaling_group_name?.value).toMatch(/^\$\{aws_autoscaling_group\.Fleet_[0-9A-F]+\.name\}$/);
    expect(out.launch_template_id?.value).toMatch(/^\$\{aws_launch_template\.Fleet_LaunchTemplate_[0-9A-F]+\.id\}$/);
    expect(out.instance_role_name?.value).toMatch(/^\$\{aws_iam_role\.Fleet_Role_[0-9A-F]+\.name\}$/);
    expect(out.token_secret_arn?.value).toMatch(/^\$\{aws_secretsmanager_secret\.Fleet_TokenSecret_[0-9A-F]+\.arn\}$/);
    expect(out.agent_pool_id?.value).toMatch(/^\$\{scalr_agent_pool\.RunPool_[0-9A-F]+\.id\}$/);
    for (const o of Object.values(out)) {
      expect(o.sensitive ?? false).toBe(false);
      expect(o.value).not.toMatch(/\.(token|secret_string)\}$/);
    }
  });

  test("every scalr_* block matches the provider schema", () => {
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });
});
