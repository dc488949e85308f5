import { Annotations } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { isToken, strictProps } from "../../core/validation";
import { Variable as ScalrVariable } from "../../providers/scalr/generated/providers/scalr/variable";
import { referenceFrom } from "./cross-stack-reference";
import { renderedCategory, variableFields } from "./field-rules";
import type { IEnvironment, IWorkspace } from "./interfaces";
import { isKind, ref } from "./references";
import { isWarned } from "./reported-warnings";
import { ensureSensitiveOutputCheck, registerLiteralSecret } from "./sensitive-outputs";
import { VariablePlacement, registerVariable } from "./variable-inheritance";
import { checkVariableOptions, checkedVariableProps } from "./variable-options";

/**
 * What a variable becomes in a run: a Terraform input variable (`terraform`) or a shell variable
 * exported to the run environment (`shell`). `env` is the deprecated old name of `shell`: it is
 * rendered as `shell`, shares `shell`'s keys in the inheritance rules, and warns at synth time.
 */
export type VariableCategory = "terraform" | "shell" | "env";

/** What every variable has, whatever its scope (also the entries of `variables` on Environment and Workspace). */
export interface VariableOptions {
  /** The key: a Terraform variable name (`terraform`), or a shell variable name (`shell`). */
  readonly key: string;
  /**
   * The value: a literal, or a Terraform reference. A sensitive value must be a reference unless
   * `allowPlaintextSensitiveValue` is set.
   * @default ""
   */
  readonly value?: string;
  /** `terraform` or `shell` (`env` is accepted as the deprecated spelling of `shell`, with a warning). @default "terraform" */
  readonly category?: VariableCategory;
  /** Lower scopes cannot redefine the key; the kit checks this at synth time. @default false */
  readonly final?: boolean;
  /** Scalr hides the value after it is set, and the kit keeps it out of non-sensitive outputs. @default false */
  readonly sensitive?: boolean;
  /** The value is HCL (a list, a map, …); `terraform` variables only. @default false */
  readonly hcl?: boolean;
  /** @default "" */
  readonly description?: string;
  /**
   * Accept a literal string as the value of a sensitive variable. The secret is then written into
   * the synthesized configuration (and wherever it is kept): prefer a reference.
   * @default false
   */
  readonly allowPlaintextSensitiveValue?: boolean;
}

/** Props of {@link Variable}. */
export interface VariableProps extends VariableOptions {
  /** The environment that owns the variable. @default - account scope, unless `workspace` is set */
  readonly environment?: IEnvironment | string;
  /** The workspace that owns the variable. @default - account scope, unless `environment` is set */
  readonly workspace?: IWorkspace | string;
}

const propsSchema = strictProps({
  ...variableFields,
  environment: ref.environment().optional(),
  workspace: ref.workspace().optional(),
}) satisfies z.ZodType<VariableProps>;

/**
 * A Scalr variable at account, environment or workspace scope: a Terraform, shell or env variable,
 * optionally `final`, `sensitive` or HCL.
 *
 * At synth time the kit enforces Scalr's inheritance: a key marked `final` at a higher scope cannot
 * be redefined below it (the error names both construct paths), and one key is defined once per scope.
 *
 * @example
 * new Variable(this, "Region", { key: "region", value: "eu-west-1", final: true });
 * new Variable(this, "DbPassword", { key: "db_password", value: secret.stringValue, sensitive: true, workspace: ws });
 */
export class Variable extends Construct {
  /** The `scalr_variable` resource (escape hatch). */
  public readonly resource: ScalrVariable;
  private id?: string;
  /** The key. */
  public readonly key: string;
  /** The category as given (`env` stays `env` here; Scalr gets `shell`). */
  public readonly category: VariableCategory;
  /** Whether lower scopes are barred from redefining the key. */
  public readonly final: boolean;
  /** Whether the value is sensitive. */
  public readonly sensitive: boolean;

  public constructor(scope: Construct, id: string, props: VariableProps) {
    super(scope, id);
    // Props an Environment or Workspace built from an entry it has already checked are taken as they are.
    const trusted = props !== undefined && checkedVariableProps.get(scope) === props;
    const p = trusted ? (props as z.output<typeof propsSchema>) : checkProps(this, props);
    // The Environment or Workspace that hands checked props, this variable's parent, has added the
    // check to their stack already.
    if (!trusted) ensureSensitiveOutputCheck(this);

    const ws = p.workspace;
    const env = p.environment;
    const wsConstruct = isKind(ws, "workspace") ? (ws as IWorkspace) : undefined;
    const envConstruct = isKind(env, "environment") ? (env as IEnvironment) : undefined;
    const placement: VariablePlacement =
      ws !== undefined
        ? { level: "workspace", workspaceKey: wsConstruct ? wsConstruct.node.path : literalKey(ws), environmentKey: wsConstruct?.environmentKey }
        : env !== undefined
          ? { level: "environment", environmentKey: envConstruct ? envConstruct.node.path : literalKey(env) }
          : { level: "account" };
    registerVariable(this, placement, p);
    if (p.sensitive && !isToken(p.value)) registerLiteralSecret(this, p.value);
    if (p.category === "env" && !isWarned(props)) Annotations.of(this).addWarning(`${this.node.path}: \`category\` ${ENV_CATEGORY_DEPRECATED}`);

    this.key = p.key;
    this.category = p.category;
    this.final = p.final;
    this.sensitive = p.sensitive;
    this.resource = new ScalrVariable(this, "Resource", {
      // Literal text stays literal: Terraform would evaluate `${…}` and `%{…}` in it (core/terraform-literal.ts).
      key: terraformLiteral(p.key),
      value: terraformLiteral(p.value),
      category: renderedCategory(p.category),
      final: p.final,
      sensitive: p.sensitive,
      hcl: p.hcl,
      description: terraformLiteral(p.description),
      workspaceId: wsConstruct ? referenceFrom(this, wsConstruct, wsConstruct.workspaceId) : (ws as string | undefined),
      environmentId: envConstruct ? referenceFrom(this, envConstruct, envConstruct.environmentId) : (env as string | undefined),
    });
  }

  /**
   * The variable ID (`var-…`): one reference, made on first read (each reference costs a stack
   * trace in cdktf, and most variables are never referenced).
   */
  public get variableId(): string {
    return (this.id ??= this.resource.id);
  }

}

/** Parses and checks a Variable's props, reporting every problem at once. */
function checkProps(variable: Variable, props: VariableProps): z.output<typeof propsSchema> {
  const issues = new IssueCollector({ subject: variable.node.path });
  const p = issues.parse(propsSchema, props);
  issues.rule(["environment", "workspace"], () => {
    if (p.environment !== undefined && p.workspace !== undefined) {
      issues.add("workspace", "cannot be combined with `environment`: a variable has one scope (a workspace's environment is implied)", p.workspace);
    }
  });
  checkVariableOptions(issues, "", p);
  issues.throwIfAny();
  return p;
}

/** The deprecation warning of `category: "env"` (after the field's name). @internal */
export const ENV_CATEGORY_DEPRECATED =
    `"env" is deprecated: Scalr's categories are "terraform" and "shell", and "env" is the old name of "shell" ` +
    '(the kit renders "shell" and treats both as one key space). Write `category: "shell"`; in `variables` of an Environment, a Workspace or a spec ' +
    "the construct id changes from Variable-env-<key> to Variable-shell-<key>: move its state (`terraform state mv`) or let the variable be re-created " +
    "(https://github.com/Scalr/terraform-provider-scalr/blob/e29c00ca/CHANGELOG.md)";

function literalKey(id: unknown): string | undefined {
  return typeof id === "string" && !isToken(id) ? `id:${id}` : undefined;
}
