// zod/mini: the same validation as zod, tree-shaken to ~20 KB in the Lambda bundle (full zod adds ~240 KB).
import * as z from "zod/mini";

/**
 * Names of the Lambda environment variables the webhook handler reads. The ServerlessAgentPool
 * construct sets exactly these; the handler validates them once, on its first invocation.
 */
export const HANDLER_ENVIRONMENT = {
  /** ECS cluster ARN. */
  clusterArn: "CLUSTER_ARN",
  /** Task definition ARN with its revision (`…:task-definition/family:revision`). */
  taskDefinitionArn: "TASK_DEFINITION_ARN",
  /** Comma-separated subnet IDs (at least one). */
  subnetIds: "SUBNET_IDS",
  /** Comma-separated security group IDs (at least one). */
  securityGroupIds: "SECURITY_GROUP_IDS",
  /** `ENABLED` or `DISABLED`. */
  assignPublicIp: "ASSIGN_PUBLIC_IP",
  /** Optional JSON array of `{capacityProvider, weight?, base?}`; absent or `[]` → launch type `FARGATE`. */
  capacityProviderStrategy: "CAPACITY_PROVIDER_STRATEGY",
  /** Optional `"true"`: retry a FARGATE_SPOT launch that failed for capacity once on on-demand `FARGATE`. */
  fallbackToFargate: "FALLBACK_TO_FARGATE",
  /**
   * Optional JSON array of task types (the delivery's `action`, e.g. `["plan"]`): only these use the
   * capacity provider strategy; any other delivery, or one without an action, runs on on-demand
   * `FARGATE`. Absent or `[]`: every delivery uses the strategy.
   */
  strategyActions: "STRATEGY_ACTIONS",
} as const;

/** One item of an ECS capacity provider strategy. */
export interface CapacityProviderStrategyItem {
  /** `FARGATE`, `FARGATE_SPOT` or a cluster capacity provider name. */
  readonly capacityProvider: string;
  /** Relative share of tasks (0–1000). */
  readonly weight?: number;
  /** Tasks placed on this provider first (0–100000); at most one item may set it above 0. */
  readonly base?: number;
}

/** The handler's validated configuration: what every `RunTask` call is made with. */
export interface HandlerConfig {
  /** ECS cluster ARN. */
  readonly clusterArn: string;
  /** Task definition ARN, revision included. */
  readonly taskDefinitionArn: string;
  /** Subnets of the task's network interface (1–16). */
  readonly subnetIds: readonly string[];
  /** Security groups of the task's network interface (1–5). */
  readonly securityGroupIds: readonly string[];
  /** Whether the task's network interface gets a public IP. */
  readonly assignPublicIp: "ENABLED" | "DISABLED";
  /** Capacity provider strategy; empty means launch type `FARGATE`. */
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[];
  /** Retry a FARGATE_SPOT capacity failure once with launch type `FARGATE`. */
  readonly fallbackToFargate: boolean;
  /** Task types that use the strategy; empty: all of them. */
  readonly strategyActions: readonly string[];
}

/** The Lambda environment is wrong: the construct (or a hand edit) set a variable the handler cannot use. */
export class HandlerConfigError extends Error {
  /** One line per bad variable: `` `SUBNET_IDS` must …, got: … ``. */
  public readonly issues: readonly string[];

  public constructor(issues: readonly string[]) {
    super(`webhook handler configuration is invalid:\n  ${issues.join("\n  ")}`);
    this.name = "HandlerConfigError";
    this.issues = issues;
  }
}

// Partitions aws, aws-cn, aws-us-gov, aws-iso…; the account is 12 digits. Pinning the revision keeps
// the task definition the IAM policy names and the one launched the same.
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}:\d+$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

const commaList = (pattern: RegExp, what: string, max: number) =>
  z.pipe(
    z.string("is required"),
    z.pipe(
      z.transform((s: string) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0)),
      z.array(z.string().check(z.regex(pattern, `must be a comma-separated list of ${what}`))).check(
        z.minLength(1, `must name at least one of ${what}`),
        z.maxLength(max, `must name at most ${max} ${what}`),
        z.refine((xs) => new Set(xs).size === xs.length, "must not repeat an ID"),
      ),
    ),
  );

const strategyItem = z.strictObject(
  {
    capacityProvider: z.string("must be a string").check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, "must be a capacity provider name")),
    weight: z.optional(z.int("must be an integer 0–1000").check(z.gte(0, "must be 0–1000"), z.lte(1000, "must be 0–1000"))),
    base: z.optional(z.int("must be an integer 0–100000").check(z.gte(0, "must be 0–100000"), z.lte(100000, "must be 0–100000"))),
  },
  "must be a JSON array of {capacityProvider, weight?, base?}",
);

/** A JSON array given as text (blank text is `[]`), checked by `array`. */
function jsonArray<T extends z.ZodMiniType>(array: T) {
  return z.pipe(
    z.string(),
    z.pipe(
      z.transform((s: string, ctx) => {
        if (s.trim() === "") return [];
        try {
          return JSON.parse(s) as unknown;
        } catch {
          ctx.issues.push({ code: "custom", message: "must be a JSON array", input: s });
          return z.NEVER;
        }
      }),
      array,
    ),
  );
}

const strategy = jsonArray(
  z.array(strategyItem, "must be a JSON array").check(
    z.maxLength(20, "must hold at most 20 capacity providers"),
    z.refine((xs) => xs.filter((x) => (x.base ?? 0) > 0).length <= 1, "must set `base` on at most one capacity provider"),
    z.refine((xs) => new Set(xs.map((x) => x.capacityProvider)).size === xs.length, "must not repeat a capacity provider"),
  ),
);

/** Task types (the webhook's `action`: `plan`, `apply`, `policy.check`, …), at most 20. */
const actionList = jsonArray(
  z.array(z.string().check(z.regex(/^[a-z][a-z0-9._-]{0,63}$/, "must be task types such as plan")), "must be a JSON array").check(z.maxLength(20, "must hold at most 20 task types")),
);

const configSchema = z.object({
  [HANDLER_ENVIRONMENT.clusterArn]: z.string("is required").check(z.regex(CLUSTER_ARN, "must be an ECS cluster ARN")),
  [HANDLER_ENVIRONMENT.taskDefinitionArn]: z
    .string("is required")
    .check(z.regex(TASK_DEFINITION_ARN, "must be an ECS task definition ARN with its revision (…:task-definition/family:revision)")),
  [HANDLER_ENVIRONMENT.subnetIds]: commaList(SUBNET_ID, "subnet IDs (subnet-…)", 16),
  [HANDLER_ENVIRONMENT.securityGroupIds]: commaList(SECURITY_GROUP_ID, "security group IDs (sg-…)", 5),
  [HANDLER_ENVIRONMENT.assignPublicIp]: z.enum(["ENABLED", "DISABLED"], 'must be "ENABLED" or "DISABLED"'),
  [HANDLER_ENVIRONMENT.capacityProviderStrategy]: z.optional(strategy),
  [HANDLER_ENVIRONMENT.fallbackToFargate]: z.optional(z.enum(["true", "false", ""], 'must be "true" or "false"')),
  [HANDLER_ENVIRONMENT.strategyActions]: z.optional(actionList),
});

/** Renders a received value for an error line: quoted, cut to 120 characters. Config values are not secret. */
function received(value: unknown): string {
  if (value === undefined) return "nothing";
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/**
 * Validates the handler's Lambda environment and returns its configuration.
 *
 * @throws HandlerConfigError naming every bad variable with what it must be and what it held.
 */
export function parseHandlerConfig(env: Readonly<Record<string, string | undefined>>): HandlerConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const seen = new Set<string>();
    const issues: string[] = [];
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      if (seen.has(name)) continue; // one line per variable: the first problem is the one to fix
      seen.add(name);
      const message = issue.code === "invalid_type" && env[name] === undefined ? "is required" : issue.message;
      const where = issue.path.length > 1 ? ` (at ${issue.path.slice(1).join(".")})` : "";
      issues.push(`\`${name}\` ${message}${where}, got: ${received(env[name])}`);
    }
    throw new HandlerConfigError(issues);
  }
  const v = result.data;
  return {
    clusterArn: v[HANDLER_ENVIRONMENT.clusterArn],
    taskDefinitionArn: v[HANDLER_ENVIRONMENT.taskDefinitionArn],
    subnetIds: v[HANDLER_ENVIRONMENT.subnetIds],
    securityGroupIds: v[HANDLER_ENVIRONMENT.securityGroupIds],
    assignPublicIp: v[HANDLER_ENVIRONMENT.assignPublicIp],
    capacityProviderStrategy: v[HANDLER_ENVIRONMENT.capacityProviderStrategy] ?? [],
    fallbackToFargate: v[HANDLER_ENVIRONMENT.fallbackToFargate] === "true",
    strategyActions: v[HANDLER_ENVIRONMENT.strategyActions] ?? [],
  };
}
