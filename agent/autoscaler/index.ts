// The autoscaler's runtime (runs in Lambda; imports nothing of CDKTF). `./handler` builds the
// scheduled handler from injected transports; `./lambda` is the Lambda entry that wires the real
// ones (bundled by constructs/autoscaling, not re-exported here: importing it builds the handler).
export * from "./aws";
export * from "./config";
export * from "./decision";
export * from "./handler";
export * from "./policy";
export * from "./protection";
export * from "./scalr-api";
