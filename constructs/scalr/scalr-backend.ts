import { NamedRemoteWorkspace, RemoteBackend, TerraformStack } from "cdktf";
import { z } from "zod";
import { ConstructState } from "../../core/cdktf-internals";
import { SCALR_ID } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { isToken, strictProps } from "../../core/validation";
import { workspaceFields } from "./field-rules";

/** Where {@link scalrBackend} keeps a stack's state: what it configured. */
export interface ScalrBackendSettings {
  /** The Scalr account's host name. */
  readonly hostname: string;
  /** The environment (name or `env-…` ID), the remote backend's `organization`. */
  readonly environment: string;
  /** The workspace's name. */
  readonly workspace: string;
}

/** The settings {@link scalrBackend} gave each stack (read by the bootstrap stack's workspaces). */
const BACKENDS = new ConstructState<TerraformStack, ScalrBackendSettings>("scalr.backend", "the Scalr remote backend settings scalrBackend configured for a stack");

/** What {@link scalrBackend} configured for `stack`, or undefined when it was not called on it. */
export function scalrBackendOf(stack: TerraformStack): ScalrBackendSettings | undefined {
  return BACKENDS.get(stack);
}

/** Props of {@link scalrBackend}. */
export interface ScalrBackendProps {
  /** The Scalr account's host name, e.g. `example.scalr.io` (no scheme, no path). */
  readonly hostname: string;
  /**
   * The environment the stack's workspace is in: its name, or its ID (`env-…`). Scalr takes either as
   * the remote backend's `organization`, but a name with a space must be given as the ID.
   */
  readonly environment: string;
  /** The workspace that holds the stack's state and runs. @default - the stack's id */
  readonly workspace?: string;
}

// https://docs.scalr.io/docs/cli: `hostname = "<account-name>.scalr.io"`.
const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/;

const propsSchema = strictProps({
  hostname: z.string().regex(HOSTNAME, { error: "must be the Scalr account's host name, such as example.scalr.io (no scheme, no path)" }),
  environment: z.string().min(1, { error: "must not be empty" }).max(255),
  workspace: workspaceFields.name.optional(),
}) satisfies z.ZodType<ScalrBackendProps>;

/**
 * Keeps `stack`'s state in Scalr and runs it there: Terraform's `remote` backend with the account's
 * host name, the environment as the organization and one workspace per stack, as Scalr documents
 * it for CLI-driven workspaces (https://docs.scalr.io/docs/cli: "The environment ID or name can be
 * used as the organization. If the environment name has a space in it, the ID must be used").
 *
 * Cross-stack references follow: cdktf reads another stack's outputs through `terraform_remote_state`
 * with the producing stack's backend settings, which is how Scalr documents reading another
 * workspace's state (https://docs.scalr.io/docs/workspace-dependencies). The producing workspace must
 * share its state with the consuming one (Scalr's remote state consumers).
 *
 * No credential goes into the configuration: Terraform reads the token from `terraform login
 * <host>` or `TF_TOKEN_<host with dots as underscores>` (docs.scalr.io/docs/cli). Whether `cdktf
 * deploy` drives such a workspace end to end is not verified here (unverified:
 * https://docs.scalr.io/docs/cli); the synthesized configuration is the one Scalr documents.
 *
 * @returns the backend (escape hatch)
 */
export function scalrBackend(stack: TerraformStack, props: ScalrBackendProps): RemoteBackend {
  const issues = new IssueCollector({ subject: stack.node.path });
  const p = issues.parse(propsSchema, props);
  issues.rule(["environment"], () => {
    if (isToken(p.environment)) {
      issues.add("environment", "must be known at synth time: a backend's settings cannot reference anything", p.environment, { sensitive: false });
    } else if (/\s/.test(p.environment) && !SCALR_ID.environment.test(p.environment)) {
      issues.add("environment", "has a space: Scalr needs the environment's ID (env-…) as the organization then (https://docs.scalr.io/docs/cli)", p.environment, { sensitive: false });
    }
  });
  const workspace = (p as Partial<typeof p> | undefined)?.workspace ?? stack.node.id;
  issues.rule(["workspace"], () => {
    if (p.workspace === undefined && !workspaceFields.name.safeParse(workspace).success) {
      issues.add("workspace", `is required: the stack's id "${workspace}" is not a Scalr workspace name`, undefined);
    }
  });
  issues.throwIfAny();
  BACKENDS.set(stack, { hostname: p.hostname, environment: p.environment, workspace });
  return new RemoteBackend(stack, { hostname: p.hostname, organization: p.environment, workspaces: new NamedRemoteWorkspace(workspace) });
}
