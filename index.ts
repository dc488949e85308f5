/**
 * cdktf-scalr-kit: CDKTF constructs for Scalr self-hosted agents and the Scalr side.
 *
 * The generated L1 bindings of the Scalr provider are not re-exported here (importing all of them
 * costs load time); import them by resource: `cdktf-scalr-kit/providers/scalr/<resource>`.
 */
export * from "./core";
export * from "./agent/settings";
export * from "./agent/ecs";
export * from "./agent/k8s";
export * from "./agent/vm";
export * from "./constructs";
export * from "./vending-machine";
export * from "./stacks";
