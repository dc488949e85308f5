export * from "./all-rules";
