/**
 * Patterns of the identifiers the kit checks at synth time: Scalr object IDs, AWS and Kubernetes
 * names. One place, so every construct and renderer agrees on what an ID looks like; each pattern
 * names the source that defines the format.
 */

/**
 * ID patterns of the Scalr objects the constructs refer to (prefixes as the Scalr provider's docs
 * show them, https://registry.scalr.io/providers/scalr/scalr/latest/docs). Storage profiles have
 * none: no source states their ID format, so they are checked for being non-empty only.
 */
export const SCALR_ID = {
  environment: /^env-[A-Za-z0-9]+$/,
  workspace: /^ws-[A-Za-z0-9]+$/,
  agentPool: /^apool-[A-Za-z0-9]+$/,
  providerConfiguration: /^pcfg-[A-Za-z0-9]+$/,
  policyGroup: /^pgrp-[A-Za-z0-9]+$/,
  tag: /^tag-[A-Za-z0-9]+$/,
  vcsProvider: /^vcs-[A-Za-z0-9]+$/,
  moduleVersion: /^modver-[A-Za-z0-9]+$/,
} as const;

/**
 * A Secrets Manager secret ARN, any partition
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources).
 */
export const SECRETS_MANAGER_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** An AWS region code such as `eu-west-1` or `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** An IAM role name: 1–64 of `\w+=,.@-` (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html). */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * A Kubernetes object name that must be a DNS subdomain (Secrets, …)
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names).
 */
export const K8S_DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Kubernetes name that must be a DNS label (namespaces, …)
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names).
 */
export const K8S_DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A key of a Kubernetes Secret's data (https://kubernetes.io/docs/concepts/configuration/secret/#restriction-names-data). */
export const K8S_SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** An absolute POSIX path without whitespace or NUL. */
export const ABSOLUTE_PATH = /^\/[^\s\0]*$/;

/** A portable environment variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
