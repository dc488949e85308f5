/**
 * cdktf-scalr-kit: CDKTF constructs for Scalr self-hosted agents and the Scalr side.
 *
 * This is the package's public API, name by name: what README.md documents and a user's typed code
 * needs. Everything else (schemas, parsers, renderers' inner pieces, rule internals) stays private
 * to its module, so files can move without breaking a user. Exports come from the folder indexes
 * only. `npm run api` records this API in etc/cdktf-scalr-kit.api.md (a test fails when it is stale).
 *
 * The generated L1 bindings of the Scalr provider are not re-exported here (importing all of them
 * costs load time); import them by resource: `cdktf-scalr-kit/providers/scalr/<resource>`.
 */

// Errors and helpers: the kit's validation error, and JSON for Terraform arguments with references.
export { KitValidationError, type ValidationContext, type ValidationIssue, terraformJson, terraformLiteral } from "./core";

// AgentSettings: the one agent model every runtime renders from, and where its token comes from.
export {
  type AgentCacheSettings,
  type AgentDriver,
  type AgentEnvironment,
  type AgentEnvironmentRuntime,
  type AgentImage,
  type AgentImageEcr,
  type AgentLogFormat,
  type AgentPoolKind,
  type AgentProxy,
  type AgentSecretVariable,
  type AgentSettings,
  type AgentShutdownMode,
  type AgentShutdownSettings,
  type AgentTelemetrySettings,
  AgentTokenSource,
  type AgentTokenSourceKind,
  type AgentTokenSourceOptions,
  type CaBundle,
  type ContainerTaskImageMode,
  type ContainerTaskSettings,
  DEFAULT_AGENT_IMAGE,
  ecrRegistryHost,
  ecrRegistryOf,
  ImagePullCredentials,
  type ImagePullCredentialsKind,
  type ProviderNetworkMirror,
  type ResolvedAgentImage,
  type ResolvedAgentImageEcr,
  type ResolvedAgentSettings,
  type ResolvedShutdown,
  renderAgentEnvironment,
  resolveAgentSettings,
} from "./agent/settings";

// VM runtime: cloud-init user data from AgentSettings, for EC2 or any other cloud.
// CloudConfig, SystemdUnit and SystemdCommand are the parts of a rendered VmUserData: types only.
export {
  type CloudConfig,
  type CloudConfigCommand,
  type CloudConfigFile,
  type CloudConfigProps,
  type CloudConfigYumRepo,
  type YamlValue,
  renderVmUserData,
  type SystemdCommand,
  type SystemdEntries,
  type SystemdSections,
  type SystemdUnit,
  type SystemdValue,
  type VmAutoScalingDrain,
  type VmInstallMode,
  type VmOperatingSystem,
  type VmScript,
  VmTokenFetch,
  type VmTokenFetchKind,
  type VmUserData,
  type VmUserDataOptions,
} from "./agent/vm";

// ECS runtime: an agent container's environment and secrets from AgentSettings.
export {
  ADOT_COLLECTOR_IMAGE,
  type EcsAgentContainerEnvironment,
  type EcsEnvironmentVariable,
  type EcsSecretVariable,
  renderEcsContainerEnvironment,
} from "./agent/ecs";

// Kubernetes runtime: values of Scalr's agent charts from AgentSettings.
export {
  type AgentHelmChart,
  DEFAULT_AGENT_CHART_VERSION,
  type HelmAgentStorage,
  type HelmTokenSecret,
  type HelmValues,
  type HelmValuesInput,
  type HelmValuesOptions,
  helmValuesDocument,
  type KubernetesResourceList,
  type KubernetesResources,
  type KubernetesToleration,
  renderHelmValues,
} from "./agent/k8s";

// Scalr side: agent pools, environments, workspaces, variables, provider configurations, policy groups, tags.
export {
  AgentPool,
  type AgentPoolProps,
  type AgentPoolWebhook,
  type AgentPoolWebhookHeader,
  type AwsProviderConfigurationOptions,
  type AzureProviderConfigurationOptions,
  type CustomProviderArgument,
  Environment,
  type EnvironmentProps,
  type GoogleProviderConfigurationOptions,
  type IAgentPool,
  type IEnvironment,
  type IPolicyGroup,
  type IProviderConfiguration,
  type ITag,
  type IWorkspace,
  type KubernetesProviderConfigurationOptions,
  PolicyGroup,
  type PolicyGroupProps,
  type PolicyGroupRepository,
  ProviderConfiguration,
  type ProviderConfigurationKind,
  type ProviderConfigurationProps,
  MAX_RUN_TRIGGER_UPSTREAMS,
  scalrBackend,
  scalrBackendOf,
  type ScalrBackendProps,
  type ScalrBackendSettings,
  ScalrStackWorkspaces,
  type ScalrStackWorkspacesProps,
  ScalrProviderFromVariables,
  type OidcRunOptions,
  type ScalrOidcSubject,
  SensitiveOutputCheck,
  type ShareRequester,
  type StackDeployOrder,
  type StackWorkspaceSettings,
  type StackWorkspacesVcsSource,
  Tag,
  type TagProps,
  type TerraformRcCredentials,
  type TerraformRcOptions,
  type TerraformRcProviderInstallationMethod,
  Variable,
  type VariableCategory,
  type VariableOptions,
  type VariableProps,
  Workspace,
  type WorkspaceHooks,
  type WorkspaceProps,
  type WorkspaceProviderConfigurationLink,
  type WorkspaceVcsSource,
} from "./constructs/scalr";

// The settings every runtime construct takes next to its `pool`.
export { DEFAULT_TOKEN_NAME, type RuntimeAgentSettings, TOKEN_NAME_VARIABLE } from "./constructs/runtime";

// VM agents on EC2: an Auto Scaling group that drains before it terminates.
export {
  EC2_INSTANCE_TYPES,
  type Ec2Architecture,
  type Ec2InstanceTypeInfo,
  VmAgentFleet,
  type VmAgentFleetInstanceRefresh,
  type VmAgentFleetProps,
  type VmAgentFleetSettings,
  type VmAgentFleetSpot,
} from "./constructs/vm";

// ECS agents: a Fargate agent task, a persistent service of agents, the serverless pool, and a shared metrics collector.
export {
  AGENT_COLLECTOR_HOST,
  AGENT_COLLECTOR_SERVICE_IDS,
  AgentCollectorService,
  type AgentCollectorServiceProps,
  EcsAgentService,
  type EcsAgentServiceAutoscaling,
  type EcsAgentServiceProps,
  type EcsAgentServiceSettings,
  type FargateAgentSettings,
  type FargateCollectorOptions,
  type FargateCollectorOtlpExporter,
  type FargateSharedCacheOptions,
  FargateAgentTask,
  type FargateAgentTaskProps,
  SERVERLESS_AGENT_POOL_OPERATIONS_IDS,
  SERVERLESS_INTAKE_DEFAULTS,
  SERVERLESS_SPOT_READ_ONLY_ACTIONS,
  ServerlessAgentPool,
  type ServerlessAgentPoolProps,
  type ServerlessAgentSettings,
  SHARED_CACHE_DEFAULT_SIZE_LIMIT_MIB,
  SHARED_CACHE_MOUNT_PATH,
  SharedProviderCache,
  TIME_TO_START_TARGET_DEFAULT_SECONDS,
  type SharedProviderCacheProps,
} from "./constructs/ecs";

// Queue-driven autoscaling of an agent fleet (VmAgentFleet or EcsAgentService), and its read-only Scalr identity.
export { AGENT_AUTOSCALER_IDS, AgentAutoscaler, type AgentAutoscalerPolicy, type AgentAutoscalerProps, type AgentAutoscalerRunEvents, type AgentAutoscalerToken } from "./constructs";
export { AUTOSCALER_SCALR_IDENTITY_IDS, AutoscalerScalrIdentity, type AutoscalerScalrCustomRole, type AutoscalerScalrIdentityProps } from "./constructs";

// Kubernetes agents: Scalr's Helm charts, pinned and hardened.
export { HelmAgent, type HelmAgentProps, type HelmAgentSettings } from "./constructs/k8s";

// KitChecks: the kit's security and reliability rules at synth time, and acknowledged exceptions.
export {
  type KitAcknowledgement,
  KitChecks,
  type KitChecksOptions,
  type KitChecksReport,
  type KitRule,
  type KitRuleArea,
  type KitRuleFinding,
  type KitRuleSeverity,
  type KitRuleSource,
  type KitViolation,
} from "./constructs/checks";

// The vending machine: a whole Scalr account from one validated spec.
export {
  type AgentPoolAutoscalingSpec,
  type AgentPoolSpec,
  type AwsProviderConfigurationSpec,
  type EnvironmentSpec,
  type PolicyGroupSpec,
  type ProviderConfigurationSpec,
  type OidcRunOptionsSpec,
  readSpecText,
  type ResolvedEnvironmentSpec,
  type ResolvedSpec,
  type ResolvedVariableSpec,
  type ResolvedWorkspaceSpec,
  type SpecIssue,
  type SpecPath,
  type SpecSource,
  type SpecText,
  SpecValidationError,
  type StacksSpec,
  ValidatedSpec,
  validateVendingMachineSpec,
  type VariableSpec,
  type TerraformRcSpec,
  type VcsProviderSpec,
  VendingMachine,
  type VendingMachineAutoscaleProps,
  type VendingMachineProps,
  type VendingMachineSpec,
  VendingMachineStack,
  type VendingMachineStackProps,
  type WorkspaceSpec,
} from "./vending-machine";

// Image supply: an ECR pull-through cache of Docker Hub for the agent image, and the ECR pull permissions a role needs.
export {
  AgentImageMirror,
  type AgentImageMirrorProps,
  DOCKER_HUB_UPSTREAM,
  type EcrPullStatement,
  ecrPullStatements,
  ecrRepositoryArn,
  type MirroredImageOptions,
  RUNNER_REPOSITORY,
} from "./constructs/image";

// The agents' start path without a NAT hop: VPC endpoints with scoped policies.
export {
  AGENT_VPC_ENDPOINT_SERVICES,
  AGENT_VPC_ENDPOINTS_IDS,
  type AgentVpcEndpointPolicyStatement,
  AgentVpcEndpoints,
  type AgentVpcEndpointService,
  type AgentVpcEndpointsProps,
  DEFAULT_AGENT_VPC_ENDPOINT_SERVICES,
} from "./constructs/network";

// Docker hosts the kit does not manage: Compose file and docker run from AgentSettings, and a custom agent image recipe.
export {
  type AgentDockerfile,
  type AgentDockerfileOptions,
  type AgentDockerfileSettings,
  DOCKER_HOST_NO_PROXY,
  type DockerHostFiles,
  type DockerHostOptions,
  type DockerRestartPolicy,
  IMAGE_CA_BUNDLE_PATH,
  type OciImageLabels,
  renderAgentDockerfile,
  renderDockerHost,
} from "./agent/docker";

// Operations: the alarm option every runtime takes, the dashboard body builder the runtimes' dashboards use, and the token-age alarm.
export {
  AGENT_TOKEN_AGE_ALARM_IDS,
  AgentTokenAgeAlarm,
  type AgentTokenAgeAlarmProps,
  type AlarmStatusWidget,
  type AlarmsOption,
  DashboardBody,
  type DashboardMetric,
  type DashboardWidget,
  type MetricWidget,
  type TextWidget,
} from "./constructs/operations";

// Ready stacks.
export { AgentPoolStack, type AgentPoolStackProps, BootstrapStack, type BootstrapStackProps } from "./stacks";
