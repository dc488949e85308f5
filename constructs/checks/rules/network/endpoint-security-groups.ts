// What KIT-NET-2 reads about the two kinds of security group that need inbound traffic: those of
// VPC interface endpoints and those of EFS mount targets. An interface endpoint is a network
// interface that answers HTTPS for an AWS service, and its group must admit the callers on port 443
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html: "The security group
// attached to the VPC endpoint must allow incoming connections on port 443 from the private subnet
// of the VPC"). An EFS mount target is a network interface that answers NFS, and its group must
// admit the clients on TCP 2049 (https://docs.aws.amazon.com/efs/latest/ug/network-access.html).
// A third kind is the group of a shared OpenTelemetry collector service: ECS tasks that run only the
// AWS Distro for OpenTelemetry collector, which receives agents' OTLP/gRPC on TCP 4317 ("The default
// network port for OTLP/gRPC is 4317", https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-default-port).
// A group qualifies only when the stack shows it attached to nothing else.
import { tryDecodeTerraformJson } from "../../../../core/terraform-json";
import { isUnknownValue } from "../../iam";
import { SynthesizedStack, TerraformBlock, blocks, isUnknown, numberValueOf, record, referenceOf, stringOf, unconfirmed } from "../../synthesized-stack";

/** A reference to a whole security group's id: `${aws_security_group.<name>.id}`. */
const GROUP_ID_REFERENCE = /^\$\{\s*aws_security_group\.([A-Za-z_][A-Za-z0-9_-]*)\.id\s*\}$/;
const ENDPOINT_ID_REFERENCE = /^\$\{\s*aws_vpc_endpoint\.([A-Za-z_][A-Za-z0-9_-]*)\.id\s*\}$/;
/** Resources whose `security_group_id` is the group a rule belongs to (not an attachment). */
const RULE_TYPES = new Set(["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"]);

/** The `aws_security_group` a `security_group_id` value names, when it is `${aws_security_group.<name>.id}`. */
export function groupNameOf(value: unknown): string | undefined {
  return typeof value === "string" ? GROUP_ID_REFERENCE.exec(value.trim())?.[1] : undefined;
}

/**
 * Names of the `aws_security_group`s of the stack that are attached only to interface VPC endpoints
 * of the stack: referenced (as `${aws_security_group.<name>.id}`) by at least one
 * `aws_vpc_endpoint` whose `vpc_endpoint_type` is literally `"Interface"` (its `security_group_ids`)
 * or by an `aws_vpc_endpoint_security_group_association` to such an endpoint, and otherwise only as
 * a rule's group or peer (`security_group_id`, `source_security_group_id`,
 * `referenced_security_group_id`, another group's `security_groups`). Any other mention anywhere in the configuration (an
 * instance, a launch template, a Lambda, an ECS service, an output, a local, another attribute of
 * the group) disqualifies the group: what else it protects cannot be told.
 */
export function endpointOnlyGroups(stack: SynthesizedStack): ReadonlySet<string> {
  return attachedOnlyGroups(stack, "endpoint");
}

/**
 * Names of the `aws_security_group`s of the stack that are attached only to EFS mount targets of
 * the stack (`aws_efs_mount_target.security_groups`), and otherwise mentioned only as a rule's group
 * or peer, as {@link endpointOnlyGroups} reads it. A group that is also on an endpoint, an instance,
 * a task or anything else is disqualified.
 */
export function mountTargetOnlyGroups(stack: SynthesizedStack): ReadonlySet<string> {
  return attachedOnlyGroups(stack, "mount-target");
}

/**
 * The ADOT collector image, pinned by tag (not `latest`) or digest: Amazon ECR Public's
 * `public.ecr.aws/aws-observability/aws-otel-collector`, where ADOT publishes its releases
 * (aws-observability/aws-otel-collector .github/workflows/CD.yml @ v0.49.0), or a repository of
 * that name in a private Amazon ECR registry (a mirror or pull-through cache of the account). A
 * repository of that name elsewhere (Docker Hub, any registry) could hold anything.
 */
const COLLECTOR_IMAGE =
  /^(?:public\.ecr\.aws\/aws-observability|[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?:\/[a-z0-9][a-z0-9._-]*)*)\/aws-otel-collector(?::([\w][\w.-]{0,127}))?(@sha256:[a-f0-9]{64})?$/;

/**
 * Container definition keys that would change what a collector container runs. The AWS provider
 * decodes `container_definitions` with Go's encoding/json, which matches keys case-insensitively
 * (https://pkg.go.dev/encoding/json#Unmarshal: "preferring an exact match but also accepting a
 * case-insensitive match"), so `Image` or `IMAGE` is an image too.
 */
const RUN_KEYS = new Set(["image", "entrypoint", "command"]);

/**
 * `container_definitions` as JSON when every part of it is known at synth time: literal JSON whose
 * only interpolations are plain attributes of resources or data sources of the stack
 * (`${aws_x.name.attr}`, values AWS controls), with Terraform's `$${` and `%%{` escapes. A template
 * directive (`%{ if … }`) or any other interpolation (a variable, a local, a function) could rewrite
 * the JSON when Terraform renders it: undefined.
 */
function readableContainerDefinitions(raw: unknown): unknown[] | undefined {
  if (typeof raw !== "string") return undefined;
  const text = raw.replace(/\$\$\{/g, "").replace(/%%\{/g, "");
  if (text.includes("%{")) return undefined;
  for (let i = text.indexOf("${"); i >= 0; i = text.indexOf("${", i + 2)) {
    if (!INTERPOLATION.test(text.slice(i))) return undefined;
  }
  const parsed = tryDecodeTerraformJson(raw);
  return Array.isArray(parsed) ? parsed : undefined;
}

/**
 * The interpolations a readable `container_definitions` may hold: an attribute of a resource or
 * data source of the stack, inside a JSON string (`"${aws_cloudwatch_log_group.x.name}"`) or as a
 * whole JSON value through `jsonencode` (`${jsonencode(data.aws_region.x.region)}`, as cdktf writes
 * references in JSON it encodes). Both give values AWS controls, in place.
 */
const INTERPOLATION = /^\$\{(?:jsonencode\((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*\.[a-z_][a-z0-9_]*\)|(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*\.[a-z_][a-z0-9_]*)\}/;

/** A container that runs a pinned collector image as it is: one `image` key, no entry point or command of its own. */
function isCollectorContainer(container: unknown): boolean {
  const c = record(container);
  const runKeys = Object.keys(c).filter((k) => RUN_KEYS.has(k.toLowerCase()));
  return runKeys.length === 1 && runKeys[0] === "image" && isCollectorImage(c.image);
}

/** True for a literal ADOT collector image reference pinned by a tag other than `latest`, or by a digest. */
export function isCollectorImage(image: unknown): boolean {
  if (typeof image !== "string" || isUnknown(image)) return false;
  const m = COLLECTOR_IMAGE.exec(image);
  return m !== null && ((m[1] !== undefined && m[1] !== "latest") || m[2] !== undefined);
}

/**
 * Names of the `aws_ecs_task_definition`s of the stack whose `container_definitions` is a JSON
 * list readable at synth time of at least one container, every one of which runs a pinned ADOT
 * collector image ({@link isCollectorImage}). One other container (an agent, a shell) and the task
 * is not a collector's.
 */
export function collectorTaskDefinitions(stack: SynthesizedStack): ReadonlySet<string> {
  const names = new Set<string>();
  for (const td of stack.resources("aws_ecs_task_definition")) {
    const containers = readableContainerDefinitions(td.body.container_definitions);
    if (containers === undefined || containers.length === 0) continue;
    if (containers.every(isCollectorContainer)) names.add(td.name);
  }
  return names;
}

/**
 * Names of the `aws_security_group`s of the stack that are attached only to the network
 * configuration (`network_configuration.security_groups`) of `aws_ecs_service`s whose
 * `task_definition` is `${aws_ecs_task_definition.<name>.arn}` of a collector task definition
 * ({@link collectorTaskDefinitions}), and otherwise mentioned only as a rule's group or peer, as
 * {@link endpointOnlyGroups} reads it. A group also on an agent's service, an instance or anything
 * else is disqualified.
 */
export function collectorServiceOnlyGroups(stack: SynthesizedStack): ReadonlySet<string> {
  return attachedOnlyGroups(stack, "collector-service");
}

function attachedOnlyGroups(stack: SynthesizedStack, kind: "endpoint" | "mount-target" | "collector-service"): ReadonlySet<string> {
  const interfaceEndpoints = new Set(stack.resources("aws_vpc_endpoint").filter((e) => stringOf(e.body.vpc_endpoint_type) === "Interface").map((e) => e.name));
  const groups = stack.resources("aws_security_group").map((g) => g.name);
  const collectorTasks = kind === "collector-service" ? collectorTaskDefinitions(stack) : new Set<string>();
  const taskSetServices = new Set(stack.resources("aws_ecs_task_set").flatMap((t) => (typeof t.body.service === "string" ? [...t.body.service.matchAll(/aws_ecs_service\.([A-Za-z_][A-Za-z0-9_-]*)/g)].map((m) => m[1]) : [])));
  const isCollectorService = (r: TerraformBlock): boolean => {
    const ref = referenceOf(r.body.task_definition);
    if (ref === undefined || ref.type !== "aws_ecs_task_definition" || ref.attribute !== "arn" || !collectorTasks.has(ref.name)) return false;
    // What would make the service run another task definition than the one read: a deployment
    // controller other than ECS (CODE_DEPLOY, EXTERNAL task sets), task sets, Service Connect (it adds
    // an Envoy container), a task_definition Terraform does not keep.
    const controller = blocks(r.body.deployment_controller);
    if (controller.some((c) => c.type !== undefined && c.type !== "ECS") || r.body.deployment_controller === null || isUnknown(r.body.deployment_controller)) return false;
    if (r.body.service_connect_configuration !== undefined && r.body.service_connect_configuration !== null) return false;
    if (taskSetServices.has(r.name)) return false;
    const ignored = record(r.body.lifecycle).ignore_changes;
    if (ignored === "all" || (Array.isArray(ignored) && ignored.some((a) => typeof a !== "string" || a === "all" || a.startsWith("task_definition"))) || (ignored !== undefined && !Array.isArray(ignored))) return false;
    return true;
  };
  const holders =
    kind === "endpoint"
      ? interfaceEndpoints.size
      : kind === "mount-target"
        ? stack.resources("aws_efs_mount_target").length
        : stack.resources("aws_ecs_service").filter(isCollectorService).length;
  if (groups.length === 0 || holders === 0) return new Set();
  const attached = new Set<string>();
  const disqualified = new Set<string>();
  const mentions = (text: string): string[] => groups.filter((g) => new RegExp(`aws_security_group\\.${escape(g)}(?![A-Za-z0-9_-])`).test(text));
  const visit = (value: unknown, allowed: (text: string) => "attach" | "neutral" | undefined): void => {
    walkStrings(value, (text) => {
      if (!text.includes("aws_security_group.")) return;
      const verdict = allowed(text);
      for (const g of mentions(text)) {
        if (verdict === "attach" && groupNameOf(text) === g) attached.add(g);
        else if (verdict === "neutral" && groupNameOf(text) === g) continue;
        else disqualified.add(g);
      }
    });
  };
  for (const r of stack.resources()) {
    const body = bodyWithoutMetadata(r);
    if (kind === "collector-service" && r.type === "aws_ecs_service" && isCollectorService(r)) {
      // Only a network_configuration written as one literal block attaches; anything else in it
      // (assign_public_ip, subnets) mentions no group.
      const { network_configuration: network, ...rest } = body;
      const configs = Array.isArray(network) ? network : [network];
      const readable = configs.length === 1 && blocks(network).length === 1;
      for (const config of configs) {
        const { security_groups: ids, ...other } = record(config);
        visit(ids, (t) => (readable && Array.isArray(ids) && groupNameOf(t) !== undefined ? "attach" : undefined));
        visit(other, () => undefined);
      }
      visit(rest, () => undefined);
    } else if (kind === "mount-target" && r.type === "aws_efs_mount_target") {
      const { security_groups: ids, ...rest } = body;
      visit(ids, (t) => (Array.isArray(ids) && groupNameOf(t) !== undefined ? "attach" : undefined));
      visit(rest, () => undefined);
    } else if (kind === "endpoint" && r.type === "aws_vpc_endpoint" && interfaceEndpoints.has(r.name)) {
      const { security_group_ids: ids, ...rest } = body;
      visit(ids, (t) => (Array.isArray(ids) && groupNameOf(t) !== undefined ? "attach" : undefined));
      visit(rest, () => undefined);
    } else if (kind === "endpoint" && r.type === "aws_vpc_endpoint_security_group_association") {
      const endpoint = typeof body.vpc_endpoint_id === "string" ? ENDPOINT_ID_REFERENCE.exec(body.vpc_endpoint_id.trim())?.[1] : undefined;
      const { security_group_id: id, ...rest } = body;
      visit(id, () => (endpoint !== undefined && interfaceEndpoints.has(endpoint) ? "attach" : undefined));
      visit(rest, () => undefined);
    } else if (RULE_TYPES.has(r.type)) {
      // The group a rule belongs to, or the group a rule names as its peer: neither attaches it.
      const { security_group_id: id, source_security_group_id: source, referenced_security_group_id: referenced, ...rest } = body;
      for (const v of [id, source, referenced]) visit(v, () => "neutral");
      visit(rest, () => undefined);
    } else if (r.type === "aws_security_group") {
      // Another group naming it as a peer in its rules (e.g. the agents' egress to the endpoints).
      const { ingress, egress, ...rest } = body;
      for (const rules of [ingress, egress]) {
        for (const b of Array.isArray(rules) ? rules : [rules]) {
          const { security_groups: peers, ...other } = record(b);
          visit(peers, () => "neutral");
          visit(other, () => undefined);
        }
      }
      visit(rest, () => undefined);
    } else {
      visit(body, () => undefined);
    }
  }
  for (const [section, value] of Object.entries(stack.json)) {
    if (section === "resource" || section === "//" || section === "terraform" || section === "provider") continue;
    visit(value, () => undefined);
  }
  for (const g of echoedGroups(stack, groups)) disqualified.add(g);
  return new Set([...attached].filter((g) => !disqualified.has(g)));
}

/**
 * The attributes that hold a security group's ID again, by resource type: the holders' own lists,
 * the rules' groups and peers, a group's peers. A reference to one of them (or to the whole
 * resource) elsewhere hands the group to whatever reads it, without naming it.
 */
const ECHO_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  aws_ecs_service: new Set(["network_configuration"]),
  aws_ecs_task_set: new Set(["network_configuration"]),
  aws_vpc_endpoint: new Set(["security_group_ids"]),
  aws_efs_mount_target: new Set(["security_groups"]),
  aws_vpc_endpoint_security_group_association: new Set(["security_group_id"]),
  aws_security_group_rule: new Set(["security_group_id", "source_security_group_id"]),
  aws_vpc_security_group_ingress_rule: new Set(["security_group_id", "referenced_security_group_id"]),
  aws_vpc_security_group_egress_rule: new Set(["security_group_id", "referenced_security_group_id"]),
  aws_security_group: new Set(["ingress", "egress"]),
};
/** Data sources that look groups up (by name, by the interfaces of an endpoint, a task, …). */
const GROUP_LOOKUPS = new Set(["aws_security_group", "aws_security_groups", "aws_network_interface", "aws_network_interfaces", "aws_vpc_endpoint", "aws_efs_mount_target", "aws_ecs_service"]);
const REFERENCE = /(?<![A-Za-z0-9_.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[[^\]]*\])*)(?:\.([a-z_][a-z0-9_]*))?/g;

/**
 * The groups handed on through an echo: a reference anywhere in the configuration to an attribute
 * that holds a group's ID ({@link ECHO_ATTRIBUTES}) of a resource that mentions the group, or to the
 * whole resource; every group when a data source looks groups up.
 */
function echoedGroups(stack: SynthesizedStack, groups: readonly string[]): Set<string> {
  const carried = new Map<string, Set<string>>();
  for (const r of stack.resources(...Object.keys(ECHO_ATTRIBUTES))) {
    const found = new Set<string>();
    walkStrings(bodyWithoutMetadata(r), (text) => {
      for (const g of groups) if (new RegExp(`aws_security_group\\.${escape(g)}(?![A-Za-z0-9_-])`).test(text)) found.add(g);
    });
    if (found.size > 0) carried.set(`${r.type}.${r.name}`, found);
  }
  const echoed = new Set<string>();
  const scan = (text: string): void => {
    if (!text.includes("aws_")) return;
    for (const m of text.matchAll(REFERENCE)) {
      const [, data, type = "", name = "", , attribute] = m;
      if (data !== undefined) {
        if (GROUP_LOOKUPS.has(type)) for (const g of groups) echoed.add(g);
        continue;
      }
      const attributes = ECHO_ATTRIBUTES[type];
      if (attributes === undefined || (attribute !== undefined && !attributes.has(attribute))) continue;
      for (const g of carried.get(`${type}.${name}`) ?? []) echoed.add(g);
    }
  };
  for (const r of stack.resources()) walkStrings(bodyWithoutMetadata(r), scan);
  for (const [section, value] of Object.entries(stack.json)) {
    if (section === "resource" || section === "//" || section === "terraform") continue;
    walkStrings(value, scan);
  }
  return echoed;
}

/** One ingress permission, in the terms all three forms share (inline block, rule resource, VPC rule resource). */
export interface IngressPermission {
  readonly protocol: unknown;
  readonly fromPort: unknown;
  readonly toPort: unknown;
  /** IPv4 CIDR sources (a list, or one value). */
  readonly cidrBlocks: unknown;
  readonly ipv6CidrBlocks: unknown;
  readonly prefixListIds: unknown;
  /** Security group sources (a list, or one value). */
  readonly securityGroups: unknown;
}

/**
 * What is wrong with an ingress permission of a group attached only to interface endpoints: it may
 * admit TCP 443 only, from security groups or private IPv4 ranges (RFC 1918,
 * https://www.rfc-editor.org/rfc/rfc1918), never from IPv6 ranges or prefix lists (whose contents
 * the stack does not show). Values known only at apply time are problems (unknown fails closed).
 */
export function endpointIngressProblems(ruleId: string, p: IngressPermission): string[] {
  return ingressProblems(ruleId, p, 443, true);
}

/**
 * What is wrong with an ingress permission of a group attached only to EFS mount targets: it may
 * admit NFS (TCP 2049) only, and only from security groups — the agents' — never from an address
 * range or a prefix list: a range admits every host in it, and the file system holds executables
 * every agent runs.
 */
export function mountTargetIngressProblems(ruleId: string, p: IngressPermission): string[] {
  return ingressProblems(ruleId, p, 2049, false);
}

function ingressProblems(ruleId: string, p: IngressPermission, port: number, privateRanges: boolean): string[] {
  const problems: string[] = [];
  const protocol = typeof p.protocol === "number" ? String(p.protocol) : stringOf(p.protocol);
  if (isUnknown(p.protocol)) problems.push(unconfirmed(ruleId, "its protocol", p.protocol));
  else if (protocol === undefined || !["tcp", "6"].includes(protocol.toLowerCase())) problems.push(`its protocol must be "tcp" (got ${JSON.stringify(p.protocol ?? null)})`);
  for (const [name, value] of [["from_port", p.fromPort], ["to_port", p.toPort]] as const) {
    const n = numberValueOf(value);
    if (n === "unknown") problems.push(unconfirmed(ruleId, `its ${name}`, value));
    else if (n !== port) problems.push(`its ${name} must be ${port} (got ${JSON.stringify(value ?? null)})`);
  }
  const list = (what: string, value: unknown): string[] | undefined => {
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    if (isUnknown(value) || items.some((v) => typeof v !== "string" || isUnknown(v))) {
      problems.push(unconfirmed(ruleId, `its ${what}`, value));
      return undefined;
    }
    return items as string[];
  };
  const ipv4 = list("IPv4 sources", p.cidrBlocks) ?? [];
  if (!privateRanges && ipv4.length > 0) problems.push(`it must have no IPv4 sources (got ${JSON.stringify(ipv4)}): admit the agents' security groups`);
  for (const cidr of privateRanges ? ipv4 : []) {
    if (!isPrivateIpv4(cidr)) problems.push(`its IPv4 source ${JSON.stringify(cidr)} must be a private (RFC 1918) range`);
  }
  for (const [what, value] of [["IPv6 sources", p.ipv6CidrBlocks], ["prefix lists", p.prefixListIds]] as const) {
    const items = list(what, value);
    if (items && items.length > 0) problems.push(`it must have no ${what} (got ${JSON.stringify(items)}): use the callers' security groups`);
  }
  // Security groups as sources: a group ID or a reference to an attribute of a resource of the
  // stack names callers, whatever the group holds; a variable, a local or a call may be anything.
  const groups = p.securityGroups === undefined || p.securityGroups === null ? [] : Array.isArray(p.securityGroups) ? p.securityGroups : [p.securityGroups];
  const unknownGroups = groups.filter((g) => typeof g !== "string" || isUnknownValue(g) || (isUnknown(g) && !/^\$\{[^}]*\}$/.test(g.trim())));
  if (unknownGroups.length > 0 || (typeof p.securityGroups === "string" && !Array.isArray(p.securityGroups) && isUnknownValue(p.securityGroups))) {
    problems.push(unconfirmed(ruleId, "its source security groups", p.securityGroups));
  }
  return problems;
}

/**
 * What is wrong with an ingress permission of a group attached only to collector services: it may
 * admit OTLP/gRPC (TCP 4317) only, and only from security groups — the agents' — never from an
 * address range or a prefix list: a range admits every host in it, and whatever it sends lands in
 * the agents' metrics.
 */
export function collectorIngressProblems(ruleId: string, p: IngressPermission): string[] {
  return ingressProblems(ruleId, p, 4317, false);
}

/** True for an IPv4 CIDR inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16. */
export function isPrivateIpv4(cidr: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return false;
  const address = ((octets[0] ?? 0) * 2 ** 24 + (octets[1] ?? 0) * 2 ** 16 + (octets[2] ?? 0) * 2 ** 8 + (octets[3] ?? 0)) >>> 0;
  const ranges: [number, number][] = [
    [0x0a000000, 8],
    [0xac100000, 12],
    [0xc0a80000, 16],
  ];
  return ranges.some(([base, prefix]) => bits >= prefix && Math.floor(address / 2 ** (32 - prefix)) === Math.floor(base / 2 ** (32 - prefix)));
}

/** A block's arguments without cdktf's metadata and `depends_on` (an ordering, not an attachment). */
function bodyWithoutMetadata(r: TerraformBlock): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r.body).filter(([k]) => k !== "//" && k !== "depends_on"));
}

function walkStrings(value: unknown, visit: (text: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) value.forEach((v) => walkStrings(v, visit));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(record(value))) {
      if (k === "//") continue;
      visit(k);
      walkStrings(v, visit);
    }
  }
}

function escape(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}
