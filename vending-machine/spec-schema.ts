/**
 * The zod schema of a vending-machine spec and the resolved types it yields (defaults applied).
 *
 * Every spec field that a Scalr construct also has takes the construct's own rule from
 * `constructs/scalr/field-rules.ts` (the rule, its default and its message), so a spec is rejected
 * for a bad field when it is validated, not later when the constructs are built, and the spec and
 * the construct can never disagree on a value. What differs is the spec's own: entries refer to
 * each other by name (`agentPool`, `tags`, `vcs.provider`, `vcsProvider`, …) where a construct takes
 * a construct or an ID, a secret comes from a Terraform variable (`valueFromTerraformVariable`),
 * Google and Azure configurations are OIDC only (a spec holds no secret), and `stacks` splits the
 * estate into Terraform stacks.
 */
import { z } from "zod";
import {
  TERRAFORM_VARIABLE_KEY,
  agentPoolFields,
  awsOptionsShape,
  azureOptionsShape,
  environmentFields,
  googleOptionsShape,
  oidcRunOptionsFields,
  policyGroupFields,
  providerConfigurationFields,
  tagFields,
  terraformRcCredentialsFields,
  terraformRcFields,
  variableFields,
  workspaceFields,
  workspaceProviderConfigurationLinkFields,
  workspaceVcsFields,
} from "../constructs/scalr/field-rules";
import { literalIntInRange, strictProps } from "../core/validation";
import type { AgentAutoscalerPolicy } from "../constructs/autoscaling/agent-autoscaler";
import type { VendingMachineSpec } from "./spec-types";

/** A reference to another entry of the spec, by its name. */
const name = z.string().min(1).max(255).refine((s) => s.trim() === s, { error: "must not start or end with whitespace" });
const names = z.array(name).default([]);

const variableSchema = strictProps({
  key: variableFields.key,
  // No default: a variable whose value comes from `valueFromTerraformVariable` has none.
  value: variableFields.value.unwrap().optional(),
  valueFromTerraformVariable: z
    .string()
    .regex(TERRAFORM_VARIABLE_KEY, { error: "must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit)" })
    .optional(),
  category: variableFields.category,
  final: variableFields.final,
  sensitive: variableFields.sensitive,
  hcl: variableFields.hcl,
  description: variableFields.description,
});

const terraformVariableName = z
  .string()
  .regex(TERRAFORM_VARIABLE_KEY, { error: "must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit)" });

// The construct's `terraformRc`, with each credentials token named by a Terraform variable (a spec holds no secret).
const terraformRcSchema = strictProps({
  providerInstallation: terraformRcFields.providerInstallation,
  pluginCacheDir: terraformRcFields.pluginCacheDir,
  credentials: z.array(strictProps({ host: terraformRcCredentialsFields.host, tokenFromTerraformVariable: terraformVariableName })).default([]),
  contents: terraformRcFields.contents,
  final: terraformRcFields.final,
});
const oidcSchema = strictProps(oidcRunOptionsFields);

const workspaceSchema = strictProps({
  name: workspaceFields.name,
  vcs: strictProps({
    provider: name,
    repository: workspaceVcsFields.repository,
    branch: workspaceVcsFields.branch,
    versionConstraint: workspaceVcsFields.versionConstraint,
    triggerPrefixes: workspaceVcsFields.triggerPrefixes,
    triggerPatterns: workspaceVcsFields.triggerPatterns,
    dryRuns: workspaceVcsFields.dryRuns,
    submodules: workspaceVcsFields.submodules,
  }).optional(),
  moduleVersionId: workspaceFields.moduleVersionId,
  workingDirectory: workspaceFields.workingDirectory,
  agentPool: name.optional(),
  iacPlatform: workspaceFields.iacPlatform,
  version: workspaceFields.version,
  autoApply: workspaceFields.autoApply,
  runTimeoutMinutes: workspaceFields.runTimeoutMinutes,
  hooks: workspaceFields.hooks,
  providerConfigurations: z
    .array(z.union([name, strictProps({ configuration: name, alias: workspaceProviderConfigurationLinkFields.alias })], { error: "must be a provider configuration name or { configuration, alias }" }))
    .default([]),
  variables: z.array(variableSchema).default([]),
  tags: names,
  deletionProtection: workspaceFields.deletionProtection,
  varFiles: workspaceFields.varFiles,
  terraformRc: terraformRcSchema.optional(),
  oidc: oidcSchema.optional(),
});

const environmentSchema = strictProps({
  name: environmentFields.name,
  defaultAgentPool: name.optional(),
  defaultProviderConfigurations: names,
  policyGroups: names,
  tags: names,
  remoteBackend: environmentFields.remoteBackend,
  remoteBackendOverridable: environmentFields.remoteBackendOverridable,
  storageProfileId: environmentFields.storageProfileId,
  maskSensitiveOutput: environmentFields.maskSensitiveOutput,
  variables: z.array(variableSchema).default([]),
  workspaces: z.array(workspaceSchema).default([]),
  terraformRc: terraformRcSchema.optional(),
  oidc: oidcSchema.optional(),
});

// `allowedSubjects` keeps no default: the vending machine derives one from the sharing.
const awsSchema = strictProps({ ...awsOptionsShape, allowedSubjects: awsOptionsShape.allowedSubjects.unwrap().optional() });

// OIDC only (the vending machine sets `auth: "oidc"`): the fields that auth requires are required here.
const googleSchema = strictProps({
  project: googleOptionsShape.project,
  serviceAccountEmail: googleOptionsShape.serviceAccountEmail.unwrap(),
  workloadProviderName: googleOptionsShape.workloadProviderName.unwrap(),
});
const azureSchema = strictProps({
  clientId: azureOptionsShape.clientId,
  tenantId: azureOptionsShape.tenantId,
  subscriptionId: azureOptionsShape.subscriptionId,
  audience: azureOptionsShape.audience.unwrap(),
});

const providerConfigurationSchema = strictProps({
  name: providerConfigurationFields.name,
  environments: z.union([z.literal("all"), z.array(name)], { error: 'must be "all" or a list of environment names' }).default([]),
  exportShellVariables: providerConfigurationFields.exportShellVariables,
  tags: names,
  aws: awsSchema.optional(),
  google: googleSchema.optional(),
  azure: azureSchema.optional(),
});

const agentPoolSchema = strictProps({
  name: agentPoolFields.name,
  kind: agentPoolFields.kind,
  // No default here: the AgentPool construct applies its own (`["default"]`).
  tokens: agentPoolFields.tokens.unwrap().optional(),
  // The policy's own rules are the autoscaler runtime's (`parsePolicy`), run by the cross-checks.
  autoscaling: strictProps({
    policy: z.custom<AgentAutoscalerPolicy>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { error: "must be a scaling policy { min, max, … }" }),
    agentConcurrency: literalIntInRange(1, 50).default(1),
  }).optional(),
});

const policyGroupSchema = strictProps({
  name: policyGroupFields.name,
  vcsProvider: name,
  repository: policyGroupFields.repository,
  opaVersion: policyGroupFields.opaVersion,
  commonFunctionsFolder: policyGroupFields.commonFunctionsFolder,
});

const wholeNumber = (max: number) => {
  const message = `must be a whole number from 1 to ${max}`;
  // One message for a value that fails several checks (a fraction below 1, a reference's huge number).
  return z.number().int({ error: message, abort: true }).min(1, { error: message, abort: true }).max(max, { error: message });
};

/** The schema of a whole spec. */
export const specSchema = strictProps({
  version: z.literal(1).default(1),
  stacks: strictProps({
    split: z.enum(["none", "environment", "shards"]).default("none"),
    shards: wholeNumber(1000).optional(),
    maxWorkspacesPerStack: wholeNumber(100000).default(1000),
  }).default({ split: "none", maxWorkspacesPerStack: 1000 }),
  vcsProviders: z.array(strictProps({ name, id: workspaceVcsFields.providerId })).default([]),
  agentPools: z.array(agentPoolSchema).default([]),
  tags: z.array(tagFields.name).default([]),
  providerConfigurations: z.array(providerConfigurationSchema).default([]),
  policyGroups: z.array(policyGroupSchema).default([]),
  variables: z.array(variableSchema).default([]),
  environments: z.array(environmentSchema).default([]),
}) satisfies z.ZodType<VendingMachineSpec, unknown>;

/** A spec after validation, with every default applied. */
export type ResolvedSpec = z.output<typeof specSchema>;
/** A resolved environment. */
export type ResolvedEnvironmentSpec = ResolvedSpec["environments"][number];
/** A resolved workspace. */
export type ResolvedWorkspaceSpec = ResolvedEnvironmentSpec["workspaces"][number];
/** A resolved variable. */
export type ResolvedVariableSpec = ResolvedSpec["variables"][number];
