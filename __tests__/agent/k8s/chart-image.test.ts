import { renderHelmValues } from "../../../agent/k8s";
import { describeValue } from "../../../core/validation";
import { messageOf } from "../../support/errors";
import { FailureCase, ctx, minimal, render } from "./fixtures";

describe("chart image values", () => {
  test("an image digest stays with the tag", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const values = render({ chart: "agent-local", settings: { ...minimal, image: `registry:5000/scalr/agent:1.4.0@${digest}` } });
    expect(values.image).toEqual({ repository: "registry:5000/scalr/agent", tag: `1.4.0@${digest}` });
  });
});

describe("chart image values fail at synth time", () => {
  const cases: FailureCase[] = [
    [
      "when the agent image is a digest without a tag",
      { chart: "agent-job", settings: { ...minimal, image: `registry.corp/scalr/agent@sha256:${"0".repeat(64)}` } },
      `k8s/Agent: \`settings.image\` must give a tag with the digest, e.g. registry.corp/scalr/agent:1.4.0@sha256:${"0".repeat(64)} (the charts render \`repository:tag\`, so a digest alone becomes \`registry.corp/scalr/agent:@sha256:${"0".repeat(64)}\`), got: ${describeValue(`registry.corp/scalr/agent@sha256:${"0".repeat(64)}`)}`,
    ],
  ];

  test.each(cases)("fails %s", (_name, input, expected) => {
    expect(messageOf(() => renderHelmValues(input, ctx))).toBe(expected);
  });
});
