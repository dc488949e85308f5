export * from "./render-ecs";
export * from "./render-collector";
