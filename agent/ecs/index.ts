export * from "./render-ecs";
