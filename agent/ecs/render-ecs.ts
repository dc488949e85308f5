import { ResolvedAgentSettings } from "../settings/agent-settings";
import { NO_PROXY_LOOPBACK } from "../settings/proxy";
import { AGENT_TOKEN_VARIABLE, renderAgentEnvironment } from "../settings/render-env";
import { KitValidationError, ValidationContext, ValidationIssue, describeValue, isToken } from "../../core/validation";

/** A name/value pair of an ECS container definition's `environment`. */
export interface EcsEnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** A name/valueFrom pair of an ECS container definition's `secrets`. */
export interface EcsSecretVariable {
  readonly name: string;
  /** Secrets Manager ARN, optionally with `:<json-key>::`. */
  readonly valueFrom: string;
}

/** The agent's part of an ECS container definition. */
export interface EcsAgentContainerEnvironment {
  /** Plain variables, sorted by name. Never holds the token. */
  readonly environment: readonly EcsEnvironmentVariable[];
  /** The token, as a reference ECS resolves at task start. */
  readonly secrets: readonly EcsSecretVariable[];
}

/**
 * Endpoints that stay direct behind a proxy on ECS: loopback, the task metadata and credentials
 * endpoint 169.254.170.2 that the AWS SDKs call for the task role
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html, "the credential
 * provider … at 169.254.170.2"; https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4-fargate.html),
 * and the EC2 instance metadata service (IPv4 and IPv6) that tasks on the EC2 launch type can reach
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html).
 */
export const ECS_NO_PROXY_DEFAULTS: readonly string[] = [...NO_PROXY_LOOPBACK, "169.254.170.2", "169.254.169.254", "fd00:ec2::254"];

export { FARGATE_MAX_STOP_TIMEOUT_SECONDS } from "../settings/shutdown-limits";

/**
 * Renders settings to an ECS container's `environment` and `secrets`. The token must come from
 * AWS Secrets Manager (`AgentTokenSource.fromAwsSecretsManager`): ECS injects it at task start, so
 * it is never in the task definition.
 */
export function renderEcsContainerEnvironment(settings: ResolvedAgentSettings, ctx: ValidationContext): EcsAgentContainerEnvironment {
  const token = settings.token;
  if (token.kind !== "aws-secrets-manager" || token.secretArn === undefined) {
    const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
    throw new KitValidationError(ctx.subject, [
      {
        field: `${prefix}token`,
        message: "must come from AgentTokenSource.fromAwsSecretsManager(arn) on ECS: the task definition only references the secret",
        received: describeValue(token.kind, "kind"),
      },
    ]);
  }
  const env = renderAgentEnvironment(settings, { noProxy: ECS_NO_PROXY_DEFAULTS });
  const valueFrom = token.jsonKey === undefined ? token.secretArn : `${token.secretArn}:${token.jsonKey}::`;
  return {
    environment: Object.entries(env.variables).map(([name, value]) => ({ name, value })),
    secrets: [{ name: AGENT_TOKEN_VARIABLE, valueFrom }],
  };
}

/** CPU units Fargate offers, with the memory (MiB) each allows: [min, max, step]. */
const FARGATE_SIZES: ReadonlyArray<readonly [cpu: number, min: number, max: number, step: number, extra?: readonly number[]]> = [
  [256, 1024, 2048, 1024, [512]],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

/** Memory sizes (MiB) Fargate offers for `cpu` units, or undefined for a CPU size it does not offer. */
export function fargateMemoryOptions(cpu: number): number[] | undefined {
  const row = FARGATE_SIZES.find(([c]) => c === cpu);
  if (!row) return undefined;
  const [, min, max, step, extra = []] = row;
  const sizes = [...extra];
  for (let m = min; m <= max; m += step) sizes.push(m);
  return sizes;
}

/** Checks a Fargate CPU/memory pair (literal numbers only) and reports what Fargate offers. */
export function checkFargateSize(cpu: number, memoryMiB: number, fields: { cpu: string; memory: string }): ValidationIssue[] {
  if (isToken(cpu) || isToken(memoryMiB)) return [];
  const row = FARGATE_SIZES.find(([c]) => c === cpu);
  const options = fargateMemoryOptions(cpu);
  if (!row || !options) {
    return [{ field: fields.cpu, message: `must be a Fargate CPU size: ${FARGATE_SIZES.map(([c]) => c).join(", ")}`, received: describeValue(cpu) }];
  }
  if (!options.includes(memoryMiB)) {
    const [, min, max, step, extra = []] = row;
    const shown = extra.length > 0 ? options.join(", ") : `${min}–${max} in steps of ${step}`;
    return [{ field: fields.memory, message: `must be a memory size Fargate offers with ${cpu} CPU units (${shown} MiB)`, received: describeValue(memoryMiB) }];
  }
  return [];
}
