import { SynthesizedStack } from "./synthesized-stack";

/** How a violation is reported: an `error` fails synthesis, a `warning` is an annotation in the manifest. */
export type KitRuleSeverity = "error" | "warning";

/**
 * What a rule is about. Each area is a folder of `constructs/checks/rules/`, and the rules table of
 * docs/kitchecks.md shows it.
 */
export type KitRuleArea = "ec2" | "network" | "secrets" | "iam" | "logs" | "api" | "lambda" | "ecs" | "kubernetes" | "efs";

/** Every area with its title, in the order the rule list groups them. */
export const KIT_RULE_AREAS: Readonly<Record<KitRuleArea, string>> = {
  ec2: "EC2",
  network: "Network",
  secrets: "Secrets",
  iam: "IAM",
  logs: "Logs",
  api: "API",
  lambda: "Lambda",
  ecs: "ECS",
  kubernetes: "Kubernetes",
  efs: "EFS",
};

/** The public document a rule's requirement rests on. */
export interface KitRuleSource {
  /** What the document is, e.g. `AWS: Configure instance metadata options for new instances`. */
  readonly title: string;
  /** Where it is: an https URL (AWS, Kubernetes or Scalr documentation, a file of a Scalr repository at a version). */
  readonly url: string;
}

/** One violation a rule found: the construct path of the offending block and what is wrong. */
export interface KitRuleFinding {
  /** Construct path of the resource, data source or output, e.g. `ecs-agent-service/Agents/Agent/Resource`. */
  readonly path: string;
  /** What is wrong and how to fix it, phrased to follow the path. */
  readonly message: string;
}

/**
 * A KitChecks rule: a pure function over the stack as Terraform gets it (the resolved JSON), in the
 * manner of cdk-nag's rules, with the metadata the rules table of docs/kitchecks.md is generated
 * from (`npm run docs:rules`).
 */
export interface KitRule {
  /** Stable id used in messages, options and acknowledgements, e.g. `KIT-EC2-1`. Never changes. */
  readonly id: string;
  /** Short kebab-case name, e.g. `imdsv2-required`; also the name of the rule's file. */
  readonly name: string;
  /** What the rule is about; also the folder of the rule's file. */
  readonly area: KitRuleArea;
  /** Default severity (KitChecks options may change it). */
  readonly severity: KitRuleSeverity;
  /** What the rule requires. */
  readonly description: string;
  /** What the requirement protects against. */
  readonly rationale: string;
  /**
   * The primary public source of the outside fact the rule encodes (an AWS default or limit, a
   * chart's default, what Scalr agents need). @default - none: the rule is the kit's own policy
   */
  readonly source?: KitRuleSource;
  /** Every violation in `stack`. */
  check(stack: SynthesizedStack): KitRuleFinding[];
}
