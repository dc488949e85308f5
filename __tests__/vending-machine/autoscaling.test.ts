import * as fs from "fs";
import * as path from "path";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KitChecks } from "../../constructs/checks";
import { VmAgentFleet } from "../../constructs/vm/vm-agent-fleet";
import { readSpecText } from "../../vending-machine/spec-source";
import { VendingMachineSpec } from "../../vending-machine/spec-types";
import { validateVendingMachineSpec } from "../../vending-machine/validate";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";
import { SpecValidationError } from "../../vending-machine/spec-validation-error";

const SCALR_URL = "https://example.scalr.io";
const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-autoscaler-AbCdEf";
const POLICY = { min: 0, max: 6, minIdle: 1, timeZone: "Europe/Berlin", schedules: [{ days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "08:00", end: "18:00", min: 2 }] } as const;

const SPEC: VendingMachineSpec = {
  agentPools: [{ name: "ec2-run", autoscaling: { policy: POLICY, agentConcurrency: 3 } }, { name: "plain" }, { name: "relay", kind: "vcs" }],
  environments: [{ name: "dev", defaultAgentPool: "ec2-run", workspaces: [{ name: "net" }] }],
};

/** The problems of a spec, as `SpecValidationError` lists them. */
function problems(spec: unknown): string[] {
  try {
    validateVendingMachineSpec(spec as VendingMachineSpec);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecValidationError);
    return (e as SpecValidationError).specIssues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe("a pool's autoscaling in the spec", () => {
  test("is validated by the autoscaler's own policy rules, each problem at its spec path with the value", () => {
    const bad = { ...SPEC, agentPools: [{ name: "ec2-run", autoscaling: { policy: { min: 5, max: 2, timeZone: "Mars/Olympus", schedules: [{ days: ["Mon"], start: "8am", end: "18:00", min: 1 }] } } }] };
    expect(problems(bad)).toEqual([
      'agentPools[0].autoscaling.policy.timeZone: must be an IANA time zone such as Europe/Berlin, got: "Mars/Olympus"',
      'agentPools[0].autoscaling.policy.schedules[0].start: must be HH:MM (24 h), got: "8am"',
      "agentPools[0].autoscaling.policy.min: `min` must not exceed `max`, got: 5",
    ]);
  });

  test("with its line in a YAML spec", () => {
    const text = ["agentPools:", "  - name: ec2-run", "    autoscaling:", "      policy: { min: 0, max: 4, maxStepIn: 0 }", "environments: []"].join("\n");
    expect(() => new VendingMachineStack(Testing.app(), "vm", { spec: readSpecText(text, "spec.yaml") })).toThrow(/spec\.yaml:4: agentPools\[0\]\.autoscaling\.policy\.maxStepIn: must be at least 1, got: 0/);
  });

  test("is refused on a VCS pool, and its shape is checked (policy required, concurrency 1–50)", () => {
    expect(problems({ agentPools: [{ name: "relay", kind: "vcs", autoscaling: { policy: { min: 0, max: 2 } } }] })).toEqual([
      "agentPools[0].autoscaling: only a run pool's fleet scales on the queue: a VCS pool's agents relay VCS traffic and take no runs",
    ]);
    expect(problems({ agentPools: [{ name: "r", autoscaling: { agentConcurrency: 0 } }] })).toEqual([
      "agentPools[0].autoscaling.policy: must be a scaling policy { min, max, … }, got: nothing",
      "agentPools[0].autoscaling.agentConcurrency: must be a whole number from 1 to 50, got: 0",
    ]);
  });
});

describe("VendingMachineStack.autoscale", () => {
  const build = () => {
    const app = Testing.app();
    const vm = new VendingMachineStack(app, "vending-machine", { spec: SPEC });
    const fleets = new TerraformStack(app, "fleets");
    new AwsProvider(fleets, "aws", { region: "eu-west-1" });
    const fleet = new VmAgentFleet(fleets, "Fleet", {
      name: "ec2-run",
      os: "amazon-linux-2023",
      pool: vm.agentPool("ec2-run"),
      vpcId: "vpc-0abc1234",
      subnetIds: ["subnet-0aaa1111"],
      minSize: 0,
      maxSize: 6,
      settings: { scalrUrl: SCALR_URL, concurrency: 3 },
    });
    return { app, vm, fleets, fleet };
  };

  test("gives the fleet an AgentAutoscaler with the spec's policy and concurrency, the pool's ID across stacks", () => {
    const { app, vm, fleets, fleet } = build();
    const autoscaler = vm.autoscale(fleets, "Autoscaler", "ec2-run", { fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN } });
    expect(autoscaler.policy).toMatchObject({ ...POLICY, schedules: [{ ...POLICY.schedules[0] }], cooldownOutSeconds: 60 });
    KitChecks.of(fleets);
    app.synth();
    const json = JSON.parse(fs.readFileSync(path.join(app.outdir, "stacks", "fleets", "cdk.tf.json"), "utf8"));
    const vars = Object.values<any>(json.resource.aws_lambda_function)[0].environment.variables;
    expect(vars).toMatchObject({ TARGET_KIND: "asg", AGENT_CONCURRENCY: "3" });
    expect(JSON.parse(vars.SCALING_POLICY)).toMatchObject({ min: 0, max: 6, minIdle: 1, timeZone: "Europe/Berlin" });
    expect(vars.SCALR_AGENT_POOL_ID).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-vending-machine\.outputs\.cross-stack-output-scalr_agent_pool/);
  });

  test("refuses a pool the spec does not scale, and a pool it does not have, naming the field", () => {
    const { vm, fleets, fleet } = build();
    const props = { fleet, scalrUrl: SCALR_URL, scalrToken: { secretArn: SECRET_ARN } };
    expect(() => vm.autoscale(fleets, "A", "plain", props)).toThrow('vending-machine: `autoscale` pool "plain" declares no `autoscaling` in the spec; pools that do: ec2-run, got: "plain"');
    expect(() => vm.autoscale(fleets, "B", "nope", props)).toThrow(/`agentPool` names no agent pool of the spec; pools are: ec2-run, plain, relay/);
  });
});
