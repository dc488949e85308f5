export * from "./ids";
export * from "./issues";
export * from "./terraform-json";
export * from "./terraform-literal";
export * from "./validation";
