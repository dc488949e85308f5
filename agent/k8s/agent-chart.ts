import { z } from "zod";
import { AgentHelmChart } from "./agent-helm-chart";
import { ImageParts } from "./chart-image";
import { HelmTokenSecret, ParsedHelmValuesOptions } from "./helm-values-options";
import { ValuesRenderer } from "./values-renderer";
import { AgentSettings, ResolvedAgentSettings } from "../settings/agent-settings";

/** What every chart's rendering gets from the shared part (`renderHelmValues`). */
export interface ChartRenderInput {
  /** The settings as given (to tell a setting that was set from a default). */
  readonly raw: AgentSettings;
  /** The settings with defaults applied. */
  readonly settings: ResolvedAgentSettings;
  /** The chart options. */
  readonly options: ParsedHelmValuesOptions;
  /**
   * Takes an agent variable the chart has a value for (or computes itself) out of the environment
   * rendered from the settings; what is left goes to the chart's `extraEnv`.
   */
  readonly take: (name: string) => string | undefined;
  /** The Secret the chart reads the token from. */
  readonly tokenSecret: HelmTokenSecret;
  /** The agent image, checked. */
  readonly image: ImageParts;
  /** The endpoints the proxy must never see in the chart's pods, before the user's `proxy.noProxy`. */
  readonly noProxy: readonly string[];
  /** Labels for the pods the agent starts per run (agent-k8s), so a NetworkPolicy can select them. */
  readonly taskPodLabels?: Readonly<Record<string, string>>;
}

/** What HelmAgent adds to the chart options when it renders values for a release. */
export interface HelmReleaseContext {
  /**
   * Labels for the pods the agent starts per run, when the chart gives those pods no labels a
   * NetworkPolicy could select (agent-k8s: `agent.kubernetes_task_labels`).
   */
  readonly taskPodLabels?: Readonly<Record<string, string>>;
}

/** One of Scalr's agent charts: its values model and how the kit renders its values. */
export interface AgentChart {
  readonly name: AgentHelmChart;
  /** The kit's model of the chart's values (keys and the types it knows), for `extraValues`. */
  readonly values: z.ZodType;
  /** Where the chart takes the agent variables it has no value for. */
  readonly extraEnvPath: string;
  /** Runs execute in the agent pod (so VCS pools and `settings.hooksDir` work); the other charts start a pod per run task. */
  readonly runsInAgentPod: boolean;
  /**
   * Why `settings.caBundle.path` cannot work with this chart, and what to do instead: no chart
   * mounts a file the user names (each chart's module cites its templates).
   */
  readonly caBundlePathMessage: string;
  /** Where the chart takes image pull Secrets (a list of `{ name }`). */
  readonly imagePullSecretsPath: string;
  /** Rejects chart options the chart has no value for (checked with the settings, before rendering). */
  checkOptions?(r: ValuesRenderer, o: ParsedHelmValuesOptions): void;
  /** Renders the settings where the chart reads them, checking those the chart computes itself. */
  render(r: ValuesRenderer, input: ChartRenderInput): void;
}
