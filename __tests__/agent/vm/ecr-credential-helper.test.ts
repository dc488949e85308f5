import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ImagePullCredentials } from "../../../agent/settings/agent-image";
import { AgentTokenSource } from "../../../agent/settings/token-source";
import { renderVmUserData, VM_ECR_CREDENTIAL_HELPER, VmUserData } from "../../../agent/vm";
import { messageOf } from "../../support/errors";
import { testWithTools } from "../../support/system-tool";
import { expectedSignature, startFakeImds } from "./sigv4";

const TOKEN_ARN = "arn:aws:secretsmanager:ap-southeast-2:777788889999:secret:scalr/helper-token-Gh78Ij";
const REGISTRY = "777788889999.dkr.ecr.ap-southeast-2.amazonaws.com";
const ECR_PASSWORD = "ecr-password-from-getauthorizationtoken";

function render(image: object, installMode: "docker" | "package" = "docker"): VmUserData {
  return renderVmUserData(
    { scalrUrl: "https://helper-acct.scalr.io", token: AgentTokenSource.fromAwsSecretsManager(TOKEN_ARN), image: image as never },
    { os: "ubuntu-22.04", installMode },
  );
}
const MIRRORED = { registry: REGISTRY, repository: "hub-cache/scalr/agent", tag: "1.4.0", ecr: { accountId: "777788889999", region: "ap-southeast-2", pullThroughCache: true } };

describe("renderVmUserData: an ECR image is pulled with the instance role", () => {
  test("the agent's unit names the Docker configuration, which maps the registry to the helper and holds no credential", () => {
    const u = render(MIRRORED);
    expect(u.ecrLogin).toEqual({ registry: REGISTRY, credentialHelper: VM_ECR_CREDENTIAL_HELPER, dockerConfig: "/etc/scalr-agent/docker" });
    const unit = u.units.find((x) => x.path === "/etc/systemd/system/scalr-agent.service")?.render() as string;
    expect(unit).toContain('Environment="DOCKER_CONFIG=/etc/scalr-agent/docker"');
    expect(unit).toContain(`${REGISTRY}/hub-cache/scalr/agent:1.4.0 run`);
    const files = (u.cloudConfig.toObject() as { write_files: { path: string; content: string }[] }).write_files;
    const config = files.find((f) => f.path === "/etc/scalr-agent/docker/config.json") as { content: string };
    expect(JSON.parse(config.content)).toEqual({ credHelpers: { [REGISTRY]: "scalr-ecr" } });
    expect(u.scripts.map((s) => s.path)).toContain(VM_ECR_CREDENTIAL_HELPER);
  });

  test("a repository you fill, given as a reference string, gets the same login", () => {
    expect(render(`${REGISTRY}/platform/scalr-agent:1.4.0` as never).ecrLogin?.registry).toBe(REGISTRY);
  });

  test("no login for an image outside ECR, nor in the legacy package mode (no image)", () => {
    expect(render("ghcr.io/corp/scalr-agent:1.4.0" as never).ecrLogin).toBeUndefined();
    expect(render({}).document).not.toContain("DOCKER_CONFIG");
    expect(render(MIRRORED, "package").ecrLogin).toBeUndefined();
  });

  test("fails when registry credentials are given: they would be a password on the VM", () => {
    const credentials = ImagePullCredentials.fromAwsSecretsManager("arn:aws:secretsmanager:eu-central-1:123456789012:secret:registry-AbC123");
    expect(messageOf(() => render({ registry: "registry.example.com", credentials }))).toBe(
      "renderVmUserData: `image.credentials` cannot be used on a VM: the host's Docker pulls the agent image without a registry password (the kit writes none to user data or disk); pull from Amazon ECR with the instance role instead (`settings.image: new AgentImageMirror(…).agentImage()`, or an image in an ECR repository you fill), use an image the instances can pull anonymously, or bake it into the machine image, and leave `credentials` unset, got: ImagePullCredentials(aws-secrets-manager \"arn:aws:secretsmanager:eu-central-1:123456789012:secret:registry-AbC123\")",
    );
  });
});

/** A loopback IMDS (IMDSv2 only) and ECR API: answers GetAuthorizationToken when the request is signed by the instance role. */
async function fakeImdsAndEcr(): Promise<{ url: string; signatureOk: () => boolean; close: () => void }> {
  let signatureOk = false;
  const instance = { role: "fleet-role", credentials: { AccessKeyId: "ASIAECRKEY", SecretAccessKey: "ecr/secret+key", Token: "session-token-ecr" }, region: "eu-west-3" };
  const server = await startFakeImds(instance, (req, body, res) => {
    const auth = String(req.headers.authorization);
    signatureOk =
      req.headers["x-amz-target"] === "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" &&
      req.headers["x-amz-security-token"] === "session-token-ecr" &&
      // Signed for the registry's region, not the instance's.
      auth.includes("/ap-southeast-2/ecr/aws4_request") &&
      auth.endsWith(`Signature=${expectedSignature(req, body, "ecr/secret+key")}`) &&
      JSON.stringify(JSON.parse(body).registryIds) === '["777788889999"]';
    const token = Buffer.from(`AWS:${ECR_PASSWORD}`).toString("base64");
    res.end(JSON.stringify({ authorizationData: [{ authorizationToken: token, proxyEndpoint: `https://${REGISTRY}` }] }));
  });
  return { ...server, signatureOk: () => signatureOk };
}

function runHelper(script: string, args: string[], stdin: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH, AWS_EC2_METADATA_SERVICE_ENDPOINT: url, AWS_ENDPOINT_URL_ECR: url };
  return new Promise((resolve) => {
    const child = execFile("python3", [script, ...args], { env, encoding: "utf8" }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}

describe("docker-credential-scalr-ecr, run as shipped", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ecr-helper-"));
  const script = path.join(dir, "docker-credential-scalr-ecr");
  fs.writeFileSync(script, render(MIRRORED).scripts.find((s) => s.path === VM_ECR_CREDENTIAL_HELPER)?.content as string, { mode: 0o700 });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  testWithTools(
    "get: a signed GetAuthorizationToken in the registry's region, answered in Docker's credential helper format",
    [["python3"]],
    async () => {
      const aws = await fakeImdsAndEcr();
      try {
        const r = await runHelper(script, ["get"], `${REGISTRY}\n`, aws.url);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual({ ServerURL: REGISTRY, Username: "AWS", Secret: ECR_PASSWORD });
        expect(aws.signatureOk()).toBe(true);
        // The password is never logged.
        expect(r.stderr).not.toContain(ECR_PASSWORD);
      } finally {
        aws.close();
      }
    },
    30000,
  );

  testWithTools(
    "get: another registry is not found (Docker's message), store/erase keep nothing, list lists nothing",
    [["python3"]],
    async () => {
      const aws = await fakeImdsAndEcr();
      try {
        const other = await runHelper(script, ["get"], "ghcr.io", aws.url);
        expect(other).toMatchObject({ code: 1, stdout: "credentials not found in native keychain\n" });
        expect(aws.signatureOk()).toBe(false);
        expect(await runHelper(script, ["store"], JSON.stringify({ ServerURL: REGISTRY, Username: "u", Secret: "s" }), aws.url)).toMatchObject({ code: 0, stdout: "" });
        expect(await runHelper(script, ["erase"], REGISTRY, aws.url)).toMatchObject({ code: 0, stdout: "" });
        expect(await runHelper(script, ["list"], "", aws.url)).toMatchObject({ code: 0, stdout: "{}" });
      } finally {
        aws.close();
      }
    },
    30000,
  );
});
