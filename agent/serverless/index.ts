// The webhook handler's pure parts. `./handler` (the Lambda entry, which loads the AWS SDK) is not
// re-exported: it is bundled on its own by constructs/ecs/webhook-handler-bundle.ts.
export * from "./config";
export * from "./launch";
export * from "./run-task";
export * from "./webhook";
