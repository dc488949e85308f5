import { TerraformOutput, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { findSecret } from "./secrets";

/** A resource or data source block of the synthesized stack. */
export interface TerraformBlock {
  /** Resource type, e.g. `aws_launch_template`. */
  readonly type: string;
  /** Logical name in the configuration (cdktf's friendly unique id). */
  readonly name: string;
  /** Terraform address, e.g. `aws_launch_template.Fleet_LaunchTemplate_1A2B3C4D` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** Construct path, e.g. `vm-agent/Fleet/LaunchTemplate`. */
  readonly path: string;
  /** The block's arguments as Terraform gets them (snake_case, references as `${…}`). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** An output of the synthesized stack. */
export interface TerraformOutputBlock {
  readonly name: string;
  readonly path: string;
  readonly value: unknown;
  readonly sensitive: boolean;
}

/**
 * The stack exactly as Terraform gets it (`stack.toTerraform()`, every token resolved and every
 * override applied), with the lookups rules need. Rules read this, never the constructs, so they
 * judge what users build on top of the kit's constructs too (escape hatches, raw L1 resources).
 */
export class SynthesizedStack {
  /**
   * Resolves `stack` into a view (call after aspects ran, as a validation does).
   * @param constructs `stack.node.findAll()`, when the caller has it already
   */
  public static of(stack: TerraformStack, constructs: readonly IConstruct[] = stack.node.findAll()): SynthesizedStack {
    const outputPaths = new Map<string, string>();
    for (const c of constructs) {
      if (TerraformOutput.isTerraformOutput(c) && TerraformStack.of(c) === stack) outputPaths.set(c.friendlyUniqueId, c.node.path);
    }
    return new SynthesizedStack(stack.toTerraform() as Record<string, unknown>, outputPaths, stack.node.path);
  }


  /** Names of the stack's `sensitive` variables. */
  public readonly sensitiveVariables: ReadonlySet<string>;
  /** The stack's `locals`. */
  public readonly locals: Readonly<Record<string, unknown>>;

  /**
   * @param json the resolved Terraform JSON of the stack
   * @param outputPaths construct path of each output, by its name
   * @param stackPath construct path of the stack (for blocks without a path)
   */
  public constructor(
    public readonly json: Readonly<Record<string, unknown>>,
    private readonly outputPaths: ReadonlyMap<string, string> = new Map(),
    public readonly stackPath = "stack",
  ) {
    const variables = record(json.variable);
    this.sensitiveVariables = new Set(Object.entries(variables).filter(([, v]) => isTrue(record(v).sensitive)).map(([k]) => k));
    this.locals = record(json.locals);
  }

  /** Every resource of the given types (all resources when none given), in name order. */
  public resources(...types: string[]): TerraformBlock[] {
    return this.blocks(record(this.json.resource), "", types);
  }

  /** Every data source of the given types, in name order. */
  public dataSources(...types: string[]): TerraformBlock[] {
    return this.blocks(record(this.json.data), "data.", types);
  }

  /** Every output. */
  public outputs(): TerraformOutputBlock[] {
    return Object.entries(record(this.json.output))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, o]) => {
        const body = record(o);
        return { name, path: this.outputPaths.get(name) ?? `${this.stackPath}/${name}`, value: body.value, sensitive: isTrue(body.sensitive) };
      });
  }

  /**
   * What secret `value` shows, or undefined: a reference to a secret attribute (a Scalr pool token,
   * a Secrets Manager secret value, a Kubernetes Secret's data, …), a sensitive variable, a local
   * that holds one, or a value wrapped in `sensitive(…)`.
   */
  public findSecret(value: unknown): string | undefined {
    return findSecret(searchText(value), { sensitiveVariables: this.sensitiveVariables, locals: this.locals });
  }

  private blocks(byType: Record<string, unknown>, prefix: string, types: readonly string[]): TerraformBlock[] {
    const out: TerraformBlock[] = [];
    for (const type of types.length > 0 ? types : Object.keys(byType).sort()) {
      for (const [name, raw] of Object.entries(record(byType[type])).sort(([a], [b]) => a.localeCompare(b))) {
        const body = record(raw);
        const meta = record(record(body["//"]).metadata);
        const address = `${prefix}${type}.${name}`;
        out.push({ type, name, address, path: typeof meta.path === "string" ? meta.path : `${this.stackPath}/${address}`, body });
      }
    }
    return out;
  }
}

/** `value` as an object, or `{}`. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** A nested block as a list: Terraform JSON writes single blocks as objects and repeated ones as arrays. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.map(record);
  return value === undefined || value === null ? [] : [record(value)];
}

/** True for `true` and `"true"` (the AWS provider types some flags as strings). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** A number, from a number or a numeric string; undefined for references and anything else. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** Text to search for references: strings as they are, everything else as JSON. */
export function searchText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}
