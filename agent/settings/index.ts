export * from "./agent-settings";
export * from "./render-env";
export * from "./render-helm-values";
export * from "./token-source";
export * from "./validation";
