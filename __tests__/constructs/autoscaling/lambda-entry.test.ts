import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { HttpPost } from "../../../agent/autoscaler/aws";
import { awsEndpoint, getSecretString, signJsonPost } from "../../../agent/autoscaler/lambda";
import { AUTOSCALER_LAMBDA_HANDLER, autoscalerEntry, bundleAutoscaler } from "../../../constructs/autoscaling";
import { sdkSigner } from "../../support/sdk-signer";


const ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:scalr-autoscaler-AbCdEf";
const ENV = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AWS_SESSION_TOKEN: "TOKEN/abc+==", AWS_REGION: "us-east-1" };

describe("signJsonPost (the Secrets Manager call)", () => {
  test.each([
    ["with a session token", "TOKEN/abc+=="],
    ["without one", undefined],
  ])("matches the AWS SDK's SigV4 signer (%s)", async (_name, sessionToken) => {
    const body = JSON.stringify({ SecretId: ARN });
    const now = Date.UTC(2026, 2, 2, 9, 0, 0);
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ...(sessionToken ? { sessionToken } : {}) };
    const host = "secretsmanager.eu-central-1.amazonaws.com";
    const mine = signJsonPost({ url: `https://${host}/`, body, target: "secretsmanager.GetSecretValue", region: "eu-central-1", service: "secretsmanager", credentials, now });
    const signer = sdkSigner({ credentials, region: "eu-central-1", service: "secretsmanager" });
    const signed = await signer.sign(
      { method: "POST", protocol: "https:", hostname: host, path: "/", query: {}, headers: { "content-type": "application/x-amz-json-1.1", host, "x-amz-target": "secretsmanager.GetSecretValue" }, body },
      { signingDate: new Date(now) },
    );
    expect(mine.authorization).toBe(signed.headers["authorization"]);
  });
});

describe("getSecretString", () => {
  const scripted = (status: number, body: string) => {
    const calls: Array<{ url: string; headers: Readonly<Record<string, string>>; body: string }> = [];
    const post: HttpPost = async (url, headers, b) => (calls.push({ url, headers, body: b }), { status, body });
    return { calls, post };
  };

  test("calls Secrets Manager in the secret's own region and returns the SecretString, trimmed", async () => {
    const s = scripted(200, JSON.stringify({ ARN, SecretString: "sa-token\n" }));
    await expect(getSecretString(ARN, { post: s.post, env: ENV, now: () => 0 })).resolves.toBe("sa-token");
    expect(s.calls[0]).toMatchObject({ url: "https://secretsmanager.eu-central-1.amazonaws.com/", body: JSON.stringify({ SecretId: ARN }) });
    expect(s.calls[0]?.headers).toMatchObject({ "x-amz-target": "secretsmanager.GetSecretValue", "content-type": "application/x-amz-json-1.1", "x-amz-security-token": "TOKEN/abc+==" });
  });

  test.each([
    [400, JSON.stringify({ __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." }), /ResourceNotFoundException/],
    [400, JSON.stringify({ __type: "com.amazonaws#AccessDeniedException", Message: "not authorized" }), /GetSecretValue: AccessDeniedException: not authorized/],
    [502, "<html>bad gateway</html>", /UnreadableResponse/],
    [200, JSON.stringify({ ARN, SecretBinary: "AAAA" }), /NoSecretString/],
  ])("HTTP %s %s fails with the error, not a value", async (status, body, message) => {
    await expect(getSecretString(ARN, { post: scripted(status, body).post, env: ENV, now: () => 0 })).rejects.toThrow(message);
  });

  test("without credentials it fails before calling", async () => {
    const s = scripted(200, "{}");
    await expect(getSecretString(ARN, { post: s.post, env: { AWS_REGION: "us-east-1" }, now: () => 0 })).rejects.toThrow(/no AWS credentials/);
    expect(s.calls).toEqual([]);
  });

  test("endpoints follow the SDKs' AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL settings, and the China partition", () => {
    expect(awsEndpoint({}, "SECRETS_MANAGER", "secretsmanager", "eu-west-1")).toBe("https://secretsmanager.eu-west-1.amazonaws.com");
    expect(awsEndpoint({}, "SECRETS_MANAGER", "secretsmanager", "cn-north-1")).toBe("https://secretsmanager.cn-north-1.amazonaws.com.cn");
    expect(awsEndpoint({ AWS_ENDPOINT_URL: "http://localhost:4566/" }, "SECRETS_MANAGER", "secretsmanager", "eu-west-1")).toBe("http://localhost:4566");
    expect(awsEndpoint({ AWS_ENDPOINT_URL: "http://a", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://b" }, "SECRETS_MANAGER", "secretsmanager", "eu-west-1")).toBe("http://b");
  });
});

describe("bundleAutoscaler", () => {
  const ROOT = path.resolve(__dirname, "..", "..", "..");
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  const build = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "autoscaler-bundle-"));
    dirs.push(d);
    return fs.readFileSync(path.join(bundleAutoscaler({ outDir: d }), "index.js"), "utf8");
  };

  test("bundles agent/autoscaler/lambda.ts into one minified index.js exporting `handler`, the same bytes every time, with no local path", () => {
    expect(path.relative(ROOT, autoscalerEntry())).toBe(path.join("agent", "autoscaler", "lambda.ts"));
    expect(AUTOSCALER_LAMBDA_HANDLER).toBe("index.handler");
    const a = build();
    expect(build()).toBe(a);
    for (const local of [ROOT, os.tmpdir(), os.homedir(), "node_modules/"]) expect(a).not.toContain(local);
    expect(a).not.toContain("sourceMappingURL");
    let mod: { handler?: unknown } = {};
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      mod = require(path.join(dirs[0] as string, "index.js"));
    });
    expect(typeof mod.handler).toBe("function");
  });
});
