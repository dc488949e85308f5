export * from "./agent-settings";
export * from "./render-env";
export * from "./token-source";
