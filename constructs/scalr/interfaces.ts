/**
 * What the Scalr constructs know of each other: each construct's props and helpers are typed
 * against these interfaces, not against the other construct classes, so no construct file imports
 * another one except to create it (no import cycle among them). Each interface holds only what
 * another construct reads; the classes implement them, so passing a construct keeps compiling.
 */
import { IConstruct } from "constructs";
// The settings module that defines the kind, not the agent/settings index (which loads every renderer).
import type { AgentPoolKind } from "../../agent/settings/agent-settings";

/** The cloud a provider configuration serves. */
export type ProviderConfigurationKind = "aws" | "google" | "azure" | "kubernetes";

/** A Scalr agent pool as other constructs use it (implemented by `AgentPool`). */
export interface IAgentPool extends IConstruct {
  /** The pool kind: workspaces and environments run on `run` pools only. */
  readonly kind: AgentPoolKind;
  /** The pool name. */
  readonly poolName: string;
  /** The pool ID (`apool-…`). */
  readonly poolId: string;
}

/** A Scalr environment as other constructs use it (implemented by `Environment`). */
export interface IEnvironment extends IConstruct {
  /** The environment ID (`env-…`). */
  readonly environmentId: string;
  /** The environment name. */
  readonly environmentName: string;
}

/** A Scalr workspace as other constructs use it (implemented by `Workspace`). */
export interface IWorkspace extends IConstruct {
  /** The workspace ID (`ws-…`). */
  readonly workspaceId: string;
  /**
   * The environment's identity for inheritance checks: its construct path, or `id:<env-…>` for a
   * literal ID (undefined for a Terraform reference).
   */
  readonly environmentKey?: string;
}

/** Who asks a provider configuration to be shared, named in errors: a construct path and its field. */
export interface ShareRequester {
  /** Construct path. */
  readonly subject: string;
  /** Field of that construct, e.g. `defaultProviderConfigurations[0]`. */
  readonly field: string;
}

/** A Scalr provider configuration as other constructs use it (implemented by `ProviderConfiguration`). */
export interface IProviderConfiguration extends IConstruct {
  /** The provider configuration ID (`pcfg-…`). */
  readonly providerConfigurationId: string;
  /** The configuration name. */
  readonly configurationName: string;
  /** The cloud it serves. */
  readonly kind: ProviderConfigurationKind;
  /** Shares the configuration with an environment that uses it. */
  shareWith(environment: IEnvironment | string, requester?: ShareRequester): void;
}

/** A Scalr OPA policy group as other constructs use it (implemented by `PolicyGroup`). */
export interface IPolicyGroup extends IConstruct {
  /** The policy group ID (`pgrp-…`). */
  readonly policyGroupId: string;
  /** The group name. */
  readonly groupName: string;
}

/** A Scalr tag as other constructs use it (implemented by `Tag`). */
export interface ITag extends IConstruct {
  /** The tag ID (`tag-…`). */
  readonly tagId: string;
  /** The tag name. */
  readonly tagName: string;
}
