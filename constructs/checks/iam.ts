import { tryDecodeTerraformJson } from "../../agent/settings";
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
 * Every IAM statement of the stack whose document is readable at synth time: JSON policies written
 * with `terraformJson` (references decoded), inline role policies and `aws_iam_policy_document`
 * data sources. A policy that is only a reference (`${data.aws_iam_policy_document.x.json}`) is
 * checked where it is defined.
 */
export function iamStatements(stack: SynthesizedStack): IamStatement[] {
  const out: IamStatement[] = [];
  for (const [type, argument, trust] of POLICY_ARGUMENTS) {
    for (const r of stack.resources(type)) out.push(...fromDocument(r.path, `${type}.${argument}`, r.body[argument], trust));
  }
  for (const r of stack.resources("aws_iam_role")) {
    blocks(r.body.inline_policy).forEach((p, i) => out.push(...fromDocument(r.path, `aws_iam_role.inline_policy[${i}]`, p.policy, false)));
  }
  for (const d of stack.dataSources("aws_iam_policy_document")) {
    blocks(d.body.statement).forEach((s, i) => {
      out.push({
        path: d.path,
        where: `data.aws_iam_policy_document statement[${i}]${s.sid ? ` (${JSON.stringify(s.sid)})` : ""}`,
        effect: s.effect === "Deny" ? "Deny" : "Allow",
        actions: strings(s.actions),
        notActions: strings(s.not_actions),
        resources: strings(s.resources),
        notResources: strings(s.not_resources),
        trust: blocks(s.principals).length > 0 && s.resources === undefined,
      });
    });
  }
  return out;
}

function fromDocument(path: string, where: string, doc: unknown, trust: boolean): IamStatement[] {
  const policy = record(typeof doc === "string" ? tryDecodeTerraformJson(doc) : doc);
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
  }));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
