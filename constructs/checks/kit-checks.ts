import { Annotations, TerraformStack } from "cdktf";
import { redactSecrets } from "../../core/redact";
import { Construct, IConstruct, IValidation } from "constructs";
import { z } from "zod";
import { ConstructState, handOverResolved } from "../../core/cdktf-internals";
import { IssueCollector } from "../../core/issues";
import { strictProps } from "../../core/validation";
import { KitRule, KitRuleFinding, KitRuleSeverity } from "./rule";
import { KIT_RULES } from "./rules";
import { SynthesizedStack } from "./synthesized-stack";

/** Options of {@link KitChecks.of}. */
export interface KitChecksOptions {
  /** Severity per rule id, replacing the rule's default (e.g. make a warning fail the build). @default - each rule's own */
  readonly severity?: Readonly<Record<string, KitRuleSeverity>>;
  /**
   * Run only these rules. Meant for testing one rule at a time (cdk-nag's TestPack); in a real
   * stack, acknowledge a violation with a reason instead of leaving a rule out.
   * @default - every rule
   */
  readonly rules?: readonly string[];
}

/** An exception to a rule, declared with {@link KitChecks.acknowledge}. */
export interface KitAcknowledgement {
  /** The rule id, e.g. `KIT-K8S-2`. */
  readonly ruleId: string;
  /** Why the violation is accepted. */
  readonly reason: string;
  /** Construct path of the scope it applies to (with everything below it). */
  readonly scope: string;
}

/** An unacknowledged violation. */
export interface KitViolation {
  readonly ruleId: string;
  readonly severity: KitRuleSeverity;
  /** Construct path of the offending block. */
  readonly path: string;
  readonly message: string;
  /** `KIT-… <path>: <message>`, as synthesis reports it. */
  readonly line: string;
}

/** What one run of the checks found. */
export interface KitChecksReport {
  /** Unacknowledged violations, in rule order. */
  readonly violations: readonly KitViolation[];
  /** Lines of the violations of error severity. */
  readonly errors: readonly string[];
  /** Lines of the violations of warning severity. */
  readonly warnings: readonly string[];
  /** Violations an acknowledgement accepted, with its reason. */
  readonly acknowledged: readonly { readonly ruleId: string; readonly path: string; readonly reason: string; readonly scope: string }[];
}

/** The minimum length of a reason: enough to say why, not just "ok". */
export const MIN_ACKNOWLEDGEMENT_REASON_LENGTH = 10;

/**
 * The construct metadata type of an acknowledgement: {@link KitChecks.acknowledge} adds one entry
 * `{ ruleId, reason }` to the scope's `node.metadata`, as cdk-nag records its suppressions. CDKTF
 * writes only annotations (`@cdktf/info|warn|error`) from node metadata to its output, so the entry
 * shows nowhere but in the stack's `//.kit_checks` record KitChecks writes itself.
 */
export const KIT_CHECKS_ACKNOWLEDGEMENT_METADATA = "cdktf-scalr-kit/kit-checks-acknowledgement";

/** The data of one {@link KIT_CHECKS_ACKNOWLEDGEMENT_METADATA} entry. */
interface AcknowledgementEntry {
  readonly ruleId: string;
  readonly reason: string;
}

/** The KitChecks instance of each stack (not a construct, so not a child in the tree). */
const CHECKS = new ConstructState<TerraformStack, KitChecks>("checks.kit-checks", "the KitChecks of a stack, added by KitChecks.of and returned by its later calls");

/** What options may hold; ids and severities are checked against the rule list by {@link checkOptions}. */
const OPTIONS_SCHEMA = strictProps({
  severity: z.record(z.string(), z.unknown()).optional(),
  rules: z.array(z.unknown()).optional(),
});

/**
 * The kit's security and reliability rules over a stack as Terraform gets it: IMDSv2, encrypted
 * root volumes, no public agents, no ingress, no plaintext token, least-privilege IAM, bounded
 * logs and Lambda concurrency, authenticated API methods, drain-safe Fargate timeouts, Kubernetes
 * agents without metadata access and not running as root (see {@link KIT_RULES}).
 *
 * The checks run as a validation of the stack, after aspects, on `stack.toTerraform()`: they see
 * exactly what `cdktf synth` writes, including escape-hatch overrides and raw L1 resources.
 * Violations of error severity fail synthesis with the rule id and the construct path; warnings
 * are annotations in the manifest. An exception needs a reason: {@link KitChecks.acknowledge}.
 * Acknowledgements are recorded in the stack's `//` metadata (`kit_checks.acknowledged`), which
 * Terraform ignores.
 *
 * @example
 * const stack = new TerraformStack(app, "agents");
 * KitChecks.of(stack);
 * KitChecks.acknowledge(bastionSg, "KIT-NET-2", "bastion accepts SSH from the VPN range only");
 */
export class KitChecks implements IValidation {
  /** Every rule, in id order. */
  public static readonly rules: readonly KitRule[] = KIT_RULES;

  /**
   * The checks of `stack`, added on first use (later calls return the same instance; options given
   * again replace the earlier ones).
   */
  public static of(stack: TerraformStack, options?: KitChecksOptions): KitChecks {
    const isStack = TerraformStack.isStack(stack);
    // Options are reported under `KitChecks` (their subject whenever they are given), a call on
    // something that is not a stack under `KitChecks.of`: one error either way, with every problem.
    const issues = new IssueCollector({ subject: isStack ? "KitChecks" : "KitChecks.of" });
    if (!isStack) issues.add("stack", "must be a TerraformStack", stack);
    const checked = options === undefined || options === null ? undefined : checkOptions(issues, options);
    issues.throwIfAny();
    let checks = CHECKS.get(stack);
    if (!checks) {
      checks = CHECKS.set(stack, new KitChecks(stack, checked ?? {}));
      stack.node.addValidation(checks);
    } else if (checked) {
      checks.options = checked;
    }
    return checks;
  }

  /** True when `stack` has KitChecks. */
  public static isAppliedTo(stack: TerraformStack): boolean {
    return CHECKS.has(stack);
  }

  /**
   * Accepts violations of `ruleId` in `scope` and everything below it (a stack, a construct, one
   * resource). `reason` says why and is required: it is recorded in the synthesized stack.
   */
  public static acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
    const isConstruct = Construct.isConstruct(scope);
    const issues = new IssueCollector({ subject: isConstruct ? `KitChecks.acknowledge(${scope.node.path || "<app>"})` : "KitChecks.acknowledge" });
    if (!isConstruct) issues.add("scope", "must be a construct (an app, a stack, a construct or a resource)", scope);
    const ids = KIT_RULES.map((r) => r.id);
    if (typeof ruleId !== "string" || !ids.includes(ruleId)) {
      issues.add("ruleId", `must be a KitChecks rule id: ${ids.join(", ")}`, ruleId);
    }
    if (typeof reason !== "string" || reason.trim().length < MIN_ACKNOWLEDGEMENT_REASON_LENGTH) {
      const rule = typeof ruleId === "string" ? ruleId : "the rule";
      issues.add("reason", `must say why ${rule} does not apply here (at least ${MIN_ACKNOWLEDGEMENT_REASON_LENGTH} characters): it is recorded in the synthesized stack`, reason, {
        sensitive: false,
      });
    }
    issues.throwIfAny();
    const entry: AcknowledgementEntry = { ruleId, reason: reason.trim() };
    scope.node.addMetadata(KIT_CHECKS_ACKNOWLEDGEMENT_METADATA, entry);
  }

  /** The acknowledgement of `ruleId` that applies to `construct` (its own or an ancestor's), if any. */
  public static acknowledgementFor(construct: IConstruct, ruleId: string): KitAcknowledgement | undefined {
    for (const c of [...construct.node.scopes].reverse()) {
      const reason = acknowledgementsOf(c)?.get(ruleId);
      if (reason !== undefined) return { ruleId, reason, scope: c.node.path };
    }
    return undefined;
  }

  private options: KitChecksOptions;
  private readonly warned = new Set<string>();

  private constructor(
    private readonly stack: TerraformStack,
    options: KitChecksOptions,
  ) {
    this.options = options;
  }

  /** The rules this instance runs. */
  public get activeRules(): KitRule[] {
    const only = this.options.rules;
    return KIT_RULES.filter((r) => only === undefined || only.includes(r.id));
  }

  /** Runs every active rule on the stack as it synthesizes now, without failing. */
  public report(): KitChecksReport {
    return this.run().report;
  }

  /** @internal the stack validation: errors fail synthesis, warnings become annotations. */
  public validate(): string[] {
    const { report, byPath, constructs, json } = this.run();
    for (const v of report.violations) {
      if (v.severity !== "warning" || this.warned.has(v.line)) continue;
      this.warned.add(v.line);
      Annotations.of(byPath.nearest(v.path) ?? this.stack).addWarning(v.line);
    }
    const recorded = this.record(report, constructs);
    if (recorded !== undefined) {
      // What addOverride("//.kit_checks") adds, on the copy the checks resolved.
      const mutable = json as Record<string, unknown>;
      mutable["//"] = { ...(mutable["//"] as Record<string, unknown> | undefined), kit_checks: recorded };
    }
    handOverResolved(this.stack, json);
    return [...report.errors];
  }

  /** One pass: the construct tree is walked once and the stack resolved once. */
  private run(): { report: KitChecksReport; byPath: ConstructsByPath; constructs: readonly IConstruct[]; json: Readonly<Record<string, unknown>> } {
    const constructs = this.stack.node.findAll();
    const view = SynthesizedStack.of(this.stack, constructs);
    const byPath = new ConstructsByPath(constructs);
    const violations: KitViolation[] = [];
    const acknowledged: { ruleId: string; path: string; reason: string; scope: string }[] = [];
    for (const rule of this.activeRules) {
      for (const finding of runRule(rule, view)) {
        const construct = byPath.nearest(finding.path) ?? this.stack;
        const ack = KitChecks.acknowledgementFor(construct, rule.id);
        if (ack) {
          acknowledged.push({ ruleId: rule.id, path: finding.path, reason: ack.reason, scope: ack.scope });
          continue;
        }
        const severity = this.options.severity?.[rule.id] ?? rule.severity;
        // Rules quote attribute values: a secret in a judged attribute is redacted by value.
        const message = redactSecrets(finding.message);
        violations.push({ ruleId: rule.id, severity, path: finding.path, message, line: `${rule.id} ${finding.path}: ${message}` });
      }
    }
    const report = {
      violations,
      errors: violations.filter((v) => v.severity === "error").map((v) => v.line),
      warnings: violations.filter((v) => v.severity === "warning").map((v) => v.line),
      acknowledged,
    };
    return { report, byPath, constructs, json: view.json };
  }

  /** Writes every acknowledgement in the stack, and what it accepted, to the stack's `//` metadata. */
  private record(report: KitChecksReport, constructs: readonly IConstruct[]): { acknowledged: unknown[] } | undefined {
    const declared = new Map<string, { rule: string; scope: string; reason: string; accepted: string[] }>();
    // findAll() starts with the stack itself, which `scopes` ends with.
    const scopes = [...this.stack.node.scopes, ...constructs.slice(1)];
    for (const c of scopes) {
      for (const [rule, reason] of acknowledgementsOf(c) ?? []) {
        declared.set(`${c.node.path}\u0000${rule}`, { rule, scope: c.node.path, reason, accepted: [] });
      }
    }
    if (declared.size === 0) return undefined;
    for (const a of report.acknowledged) declared.get(`${a.scope}\u0000${a.ruleId}`)?.accepted.push(a.path);
    const entries = [...declared.values()]
      .map((d) => ({ ...d, accepted: [...new Set(d.accepted)].sort() }))
      .sort((a, b) => a.scope.localeCompare(b.scope) || a.rule.localeCompare(b.rule));
    this.stack.addOverride("//.kit_checks", { acknowledged: entries });
    return { acknowledged: entries };
  }
}

/** Adds {@link KitChecks} to `stack` (same as `KitChecks.of(stack, options)`). */
export function applyKitChecks(stack: TerraformStack, options?: KitChecksOptions): KitChecks {
  return KitChecks.of(stack, options);
}

/**
 * Collects every problem of `options` into `issues` (unknown keys, rule ids that are not the
 * rules', severities other than "error" and "warning") and returns them when there is none.
 */
function checkOptions(issues: IssueCollector, options: KitChecksOptions): KitChecksOptions | undefined {
  const before = issues.issues.length;
  const parsed = issues.parse(OPTIONS_SCHEMA, options);
  const ids = KIT_RULES.map((r) => r.id);
  issues.rule(["rules"], () => {
    for (const [i, id] of (parsed?.rules ?? []).entries()) {
      if (typeof id !== "string" || !ids.includes(id)) issues.add(`rules[${i}]`, `must be a KitChecks rule id: ${ids.join(", ")}`, id);
    }
  });
  issues.rule(["severity"], () => {
    for (const [id, severity] of Object.entries(parsed?.severity ?? {})) {
      if (!ids.includes(id)) issues.add(`severity[${JSON.stringify(id)}]`, "must name a KitChecks rule id", id);
      else if (severity !== "error" && severity !== "warning") issues.add(`severity.${id}`, 'must be "error" or "warning"', severity);
    }
  });
  return issues.issues.length === before ? options : undefined;
}

/** The acknowledgements declared on `c` itself, by rule id (a later one for the same rule wins). */
function acknowledgementsOf(c: IConstruct): Map<string, string> | undefined {
  let out: Map<string, string> | undefined;
  for (const m of c.node.metadata) {
    if (m.type !== KIT_CHECKS_ACKNOWLEDGEMENT_METADATA) continue;
    const { ruleId, reason } = m.data as AcknowledgementEntry;
    (out ??= new Map()).set(ruleId, reason);
  }
  return out;
}

/** A rule that throws is reported as a violation, never as a crash of the synthesis. */
function runRule(rule: KitRule, view: SynthesizedStack): KitRuleFinding[] {
  try {
    return rule.check(view);
  } catch (e) {
    return [{ path: view.stackPath, message: `the rule could not check this stack (${e instanceof Error ? e.message : String(e)})` }];
  }
}

/**
 * The stack's constructs by path, indexed on the first lookup: only a finding needs one, and a
 * clean stack of thousands of constructs would otherwise render every path for nothing.
 */
class ConstructsByPath {
  private byPath: Map<string, IConstruct> | undefined;

  public constructor(private readonly constructs: readonly IConstruct[]) {}

  /** The construct at `path`, or its nearest existing ancestor. */
  public nearest(path: string): IConstruct | undefined {
    if (!this.byPath) {
      this.byPath = new Map();
      for (const c of this.constructs) this.byPath.set(c.node.path, c);
    }
    for (let p = path; p; p = p.includes("/") ? p.slice(0, p.lastIndexOf("/")) : "") {
      const c = this.byPath.get(p);
      if (c) return c;
    }
    return undefined;
  }
}
