/**
 * The options every variable has (internal): shared by `Variable` and the `variables` entries of
 * Environment and Workspace, kept apart so the index does not export the zod shape.
 */
import { z } from "zod";
import { fieldError, isToken, nonEmptyString, tokenOr } from "../../core/validation";

const TERRAFORM_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const SHELL_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The zod shape shared by {@link VariableProps} and the `variables` entries of Environment and Workspace. */
export const variableOptionsShape = {
  key: nonEmptyString(128),
  value: tokenOr(z.string().max(65536)).default(""),
  category: z.enum(["terraform", "shell", "env"]).default("terraform"),
  final: z.boolean().default(false),
  sensitive: z.boolean().default(false),
  hcl: z.boolean().default(false),
  description: z.string().max(512).default(""),
  allowPlaintextSensitiveValue: z.boolean().default(false),
};

/** Parsed variable options (defaults applied). */
export type ResolvedVariableOptions = z.output<z.ZodObject<typeof variableOptionsShape>>;

/**
 * Props objects that Environment and Workspace built from `variables` entries they have already
 * parsed and checked: Variable takes them as they are instead of parsing them a second time (at
 * thousands of workspaces the second parse is a measurable share of synth time).
 */
export const checkedVariableProps = new WeakSet<object>();

/** Cross-field rules of a variable (also used for the `variables` entries of Environment and Workspace). */
export function checkVariableOptions(ctx: { subject: string }, prefix: string, p: ResolvedVariableOptions): void {
  const field = (f: string) => `${prefix}${f}`;
  if (!isToken(p.key)) {
    const pattern = p.category === "terraform" ? TERRAFORM_KEY : SHELL_KEY;
    if (!pattern.test(p.key)) {
      const what = p.category === "terraform" ? "a Terraform variable name (letters, digits, '_' or '-', not starting with a digit)" : "a shell variable name (letters, digits or '_', not starting with a digit)";
      throw fieldError(ctx, field("key"), `must be ${what}`, p.key, { sensitive: false });
    }
  }
  if (p.hcl && p.category !== "terraform") {
    throw fieldError(ctx, field("hcl"), "applies only to terraform variables (shell and env variables are plain strings)", p.hcl);
  }
  if (p.sensitive && !isToken(p.value) && p.value !== "" && !p.allowPlaintextSensitiveValue) {
    throw fieldError(
      ctx,
      field("value"),
      "must be a Terraform reference when `sensitive` is true (a sensitive variable or a secret store data source), or set `allowPlaintextSensitiveValue`",
      p.value,
      { sensitive: true },
    );
  }
}
