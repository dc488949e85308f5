export * from "./ecs-agent-service";
export * from "./fargate-agent-task";
