import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { constructStateSlots } from "../../../core/cdktf-internals";
import { KitValidationError } from "../../../core/validation";
import { KIT_CHECKS_ACKNOWLEDGEMENT_METADATA, KIT_RULE_AREAS, KitChecks, KIT_RULES, applyKitChecks } from "../../../constructs/checks";
import { messageOf } from "../../support/errors";

const OPEN_SSH = { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] };

function newStack(app: App = Testing.app()): TerraformStack {
  const stack = new TerraformStack(app, "stack");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return stack;
}

describe("KitChecks", () => {
  test("every rule has a unique id, a name, an area, a description, a rationale and an https source", () => {
    const ids = KIT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of KIT_RULES) {
      expect(rule.id).toMatch(/^KIT-[A-Z0-9]+-\d+$/);
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Object.keys(KIT_RULE_AREAS)).toContain(rule.area);
      expect(rule.description.length).toBeGreaterThan(20);
      expect(rule.rationale.length).toBeGreaterThan(20);
      // Every rule encodes an outside fact today; a rule that is only the kit's policy may leave it out.
      expect(rule.source).toEqual({ title: expect.any(String), url: expect.stringMatching(/^https:\/\/\S+$/) });
    }
  });

  test("every rule lives in rules/<area>/<name>.ts and has its test file rules/<area>/<name>.test.ts", () => {
    const sources = path.join(__dirname, "../../../constructs/checks/rules");
    for (const rule of KIT_RULES) {
      expect(fs.existsSync(path.join(sources, rule.area, `${rule.name}.ts`))).toBe(true);
      expect(fs.existsSync(path.join(__dirname, "rules", rule.area, `${rule.name}.test.ts`))).toBe(true);
    }
    // Nothing else in the area folders but the rules and what they share.
    const ruleFiles = fs.readdirSync(sources, { recursive: true, encoding: "utf8" }).filter((f) => f.includes(path.sep) && f.endsWith(".ts"));
    const shared = ruleFiles.filter((f) => !KIT_RULES.some((r) => f === path.join(r.area, `${r.name}.ts`)));
    expect(shared.sort()).toEqual([
      path.join("api", "openapi.ts"),
      path.join("api", "terraform-document.ts"),
      path.join("ec2", "ec2-launch-types.ts"),
      path.join("iam", "star-resource-actions.ts"),
      path.join("network", "endpoint-security-groups.ts"),
      path.join("secrets", "secret-sinks.ts"),
    ]);
  });

  test("KitChecks.rules is the one rule list, grouped by area in id order", () => {
    expect(KitChecks.rules).toBe(KIT_RULES);
    expect(KIT_RULES.map((r) => r.id)).toEqual([
      "KIT-EC2-1",
      "KIT-EC2-2",
      "KIT-EC2-3",
      "KIT-NET-1",
      "KIT-NET-2",
      "KIT-NET-3",
      "KIT-SEC-1",
      "KIT-SEC-2",
      "KIT-IAM-1",
      "KIT-IAM-2",
      "KIT-IAM-3",
      "KIT-IAM-4",
      "KIT-LOG-1",
      "KIT-API-1",
      "KIT-LAMBDA-1",
      "KIT-ECS-1",
      "KIT-ECS-2",
      "KIT-K8S-1",
      "KIT-K8S-2",
      "KIT-K8S-3",
      "KIT-EFS-1",
      "KIT-EFS-2",
    ]);
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

  test("reports every problem of one call in one error: the stack, unknown rules, severities and option keys", () => {
    const error = (() => {
      try {
        KitChecks.of({} as TerraformStack, { rules: ["KIT-NET-9", "KIT-NET-2"], severity: { "KIT-NET-2": "fatal" as "error", "KIT-X": "error" } });
      } catch (e) {
        return e;
      }
      throw new Error("expected a KitValidationError");
    })();
    expect(error).toBeInstanceOf(KitValidationError);
    expect((error as KitValidationError).message.split("\n")).toEqual([
      "KitChecks.of: `stack` must be a TerraformStack, got: {}",
      expect.stringMatching(/^KitChecks\.of: `rules\[0\]` must be a KitChecks rule id: KIT-EC2-1, .*, got: "KIT-NET-9"$/),
      'KitChecks.of: `severity.KIT-NET-2` must be "error" or "warning", got: "fatal"',
      'KitChecks.of: `severity["KIT-X"]` must name a KitChecks rule id, got: "KIT-X"',
    ]);
    expect(messageOf(() => KitChecks.of(newStack(), { rule: ["KIT-NET-2"] } as never))).toBe("KitChecks: `rule` is not a known field (did you mean `rules`?), got: an array of 1");
    expect(messageOf(() => KitChecks.of(newStack(), { rules: "KIT-NET-2" } as never))).toBe('KitChecks: `rules` must be an array, got: "KIT-NET-2"');
  });

  test("options given again replace the earlier ones only when they are valid", () => {
    const stack = newStack();
    new CloudwatchLogGroup(stack, "Logs", { name: "/x" });
    const checks = KitChecks.of(stack, { rules: ["KIT-LOG-1"] });
    expect(() => KitChecks.of(stack, { rules: ["KIT-NET-9"] })).toThrow(KitValidationError);
    expect(checks.activeRules.map((r) => r.id)).toEqual(["KIT-LOG-1"]);
    KitChecks.of(stack, { rules: ["KIT-NET-2"] });
    expect(checks.report().violations).toEqual([]);
  });

  test("keeps a stack's checks in a named ConstructState slot, not in the construct tree", () => {
    const stack = newStack();
    const before = stack.node.findAll().length;
    KitChecks.of(stack);
    expect(stack.node.findAll()).toHaveLength(before);
    expect(constructStateSlots()).toContainEqual({ name: "checks.kit-checks", description: expect.any(String) });
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
    expect(messageOf(() => KitChecks.acknowledge(newStack(), "KIT-NET-9", "a reason long enough"))).toMatch(
      /^KitChecks\.acknowledge\(stack\): `ruleId` must be a KitChecks rule id: KIT-EC2-1, .*KIT-EFS-2, got: "KIT-NET-9"$/,
    );
  });

  test("reports every problem of one call in one error", () => {
    const lines = messageOf(() => KitChecks.acknowledge(newStack(), "KIT-NET-9", "ok")).split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^KitChecks\.acknowledge\(stack\): `ruleId` must be a KitChecks rule id: .*, got: "KIT-NET-9"$/),
      expect.stringMatching(/^KitChecks\.acknowledge\(stack\): `reason` must say why KIT-NET-9 does not apply here .*, got: "ok"$/),
    ]);
    expect(messageOf(() => KitChecks.acknowledge(undefined as never, 42 as never, "a reason long enough")).split("\n")).toEqual([
      "KitChecks.acknowledge: `scope` must be a construct (an app, a stack, a construct or a resource), got: nothing",
      expect.stringMatching(/^KitChecks\.acknowledge: `ruleId` must be a KitChecks rule id: .*, got: 42$/),
    ]);
  });

  test("is construct metadata of the scope, which CDKTF writes nowhere: only the // record shows it", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-checks-"));
    try {
      const app = new App({ outdir });
      const stack = newStack(app);
      const bastion = new Construct(stack, "Bastion");
      new SecurityGroup(bastion, "Sg", OPEN_SSH);
      KitChecks.acknowledge(bastion, "KIT-NET-2", "first reason, replaced by the next one");
      KitChecks.acknowledge(bastion, "KIT-NET-2", "the bastion accepts SSH from the VPN range only");
      expect(bastion.node.metadata.filter((m) => m.type === KIT_CHECKS_ACKNOWLEDGEMENT_METADATA).map((m) => m.data)).toEqual([
        { ruleId: "KIT-NET-2", reason: "first reason, replaced by the next one" },
        { ruleId: "KIT-NET-2", reason: "the bastion accepts SSH from the VPN range only" },
      ]);
      expect(KitChecks.acknowledgementFor(bastion, "KIT-NET-2")?.reason).toBe("the bastion accepts SSH from the VPN range only");
      KitChecks.of(stack);
      app.synth();
      const written = fs.readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(outdir, f)).isFile());
      expect(written).toEqual(expect.arrayContaining(["manifest.json", path.join("stacks", "stack", "cdk.tf.json")]));
      for (const f of written) expect(fs.readFileSync(path.join(outdir, f), "utf8")).not.toContain(KIT_CHECKS_ACKNOWLEDGEMENT_METADATA);
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "stack", "cdk.tf.json"), "utf8"));
      expect(json["//"].kit_checks.acknowledged).toEqual([
        { rule: "KIT-NET-2", scope: "stack/Bastion", reason: "the bastion accepts SSH from the VPN range only", accepted: ["stack/Bastion/Sg"] },
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
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
