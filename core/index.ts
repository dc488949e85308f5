export * from "./terraform-json";
export * from "./validation";
