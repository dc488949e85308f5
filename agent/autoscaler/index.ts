// The autoscaler's runtime (runs in Lambda; imports nothing of CDKTF). `./handler` builds the
// scheduled handler from injected transports; the Lambda entry that wires the real ones is the
// construct increment's (issue 15).
export * from "./aws";
export * from "./config";
export * from "./decision";
export * from "./handler";
export * from "./policy";
export * from "./protection";
export * from "./scalr-api";
