import * as fs from "fs";
import * as path from "path";
import { bundleTaskEvents, taskEventsEntry, TASK_EVENTS_LAMBDA_HANDLER } from "../../../constructs/ecs/task-events-bundle";
import { parseTaskEventsConfig, taskEventRecord } from "../../../agent/serverless/task-events";
import { useBundledLambda } from "../../support/bundled-lambda";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const CLUSTER = "arn:aws:ecs:us-west-2:111122223333:cluster/scalr-serverless";
const ENV = { CLUSTER_ARN: CLUSTER, METRIC_NAMESPACE: "ScalrAgents/scalr-serverless", POOL_NAME: "scalr-serverless" };

/**
 * The task state change event of the ECS developer guide's example
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html), moved to this
 * pool's cluster and given the `startedBy` the webhook handler sets (the example has none).
 */
function runningEvent(detail: Record<string, unknown> = {}): any {
  return {
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: "111122223333",
    time: "2020-01-23T17:57:58Z",
    region: "us-west-2",
    resources: ["arn:aws:ecs:us-west-2:111122223333:task/scalr-serverless/c13b4cb40f1f4fe4a2971f76ae5a47ad"],
    detail: {
      attachments: [{ id: "1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8", type: "eni", status: "ATTACHED", details: [{ name: "subnetId", value: "subnet-abcd1234" }] }],
      availabilityZone: "us-west-2c",
      clusterArn: CLUSTER,
      containers: [{ containerArn: "arn:aws:ecs:us-west-2:111122223333:container/cf159fd6-3e3f-4a9e-84f9-66cbe726af01", lastStatus: "RUNNING", name: "agent" }],
      createdAt: "2020-01-23T17:57:34.402Z",
      launchType: "FARGATE",
      cpu: "2048",
      memory: "4096",
      desiredStatus: "RUNNING",
      group: "family:scalr-serverless",
      lastStatus: "RUNNING",
      connectivity: "CONNECTED",
      connectivityAt: "2020-01-23T17:57:38.453Z",
      pullStartedAt: "2020-01-23T17:57:52.103Z",
      startedAt: "2020-01-23T17:57:58.103Z",
      pullStoppedAt: "2020-01-23T17:57:55.103Z",
      startedBy: "scalr/task/atask-v0abc123",
      updatedAt: "2020-01-23T17:57:58.103Z",
      taskArn: "arn:aws:ecs:us-west-2:111122223333:task/scalr-serverless/c13b4cb40f1f4fe4a2971f76ae5a47ad",
      taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/scalr-serverless:1",
      version: 4,
      platformVersion: "1.4.0",
      ...detail,
    },
  };
}

const bundled = useBundledLambda((outDir) => bundleTaskEvents({ outDir }), "task-events-", ENV);
const handler = bundled.handler;

describe("the bundled task-events Lambda", () => {
  test("is one small index.js with the handler named by TASK_EVENTS_LAMBDA_HANDLER, built from the TypeScript source, without any AWS SDK", () => {
    expect(fs.readdirSync(bundled.dir())).toEqual(["index.js"]);
    expect(TASK_EVENTS_LAMBDA_HANDLER).toBe("index.handler");
    expect(path.relative(ROOT, taskEventsEntry())).toBe(path.join("agent", "serverless", "task-events.ts"));
    const code = fs.readFileSync(path.join(bundled.dir(), "index.js"), "utf8");
    expect(code.length).toBeLessThan(8 * 1024);
    expect(code).not.toMatch(/@smithy|@aws-sdk|sourceMappingURL/);
  });

  test("writes one EMF line for a pool task reaching RUNNING: TimeToRunningMs = startedAt - createdAt, in the pool's namespace", async () => {
    await handler(runningEvent());
    expect(bundled.lines()).toHaveLength(1);
    const line = bundled.lines()[0] as string;
    expect(line.endsWith("\n")).toBe(true);
    const record = JSON.parse(line);
    expect(record._aws).toEqual({
      Timestamp: Date.parse("2020-01-23T17:57:58.103Z"),
      CloudWatchMetrics: [{ Namespace: "ScalrAgents/scalr-serverless", Dimensions: [["Pool"]], Metrics: [{ Name: "TimeToRunningMs", Unit: "Milliseconds" }] }],
    });
    expect(record.Pool).toBe("scalr-serverless");
    expect(record.TimeToRunningMs).toBe(23_701);
    expect(record).toMatchObject({ taskArn: expect.stringContaining(":task/scalr-serverless/"), startedBy: "scalr/task/atask-v0abc123", group: "family:scalr-serverless" });
  });

  test("measures tasks started under a hashed key too (scalr/sha256/…)", async () => {
    await handler(runningEvent({ startedBy: `scalr/sha256/${"a".repeat(64)}`, createdAt: "2020-01-23T17:57:00.000Z", startedAt: "2020-01-23T17:58:30.500Z" }));
    expect(JSON.parse(bundled.lines()[0] as string).TimeToRunningMs).toBe(90_500);
  });

  test.each([
    ["another cluster's task", { clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/other-pool" }, "other-cluster"],
    ["a PENDING task", { lastStatus: "PENDING", startedAt: undefined }, "not-running"],
    ["a task that stopped after its run (EssentialContainerExited)", { lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedAt: "2020-01-23T18:10:00.000Z" }, "stopped-after-start"],
    ["a task stopped by a user", { lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "UserInitiated", stoppedAt: "2020-01-23T18:10:00.000Z" }, "stopped-after-start"],
    ["a STOPPED task without a stop code", { lastStatus: "STOPPED", desiredStatus: "STOPPED" }, "stopped-after-start"],
    ["another cluster's task that failed to start", { clusterArn: "arn:aws:ecs:us-west-2:111122223333:cluster/other-pool", lastStatus: "STOPPED", stopCode: "TaskFailedToStart" }, "other-cluster"],
    ["a service's task that failed to start", { startedBy: "ecs-svc/1234567890123456789", lastStatus: "STOPPED", stopCode: "TaskFailedToStart" }, "not-a-pool-task"],
    ["a task without startedBy (as in the AWS example)", { startedBy: undefined }, "not-a-pool-task"],
    ["a task started by an ECS service", { startedBy: "ecs-svc/1234567890123456789" }, "not-a-pool-task"],
    ["a task without startedAt", { startedAt: undefined }, "missing-times"],
    ["a task with a startedAt before createdAt", { startedAt: "2020-01-23T17:57:00.000Z" }, "missing-times"],
  ])("writes no metric for %s", async (_name, detail, reason) => {
    await handler(runningEvent(detail));
    expect(bundled.lines()).toHaveLength(1);
    const record = JSON.parse(bundled.lines()[0] as string);
    expect(record).toEqual({ message: "scalr agent task event skipped", skipped: reason, taskArn: expect.any(String) });
    expect(record._aws).toBeUndefined();
  });

  test("writes one EMF line for a pool task that stopped before it ran (TaskFailedToStart), with ECS's reasons", async () => {
    // Reasons as the stopped-task error codes page words them
    // (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html).
    const reason = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/scalr/agent:0.0.0: not found";
    await handler(
      runningEvent({
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        startedAt: undefined,
        stopCode: "TaskFailedToStart",
        stoppedReason: reason,
        stoppingAt: "2020-01-23T17:58:10.000Z",
        stoppedAt: "2020-01-23T17:58:12.000Z",
        containers: [{ containerArn: "arn:aws:ecs:us-west-2:111122223333:container/cf159fd6", lastStatus: "STOPPED", name: "agent", reason }],
      }),
    );
    expect(bundled.lines()).toHaveLength(1);
    const record = JSON.parse(bundled.lines()[0] as string);
    expect(record._aws).toEqual({
      Timestamp: Date.parse("2020-01-23T17:58:12.000Z"),
      CloudWatchMetrics: [{ Namespace: "ScalrAgents/scalr-serverless", Dimensions: [["Pool"]], Metrics: [{ Name: "TasksFailedToStart", Unit: "Count" }] }],
    });
    expect(record).toMatchObject({
      Pool: "scalr-serverless",
      TasksFailedToStart: 1,
      level: "error",
      message: "scalr agent task failed to start",
      stopCode: "TaskFailedToStart",
      stoppedReason: reason,
      containers: [{ name: "agent", reason }],
      startedBy: "scalr/task/atask-v0abc123",
    });
    expect(record.TimeToRunningMs).toBeUndefined();
  });

  test("dates a failed start by the event's time when the task carries no stop time", async () => {
    await handler(runningEvent({ lastStatus: "STOPPED", startedAt: undefined, updatedAt: undefined, stopCode: "TaskFailedToStart", stoppedReason: "ResourceInitializationError: unable to pull secrets or registry auth" }));
    const record = JSON.parse(bundled.lines()[0] as string);
    expect(record._aws.Timestamp).toBe(Date.parse("2020-01-23T17:57:58Z"));
    expect(record.containers).toEqual([]);
  });

  test("writes no metric for an event that is no task state change", async () => {
    await handler({ "detail-type": "ECS Service Action", source: "aws.ecs", detail: { clusterArn: CLUSTER } });
    await handler(null);
    expect(bundled.lines().map((l) => JSON.parse(l).skipped)).toEqual(["not-a-task-event", "not-a-task-event"]);
  });
});

describe("the task-events core", () => {
  test("fails naming each missing variable", () => {
    expect(() => parseTaskEventsConfig({ CLUSTER_ARN: CLUSTER })).toThrow("task-events Lambda: environment variable(s) METRIC_NAMESPACE, POOL_NAME must be set");
  });

  test("the same event gives the same line (the metric depends on the event only)", () => {
    const config = parseTaskEventsConfig(ENV);
    expect(taskEventRecord(runningEvent(), config)).toEqual(taskEventRecord(runningEvent(), config));
  });
});
