import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Release } from "@cdktf/provider-helm/lib/release";
import { Annotations, Lazy, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AGENT_HELM_REPOSITORY, AgentHelmChart, DEFAULT_AGENT_CHART_VERSION, HelmValues, HelmValuesOptions, helmValuesDocument, helmValuesOptionsShape, renderParsedHelmValues } from "../../agent/k8s";
import { resolveAgentSettings } from "../../agent/settings/agent-settings";
import { IssueCollector } from "../../core/issues";
import { terraformLiteral } from "../../core/terraform-literal";
import { intInRange, isToken, strictProps, tokenOr } from "../../core/validation";
import { KitChecks } from "../checks/kit-checks";
import { AgentRuntime, RuntimeAgentSettings, resolveRuntimeSettings, runtimePoolSchema } from "../runtime/agent-runtime";
import { addReviewFile } from "../runtime/review-files";
import { resolveTokens } from "../../core/cdktf-internals";
import { stringify as stringifyYaml } from "yaml";
import { AgentPool } from "../scalr/agent-pool";

/** AgentSettings where the token and pool kind may come from `pool` ({@link RuntimeAgentSettings}). */
export type HelmAgentSettings = RuntimeAgentSettings;

/**
 * What HelmAgent takes from a pool and a token: both pool kinds (a VCS pool on agent-local only,
 * which the chart rules check), and a token it can hand to the chart as a Secret.
 */
const KUBERNETES_AGENT_RUNTIME: AgentRuntime = {
  tokenSources: {
    accepted: ["terraform", "kubernetes-secret"],
    message: "must be a Terraform value (HelmAgent stores it in a Secret) or AgentTokenSource.fromKubernetesSecret(name, key) (e.g. synced by External Secrets)",
    example: "AgentTokenSource.fromKubernetesSecret(name)",
  },
};

/**
 * Props of {@link HelmAgent}. The chart options of {@link HelmValuesOptions} except `tokenSecret`:
 * HelmAgent names the token's Secret itself (an existing one through
 * `settings.token: AgentTokenSource.fromKubernetesSecret(name, key)`).
 */
export interface HelmAgentProps extends Omit<HelmValuesOptions, "tokenSecret"> {
  /**
   * The agent: Scalr URL, token, shutdown, proxy, CA bundle, … The token is a Terraform value
   * (stored in a Secret this construct creates) or `AgentTokenSource.fromKubernetesSecret(name, key)`
   * (a Secret you already have).
   */
  readonly settings: HelmAgentSettings;
  /** The pool the agents join; supplies the token and kind unless `settings` names them. @default - none */
  readonly pool?: AgentPool;
  /** Exact chart version (no ranges: a range makes plans drift). @default "0.6.5" */
  readonly chartVersion?: string;
  /** Chart repository, e.g. an internal mirror. @default "https://scalr.github.io/agent-helm/" */
  readonly repository?: string;
  /** Helm release name (a DNS label of at most 53 characters, known at synth time). @default - the construct id in kebab case */
  readonly releaseName?: string;
  /** Namespace of the release. @default "scalr-agent" */
  readonly namespace?: string;
  /** Create the namespace (set false to use one that exists). @default true */
  readonly createNamespace?: boolean;
  /**
   * A PodDisruptionBudget (at most one agent pod evicted at a time) for agent-local with more than
   * one replica. agent-job ships its own budgets. agent-k8s gets none: its controller and its worker
   * DaemonSet share the chart's selector labels, and a budget that selects DaemonSet pods makes the
   * disruption controller allow no eviction, so node drains hang. With one agent-local replica a
   * budget of `maxUnavailable: 1` protects nothing.
   * @default - true for agent-local with `replicas` > 1 (or a Terraform reference), otherwise false
   */
  readonly podDisruptionBudget?: boolean;
  /** Seconds Helm waits for the release to become ready. @default 600 */
  readonly timeoutSeconds?: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsLabel = (max: number) =>
  tokenOr(
    z
      .string()
      .max(max, { error: `must be a lowercase DNS label of at most ${max} characters` })
      .regex(DNS_LABEL, { error: `must be a lowercase DNS label of at most ${max} characters (a-z, 0-9, '-', starting and ending with a letter or digit)` }),
  );

const propsSchema = strictProps({
  ...helmValuesOptionsShape,
  tokenSecret: z
    .unknown()
    .refine((v) => v === undefined, {
      error:
        "is not a HelmAgent prop: name an existing Secret with `settings.token: AgentTokenSource.fromKubernetesSecret(name, key)` (without one, HelmAgent creates the Secret from the pool token)",
      abort: true,
    })
    .optional(),
  settings: z.record(z.string(), z.unknown(), { error: "must be an object of agent settings" }),
  pool: runtimePoolSchema.optional(),
  chartVersion: z
    .string()
    .regex(/^0\.6\.\d+$/, { error: "must be an exact 0.6.x chart version such as 0.6.5 (the kit renders values for the 0.6 charts; ranges make plans drift)" })
    .default(DEFAULT_AGENT_CHART_VERSION),
  repository: tokenOr(z.url({ protocol: /^(https|oci)$/, error: "must be an https:// or oci:// repository URL" })).default(AGENT_HELM_REPOSITORY),
  // Never a Terraform reference: the name also names the token Secret and the budget, and is
  // checked as a DNS label here.
  releaseName: z
    .string({ error: "must be a lowercase DNS label of at most 53 characters" })
    .refine((v) => !isToken(v), { error: "must be known at synth time (a literal, not a Terraform reference): it also names the token Secret and the PodDisruptionBudget", abort: true })
    .pipe(dnsLabel(53))
    .optional(),
  namespace: dnsLabel(63).default("scalr-agent"),
  createNamespace: z.boolean().default(true),
  podDisruptionBudget: z.boolean().optional(),
  timeoutSeconds: intInRange(30, 86400).default(600),
});

/**
 * Scalr agents on Kubernetes through Scalr's own charts (`agent-local`, `agent-k8s`, `agent-job`):
 * a pinned `helm_release`, its namespace, the token in a Kubernetes Secret that the chart references
 * (never in values), hardened pods, the metadata service blocked where runs execute (the chart's
 * NetworkPolicy, plus one over agent-k8s task pods, which the chart's does not select), and a
 * PodDisruptionBudget where the chart has none. A NetworkPolicy works only on a CNI that enforces
 * it (on EKS, the VPC CNI with network policy enabled).
 *
 * @example
 * new HelmAgent(this, "VcsAgent", { chart: "agent-local", pool: vcsPool, settings: { scalrUrl: "https://example.scalr.io" } });
 */
export class HelmAgent extends Construct {
  /** The `helm_release` (escape hatch). */
  public readonly release: Release;
  /** The namespace, when the construct creates it. */
  public readonly namespaceResource?: NamespaceV1;
  /** The Secret holding the token, when the token is a Terraform value. */
  public readonly tokenSecret?: SecretV1;
  /** The PodDisruptionBudget, for agent-local with more than one replica. */
  public readonly podDisruptionBudget?: PodDisruptionBudgetV1;
  /**
   * The NetworkPolicy that keeps agent-k8s task pods (where runs execute) from the metadata
   * service; the chart's own policy selects only its controller and worker pods.
   */
  public readonly taskNetworkPolicy?: NetworkPolicyV1;
  /** The chart values the release gets (token-free). */
  public readonly values: HelmValues;
  /** The chart. */
  public readonly chart: AgentHelmChart;
  /** The release name. */
  public readonly releaseName: string;
  /** The namespace name. */
  public readonly namespaceName: string;
  /** The exact chart version installed. */
  public readonly chartVersion: string;
  /** The chart repository. */
  public readonly repository: string;
  /** The ID of the pool the agents join (`apool-…`), when `pool` was given. */
  public readonly poolId?: string;

  public constructor(scope: Construct, id: string, props: HelmAgentProps) {
    super(scope, id);
    const subject = this.node.path;
    const issues = new IssueCollector({ subject });
    const p = issues.parse(propsSchema, props);
    const settings = resolveRuntimeSettings(issues, props, KUBERNETES_AGENT_RUNTIME);
    // Every field of the settings, whatever else is wrong; the chart's own rules follow with the values.
    if (settings) issues.rule([], () => resolveAgentSettings(settings, { subject, fieldPrefix: "settings" }));

    const releaseName = p?.releaseName ?? kebab(id);
    issues.rule(["releaseName"], () => {
      if (!DNS_LABEL.test(releaseName) || releaseName.length > 53) {
        issues.add("releaseName", "must be set: the construct id does not make a DNS label of at most 53 characters", releaseName);
      }
    });
    // Two agents of a stack may not both create one namespace (whichever is declared second fails).
    issues.rule(["namespace", "createNamespace"], () => {
      const sameStack = p.createNamespace ? namespaceCreatedInStack(this, p.namespace) : undefined;
      if (sameStack) {
        issues.add(
          "namespace",
          `is already created by ${sameStack.node.scope?.node.path ?? sameStack.node.path} in this stack; set \`createNamespace: false\` here to share it`,
          p.namespace,
        );
      }
    });

    // The chart reads the token from a Secret: the one created below for a Terraform value.
    const tokenSecretRef = settings?.token.kind === "terraform" && settings.token.value !== undefined ? { name: `${releaseName}-token`, key: "token" } : undefined;
    // agent-k8s task pods carry only the labels the controller is given; they get the release's,
    // so the task NetworkPolicy below can select them (see agent/k8s/agent-k8s.ts).
    const taskPodLabels = p?.chart === "agent-k8s" && !p.allowMetadataService ? { "app.kubernetes.io/instance": releaseName, "app.kubernetes.io/component": "task" } : undefined;
    let values: HelmValues | undefined;
    if (settings) {
      // The chart options were parsed with the props (helmValuesOptionsShape): render from them.
      issues.rule(["settings", "pool", "chart", "replicas", "resources", "nodeSelector", "tolerations", "affinity", "allowMetadataService", "storage", "serviceCidr", "extraValues"], () => {
        values = renderParsedHelmValues(
          settings,
          {
            chart: p.chart,
            replicas: p.replicas,
            resources: p.resources,
            nodeSelector: p.nodeSelector,
            tolerations: p.tolerations,
            affinity: p.affinity,
            allowMetadataService: p.allowMetadataService,
            storage: p.storage,
            serviceCidr: p.serviceCidr,
            extraValues: p.extraValues,
            tokenSecret: tokenSecretRef,
          },
          { subject },
          { taskPodLabels },
        );
      });
    }

    issues.rule(["podDisruptionBudget", "chart", "replicas"], () => {
      if (p.podDisruptionBudget === true && p.chart === "agent-k8s") {
        issues.add(
          "podDisruptionBudget",
          "is not supported by agent-k8s: its controller and worker DaemonSet pods share the chart's labels, and a budget over DaemonSet pods blocks every node drain",
          true,
        );
      }
      if (p.podDisruptionBudget === true && p.chart === "agent-local" && !budgetUseful(p.chart, p.replicas)) {
        issues.add("podDisruptionBudget", "needs `replicas` > 1: with one agent pod a budget of maxUnavailable 1 protects nothing", true);
      }
    });
    issues.throwIfAny();
    // Valid from here on: the settings resolved and the values rendered.
    const token = (settings as NonNullable<typeof settings>).token;
    this.values = values as HelmValues;

    this.chart = p.chart;
    this.releaseName = releaseName;
    this.namespaceName = p.namespace;
    this.chartVersion = p.chartVersion;
    this.repository = p.repository;
    this.poolId = props.pool?.poolId;
    if (settings?.proxy) warnProxyWithoutServiceCidr(this, p.chart, p.serviceCidr, settings.proxy.noProxy ?? []);

    if (p.createNamespace) {
      this.namespaceResource = new NamespaceV1(this, "Namespace", {
        metadata: {
          name: p.namespace,
          labels: {
            "app.kubernetes.io/managed-by": "cdktf-scalr-kit",
            // Report pods that fall short of the restricted profile without blocking the chart's own.
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      });
    }
    // A namespace another HelmAgent of this stack creates is referenced, so it exists first. Looked
    // up when the stack is synthesized, so the order in which the agents are declared does not matter.
    const namespace =
      this.namespaceResource?.metadata.name ??
      Lazy.stringValue({ produce: () => namespaceCreatedInStack(this, p.namespace)?.metadata.name ?? p.namespace });

    if (tokenSecretRef) {
      this.tokenSecret = new SecretV1(this, "TokenSecret", {
        metadata: { name: tokenSecretRef.name, namespace, labels: { "app.kubernetes.io/instance": this.releaseName } },
        type: "Opaque",
        data: { token: token.value as string },
      });
    }

    this.release = new Release(this, "Resource", {
      name: this.releaseName,
      namespace,
      repository: terraformLiteral(p.repository),
      chart: p.chart,
      version: p.chartVersion,
      values: [helmValuesDocument(this.values)],
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: p.timeoutSeconds,
      dependsOn: this.tokenSecret ? [this.tokenSecret] : undefined,
    });
    // The plan shows the values as one JSON string: the same values as YAML, for review, next to the
    // stack (references appear as Terraform expressions; the token is a Secret reference, never a value).
    addReviewFile(this, "values.yaml", () => stringifyYaml(resolveTokens(TerraformStack.of(this), this.values), { lineWidth: 0 }));

    if (taskPodLabels) {
      // The same egress as the charts' own policies over the pods that run Terraform: DNS, and
      // everything outside the cluster but the metadata service (Scalr/agent-helm
      // charts/agent-job/templates/networkpolicy.yaml @ cf283e1). agent-k8s creates task pods in
      // the release namespace (its Role grants pods there only: charts/agent-k8s/templates/role.yaml).
      this.taskNetworkPolicy = new NetworkPolicyV1(this, "TaskNetworkPolicy", {
        metadata: {
          name: `${this.releaseName}-task-metadata`,
          namespace,
          labels: { "app.kubernetes.io/managed-by": "cdktf-scalr-kit", "app.kubernetes.io/instance": this.releaseName },
        },
        spec: {
          podSelector: { matchLabels: taskPodLabels },
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: {} }],
              ports: [
                { port: "53", protocol: "UDP" },
                { port: "53", protocol: "TCP" },
              ],
            },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] },
          ],
        },
      });
    }

    if (p.chart === "agent-k8s") {
      KitChecks.acknowledge(
        this,
        "KIT-K8S-2",
        "agent-k8s workers write the host path agent.data_home and run as root by the chart's design; they get no privilege escalation, no capabilities and the RuntimeDefault seccomp profile",
      );
    }

    if ((p.podDisruptionBudget ?? true) && budgetUseful(p.chart, p.replicas)) {
      const nameOverride = p.extraValues.nameOverride;
      this.podDisruptionBudget = new PodDisruptionBudgetV1(this, "DisruptionBudget", {
        metadata: { name: `${this.releaseName}-agents`, namespace },
        spec: {
          maxUnavailable: "1",
          // The charts' selector labels: app.kubernetes.io/name is the chart name or its nameOverride.
          selector: {
            matchLabels: {
              "app.kubernetes.io/name": typeof nameOverride === "string" && nameOverride !== "" ? nameOverride : p.chart,
              "app.kubernetes.io/instance": this.releaseName,
            },
          },
        },
      });
    }
  }
}

/** Proxy entries that name addresses rather than hosts: an IPv4 or IPv6 address or CIDR. */
const ADDRESS_ENTRY = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F]*:[0-9a-fA-F:]*)(\/\d{1,3})?$/;

/**
 * agent-k8s and agent-job agents call the Kubernetes API (their Roles grant pods and jobs), from
 * inside a pod at KUBERNETES_SERVICE_HOST, an IP of the Service CIDR
 * (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/) that no name in NO_PROXY
 * matches. Unverified how the agent's HTTP client treats it (the agent is not open source), and the
 * proxy may well reach the API server, so this is a warning.
 */
function warnProxyWithoutServiceCidr(scope: HelmAgent, chart: AgentHelmChart, serviceCidr: string | undefined, noProxy: readonly string[]): void {
  if (chart === "agent-local" || serviceCidr !== undefined) return;
  if (noProxy.some((entry) => isToken(entry) || ADDRESS_ENTRY.test(entry))) return;
  Annotations.of(scope).addWarning(
    `${scope.node.path}: \`serviceCidr\` is not set: ${chart} agents call the Kubernetes API at KUBERNETES_SERVICE_HOST, an IP address of the cluster's Service CIDR that no name in NO_PROXY matches, so those calls go through \`settings.proxy\`. Set \`serviceCidr\` (on EKS: \`aws eks describe-cluster --query cluster.kubernetesNetworkConfig.serviceIpv4Cidr\`) or add the CIDR to \`settings.proxy.noProxy\`, unless the proxy reaches the API server (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/)`,
  );
}

/** A budget protects something for agent-local with more than one replica (or a Terraform reference). */
function budgetUseful(chart: AgentHelmChart, replicas: number | undefined): boolean {
  const n = replicas ?? 1;
  return chart === "agent-local" && (isToken(n) || n > 1);
}

/**
 * The namespace named `name` that another HelmAgent of the stack `scope` belongs to creates, if
 * any: found in the construct tree (its `Namespace` child), so two agents can share a namespace
 * and the second one references the first one's resource.
 */
function namespaceCreatedInStack(scope: HelmAgent, name: string): NamespaceV1 | undefined {
  for (const c of TerraformStack.of(scope).node.findAll()) {
    if (c instanceof HelmAgent && c !== scope && c.namespaceName === name) {
      const namespace = c.node.tryFindChild("Namespace");
      if (namespace instanceof NamespaceV1) return namespace;
    }
  }
  return undefined;
}

/** `RunAgent` → `run-agent`. */
function kebab(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}
