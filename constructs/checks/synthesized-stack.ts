import { TerraformOutput, TerraformStack } from "cdktf";
import { redactSecrets } from "../../core/redact";
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
      .sort(byKey)
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

  /** The blocks of each type, by `<prefix><type>`, made on first use (every rule asks for some; sorting thousands of names once is enough). */
  private readonly blocksOfType = new Map<string, readonly TerraformBlock[]>();

  private blocks(byType: Record<string, unknown>, prefix: string, types: readonly string[]): TerraformBlock[] {
    // Built-ins copy the blocks (`map`, spreads, `concat`), not loops: a loop over thousands of
    // blocks has V8 compile this whole method on the stack (on-stack replacement).
    const lists: (readonly TerraformBlock[])[] = [];
    for (const type of types.length > 0 ? types : Object.keys(byType).sort()) {
      let ofType = this.blocksOfType.get(`${prefix}${type}`);
      if (!ofType) {
        const stackPath = this.stackPath;
        ofType = Object.entries(record(byType[type]))
          .sort(byKey)
          .map(([name, raw]): TerraformBlock => {
            const body = record(raw);
            const meta = record(record(body["//"]).metadata);
            const address = `${prefix}${type}.${name}`;
            return { type, name, address, path: typeof meta.path === "string" ? meta.path : `${stackPath}/${address}`, body };
          });
        this.blocksOfType.set(`${prefix}${type}`, ofType);
      }
      lists.push(ofType);
    }
    return lists.length === 1 ? [...lists[0]!] : ([] as TerraformBlock[]).concat(...lists);
  }
}

/**
 * Entries in code-point order of their keys: deterministic, and far cheaper than `localeCompare`'s
 * collation over the thousands of blocks of a large stack.
 */
function byKey([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/**
 * What the tri-state readers ({@link boolOf}, {@link numberValueOf}) return for a value that is only
 * known at apply time: a reference, a function call, any template other than one literal. A rule
 * reports such a value as a violation that cannot be confirmed ({@link unconfirmed}), never as a pass.
 */
export const UNKNOWN = "unknown";
/** The type of {@link UNKNOWN}. */
export type Unknown = typeof UNKNOWN;

/** The internal marker of {@link literalOf} (a symbol: a literal string "unknown" stays a string). */
const UNKNOWN_VALUE: unique symbol = Symbol("unknown");

/**
 * `value` with a template that is one literal unwrapped (`"${true}"`, `"${ 1 }"`, `"${\"x\"}"`: in
 * Terraform's JSON syntax a string that is a single interpolation is that value) and escapes
 * resolved (`$${` and `%%{` are a literal `${` and `%{`); a private marker for any other template.
 * Terraform JSON syntax: https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping
 */
function literalOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const unescaped = value.replace(/\$\$\{/g, "").replace(/%%\{/g, "");
  if (!unescaped.includes("${") && !unescaped.includes("%{")) return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
  const single = /^\$\{~?\s*([^{}]*?)\s*~?\}$/s.exec(value);
  if (single) {
    const inner = single[1] ?? "";
    if (inner === "true") return true;
    if (inner === "false") return false;
    if (inner === "null") return undefined;
    if (/^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(inner)) return Number(inner);
    if (/^"([^"\\$%]|\\.)*"$/.test(inner)) {
      try {
        return JSON.parse(inner) as string;
      } catch {
        return UNKNOWN_VALUE;
      }
    }
  }
  return UNKNOWN_VALUE;
}

/** True when `value` is only known at apply time: a string with a reference, a call or a directive that is not one literal. */
export function isUnknown(value: unknown): boolean {
  return literalOf(value) === UNKNOWN_VALUE;
}

/** The literal string `value` is (templates of one literal unwrapped, escapes resolved), or undefined: not a string, or known only at apply. */
export function stringOf(value: unknown): string | undefined {
  const v = literalOf(value);
  return typeof v === "string" ? v : undefined;
}

/**
 * `value` as Terraform or the AWS provider reads a boolean: `true`/`false`; the strings
 * `"true"`/`"false"` (Terraform converts exactly those to bool:
 * https://developer.hashicorp.com/terraform/language/expressions/type-constraints#conversion-of-primitive-types);
 * and the other strings Go's strconv.ParseBool accepts (`"1"`, `"t"`, `"T"`, `"TRUE"`, `"True"`
 * and their false twins), which the provider's string-typed "nullable" booleans read, such as a
 * launch template's `associate_public_ip_address` and `ebs.encrypted`
 * (https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/types/nullable/bool.go,
 * https://pkg.go.dev/strconv#ParseBool). Undefined when unset (absent or null); {@link UNKNOWN}
 * for a value known only at apply time and for anything neither reads as a boolean.
 */
export function boolOf(value: unknown): boolean | Unknown | undefined {
  const v = literalOf(value);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  }
  return UNKNOWN;
}

/**
 * True when Terraform or the provider reads `value` as true ({@link boolOf}): `true`, `"true"`,
 * `"1"`, `"${true}"`, …. A value known only at apply time is not true: where that must not pass,
 * use {@link boolOf} and report {@link UNKNOWN}.
 */
export function isTrue(value: unknown): boolean {
  return boolOf(value) === true;
}

/**
 * `value` as a number: a number, a string Terraform converts to one (a decimal representation,
 * exponents included: https://developer.hashicorp.com/terraform/language/functions/tonumber), or a
 * template of one literal (`"${0}"`). Undefined when unset; {@link UNKNOWN} for a value known only
 * at apply time and for anything that is not a number.
 */
export function numberValueOf(value: unknown): number | Unknown | undefined {
  const v = literalOf(value);
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? v : UNKNOWN;
  if (typeof v === "string" && /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v.trim())) return Number(v.trim());
  return UNKNOWN;
}

/** A number, from a number or a numeric string ({@link numberValueOf}); undefined for references and anything else. */
export function numberOf(value: unknown): number | undefined {
  const n = numberValueOf(value);
  return typeof n === "number" ? n : undefined;
}

/**
 * The `dynamic "<name>"` blocks of a block body (cdktf writes iterators as `dynamic`): each one's
 * `for_each` and `content`. Their number and values are known only at apply time unless `for_each`
 * is a literal list or map.
 */
export function dynamicBlocks(body: Readonly<Record<string, unknown>>, name: string): { forEach: unknown; content: Record<string, unknown> }[] {
  return blocks(record(body.dynamic)[name]).map((d) => ({ forEach: d.for_each, content: record(d.content) }));
}

/** True when a `dynamic` block `for_each` is literally empty (`[]`, `{}`): it makes no block. */
export function isEmptyForEach(forEach: unknown): boolean {
  return (Array.isArray(forEach) && forEach.length === 0) || (forEach !== null && typeof forEach === "object" && !Array.isArray(forEach) && Object.keys(forEach).length === 0);
}

/** `${type.name.attribute}` (whitespace allowed) as its parts, or undefined for anything else. */
export function referenceOf(value: unknown): { readonly type: string; readonly name: string; readonly attribute: string } | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\$\{\s*([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)\.([a-z_][a-z0-9_]*)\s*\}$/.exec(value);
  return m ? { type: m[1] ?? "", name: m[2] ?? "", attribute: m[3] ?? "" } : undefined;
}

/** A value for a message: JSON, shortened past 80 characters. */
export function describeValue(value: unknown): string {
  // Redacted before it is shortened: a cut credential would no longer be recognised.
  const text = value === undefined ? "nothing" : redactSecrets(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * The message of a finding a rule cannot decide because a value is known only at apply time:
 * `<what> cannot be confirmed at synth time (got <value>, known only at apply): …`. Rules report it
 * as a violation (unknown values fail closed) that a user accepts with a reason.
 */
export function unconfirmed(ruleId: string, what: string, value?: unknown): string {
  const got = value === undefined ? "" : ` (got ${describeValue(value)}, known only at apply)`;
  return `${what} cannot be confirmed at synth time${got}: write a literal, or acknowledge ${ruleId} with a reason (KitChecks.acknowledge)`;
}

/** Text to search for references: strings as they are, everything else as JSON. */
export function searchText(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value) ?? "";
}
