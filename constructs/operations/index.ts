export * from "./alarm-actions";
export * from "./dashboard-body";
export * from "./log-metric-alarm";
