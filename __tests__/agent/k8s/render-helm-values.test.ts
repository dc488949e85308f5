import { renderHelmValues } from "../../../agent/k8s";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { messageOf } from "../../support/errors";
import { FailureCase, ctx, minimal, render } from "./fixtures";

// What every chart shares: the settings are resolved, checked against what chart agents can be, and
// the token comes from a Secret; each chart's own rendering is tested next to it (agent-*.test.ts).
describe("renderHelmValues fails at synth time", () => {
  const cases: FailureCase[] = [
    [
      "when a VCS pool uses agent-k8s",
      { chart: "agent-k8s", settings: { ...minimal, poolKind: "vcs" } },
      'k8s/Agent: `chart` must be "agent-local" for a VCS pool: the other charts start run tasks only, got: "agent-k8s"',
    ],
    [
      "when the drain grace period is below the chart's minimum",
      { chart: "agent-local", settings: { ...minimal, shutdown: { mode: "drain", gracePeriodSeconds: 119 } } },
      'k8s/Agent: `settings.shutdown.gracePeriodSeconds` must be at least 120 for `shutdown.mode` "drain", got: 119',
    ],
    [
      "when the graceful grace period is below the chart's minimum",
      { chart: "agent-k8s", settings: { ...minimal, shutdown: { mode: "graceful", gracePeriodSeconds: 29 } } },
      'k8s/Agent: `settings.shutdown.gracePeriodSeconds` must be at least 30 for `shutdown.mode` "graceful", got: 29',
    ],
    [
      "when extraEnv uses a reserved name",
      { chart: "agent-local", settings: { ...minimal, extraEnv: { SCALR_AGENT_DRIVER: "docker" } } },
      "k8s/Agent: `settings.extraEnv.SCALR_AGENT_DRIVER` is reserved: set `driver` instead, got: \"docker\"",
    ],
    ["when the agent is named", { chart: "agent-local", settings: { ...minimal, name: "a1" } }, 'k8s/Agent: `settings.name` is set by the chart: each pod registers under its own pod name, got: "a1"'],
    [
      "when the token is not a Kubernetes Secret",
      { chart: "agent-local", settings: { ...minimal, token: AgentTokenSource.fromFile("/run/token") } },
      'k8s/Agent: `settings.token` must come from AgentTokenSource.fromKubernetesSecret(name, key) (or use HelmAgent, which stores a Terraform value in a Secret it creates): chart values never hold the token, got: "file"',
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });

  test("reports every problem at once", () => {
    const message = messageOf(() => render({ chart: "agent-local", settings: { ...minimal, name: "a", concurrency: 3 }, replicas: 1 }));
    expect(message.split("\n")).toEqual([
      'k8s/Agent: `settings.name` is set by the chart: each pod registers under its own pod name, got: "a"',
      "k8s/Agent: `settings.concurrency` must be 1 (or unset) for agent-local: each pod runs one task; scale with `replicas`, got: 3",
    ]);
  });
});
