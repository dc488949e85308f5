import { z } from "zod";
import { AgentHelmChart } from "./agent-helm-chart";
import { AgentSettings } from "../settings/agent-settings";
import { intInRange, strictProps, tokenOr } from "../../core/validation";

/** A Kubernetes toleration. */
export interface KubernetesToleration {
  /** Taint key; empty with `Exists` tolerates every taint. @default - every key */
  readonly key?: string;
  /** @default "Equal" */
  readonly operator?: "Exists" | "Equal";
  /** Taint value (with `Equal`). @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /** How long a `NoExecute` taint is tolerated. @default - forever */
  readonly tolerationSeconds?: number;
}

/** CPU and memory as Kubernetes quantities (`"500m"`, `"2"`, `"1Gi"`). */
export interface KubernetesResourceList {
  readonly cpu?: string;
  readonly memory?: string;
}

/** Requests and limits of the agent container. */
export interface KubernetesResources {
  readonly requests?: KubernetesResourceList;
  readonly limits?: KubernetesResourceList;
}

/** Size limits of the agent's ephemeral (`emptyDir`) volumes. */
export interface HelmAgentStorage {
  /** Data directory volume, e.g. `"8Gi"`. @default - the chart's (agent-local 4Gi, agent-job 4Gi) */
  readonly dataSizeLimit?: string;
  /** Cache directory volume, e.g. `"40Gi"`. @default - the chart's (agent-local 20Gi, agent-job 1Gi) */
  readonly cacheSizeLimit?: string;
  /**
   * An existing ReadWriteMany PersistentVolumeClaim (e.g. Amazon EFS through the EFS CSI driver, with
   * an access point for uid/gid 1000) as the cache directory, shared by every agent (agent-local) or
   * every task pod (agent-job) of the release: the chart's `persistence.cache` with
   * `persistentVolumeClaim.claimName`, and the agent's provider cache on. See Scalr's guide,
   * https://github.com/Scalr/agent-helm/blob/cf283e17c18b67f61ffca50bb26f819617348b7d/charts/agent-job/docs/cache-persistence-efs.md.
   * Not with `cacheSizeLimit` (an emptyDir's limit).
   * @default - an emptyDir per pod (the cache lives as long as the pod)
   */
  readonly cacheClaimName?: string;
}

/** The Secret the chart reads the pool token from. */
export interface HelmTokenSecret {
  /** Secret name. */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** What {@link renderHelmValues} needs besides the agent settings. */
export interface HelmValuesOptions {
  /** The chart. `agent-local` is the only one for VCS pools. @default "agent-local" */
  readonly chart?: AgentHelmChart;
  /**
   * The Secret holding the token when `settings.token` is a Terraform value (HelmAgent creates it).
   * @default - `settings.token` must come from `AgentTokenSource.fromKubernetesSecret`
   */
  readonly tokenSecret?: HelmTokenSecret;
  /** Agent pods (agent-local) or controller pods (agent-job). agent-k8s runs a worker per node. @default 1 */
  readonly replicas?: number;
  /** Agent container resources. @default - the chart's */
  readonly resources?: KubernetesResources;
  /** Node labels agent pods (and, for agent-k8s and agent-job, task pods) must match. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Tolerations of agent pods (and task pods). @default [] */
  readonly tolerations?: readonly KubernetesToleration[];
  /** Affinity of agent pods (and agent-job task pods); not supported by agent-k8s. @default - none */
  readonly affinity?: Readonly<Record<string, unknown>>;
  /**
   * Let runs reach the cloud metadata service (169.254.169.254) and so the node's credentials.
   * Off by default: the chart's NetworkPolicy blocks it.
   * @default false
   */
  readonly allowMetadataService?: boolean;
  /** Size limits of the ephemeral data and cache volumes (agent-local, agent-job). @default - the chart's */
  readonly storage?: HelmAgentStorage;
  /**
   * The cluster's Service CIDR (e.g. `"10.100.0.0/16"`; on EKS `kubernetesNetworkConfig.serviceIpv4Cidr`
   * of the cluster), added to NO_PROXY when `settings.proxy` is set: the agent reaches the Kubernetes
   * API at KUBERNETES_SERVICE_HOST, an IP of that range, which the in-cluster names the kit keeps
   * direct (`.svc`, `.cluster.local`) do not match. Matters for agent-k8s and agent-job, whose agents
   * call the API; HelmAgent warns when they have a proxy and neither this nor a CIDR in `proxy.noProxy`.
   * @default - none
   */
  readonly serviceCidr?: string;
  /**
   * More chart values, merged into what the kit renders. Checked against the chart's keys (typos
   * fail), may add keys next to the kit's but not replace a value it renders from a setting (the
   * error names that setting) or a hardened default, and may never hold the token. The keys differ
   * per chart, e.g. the pull policy is `image.pullPolicy` on agent-local and agent-k8s but
   * `agent.image.pullPolicy` on agent-job; pod annotations are `podAnnotations` (agent-local,
   * agent-k8s) or `global.podAnnotations` / `agent.podAnnotations` / `task.podAnnotations` (agent-job).
   * See each chart's values.yaml (https://github.com/Scalr/agent-helm/tree/master/charts).
   * @default {}
   */
  readonly extraValues?: Readonly<Record<string, unknown>>;
}

/** Everything {@link renderHelmValues} takes. */
export interface HelmValuesInput extends HelmValuesOptions {
  /** The agent. */
  readonly settings: AgentSettings;
}

/** Chart values, ready for `helm_release.values` (serialize with {@link helmValuesDocument}). */
export type HelmValues = Record<string, unknown>;

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

const CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)|[0-9a-fA-F:]*:[0-9a-fA-F:]*\/(12[0-8]|1[01]\d|[1-9]?\d))$/;

const quantity = (example: string) =>
  tokenOr(z.string().regex(QUANTITY, { error: `must be a Kubernetes quantity such as "${example}"` }));
const resourceList = strictProps({ cpu: quantity("500m").optional(), memory: quantity("1Gi").optional() });

/** zod schema of {@link HelmValuesOptions} (shared with HelmAgent's props). */
export const helmValuesOptionsShape = {
  chart: z.enum(["agent-local", "agent-k8s", "agent-job"]).default("agent-local"),
  tokenSecret: strictProps({
    name: tokenOr(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a Kubernetes object name" })),
    key: tokenOr(z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a Secret key (letters, digits, '-', '_', '.')" })),
  }).optional(),
  replicas: intInRange(0, 100).optional(),
  resources: strictProps({ requests: resourceList.optional(), limits: resourceList.optional() }).optional(),
  nodeSelector: z
    .record(z.string(), tokenOr(z.string().regex(LABEL_VALUE, { error: "must be a Kubernetes label value (at most 63 letters, digits, '-', '_', '.')" })))
    .superRefine((labels, c) => {
      for (const key of Object.keys(labels)) {
        if (!LABEL_KEY.test(key)) c.addIssue({ code: "custom", path: [key], input: key, message: "must be a Kubernetes label key ([prefix/]name)" });
      }
    })
    .optional(),
  tolerations: z
    .array(
      strictProps({
        key: tokenOr(z.string().regex(LABEL_KEY, { error: "must be a taint key" })).optional(),
        operator: z.enum(["Exists", "Equal"]).optional(),
        value: tokenOr(z.string()).optional(),
        effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
        tolerationSeconds: intInRange(0, 31536000).optional(),
      }).refine((t) => !(t.operator === "Exists" && t.value !== undefined), { error: 'must not set `value` with operator "Exists"' }),
    )
    .optional(),
  affinity: z.partialRecord(z.enum(["nodeAffinity", "podAffinity", "podAntiAffinity"]), z.record(z.string(), z.unknown())).optional(),
  allowMetadataService: z.boolean().default(false),
  storage: strictProps({
    dataSizeLimit: quantity("8Gi").optional(),
    cacheSizeLimit: quantity("40Gi").optional(),
    cacheClaimName: tokenOr(z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { error: "must be a PersistentVolumeClaim name (lower-case letters, digits, '-', '.')" })).optional(),
  })
    .refine((st) => !(st.cacheClaimName !== undefined && st.cacheSizeLimit !== undefined), {
      error: "must not set both `cacheClaimName` and `cacheSizeLimit`: the size limit is an emptyDir's, and the claim replaces the emptyDir",
    })
    .optional(),
  serviceCidr: tokenOr(
    z.string().regex(CIDR, { error: 'must be the cluster\'s Service CIDR, e.g. "10.100.0.0/16" or "fd00:10:96::/112"' }),
  ).optional(),
  extraValues: z.record(z.string(), z.unknown()).default({}),
};

/** zod schema of {@link HelmValuesInput}: the settings are parsed later, by `resolveAgentSettings`. */
export const helmValuesInputSchema = strictProps({ settings: z.unknown(), ...helmValuesOptionsShape });

/** {@link HelmValuesOptions} as parsed by {@link helmValuesOptionsShape} (defaults applied). */
export type ParsedHelmValuesOptions = Omit<z.output<typeof helmValuesInputSchema>, "settings">;
