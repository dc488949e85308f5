export * from "./agent-settings";
export * from "./render-ecs";
export * from "./render-env";
export * from "./render-helm-values";
export * from "./terraform-json";
export * from "./token-source";
export * from "./validation";
