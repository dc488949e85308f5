export * from "./cloud-config";
export * from "./render-user-data";
export * from "./scripts";
export * from "./systemd-unit";
export * from "./vm-os";
export * from "./vm-token-fetch";
