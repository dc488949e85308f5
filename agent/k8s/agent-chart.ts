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
  /** The chart takes the CA bundle as a path (`settings.caBundle.path`); the others mount it from a PEM in their values. */
  readonly caBundleByPath: boolean;
  /** Rejects chart options the chart has no value for (checked with the settings, before rendering). */
  checkOptions?(r: ValuesRenderer, o: ParsedHelmValuesOptions): void;
  /** Renders the settings where the chart reads them, checking those the chart computes itself. */
  render(r: ValuesRenderer, input: ChartRenderInput): void;
}
