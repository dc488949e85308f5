import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { z } from "zod";
import {
  ADOT_COLLECTOR_IMAGE,
  COLLECTOR_DEFAULT_NAMESPACE,
  COLLECTOR_OTLP_PORT,
  COLLECTOR_SERVICE_LISTEN_ENDPOINT,
  CollectorExporter,
  EMF_EXPORTER_LOG_ACTIONS,
  renderCollectorConfigContent,
} from "../../agent/ecs/render-collector";
import { checkFargateSize } from "../../agent/ecs/render-ecs";
import { IssueCollector } from "../../core/issues";
import { terraformJson } from "../../core/terraform-json";
import { terraformLiteral } from "../../core/terraform-literal";
import { KitValidationError, intInRange, literalIntInRange, strictProps, tokenOr } from "../../core/validation";
import { ecrRepositoryArn } from "../image/ecr-pull-permissions";
import { FargateCollectorOtlpExporter, collectorOptionsShape, ecrRepositoryOf, fargateAgentShape, logRetentionDaysSchema, subnetIdSchema } from "./fargate-agent-task";

/** Props of {@link AgentCollectorService}. */
export interface AgentCollectorServiceProps {
  /**
   * Name of the ECS service, task family, log groups (`/ecs/<name>`), roles and security group
   * (1–32 letters, digits, '-', starting with a letter).
   */
  readonly name: string;
  /** VPC of the collector and of the private DNS namespace (its DNS support and DNS hostnames must be on). */
  readonly vpcId: string;
  /** Subnets of the collector's tasks: private subnets with a route to the exporter's endpoint (CloudWatch Logs, or `otlpEndpoint`). */
  readonly subnetIds: readonly string[];
  /**
   * Security groups of the agents that send metrics (a VmAgentFleet's `securityGroup.id`, an
   * EcsAgentService's `task.securityGroup.id`, or any `sg-…`): the only sources the collector's
   * security group admits, on TCP 4317. Groups of agents built after the collector (which need its
   * {@link AgentCollectorService.endpoint}) are added with {@link AgentCollectorService.allowFrom};
   * at synthesis the collector must admit at least one.
   * @default - none here: `allowFrom`
   */
  readonly clientSecurityGroupIds?: readonly string[];
  /**
   * Where the collector ships: `"cloudwatch"` (CloudWatch metrics through EMF, written to the log
   * group `/ecs/<name>/metrics` with the task role) or `{ otlpEndpoint }` (another OTLP/gRPC
   * endpoint, metrics and traces).
   * @default "cloudwatch"
   */
  readonly exporter?: "cloudwatch" | FargateCollectorOtlpExporter;
  /** CloudWatch metrics namespace (with `exporter: "cloudwatch"`). @default "ScalrAgent" */
  readonly namespace?: string;
  /** The collector image, pinned (an ADOT collector build: the kit configures it with `AOT_CONFIG_CONTENT`). @default ADOT_COLLECTOR_IMAGE */
  readonly image?: string;
  /** Collector tasks, 1–10: two keep metrics flowing while one is replaced. @default 2 */
  readonly desiredCount?: number;
  /** Fargate CPU units per task. @default 256 */
  readonly cpu?: number;
  /** Fargate memory (MiB) per task, one Fargate offers with `cpu`. @default 512 */
  readonly memoryMiB?: number;
  /** CPU architecture of the tasks; the default image is built for both. @default "ARM64" */
  readonly cpuArchitecture?: "ARM64" | "X86_64";
  /** Retention (days) of the collector's log group and of the metrics log group. @default 30 */
  readonly logRetentionDays?: number;
  /** ECS cluster ARN or name. @default - a new cluster `<name>` with Container Insights */
  readonly cluster?: string;
  /**
   * The private DNS namespace (a Cloud Map namespace and Route 53 private hosted zone in `vpcId`)
   * the collector is registered in, as `collector.<dnsNamespace>`.
   * @default - `<name>.internal`, lower case
   */
  readonly dnsNamespace?: string;
}

/** Construct ids of what an {@link AgentCollectorService} creates (ids are public API: a renamed id replaces the resource). */
export const AGENT_COLLECTOR_SERVICE_IDS = {
  /** `aws_ecs_service`. */
  service: "Resource",
  /** `aws_ecs_cluster`, unless `cluster` is given. */
  cluster: "Cluster",
  /** `aws_ecs_task_definition`. */
  taskDefinition: "TaskDefinition",
  /** `aws_service_discovery_private_dns_namespace`. */
  dnsNamespace: "DnsNamespace",
  /** `aws_service_discovery_service` (`collector`). */
  discoveryService: "DiscoveryService",
  /** `aws_cloudwatch_log_group` of the collector's own log lines, `/ecs/<name>`. */
  logGroup: "LogGroup",
  /** `aws_cloudwatch_log_group` of the metrics (EMF), `/ecs/<name>/metrics`, with `exporter: "cloudwatch"`. */
  metricsLogGroup: "MetricsLogGroup",
  /** `aws_iam_role` ECS pulls the image and writes the collector's logs with. */
  executionRole: "ExecutionRole",
  /** `aws_iam_role_policy` of the execution role. */
  executionPolicy: "ExecutionPolicy",
  /** `aws_iam_role` the collector calls AWS with. */
  taskRole: "TaskRole",
  /** `aws_iam_role_policy` of the task role: write the metrics log group, with `exporter: "cloudwatch"`. */
  metricsPolicy: "MetricsPolicy",
  /** `aws_security_group`: TCP 4317 from `clientSecurityGroupIds` only. */
  securityGroup: "SecurityGroup",
  /** Data sources of the stack's partition, region and account. */
  partition: "Partition",
  region: "Region",
  account: "Account",
} as const;

/** The Cloud Map service name of the collector: agents send to `collector.<dnsNamespace>:4317`. */
export const AGENT_COLLECTOR_HOST = "collector";

/**
 * A private DNS namespace name: lower-case DNS labels (1–63 letters, digits, '-'; not starting or
 * ending with '-'), at most 253 characters. Cloud Map creates a Route 53 private hosted zone of
 * that name (https://docs.aws.amazon.com/cloud-map/latest/api/API_CreatePrivateDnsNamespace.html).
 * Upper case is refused so the endpoint the agents get is the name as Route 53 serves it.
 */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const SECURITY_GROUP_ID = tokenOr(z.string().regex(/^sg-[0-9a-f]+$/, { error: 'must be a security group ID such as "sg-0abc1234"' }));

const ALLOW_FROM_SCHEMA = strictProps({ allowFrom: z.array(SECURITY_GROUP_ID).min(1, { error: "must name at least one security group" }) });

const propsSchema = strictProps({
  name: fargateAgentShape.name,
  vpcId: fargateAgentShape.vpcId,
  subnetIds: z.array(subnetIdSchema, { error: "must be a list of subnet IDs" }).min(1, { error: "must list at least one subnet (private subnets)" }),
  clientSecurityGroupIds: z.array(SECURITY_GROUP_ID, { error: "must be a list of security group IDs" }).default([]),
  exporter: collectorOptionsShape.exporter,
  namespace: collectorOptionsShape.namespace,
  image: collectorOptionsShape.image,
  desiredCount: intInRange(1, 10).default(2),
  cpu: literalIntInRange(256, 16384).default(256),
  memoryMiB: literalIntInRange(512, 122880).default(512),
  cpuArchitecture: z.enum(["ARM64", "X86_64"]).default("ARM64"),
  logRetentionDays: logRetentionDaysSchema.default(30),
  cluster: tokenOr(z.string().min(1)).optional(),
  dnsNamespace: z
    .string()
    .regex(DNS_NAME, { error: "must be a DNS name of two or more lower-case labels (letters, digits, '-'), such as \"metrics.internal\"; a literal: agents' user data needs it at synth time" })
    .optional(),
});

/**
 * One OpenTelemetry collector service for every agent of a VPC that cannot run its own: a small
 * Fargate service of the AWS Distro for OpenTelemetry collector (the image and configuration of
 * FargateAgentTask's sidecar), registered in a private DNS namespace as `collector.<dnsNamespace>`,
 * admitting OTLP/gRPC on TCP 4317 from the given security groups only, and shipping to CloudWatch
 * (EMF) or another OTLP endpoint. Point agents at {@link endpoint}
 * (`settings.telemetry.otlpEndpoint`). See docs/vm.md, "Agent metrics".
 */
export class AgentCollectorService extends Construct {
  /**
   * `collector.<dnsNamespace>:4317`, a literal: the value of `settings.telemetry.otlpEndpoint` for
   * the agents that send here (VM user data is rendered at synth time and needs one).
   */
  public readonly endpoint: string;
  /** The private DNS namespace's name. */
  public readonly dnsNamespaceName: string;
  /** ID of the collector's security group (add it to a VPC endpoint's sources if it must reach one). */
  public readonly securityGroupId: string;
  /** The collector's security group. */
  public readonly securityGroup: SecurityGroup;
  /** The ECS service (escape hatch). */
  public readonly service: EcsService;
  /** The task definition (escape hatch). */
  public readonly taskDefinition: EcsTaskDefinition;
  /** The cluster, when the construct creates it. */
  public readonly clusterResource?: EcsCluster;
  /** The Cloud Map namespace. */
  public readonly dnsNamespace: ServiceDiscoveryPrivateDnsNamespace;
  /** The Cloud Map service the ECS service registers its tasks in. */
  public readonly discoveryService: ServiceDiscoveryService;
  /** Role ECS pulls the image and writes the collector's logs with. */
  public readonly executionRole: IamRole;
  /** Role the collector calls AWS with (writes the metrics log group with `exporter: "cloudwatch"`). */
  public readonly taskRole: IamRole;
  /** The collector's own log group, `/ecs/<name>`. */
  public readonly logGroup: CloudwatchLogGroup;
  /** The metrics log group (EMF), with `exporter: "cloudwatch"`. */
  public readonly metricsLogGroup?: CloudwatchLogGroup;
  /** Name of the metrics log group, `/ecs/<name>/metrics`, with `exporter: "cloudwatch"`. */
  public readonly metricsLogGroupName?: string;

  /** The security groups admitted on TCP 4317: `clientSecurityGroupIds`, then each `allowFrom`. */
  private readonly clients: string[] = [];

  public constructor(scope: Construct, id: string, props: AgentCollectorServiceProps) {
    super(scope, id);
    const ids = AGENT_COLLECTOR_SERVICE_IDS;
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["cpu", "memoryMiB"], () => {
      const found = checkFargateSize(p.cpu, p.memoryMiB, { cpu: "cpu", memory: "memoryMiB" });
      if (found.length > 0) throw new KitValidationError(issues.ctx.subject, found);
    });
    issues.rule(["namespace", "exporter"], () => {
      if (p.namespace !== undefined && p.exporter !== undefined && p.exporter !== "cloudwatch") {
        issues.add("namespace", 'applies to `exporter: "cloudwatch"` only: the OTLP exporter forwards metrics as they are', p.namespace);
      }
    });
    issues.throwIfAny();
    this.clients.push(...p.clientSecurityGroupIds);
    // A collector that admits nobody is a mistake: the agents' groups are its only sources.
    this.node.addValidation({
      validate: () =>
        this.clients.length > 0
          ? []
          : [`${this.node.path}: \`clientSecurityGroupIds\` must list at least one security group, or \`allowFrom(…)\` add one before synthesis: the agents' groups are the only sources the collector admits, got: none`],
    });

    const partition = new DataAwsPartition(this, ids.partition, {});
    const region = new DataAwsRegion(this, ids.region, {});
    const account = new DataAwsCallerIdentity(this, ids.account, {});
    const image = p.image ?? ADOT_COLLECTOR_IMAGE;

    this.dnsNamespaceName = p.dnsNamespace ?? `${p.name.toLowerCase()}.internal`;
    this.endpoint = `${AGENT_COLLECTOR_HOST}.${this.dnsNamespaceName}:${COLLECTOR_OTLP_PORT}`;

    // Cloud Map: a private DNS namespace (a Route 53 private hosted zone of the VPC) and a service
    // whose A records ECS keeps to the running tasks' addresses ("Amazon ECS … registers the task
    // with the AWS Cloud Map service … and deregisters it when the task stops",
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html). TTL 10 s:
    // a replaced task leaves clients' caches within seconds.
    this.dnsNamespace = new ServiceDiscoveryPrivateDnsNamespace(this, ids.dnsNamespace, {
      name: this.dnsNamespaceName,
      vpc: p.vpcId,
      description: `OpenTelemetry collector ${p.name} for Scalr agents`,
    });
    this.discoveryService = new ServiceDiscoveryService(this, ids.discoveryService, {
      name: AGENT_COLLECTOR_HOST,
      dnsConfig: { namespaceId: this.dnsNamespace.id, routingPolicy: "MULTIVALUE", dnsRecords: [{ type: "A", ttl: 10 }] },
      // ECS reports task health to Cloud Map through a custom health check; its failure threshold
      // "is no longer supported and is always set to 1"
      // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-servicediscovery-service-healthcheckcustomconfig.html).
      healthCheckCustomConfig: { failureThreshold: 1 },
    });

    this.logGroup = new CloudwatchLogGroup(this, ids.logGroup, { name: `/ecs/${p.name}`, retentionInDays: p.logRetentionDays });

    const assumeByEcsTasks = terraformJson({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          // Only tasks of this account may assume the roles (confused-deputy protection).
          Condition: { StringEquals: { "aws:SourceAccount": account.accountId } },
        },
      ],
    });
    this.executionRole = new IamRole(this, ids.executionRole, {
      name: `${p.name}-collector-execution`,
      description: "ECS pulls the OpenTelemetry collector image and writes its logs",
      assumeRolePolicy: assumeByEcsTasks,
    });
    // The default image is on Amazon ECR Public, which "supports both unauthenticated and
    // authenticated pulls from public repositories"
    // (https://docs.aws.amazon.com/AmazonECR/latest/public/docker-pull-ecr-image.html): ECS pulls it
    // without a permission. An image in a private ECR repository gets exactly the pull actions on
    // that repository (see constructs/image/ecr-pull-permissions.ts).
    const ecr = ecrRepositoryOf(image);
    const ecrStatements = ecr
      ? [
          { Sid: "EcrAuthorization", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
          {
            Sid: "PullCollectorImage",
            Effect: "Allow",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: [ecrRepositoryArn({ accountId: ecr.account, region: ecr.region, repository: ecr.repository }, partition.partition)],
          },
        ]
      : [];
    new IamRolePolicy(this, ids.executionPolicy, {
      role: this.executionRole.id,
      name: "collector-execution",
      policy: terraformJson({
        Version: "2012-10-17",
        Statement: [{ Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${this.logGroup.arn}:*`] }, ...ecrStatements],
      }),
    });
    this.taskRole = new IamRole(this, ids.taskRole, {
      name: `${p.name}-collector-task`,
      description: "Role of the OpenTelemetry collector (writes the agents' metrics log group when exporting to CloudWatch)",
      assumeRolePolicy: assumeByEcsTasks,
    });

    const target = p.exporter ?? "cloudwatch";
    let exporter: CollectorExporter;
    if (target === "cloudwatch") {
      const logGroupName = `/ecs/${p.name}/metrics`;
      this.metricsLogGroup = new CloudwatchLogGroup(this, ids.metricsLogGroup, { name: logGroupName, retentionInDays: p.logRetentionDays });
      this.metricsLogGroupName = this.metricsLogGroup.name;
      exporter = { kind: "cloudwatch", namespace: p.namespace ?? COLLECTOR_DEFAULT_NAMESPACE, logGroupName };
      new IamRolePolicy(this, ids.metricsPolicy, {
        role: this.taskRole.id,
        name: "collector-metrics",
        policy: terraformJson({
          Version: "2012-10-17",
          Statement: [{ Sid: "WriteMetricsLogs", Effect: "Allow", Action: [...EMF_EXPORTER_LOG_ACTIONS], Resource: [`${this.metricsLogGroup.arn}:*`] }],
        }),
      });
    } else {
      exporter = { kind: "otlp", endpoint: target.otlpEndpoint };
    }
    // Traces go only where OTLP carries them: EMF carries metrics (awsemfexporter README, vendored in
    // aws-observability/aws-otel-collector @ v0.49.0); each agent decides what it sends.
    const config = renderCollectorConfigContent({ exporter, metrics: true, traces: exporter.kind === "otlp", listenEndpoint: COLLECTOR_SERVICE_LISTEN_ENDPOINT });

    this.securityGroup = new SecurityGroup(this, ids.securityGroup, {
      name: `${p.name}-collector`,
      description: "OpenTelemetry collector: OTLP/gRPC from the agents' security groups only",
      vpcId: p.vpcId,
      tags: { Name: `${p.name}-collector` },
      ingress: [
        {
          description: "OTLP/gRPC from the agents",
          protocol: "tcp",
          fromPort: COLLECTOR_OTLP_PORT,
          toPort: COLLECTOR_OTLP_PORT,
          // Read at synthesis: agents built after the collector add their groups with allowFrom.
          securityGroups: Lazy.listValue({ produce: () => [...this.clients] }),
        },
      ],
      egress: [{ description: "All outbound", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
    });
    this.securityGroupId = this.securityGroup.id;

    this.taskDefinition = new EcsTaskDefinition(this, ids.taskDefinition, {
      family: p.name,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(p.cpu),
      memory: String(p.memoryMiB),
      // ADOT publishes every release for linux/amd64 and linux/arm64 (aws-observability/aws-otel-collector
      // .github/workflows/CD.yml @ v0.49.0); Fargate runs ARM64 tasks on Graviton
      // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-arm64.html).
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: p.cpuArchitecture },
      executionRoleArn: this.executionRole.arn,
      taskRoleArn: this.taskRole.arn,
      containerDefinitions: terraformJson([
        {
          name: "otel-collector",
          image,
          essential: true,
          portMappings: [{ containerPort: COLLECTOR_OTLP_PORT, protocol: "tcp" }],
          // The whole configuration: no credential (the exporter signs with the task role).
          environment: [
            { name: "AOT_CONFIG_CONTENT", value: config },
            // awsemf "region": "If this field is not present in config, environment variable
            // "AWS_REGION" can then be used to set region" (awsemfexporter README, vendored in ADOT @ v0.49.0).
            { name: "AWS_REGION", value: region.region },
          ],
          // No awslogs-create-group: the group is declared above with its retention.
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": this.logGroup.name, "awslogs-region": region.region, "awslogs-stream-prefix": "collector" },
          },
        },
      ]),
    });

    if (p.cluster === undefined) {
      this.clusterResource = new EcsCluster(this, ids.cluster, { name: p.name, setting: [{ name: "containerInsights", value: "enabled" }] });
    }
    // A literal cluster name or ARN stays literal in the JSON (`${` would be a Terraform template).
    const cluster = this.clusterResource?.arn ?? terraformLiteral(p.cluster as string);
    this.service = new EcsService(this, ids.service, {
      name: p.name,
      cluster,
      taskDefinition: this.taskDefinition.arn,
      launchType: "FARGATE",
      desiredCount: p.desiredCount,
      // New collectors start before old ones stop, so a deployment never leaves the agents without one.
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableExecuteCommand: false,
      propagateTags: "SERVICE",
      networkConfiguration: { subnets: [...p.subnetIds], securityGroups: [this.securityGroup.id], assignPublicIp: false },
      serviceRegistries: { registryArn: this.discoveryService.arn },
    });
  }

  /**
   * Admits the agents of these security groups (TCP 4317), e.g. a VmAgentFleet's
   * `securityGroup.id` built with this collector's {@link endpoint}. Terraform references allowed.
   */
  public allowFrom(...securityGroupIds: string[]): this {
    const issues = new IssueCollector({ subject: this.node.path });
    const parsed = issues.parse(ALLOW_FROM_SCHEMA, { allowFrom: securityGroupIds });
    issues.throwIfAny();
    for (const id of parsed.allowFrom) if (!this.clients.includes(id)) this.clients.push(id);
    return this;
  }
}
