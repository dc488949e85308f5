import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { AUTOSCALER_ENVIRONMENT as E } from "../../../agent/autoscaler/config";
import { autoscaledPools, autoscalerWidgets, noAgentAlarmMinutesSchema, noAgentAlarmNames, whenAutoscalersKnown } from "../../../constructs/operations/autoscaler-monitoring";

/** A construct that carries an autoscaler's environment, as AgentAutoscaler exposes it. */
class FakeAutoscaler extends Construct {
  public constructor(
    scope: Construct,
    id: string,
    public readonly environment: Record<string, string>,
  ) {
    super(scope, id);
  }
}

describe("autoscaledPools", () => {
  test("finds the pools of the autoscalers on the target, each once, matching kind, name and (ECS) cluster", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    new FakeAutoscaler(stack, "A", { [E.targetKind]: "ecs", [E.targetName]: "svc", [E.ecsCluster]: "c1", [E.poolId]: "apool-a" });
    new FakeAutoscaler(stack, "B", { [E.targetKind]: "ecs", [E.targetName]: "svc", [E.ecsCluster]: "c2", [E.poolId]: "apool-b" });
    new FakeAutoscaler(stack, "C", { [E.targetKind]: "asg", [E.targetName]: "svc", [E.poolId]: "apool-c" });
    new FakeAutoscaler(stack, "D", { [E.targetKind]: "ecs", [E.targetName]: "svc", [E.ecsCluster]: "c1", [E.poolId]: "apool-a" });
    new FakeAutoscaler(stack, "E", { [E.targetKind]: "ecs", [E.targetName]: "svc", [E.ecsCluster]: "c1", [E.poolId]: "apool-e" });
    expect(autoscaledPools(stack, { kind: "ecs", name: "svc", cluster: "c1" })).toEqual(["apool-a", "apool-e"]);
    expect(autoscaledPools(stack, { kind: "asg", name: "svc" })).toEqual(["apool-c"]);
    expect(autoscaledPools(stack, { kind: "asg", name: "other" })).toEqual([]);
  });

  test("whenAutoscalersKnown calls back once, at synthesis, with autoscalers created after the construct", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const target = new Construct(stack, "Fleet");
    const calls: (readonly string[])[] = [];
    whenAutoscalersKnown(target, { kind: "asg", name: "g" }, (pools) => calls.push(pools));
    new FakeAutoscaler(stack, "A", { [E.targetKind]: "asg", [E.targetName]: "g", [E.poolId]: "apool-late" });
    expect(calls).toEqual([]);
    Testing.synth(stack);
    Testing.synth(stack);
    expect(calls).toEqual([["apool-late"]]);
  });
});

describe("the no-agent alarm's names, minutes and panels", () => {
  test("the first alarm keeps the plain id and name, later ones are numbered from 2", () => {
    expect(noAgentAlarmNames("f", 0)).toEqual({ id: "NoAgentAlarm", alarmName: "f-no-agent-while-runs-wait" });
    expect(noAgentAlarmNames("f", 1)).toEqual({ id: "NoAgentAlarm2", alarmName: "f-no-agent-while-runs-wait-2" });
  });

  test("minutes: a multiple of 5 from 5 to 120, 15 by default", () => {
    expect(noAgentAlarmMinutesSchema.parse(undefined)).toBe(15);
    expect(noAgentAlarmMinutesSchema.parse(120)).toBe(120);
    for (const bad of [0, 12, 125, 2.5]) expect(noAgentAlarmMinutesSchema.safeParse(bad).success).toBe(false);
  });

  test("panels read the pool's queue and capacity metrics", () => {
    const [queue, capacity] = autoscalerWidgets("apool-x");
    expect(queue).toMatchObject({ kind: "metric", stat: "Maximum", metrics: ["QueuedRuns", "BusyAgents", "IdleAgents"].map((name) => ({ namespace: "CdktfScalrKit/Autoscaler", name, dimensions: { Pool: "apool-x" } })) });
    expect(capacity).toMatchObject({ metrics: [{ name: "TargetCapacity" }, { name: "CurrentCapacity" }] });
  });
});
