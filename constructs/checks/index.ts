export * from "./iam";
export * from "./kit-checks";
export * from "./rule";
export * from "./rules";
export * from "./scalr-charts";
export * from "./secrets";
export * from "./synthesized-stack";
