import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";
import { z } from "zod";
import { AWS_REGION, SECRETS_MANAGER_SECRET_ARN } from "../../core/ids";
import { IssueCollector } from "../../core/issues";
import { terraformJson } from "../../core/terraform-json";
import { isToken, strictProps, tokenOr } from "../../core/validation";

/**
 * An AWS service the agents reach through a VPC endpoint, named after the last part of its
 * endpoint service name (`com.amazonaws.<region>.<service>`).
 */
export type AgentVpcEndpointService = "ecr.api" | "ecr.dkr" | "s3" | "logs" | "secretsmanager" | "sts" | "autoscaling";

/** What the kit knows about each service: its endpoint type and who calls it on the start path. */
export const AGENT_VPC_ENDPOINT_SERVICES: Readonly<Record<AgentVpcEndpointService, { readonly type: "Interface" | "Gateway"; readonly usedBy: string }>> = {
  // Fargate platform version 1.4.0 and later pulls ECR images through ecr.api, ecr.dkr and the S3
  // gateway endpoint; Fargate tasks need no ECS endpoints (ecs, ecs-agent, ecs-telemetry), which
  // serve container instances on EC2:
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html,
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html
  "ecr.api": { type: "Interface", usedBy: "image pulls from ECR (the registry token): Fargate tasks, and VMs pulling from an ECR mirror" },
  "ecr.dkr": { type: "Interface", usedBy: "image pulls from ECR (the Docker Registry API): Fargate tasks, and VMs pulling from an ECR mirror" },
  // ECR stores image layers in S3 and serves them from the bucket prod-<region>-starport-layer-bucket:
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html#ecr-setting-up-s3-gateway
  s3: { type: "Gateway", usedBy: "ECR image layers" },
  // Fargate tasks with the awslogs driver and no internet route need the CloudWatch Logs endpoint:
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
  logs: { type: "Interface", usedBy: "the awslogs driver of Fargate tasks" },
  // A task definition that references Secrets Manager secrets needs the Secrets Manager endpoint:
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-version-migration.html
  secretsmanager: { type: "Interface", usedBy: "the pool token: Fargate task `secrets`, and the VM's boot-time token fetch" },
  // Unverified here: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts_vpce.html
  sts: { type: "Interface", usedBy: "nothing of the kit's start path; runs that assume roles (opt in)" },
  // com.amazonaws.<region>.autoscaling, with endpoint policies:
  // https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-vpc-endpoints.html
  autoscaling: { type: "Interface", usedBy: "the VM drain on scale-in (lifecycle heartbeat and completion)" },
};

/** The services created when `services` is not given: what the kit's Fargate and VM agents call before an agent runs. */
export const DEFAULT_AGENT_VPC_ENDPOINT_SERVICES: readonly AgentVpcEndpointService[] = ["ecr.api", "ecr.dkr", "s3", "logs", "secretsmanager"];

/** One statement of an endpoint policy added to the kit's (KitChecks judges it like the kit's own). */
export interface AgentVpcEndpointPolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal: "*" | Readonly<Record<string, string | readonly string[]>>;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** Props of {@link AgentVpcEndpoints}. */
export interface AgentVpcEndpointsProps {
  /** The VPC of the agents (`vpc-…`). */
  readonly vpcId: string;
  /**
   * Subnets of the interface endpoints, at most one per Availability Zone (AWS places one network
   * interface per subnet and bills each per hour): normally the agents' private subnets.
   * Required when `services` holds an interface endpoint.
   * @default - none
   */
  readonly subnetIds?: readonly string[];
  /**
   * Route tables of the agents' subnets, for the S3 gateway endpoint. Required when `services` holds `"s3"`.
   * @default - none
   */
  readonly routeTableIds?: readonly string[];
  /**
   * Security groups of the agents that may use the interface endpoints (e.g. `FargateAgentTask.securityGroup.id`,
   * `VmAgentFleet.securityGroup.id`): the endpoints accept TCP 443 from these groups and nothing else.
   * Required when `services` holds an interface endpoint.
   * @default - none
   */
  readonly agentSecurityGroupIds?: readonly string[];
  /**
   * Which endpoints to create. Each needs the scope of its policy: `ecr.*` the repositories
   * (`ecrRepositoryArns`, default every repository of the account), `logs` the log groups,
   * `secretsmanager` the secrets, `sts` the roles, `autoscaling` the groups.
   * @default DEFAULT_AGENT_VPC_ENDPOINT_SERVICES (ecr.api, ecr.dkr, s3, logs, secretsmanager)
   */
  readonly services?: readonly AgentVpcEndpointService[];
  /** Region of the VPC (`eu-west-1`). @default - the provider's region (data.aws_region) */
  readonly region?: string;
  /** Account of the repositories when `ecrRepositoryArns` is not given. @default - the caller's account (data.aws_caller_identity) */
  readonly accountId?: string;
  /**
   * ECR repositories the agents pull from, the only ones the ECR endpoints serve (a pull-through
   * cache prefix is `arn:aws:ecr:<region>:<account>:repository/<prefix>/*`).
   * @default - every repository of `accountId` in the region
   */
  readonly ecrRepositoryArns?: readonly string[];
  /**
   * Also allow the ECR actions a pull-through cache takes on a first pull (`ecr:BatchImportUpstreamImage`,
   * `ecr:CreateRepository`) on `ecrRepositoryArns`.
   * @default false
   */
  readonly ecrPullThroughCache?: boolean;
  /** Secrets the agents read (the pool token, an image pull secret). Required with `"secretsmanager"`. @default - none */
  readonly secretArns?: readonly string[];
  /** Log groups the agents write (e.g. `FargateAgentTask.logGroup.arn`). Required with `"logs"`. @default - none */
  readonly logGroupArns?: readonly string[];
  /** Roles the runs assume. Required with `"sts"`. @default - none */
  readonly stsRoleArns?: readonly string[];
  /** Auto Scaling groups whose drain hook the instances answer. Required with `"autoscaling"`. @default - none */
  readonly autoScalingGroupArns?: readonly string[];
  /**
   * Statements added to a service's endpoint policy, for what the runs themselves call through the
   * endpoint (an endpoint with private DNS serves every caller of the subnets, and a gateway endpoint
   * every S3 request of its route tables in the region). KitChecks (KIT-NET-3) judges them.
   * @default - none
   */
  readonly additionalPolicyStatements?: Partial<Readonly<Record<AgentVpcEndpointService, readonly AgentVpcEndpointPolicyStatement[]>>>;
  /** Prefix of the security group's name and of the endpoints' `Name` tags. @default "scalr-agents" */
  readonly name?: string;
  /** Tags of every resource. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

const SERVICES = Object.keys(AGENT_VPC_ENDPOINT_SERVICES) as [AgentVpcEndpointService, ...AgentVpcEndpointService[]];
const idList = (pattern: RegExp, example: string) =>
  z.array(tokenOr(z.string().regex(pattern, { error: `must be an ID such as "${example}"` }))).min(1, { error: "must list at least one" });
const arnList = (pattern: RegExp, what: string) => z.array(tokenOr(z.string().regex(pattern, { error: `must be ${what}` }))).min(1, { error: "must list at least one" });
const statement = strictProps({
  Sid: z.string().regex(/^[A-Za-z0-9]+$/, { error: "must be letters and digits" }).optional(),
  Effect: z.enum(["Allow", "Deny"]),
  Principal: z.union([z.literal("*"), z.record(z.string(), z.union([z.string(), z.array(z.string())]))]),
  Action: z.union([z.string(), z.array(z.string()).min(1)]),
  Resource: z.union([z.string(), z.array(z.string()).min(1)]),
  Condition: z.record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())]))).optional(),
});

const propsSchema = strictProps({
  vpcId: tokenOr(z.string().regex(/^vpc-[0-9a-f]+$/, { error: 'must be a VPC ID such as "vpc-0abc1234"' })),
  subnetIds: idList(/^subnet-[0-9a-f]+$/, "subnet-0abc1234").optional(),
  routeTableIds: idList(/^rtb-[0-9a-f]+$/, "rtb-0abc1234").optional(),
  agentSecurityGroupIds: idList(/^sg-[0-9a-f]+$/, "sg-0abc1234").optional(),
  services: z
    .array(z.enum(SERVICES, { error: `must be one of ${SERVICES.map((s) => JSON.stringify(s)).join(", ")}` }))
    .min(1, { error: "must list at least one service" })
    .default([...DEFAULT_AGENT_VPC_ENDPOINT_SERVICES]),
  region: tokenOr(z.string().regex(AWS_REGION, { error: 'must be an AWS region such as "eu-west-1"' })).optional(),
  accountId: tokenOr(z.string().regex(/^\d{12}$/, { error: "must be a 12-digit AWS account ID" })).optional(),
  // Endpoint policies take an account ID or a wildcard in an ARN's account, never both
  // (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html): the patterns
  // below require the ID, so no policy of the construct matches every account.
  ecrRepositoryArns: arnList(/^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9*][a-z0-9._/*-]*$/, "an ECR repository ARN of one account (arn:aws:ecr:<region>:<account>:repository/<name or prefix/*>)").optional(),
  ecrPullThroughCache: z.boolean().default(false),
  secretArns: arnList(SECRETS_MANAGER_SECRET_ARN, "a Secrets Manager secret ARN").optional(),
  logGroupArns: arnList(/^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_\-/.#]+(:\*)?$/, "a CloudWatch Logs log group ARN without wildcards in its name").optional(),
  stsRoleArns: arnList(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN without wildcards").optional(),
  autoScalingGroupArns: arnList(
    /^arn:aws[a-z-]*:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[0-9a-f*-]+:autoScalingGroupName\/[^*?\s]+$/,
    "an Auto Scaling group ARN (arn:aws:autoscaling:<region>:<account>:autoScalingGroup:<id or *>:autoScalingGroupName/<name>)",
  ).optional(),
  additionalPolicyStatements: z.partialRecord(z.enum(SERVICES), z.array(statement)).optional(),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/, { error: "must be 1–48 letters, digits, '-' or '_'" }).default("scalr-agents"),
  tags: z.record(z.string(), z.string()).default({}),
});

/** Construct ids of {@link AgentVpcEndpoints}' resources (stable: renaming one replaces the resource). */
export const AGENT_VPC_ENDPOINTS_IDS = {
  /** `aws_security_group` of the interface endpoints (TCP 443 from the agents' groups only). */
  securityGroup: "SecurityGroup",
  /** `aws_vpc_endpoint` per service: `Endpoint-ecr.api`, `Endpoint-s3`, …. */
  endpoint: (service: AgentVpcEndpointService) => `Endpoint-${service}`,
} as const;

/**
 * The VPC endpoints Scalr agents use on their way from "task started" to "agent running", so image
 * pulls, the token read and the first log lines take no NAT hop (docs/network.md, ADR 0013): ECR
 * (`ecr.api`, `ecr.dkr`) with the S3 gateway endpoint for image layers, CloudWatch Logs and Secrets
 * Manager by default; STS and Auto Scaling on request.
 *
 * Every endpoint has a policy that allows only the agents' actions on the agents' resources
 * (`Principal: "*"`, as gateway endpoints require; the callers' own IAM policies still apply), the
 * interface endpoints have private DNS and one security group that accepts TCP 443 from the agents'
 * security groups only. Agents still reach Scalr itself (and Docker Hub, OS packages, providers)
 * through the NAT gateway or proxy: Scalr is not an AWS service.
 */
export class AgentVpcEndpoints extends Construct {
  /** The interface endpoints' security group (undefined with only the S3 gateway endpoint). */
  public readonly securityGroup?: SecurityGroup;
  /** The endpoints, by service. */
  public readonly endpoints: Readonly<Partial<Record<AgentVpcEndpointService, VpcEndpoint>>>;
  /** The endpoint policies as written, by service (JSON; references as `${jsonencode(…)}`). */
  public readonly policies: Readonly<Partial<Record<AgentVpcEndpointService, string>>>;

  public constructor(scope: Construct, id: string, props: AgentVpcEndpointsProps) {
    super(scope, id);
    const issues = new IssueCollector({ subject: this.node.path });
    const p = issues.parse(propsSchema, props);
    issues.rule(["services"], () => {
      const seen = new Set<string>();
      p.services.forEach((s, i) => {
        if (seen.has(s)) issues.add(`services[${i}]`, `lists ${JSON.stringify(s)} twice`, s);
        seen.add(s);
      });
    });
    // `p` is a partial value when props are invalid, or undefined when they are not an object.
    const has = (s: AgentVpcEndpointService) => (p as typeof p | undefined)?.services?.includes(s) ?? false;
    const interfaceServices = ((p as typeof p | undefined)?.services ?? []).filter((s) => AGENT_VPC_ENDPOINT_SERVICES[s].type === "Interface");
    issues.rule(["services", "subnetIds", "agentSecurityGroupIds"], () => {
      if (interfaceServices.length === 0) {
        for (const field of ["subnetIds", "agentSecurityGroupIds"] as const) {
          if (p[field] !== undefined) issues.add(field, "applies only to interface endpoints, and `services` lists none", p[field]);
        }
        return;
      }
      const list = interfaceServices.map((s) => JSON.stringify(s)).join(", ");
      if (p.subnetIds === undefined) issues.add("subnetIds", `is required for the interface endpoints (${list}): the agents' subnets, one per Availability Zone`, undefined);
      if (p.agentSecurityGroupIds === undefined) {
        issues.add("agentSecurityGroupIds", `is required for the interface endpoints (${list}): the agents' security groups, the only sources the endpoints accept`, undefined);
      }
    });
    const needs: readonly (readonly [field: keyof typeof p & string, service: AgentVpcEndpointService | "ecr", what: string])[] = [
      ["routeTableIds", "s3", "the route tables of the agents' subnets"],
      ["secretArns", "secretsmanager", "the secrets the agents read"],
      ["logGroupArns", "logs", "the log groups the agents write"],
      ["stsRoleArns", "sts", "the roles the runs assume"],
      ["autoScalingGroupArns", "autoscaling", "the Auto Scaling groups whose drain hook the instances answer"],
    ];
    for (const [field, service, what] of needs) {
      issues.rule(["services", field], () => {
        const on = has(service as AgentVpcEndpointService);
        if (on && p[field] === undefined) issues.add(field, `is required when \`services\` includes ${JSON.stringify(service)}: ${what}, the only resources its endpoint policy allows`, undefined);
        if (!on && p[field] !== undefined) issues.add(field, `applies only when \`services\` includes ${JSON.stringify(service)}, which it does not`, p[field]);
      });
    }
    issues.rule(["services", "ecrRepositoryArns", "ecrPullThroughCache"], () => {
      const ecr = has("ecr.api") || has("ecr.dkr");
      if (!ecr && p.ecrRepositoryArns !== undefined) issues.add("ecrRepositoryArns", 'applies only when `services` includes "ecr.api" or "ecr.dkr"', p.ecrRepositoryArns);
      if (!ecr && p.ecrPullThroughCache) issues.add("ecrPullThroughCache", 'applies only when `services` includes "ecr.api" or "ecr.dkr"', p.ecrPullThroughCache);
      if (has("ecr.api") !== has("ecr.dkr")) {
        // Fargate 1.4.0+ needs both to pull (see AGENT_VPC_ENDPOINT_SERVICES): one alone leaves the pull on the NAT path.
        issues.add("services", 'must list "ecr.api" and "ecr.dkr" together: an ECR pull needs both endpoints', p.services);
      }
      if ((has("ecr.api") || has("ecr.dkr")) && !has("s3") && p.services !== undefined) {
        issues.add("services", 'must list "s3" with the ECR endpoints: ECR serves image layers from S3, through the gateway endpoint', p.services);
      }
    });
    issues.rule(["services", "additionalPolicyStatements"], () => {
      for (const service of Object.keys(p.additionalPolicyStatements ?? {})) {
        if (!has(service as AgentVpcEndpointService)) issues.add(`additionalPolicyStatements.${service}`, "is for a service `services` does not list", p.additionalPolicyStatements?.[service as AgentVpcEndpointService]);
      }
    });
    issues.throwIfAny();

    const partition = new DataAwsPartition(this, "Partition", {}).partition;
    const region = p.region ?? new DataAwsRegion(this, "Region", {}).region;
    const needsAccount = (has("ecr.api") || has("ecr.dkr")) && p.ecrRepositoryArns === undefined && p.accountId === undefined;
    const account = p.accountId ?? (needsAccount ? new DataAwsCallerIdentity(this, "Account", {}).accountId : "");
    const repositories = p.ecrRepositoryArns ?? [`arn:${partition}:ecr:${region}:${account}:repository/*`];
    const tagged = (name: string) => ({ ...p.tags, Name: name });

    if (interfaceServices.length > 0) {
      this.securityGroup = new SecurityGroup(this, AGENT_VPC_ENDPOINTS_IDS.securityGroup, {
        name: `${p.name}-vpc-endpoints`,
        description: "VPC interface endpoints of the Scalr agents: HTTPS from the agents' security groups only",
        vpcId: p.vpcId,
        // Interface endpoints answer on HTTPS; the group needs inbound 443 from the callers:
        // https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html
        ingress: [{ description: "HTTPS from the agents", protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [...(p.agentSecurityGroupIds ?? [])] }],
        // An endpoint opens no connection of its own: responses are stateful, so no egress rule.
        egress: [],
        tags: tagged(`${p.name}-vpc-endpoints`),
      });
    }

    const secretResource = (arn: string) => (isToken(arn) || /-[A-Za-z0-9]{6}$/.test(arn) ? arn : `${arn}-??????`);
    const statements: Record<AgentVpcEndpointService, () => AgentVpcEndpointPolicyStatement[]> = {
      "ecr.api": () => ecrStatements(repositories, p.ecrPullThroughCache),
      "ecr.dkr": () => ecrStatements(repositories, p.ecrPullThroughCache),
      s3: () => [{ Sid: "ReadEcrImageLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [`arn:${partition}:s3:::prod-${region}-starport-layer-bucket/*`] }],
      logs: () => [
        {
          Sid: "WriteAgentLogs",
          Effect: "Allow",
          Principal: "*",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: (p.logGroupArns ?? []).flatMap((a) => (!isToken(a) && a.endsWith(":*") ? [a] : [a, `${a}:*`])),
        },
      ],
      secretsmanager: () => [{ Sid: "ReadAgentSecrets", Effect: "Allow", Principal: "*", Action: ["secretsmanager:GetSecretValue"], Resource: (p.secretArns ?? []).map(secretResource) }],
      sts: () => [
        { Sid: "AssumeRunRoles", Effect: "Allow", Principal: "*", Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"], Resource: [...(p.stsRoleArns ?? [])] },
        { Sid: "WhoAmI", Effect: "Allow", Principal: "*", Action: ["sts:GetCallerIdentity"], Resource: "*" },
      ],
      autoscaling: () => [
        {
          Sid: "AnswerDrainHook",
          Effect: "Allow",
          Principal: "*",
          Action: ["autoscaling:RecordLifecycleActionHeartbeat", "autoscaling:CompleteLifecycleAction"],
          Resource: [...(p.autoScalingGroupArns ?? [])],
        },
      ],
    };

    const endpoints: Partial<Record<AgentVpcEndpointService, VpcEndpoint>> = {};
    const policies: Partial<Record<AgentVpcEndpointService, string>> = {};
    for (const service of p.services) {
      const policy = terraformJson({ Version: "2012-10-17", Statement: [...statements[service](), ...(p.additionalPolicyStatements?.[service] ?? [])] });
      policies[service] = policy;
      const common = { vpcId: p.vpcId, serviceName: `com.amazonaws.${region}.${service}`, policy, tags: tagged(`${p.name}-${service}`) };
      endpoints[service] =
        AGENT_VPC_ENDPOINT_SERVICES[service].type === "Gateway"
          ? new VpcEndpoint(this, AGENT_VPC_ENDPOINTS_IDS.endpoint(service), { ...common, vpcEndpointType: "Gateway", routeTableIds: [...(p.routeTableIds ?? [])] })
          : new VpcEndpoint(this, AGENT_VPC_ENDPOINTS_IDS.endpoint(service), {
              ...common,
              vpcEndpointType: "Interface",
              subnetIds: [...(p.subnetIds ?? [])],
              securityGroupIds: [(this.securityGroup as SecurityGroup).id],
              // Private DNS makes the service's default name resolve to the endpoint's addresses, so
              // the agents and the Fargate platform use it without configuration (the VPC needs
              // enableDnsSupport and enableDnsHostnames):
              // https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html
              privateDnsEnabled: true,
            });
    }
    this.endpoints = endpoints;
    this.policies = policies;
  }
}

/**
 * The ECR endpoints' statements: the registry token (an action AWS grants only on `*`) and the
 * pull actions on the repositories
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, endpoint policy
 * example; https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html for
 * the pull-through cache's import).
 */
function ecrStatements(repositories: readonly string[], pullThroughCache: boolean): AgentVpcEndpointPolicyStatement[] {
  return [
    { Sid: "RegistryToken", Effect: "Allow", Principal: "*", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
    {
      Sid: "PullAgentImages",
      Effect: "Allow",
      Principal: "*",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", ...(pullThroughCache ? ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"] : [])],
      Resource: [...repositories],
    },
  ];
}
