export * from "./agent-runtime";
export * from "./lambda-bundle";
export * from "./review-files";
export * from "./lambda-role";
