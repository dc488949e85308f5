export * from "./agent-runtime";
export * from "./lambda-bundle";
export * from "./review-files";
