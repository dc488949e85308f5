export * from "./agent-image";
export * from "./agent-settings";
export * from "./proxy";
export * from "./render-env";
export * from "./token-source";
