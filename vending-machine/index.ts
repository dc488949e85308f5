export * from "./cli";
export * from "./spec";
export * from "./vending-machine";
export * from "./vending-machine-stack";
