import * as z from "zod/mini";
import { PolicyError, ScalingPolicy, parsePolicy } from "./policy";

/** Names of the Lambda environment variables the autoscaler reads (the construct increment sets exactly these). */
export const AUTOSCALER_ENVIRONMENT = {
  /** `https://<account>.scalr.io`. */
  scalrUrl: "SCALR_URL",
  /** ARN of the Secrets Manager secret holding the service account's API token. */
  tokenSecretArn: "SCALR_TOKEN_SECRET_ARN",
  /** The agent pool (`apool-…`). */
  poolId: "SCALR_AGENT_POOL_ID",
  /** `asg` (VmAgentFleet) or `ecs` (EcsAgentService). */
  targetKind: "TARGET_KIND",
  /** Auto Scaling group name, or ECS service name. */
  targetName: "TARGET_NAME",
  /** ECS cluster name or ARN (ecs only). */
  ecsCluster: "ECS_CLUSTER",
  /** Runs one agent takes at once (1–50, as AgentSettings `concurrency`). @default 1 */
  concurrency: "AGENT_CONCURRENCY",
  /** The {@link ScalingPolicy} as JSON. */
  policy: "SCALING_POLICY",
  /** `"false"` turns off scale-in protection of busy units. @default true */
  protectBusy: "PROTECT_BUSY_UNITS",
} as const;

/** The autoscaler's validated configuration. */
export interface AutoscalerConfig {
  /** Scalr URL, no trailing slash. */
  readonly scalrUrl: string;
  /** Token secret ARN. */
  readonly tokenSecretArn: string;
  /** Pool ID. */
  readonly poolId: string;
  /** Target: an Auto Scaling group or an ECS service. */
  readonly target: { readonly kind: "asg"; readonly name: string } | { readonly kind: "ecs"; readonly name: string; readonly cluster: string };
  /** Runs per agent. */
  readonly concurrency: number;
  /** Scaling policy. */
  readonly policy: ScalingPolicy;
  /** Whether busy units are protected from scale-in. */
  readonly protectBusy: boolean;
}

/** The environment is wrong; `issues` names every bad variable. */
export class AutoscalerConfigError extends Error {
  /** One line per bad variable. */
  public readonly issues: readonly string[];
  public constructor(issues: readonly string[]) {
    super(`autoscaler configuration is invalid:\n  ${issues.join("\n  ")}`);
    this.name = "AutoscalerConfigError";
    this.issues = issues;
  }
}

const E = AUTOSCALER_ENVIRONMENT;
const schema = z.object({
  [E.scalrUrl]: z.string("is required").check(z.regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/, "must be an https URL without a path, such as https://acme.scalr.io")),
  [E.tokenSecretArn]: z.string("is required").check(z.regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, "must be a Secrets Manager secret ARN")),
  [E.poolId]: z.string("is required").check(z.regex(/^apool-[A-Za-z0-9]+$/, "must be an agent pool ID such as apool-v0o1example")),
  [E.targetKind]: z.enum(["asg", "ecs"], 'must be "asg" or "ecs"'),
  [E.targetName]: z.string("is required").check(z.regex(/^[A-Za-z0-9_.:/-]{1,255}$/, "must be an Auto Scaling group or ECS service name")),
  [E.ecsCluster]: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_:/-]{1,2048}$/, "must be an ECS cluster name or ARN"))),
  [E.concurrency]: z.optional(z.string().check(z.regex(/^([1-9]|[1-4]\d|50)$/, "must be an integer 1–50"))),
  [E.policy]: z.string("is required"),
  [E.protectBusy]: z.optional(z.enum(["true", "false", ""], 'must be "true" or "false"')),
});

/** Validates the Lambda environment. @throws AutoscalerConfigError naming every bad variable. */
export function parseAutoscalerConfig(env: Readonly<Record<string, string | undefined>>): AutoscalerConfig {
  const issues: string[] = [];
  const r = schema.safeParse(env);
  if (!r.success) {
    const seen = new Set<string>();
    for (const i of r.error.issues) {
      const name = String(i.path[0] ?? "environment");
      if (seen.has(name)) continue;
      seen.add(name);
      issues.push(`\`${name}\` ${env[name] === undefined ? "is required" : i.message}`);
    }
  }
  let policy: ScalingPolicy | undefined;
  const rawPolicy = env[E.policy];
  if (rawPolicy !== undefined) {
    try {
      policy = parsePolicy(JSON.parse(rawPolicy));
    } catch (e) {
      issues.push(`\`${E.policy}\` ${e instanceof PolicyError ? e.issues.join("; ") : "must be JSON"}`);
    }
  }
  if (env[E.targetKind] === "ecs" && !env[E.ecsCluster]) issues.push(`\`${E.ecsCluster}\` is required when \`${E.targetKind}\` is "ecs"`);
  if (!r.success || policy === undefined || issues.length > 0) throw new AutoscalerConfigError(issues);
  const v = r.data;
  const name = v[E.targetName];
  return {
    scalrUrl: v[E.scalrUrl].replace(/\/$/, ""),
    tokenSecretArn: v[E.tokenSecretArn],
    poolId: v[E.poolId],
    target: v[E.targetKind] === "asg" ? { kind: "asg", name } : { kind: "ecs", name, cluster: v[E.ecsCluster] as string },
    concurrency: Number(v[E.concurrency] ?? "1"),
    policy,
    protectBusy: v[E.protectBusy] !== "false",
  };
}
