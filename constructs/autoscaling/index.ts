export * from "./agent-autoscaler";
export * from "./autoscaler-bundle";
export * from "./autoscaler-identity";
