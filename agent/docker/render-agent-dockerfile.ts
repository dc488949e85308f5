import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { CONTROL_CHARACTER, ValidationContext, describeValue, strictProps } from "../../core/validation";
import { AgentSettings, ResolvedAgentSettings, resolveAgentSettings } from "../settings/agent-settings";
import { AgentTokenSource } from "../settings/token-source";
import { checkSafePaths, qualifiedReference, reportTerraformReferences } from "./docker-common";

/**
 * OCI image annotations written as labels (https://github.com/opencontainers/image-spec/blob/main/annotations.md,
 * "Pre-Defined Annotation Keys"). `base.name` and `base.digest` are filled from the settings' image.
 */
export interface OciImageLabels {
  /** `org.opencontainers.image.title`. @default "scalr-agent" */
  readonly title?: string;
  /** `org.opencontainers.image.description`. @default - "Scalr agent (<base image>) with a CA bundle" */
  readonly description?: string;
  /** `org.opencontainers.image.version`, the version of this image. @default - none */
  readonly version?: string;
  /** `org.opencontainers.image.revision`, e.g. the commit of the repository that renders it. @default - none */
  readonly revision?: string;
  /** `org.opencontainers.image.source`, URL of that repository. @default - none */
  readonly source?: string;
  /** `org.opencontainers.image.created`, RFC 3339 date-time. @default - none (the file stays the same from one render to the next) */
  readonly created?: string;
  /** `org.opencontainers.image.vendor`. @default - none */
  readonly vendor?: string;
  /** `org.opencontainers.image.authors`. @default - none */
  readonly authors?: string;
  /** `org.opencontainers.image.url`. @default - none */
  readonly url?: string;
  /** `org.opencontainers.image.documentation`. @default - none */
  readonly documentation?: string;
  /** `org.opencontainers.image.licenses`, an SPDX expression. @default - none */
  readonly licenses?: string;
}

/** What the image recipe adds to the settings. */
export interface AgentDockerfileOptions {
  /** The CA bundle's file name in the build context. @default "ca-bundle.crt" */
  readonly caBundleFile?: string;
  /** Provenance labels. @default - title and description, and the base image's name and digest */
  readonly labels?: OciImageLabels;
}

/** The image recipe: a Dockerfile and the files of its build context that the kit knows. */
export interface AgentDockerfile {
  /** The Dockerfile. */
  readonly dockerfile: string;
  /**
   * Files of the build context by name: the CA bundle when the settings give it as `pem`. When they
   * give a `path` (where the bundle goes in the image), put the bundle in the context yourself under
   * `caBundleFile`.
   */
  readonly contextFiles: Readonly<Record<string, string>>;
  /** The CA bundle's file name in the build context. */
  readonly caBundleFile: string;
  /** Where the bundle is in the image (`SCALR_AGENT_CA_CERT`, `SSL_CERT_FILE`). */
  readonly caBundlePath: string;
  /** The labels written, by key. */
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Where the bundle goes in the image when the settings give it as PEM text: the path Scalr's
 * agent-local chart mounts its CA bundle at and points `SCALR_AGENT_CA_CERT` and `SSL_CERT_FILE` to
 * (Scalr/agent-helm charts/agent-local/templates/deployment.yaml @ cf283e1).
 */
export const IMAGE_CA_BUNDLE_PATH = "/etc/ssl/certs/scalr-ca-bundle.crt";

const labelValue = z
  .string()
  .min(1, { error: "must not be empty" })
  .refine((v) => !CONTROL_CHARACTER.test(v), { error: "must be one line without control characters" });

// RFC 3339 date-time, as the OCI annotation `created` asks.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const optionsSchema = strictProps({
  caBundleFile: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, { error: "must be a file name in the build context (letters, digits, '.', '_', '-')" })
    .default("ca-bundle.crt"),
  labels: strictProps({
    title: labelValue.optional(),
    description: labelValue.optional(),
    version: labelValue.optional(),
    revision: labelValue.optional(),
    source: labelValue.optional(),
    created: z.string().regex(RFC3339, { error: "must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z" }).optional(),
    vendor: labelValue.optional(),
    authors: labelValue.optional(),
    url: labelValue.optional(),
    documentation: labelValue.optional(),
    licenses: labelValue.optional(),
  }).default({}),
}) satisfies z.ZodType<AgentDockerfileOptions>;

/**
 * The settings of an agent image recipe: AgentSettings whose `token` may be left out (the image
 * holds no token; the runtime that runs it gives one).
 */
export type AgentDockerfileSettings = Omit<AgentSettings, "token"> & { readonly token?: AgentTokenSource };

/** What the settings are checked with when they name no token: a file source, never rendered into the recipe. */
const RECIPE_TOKEN_STAND_IN = AgentTokenSource.fromFile("/dev/null");

/**
 * Renders a Dockerfile that builds on the pinned `scalr/agent` image (`settings.image`, by digest when
 * it has one) and bakes in the settings' CA bundle, with OCI labels for provenance. Every runtime then
 * runs the result: set `image` in the settings to what you pushed.
 *
 * The recipe follows Scalr's contract for custom agent images: base the image on `scalr/agent`, keep
 * its ENTRYPOINT and CMD, and make only additive changes, certificate bundles and environment
 * variables included (Scalr/agent-helm charts/agent-local/README.md @ cf283e1, "Custom Agent Image",
 * which points to https://docs.scalr.io/docs/run-environment#build-custom-agent-image). The bundle is
 * copied as a file and the agent pointed at it with `SCALR_AGENT_CA_CERT` (the agent uses certifi's
 * bundle, not the system one, unless told: Scalr/agent-helm charts/agent-k8s/README.md @ cf283e1,
 * "SSL Certificate Bundles") and `SSL_CERT_FILE`, as the agent-local chart does. No command runs
 * in the build: Scalr's own example runs `update-ca-certificates` as root, but which user the base
 * image runs as is not documented (the charts set UID 1000 themselves), so a recipe that switched to
 * root could not switch back with certainty. Hence the bundle must hold the public CAs too, as
 * Scalr's `agent.ca_cert` documentation asks ("should include both your private CAs and the
 * standard set of public CAs").
 *
 * @param settings the agent (validated here; `image` is the base, `caBundle` the bundle; `token` may be left out)
 * @param options build-context file name, labels
 * @param ctx the subject and field prefix used in error messages
 */
export function renderAgentDockerfile(settings: AgentDockerfileSettings, options: AgentDockerfileOptions = {}, ctx: ValidationContext = { subject: "renderAgentDockerfile" }): AgentDockerfile {
  const issues = new IssueCollector({ subject: ctx.subject });
  // The recipe holds no token: without one, the settings are checked with a stand-in that nothing renders.
  const checked: AgentSettings = settings.token !== undefined ? (settings as AgentSettings) : { ...settings, token: RECIPE_TOKEN_STAND_IN };
  const resolved = issues.collect(() => resolveAgentSettings(checked, ctx));
  const opts = issues.parse(optionsSchema, options);
  const prefix = ctx.fieldPrefix ? `${ctx.fieldPrefix}.` : "";
  if (resolved) {
    const fields = { image: resolved.image, caBundle: resolved.caBundle };
    reportTerraformReferences(fields, "", (field, value) =>
      issues.addIssue({ field: `${prefix}${field}`, message: "must be known when the Dockerfile is rendered (no Terraform expressions)", received: describeValue(value, field) }),
    );
    checkSafePaths({ "caBundle.path": resolved.caBundle?.path }, issues, prefix);
  }
  // From the input, so it is reported with the settings' own problems.
  if (settings.caBundle === undefined) {
    issues.addIssue({
      field: `${prefix}caBundle`,
      message: "must be set: the image recipe bakes a CA bundle into the agent image ({ pem } with the bundle's text, or { path } where it goes in the image)",
      received: "undefined",
    });
  }
  issues.throwIfAny();
  return renderRecipe(resolved as ResolvedAgentSettings, opts as z.output<typeof optionsSchema>);
}

function renderRecipe(s: ResolvedAgentSettings, o: z.output<typeof optionsSchema>): AgentDockerfile {
  const ca = s.caBundle as { path?: string; pem?: string };
  const caBundlePath = ca.path ?? IMAGE_CA_BUNDLE_PATH;
  const base = qualifiedReference(s);
  const labels: Record<string, string> = {
    "org.opencontainers.image.title": o.labels.title ?? "scalr-agent",
    "org.opencontainers.image.description": o.labels.description ?? `Scalr agent (${s.image.reference}) with a CA bundle`,
  };
  for (const key of ["version", "revision", "source", "created", "vendor", "authors", "url", "documentation", "licenses"] as const) {
    const value = o.labels[key];
    if (value !== undefined) labels[`org.opencontainers.image.${key}`] = value;
  }
  labels["org.opencontainers.image.base.name"] = base;
  if (s.image.digest !== undefined) labels["org.opencontainers.image.base.digest"] = s.image.digest;

  const quote = (v: string) => `"${v.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
  const lines = [
    "# syntax=docker/dockerfile:1",
    "# Scalr agent image with a CA bundle, rendered by cdktf-scalr-kit from AgentSettings.",
    `# Build context: this folder with the bundle as ${o.caBundleFile} (private and public CAs).`,
    "# Only additive changes to Scalr's image: https://docs.scalr.io/docs/run-environment#build-custom-agent-image",
    `FROM ${s.image.reference}`,
    "",
    "# Readable by the agent whatever user the base image runs as; owned by root.",
    `COPY --chmod=0644 ${o.caBundleFile} ${caBundlePath}`,
    "# The agent uses this bundle for its requests and its task containers; other TLS clients in the image read SSL_CERT_FILE.",
    `ENV SCALR_AGENT_CA_CERT=${caBundlePath} \\`,
    `    SSL_CERT_FILE=${caBundlePath}`,
    "",
    `LABEL ${Object.entries(labels)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(" \\\n      ")}`,
    "",
  ];
  const contextFiles: Record<string, string> = ca.pem !== undefined ? { [o.caBundleFile]: ca.pem.endsWith("\n") ? ca.pem : `${ca.pem}\n` } : {};
  return { dockerfile: lines.join("\n"), contextFiles, caBundleFile: o.caBundleFile, caBundlePath, labels };
}
