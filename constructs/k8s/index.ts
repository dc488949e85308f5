export * from "./helm-agent";
