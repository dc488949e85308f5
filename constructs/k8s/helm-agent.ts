import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Release } from "@cdktf/provider-helm/lib/release";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import { AGENT_HELM_REPOSITORY, AgentHelmChart, DEFAULT_AGENT_CHART_VERSION, HelmValues, HelmValuesOptions, helmValuesDocument, helmValuesOptionsShape, renderParsedHelmValues } from "../../agent/k8s";
import { resolveAgentSettings } from "../../agent/settings/agent-settings";
import { IssueCollector } from "../../core/issues";
import { intInRange, isToken, strictProps, tokenOr } from "../../core/validation";
import { KitChecks } from "../checks/kit-checks";
import { AgentRuntime, RuntimeAgentSettings, resolveRuntimeSettings, runtimePoolSchema } from "../runtime/agent-runtime";
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

/** Props of {@link HelmAgent}. */
export interface HelmAgentProps extends HelmValuesOptions {
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
 * (never in values), hardened pods, the metadata service blocked, and a PodDisruptionBudget where
 * the chart has none.
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
  /** The chart values the release gets (token-free). */
  public readonly values: HelmValues;
  /** The chart. */
  public readonly chart: AgentHelmChart;
  /** The release name. */
  public readonly releaseName: string;
  /** The namespace name. */
  public readonly namespaceName: string;

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
    // A namespace another HelmAgent of this stack creates is referenced, so it exists first.
    let sameStack: NamespaceV1 | undefined;
    issues.rule(["namespace", "createNamespace"], () => {
      sameStack = namespaceCreatedInStack(this, p.namespace);
      if (p.createNamespace && sameStack) {
        issues.add(
          "namespace",
          `is already created by ${sameStack.node.scope?.node.path ?? sameStack.node.path} in this stack; set \`createNamespace: false\` here to share it`,
          p.namespace,
        );
      }
    });

    // The chart reads the token from a Secret: the one created below for a Terraform value.
    const tokenSecretRef = settings?.token.kind === "terraform" && settings.token.value !== undefined ? { name: `${releaseName}-token`, key: "token" } : undefined;
    let values: HelmValues | undefined;
    if (settings) {
      // The chart options were parsed with the props (helmValuesOptionsShape): render from them.
      issues.rule(["settings", "pool", "chart", "replicas", "resources", "nodeSelector", "tolerations", "affinity", "allowMetadataService", "storage", "extraValues"], () => {
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
            extraValues: p.extraValues,
            tokenSecret: tokenSecretRef,
          },
          { subject },
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
    const namespace = (this.namespaceResource ?? sameStack)?.metadata.name ?? p.namespace;

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
      repository: p.repository,
      chart: p.chart,
      version: p.chartVersion,
      values: [helmValuesDocument(this.values)],
      atomic: true,
      cleanupOnFail: true,
      maxHistory: 10,
      timeout: p.timeoutSeconds,
      dependsOn: this.tokenSecret ? [this.tokenSecret] : undefined,
    });

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
