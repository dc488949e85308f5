export * from "./agent-pool";
export * from "./scalr-provider-from-variables";
