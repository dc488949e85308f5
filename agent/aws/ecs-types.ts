// The parts of Amazon ECS API shapes the kit's Lambdas send and read, named as the API reference
// names them (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html, …
// API_ListTasks, API_DescribeServices, API_GetTaskProtection, API_UpdateService,
// API_UpdateTaskProtection, API_Tag, API_Failure). Declared here so the kit needs no AWS SDK package
// at run time; they are structurally the SDK's (`@aws-sdk/client-ecs`), which the tests pass in.

/** A resource tag (`API_Tag`). */
export interface Tag {
  key?: string;
  value?: string;
}

/** An ECS failure entry (`API_Failure`). */
export interface Failure {
  arn?: string;
  reason?: string;
  detail?: string;
}

/** One item of a capacity provider strategy (`API_CapacityProviderStrategyItem`). */
export interface CapacityProviderStrategyItem {
  capacityProvider: string | undefined;
  weight?: number;
  base?: number;
}

/** `RunTask` request (the fields the webhook handler sends). */
export interface RunTaskCommandInput {
  cluster?: string;
  taskDefinition: string | undefined;
  count?: number;
  launchType?: "FARGATE" | "EC2" | "EXTERNAL";
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: { awsvpcConfiguration?: { subnets: string[] | undefined; securityGroups?: string[]; assignPublicIp?: "ENABLED" | "DISABLED" } };
  clientToken?: string;
  startedBy?: string;
  tags?: Tag[];
  propagateTags?: "TASK_DEFINITION" | "SERVICE" | "NONE";
}

/** `RunTask` answer (the fields the handler reads). */
export interface RunTaskCommandOutput {
  tasks?: { taskArn?: string; lastStatus?: string }[];
  failures?: Failure[];
}

/** `ListTasks` request. */
export interface ListTasksCommandInput {
  cluster?: string;
  serviceName?: string;
  startedBy?: string;
  desiredStatus?: "RUNNING" | "PENDING" | "STOPPED";
  nextToken?: string;
  maxResults?: number;
}

/** `ListTasks` answer. */
export interface ListTasksCommandOutput {
  taskArns?: string[];
  nextToken?: string;
}

/** `DescribeServices` request. */
export interface DescribeServicesCommandInput {
  cluster?: string;
  services: string[] | undefined;
}

/** `DescribeServices` answer (the fields the autoscaler reads). */
export interface DescribeServicesCommandOutput {
  services?: { serviceName?: string; desiredCount?: number; runningCount?: number; status?: string }[];
  failures?: Failure[];
}

/** `GetTaskProtection` request. */
export interface GetTaskProtectionCommandInput {
  cluster: string | undefined;
  tasks?: string[];
}

/** `GetTaskProtection` answer. */
export interface GetTaskProtectionCommandOutput {
  protectedTasks?: { taskArn?: string; protectionEnabled?: boolean; expirationDate?: Date }[];
  failures?: Failure[];
}

/** `UpdateService` request (the desired count only). */
export interface UpdateServiceCommandInput {
  cluster?: string;
  service: string | undefined;
  desiredCount?: number;
}

/** `UpdateTaskProtection` request. */
export interface UpdateTaskProtectionCommandInput {
  cluster: string | undefined;
  tasks: string[] | undefined;
  protectionEnabled: boolean | undefined;
  expiresInMinutes?: number;
}
