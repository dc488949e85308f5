import { renderEcsContainerEnvironment, ECS_NO_PROXY_DEFAULTS } from "../../../agent/ecs/render-ecs";
import { resolveAgentSettings } from "../../../agent/settings/agent-settings";
import { NO_PROXY_LOOPBACK, proxyVariables, renderProxy } from "../../../agent/settings/proxy";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, VM_NO_PROXY_DEFAULTS } from "../../../agent/vm";

const token = AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/proxy-AbCdEf");
const proxy = { http: "http://proxy.corp:3128", noProxy: [".corp.example", "localhost"] };

describe("one proxy renderer for every runtime", () => {
  test("fills the missing scheme, puts the runtime's endpoints first and drops duplicates", () => {
    expect(renderProxy(proxy, ["localhost", "169.254.170.2"])).toEqual({
      http: "http://proxy.corp:3128",
      https: "http://proxy.corp:3128",
      noProxy: "localhost,169.254.170.2,.corp.example",
    });
    expect(renderProxy(undefined, NO_PROXY_LOOPBACK)).toBeUndefined();
  });

  test("variables come in upper and lower case; an empty direct list renders no NO_PROXY", () => {
    expect(proxyVariables({ http: "http://a:1", https: "http://b:2", noProxy: "" })).toEqual({
      HTTP_PROXY: "http://a:1",
      http_proxy: "http://a:1",
      HTTPS_PROXY: "http://b:2",
      https_proxy: "http://b:2",
    });
  });

  test("ECS keeps the task credentials endpoint 169.254.170.2 and instance metadata direct, like the VM keeps IMDS", () => {
    const s = resolveAgentSettings({ scalrUrl: "https://proxy.scalr.io", token, proxy });
    const ecs = Object.fromEntries(renderEcsContainerEnvironment(s, { subject: "ecs" }).environment.map((v) => [v.name, v.value]));
    for (const name of ["NO_PROXY", "no_proxy"]) {
      expect(ecs[name]?.split(",")).toEqual([...ECS_NO_PROXY_DEFAULTS, ".corp.example"]);
      expect(ecs[name]?.split(",")).toContain("169.254.170.2");
    }
    const vm = renderVmUserData({ scalrUrl: "https://proxy.scalr.io", token, proxy }, { os: "ubuntu-24.04" }).environmentFile.variables;
    expect(vm.NO_PROXY?.split(",")).toEqual([...VM_NO_PROXY_DEFAULTS, ".corp.example"]);
    expect(vm.NO_PROXY?.split(",")).toEqual(expect.arrayContaining(["169.254.169.254", "fd00:ec2::254"]));
  });
});
