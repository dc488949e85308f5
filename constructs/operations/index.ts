export * from "./alarm-actions";
export * from "./dashboard-body";
export * from "./log-metric-alarm";
export * from "./autoscaler-monitoring";
export * from "./metric-math-alarm";
export * from "./token-age-alarm";
export * from "./token-age-bundle";
