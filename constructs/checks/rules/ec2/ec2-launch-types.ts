import { KitRuleFinding } from "../../rule";
import { SynthesizedStack, TerraformBlock, blocks, dynamicBlocks, isEmptyForEach, isUnknown, referenceOf, stringOf, unconfirmed } from "../../synthesized-stack";

/**
 * Resource types that carry an instance's own settings (`metadata_options`, volumes, public IP):
 * what launches EC2 instances from arguments of the stack (read by the EC2 and network rules).
 * `aws_spot_instance_request` takes every argument of `aws_instance`
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/spot_instance_request).
 */
export const EC2_LAUNCH_TYPES = ["aws_launch_template", "aws_instance", "aws_spot_instance_request", "aws_launch_configuration"] as const;

/** Resource types that launch single instances and may take their settings from a launch template. */
export const EC2_INSTANCE_TYPES = ["aws_instance", "aws_spot_instance_request"] as const;

/**
 * Where an instance resource gets an argument it leaves unset: `none` (AWS's or the AMI's default),
 * `stack` (a launch template of this stack, which the rules check themselves), or a description of
 * a launch template outside the stack, whose settings cannot be confirmed.
 */
export function instanceTemplate(stack: SynthesizedStack, body: Readonly<Record<string, unknown>>): "none" | "stack" | string {
  const lt = body.launch_template;
  if (lt === undefined || lt === null) return "none";
  if (isUnknown(lt)) return `launch template ${JSON.stringify(lt)}`;
  const spec = blocks(lt)[0] ?? {};
  return templateIn(stack, spec.id ?? spec.launch_template_id, spec.name ?? spec.launch_template_name);
}

/**
 * An instance resource's block argument `name` to judge: the block, `undefined` when unset (then the
 * launch template or AWS's default applies: see {@link instanceTemplate}), or `unknown` when it is
 * a reference or a non-empty `dynamic` block (known only at apply time).
 */
export function blockArgument(body: Readonly<Record<string, unknown>>, name: string): Record<string, unknown> | undefined | "unknown" {
  if (isUnknown(body[name])) return "unknown";
  if (dynamicBlocks(body, name).some((d) => !isEmptyForEach(d.forEach))) return "unknown";
  return blocks(body[name])[0];
}

/** Every static and dynamic block `name` of `body` (dynamic ones by their `content`), and whether any is dynamic or a reference. */
export function allBlocks(body: Readonly<Record<string, unknown>>, name: string): { blocks: Record<string, unknown>[]; dynamic: boolean } {
  const dynamic = dynamicBlocks(body, name).filter((d) => !isEmptyForEach(d.forEach));
  return { blocks: [...(isUnknown(body[name]) ? [] : blocks(body[name])), ...dynamic.map((d) => d.content)], dynamic: dynamic.length > 0 || isUnknown(body[name]) };
}

/**
 * A launch that takes its instance settings from outside the stack, or from a place that cannot set
 * them: the EC2, network and volume rules report each as a violation they cannot confirm.
 */
export interface ExternalLaunch {
  readonly block: TerraformBlock;
  /** Where the settings come from, e.g. `launch template "lt-0abc" (not in this stack)`. */
  readonly source: string;
}

/**
 * Every launch of instances whose settings the stack does not hold: Auto Scaling groups, EC2 Fleets,
 * Spot Fleets, EKS managed node groups and Batch compute environments that reference a launch
 * template (or launch configuration) outside the stack; EKS node groups and Batch EC2 compute
 * environments without a launch template, which launch from a template AWS generates
 * (https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html: "When you don't provide a
 * launch template, the Amazon EKS API creates one automatically with default values"); Spot Fleet
 * `launch_specification`s (when `inlineSpotSpecifications`), which have no `metadata_options` argument
 * (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/spot_fleet_request).
 */
export function externalLaunches(stack: SynthesizedStack, options: { inlineSpotSpecifications: boolean }): ExternalLaunch[] {
  const out: ExternalLaunch[] = [];
  const add = (block: TerraformBlock, source: string) => out.push({ block, source });
  const template = (block: TerraformBlock, id: unknown, name: unknown) => {
    const where = templateIn(stack, id, name);
    if (where !== "stack") add(block, where);
  };
  for (const r of stack.resources("aws_autoscaling_group")) {
    for (const lt of blocks(r.body.launch_template)) template(r, lt.id, lt.name);
    for (const policy of blocks(r.body.mixed_instances_policy)) {
      for (const lt of blocks(policy.launch_template)) {
        for (const spec of blocks(lt.launch_template_specification)) template(r, spec.launch_template_id, spec.launch_template_name);
        for (const o of blocks(lt.override)) for (const spec of blocks(o.launch_template_specification)) template(r, spec.launch_template_id, spec.launch_template_name);
      }
    }
    const lc = r.body.launch_configuration;
    if (lc !== undefined && lc !== null) {
      const ref = referenceOf(lc);
      const inStack = ref?.type === "aws_launch_configuration" && stack.resources("aws_launch_configuration").some((c) => c.name === ref.name);
      const named = stringOf(lc) !== undefined && stack.resources("aws_launch_configuration").some((c) => stringOf(c.body.name) === stringOf(lc));
      if (!inStack && !named) add(r, `launch configuration ${JSON.stringify(lc)} (not in this stack)`);
    }
  }
  for (const r of stack.resources("aws_ec2_fleet", "aws_spot_fleet_request")) {
    for (const config of blocks(r.body.launch_template_config)) {
      for (const spec of blocks(config.launch_template_specification)) template(r, spec.launch_template_id ?? spec.id, spec.launch_template_name ?? spec.name);
    }
  }
  if (options.inlineSpotSpecifications) {
    for (const r of stack.resources("aws_spot_fleet_request")) {
      blocks(r.body.launch_specification).forEach((_, i) => add(r, `launch_specification[${i}] (a Spot Fleet launch specification has no metadata options: use launch_template_config)`));
    }
  }
  for (const r of stack.resources("aws_eks_node_group")) {
    const lt = blocks(r.body.launch_template);
    if (lt.length === 0) add(r, "the launch template EKS generates (no launch_template)");
    for (const spec of lt) template(r, spec.id, spec.name);
  }
  for (const r of stack.resources("aws_batch_compute_environment")) {
    for (const compute of blocks(r.body.compute_resources)) {
      const type = stringOf(compute.type);
      if (type === "FARGATE" || type === "FARGATE_SPOT") continue;
      const lt = blocks(compute.launch_template);
      if (lt.length === 0) add(r, "the default launch settings of AWS Batch (no compute_resources.launch_template)");
      for (const spec of lt) template(r, spec.launch_template_id, spec.launch_template_name);
    }
  }
  return out;
}

/** `stack` when `id`/`name` reference (or literally name) a launch template of the stack, else where the template is. */
function templateIn(stack: SynthesizedStack, id: unknown, name: unknown): "stack" | string {
  const templates = stack.resources("aws_launch_template");
  for (const value of [id, name]) {
    if (value === undefined || value === null) continue;
    const ref = referenceOf(value);
    if (ref?.type === "aws_launch_template" && templates.some((t) => t.name === ref.name)) return "stack";
    const literal = stringOf(value);
    if (literal !== undefined && templates.some((t) => stringOf(t.body.name) === literal)) return "stack";
    return `launch template ${JSON.stringify(value)} (not in this stack)`;
  }
  return "a launch template the block does not name";
}

/**
 * The findings of a rule about one `metadata_options` argument (KIT-EC2-1 `http_tokens`, KIT-EC2-2
 * `http_put_response_hop_limit`) over every launch resource of the stack. `judge` returns `true`
 * for a compliant value, or the message of the violation. Options that are a dynamic block or a
 * reference, an instance whose launch template is not in the stack, an argument known only at apply
 * time, and launches from templates outside the stack are reported as unconfirmed; an instance
 * without options that uses a template of the stack is judged at the template; a disabled metadata
 * endpoint complies.
 */
export function checkMetadataOption(
  stack: SynthesizedStack,
  ruleId: string,
  argument: string,
  judge: (block: TerraformBlock, value: unknown) => true | string,
): KitRuleFinding[] {
  const what = `metadata_options.${argument}`;
  const findings: KitRuleFinding[] = [];
  for (const r of stack.resources(...EC2_LAUNCH_TYPES)) {
    const options = blockArgument(r.body, "metadata_options");
    if (options === "unknown") {
      findings.push({ path: r.path, message: `${r.type}: ${unconfirmed(ruleId, "metadata_options", r.body.metadata_options ?? "a dynamic block")}` });
      continue;
    }
    if (options === undefined && (EC2_INSTANCE_TYPES as readonly string[]).includes(r.type)) {
      const template = instanceTemplate(stack, r.body);
      if (template === "stack") continue;
      if (template !== "none") {
        findings.push({ path: r.path, message: `${r.type}: ${unconfirmed(ruleId, `${what} of ${template}`)}` });
        continue;
      }
    }
    if (stringOf(options?.http_endpoint) === "disabled") continue;
    const value = options?.[argument];
    const verdict = judge(r, value);
    if (verdict === true) continue;
    findings.push({ path: r.path, message: isUnknown(value) ? `${r.type}: ${unconfirmed(ruleId, what, value)}` : verdict });
  }
  for (const e of externalLaunches(stack, { inlineSpotSpecifications: true })) {
    findings.push({ path: e.block.path, message: `${e.block.type}: ${unconfirmed(ruleId, `${what} of ${e.source}`)}` });
  }
  return findings;
}
