/**
 * Redaction of secrets in messages, by value: whatever a field is called, text that looks like a
 * credential (or sits in a URL's userinfo) never reaches an error message. Name-based hiding (a field
 * called `token`, `password`, …) lives in `validation.ts`; this module recognizes the values.
 *
 * Each form below cites where its shape is documented. A match is replaced with
 * `<redacted: looks like …>`, so a message still says what kind of value was there.
 */

/** One recognizable credential form. */
interface SecretForm {
  /** What it looks like, following "looks like": `an AWS access key id`. */
  readonly what: string;
  /** Global pattern; the whole match is replaced unless {@link SecretForm.keep} says otherwise. */
  readonly pattern: RegExp;
  /** Rebuilds the match around the redaction (keeps a prefix such as `sig=` or `https://`). */
  readonly keep?: (match: string, ...groups: string[]) => string;
  /** Extra check on a candidate match (for shapes too generic for a regex alone). */
  readonly accept?: (match: string) => boolean;
}

const mark = (what: string) => `<redacted: looks like ${what}>`;

/**
 * Last field names whose values are credentials, beyond the kit's own names (`token`,
 * `password`, …): cloud SDKs' and tools' names for secrets, compared without case, `_` or `-`
 * (`AWS_SECRET_ACCESS_KEY`, `awsSecretAccessKey`, `client-secret` all match). Names that *refer* to
 * a secret (`secretArn`, `secretName`, `tokenExistingSecret`'s `name`) are left out by
 * {@link REFERENCE_SUFFIX}.
 */
const SECRET_WORDS =
  /secret|passphrase|passwd|accesskey|accountkey|sharedkey|signingkey|sessionkey|privatekey|saskey|sastoken|connectionstring|cookie|authorization|bearer|credentials?$|^sig$|^signature$|^auth$/;
/** Suffixes of names that refer to a secret without holding it (an ARN, a name, an id, a path, …). */
const REFERENCE_SUFFIX = /(arn|arns|name|names|id|ids|ref|path|file|kind|type|mode|source|version|versionid|kmskeyarn|kmskeyid|keyname)$/;

/** True when a field's (last) name says it holds a credential, whatever the spelling (`aws_secret_access_key`). */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (n === "") return false;
  // `auth` alone is a mode in the Scalr provider configurations ("oidc", "client-secret"): not a secret.
  if (n === "auth") return false;
  return SECRET_WORDS.test(n) && !REFERENCE_SUFFIX.test(n);
}

const B64 = "A-Za-z0-9+/";

const FORMS: readonly SecretForm[] = [
  {
    // PEM-encoded private keys (RFC 7468 §10 `PRIVATE KEY`, §11 `ENCRYPTED PRIVATE KEY`; the legacy
    // `RSA`/`EC`/`DSA` and OpenSSH `OPENSSH PRIVATE KEY` labels): https://www.rfc-editor.org/rfc/rfc7468
    // GCP service-account keys hold one in `private_key`
    // (https://cloud.google.com/iam/docs/keys-create-delete#creating). Up to the END line, or to the
    // end of the text when it was cut off.
    what: "a PEM private key",
    pattern: /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?(?:-----END \1-----|$)/g,
  },
  {
    // A whole GCP service-account key file: a JSON object with `private_key` / `private_key_id`
    // (https://cloud.google.com/iam/docs/keys-create-delete#creating shows the JSON key file), also
    // when it was itself JSON-encoded (`\"private_key\"`).
    what: "a GCP service-account key",
    pattern: /\{(?:[^{}]|\{[^{}]*\})*?\\?"private_key(?:_id)?\\?"(?:[^{}]|\{[^{}]*\})*\}/g,
  },
  {
    // The same fields in a key file cut short (a truncated value): whatever they hold goes.
    what: "a GCP service-account private key",
    pattern: /(\\?"private_key(?:_id)?\\?"\s*:\s*\\?")[\s\S]*?(?=\\?"|$)/g,
    keep: (_m, prefix) => `${prefix}${mark("a GCP service-account private key")}`,
  },
  {
    // URL userinfo (RFC 3986 §3.2.1: `user:password@host`, "deprecated" because it leaks
    // passwords): https://www.rfc-editor.org/rfc/rfc3986#section-3.2.1. Scheme and host stay.
    what: "URL credentials",
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'`<>]+)@/gi,
    keep: (_m, scheme) => `${scheme}***@`,
  },
  {
    // The same without a scheme (`user:pass@proxy:3128`, as proxy settings are often written). Not
    // an image reference's `name:tag@sha256:…` (after a `/`, or before a digest algorithm).
    what: "URL credentials",
    pattern: /(?<![\w.~%+/-])([\w.~%!$&'()*+,;=-]+):([^\s@/"'`<>]+)@(?!sha(?:256|384|512):)(?=[A-Za-z0-9.-]+(?::\d+)?(?:[/\s"'`,;)]|$))/g,
    keep: () => "***@",
  },
  {
    // Azure Storage SAS tokens: the `sig` query parameter is the signature
    // (https://learn.microsoft.com/en-us/rest/api/storageservices/create-service-sas#specify-the-signature).
    what: "an Azure SAS signature",
    pattern: /([?&;]sig=)[^&\s"'`<>]+/gi,
    keep: (_m, prefix) => `${prefix}${mark("an Azure SAS signature")}`,
  },
  {
    // Azure Storage / Service Bus connection strings: `AccountKey=…`, `SharedAccessKey=…`,
    // `SharedAccessSignature=…` (https://learn.microsoft.com/en-us/azure/storage/common/storage-configure-connection-string).
    what: "an Azure connection-string key",
    pattern: /\b(AccountKey|SharedAccessKey|SharedAccessSignature)=[^;\s"'`<>]+/gi,
    keep: (_m, name) => `${name}=${mark("an Azure connection-string key")}`,
  },
  {
    // HTTP credentials: `Bearer <token>` (RFC 6750 §2.1) and `Basic <base64(user:pass)>` (RFC 7617 §2).
    what: "an HTTP authorization credential",
    pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g,
    keep: (_m, scheme) => `${scheme} ${mark("an HTTP authorization credential")}`,
  },
  {
    // `NAME=value` where NAME names a secret (environment files, `--build-arg`, connection strings):
    // the value goes, the name stays.
    what: "a secret assignment",
    pattern: /\b([A-Za-z0-9_]*(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)[A-Za-z0-9_]*)=([^\s"'`&;,<>]+)/gi,
    keep: (_m, name) => `${name}=${mark("a secret")}`,
    accept: (m) => !m.includes("<redacted"),
  },
  {
    // JSON Web Tokens (RFC 7519 §3: base64url header `{"…` = `eyJ`, payload, signature, dot-separated):
    // https://www.rfc-editor.org/rfc/rfc7519#section-3. Scalr's API and agent pool tokens are such
    // tokens: the agent reads the account's domain from the token payload
    // (https://docs.scalr.io/docs/configuration, SCALR_URL). A lone `eyJ…` run is base64 JSON too
    // (a token header, a Docker `config.json`): it goes as well.
    what: "a JWT (the form of Scalr API and agent tokens)",
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_\-+/=]*){0,2}/g,
  },
  {
    // GitHub tokens: `ghp_` (personal, classic), `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`
    // (fine-grained): https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/about-authentication-to-github#githubs-token-formats
    what: "a GitHub token",
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})\b/g,
  },
  {
    // AWS access key ids: 20 characters, `AKIA` (long-term) or `ASIA` (temporary, STS)
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
    what: "an AWS access key id",
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  },
  {
    // Google API keys: `AIza` and 35 more characters (https://cloud.google.com/docs/authentication/api-keys).
    what: "a Google API key",
    pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g,
  },
  {
    // Microsoft Entra ID (Azure AD) client secrets: three characters, a digit, `Q~`, then 31–34
    // (https://learn.microsoft.com/en-us/purview/sit-defn-azure-ad-client-secret).
    what: "an Azure client secret",
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },
  {
    // Azure Storage account keys: 512 bits in base64, 86 characters and `==`
    // (https://learn.microsoft.com/en-us/purview/sit-defn-azure-storage-account-key).
    what: "an Azure storage account key",
    pattern: new RegExp(`(?<![${B64}])[${B64}]{86}==(?![${B64}=])`, "g"),
  },
  {
    // AWS secret access keys: 40 base64 characters, e.g. `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html). Only runs of
    // mixed case with a digit and at most three `/` count: a 40-digit hex string is a git commit and
    // `/locations/global/workloadIdentityPools/` a path, not a key.
    what: "an AWS secret access key",
    pattern: new RegExp(`(?<![${B64}=])[${B64}]{40}(?![${B64}=])`, "g"),
    accept: (m) => /[A-Z]/.test(m) && /[a-z]/.test(m) && /[0-9]/.test(m) && (m.match(/\//g)?.length ?? 0) <= 3 && !/^[0-9a-fA-F]+$/.test(m),
  },
];

/**
 * Values that came from fields holding secrets, remembered (bounded) when a message hid them, so
 * the same text is hidden wherever else it turns up (a cross-field message quoting it, a name).
 */
const REMEMBERED: string[] = [];
const REMEMBER_MAX = 256;
const REMEMBER_MIN_LENGTH = 8;

/** Remembers a value that came from a secret field: {@link redactSecrets} hides it from then on. */
export function rememberSecret(value: string): void {
  // Short or plain words would blank ordinary text ("password", "required"): only secret-like ones.
  if (value.length < REMEMBER_MIN_LENGTH || !/[^a-z ]/.test(value) || value.trim() !== value) return;
  if (REMEMBERED.includes(value)) return;
  REMEMBERED.push(value);
  if (REMEMBERED.length > REMEMBER_MAX) REMEMBERED.shift();
}

/** `text` with every recognizable credential (and URL userinfo) replaced by `<redacted: looks like …>`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of REMEMBERED) if (out.includes(secret)) out = out.split(secret).join("<redacted: value of a secret field>");
  for (const form of FORMS) {
    form.pattern.lastIndex = 0;
    out = out.replace(form.pattern, (match: string, ...rest: unknown[]) => {
      if (form.accept && !form.accept(match)) return match;
      const groups = rest.filter((g): g is string => typeof g === "string");
      return form.keep ? form.keep(match, ...groups) : mark(form.what);
    });
  }
  return out;
}

/** What `value` looks like when the whole of it is one credential (`an AWS access key id`), else undefined. */
export function secretKind(value: string): string | undefined {
  const r = redactSecrets(value.trim());
  const m = /^<redacted: (?:looks like )?([^>]*)>$/.exec(r);
  return m ? m[1] : undefined;
}

/** True when `text` holds anything {@link redactSecrets} would hide. */
export function holdsSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}

/**
 * A copy of plain data safe to print: strings redacted, values under secret names (or a `value`
 * beside `sensitive: true`) replaced, keys that look like credentials replaced. Class instances are
 * kept as they are (their own `toJSON`/`toString` decide). Throws on cycles, like JSON.stringify.
 */
export function redactData(value: unknown, isSecretField: (name: string) => boolean = isSecretName): unknown {
  const seen = new Set<object>();
  let budget = 2000;
  const walk = (v: unknown, secret: boolean): unknown => {
    if (--budget < 0) return "…";
    if (typeof v === "string") {
      if (secret) {
        rememberSecret(v);
        return `<redacted: ${v.length} characters of a secret field>`;
      }
      return redactSecrets(v);
    }
    if (v === null || typeof v !== "object") return secret && v !== undefined ? "<redacted>" : v;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return v;
    if (seen.has(v)) throw new TypeError("cyclic data");
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map((x) => walk(x, secret));
      const obj = v as Record<string, unknown>;
      const flagged = obj.sensitive === true || obj.sensitive === "true";
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(obj)) {
        const key = redactSecrets(k);
        out[key] = walk(x, secret || isSecretField(k) || (flagged && k === "value"));
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, false);
}
