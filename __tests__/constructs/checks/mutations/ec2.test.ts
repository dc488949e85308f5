// Mutation corpus of the EC2 rules (KIT-EC2-1/2/3): every way a stack can launch an instance with
// IMDSv1, a hop limit above 1 or an unencrypted volume, and a compliant twin of each.
import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { LaunchTemplate, LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { SpotInstanceRequest } from "@cdktf/provider-aws/lib/spot-instance-request";
import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { KitChecks } from "../../../../constructs/checks";
import { KIT_EC2_1 } from "../../../../constructs/checks/rules/ec2/imdsv2-required";
import { KIT_EC2_2 } from "../../../../constructs/checks/rules/ec2/imds-hop-limit-1";
import { KIT_EC2_3 } from "../../../../constructs/checks/rules/ec2/root-volume-encrypted";
import { compliantLaunchTemplate, violations } from "../rule-helpers";
import { Form, UNCONFIRMED, raw, runCorpus } from "./forms";

const AMI = { ami: "ami-1", instanceType: "t3.micro" };
const GOOD_META = { httpTokens: "required", httpPutResponseHopLimit: 1 };
const GOOD_ROOT = { encrypted: true };
const ROOT_MAPPING = { deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 50 } };
const lt = (s: TerraformStack, props: Partial<LaunchTemplateConfig> = {}, id = "Lt") => new LaunchTemplate(s, id, { ...compliantLaunchTemplate, name: "agents", ...props });
const ltRef = "${aws_launch_template.Lt.id}";

/**
 * Forms where instances launch from settings outside the stack, or from a place that cannot hold
 * them: each EC2 rule fails them closed. `external` names a template of no stack.
 */
function launchForms(): { violating: Form[]; compliant: Form[] } {
  const external = "lt-0abc1234";
  const asg = (s: TerraformStack, id: string) => new AutoscalingGroup(s, "Asg", { maxSize: 1, minSize: 0, launchTemplate: { id } });
  return {
    violating: [
      { form: "aws_autoscaling_group from a launch template outside the stack", build: (s) => asg(s, external) },
      {
        form: "aws_autoscaling_group mixed_instances_policy from a template outside the stack",
        build: (s) =>
          new AutoscalingGroup(s, "Asg", {
            maxSize: 1,
            minSize: 0,
            mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateName: "someone-elses" } } },
          }),
      },
      { form: "aws_autoscaling_group from a launch configuration outside the stack", build: (s) => new AutoscalingGroup(s, "Asg", { maxSize: 1, minSize: 0, launchConfiguration: "legacy-lc" }) },
      { form: "aws_autoscaling_group from a template id known only at apply", build: (s) => asg(s, "${var.template_id}") },
      {
        form: "aws_ec2_fleet from a launch template outside the stack",
        build: (s) => raw(s, "aws_ec2_fleet", "Fleet", { launch_template_config: { launch_template_specification: { launch_template_id: external, version: "$Latest" } }, target_capacity_specification: { default_target_capacity_type: "spot", total_target_capacity: 1 } }),
      },
      {
        form: "aws_spot_fleet_request launch_template_config outside the stack",
        build: (s) => raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "arn:aws:iam::123456789012:role/f", target_capacity: 1, launch_template_config: { launch_template_specification: { id: external, version: "1" } } }),
      },
      { form: "aws_eks_node_group without a launch template (EKS generates one)", build: (s) => raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "arn:aws:iam::123456789012:role/n", subnet_ids: ["subnet-1"], scaling_config: { desired_size: 1, max_size: 1, min_size: 1 } }) },
      { form: "aws_eks_node_group from a launch template outside the stack", build: (s) => raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "r", subnet_ids: ["subnet-1"], scaling_config: { desired_size: 1, max_size: 1, min_size: 1 }, launch_template: { name: "theirs", version: "1" } }) },
      { form: "aws_batch_compute_environment EC2 without a launch template", build: (s) => raw(s, "aws_batch_compute_environment", "Batch", { type: "MANAGED", compute_resources: { type: "EC2", max_vcpus: 4, subnets: ["subnet-1"], security_group_ids: ["sg-1"], instance_role: "r", instance_type: ["m5"] } }) },
      { form: "aws_instance from a launch template outside the stack", build: (s) => new Instance(s, "Vm", { launchTemplate: { id: external } }) },
      { form: "aws_spot_instance_request from a launch template outside the stack", build: (s) => new SpotInstanceRequest(s, "Spot", { launchTemplate: { name: "theirs" } }) },
    ],
    compliant: [
      { form: "aws_autoscaling_group from a launch template of the stack", build: (s) => (lt(s), asg(s, ltRef)) },
      { form: "aws_autoscaling_group from a template of the stack with whitespace in the reference", build: (s) => (lt(s), asg(s, "${ aws_launch_template.Lt.id }")) },
      { form: "aws_autoscaling_group from a template of the stack by its literal name", build: (s) => (lt(s), asg(s, "").addOverride("launch_template", { id: null, name: "agents" })) },
      {
        form: "aws_autoscaling_group mixed_instances_policy from a template of the stack",
        build: (s) => {
          lt(s);
          new AutoscalingGroup(s, "Asg", { maxSize: 1, minSize: 0, mixedInstancesPolicy: { launchTemplate: { launchTemplateSpecification: { launchTemplateId: ltRef } } } });
        },
      },
      {
        form: "aws_ec2_fleet from a launch template of the stack",
        build: (s) => (lt(s), raw(s, "aws_ec2_fleet", "Fleet", { launch_template_config: { launch_template_specification: { launch_template_id: ltRef, version: "$Latest" } } })),
      },
      {
        form: "aws_spot_fleet_request launch_template_config of the stack",
        build: (s) => (lt(s), raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_template_config: [{ launch_template_specification: [{ id: ltRef, version: "1" }] }] })),
      },
      { form: "aws_eks_node_group from a launch template of the stack", build: (s) => (lt(s), raw(s, "aws_eks_node_group", "Nodes", { cluster_name: "c", node_role_arn: "r", subnet_ids: ["s"], launch_template: { id: ltRef, version: "${aws_launch_template.Lt.latest_version}" } })) },
      { form: "aws_batch_compute_environment on Fargate", build: (s) => raw(s, "aws_batch_compute_environment", "Batch", { type: "MANAGED", compute_resources: { type: "FARGATE", max_vcpus: 4, subnets: ["s"], security_group_ids: ["sg"] } }) },
      { form: "aws_batch_compute_environment EC2 from a launch template of the stack", build: (s) => (lt(s), raw(s, "aws_batch_compute_environment", "Batch", { type: "MANAGED", compute_resources: { type: "SPOT", max_vcpus: 4, launch_template: { launch_template_id: ltRef } } })) },
      { form: "aws_instance from a launch template of the stack", build: (s) => (lt(s), new Instance(s, "Vm", { launchTemplate: { id: ltRef } })) },
      { form: "aws_spot_instance_request from a launch template of the stack by name reference", build: (s) => (lt(s), new SpotInstanceRequest(s, "Spot", { launchTemplate: { name: "${aws_launch_template.Lt.name}" } })) },
    ],
  };
}

/** Forms of a metadata option (`key` in snake_case) that must be `good`. */
function metadataCorpus(key: "http_tokens" | "http_put_response_hop_limit", bad: unknown[], good: unknown[]) {
  const camel = key === "http_tokens" ? "httpTokens" : "httpPutResponseHopLimit";
  const meta = (v: unknown) => ({ ...GOOD_META, [camel]: v }) as typeof GOOD_META;
  const launch = launchForms();
  const violating: Form[] = [
    ...bad.map((v) => ({ form: `launch template, ${JSON.stringify(v)}`, build: (s: TerraformStack) => lt(s, { metadataOptions: meta(v) }) })),
    ...bad.map((v) => ({ form: `aws_instance, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new Instance(s, "Vm", { ...AMI, metadataOptions: meta(v), rootBlockDevice: GOOD_ROOT }) })),
    ...bad.map((v) => ({ form: `aws_spot_instance_request, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new SpotInstanceRequest(s, "Spot", { ...AMI, metadataOptions: meta(v) }) })),
    ...bad.map((v) => ({ form: `aws_launch_configuration, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro", metadataOptions: meta(v) }) })),
    { form: "launch template, option unset", build: (s) => lt(s).addOverride(`metadata_options.${key}`, null) },
    { form: "launch template, no metadata_options", build: (s) => lt(s).addOverride("metadata_options", null) },
    { form: "aws_instance without metadata_options or launch template", build: (s) => new Instance(s, "Vm", AMI) },
    { form: "aws_spot_instance_request without metadata_options", build: (s) => new SpotInstanceRequest(s, "Spot", AMI) },
    { form: "addOverride of the option on a compliant launch template", build: (s) => lt(s).addOverride(`metadata_options.${key}`, bad[0]) },
    { form: "reference to a variable (unknown until apply)", build: (s) => lt(s).addOverride(`metadata_options.${key}`, "${var.option}") },
    { form: "reference with HCL whitespace", build: (s) => lt(s).addOverride(`metadata_options.${key}`, "${ var.option }") },
    { form: "reference to a TerraformVariable", build: (s) => lt(s, { metadataOptions: meta(new TerraformVariable(s, "opt", {}).stringValue) }) },
    { form: "conditional expression", build: (s) => lt(s).addOverride(`metadata_options.${key}`, `\${var.strict ? ${JSON.stringify(good[0])} : ${JSON.stringify(bad[0])}}`) },
    { form: "the whole metadata_options block is a reference", build: (s) => lt(s).addOverride("metadata_options", "${var.metadata}") },
    {
      form: "dynamic metadata_options block",
      build: (s) => {
        const t = lt(s);
        t.addOverride("metadata_options", null);
        t.addOverride("dynamic.metadata_options", { for_each: "${var.options}", content: { [key]: "${metadata_options.value}" } });
      },
    },
    { form: "aws_spot_fleet_request launch_specification (no metadata options)", build: (s) => raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "ami-1", instance_type: "m5.large", associate_public_ip_address: false, root_block_device: { encrypted: true } }] }) },
    ...launch.violating,
  ];
  const compliant: Form[] = [
    ...good.map((v) => ({ form: `launch template, ${JSON.stringify(v)}`, build: (s: TerraformStack) => lt(s, { metadataOptions: meta(v) }) })),
    ...good.map((v) => ({ form: `aws_instance, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new Instance(s, "Vm", { ...AMI, metadataOptions: meta(v) }) })),
    ...good.map((v) => ({ form: `aws_spot_instance_request, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new SpotInstanceRequest(s, "Spot", { ...AMI, metadataOptions: meta(v) }) })),
    ...good.map((v) => ({ form: `aws_launch_configuration, ${JSON.stringify(v)}`, build: (s: TerraformStack) => new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro", metadataOptions: meta(v) }) })),
    { form: "the metadata endpoint disabled", build: (s) => lt(s, { metadataOptions: { httpEndpoint: "disabled" } }) },
    { form: "addOverride restoring the option", build: (s) => lt(s, { metadataOptions: meta(bad[0]) }).addOverride(`metadata_options.${key}`, good[0]) },
    { form: "a template of one literal", build: (s) => lt(s).addOverride(`metadata_options.${key}`, `\${${JSON.stringify(good[0])}}`) },
    { form: "a dynamic block with an empty for_each next to a compliant block", build: (s) => lt(s).addOverride("dynamic.metadata_options", { for_each: [], content: { [key]: bad[0] } }) },
    ...launch.compliant,
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_EC2_1, ...metadataCorpus("http_tokens", ["optional", "Required", ""], ["required", "${\"required\"}"]) });
runCorpus({ rule: KIT_EC2_2, ...metadataCorpus("http_put_response_hop_limit", [2, "2", "${2}", 64], [1, "1", "1e0", "${1}", "${ 1 }"]) });

/** Forms of an unencrypted volume. */
function volumeCorpus() {
  const mapping = (encrypted: unknown) => ({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: encrypted as string, volumeSize: 50 } }] });
  const badFlags = [false, "false", "0", "f", "FALSE", "no", "${false}"];
  const goodFlags = [true, "true", "1", "t", "True", "TRUE", "${true}", "${\"true\"}"];
  const launch = launchForms();
  const violating: Form[] = [
    ...badFlags.map((v) => ({ form: `launch template ebs.encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => lt(s, mapping(v)) })),
    ...badFlags.map((v) => ({ form: `aws_instance root_block_device.encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => new Instance(s, "Vm", { ...AMI }).addOverride("root_block_device.encrypted", v) })),
    ...badFlags.map((v) => ({ form: `aws_ebs_volume encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => new EbsVolume(s, "Vol", { availabilityZone: "a", size: 1 }).addOverride("encrypted", v) })),
    { form: "launch template without block_device_mappings", build: (s) => lt(s).addOverride("block_device_mappings", null) },
    { form: "launch template mapping without encrypted", build: (s) => lt(s, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50 } }] }) },
    { form: "launch template: an encrypted root and an unencrypted data volume", build: (s) => lt(s, { blockDeviceMappings: [ROOT_MAPPING, { deviceName: "/dev/sdf", ebs: { volumeSize: 10 } }] }) },
    { form: "launch template ebs.encrypted a reference", build: (s) => lt(s, mapping("${var.encrypted}")) },
    { form: "launch template ebs.encrypted a reference with whitespace", build: (s) => lt(s, mapping("${ var.encrypted }")) },
    { form: "launch template dynamic block_device_mappings", build: (s) => lt(s).addOverride("dynamic.block_device_mappings", { for_each: "${var.disks}", content: { device_name: "${block_device_mappings.key}", ebs: { encrypted: "${block_device_mappings.value}" } } }) },
    { form: "launch template dynamic ebs inside a mapping", build: (s) => lt(s, { blockDeviceMappings: [{ deviceName: "/dev/xvda" }] }).addOverride("block_device_mappings.0.dynamic.ebs", { for_each: "${var.ebs}", content: { encrypted: "${ebs.value}" } }) },
    { form: "aws_instance without root_block_device", build: (s) => new Instance(s, "Vm", AMI) },
    { form: "aws_instance with an unencrypted ebs_block_device", build: (s) => new Instance(s, "Vm", { ...AMI, rootBlockDevice: GOOD_ROOT, ebsBlockDevice: [{ deviceName: "/dev/sdf" }] }) },
    { form: "aws_instance with a dynamic ebs_block_device", build: (s) => new Instance(s, "Vm", { ...AMI, rootBlockDevice: GOOD_ROOT }).addOverride("dynamic.ebs_block_device", { for_each: "${var.disks}", content: { device_name: "/dev/sdf", encrypted: true } }) },
    { form: "aws_spot_instance_request without root_block_device", build: (s) => new SpotInstanceRequest(s, "Spot", AMI) },
    { form: "aws_spot_instance_request root_block_device.encrypted \"0\"", build: (s) => new SpotInstanceRequest(s, "Spot", { ...AMI, rootBlockDevice: { encrypted: "0" as unknown as boolean } }) },
    { form: "aws_launch_configuration without root_block_device", build: (s) => new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro" }) },
    { form: "aws_spot_fleet_request launch_specification without root encryption", build: (s) => raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "ami-1", instance_type: "m5.large" }] }) },
    { form: "aws_spot_fleet_request launch_specification unencrypted ebs_block_device", build: (s) => raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "a", instance_type: "m5", root_block_device: { encrypted: true }, ebs_block_device: { device_name: "/dev/sdf" } }] }) },
    { form: "aws_ebs_volume without encrypted", build: (s) => new EbsVolume(s, "Vol", { availabilityZone: "a", size: 1 }) },
    { form: "aws_ebs_volume encrypted a reference", build: (s) => new EbsVolume(s, "Vol", { availabilityZone: "a", size: 1 }).addOverride("encrypted", "${var.enc}") },
    ...launch.violating,
  ];
  const compliant: Form[] = [
    ...goodFlags.map((v) => ({ form: `launch template ebs.encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => lt(s, mapping(v)) })),
    ...goodFlags.map((v) => ({ form: `aws_instance root_block_device.encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => new Instance(s, "Vm", { ...AMI }).addOverride("root_block_device.encrypted", v) })),
    ...goodFlags.map((v) => ({ form: `aws_ebs_volume encrypted ${JSON.stringify(v)}`, build: (s: TerraformStack) => new EbsVolume(s, "Vol", { availabilityZone: "a", size: 1 }).addOverride("encrypted", v) })),
    { form: "launch template: every mapping encrypted", build: (s) => lt(s, { blockDeviceMappings: [ROOT_MAPPING, { deviceName: "/dev/sdf", ebs: { encrypted: "true" } }] }) },
    { form: "launch template: an empty dynamic mapping next to an encrypted one", build: (s) => lt(s).addOverride("dynamic.block_device_mappings", { for_each: {}, content: { ebs: { encrypted: false } } }) },
    { form: "aws_instance with encrypted root and data volumes", build: (s) => new Instance(s, "Vm", { ...AMI, rootBlockDevice: GOOD_ROOT, ebsBlockDevice: [{ deviceName: "/dev/sdf", encrypted: true }] }) },
    { form: "aws_spot_instance_request encrypted root", build: (s) => new SpotInstanceRequest(s, "Spot", { ...AMI, rootBlockDevice: GOOD_ROOT }) },
    { form: "aws_launch_configuration encrypted root", build: (s) => new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro", rootBlockDevice: GOOD_ROOT }) },
    { form: "aws_spot_fleet_request launch_specification encrypted", build: (s) => raw(s, "aws_spot_fleet_request", "Spot", { iam_fleet_role: "r", target_capacity: 1, launch_specification: [{ ami: "a", instance_type: "m5", root_block_device: { encrypted: "true" }, ebs_block_device: [{ device_name: "/dev/sdf", encrypted: true }] }] }) },
    ...launch.compliant,
  ];
  return { violating, compliant };
}

runCorpus({ rule: KIT_EC2_3, ...volumeCorpus() });

describe("unknown values fail closed, and can be acknowledged with a reason", () => {
  test("a reference is reported as unconfirmed, naming the rule to acknowledge", () => {
    const found = violations(KIT_EC2_1, (s) => lt(s).addOverride("metadata_options.http_tokens", "${var.tokens}"));
    expect(found).toEqual([expect.stringMatching(UNCONFIRMED)]);
    expect(found[0]).toContain('got "${var.tokens}", known only at apply');
  });

  test("an acknowledgement with a reason accepts it", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const t = lt(stack);
    t.addOverride("metadata_options.http_tokens", "${var.tokens}");
    KitChecks.acknowledge(t, "KIT-EC2-1", "var.tokens is validated to be \"required\" in the module");
    const report = KitChecks.of(stack, { rules: ["KIT-EC2-1"] }).report();
    expect(report.violations).toEqual([]);
    expect(report.acknowledged).toEqual([{ ruleId: "KIT-EC2-1", path: "stack/Lt", reason: 'var.tokens is validated to be "required" in the module', scope: "stack/Lt" }]);
  });
});
