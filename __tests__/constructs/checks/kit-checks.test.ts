import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { KitChecks, KIT_RULES, applyKitChecks } from "../../../constructs/checks";
import { messageOf } from "../../support/errors";

const OPEN_SSH = { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] };

function newStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return stack;
}

describe("KitChecks", () => {
  test("every rule has a unique id, a name, a description and a rationale, and lives in its own file", () => {
    const ids = KIT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of KIT_RULES) {
      expect(rule.id).toMatch(/^KIT-[A-Z0-9]+-\d+$/);
      expect(rule.name).toMatch(/^[a-z0-9-]+$/);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.rationale.length).toBeGreaterThan(20);
      expect(fs.existsSync(path.join(__dirname, "../../../constructs/checks/rules", `${rule.id.toLowerCase()}.ts`))).toBe(true);
    }
  });

  test("a violation of error severity fails synthesis with the rule id and the construct path", () => {
    const stack = newStack();
    new SecurityGroup(stack, "Sg", OPEN_SSH);
    KitChecks.of(stack);
    expect(() => Testing.synth(stack, true)).toThrow(/KIT-NET-2 stack\/Sg: aws_security_group must have no ingress rules/);
    // Without validations (Testing.synth's default) the checks do not run.
    expect(() => Testing.synth(stack)).not.toThrow();
  });

  test("app.synth() runs the checks: `cdktf synth` fails on a non-compliant stack", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-checks-"));
    try {
      const app = new App({ outdir });
      const stack = newStack(app);
      new SecurityGroup(stack, "Sg", OPEN_SSH);
      applyKitChecks(stack);
      expect(() => app.synth()).toThrow(/KIT-NET-2 stack\/Sg/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("a warning does not fail synthesis; it is an annotation on the construct, once", () => {
    const stack = newStack();
    const logs = new CloudwatchLogGroup(stack, "Logs", { name: "/x" });
    KitChecks.of(stack);
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const warnings = logs.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => m.data);
    expect(warnings).toEqual(["KIT-LOG-1 stack/Logs: aws_cloudwatch_log_group must set retention_in_days (got nothing: events never expire)"]);
  });

  test("severity can be raised or lowered per rule", () => {
    const stack = newStack();
    new CloudwatchLogGroup(stack, "Logs", { name: "/x" });
    new SecurityGroup(stack, "Sg", OPEN_SSH);
    const report = KitChecks.of(stack, { severity: { "KIT-LOG-1": "error", "KIT-NET-2": "warning" } }).report();
    expect(report.errors).toEqual([expect.stringMatching(/^KIT-LOG-1 stack\/Logs/)]);
    expect(report.warnings).toEqual([expect.stringMatching(/^KIT-NET-2 stack\/Sg/)]);
  });

  test("KitChecks.of returns one instance per stack", () => {
    const stack = newStack();
    expect(KitChecks.of(stack)).toBe(applyKitChecks(stack));
    expect(KitChecks.isAppliedTo(stack)).toBe(true);
    expect(KitChecks.isAppliedTo(newStack())).toBe(false);
  });

  test("fails when options name unknown rules or severities", () => {
    expect(messageOf(() => KitChecks.of(newStack(), { rules: ["KIT-NET-9"] }))).toMatch(/^KitChecks: `rules\[0\]` must be a KitChecks rule id: KIT-EC2-1, .*, got: "KIT-NET-9"$/);
    expect(messageOf(() => KitChecks.of(newStack(), { severity: { "KIT-NET-2": "fatal" as "error" } }))).toBe(
      'KitChecks: `severity.KIT-NET-2` must be "error" or "warning", got: "fatal"',
    );
  });
});

describe("KitChecks.acknowledge", () => {
  test("accepts a violation in the scope and everything below it, with its reason", () => {
    const stack = newStack();
    const bastion = new Construct(stack, "Bastion");
    new SecurityGroup(bastion, "Sg", OPEN_SSH);
    new SecurityGroup(stack, "Agents", OPEN_SSH);
    KitChecks.acknowledge(bastion, "KIT-NET-2", "the bastion accepts SSH from the VPN range only");
    const report = KitChecks.of(stack).report();
    expect(report.errors).toEqual([expect.stringMatching(/^KIT-NET-2 stack\/Agents:/)]);
    expect(report.acknowledged).toEqual([
      { ruleId: "KIT-NET-2", path: "stack/Bastion/Sg", scope: "stack/Bastion", reason: "the bastion accepts SSH from the VPN range only" },
    ]);
  });

  test("applies to that rule only", () => {
    const stack = newStack();
    new SecurityGroup(stack, "Sg", OPEN_SSH);
    KitChecks.acknowledge(stack, "KIT-NET-1", "no public IPs are involved in this test");
    expect(KitChecks.of(stack).report().errors).toHaveLength(1);
  });

  test("a stack- or app-level acknowledgement covers every resource below", () => {
    const app = Testing.app();
    const stack = newStack(app);
    new SecurityGroup(stack, "Sg", OPEN_SSH);
    KitChecks.acknowledge(app, "KIT-NET-2", "a lab app: every group is reviewed by hand");
    expect(KitChecks.of(stack).report().errors).toEqual([]);
  });

  test("is recorded in the synthesized stack's // metadata, which Terraform ignores", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-checks-"));
    try {
      const app = new App({ outdir });
      const stack = newStack(app);
      const bastion = new Construct(stack, "Bastion");
      new SecurityGroup(bastion, "Sg", OPEN_SSH);
      KitChecks.acknowledge(bastion, "KIT-NET-2", "the bastion accepts SSH from the VPN range only");
      KitChecks.acknowledge(bastion, "KIT-EC2-1", "no instances yet; kept for the planned bastion host");
      KitChecks.of(stack);
      app.synth();
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "stack", "cdk.tf.json"), "utf8"));
      expect(json["//"].kit_checks).toEqual({
        acknowledged: [
          { rule: "KIT-EC2-1", scope: "stack/Bastion", reason: "no instances yet; kept for the planned bastion host", accepted: [] },
          { rule: "KIT-NET-2", scope: "stack/Bastion", reason: "the bastion accepts SSH from the VPN range only", accepted: ["stack/Bastion/Sg"] },
        ],
      });
      // cdktf's own metadata is still there: the record is one more key of the `//` comment.
      expect(json["//"].metadata.stackName).toBe("stack");
      expect(Object.keys(json.resource.aws_security_group)).toHaveLength(1);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("nothing is recorded in a stack without acknowledgements", () => {
    const stack = newStack();
    KitChecks.of(stack);
    Testing.synth(stack, true);
    expect((stack.toTerraform() as any)["//"].kit_checks).toBeUndefined();
  });

  test("fails when the reason is missing, blank or too short", () => {
    const stack = newStack();
    expect(messageOf(() => KitChecks.acknowledge(stack, "KIT-NET-2", undefined as unknown as string))).toBe(
      "KitChecks.acknowledge(stack): `reason` must say why KIT-NET-2 does not apply here (at least 10 characters): it is recorded in the synthesized stack, got: nothing",
    );
    expect(messageOf(() => KitChecks.acknowledge(stack, "KIT-NET-2", "   "))).toMatch(/`reason` must say why KIT-NET-2 does not apply here .*, got: " {3}"$/);
    expect(messageOf(() => KitChecks.acknowledge(stack, "KIT-NET-2", "ok"))).toMatch(/got: "ok"$/);
  });

  test("fails when the rule id is unknown", () => {
    expect(messageOf(() => KitChecks.acknowledge(newStack(), "KIT-NET-3", "a reason long enough"))).toMatch(
      /^KitChecks\.acknowledge\(stack\): `ruleId` must be a KitChecks rule id: KIT-EC2-1, .*KIT-K8S-2, got: "KIT-NET-3"$/,
    );
  });
});

describe("KitChecks and synthesis", () => {
  test("synthesis reuses the stack the checks resolved (one resolution per synth), and later calls resolve afresh", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-checks-once-"));
    const resolve = jest.spyOn(TerraformStack.prototype, "toTerraform");
    try {
      const app = new App({ outdir });
      const stack = newStack(app);
      new CloudwatchLogGroup(stack, "Logs", { name: "/agents", retentionInDays: 30 });
      KitChecks.of(stack);
      app.synth();
      expect(resolve).toHaveBeenCalledTimes(1);
      const written = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "stack", "cdk.tf.json"), "utf8"));
      expect(written.resource.aws_cloudwatch_log_group).toBeDefined();
      // The handed-over result is used once: a later call (after a change) sees the change.
      new CloudwatchLogGroup(stack, "More", { name: "/more", retentionInDays: 7 });
      expect(Object.keys((stack.toTerraform() as any).resource.aws_cloudwatch_log_group)).toHaveLength(2);
      expect(resolve).toHaveBeenCalledTimes(2);
    } finally {
      resolve.mockRestore();
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
