/**
 * The props schema of `Workspace` and the channel through which the VendingMachine hands a
 * Workspace props it has already parsed (internal: the package index does not export this module).
 */
import { IConstruct } from "constructs";
import { z } from "zod";
import { ConstructState } from "../../core/cdktf-internals";
import { strictProps } from "../../core/validation";
import { oidcRunOptionsFields, terraformRcFields, variableFields, workspaceFields, workspaceProviderConfigurationLinkFields } from "./field-rules";
import { ref } from "./references";

const linkSchema = strictProps({
  configuration: ref.providerConfiguration(),
  ...workspaceProviderConfigurationLinkFields,
});

// Fields in the order of WorkspaceProps (the order "did you mean" hints weigh ties in).
/** The props schema of `Workspace`. */
export const workspacePropsSchema = strictProps({
  name: workspaceFields.name,
  environment: ref.environment(),
  vcs: workspaceFields.vcs,
  moduleVersionId: workspaceFields.moduleVersionId,
  workingDirectory: workspaceFields.workingDirectory,
  agentPool: ref.agentPool().optional(),
  iacPlatform: workspaceFields.iacPlatform,
  version: workspaceFields.version,
  autoApply: workspaceFields.autoApply,
  runTimeoutMinutes: workspaceFields.runTimeoutMinutes,
  hooks: workspaceFields.hooks,
  providerConfigurations: z
    .array(z.union([ref.providerConfiguration(), linkSchema], { error: 'must be a provider configuration, its ID, or { configuration, alias }' }))
    .default([]),
  variables: z.array(strictProps(variableFields)).default([]),
  tags: z.array(ref.tag()).default([]),
  deletionProtection: workspaceFields.deletionProtection,
  varFiles: workspaceFields.varFiles,
  terraformRc: strictProps(terraformRcFields).optional(),
  oidc: strictProps(oidcRunOptionsFields).optional(),
});

/** {@link WorkspaceProps} as {@link workspacePropsSchema} outputs them (defaults applied). */
export type ParsedWorkspaceProps = z.output<typeof workspacePropsSchema>;

/**
 * The props the VendingMachine hands to the Workspace it is creating in a scope (the key), built
 * from a spec entry it has already parsed with the same field rules: already in the shape
 * {@link workspacePropsSchema} outputs, so the Workspace takes them as they are instead of parsing
 * them a second time (at thousands of workspaces the second parse is a measurable share of synth
 * time). A test parses every such props object again and requires the same value back. The
 * VendingMachine has also given the entry's warnings, at the spec's path and line.
 */
export const checkedWorkspaceProps = new ConstructState<IConstruct, object>(
  "scalr.checked-workspace-props",
  "The props of the Workspace the VendingMachine is creating from a spec entry it has already parsed",
);
