import { AgentSettings, resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { messageOf } from "../../support/errors";

const base: AgentSettings = { scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr-agent-token") };

describe("URLs rendered in plain text carry no credentials", () => {
  test.each([
    ["scalrUrl", { scalrUrl: "https://user:s3cret@acme.scalr.io" }, "`scalrUrl` must not hold credentials"],
    ["scalrUrl with a user only", { scalrUrl: "https://s3cret@acme.scalr.io" }, "`scalrUrl` must not hold credentials"],
    ["a provider mirror", { providerMirrors: [{ url: "https://u:s3cret@mirror.example.com/" }] }, "`providerMirrors[0].url` must not hold credentials"],
  ])("%s", (_name, over, message) => {
    const text = messageOf(() => resolveAgentSettings({ ...base, ...over } as AgentSettings));
    expect(text).toContain(message);
    expect(text).not.toContain("s3cret");
  });
});
