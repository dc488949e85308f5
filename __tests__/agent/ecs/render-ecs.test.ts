import { AgentTokenSource } from "../../../agent/settings/token-source";
import { checkFargateSize, fargateMemoryOptions, renderEcsContainerEnvironment } from "../../../agent/ecs/render-ecs";
import { resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { messageOf } from "../../support/errors";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/token-AbCdEf";
const ctx = { subject: "ecs/Agent" };

describe("renderEcsContainerEnvironment", () => {
  test("plain variables go to environment, the token only as a secret reference", () => {
    const settings = resolveAgentSettings({ scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(ARN), single: true, driver: "local" });
    const out = renderEcsContainerEnvironment(settings, ctx);
    expect(out.secrets).toEqual([{ name: "SCALR_AGENT_TOKEN", valueFrom: ARN }]);
    expect(out.environment).toContainEqual({ name: "SCALR_AGENT_SINGLE", value: "true" });
    expect(out.environment.map((e) => e.name)).not.toContain("SCALR_AGENT_TOKEN");
    const names = out.environment.map((e) => e.name);
    expect(names).toEqual([...names].sort());
  });

  test("a JSON key of the secret is addressed the ECS way", () => {
    const settings = resolveAgentSettings({ scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(ARN, { jsonKey: "token" }) });
    expect(renderEcsContainerEnvironment(settings, ctx).secrets[0]?.valueFrom).toBe(`${ARN}:token::`);
  });

  test("fails when the token is not in Secrets Manager", () => {
    const settings = resolveAgentSettings({ scalrUrl: "https://acme.scalr.io", token: AgentTokenSource.fromKubernetesSecret("t") });
    expect(messageOf(() => renderEcsContainerEnvironment(settings, { ...ctx, fieldPrefix: "settings" }))).toBe(
      'ecs/Agent: `settings.token` must come from AgentTokenSource.fromAwsSecretsManager(arn) on ECS: the task definition only references the secret, got: "kubernetes-secret"',
    );
  });
});

describe("Fargate sizes", () => {
  test("memory options per CPU size follow Fargate's table", () => {
    expect(fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemoryOptions(2048)?.[0]).toBe(4096);
    expect(fargateMemoryOptions(2048)?.at(-1)).toBe(16384);
    expect(fargateMemoryOptions(8192)).toContain(61440);
    expect(fargateMemoryOptions(8192)).not.toContain(17408);
    expect(fargateMemoryOptions(300)).toBeUndefined();
  });

  test("valid pairs pass; others name the field and what Fargate offers", () => {
    expect(checkFargateSize(2048, 4096, { cpu: "cpu", memory: "memoryMiB" })).toEqual([]);
    expect(checkFargateSize(1024, 1024, { cpu: "cpu", memory: "memoryMiB" })).toEqual([
      { field: "memoryMiB", message: "must be a memory size Fargate offers with 1024 CPU units (2048–8192 in steps of 1024 MiB)", received: "1024" },
    ]);
    expect(checkFargateSize(256, 4096, { cpu: "cpu", memory: "memoryMiB" })[0]?.message).toBe("must be a memory size Fargate offers with 256 CPU units (512, 1024, 2048 MiB)");
    expect(checkFargateSize(3000, 4096, { cpu: "cpu", memory: "memoryMiB" })[0]).toEqual({
      field: "cpu",
      message: "must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192, 16384",
      received: "3000",
    });
  });
});
