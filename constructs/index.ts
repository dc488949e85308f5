export * from "./scalr";
