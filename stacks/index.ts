export * from "./agent-pool-stack";
export * from "./bootstrap-stack";
