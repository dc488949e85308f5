export * from "./autoscaling";
export * from "./checks";
export * from "./ecs";
export * from "./k8s";
export * from "./runtime";
export * from "./scalr";
export * from "./vm";
