export * from "./render-agent-dockerfile";
export * from "./render-docker-host";
