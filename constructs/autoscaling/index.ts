export * from "./agent-autoscaler";
export * from "./autoscaler-bundle";
