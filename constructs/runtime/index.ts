export * from "./agent-runtime";
export * from "./review-files";
