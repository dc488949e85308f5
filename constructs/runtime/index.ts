export * from "./agent-runtime";
