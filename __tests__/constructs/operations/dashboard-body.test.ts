import { DashboardBody } from "../../../constructs/operations/dashboard-body";
import { alarmActions, alarmsOptionSchema } from "../../../constructs/operations/alarm-actions";
import { matchesFilterPattern } from "./filter-pattern";

describe("DashboardBody", () => {
  test("lays widgets out in rows of 24 and renders CloudWatch's metric arrays with options", () => {
    const body = new DashboardBody("eu-west-1").add(
      { kind: "metric", title: "A", metrics: [{ namespace: "N", name: "M", dimensions: { D: "v" }, stat: "p95", label: "l" }] },
      { kind: "metric", title: "B", metrics: [{ namespace: "N", name: "M2" }], width: 18 },
      { kind: "text", markdown: "# hi" },
    );
    expect(JSON.parse(body.render())).toEqual({
      widgets: [
        { type: "metric", x: 0, y: 0, width: 12, height: 6, properties: { title: "A", region: "eu-west-1", view: "timeSeries", stacked: false, stat: "Sum", period: 60, metrics: [["N", "M", "D", "v", { stat: "p95", label: "l" }]] } },
        { type: "metric", x: 0, y: 6, width: 18, height: 6, properties: { title: "B", region: "eu-west-1", view: "timeSeries", stacked: false, stat: "Sum", period: 60, metrics: [["N", "M2"]] } },
        { type: "text", x: 0, y: 12, width: 24, height: 2, properties: { markdown: "# hi" } },
      ],
    });
  });
});

describe("alarm actions", () => {
  test("true: alarms without actions; { actions }: the topics; false: none", () => {
    expect(alarmActions(alarmsOptionSchema.parse(undefined))).toEqual([]);
    expect(alarmActions(alarmsOptionSchema.parse({ actions: ["arn:aws:sns:eu-west-1:123456789012:t"] }))).toEqual(["arn:aws:sns:eu-west-1:123456789012:t"]);
    expect(alarmActions(alarmsOptionSchema.parse(false))).toBeUndefined();
  });

  test("fails on more than five actions", () => {
    expect(alarmsOptionSchema.safeParse({ actions: Array.from({ length: 6 }, (_, i) => `arn:aws:sns:eu-west-1:123456789012:t${i}`) }).success).toBe(false);
  });
});

describe("matchesFilterPattern (the test helper itself)", () => {
  test("quoted phrases match exactly and case-sensitively; terms must all appear; ?terms any", () => {
    expect(matchesFilterPattern('"a: event=x"', "pre a: event=x post")).toBe(true);
    expect(matchesFilterPattern('"a: event=x"', "a: event=X")).toBe(false);
    expect(matchesFilterPattern("ERROR Main", "ERROR in Main")).toBe(true);
    expect(matchesFilterPattern("ERROR Main", "ERROR only")).toBe(false);
    expect(matchesFilterPattern("?ERROR ?WARN", "WARN x")).toBe(true);
    expect(() => matchesFilterPattern('{ $.a = "b" }', "{}")).toThrow();
  });
});
