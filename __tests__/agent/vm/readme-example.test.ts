// The README's VM runtime example, kept compiling and running here, importing from the package
// root as the README does.
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData } from "../../../agent/vm/render-user-data";
import { VmTokenFetch } from "../../../agent/vm/vm-token-fetch";

test("README example: user data for an EC2 instance and for a GCP VM", () => {
  // EC2: the instance role reads the token from Secrets Manager at boot.
  const ec2 = renderVmUserData(
    {
      scalrUrl: "https://example.scalr.io",
      token: AgentTokenSource.fromAwsSecretsManager("arn:aws:secretsmanager:eu-west-1:123456789012:secret:scalr/agent-token-AbCdEf"),
      concurrency: 2,
      proxy: { http: "http://proxy.internal:3128", noProxy: [".internal"] },
    },
    { os: "amazon-linux-2023" },
  );
  // ec2.document is the #cloud-config; base64-encode it for a launch template.

  // GCP: any command that prints the token.
  const gcp = renderVmUserData(
    { scalrUrl: "https://example.scalr.io", token: AgentTokenSource.fromFile("/run/scalr-agent/unused") },
    { os: "ubuntu-24.04", tokenFetch: VmTokenFetch.command("gcloud secrets versions access latest --secret=scalr-agent-token") },
  );
  expect(ec2.document.startsWith("#cloud-config\n")).toBe(true);
  expect(gcp.scripts.map((s) => s.path)).toEqual(["/usr/local/libexec/scalr-agent/fetch-token", "/usr/local/libexec/scalr-agent/first-boot"]);
});
