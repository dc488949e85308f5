// The autoscaler's runtime (runs in Lambda; imports nothing of CDKTF). `./handler` builds the
// scheduled handler from injected transports; the Lambda entry that wires the real ones comes with
// the constructs (docs/autoscaling.md, "What is next").
export * from "./aws";
export * from "./config";
export * from "./decision";
export * from "./handler";
export * from "./policy";
export * from "./protection";
export * from "./scalr-api";
