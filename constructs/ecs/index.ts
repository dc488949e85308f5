export * from "./ecs-agent-service";
export * from "./fargate-agent-task";
export * from "./serverless-agent-pool";
export * from "./webhook-handler-bundle";
export * from "./shared-provider-cache";
export * from "./agent-collector-service";
