export * from "./agent-image-mirror";
export * from "./ecr-pull-permissions";
