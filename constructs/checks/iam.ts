import { tryDecodeTerraformJson } from "../../core/terraform-json";
import { SynthesizedStack, blocks, record } from "./synthesized-stack";

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
  /** The statement admits any principal: `Principal: "*"`, `{AWS: "*"}` (or an `AWS`/`*` principals block with `*`). */
  readonly anyPrincipal: boolean;
  /** Condition keys the statement tests, lower case (`ecs:cluster`). */
  readonly conditionKeys: readonly string[];
}

/** A policy argument whose document cannot be read at synth time, so no rule can judge it. */
export interface UnreadablePolicy {
  /** Construct path of the resource holding the policy. */
  readonly path: string;
  /** The argument: `aws_iam_role_policy.policy`. */
  readonly where: string;
  /** What the argument holds instead of JSON, e.g. `Fn.jsonencode(…)`. */
  readonly holds: string;
}

/** Policy arguments, per resource type, that hold a JSON policy document. */
const POLICY_ARGUMENTS: ReadonlyArray<readonly [type: string, argument: string, trust: boolean]> = [
  ["aws_iam_policy", "policy", false],
  ["aws_iam_role_policy", "policy", false],
  ["aws_iam_user_policy", "policy", false],
  ["aws_iam_group_policy", "policy", false],
  ["aws_iam_role", "assume_role_policy", true],
];

/**
 * A policy that is only a reference to a document the rules read where it is defined: an
 * `aws_iam_policy_document` data source's JSON or another policy resource's `policy`.
 */
const CHECKED_ELSEWHERE = /^\$\{(data\.aws_iam_policy_document\.[A-Za-z0-9_-]+\.(json|minified_json)|aws_iam_policy\.[A-Za-z0-9_-]+\.policy)\}$/;

/**
 * Every IAM statement of the stack whose document is readable at synth time: JSON policies written
 * with `terraformJson` (references decoded), inline role policies and `aws_iam_policy_document`
 * data sources. A policy that is only a reference (`${data.aws_iam_policy_document.x.json}`) is
 * checked where it is defined; any other unreadable one is in {@link unreadablePolicies}.
 */
export function iamStatements(stack: SynthesizedStack): IamStatement[] {
  const out: IamStatement[] = [];
  for (const doc of policyDocuments(stack)) out.push(...fromDocument(doc.path, doc.where, doc.policy, doc.trust));
  for (const d of stack.dataSources("aws_iam_policy_document")) {
    blocks(d.body.statement).forEach((s, i) => {
      const principals = blocks(s.principals);
      out.push({
        path: d.path,
        where: `data.aws_iam_policy_document statement[${i}]${s.sid ? ` (${JSON.stringify(s.sid)})` : ""}`,
        effect: s.effect === "Deny" ? "Deny" : "Allow",
        actions: strings(s.actions),
        notActions: strings(s.not_actions),
        resources: strings(s.resources),
        notResources: strings(s.not_resources),
        trust: principals.length > 0 && s.resources === undefined,
        anyPrincipal: principals.some((p) => (p.type === "AWS" || p.type === "*") && strings(p.identifiers).includes("*")),
        conditionKeys: blocks(s.condition).flatMap((c) => strings(c.variable).map((k) => k.toLowerCase())),
      });
    });
  }
  return out;
}

/**
 * Policy arguments that hold neither JSON (written with `terraformJson` or `JSON.stringify`) nor a
 * reference to a document checked elsewhere: `Fn.jsonencode({...})` (HCL, not JSON, once
 * synthesized), `file(…)`, `templatefile(…)`, a variable. Their statements cannot be read, so the
 * IAM rules cannot confirm them and report them instead of passing them.
 */
export function unreadablePolicies(stack: SynthesizedStack): UnreadablePolicy[] {
  const out: UnreadablePolicy[] = [];
  for (const doc of policyDocuments(stack)) {
    const holds = unreadable(doc.policy);
    if (holds !== undefined) out.push({ path: doc.path, where: doc.where, holds });
  }
  return out;
}

/**
 * The finding a rule reports for an unreadable policy: `what` is what the rule could not confirm
 * (`named actions`, `named resources`).
 */
export function unreadablePolicyMessage(p: UnreadablePolicy, ruleId: string, what: string): string {
  return `${p.where} holds ${p.holds}, which cannot be read at synth time, so ${what} cannot be confirmed: write the document with terraformJson(…) or JSON.stringify(…) (or an aws_iam_policy_document), or acknowledge ${ruleId}`;
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
    blocks(r.body.inline_policy).forEach((p, i) => {
      if (p.policy !== undefined) out.push({ path: r.path, where: `aws_iam_role.inline_policy[${i}]`, policy: p.policy, trust: false });
    });
  }
  return out;
}

function decode(doc: unknown): unknown {
  return typeof doc === "string" ? tryDecodeTerraformJson(doc) : doc;
}

/** What an unreadable policy holds, or undefined when it is readable (or checked elsewhere). */
function unreadable(doc: unknown): string | undefined {
  if (typeof doc === "string" && CHECKED_ELSEWHERE.test(doc.trim())) return undefined;
  const policy = decode(doc);
  const readable =
    policy !== null &&
    typeof policy === "object" &&
    !Array.isArray(policy) &&
    (() => {
      const statement = (policy as Record<string, unknown>).Statement;
      const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
      return list.every((s) => s !== null && typeof s === "object" && !Array.isArray(s));
    })();
  if (readable) return undefined;
  if (typeof doc !== "string") return "a value that is not a policy document";
  const text = doc.trim();
  if (text.startsWith("${jsonencode(")) return "Fn.jsonencode(…) (HCL once synthesized)";
  if (/^\$\{[^}]*\}$/.test(text)) return `the expression ${text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
  return "text that is not a JSON policy document";
}

function fromDocument(path: string, where: string, doc: unknown, trust: boolean): IamStatement[] {
  const policy = record(decode(doc));
  const statements = Array.isArray(policy.Statement) ? policy.Statement : policy.Statement === undefined ? [] : [policy.Statement];
  return statements.map(record).map((s, i) => ({
    path,
    where: `${where} Statement[${i}]${typeof s.Sid === "string" && s.Sid ? ` (${JSON.stringify(s.Sid)})` : ""}`,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    trust,
    anyPrincipal: s.Principal === "*" || strings(record(s.Principal).AWS).includes("*"),
    conditionKeys: Object.values(record(s.Condition)).flatMap((test) => Object.keys(record(test)).map((k) => k.toLowerCase())),
  }));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/**
 * True for an ARN whose region, account and resource are all wildcards
 * (`arn:aws:secretsmanager:*:*:secret:*`, `arn:aws:s3:::*`): it names no resource of its own.
 * The resource may keep its type (`secret:`, `role/`, `log-group:`); every other part must be `*`.
 */
export function isWildcardArn(arn: string): boolean {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return false;
  const [, , service, region, account] = parts;
  const resource = parts.slice(5).join(":");
  const wild = (s: string | undefined) => s === "" || s === "*";
  if (!wild(region) || !wild(account)) return false;
  const segments = resource.split(/[:/]/);
  // S3 ARNs have no resource type: the first segment is the bucket name.
  const typed = service !== "s3" && segments.length > 1 && /^[A-Za-z][A-Za-z0-9-]*$/.test(segments[0] ?? "");
  return (typed ? segments.slice(1) : segments).every((s) => s === "*");
}
