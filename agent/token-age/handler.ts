/**
 * The token-age Lambda of an agent pool. On each scheduled invocation it writes, for every token of
 * the pool, one log line in CloudWatch's embedded metric format (EMF): the metric `TokenAgeDays`,
 * days (fractional) since the token was created, with the dimensions `Pool` and `Token`. CloudWatch
 * cannot compute "now − createdAt" itself; CloudWatch Logs turns each line into a data point, and an
 * alarm on the active token's series fires once it passes the pool's limit. It calls no AWS API.
 *
 * It knows the tokens' names and creation times only (from its environment), never their values.
 */

/** The environment the Lambda reads. */
export interface TokenAgeConfig {
  /** Value of the `Pool` dimension (the pool's name). */
  readonly pool: string;
  /** CloudWatch namespace of the metric (`ScalrAgents/<pool>`). */
  readonly namespace: string;
  /** Each token's creation time as recorded by the pool (RFC 3339), by token name, in the pool's order. */
  readonly tokens: Readonly<Record<string, string>>;
  /** The token the runtimes use (its line carries `active: true`). */
  readonly activeToken: string;
}

/** Names of the environment variables the Lambda reads. */
export const TOKEN_AGE_ENVIRONMENT = {
  pool: "POOL_NAME",
  namespace: "METRIC_NAMESPACE",
  /** JSON object `{ "<token name>": "<RFC 3339 creation time>" }`. */
  tokens: "TOKEN_CREATED_AT",
  activeToken: "ACTIVE_TOKEN",
} as const;

/** The metric the Lambda emits: days since the token's creation, fractional. */
export const TOKEN_AGE_METRIC = "TokenAgeDays";

/** The dimensions of {@link TOKEN_AGE_METRIC}, one dimension set. */
export const TOKEN_AGE_DIMENSIONS: readonly string[] = ["Pool", "Token"];

const DAY_MS = 86_400_000;

/** Reads the configuration; throws naming every missing variable, or what is wrong with one. */
export function parseTokenAgeConfig(env: Readonly<Record<string, string | undefined>>): TokenAgeConfig {
  const E = TOKEN_AGE_ENVIRONMENT;
  const missing = Object.values(E).filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`token-age Lambda: environment variable(s) ${missing.join(", ")} must be set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(env[E.tokens] as string);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new Error(`token-age Lambda: ${E.tokens} must be a JSON object of token names to creation times (strings)`);
  }
  const tokens = parsed as Record<string, string>;
  const activeToken = env[E.activeToken] as string;
  if (!Object.prototype.hasOwnProperty.call(tokens, activeToken)) {
    throw new Error(`token-age Lambda: ${E.activeToken} ${JSON.stringify(activeToken)} is not one of the tokens of ${E.tokens} (${Object.keys(tokens).join(", ") || "none"})`);
  }
  return { pool: env[E.pool] as string, namespace: env[E.namespace] as string, tokens, activeToken };
}

/**
 * RFC 3339 date-time (https://www.rfc-editor.org/rfc/rfc3339#section-5.6), what Terraform's
 * `plantimestamp()` returns: `2025-03-02T10:15:00Z`, with optional fractional seconds and an offset.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the epoch of an RFC 3339 date-time, or undefined. Stricter than `Date.parse`,
 * which accepts other forms and rolls an impossible date over (`2025-02-30` becomes March 2nd).
 */
export function parseRfc3339(value: string): number | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = m[8] as string;
  if (offset !== "Z" && offset !== "z" && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const t = Date.parse(value.toUpperCase());
  return Number.isFinite(t) ? t : undefined;
}

/** The lines of one invocation, and the tokens whose creation time could not be read. */
export interface TokenAgeRecords {
  /** One line per token, in the pool's order: EMF for a readable creation time, a plain JSON error line otherwise. */
  readonly lines: readonly string[];
  /** Names of the tokens whose creation time is no RFC 3339 date-time. */
  readonly unreadable: readonly string[];
}

/**
 * The lines for the tokens of `config` at `now` (milliseconds since the epoch). Pure: tests call it
 * at fixed clocks.
 */
export function tokenAgeRecords(now: number, config: TokenAgeConfig): TokenAgeRecords {
  const lines: string[] = [];
  const unreadable: string[] = [];
  for (const [token, createdAt] of Object.entries(config.tokens)) {
    const active = token === config.activeToken;
    const created = parseRfc3339(createdAt);
    if (created === undefined) {
      unreadable.push(token);
      lines.push(`${JSON.stringify({ level: "error", message: "scalr agent pool token creation time is not an RFC 3339 date-time", Pool: config.pool, Token: token, active, createdAt })}\n`);
      continue;
    }
    // EMF (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
    // `_aws.Timestamp` in milliseconds since the epoch; one MetricDirective naming the namespace, one
    // dimension set (an array of dimension names) and the metric with a CloudWatch unit ("None": days
    // is no CloudWatch unit); every dimension and metric named there is a member of the root object.
    // Other members (`active`, `createdAt`, `message`) are not extracted and stay searchable in the log.
    const record = {
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [{ Namespace: config.namespace, Dimensions: [[...TOKEN_AGE_DIMENSIONS]], Metrics: [{ Name: TOKEN_AGE_METRIC, Unit: "None" }] }],
      },
      Pool: config.pool,
      Token: token,
      [TOKEN_AGE_METRIC]: (now - created) / DAY_MS,
      active,
      createdAt,
      message: "scalr agent pool token age",
    };
    lines.push(`${JSON.stringify(record)}\n`);
  }
  return { lines, unreadable };
}

/** What a handler instance is built from; the exported `handler` uses the process environment, clock and stdout. */
export interface TokenAgeDependencies {
  /** The Lambda environment (read once, at the first invocation). */
  readonly env: () => Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Writes one log line. */
  readonly write: (line: string) => void;
}

/**
 * Builds the Lambda handler: one line per token, then an error when a creation time was unreadable
 * or a variable is missing, so Lambda's Errors metric shows it. The event (EventBridge's scheduled
 * event) is not read.
 */
export function createTokenAgeHandler(deps: TokenAgeDependencies): (event?: unknown) => Promise<void> {
  let config: TokenAgeConfig | undefined;
  return async () => {
    config ??= parseTokenAgeConfig(deps.env());
    const { lines, unreadable } = tokenAgeRecords(deps.now(), config);
    for (const line of lines) deps.write(line);
    if (unreadable.length > 0) throw new Error(`token-age Lambda: creation time of token(s) ${unreadable.join(", ")} is not an RFC 3339 date-time`);
  };
}

/** The Lambda entry (`index.handler` in the bundle): a scheduled event in, nothing out. */
export const handler = createTokenAgeHandler({ env: () => process.env, now: () => Date.now(), write: (line) => process.stdout.write(line) });
