export * from "./render-helm-values";
