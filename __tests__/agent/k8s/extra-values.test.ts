import { renderHelmValues } from "../../../agent/k8s";
import { messageOf } from "../../support/errors";
import { FailureCase, ctx, minimal, render } from "./fixtures";

describe("extra values", () => {
  test("extra values add keys next to the kit's", () => {
    const values = render({ chart: "agent-local", settings: minimal, extraValues: { securityContext: { readOnlyRootFilesystem: true }, image: { pullPolicy: "Always" } } });
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
    expect(values.image).toEqual({ repository: "scalr/agent", tag: "1.4.0", pullPolicy: "Always" });
  });
});

describe("extra values fail at synth time", () => {
  const cases: FailureCase[] = [
    [
      "when agent-local extraValues.extraEnv names the token variable",
      { chart: "agent-local", settings: minimal, extraValues: { extraEnv: { SCALR_AGENT_TOKEN: "t-secret" } } },
      "k8s/Agent: `extraValues.extraEnv.SCALR_AGENT_TOKEN` is reserved: set `token` instead, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when agent-k8s extraValues.extraEnv names a variable the kit renders",
      { chart: "agent-k8s", settings: minimal, extraValues: { extraEnv: { SCALR_AGENT_DRIVER: "docker" } } },
      'k8s/Agent: `extraValues.extraEnv.SCALR_AGENT_DRIVER` is reserved: set `driver` instead, got: "docker"',
    ],
    [
      "when agent-job extraValues.agent.extraEnv names the token variable",
      { chart: "agent-job", settings: minimal, extraValues: { agent: { extraEnv: { SCALR_TOKEN: "t-secret" } } } },
      "k8s/Agent: `extraValues.agent.extraEnv.SCALR_TOKEN` is reserved: set `token` instead, got: a plain string of 8 characters (value hidden)",
    ],
    [
      "when agent-job's controller extraEnv (list form) names the token variable",
      { chart: "agent-job", settings: minimal, extraValues: { agent: { controller: { extraEnv: [{ name: "TF_LOG", value: "info" }, { name: "SCALR_AGENT_TOKEN", value: "t-secret" }] } } } },
      'k8s/Agent: `extraValues.agent.controller.extraEnv[1].name` is reserved: set `token` instead, got: "SCALR_AGENT_TOKEN"',
    ],
    [
      "when agent-job's task worker and runner extraEnv name reserved variables",
      {
        chart: "agent-job",
        settings: minimal,
        extraValues: { task: { worker: { extraEnv: [{ name: "SCALR_URL", value: "https://other.scalr.io" }] }, runner: { extraEnv: [{ name: "HTTPS_PROXY", value: "http://p:3128" }] } } },
      },
      "k8s/Agent: `extraValues.task.worker.extraEnv[0].name` is reserved: set `scalrUrl` instead, got: \"SCALR_URL\"\nk8s/Agent: `extraValues.task.runner.extraEnv[0].name` is reserved: set `proxy.https` instead, got: \"HTTPS_PROXY\"",
    ],
    [
      "when an extra value overrides what the kit renders",
      { chart: "agent-local", settings: minimal, extraValues: { terminationGracePeriodSeconds: 30 } },
      "k8s/Agent: `extraValues.terminationGracePeriodSeconds` is rendered by the kit from `settings.shutdown.gracePeriodSeconds`; set it there instead, got: 30",
    ],
    [
      "when an extra value replaces a whole object the kit fills",
      { chart: "agent-job", settings: minimal, extraValues: { task: { allowMetadataService: true } } },
      "k8s/Agent: `extraValues.task.allowMetadataService` is rendered by the kit from `allowMetadataService`; set it there instead, got: true",
    ],
    [
      "when an extra value is not plain data",
      { chart: "agent-local", settings: minimal, extraValues: { podAnnotations: { a: () => "x" } } },
      "k8s/Agent: `extraValues.podAnnotations.a` must be plain data (string, number, boolean, null, list or object), got: a function",
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
