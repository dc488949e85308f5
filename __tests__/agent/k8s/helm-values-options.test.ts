import { AgentHelmChart, renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { FailureCase, ctx, minimal } from "./fixtures";

describe("chart options fail at synth time", () => {
  const cases: FailureCase[] = [
    ["when the chart is unknown", { chart: "agent-docker" as AgentHelmChart, settings: minimal }, 'k8s/Agent: `chart` must be one of "agent-local", "agent-k8s", "agent-job", got: "agent-docker"'],
    [
      "when a node selector key is not a label key",
      { chart: "agent-local", settings: minimal, nodeSelector: { "bad key": "x" } },
      'k8s/Agent: `nodeSelector["bad key"]` must be a Kubernetes label key ([prefix/]name), got: "bad key"',
    ],
    [
      "when a toleration has a value with Exists",
      { chart: "agent-local", settings: minimal, tolerations: [{ key: "k", operator: "Exists", value: "v" }] },
      'k8s/Agent: `tolerations[0]` must not set `value` with operator "Exists", got: {"key":"k","operator":"Exists","value":"v"}',
    ],
    [
      "when a resource quantity is malformed",
      { chart: "agent-local", settings: minimal, resources: { limits: { memory: "2 GB" } } },
      'k8s/Agent: `resources.limits.memory` must be a Kubernetes quantity such as "1Gi", got: "2 GB"',
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
