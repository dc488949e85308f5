/**
 * The options every variable has (internal): shared by `Variable` and the `variables` entries of
 * Environment and Workspace, kept apart so the index does not export the zod shape. The field
 * rules are {@link variableFields}; this module holds their cross-field rules.
 */
import { IConstruct } from "constructs";
import { z } from "zod";
import { ConstructState } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { isToken } from "../../core/validation";
import { SHELL_VARIABLE_KEY, TERRAFORM_VARIABLE_KEY, variableFields } from "./field-rules";

/** Parsed variable options (defaults applied). */
export type ResolvedVariableOptions = z.output<z.ZodObject<typeof variableFields>>;

/**
 * The props object an Environment or Workspace (the key) hands to the Variable it is creating from
 * a `variables` entry it has already parsed and checked: Variable takes it as it is instead of
 * parsing it a second time (at thousands of workspaces the second parse is a measurable share of
 * synth time).
 */
export const checkedVariableProps = new ConstructState<IConstruct, object>(
  "scalr.checked-variable-props",
  "The props of the Variable an Environment or Workspace is creating from a `variables` entry it has already parsed and checked",
);

/**
 * Cross-field rules of a variable (also used for the `variables` entries of Environment and
 * Workspace), each run unless a field it reads is invalid. `prefix` is the entry's field path with
 * a trailing dot (`variables[2].`), or "" for a Variable's own props.
 *
 * Written out with {@link IssueCollector.valid} rather than as {@link IssueCollector.rule} callbacks: a vending machine checks
 * thousands of variables, and a clean collector (the usual case) then builds no field path and
 * no closure. As there, a rule reads its fields only once they are known valid (with garbage
 * props, `p` itself may be missing); the rules only add issues (none throws).
 */
export function checkVariableOptions(issues: IssueCollector, prefix: string, p: Partial<ResolvedVariableOptions>): void {
  if (issues.valid(["key"], prefix) && p.key !== undefined && !isToken(p.key)) {
    // With an invalid category, the key is still checked against the loosest pattern (terraform's):
    // a key that fails it is wrong whatever the category.
    const category = issues.valid(["category"], prefix) ? p.category : "terraform";
    const pattern = category === "terraform" ? TERRAFORM_VARIABLE_KEY : SHELL_VARIABLE_KEY;
    if (!pattern.test(p.key)) {
      const what = category === "terraform" ? "a Terraform variable name (letters, digits, '_' or '-', not starting with a digit)" : "a shell variable name (letters, digits or '_', not starting with a digit)";
      issues.add(`${prefix}key`, `must be ${what}`, p.key, { sensitive: false });
    }
  }
  if (issues.valid(["hcl", "category"], prefix) && p.hcl && p.category !== "terraform") {
    issues.add(`${prefix}hcl`, "applies only to terraform variables (shell and env variables are plain strings)", p.hcl);
  }
  if (issues.valid(["sensitive", "value", "allowPlaintextSensitiveValue"], prefix) && p.sensitive && p.value !== undefined && !isToken(p.value) && p.value !== "" && !p.allowPlaintextSensitiveValue) {
    issues.add(
      `${prefix}value`,
      "must be a Terraform reference when `sensitive` is true (a sensitive variable or a secret store data source), or set `allowPlaintextSensitiveValue`",
      p.value,
      { sensitive: true },
    );
  }
}

