import { SynthesizedStack } from "./synthesized-stack";

/** How a violation is reported: an `error` fails synthesis, a `warning` is an annotation in the manifest. */
export type KitRuleSeverity = "error" | "warning";

/** One violation a rule found: the construct path of the offending block and what is wrong. */
export interface KitRuleFinding {
  /** Construct path of the resource, data source or output, e.g. `ecs-agent-service/Agents/Agent/Resource`. */
  readonly path: string;
  /** What is wrong and how to fix it, phrased to follow the path. */
  readonly message: string;
}

/**
 * A KitChecks rule: a pure function over the stack as Terraform gets it (the resolved JSON), in the
 * manner of cdk-nag's rules, with the human text that the README's rule list is built from.
 */
export interface KitRule {
  /** Stable id used in messages and acknowledgements, e.g. `KIT-EC2-1`. */
  readonly id: string;
  /** Short kebab-case name, e.g. `imdsv2-required`. */
  readonly name: string;
  /** Default severity (KitChecks options may change it). */
  readonly severity: KitRuleSeverity;
  /** What the rule requires. */
  readonly description: string;
  /** What the requirement protects against. */
  readonly rationale: string;
  /** Every violation in `stack`. */
  check(stack: SynthesizedStack): KitRuleFinding[];
}
