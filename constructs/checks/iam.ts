import { tryDecodeTerraformJson } from "../../core/terraform-json";
import { SynthesizedStack, TerraformBlock, blocks, record } from "./synthesized-stack";

// How IAM reads a policy, as the checks follow it:
// - action names are case-insensitive, and `*` (any characters) and `?` (one character) are
//   wildcards in them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html);
// - `*` and `?` are wildcards within any ARN segment, and a `*` that ends a segment also matches
//   across the colons after it (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
// - `"Principal": "*"` and `{"AWS": "*"}` mean every principal, anonymous callers included, and
//   an Allow with `NotPrincipal` every principal but those named
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html,
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).
// - `aws_iam_policy_document` merges `source_policy_documents` / `source_json` and
//   `override_policy_documents` / `override_json` into its own statements
//   (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document):
//   every statement of every one of them may end up in the document, so each is checked.

/** One condition test of a statement: `{"StringEquals": {"aws:SourceAccount": ["123"]}}`. */
export interface IamCondition {
  /** The operator as written, e.g. `StringEquals`, `ForAnyValue:StringLike`, `ArnLikeIfExists`. */
  readonly operator: string;
  /** The condition key, lower case (`aws:sourceaccount`). */
  readonly key: string;
  readonly values: readonly string[];
}

/** One IAM policy statement, normalized from a JSON policy or an `aws_iam_policy_document` block. */
export interface IamStatement {
  /** Construct path of the resource or data source holding the policy. */
  readonly path: string;
  /** Where the statement is: `aws_iam_role_policy.policy Statement[0] ("ReadTokenSecret")`. */
  readonly where: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  /** `NotAction`: an Allow with it grants everything else. */
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  /** A trust (assume-role) policy: it has principals and no resources. */
  readonly trust: boolean;
  /**
   * The statement admits any principal: `Principal: "*"`, `{AWS: "*"}` (or an `AWS`/`*` principals
   * block with `*`), or an Allow with `NotPrincipal`.
   */
  readonly anyPrincipal: boolean;
  /** Principals known only at apply time (a variable, a whole-list reference): any of them may be `*`. */
  readonly unknownPrincipals: readonly string[];
  /** Condition keys the statement tests, lower case (`ecs:cluster`). */
  readonly conditionKeys: readonly string[];
  /** The statement's condition tests; a condition that cannot be read is left out (it restricts nothing the checks can see). */
  readonly conditions: readonly IamCondition[];
}

/** A policy argument whose document cannot be read at synth time, so no rule can judge it. */
export interface UnreadablePolicy {
  /** Construct path of the resource holding the policy. */
  readonly path: string;
  /** The argument: `aws_iam_role_policy.policy`. */
  readonly where: string;
  /** What the argument holds instead of JSON, e.g. `Fn.jsonencode(…)`. */
  readonly holds: string;
  /** True for a trust policy, false for a permissions policy, undefined when it cannot be told (a composed document). */
  readonly trust?: boolean;
}

/** Policy arguments, per resource type, that hold a JSON identity (or trust) policy document. */
const POLICY_ARGUMENTS: ReadonlyArray<readonly [type: string, argument: string, trust: boolean]> = [
  ["aws_iam_policy", "policy", false],
  ["aws_iam_role_policy", "policy", false],
  ["aws_iam_user_policy", "policy", false],
  ["aws_iam_group_policy", "policy", false],
  ["aws_iam_role", "assume_role_policy", true],
];

/**
 * Resource-based policy arguments: who else (which principals) may use a resource. A statement
 * that allows any principal here opens the resource to every AWS account, or to anonymous callers.
 */
export const RESOURCE_POLICY_ARGUMENTS: ReadonlyArray<readonly [type: string, argument: string]> = [
  ["aws_secretsmanager_secret", "policy"],
  ["aws_secretsmanager_secret_policy", "policy"],
  ["aws_kms_key", "policy"],
  ["aws_kms_key_policy", "policy"],
  ["aws_sqs_queue", "policy"],
  ["aws_sqs_queue_policy", "policy"],
  ["aws_sns_topic", "policy"],
  ["aws_sns_topic_policy", "policy"],
  ["aws_api_gateway_rest_api", "policy"],
  ["aws_api_gateway_rest_api_policy", "policy"],
  ["aws_ecr_repository_policy", "policy"],
  ["aws_ecr_registry_policy", "policy"],
  ["aws_s3_bucket", "policy"],
  ["aws_s3_bucket_policy", "policy"],
  ["aws_s3_access_point", "policy"],
  ["aws_cloudwatch_log_resource_policy", "policy_document"],
  ["aws_cloudwatch_event_bus_policy", "policy"],
  ["aws_efs_file_system_policy", "policy"],
  ["aws_backup_vault_policy", "policy"],
  ["aws_glacier_vault", "access_policy"],
  ["aws_dynamodb_resource_policy", "policy"],
  ["aws_kinesis_resource_policy", "policy"],
  ["aws_opensearch_domain", "access_policies"],
  ["aws_opensearch_domain_policy", "access_policies"],
  ["aws_elasticsearch_domain", "access_policies"],
  ["aws_elasticsearch_domain_policy", "access_policies"],
];

/**
 * A reference to a document the rules read where it is defined: an `aws_iam_policy_document`
 * data source's JSON or an `aws_iam_policy`'s `policy` (HCL whitespace allowed inside `${…}`).
 */
const DOCUMENT_REFERENCE = /^\$\{\s*(?:(data\.aws_iam_policy_document)\.([A-Za-z0-9_-]+)\.(?:json|minified_json)|(aws_iam_policy)\.([A-Za-z0-9_-]+)\.policy)\s*\}$/;

/** Statements and unreadable documents found while reading policies. */
export interface PolicyRead {
  readonly statements: IamStatement[];
  readonly unreadable: UnreadablePolicy[];
}

/**
 * Reads the policy documents of one stack: JSON policies (references decoded), `aws_iam_policy_document`
 * data sources with the documents they compose, and references between them.
 */
export class PolicyReader {
  private readonly dataDocuments: ReadonlyMap<string, TerraformBlock>;
  private readonly policies: ReadonlyMap<string, TerraformBlock>;
  private readonly dataReads = new Map<string, PolicyRead>();

  public constructor(private readonly stack: SynthesizedStack) {
    this.dataDocuments = new Map(stack.dataSources("aws_iam_policy_document").map((d) => [d.name, d]));
    this.policies = new Map(stack.resources("aws_iam_policy").map((r) => [r.name, r]));
  }

  /**
   * The statements of the policy argument `value` of the block at `path`.
   * @param follow read a reference to another document of the stack (resource policies);
   *   otherwise it is checked where it is defined and yields nothing here
   * @param trust whether the document is a trust policy; undefined: per statement (principals and no resources)
   */
  public read(path: string, where: string, value: unknown, trust: boolean | undefined, follow: boolean, seen: ReadonlySet<string> = new Set()): PolicyRead {
    if (typeof value === "string") {
      const ref = DOCUMENT_REFERENCE.exec(value.trim());
      if (ref) {
        const isData = ref[1] !== undefined;
        const name = (isData ? ref[2] : ref[4]) ?? "";
        const target = isData ? this.dataDocuments.get(name) : this.policies.get(name);
        if (!target) return unreadableRead(path, where, `a reference to ${isData ? "data.aws_iam_policy_document" : "aws_iam_policy"}.${name}, which is not in this stack`, trust);
        if (!follow || seen.has(target.address)) return { statements: [], unreadable: [] };
        const next = new Set(seen).add(target.address);
        const inner = isData ? this.dataDocument(target, next) : this.read(target.path, "aws_iam_policy.policy", target.body.policy, false, true, next);
        return {
          statements: inner.statements.map((s) => ({ ...s, path, where: `${where} → ${target.address} ${s.where.replace(/^(data\.aws_iam_policy_document|aws_iam_policy\.policy) ?/, "")}`.trim() })),
          unreadable: inner.unreadable.map((u) => ({ ...u, path, where: `${where} → ${target.address} ${u.where.replace(/^(data\.aws_iam_policy_document|aws_iam_policy\.policy) ?/, "")}`.trim() })),
        };
      }
    }
    const holds = unreadable(value);
    if (holds !== undefined) return unreadableRead(path, where, holds, trust);
    return { statements: fromDocument(path, where, decode(value), trust, this.stack.locals), unreadable: [] };
  }

  /**
   * Every statement of an `aws_iam_policy_document` data source: its own `statement` blocks and
   * those of the documents it composes (`source_policy_documents`, `override_policy_documents`,
   * `source_json`, `override_json`), which are followed when they are references.
   */
  public dataDocument(d: TerraformBlock, seen: ReadonlySet<string> = new Set([d.address])): PolicyRead {
    const cached = this.dataReads.get(d.address);
    if (cached) return cached;
    const statements: IamStatement[] = [];
    const unreadableDocs: UnreadablePolicy[] = [];
    const prefix = "data.aws_iam_policy_document";
    const own = d.body.statement;
    if (d.body.dynamic !== undefined) {
      unreadableDocs.push({ path: d.path, where: `${prefix} dynamic`, holds: "a dynamic block (its statements are only known at apply time)" });
    }
    if (own !== undefined && (typeof own !== "object" || own === null || (Array.isArray(own) && own.some((s) => s === null || typeof s !== "object" || Array.isArray(s))))) {
      unreadableDocs.push({ path: d.path, where: `${prefix} statement`, holds: describe(own) });
    } else {
      blocks(own).forEach((s, i) => statements.push(fromBlock(d.path, `${prefix} statement[${i}]${s.sid ? ` (${JSON.stringify(s.sid)})` : ""}`, s, this.stack.locals)));
    }
    for (const field of ["source_policy_documents", "override_policy_documents"]) {
      const docs = d.body[field];
      if (docs === undefined || docs === null) continue;
      if (!Array.isArray(docs)) {
        unreadableDocs.push({ path: d.path, where: `${prefix} ${field}`, holds: describe(docs) });
        continue;
      }
      docs.forEach((doc, i) => {
        const read = this.read(d.path, `${prefix} ${field}[${i}]`, doc, undefined, true, seen);
        statements.push(...read.statements);
        unreadableDocs.push(...read.unreadable);
      });
    }
    for (const field of ["source_json", "override_json"]) {
      const doc = d.body[field];
      if (doc === undefined || doc === null || doc === "") continue;
      const read = this.read(d.path, `${prefix} ${field}`, doc, undefined, true, seen);
      statements.push(...read.statements);
      unreadableDocs.push(...read.unreadable);
    }
    const out = { statements, unreadable: unreadableDocs };
    this.dataReads.set(d.address, out);
    return out;
  }
}

function unreadableRead(path: string, where: string, holds: string, trust: boolean | undefined): PolicyRead {
  return { statements: [], unreadable: [{ path, where, holds, ...(trust === undefined ? {} : { trust }) }] };
}

/** Identity and trust policies of the stack, read once per stack. */
function identityPolicies(stack: SynthesizedStack): PolicyRead {
  const reader = new PolicyReader(stack);
  const statements: IamStatement[] = [];
  const unreadableDocs: UnreadablePolicy[] = [];
  for (const doc of policyDocuments(stack)) {
    // A reference to another document of the stack is checked where it is defined.
    const read = reader.read(doc.path, doc.where, doc.policy, doc.trust, false);
    statements.push(...read.statements);
    unreadableDocs.push(...read.unreadable);
  }
  for (const d of stack.dataSources("aws_iam_policy_document")) {
    const read = reader.dataDocument(d);
    // Documents this one composes by reference are checked where they are defined: keep only
    // what is this data source's own (its statements and the literal documents it embeds).
    statements.push(...read.statements.filter((s) => !s.where.includes(" → ")));
    unreadableDocs.push(...read.unreadable.filter((u) => !u.where.includes(" → ")));
  }
  return { statements, unreadable: unreadableDocs };
}

const IDENTITY_CACHE = new WeakMap<SynthesizedStack, PolicyRead>();

function cachedIdentityPolicies(stack: SynthesizedStack): PolicyRead {
  let read = IDENTITY_CACHE.get(stack);
  if (!read) {
    read = identityPolicies(stack);
    IDENTITY_CACHE.set(stack, read);
  }
  return read;
}

/**
 * Every IAM statement of the stack whose document is readable at synth time: JSON policies written
 * with `terraformJson` (references decoded), inline role policies and `aws_iam_policy_document`
 * data sources with the documents they compose. A policy that is only a reference
 * (`${data.aws_iam_policy_document.x.json}`) is checked where it is defined; any other unreadable
 * one is in {@link unreadablePolicies}.
 */
export function iamStatements(stack: SynthesizedStack): IamStatement[] {
  return cachedIdentityPolicies(stack).statements;
}

/**
 * Policy arguments (and documents composed into an `aws_iam_policy_document`) that hold neither
 * JSON (written with `terraformJson` or `JSON.stringify`) nor a reference to a document of the
 * stack: `Fn.jsonencode({...})` (HCL, not JSON, once synthesized), `file(…)`, `templatefile(…)`,
 * a variable, another stack's output. Their statements cannot be read, so the IAM rules cannot
 * confirm them and report them instead of passing them.
 */
export function unreadablePolicies(stack: SynthesizedStack): UnreadablePolicy[] {
  return cachedIdentityPolicies(stack).unreadable;
}

/**
 * The finding a rule reports for an unreadable policy: `what` is what the rule could not confirm
 * (`named actions`, `named resources`).
 */
export function unreadablePolicyMessage(p: UnreadablePolicy, ruleId: string, what: string): string {
  return `${p.where} holds ${p.holds}, which cannot be read at synth time, so ${what} cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge ${ruleId} with a reason`;
}

/**
 * The finding a rule reports for values known only at apply time: `what` is what the rule could
 * not confirm (`named actions`).
 */
export function unknownValuesMessage(where: string, values: readonly string[], ruleId: string, what: string): string {
  const shown = values.map((v) => JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}…` : v)).join(", ");
  return `${where} holds ${shown}, known only at apply time, so ${what} cannot be confirmed: write the values in the stack, or acknowledge ${ruleId} with a reason`;
}

interface PolicyDocument {
  readonly path: string;
  readonly where: string;
  readonly policy: unknown;
  readonly trust: boolean;
}

function policyDocuments(stack: SynthesizedStack): PolicyDocument[] {
  const out: PolicyDocument[] = [];
  for (const [type, argument, trust] of POLICY_ARGUMENTS) {
    for (const r of stack.resources(type)) {
      if (r.body[argument] !== undefined) out.push({ path: r.path, where: `${type}.${argument}`, policy: r.body[argument], trust });
    }
  }
  for (const r of stack.resources("aws_iam_role")) {
    const inline = r.body.inline_policy;
    if (inline !== undefined && (typeof inline !== "object" || inline === null)) {
      out.push({ path: r.path, where: "aws_iam_role.inline_policy", policy: inline, trust: false });
      continue;
    }
    blocks(inline).forEach((p, i) => {
      if (p.policy !== undefined) out.push({ path: r.path, where: `aws_iam_role.inline_policy[${i}]`, policy: p.policy, trust: false });
    });
  }
  return out;
}

function decode(doc: unknown): unknown {
  return typeof doc === "string" ? tryDecodeTerraformJson(doc) : doc;
}

/** What an unreadable policy holds, or undefined when it is readable. */
function unreadable(doc: unknown): string | undefined {
  const policy = decode(doc);
  const readable =
    policy !== null &&
    typeof policy === "object" &&
    !Array.isArray(policy) &&
    (() => {
      const statement = field(policy as Record<string, unknown>, "Statement");
      const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
      return list.every((s) => s !== null && typeof s === "object" && !Array.isArray(s));
    })();
  if (readable) return undefined;
  return describe(doc);
}

/** What an argument holds, for a message: never the value itself when it may be long. */
function describe(doc: unknown): string {
  if (typeof doc !== "string") return "a value that is not a policy document";
  const text = doc.trim();
  if (text.startsWith("${jsonencode(")) return "Fn.jsonencode(…) (HCL once synthesized)";
  if (/^\$\{[^}]*\}$/.test(text)) return `the expression ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
  return "text that is not a JSON policy document";
}

/** A policy element by name: IAM's element names are matched here without regard to case, so no spelling slips past. */
function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

function fromDocument(path: string, where: string, doc: unknown, trust: boolean | undefined, locals: Readonly<Record<string, unknown>>): IamStatement[] {
  const policy = record(doc);
  const raw = field(policy, "Statement");
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements.map(record).map((s, i) => {
    const sid = field(s, "Sid");
    const effect = field(s, "Effect") === "Deny" ? "Deny" : "Allow";
    const principal = field(s, "Principal");
    const notPrincipal = field(s, "NotPrincipal");
    const principals = principalValues(principal, locals);
    const resources = strings(field(s, "Resource"), locals);
    const notResources = strings(field(s, "NotResource"), locals);
    const conditions = conditionsOf(field(s, "Condition"), locals);
    const hasPrincipal = principal !== undefined || notPrincipal !== undefined;
    return {
      path,
      where: `${where} Statement[${i}]${typeof sid === "string" && sid ? ` (${JSON.stringify(sid)})` : ""}`,
      effect,
      actions: strings(field(s, "Action"), locals),
      notActions: strings(field(s, "NotAction"), locals),
      resources,
      notResources,
      trust: trust ?? (hasPrincipal && field(s, "Resource") === undefined && field(s, "NotResource") === undefined),
      anyPrincipal: principals.some(isAnyPrincipal) || (effect === "Allow" && notPrincipal !== undefined),
      unknownPrincipals: principals.filter((p) => isUnknownValue(p)),
      conditionKeys: conditions.map((c) => c.key),
      conditions,
    };
  });
}

function fromBlock(path: string, where: string, s: Record<string, unknown>, locals: Readonly<Record<string, unknown>>): IamStatement {
  const principals = blocks(s.principals);
  const notPrincipals = blocks(s.not_principals);
  const identifiers = principals.flatMap((p) => [...strings(p.identifiers, locals), ...(isUnknownValue(expand(p.type, locals)) ? [String(p.type)] : [])]);
  const effect = s.effect === "Deny" ? "Deny" : "Allow";
  const conditions: IamCondition[] = blocks(s.condition).map((c) => ({
    operator: typeof c.test === "string" ? c.test : "",
    key: typeof c.variable === "string" ? c.variable.toLowerCase() : "",
    values: strings(c.values, locals),
  }));
  return {
    path,
    where,
    effect,
    actions: strings(s.actions, locals),
    notActions: strings(s.not_actions, locals),
    resources: strings(s.resources, locals),
    notResources: strings(s.not_resources, locals),
    trust: (principals.length > 0 || notPrincipals.length > 0) && s.resources === undefined && s.not_resources === undefined,
    anyPrincipal: identifiers.some(isAnyPrincipal) || (effect === "Allow" && notPrincipals.length > 0),
    unknownPrincipals: identifiers.filter((p) => isUnknownValue(p)),
    conditionKeys: conditions.map((c) => c.key),
    conditions,
  };
}

/** The principals of a JSON `Principal`: `"*"`, or every value of every key (`AWS`, `Service`, …). */
function principalValues(principal: unknown, locals: Readonly<Record<string, unknown>>): string[] {
  if (principal === undefined) return [];
  if (typeof principal === "string") return [expand(principal, locals)];
  if (principal === null || typeof principal !== "object" || Array.isArray(principal)) return ["<a principal that is not an object>"];
  return Object.values(principal).flatMap((v) => strings(v, locals));
}

/** A principal that admits everyone: `*` (IAM allows no other wildcard in a principal, so any `*` is read as one). */
function isAnyPrincipal(p: string): boolean {
  return p.includes("*");
}

function conditionsOf(condition: unknown, locals: Readonly<Record<string, unknown>>): IamCondition[] {
  return Object.entries(record(condition)).flatMap(([operator, test]) =>
    Object.entries(record(test)).map(([key, values]) => ({ operator, key: key.toLowerCase(), values: strings(values, locals) })),
  );
}

/** Strings of a policy element (a string or a list), locals holding a literal expanded; anything else is kept as an unknown value. */
function strings(value: unknown, locals: Readonly<Record<string, unknown>> = {}): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [expand(value, locals)];
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? expand(v, locals) : typeof v === "number" || typeof v === "boolean" ? String(v) : "<a value that is not a string>"));
  return ["<a value that is not a string>"];
}

/** Interpolations in a string (`${…}`, not the escaped `$${…}`). */
const INTERPOLATION = /(?<!\$)\$\{([^}]*)\}/g;

/** `${local.x}` replaced by the local's value when that is a literal string. */
function expand(value: unknown, locals: Readonly<Record<string, unknown>>): string {
  const text = typeof value === "string" ? value : value === undefined ? "" : String(value);
  if (!text.includes("local.")) return text;
  const literal = (name: string): string | undefined => {
    const v = locals[name];
    return typeof v === "string" && !/(?<!\$)\$\{/.test(v) ? v : undefined;
  };
  const whole = /^<ref:\s*local\.([A-Za-z0-9_-]+)\s*>$/.exec(text);
  if (whole) return literal(whole[1] ?? "") ?? text;
  return text.replace(INTERPOLATION, (m, expr: string) => {
    const local = /^\s*local\.([A-Za-z0-9_-]+)\s*$/.exec(expr);
    return local ? (literal(local[1] ?? "") ?? m) : m;
  });
}

/** A reference to an attribute of a resource or data source of the stack (`aws_s3_bucket.b.arn`, `data.aws_caller_identity.c.account_id`). */
const ATTRIBUTE_REFERENCE = /^(?:data\.)?[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?(?:\.[A-Za-z0-9_-]+|\[[^\]]*\])*$/;
/** References whose value a stack does not define: variables, locals (not literal), modules, iterators, other stacks' outputs. */
const UNKNOWN_ROOT = /^(?:var|local|module|each|count|self|path|terraform|data\.terraform_remote_state)\./;

/**
 * True when `value` is known only at apply time in a way that may widen it: it holds (or is) a
 * variable, a local that is not a literal, a function call, another stack's output, or a value
 * that is not a string. A reference to an attribute of a resource or data source of the stack
 * (an ARN, an account id) names that resource and is not unknown in this sense.
 */
export function isUnknownValue(value: string): boolean {
  if (value.startsWith("<a ")) return true;
  const whole = /^<ref:([\s\S]*)>$/.exec(value);
  if (whole) return !isAttributeReference(whole[1] ?? "");
  if (/%\{/.test(value)) return true;
  for (const m of value.matchAll(INTERPOLATION)) {
    if (!isAttributeReference(m[1] ?? "")) return true;
  }
  return false;
}

function isAttributeReference(expr: string): boolean {
  const e = expr.trim();
  return ATTRIBUTE_REFERENCE.test(e) && !UNKNOWN_ROOT.test(e);
}

/** True for a string holding an interpolation or a decoded reference: an action written so is never a literal name. */
export function hasReference(value: string): boolean {
  return value.startsWith("<") || /(?<!\$)\$\{|%\{/.test(value);
}

/** An action with a wildcard: `*` (any characters) or `?` (one character). */
export function isWildcardAction(action: string): boolean {
  return action.includes("*") || action.includes("?");
}

/** A part of an ARN made of wildcards only (or empty). */
function wildPart(s: string | undefined): boolean {
  return s === undefined || /^[*?]*$/.test(s);
}

/**
 * True for a resource that matches every resource of every service: `*` (or `**`, `*?`), or an ARN
 * whose service and everything after it are wildcards (`arn:*`, `arn:aws:*`, `arn:aws:*:*:*:*`).
 */
export function isStarResource(resource: string): boolean {
  const r = resource.trim();
  if (/^[*?]*\*[*?]*$/.test(r)) return true;
  if (!r.startsWith("arn:")) return false;
  const parts = r.split(":");
  if (parts.length < 3) return /\*$/.test(r);
  // A trailing `*` matches across the colons after it: `arn:aws:*` is every ARN of the partition.
  return parts.slice(2).every(wildPart) && /\*$/.test(r);
}

/**
 * True for an ARN that names no resource of its own: its account and its resource are wildcards
 * (`arn:aws:secretsmanager:*:*:secret:*`, `…:secret:**`, `…:secret:*-??????`, `arn:aws:s3:::*`,
 * `arn:aws:secretsmanager:eu-west-1:*:*`), whatever the region. The resource may keep its type
 * (`secret:`, `role/`, `log-group:`); every other segment must be made of wildcards (and the
 * separators `-`, `_`, `.`). A `*` that ends a segment matches across the colons after it, so
 * `arn:aws:secretsmanager:*` is such an ARN too.
 */
export function isWildcardArn(arn: string): boolean {
  const parts = arn.trim().split(":");
  if (parts.length < 3 || parts[0] !== "arn") return false;
  const [, , service] = parts;
  if (parts.length < 6) {
    // Missing parts: only a trailing `*` covers them.
    return /\*$/.test(arn.trim()) && parts.slice(3).every(wildPart);
  }
  const account = parts[4];
  const resource = parts.slice(5).join(":");
  // An account with any wildcard (`0*`, `1?…`) names many accounts: a handful of such ARNs cover them all.
  if (!wildPart(account) && !/[*?]/.test(account ?? "")) return false;
  if (!/[*?]/.test(resource)) return service !== "s3" && resource === "";
  const segments = resource.split(/[:/]/);
  // S3 ARNs have no resource type: the first segment is the bucket name.
  const typed = service !== "s3" && segments.length > 1 && /^[A-Za-z][A-Za-z0-9-]*$/.test(segments[0] ?? "");
  // A segment that starts with a wildcard (`*a*`, `*-logs`) matches names of any prefix: a few of them
  // cover every name, so it counts as a wildcard; a literal prefix (`prod-*`, `name-??????`) narrows.
  return (typed ? segments.slice(1) : segments).every((s) => /^[*?\-_.]*$/.test(s) || /^[*?]/.test(s));
}

/** A value matching anything (`*`, `arn:aws:*`, `0.0.0.0/0`): it restricts nothing. */
function matchesAnything(value: string): boolean {
  const v = value.trim();
  return v === "" || /^[*?\-_.:/]*$/.test(v) || isStarResource(v) || isWildcardArn(v) || v === "0.0.0.0/0" || v === "::/0";
}

/**
 * Condition keys that restrict which callers a statement with `Principal: "*"` admits: the caller's
 * organization, account or ARN, the network or endpoint the call comes from, or (for service
 * principals acting on your behalf) the source account or resource. AWS's guidance for public
 * resource policies lists these (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
 */
const RESTRICTING_KEYS = new Set([
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalaccount",
  "aws:principalarn",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourceip",
  "aws:vpcsourceip",
  "aws:sourcevpc",
  "aws:sourcevpce",
  "aws:userid",
  "kms:calleraccount",
]);

/** Operators that test a key positively (a negated operator admits everyone else; `…IfExists` and `ForAllValues:` admit a request without the key). */
const RESTRICTING_OPERATORS = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/i;

/**
 * True when `c` restricts the callers of its statement: a key of the caller's account,
 * organization, ARN, network or source, tested positively, with values that are written in the
 * stack (not a variable) and do not match anything (`*`, `0.0.0.0/0`).
 */
export function restrictsCallers(c: IamCondition): boolean {
  if (!RESTRICTING_KEYS.has(c.key) || !RESTRICTING_OPERATORS.test(c.operator)) return false;
  return c.values.length > 0 && c.values.every((v) => !isUnknownValue(v) && !matchesAnything(v));
}

/** Where a policy is attached by ARN: the argument, and the ARNs it holds (a reference to a list stays one string). */
export interface PolicyAttachment {
  readonly path: string;
  readonly where: string;
  readonly arn: unknown;
}

/** Arguments that attach managed policies by ARN: one ARN, or a list of them. */
const ATTACHMENT_ARGUMENTS: ReadonlyArray<readonly [type: string, argument: string, list: boolean]> = [
  ["aws_iam_role_policy_attachment", "policy_arn", false],
  ["aws_iam_user_policy_attachment", "policy_arn", false],
  ["aws_iam_group_policy_attachment", "policy_arn", false],
  ["aws_iam_policy_attachment", "policy_arn", false],
  ["aws_ssoadmin_managed_policy_attachment", "managed_policy_arn", false],
  ["aws_iam_role", "managed_policy_arns", true],
  ["aws_iam_role_policy_attachments_exclusive", "policy_arns", true],
  ["aws_iam_user_policy_attachments_exclusive", "policy_arns", true],
  ["aws_iam_group_policy_attachments_exclusive", "policy_arns", true],
];

/** Every managed policy the stack attaches by ARN. */
export function policyAttachments(stack: SynthesizedStack): PolicyAttachment[] {
  const out: PolicyAttachment[] = [];
  for (const [type, argument, list] of ATTACHMENT_ARGUMENTS) {
    for (const r of stack.resources(type)) {
      const value = r.body[argument];
      if (value === undefined || value === null) continue;
      if (list && Array.isArray(value)) value.forEach((arn) => out.push({ path: r.path, where: `${type}.${argument}`, arn }));
      else out.push({ path: r.path, where: `${type}.${argument}`, arn: value });
    }
  }
  return out;
}

/** What an attached ARN is: an AWS managed policy (by name), a policy of the stack or an account's own, or unknown. */
export type AttachedPolicy =
  | { readonly kind: "aws-managed"; readonly name: string; readonly arn: string }
  | { readonly kind: "named"; readonly arn: string }
  | { readonly kind: "unknown"; readonly holds: string };

/** `arn:<partition>:iam::aws:policy/<path/>Name`, the partition possibly a reference (`${data.aws_partition.p.partition}`). */
const AWS_MANAGED_ARN = /^arn:(?:[a-z-]*|\$\{[^}]*\}|[^:]*):iam::aws:policy\/(?:[^/]*\/)*([^/]+)$/;
/** A reference to a policy of the stack, whose document the IAM rules read where it is defined. */
const STACK_POLICY_REFERENCE = /^\$\{\s*aws_iam_policy\.([A-Za-z0-9_-]+)\.(?:arn|id)\s*\}$/;
/** A reference to an existing policy looked up by a data source. */
const DATA_POLICY_REFERENCE = /^\$\{\s*data\.aws_iam_policy\.([A-Za-z0-9_-]+)\.(?:arn|id)\s*\}$/;

/** Classifies an attached policy ARN, following `${aws_iam_policy.x.arn}`, `${data.aws_iam_policy.x.arn}` and literal locals. */
export function attachedPolicy(stack: SynthesizedStack, value: unknown): AttachedPolicy {
  if (typeof value !== "string") return { kind: "unknown", holds: "a value that is not an ARN" };
  const arn = expand(value.trim(), stack.locals);
  const stackPolicy = STACK_POLICY_REFERENCE.exec(arn);
  if (stackPolicy) {
    return stack.resources("aws_iam_policy").some((r) => r.name === stackPolicy[1]) ? { kind: "named", arn } : { kind: "unknown", holds: `the expression ${arn}` };
  }
  const dataPolicy = DATA_POLICY_REFERENCE.exec(arn);
  if (dataPolicy) {
    const d = stack.dataSources("aws_iam_policy").find((b) => b.name === dataPolicy[1]);
    if (d && typeof d.body.arn === "string" && !hasReference(d.body.arn)) return attachedPolicy(stack, d.body.arn);
    if (d && typeof d.body.name === "string" && !hasReference(d.body.name) && d.body.arn === undefined) {
      // A lookup by name: an AWS managed policy's name reads as one (the account may hold a policy of the same name).
      return { kind: "aws-managed", name: d.body.name, arn };
    }
    return { kind: "unknown", holds: `the policy looked up by ${arn}` };
  }
  const managed = AWS_MANAGED_ARN.exec(arn);
  if (managed) {
    const name = managed[1] ?? "";
    if (hasReference(name)) return { kind: "unknown", holds: `the expression ${arn}` };
    return { kind: "aws-managed", name, arn };
  }
  // A whole reference to anything but a policy of the stack, or a template with a variable, is
  // known only at apply time: it may name AdministratorAccess.
  if (/^\$\{[^}]*\}$/.test(arn) || isUnknownValue(arn)) return { kind: "unknown", holds: `the expression ${arn.length > 60 ? `${arn.slice(0, 57)}…` : arn}` };
  return { kind: "named", arn };
}
