export * from "./ids";
export * from "./issues";
export * from "./terraform-json";
export * from "./validation";
