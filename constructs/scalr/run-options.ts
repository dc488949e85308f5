/**
 * Typed run options of a Workspace or an Environment, written as the shell variables Scalr reads:
 *
 * - `terraformRc` → `SCALR_TERRAFORM_RC`, the Terraform CLI configuration of the scope's runs
 *   ("Add the SCALR_TERRAFORM_RC shell variable in a workspace to use a custom .terraformrc file.
 *   The variable's value should be the contents you normally put in the custom .terraformrc file",
 *   https://docs.scalr.io/docs/run-agents, "Custom .terraformrc Files"), rendered in the CLI
 *   configuration's syntax (https://developer.hashicorp.com/terraform/cli/config/config-file);
 * - `oidc` → `SCALR_OIDC_AUD` / `SCALR_OIDC_EXP`, the `aud` and `exp` of the OIDC token Scalr gives
 *   each run phase (`SCALR_OIDC_TOKEN`), overridable "at any level ... for all workspaces within the
 *   scope it is created (workspace, environment, or account)" (https://docs.scalr.io/docs/workspaces-runs,
 *   "OIDC connect", "Payload customization").
 *
 * Each becomes a `Variable` of category `shell` with the construct id a `variables` entry of the
 * same key would get (`Variable-shell-<KEY>`), so moving an untyped variable to the typed option keeps
 * its address; the same inheritance rules apply (`variable-inheritance.ts`).
 */
import { Fn } from "cdktf";
import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { isToken, strictProps } from "../../core/validation";
import { oidcRunOptionsFields, renderedCategory, terraformRcFields } from "./field-rules";
import type { ResolvedVariableOptions } from "./variable-options";

/** A method of the CLI configuration's `provider_installation` block, tried in the order given. */
export interface TerraformRcProviderInstallationMethod {
  /** `network_mirror` (an https mirror), `filesystem_mirror` (a directory in the run) or `direct` (the origin registries). */
  readonly method: "network_mirror" | "filesystem_mirror" | "direct";
  /** The mirror's https base URL (`network_mirror` only, required there). @default - none */
  readonly url?: string;
  /** The mirror directory in the run (`filesystem_mirror` only, required there). @default - none */
  readonly path?: string;
  /** Provider source patterns this method serves (`[hostname/]namespace/type`, `*` wildcards). @default [] - every provider */
  readonly include?: readonly string[];
  /** Provider source patterns this method does not serve. @default [] */
  readonly exclude?: readonly string[];
}

/** A `credentials "<host>"` block: the token is a Terraform reference, never a literal. */
export interface TerraformRcCredentials {
  /** The host the token is for (`registry.example.com`, optionally with `:port`). */
  readonly host: string;
  /**
   * The API token, as a Terraform reference (a sensitive `TerraformVariable`, a secret store data
   * source's attribute, …): it reaches the Scalr variable's value at apply time and the variable is
   * sensitive. A literal string is refused (it would be written into the synthesized configuration).
   */
  readonly token: string;
}

/** The Terraform CLI configuration (`SCALR_TERRAFORM_RC`) of a workspace's or environment's runs. */
export interface TerraformRcOptions {
  /** `provider_installation` methods, in order (none: no `provider_installation` block). @default [] */
  readonly providerInstallation?: readonly TerraformRcProviderInstallationMethod[];
  /** `plugin_cache_dir` in the run; Terraform expands `$HOME` and other environment variables in it. @default - none */
  readonly pluginCacheDir?: string;
  /** `credentials` blocks, one per host, tokens as references. The variable is sensitive when any is set. @default [] */
  readonly credentials?: readonly TerraformRcCredentials[];
  /**
   * A whole CLI configuration instead of `providerInstallation` and `pluginCacheDir` (e.g. a file's
   * contents, `fs.readFileSync("terraformrc", "utf8")`); `credentials` blocks are appended to it.
   * A literal may not hold a `credentials` block (its token would be a literal in the configuration);
   * a Terraform reference (a secret's value) is taken as it is and makes the variable sensitive.
   * @default - rendered from the typed fields
   */
  readonly contents?: string;
  /** Lower scopes cannot redefine `SCALR_TERRAFORM_RC` (the variable is `final`). @default false */
  readonly final?: boolean;
}

/** The `aud` and `exp` of the OIDC token Scalr gives the scope's runs (`SCALR_OIDC_TOKEN`). */
export interface OidcRunOptions {
  /**
   * The token's audience (`SCALR_OIDC_AUD`), e.g. the `bound_audiences` of a Vault JWT role: a
   * plain string, or a URI when it holds `:`.
   * @default - Scalr's default, the account name
   */
  readonly audience?: string;
  /**
   * How long the token is valid, in seconds (`SCALR_OIDC_EXP`). Scalr's default is the workspace's
   * run operation timeout (60 minutes when none is set); a shorter expiry warns at synth time. The
   * unit Scalr reads `SCALR_OIDC_EXP` in is not stated by its documentation: the kit writes whole
   * seconds (unverified: https://docs.scalr.io/docs/workspaces-runs).
   * @default - Scalr's default, the run operation timeout
   */
  readonly expirySeconds?: number;
  /** Lower scopes cannot redefine the variables set here (they are `final`). @default false */
  readonly final?: boolean;
}

/** The schema of `terraformRc`. @internal */
export const terraformRcSchema = strictProps(terraformRcFields);
/** The schema of `oidc`. @internal */
export const oidcRunOptionsSchema = strictProps(oidcRunOptionsFields);
/** `terraformRc` as parsed (defaults applied). */
export type ResolvedTerraformRc = z.output<typeof terraformRcSchema>;
/** `oidc` as parsed (defaults applied). */
export type ResolvedOidcRunOptions = z.output<typeof oidcRunOptionsSchema>;

/** The shell variable Scalr writes the run's CLI configuration from. */
export const TERRAFORM_RC_KEY = "SCALR_TERRAFORM_RC";
/** The shell variable that overrides the run's OIDC token audience. */
export const OIDC_AUDIENCE_KEY = "SCALR_OIDC_AUD";
/** The shell variable that overrides the run's OIDC token expiry. */
export const OIDC_EXPIRY_KEY = "SCALR_OIDC_EXP";

/** Scalr's run operation timeout when a workspace sets none: 60 minutes (https://docs.scalr.io/docs/workspaces-runs, "Payload customization"). */
export const DEFAULT_RUN_TIMEOUT_MINUTES = 60;
/** The longest run operation timeout a workspace accepts (`runTimeoutMinutes`): 7 days. */
const MAX_RUN_TIMEOUT_MINUTES = 10080;

/** A `credentials` or `credentials_helper` block in a CLI configuration's text. */
// Anywhere, any case: a quoted key ("credentials" "host" {…}), JSON syntax and a comment before the
// block are all credentials blocks to Terraform's loader, so a line-start match would miss them.
const CREDENTIALS_BLOCK = /credentials(_helper)?/i;

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The shell variables the typed options set, each with the field that sets it. */
export function runOptionKeys(terraformRc: Partial<ResolvedTerraformRc> | undefined, oidc: Partial<ResolvedOidcRunOptions> | undefined): { readonly key: string; readonly field: string; readonly final: boolean }[] {
  const out: { key: string; field: string; final: boolean }[] = [];
  if (terraformRc !== undefined) out.push({ key: TERRAFORM_RC_KEY, field: "terraformRc", final: terraformRc.final === true });
  if (oidc?.audience !== undefined) out.push({ key: OIDC_AUDIENCE_KEY, field: "oidc.audience", final: oidc.final === true });
  if (oidc?.expirySeconds !== undefined) out.push({ key: OIDC_EXPIRY_KEY, field: "oidc.expirySeconds", final: oidc.final === true });
  return out;
}

/**
 * The cross-field rules of `terraformRc` and `oidc`, and their clash with the scope's own
 * `variables` (a key set twice at one scope), each run unless a field it reads is invalid.
 */
export function checkRunOptions(
  issues: IssueCollector,
  p: { readonly terraformRc?: Partial<ResolvedTerraformRc>; readonly oidc?: Partial<ResolvedOidcRunOptions>; readonly variables?: readonly Partial<ResolvedVariableOptions>[] } | undefined,
): void {
  // Props that are not even an object have been reported by the parse.
  if (p === undefined || p === null || typeof p !== "object") return;
  const rc = isObject(p.terraformRc) ? p.terraformRc : undefined;
  if (rc !== undefined) {
    (Array.isArray(rc.providerInstallation) ? rc.providerInstallation : []).forEach((m, i) => {
      if (!isObject(m)) return;
      const at = `terraformRc.providerInstallation[${i}]`;
      issues.rule([`${at}.method`, `${at}.url`, `${at}.path`], () => {
        if (m.method === "network_mirror" && m.url === undefined) issues.add(`${at}.url`, "is required for a network_mirror (its https base URL)", undefined);
        if (m.method === "filesystem_mirror" && m.path === undefined) issues.add(`${at}.path`, "is required for a filesystem_mirror (the mirror directory in the run)", undefined);
        if (m.method !== "network_mirror" && m.url !== undefined) issues.add(`${at}.url`, `applies only to a network_mirror, not a ${m.method}`, m.url);
        if (m.method !== "filesystem_mirror" && m.path !== undefined) issues.add(`${at}.path`, `applies only to a filesystem_mirror, not a ${m.method}`, m.path);
      });
    });
    issues.rule(["terraformRc.contents", "terraformRc.providerInstallation", "terraformRc.pluginCacheDir", "terraformRc.credentials"], () => {
      const typed = (rc.providerInstallation?.length ?? 0) > 0 || rc.pluginCacheDir !== undefined;
      if (rc.contents !== undefined && typed) {
        issues.add("terraformRc.contents", "cannot be combined with `providerInstallation` or `pluginCacheDir`: give the whole configuration as `contents`, or build it from the typed fields", "a CLI configuration", { sensitive: false });
      }
      if (rc.contents !== undefined && !isToken(rc.contents) && CREDENTIALS_BLOCK.test(rc.contents)) {
        issues.add(
          "terraformRc.contents",
          "must not hold a `credentials` or `credentials_helper` block (or mention one): its token would be a literal in the synthesized configuration. Move each to `credentials` with the token as a Terraform reference (or pass `contents` as a reference to a secret)",
          rc.contents,
          { sensitive: true },
        );
      }
      if (rc.contents === undefined && !typed && (rc.credentials?.length ?? 0) === 0) {
        issues.add("terraformRc", "sets nothing: give `providerInstallation`, `pluginCacheDir`, `credentials` or `contents`", rc, { sensitive: false });
      }
    });
    issues.rule(["terraformRc.credentials"], () => {
      const seen = new Map<string, number>();
      (Array.isArray(rc.credentials) ? rc.credentials : []).forEach((c, i) => {
        if (!isObject(c)) return;
        if (c.token !== undefined && !isToken(c.token)) {
          issues.add(
            `terraformRc.credentials[${i}].token`,
            "must be a Terraform reference (a sensitive TerraformVariable, a secret store data source's attribute, …), not a literal: the token would be written into the synthesized configuration",
            c.token,
            { sensitive: true },
          );
        }
        if (c.host === undefined) return;
        if (typeof c.host !== "string") return;
        const host = c.host.toLowerCase();
        const first = seen.get(host);
        if (first !== undefined) issues.add(`terraformRc.credentials[${i}].host`, `is already the host of terraformRc.credentials[${first}]: one credentials block per host`, c.host, { sensitive: false });
        else seen.set(host, i);
      });
    });
  }
  const oidc = isObject(p.oidc) ? p.oidc : undefined;
  if (oidc !== undefined) {
    issues.rule(["oidc.audience", "oidc.expirySeconds"], () => {
      if (oidc.audience === undefined && oidc.expirySeconds === undefined) issues.add("oidc", "sets nothing: give `audience`, `expirySeconds` or both", oidc, { sensitive: false });
    });
  }
  const typed = runOptionKeys(rc, oidc);
  if (typed.length === 0 || !Array.isArray(p.variables)) return;
  issues.rule(["variables", "terraformRc", "oidc"], () => {
    p.variables!.forEach((v, i) => {
      if (!isObject(v)) return;
      if (v.key === undefined || v.category === undefined || renderedCategory(v.category) !== "shell") return;
      const t = typed.find((x) => x.key === v.key);
      if (t !== undefined) issues.add(`variables[${i}].key`, `is set by \`${t.field}\` at this scope: remove the variable, or drop \`${t.field}\``, v.key, { sensitive: false });
    });
  });
}

/**
 * The variables the typed options set, in the shape the Variable's field rules output (category
 * `shell`; `SCALR_TERRAFORM_RC` sensitive when it holds credentials or is a reference).
 */
export function runOptionVariables(terraformRc: ResolvedTerraformRc | undefined, oidc: ResolvedOidcRunOptions | undefined): ResolvedVariableOptions[] {
  const out: ResolvedVariableOptions[] = [];
  const variable = (key: string, value: string, final: boolean, sensitive: boolean, description: string): ResolvedVariableOptions => ({
    key,
    value,
    category: "shell",
    final,
    sensitive,
    hcl: false,
    description,
    allowPlaintextSensitiveValue: false,
  });
  if (terraformRc !== undefined) {
    const sensitive = terraformRc.credentials.length > 0 || isToken(terraformRc.contents);
    out.push(variable(TERRAFORM_RC_KEY, renderTerraformRc(terraformRc), terraformRc.final, sensitive, "Terraform CLI configuration of the runs (terraformRc)"));
  }
  if (oidc?.audience !== undefined) out.push(variable(OIDC_AUDIENCE_KEY, oidc.audience, oidc.final, false, "Audience of the runs' OIDC token (oidc.audience)"));
  if (oidc?.expirySeconds !== undefined) out.push(variable(OIDC_EXPIRY_KEY, String(oidc.expirySeconds), oidc.final, false, "Expiry of the runs' OIDC token, in seconds (oidc.expirySeconds)"));
  return out;
}

/**
 * A string in the CLI configuration's syntax. Terraform reads the file with HCL 1, whose quoted
 * strings take `\\` and `\"` escapes and `\uXXXX` for any character; a raw `${` opens an
 * interpolation that the HCL 1 scanner balances (an unbalanced one fails the whole file, checked with
 * Terraform 1.11), so `$` is written `\u0024`. Control characters are refused by the field rules.
 * @internal
 */
export function hclString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\$/g, "\\u0024")}"`;
}

/**
 * A token's value as a CLI configuration string, evaluated by Terraform at apply time: the value
 * JSON-encoded (quotes, backslashes and control characters escaped as HCL 1 reads them) with every
 * `$` written `\u0024` (see {@link hclString}).
 */
function hclStringOfReference(reference: string): string {
  // cdktf writes a function's string arguments unescaped: this argument (a backslash escaped, then
  // `u0024`) is the text `\u0024` once Terraform evaluates it, which HCL 1 reads back as `$`.
  return Fn.replace(Fn.jsonencode(reference), "$", "\\\\u0024");
}

function hclList(values: readonly string[]): string {
  return `[${values.map(hclString).join(", ")}]`;
}

/**
 * The CLI configuration text of `rc`: `contents` (or `plugin_cache_dir` and `provider_installation`
 * from the typed fields), then one `credentials` block per entry
 * (https://developer.hashicorp.com/terraform/cli/config/config-file). Credentials tokens stay
 * Terraform references in the text.
 */
export function renderTerraformRc(rc: ResolvedTerraformRc): string {
  const parts: string[] = [];
  if (rc.contents !== undefined) {
    parts.push(isToken(rc.contents) || rc.contents.endsWith("\n") ? rc.contents : `${rc.contents}\n`);
  }
  if (rc.pluginCacheDir !== undefined) parts.push(`plugin_cache_dir = ${hclString(rc.pluginCacheDir)}\n`);
  if (rc.providerInstallation.length > 0) {
    const lines = ["provider_installation {"];
    for (const m of rc.providerInstallation) {
      lines.push(`  ${m.method} {`);
      if (m.url !== undefined) lines.push(`    url = ${hclString(m.url)}`);
      if (m.path !== undefined) lines.push(`    path = ${hclString(m.path)}`);
      if (m.include.length > 0) lines.push(`    include = ${hclList(m.include)}`);
      if (m.exclude.length > 0) lines.push(`    exclude = ${hclList(m.exclude)}`);
      lines.push("  }");
    }
    lines.push("}");
    parts.push(`${lines.join("\n")}\n`);
  }
  for (const c of rc.credentials) {
    parts.push(`credentials ${hclString(c.host)} {\n  token = ${isToken(c.token) ? hclStringOfReference(c.token) : hclString(c.token)}\n}\n`);
  }
  return parts.join("\n");
}

/**
 * Warnings about `oidc.expirySeconds` (unverified consequences, so never errors): a token that
 * expires before the run's operation timeout (Scalr's own default `exp` is that timeout), or that
 * outlives the longest run. `runTimeoutMinutes` is the workspace's; at environment scope it is
 * undefined and Scalr's default timeout is compared.
 * @internal
 */
export function oidcWarnings(oidc: Partial<ResolvedOidcRunOptions> | undefined, runTimeoutMinutes: unknown, scope: "workspace" | "environment"): { readonly field: string; readonly message: string }[] {
  const exp = oidc?.expirySeconds;
  if (typeof exp !== "number" || isToken(exp)) return [];
  const source = "https://docs.scalr.io/docs/workspaces-runs, \"Payload customization\"";
  const timeout = typeof runTimeoutMinutes === "number" && !isToken(runTimeoutMinutes) ? runTimeoutMinutes : undefined;
  const limit = timeout ?? DEFAULT_RUN_TIMEOUT_MINUTES;
  if (exp < limit * 60) {
    const what =
      scope === "workspace"
        ? timeout !== undefined
          ? `the workspace's run operation timeout (\`runTimeoutMinutes: ${timeout}\`, ${timeout * 60} seconds)`
          : `Scalr's default run operation timeout (${DEFAULT_RUN_TIMEOUT_MINUTES} minutes, 3600 seconds; the workspace sets no \`runTimeoutMinutes\`)`
        : `Scalr's default run operation timeout (${DEFAULT_RUN_TIMEOUT_MINUTES} minutes, 3600 seconds), which the environment's workspaces without their own timeout get`;
    return [
      {
        field: "oidc.expirySeconds",
        message: `is ${exp} seconds, shorter than ${what}: a provider that exchanges the token late in a long run gets an expired token. Scalr's default expiry is the run operation timeout (${source}); the unit Scalr reads SCALR_OIDC_EXP in is not documented and the kit writes seconds (unverified)`,
      },
    ];
  }
  if (exp > MAX_RUN_TIMEOUT_MINUTES * 60) {
    return [
      {
        field: "oidc.expirySeconds",
        message: `is ${exp} seconds, longer than the longest run operation timeout (7 days, ${MAX_RUN_TIMEOUT_MINUTES * 60} seconds): the token would stay valid after any run ends (${source}; whether Scalr caps the expiry is not documented, unverified)`,
      },
    ];
  }
  return [];
}
