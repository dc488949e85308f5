export * from "./agent-pool-stack";
export * from "./vending-machine-stack";
