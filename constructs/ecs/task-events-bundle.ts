import { ProcessBundle, bundleLambda, lambdaEntry } from "../runtime/lambda-bundle";

/** The Lambda `handler` setting for the task-events bundle: file `index.js`, export `handler`. */
export const TASK_EVENTS_LAMBDA_HANDLER = "index.handler";

/** The Lambda runtime the bundle targets (`target: node22`). */
export const TASK_EVENTS_LAMBDA_RUNTIME = "nodejs22.x";

/** The task-events Lambda's entry (`agent/serverless/task-events`): see {@link lambdaEntry} for where it is looked for. */
export function taskEventsEntry(): string {
  return lambdaEntry("serverless", "task-events", "task-events Lambda");
}

const cached = new ProcessBundle("scalr-task-events-", (dir) => bundleLambda(taskEventsEntry(), dir, "task-events Lambda"));

/**
 * Bundles the serverless pool's task-events Lambda (agent/serverless/task-events.ts) into one
 * minified `index.js` ({@link bundleLambda}) and returns its directory, for a `TerraformAsset` of type
 * ARCHIVE with Lambda handler {@link TASK_EVENTS_LAMBDA_HANDLER}. Without `outDir` the bundle is built
 * once per process and reused. The build's copy step (scripts/copy-handler-source.js) already ships
 * every source of agent/serverless, this one included.
 */
export function bundleTaskEvents(options: { readonly outDir?: string } = {}): string {
  return options.outDir === undefined ? cached.get() : bundleLambda(taskEventsEntry(), options.outDir, "task-events Lambda");
}
