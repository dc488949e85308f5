// The webhook handler's pure parts. `./handler` (the Lambda entry, which builds the handler when
// imported) and its transport (`./ecs-client`, `./sigv4`) are not re-exported: the handler is
// bundled on its own by constructs/ecs/webhook-handler-bundle.ts.
export * from "./config";
export * from "./launch";
export * from "./run-task";
export * from "./webhook";
