import { SENSITIVE_SCALR_ATTRIBUTES } from "../../../scalr/sensitive-outputs";
import { SecretContext, decodedLiteral, findSecret } from "../../secrets";
import { SynthesizedStack, isTrue, record } from "../../synthesized-stack";

/** Whether an allow-listed sink takes a secret in a given block: yes, no, or only known at apply time. */
export type SinkCondition = (body: Readonly<Record<string, unknown>>) => boolean | "unknown";

/** An attribute meant to hold a secret: where the agent token may go. */
export interface SecretSink {
  /** Attribute paths, dot-separated, block indexes left out (`set_sensitive.value`, `manifest.stringData`). */
  readonly attributes: readonly string[];
  /** When the attributes are a secret sink. @default - always */
  readonly when?: SinkCondition;
  /** What makes the value unreadable to those who can read the block, when the condition is not literal. */
  readonly condition?: string;
  /** The provider's documentation of the attribute. */
  readonly source: string;
}

/** A literal `type` of `SecureString`; unknown when the type is a reference. */
const secureString: SinkCondition = (body) => (typeof body.type === "string" && body.type.includes("${") ? "unknown" : body.type === "SecureString");
/** A literal `sensitive = true`; unknown when it is a reference. */
const sensitiveFlag: SinkCondition = (body) => (typeof body.sensitive === "string" && body.sensitive.includes("${") ? "unknown" : isTrue(body.sensitive));
/** A manifest of kind `Secret`; unknown when the kind is a reference. */
const secretManifest: SinkCondition = (body) => {
  const kind = record(body.manifest).kind;
  return typeof kind === "string" && kind.includes("${") ? "unknown" : kind === "Secret";
};

const SCALR_SCHEMA = "providers/scalr/schema.json (attributes the Scalr provider marks sensitive): https://registry.terraform.io/providers/Scalr/scalr/latest/docs";

/**
 * The allow-list of KIT-SEC-1: per resource, data source (`data.<type>`) and provider
 * (`provider.<name>`), the attributes meant to hold secrets. Every other string attribute of every
 * block is a plaintext place for the agent token (state, plan output, describe calls, tags).
 */
export const SECRET_SINKS: Readonly<Record<string, readonly SecretSink[]>> = {
  aws_secretsmanager_secret_version: [
    { attributes: ["secret_string", "secret_binary", "secret_string_wo"], source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/secretsmanager_secret_version" },
  ],
  aws_ssm_parameter: [
    {
      attributes: ["value", "value_wo"],
      when: secureString,
      condition: 'type = "SecureString" (encrypted with KMS; a String or StringList parameter is plaintext)',
      source: "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html",
    },
  ],
  scalr_variable: [
    {
      attributes: ["value"],
      when: sensitiveFlag,
      condition: "sensitive = true (a variable that is not sensitive is shown to everyone who can read the workspace, and in run logs)",
      source: "https://registry.terraform.io/providers/Scalr/scalr/latest/docs/resources/variable",
    },
  ],
  kubernetes_secret_v1: [{ attributes: ["data", "binary_data", "data_wo"], source: "https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/secret_v1" }],
  kubernetes_secret: [{ attributes: ["data", "binary_data", "data_wo"], source: "https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs/resources/secret" }],
  kubernetes_manifest: [
    {
      attributes: ["manifest.data", "manifest.stringData"],
      when: secretManifest,
      condition: 'manifest.kind = "Secret"',
      source: "https://kubernetes.io/docs/concepts/configuration/secret/",
    },
  ],
  helm_release: [{ attributes: ["set_sensitive.value", "set_wo.value"], source: "https://registry.terraform.io/providers/hashicorp/helm/latest/docs/resources/release#set_sensitive" }],
  // Provider credentials: provider configuration is not written to state (only resource and data source attributes are).
  "provider.aws": [{ attributes: ["access_key", "secret_key", "token"], source: "https://registry.terraform.io/providers/hashicorp/aws/latest/docs#argument-reference" }],
  "provider.scalr": [{ attributes: ["token"], source: "https://registry.terraform.io/providers/Scalr/scalr/latest/docs#argument-reference" }],
  "provider.kubernetes": [
    { attributes: ["token", "password", "client_key", "exec.env"], source: "https://registry.terraform.io/providers/hashicorp/kubernetes/latest/docs#argument-reference" },
  ],
  "provider.helm": [
    {
      attributes: ["kubernetes.token", "kubernetes.password", "kubernetes.client_key", "kubernetes.exec.env", "registry.password", "registries.password"],
      source: "https://registry.terraform.io/providers/hashicorp/helm/latest/docs#argument-reference",
    },
  ],
  // The Scalr provider's own sensitive attributes (except scalr_variable.value, which is one only when the variable is sensitive).
  ...Object.fromEntries(
    Object.entries(SENSITIVE_SCALR_ATTRIBUTES)
      .filter(([type]) => type !== "scalr_variable" && !type.startsWith("data."))
      .map(([type, attributes]) => [type, [{ attributes, source: SCALR_SCHEMA }]]),
  ),
};

/** Arguments that hold no value, only the names of other blocks (a whole-object reference there copies nothing). */
const META_ARGUMENTS = new Set(["//", "depends_on", "lifecycle", "provider", "providers"]);

/** One string of a block that shows a secret outside the allow-list, or where the allow-list cannot be confirmed. */
export interface SecretLeak {
  /** The attribute path, e.g. `tags.Owner`, `spec[0].template[0].spec[0].container[0].env[1].value`. */
  readonly attribute: string;
  /** What secret the string shows ({@link findSecret}). */
  readonly secret: string;
  /** Set when the attribute is an allow-listed sink only under a condition that is not known at synth time. */
  readonly unconfirmed?: string;
}

/**
 * The context {@link findSecret} uses for `stack`: its sensitive variables and locals, and its own
 * blocks whose secrets depend on their arguments (SecureString parameters, Secret manifests, sensitive
 * Scalr variables are already in SECRET_ATTRIBUTES).
 */
export function secretContext(stack: SynthesizedStack): SecretContext {
  const resources = record(stack.json.resource);
  const ssm = record(resources.aws_ssm_parameter);
  const manifests = record(resources.kubernetes_manifest);
  return {
    sensitiveVariables: stack.sensitiveVariables,
    locals: stack.locals,
    secretBlock: (address) => {
      if (!address.startsWith("aws_ssm_parameter.") && !address.startsWith("kubernetes_manifest.")) return undefined;
      const [type, name] = address.split(".");
      if (type === "aws_ssm_parameter" && name && name in ssm) {
        const s = secureString(record(ssm[name]));
        return s === false ? undefined : { attributes: ["value"], unknown: s === "unknown" };
      }
      if (type === "kubernetes_manifest" && name && name in manifests) {
        const s = secretManifest(record(manifests[name]));
        return s === false ? undefined : { attributes: ["manifest.data", "manifest.stringData", "object.data", "object.stringData"], unknown: s === "unknown" };
      }
      return undefined;
    },
  };
}

/** The sinks of a block of `kind` (a resource type, `data.<type>` or `provider.<name>`). */
function sinksOf(kind: string): readonly SecretSink[] {
  return SECRET_SINKS[kind] ?? [];
}

/**
 * Every string of `body` (a resource, data source or provider block) that shows a secret outside
 * the allow-listed sinks of `kind`, with its attribute path. Strings without `${` hold no
 * reference and are read only when they are base64 (decoded, gunzipped when gzip).
 */
export function secretLeaks(kind: string, body: Readonly<Record<string, unknown>>, ctx: SecretContext): SecretLeak[] {
  const walk = new LeakWalk(sinksOf(kind), body, ctx);
  walk.visit(body);
  return walk.leaks;
}

/**
 * One walk of a block's strings. A class rather than closures: a stack has thousands of blocks,
 * and closures made anew for each would be new call targets each time for the optimizing compiler.
 */
class LeakWalk {
  public readonly leaks: SecretLeak[] = [];
  /**
   * The attribute path as segments (a name, or an index), rendered only for a leak: a stack has
   * tens of thousands of strings, and nearly none shows a secret.
   */
  private readonly segments: (string | number)[] = [];

  public constructor(
    private readonly sinks: readonly SecretSink[],
    private readonly body: Readonly<Record<string, unknown>>,
    private readonly ctx: SecretContext,
  ) {}

  public visit(value: unknown): void {
    if (typeof value === "string") {
      this.check(value, undefined);
      return;
    }
    const segments = this.segments;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segments.push(i);
        this.visit(value[i]);
        segments.pop();
      }
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const k of Object.keys(value)) {
      if (segments.length === 0 && META_ARGUMENTS.has(k)) continue;
      // A map key (a tag's name, a label) is a place too.
      if (k.includes("${")) this.check(k, k);
      segments.push(k);
      this.visit((value as Record<string, unknown>)[k]);
      segments.pop();
    }
  }

  /** Reads one string: a value, or (`key` set) the key of a map at the current path. */
  private check(value: string, key: string | undefined): void {
    let secret: string | undefined;
    if (value.includes("${")) secret = findSecret(value, this.ctx);
    else {
      const decoded = decodedLiteral(value);
      const inner = decoded === undefined ? undefined : findSecret(decoded, this.ctx);
      if (inner) secret = `${inner} (base64-decoded)`;
    }
    if (!secret) return;
    const at = this.sinkAt(key === undefined ? this.plainPath() : "(key)");
    if (at?.state === true) return;
    const attribute = key === undefined ? this.path() : `${this.segments.length === 0 ? "" : `${this.path()}.`}(key ${JSON.stringify(key.slice(0, 40))})`;
    this.leaks.push(at?.state === "unknown" ? { attribute, secret, unconfirmed: at.sink.condition ?? "its condition" } : { attribute, secret });
  }

  /** The sink `plain` (an attribute path without indexes) is in, and whether it takes a secret in this block. */
  private sinkAt(plain: string): { sink: SecretSink; state: boolean | "unknown" } | undefined {
    for (const sink of this.sinks) {
      if (!sink.attributes.some((a) => plain === a || plain.startsWith(`${a}.`))) continue;
      return { sink, state: sink.when ? sink.when(this.body) : true };
    }
    return undefined;
  }

  /** The current attribute path, e.g. `spec[0].container[0].env[1].value`. */
  private path(): string {
    let out = "";
    for (const g of this.segments) out += typeof g === "number" ? `[${g}]` : out === "" ? g : `.${g}`;
    return out;
  }

  /** The current attribute path without indexes, as sinks name attributes (`set_sensitive.value`). */
  private plainPath(): string {
    return this.segments.filter((g) => typeof g === "string").join(".");
  }
}
