// What undoes HelmAgent's hardened pod when it appears anywhere in chart values: the controls the
// Kubernetes Pod Security Standards' Baseline and Restricted profiles forbid
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/): privileged containers,
// privilege escalation, added capabilities (Restricted allows adding only NET_BIND_SERVICE), host
// namespaces (hostNetwork, hostPID, hostIPC) and host ports, hostPath volumes, an unmasked /proc,
// Unconfined seccomp or AppArmor, SELinux types other than the container ones, running as root —
// and any reference to a container runtime socket (the Docker socket `/var/run/docker.sock`, or
// containerd's, CRI-O's), which is root on the node
// (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath).
// HelmAgent refuses these in `extraValues`; KIT-K8S-3 (and KIT-K8S-2 for root) finds them in any
// `helm_release` of Scalr's charts.

/** One weakening found in values: where (keys from the values' root) and what. */
export interface PodWeakening {
  readonly path: readonly (string | number)[];
  /** What it does, e.g. `privileged: true`. */
  readonly what: string;
  /** True when the value is known only at apply time (a reference), so it cannot be confirmed safe. */
  readonly unknown: boolean;
}

/** Which findings to look for: `root` only `runAsUser: 0` / `runAsNonRoot: false`, `privileges` everything else. */
export type PodWeakeningKind = "root" | "privileges";

const RUNTIME_SOCKET = /(docker|containerd|crio|cri-dockerd|podman)\.sock/i;
/** The SELinux types the Baseline profile allows. */
const SELINUX_TYPES = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"];

/**
 * Every weakening in `values` (chart values, `extraValues`).
 * @param isUnknown tells values known only at apply time (a `${…}` reference, a cdktf token)
 */
export function findPodWeakenings(values: unknown, isUnknown: (v: unknown) => boolean, kinds: readonly PodWeakeningKind[] = ["root", "privileges"]): PodWeakening[] {
  const out: PodWeakening[] = [];
  const privileges = kinds.includes("privileges");
  const root = kinds.includes("root");
  const flag = (v: unknown): boolean | "unknown" | undefined => {
    if (v === true || (typeof v === "string" && /^(true|yes|on|1)$/i.test(v.trim()))) return true;
    if (v === undefined || v === null || v === false || (typeof v === "string" && /^(false|no|off|0)$/i.test(v.trim()))) return undefined;
    return isUnknown(v) ? "unknown" : undefined;
  };
  const add = (path: readonly (string | number)[], what: string, unknown = false) => out.push({ path, what, unknown });
  const walk = (node: unknown, path: readonly (string | number)[]): void => {
    if (typeof node === "string") {
      if (privileges && RUNTIME_SOCKET.test(node)) add(path, `the container runtime socket (${RUNTIME_SOCKET.exec(node)?.[0]})`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, [...path, i]));
      return;
    }
    // A token given as an object (an IResolvable such as TerraformVariable.value, which has a
    // `resolve` method) is a value known at apply time; its object graph leads back into the
    // construct tree, so it is not walked.
    if (node === null || typeof node !== "object" || typeof (node as { resolve?: unknown }).resolve === "function") return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      const here = [...path, key];
      if (privileges) {
        if (RUNTIME_SOCKET.test(key)) add(here, `the container runtime socket (${RUNTIME_SOCKET.exec(key)?.[0]})`);
        if (key === "privileged" || key === "allowPrivilegeEscalation" || HOST_NAMESPACES.includes(key)) {
          const f = flag(value);
          if (f !== undefined) add(here, `${key}: true`, f === "unknown");
        }
        if (key === "hostPath" && value !== undefined && value !== null) add(here, "a hostPath volume");
        if (key === "hostPort") {
          if (isUnknown(value)) add(here, "a host port", true);
          else if (Number(value) > 0) add(here, `hostPort ${String(value)}`);
        }
        if (key === "procMount" && typeof value === "string") {
          if (isUnknown(value)) add(here, "procMount", true);
          else if (value.trim().toLowerCase() === "unmasked") add(here, "procMount: Unmasked");
        }
        if ((key === "seccompProfile" || key === "appArmorProfile") && value !== null && typeof value === "object") {
          const type = (value as Record<string, unknown>).type;
          if (isUnknown(type)) add([...here, "type"], `${key}.type`, true);
          else if (typeof type === "string" && type.trim().toLowerCase() === "unconfined") add([...here, "type"], `${key}.type: Unconfined`);
        }
        if (key === "seLinuxOptions" && value !== null && typeof value === "object") {
          const type = (value as Record<string, unknown>).type;
          if (isUnknown(type)) add([...here, "type"], "seLinuxOptions.type", true);
          else if (typeof type === "string" && type !== "" && !SELINUX_TYPES.includes(type)) add([...here, "type"], `seLinuxOptions.type: ${type}`);
        }
        if (key === "capabilities" && value !== null && typeof value === "object") {
          const added = (value as Record<string, unknown>).add;
          if (isUnknown(added)) add([...here, "add"], "added capabilities", true);
          else if (Array.isArray(added)) {
            const caps = added.filter((c) => isUnknown(c) || typeof c !== "string" || c.trim().toUpperCase().replace(/^CAP_/, "") !== "NET_BIND_SERVICE");
            if (caps.length > 0) add([...here, "add"], `added capabilities ${caps.map((c) => String(c)).join(", ")}`, caps.every(isUnknown));
          } else if (added !== undefined && added !== null) add([...here, "add"], "added capabilities", true);
        }
      }
      if (root) {
        if (key === "runAsUser") {
          if (isUnknown(value)) add(here, "runAsUser", true);
          else if (value === 0 || (typeof value === "string" && value.trim() === "0")) add(here, "runAsUser: 0 (root)");
        }
        if (key === "runAsNonRoot") {
          if (isUnknown(value)) add(here, "runAsNonRoot", true);
          else if (value === false || (typeof value === "string" && /^(false|no|off|0)$/i.test(value.trim()))) add(here, "runAsNonRoot: false");
        }
      }
      walk(value, here);
    }
  };
  walk(values, []);
  return out;
}
