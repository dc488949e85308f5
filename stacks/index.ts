export * from "./agent-pool-stack";
