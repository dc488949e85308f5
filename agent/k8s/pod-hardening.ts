// HelmAgent's hardened defaults for the pods the charts start: non-root where the chart allows it,
// no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.

/** Runs as the agent image's user 1000. */
export const NON_ROOT = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 } as const;

/** The container runtime's default seccomp profile. */
export const RUNTIME_DEFAULT = { type: "RuntimeDefault" } as const;

/** A container that cannot gain privileges. */
export const HARDENED_CONTAINER = {
  privileged: false,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: RUNTIME_DEFAULT,
} as const;
