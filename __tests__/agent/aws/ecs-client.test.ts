import * as http from "http";
import type { AddressInfo } from "net";
import { ECSClient, RunTaskCommand, RunTaskCommandInput } from "@aws-sdk/client-ecs";
import { classifyError } from "../../../agent/serverless";
import { AWS_JSON_1_1, ECS_TARGET_PREFIX, EcsServiceError, EcsUnreadableAnswerError, HttpAnswer, HttpPostWithTimeout, createEcsClient, ecsErrorCode, nodeHttpPost } from "../../../agent/serverless/ecs-client";
import { awsEndpoint, signPost } from "../../../agent/aws/sigv4";
import { FakeEcs, ecsReply, startFakeEcs } from "../../support/fake-ecs";
import { sdkSigner } from "../../support/sdk-signer";

// The webhook handler's own ECS client (agent/serverless/ecs-client.ts, agent/aws/sigv4.ts):
// its signature against the AWS SDK's signer, its errors against the SDK's for the same answers,
// its endpoint selection, and its transport's failures as the handler's retry logic sorts them.


const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const ENV = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", AWS_SESSION_TOKEN: "TOKEN/abc+==", AWS_REGION: "eu-west-1" };
const RUN_TASK: RunTaskCommandInput = {
  cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/scalr-agents",
  taskDefinition: "arn:aws:ecs:eu-west-1:123456789012:task-definition/scalr-agent-run:3",
  count: 1,
  launchType: "FARGATE",
  networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0aaa1111"], securityGroups: ["sg-0bbb2222"], assignPublicIp: "DISABLED" } },
  clientToken: "atask-v0p6k8aq4c2sdkl9a",
  startedBy: "scalr/task/atask-v0p6k8aq4c2sdkl9a",
  tags: [{ key: "scalr:run-id", value: "run-v0p6k8aq4c2sdkl9a" }],
  propagateTags: "TASK_DEFINITION",
};

/** A transport that records the request and answers `answers` in turn. */
function scripted(...answers: Array<Partial<HttpAnswer> | Error>) {
  const calls: Array<{ url: string; headers: Readonly<Record<string, string>>; body: string; timeoutMs: number }> = [];
  const post: HttpPostWithTimeout = async (url, headers, body, timeoutMs) => {
    calls.push({ url, headers, body, timeoutMs });
    const a = answers.shift() ?? { status: 200, body: "{}" };
    if (a instanceof Error) throw a;
    return { status: a.status ?? 200, headers: a.headers ?? {}, body: a.body ?? "" };
  };
  return { calls, post };
}

/** The SDK signer's Authorization for exactly these headers (all signed) and body. */
async function sdkAuthorization(url: string, headers: Readonly<Record<string, string>>, body: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region: string) {
  const u = new URL(url);
  const rest = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "authorization"));
  const signer = sdkSigner({ credentials, region, service: "ecs" });
  const signed = await signer.sign({ method: "POST", protocol: u.protocol, hostname: u.hostname, port: u.port ? Number(u.port) : undefined, path: u.pathname, query: {}, headers: rest, body }, { signingDate: new Date(NOW) });
  return signed.headers["authorization"];
}

describe("signPost for an ECS JSON 1.1 request", () => {
  test.each([
    ["with a session token", "TOKEN/abc+=="],
    ["without one", undefined],
  ])("matches the AWS SDK's SigV4 signer (%s)", async (_name, sessionToken) => {
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ...(sessionToken ? { sessionToken } : {}) };
    const url = "https://ecs.eu-west-1.amazonaws.com/";
    const body = JSON.stringify(RUN_TASK);
    const mine = signPost({ url, body, contentType: AWS_JSON_1_1, extraHeaders: { "x-amz-target": `${ECS_TARGET_PREFIX}RunTask` }, region: "eu-west-1", service: "ecs", credentials, now: NOW });
    expect(mine.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260302\/eu-west-1\/ecs\/aws4_request, SignedHeaders=content-type;host;x-amz-date;(x-amz-security-token;)?x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(mine.authorization).toBe(await sdkAuthorization(url, mine, body, credentials, "eu-west-1"));
  });
});

describe("createEcsClient", () => {
  test("RunTask: one POST to the regional endpoint, the JSON 1.1 target and content type, the input as JSON, signed as the SDK signs it, the answer returned", async () => {
    const answer = { tasks: [{ taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/scalr-agents/0123", createdAt: 1_700_000_000 }], failures: [] };
    const t = scripted({ status: 200, body: JSON.stringify(answer) });
    const call = createEcsClient({ env: () => ENV, post: t.post, now: () => NOW });
    await expect(call("RunTask", RUN_TASK, { timeoutMs: 1234 })).resolves.toEqual(answer);
    expect(t.calls).toHaveLength(1);
    const [c] = t.calls;
    expect(c?.url).toBe("https://ecs.eu-west-1.amazonaws.com/");
    expect(c?.timeoutMs).toBe(1234);
    expect(JSON.parse(c?.body ?? "")).toEqual(RUN_TASK);
    expect(c?.headers).toMatchObject({ "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonEC2ContainerServiceV20141113.RunTask", "x-amz-security-token": "TOKEN/abc+==", host: "ecs.eu-west-1.amazonaws.com" });
    expect(c?.headers.authorization).toBe(await sdkAuthorization(c?.url ?? "", c?.headers ?? {}, c?.body ?? "", { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY, sessionToken: ENV.AWS_SESSION_TOKEN }, "eu-west-1"));
  });

  test("reads credentials and region at each call (Lambda may rotate them), and fails before calling without them", async () => {
    let env: Record<string, string | undefined> = { ...ENV };
    const t = scripted();
    const call = createEcsClient({ env: () => env, post: t.post, now: () => NOW });
    await call("ListTasks", { cluster: "c" });
    env = { ...ENV, AWS_ACCESS_KEY_ID: "AKIDROTATED", AWS_REGION: "us-east-2" };
    await call("ListTasks", { cluster: "c" });
    expect(t.calls.map((c) => c.headers.authorization?.split("/").slice(0, 3).join("/"))).toEqual(["AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260302/eu-west-1", "AWS4-HMAC-SHA256 Credential=AKIDROTATED/20260302/us-east-2"]);
    env = { AWS_REGION: "eu-west-1" };
    await expect(call("ListTasks", {})).rejects.toThrow(/no AWS credentials/);
    env = { ...ENV, AWS_REGION: undefined };
    await expect(call("ListTasks", {})).rejects.toThrow(/AWS_REGION/);
    expect(t.calls).toHaveLength(2);
  });

  test.each([
    [{}, "eu-west-1", "https://ecs.eu-west-1.amazonaws.com/"],
    [{}, "cn-north-1", "https://ecs.cn-north-1.amazonaws.com.cn/"],
    [{ AWS_ENDPOINT_URL: "http://localhost:4566/" }, "eu-west-1", "http://localhost:4566/"],
    [{ AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_ECS: "http://b:2" }, "eu-west-1", "http://b:2/"],
    [{ AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://c:3" }, "eu-west-1", "https://ecs.eu-west-1.amazonaws.com/"],
  ])("endpoint: %j in %s → %s", async (endpoints, region, url) => {
    const t = scripted();
    await createEcsClient({ env: () => ({ ...ENV, AWS_REGION: region, ...endpoints }), post: t.post, now: () => NOW })("ListTasks", {});
    expect(t.calls[0]?.url).toBe(url);
    expect(t.calls[0]?.headers.host).toBe(new URL(url).host);
    expect(t.calls[0]?.headers.authorization).toContain(`/${region}/ecs/aws4_request`);
    expect(awsEndpoint({ ...endpoints }, "ECS", "ecs", region)).toBe(url.replace(/\/$/, ""));
  });

  test("an empty 2xx body is an empty answer (as the SDK reads it)", async () => {
    await expect(createEcsClient({ env: () => ENV, post: scripted({ status: 200, body: "" }).post })("ListTasks", {})).resolves.toEqual({});
  });
});

describe("error answers", () => {
  const fail = (a: Partial<HttpAnswer>) => createEcsClient({ env: () => ENV, post: scripted(a).post, now: () => NOW })("RunTask", RUN_TASK).then(
    () => undefined,
    (e: unknown) => e,
  );

  test.each([
    ["ThrottlingException", 400, "throttled"],
    ["com.amazonaws.ecs#ClientException", 400, "fatal"],
    ["AccessDeniedException", 400, "fatal"],
    ["ClusterNotFoundException", 400, "fatal"],
    ["InvalidParameterException", 400, "fatal"],
    ["ServerException", 500, "transient"],
    ["ClientException:http://internal.amazon.com/coral/com.amazon.coral.service/", 400, "fatal"],
  ])("__type %s (HTTP %s) → an error named by its code, classified %s by the handler", async (type, status, kind) => {
    const e = await fail({ status, headers: { "x-amzn-requestid": "req-1" }, body: JSON.stringify({ __type: type, message: "why" }) });
    expect(e).toBeInstanceOf(EcsServiceError);
    const err = e as EcsServiceError;
    expect(err.name).toBe(type.replace(/^.*#/, "").replace(/:.*$/, ""));
    expect(err.message).toBe("why");
    expect(err.$metadata).toEqual({ httpStatusCode: status, requestId: "req-1" });
    expect(err.$fault).toBe(status >= 500 ? "server" : "client");
    expect(classifyError(err)).toBe(kind);
  });

  test("a ConflictException keeps its resourceIds: the handler answers with the task ECS names", async () => {
    const arn = "arn:aws:ecs:eu-west-1:123456789012:task/scalr-agents/0123";
    const e = await fail({ status: 400, body: JSON.stringify({ __type: "ConflictException", message: "The clientToken was already used", resourceIds: [arn] }) });
    expect(e).toMatchObject({ name: "ConflictException", resourceIds: [arn] });
    expect(classifyError(e)).toBe("conflict");
  });

  test("an answer's members cannot change the error object: __proto__ and constructor are not copied", async () => {
    const e = await fail({ status: 400, body: '{"__type":"ClientException","message":"no","__proto__":{"polluted":true},"constructor":"x","detail":"kept"}' });
    expect(Object.getPrototypeOf(e)).toBe(EcsServiceError.prototype);
    expect((e as Record<string, unknown>).polluted).toBeUndefined();
    expect(e).toMatchObject({ name: "ClientException", detail: "kept" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("`Message` is read when `message` is absent; the code comes from the header when the body has none", async () => {
    expect(await fail({ status: 429, headers: { "x-amzn-errortype": "TooManyRequestsException:http://x" }, body: JSON.stringify({ Message: "slow down" }) })).toMatchObject({ name: "TooManyRequestsException", message: "slow down" });
    expect(ecsErrorCode({ code: "Throttling" }, {})).toBe("Throttling");
    expect(ecsErrorCode({}, { "x-amzn-errortype": ["ThrottlingException,Other"] })).toBe("ThrottlingException");
    expect(ecsErrorCode({}, {})).toBeUndefined();
  });

  test.each([
    [200, "transient"],
    [400, "fatal"],
    [502, "transient"],
  ])("an unreadable HTTP %s answer → EcsUnreadableAnswerError with the status, classified %s (as the SDK's deserialization error is)", async (status, kind) => {
    const e = await fail({ status, body: "<html>proxy error</html>" });
    expect(e).toBeInstanceOf(EcsUnreadableAnswerError);
    expect(e).toMatchObject({ $metadata: { httpStatusCode: status } });
    expect(classifyError(e)).toBe(kind);
  });

  test("an unreadable error body with an x-amzn-ErrorType header is that error", async () => {
    const e = await fail({ status: 400, headers: { "x-amzn-errortype": "ThrottlingException" }, body: "" });
    expect(e).toMatchObject({ name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    expect(classifyError(e)).toBe("throttled");
  });
});

describe("against a loopback ECS endpoint, side by side with the AWS SDK", () => {
  let fake: FakeEcs;
  beforeAll(async () => {
    fake = await startFakeEcs();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.clearReplies();
  });

  const env = () => ({ ...ENV, AWS_REGION: "us-east-1", AWS_ENDPOINT_URL_ECS: fake.url });
  const sdk = () =>
    new ECSClient({ maxAttempts: 1, region: "us-east-1", endpoint: fake.url, credentials: { accessKeyId: ENV.AWS_ACCESS_KEY_ID, secretAccessKey: ENV.AWS_SECRET_ACCESS_KEY, sessionToken: ENV.AWS_SESSION_TOKEN } });

  test("the same RunTask body, target and signed header set as the SDK's request", async () => {
    const input = { ...RUN_TASK, cluster: "scalr-agents", clientToken: "side-by-side-1" };
    const mine = await createEcsClient({ env })("RunTask", input);
    const client = sdk();
    const theirs = await client.send(new RunTaskCommand({ ...input, clientToken: "side-by-side-2" }));
    client.destroy();
    const [a, b] = fake.requests;
    expect({ ...a?.body, clientToken: "x" }).toEqual({ ...b?.body, clientToken: "x" });
    expect(a?.headers["x-amz-target"]).toBe(b?.headers["x-amz-target"]);
    expect(a?.headers["content-type"]).toBe(b?.headers["content-type"]);
    const signed = (h: unknown) => /SignedHeaders=([^,]+)/.exec(String(h))?.[1]?.split(";") ?? [];
    // The SDK also signs its own headers (content-length, amz-sdk-*, user-agent variants); every header this client signs, it signs too.
    expect(signed(b?.headers.authorization)).toEqual(expect.arrayContaining(signed(a?.headers.authorization)));
    expect((mine as { tasks: Array<{ taskArn: string }> }).tasks[0]?.taskArn).toMatch(/^arn:aws:ecs:us-east-1:/);
    expect(theirs.tasks?.[0]?.taskArn).toMatch(/^arn:aws:ecs:us-east-1:/);
  });

  test.each([
    ["throttling", ecsReply.throttling()],
    ["access denied", ecsReply.error("AccessDeniedException", "not authorized to perform: ecs:RunTask")],
    ["a server error", ecsReply.error("ServerException", "internal", 500)],
    ["an unmodelled error", ecsReply.error("SomethingNewException", "new", 400)],
  ])("%s → the same error name, message, fault and status as the SDK's, and the same classification", async (_name, reply) => {
    fake.respondWith(reply, reply);
    const mine = await createEcsClient({ env })("RunTask", { ...RUN_TASK, cluster: "scalr-agents" }).catch((e: unknown) => e);
    const client = sdk();
    const theirs = await client.send(new RunTaskCommand({ ...RUN_TASK, cluster: "scalr-agents" })).catch((e: unknown) => e);
    client.destroy();
    const pick = (e: any) => ({ name: e.name, message: e.message, $fault: e.$fault, status: e.$metadata?.httpStatusCode });
    expect(pick(mine)).toEqual(pick(theirs));
    expect(classifyError(mine)).toBe(classifyError(theirs));
  });

  test("a ConflictException → resourceIds like the SDK's", async () => {
    const input = { ...RUN_TASK, cluster: "scalr-agents", clientToken: "conflicting" };
    await createEcsClient({ env })("RunTask", input);
    const mine = await createEcsClient({ env })("RunTask", { ...input, count: 2 }).catch((e: unknown) => e);
    const client = sdk();
    const theirs = await client.send(new RunTaskCommand({ ...input, count: 2 })).catch((e: unknown) => e);
    client.destroy();
    expect(mine).toMatchObject({ name: "ConflictException", resourceIds: (theirs as { resourceIds: string[] }).resourceIds });
    expect(classifyError(mine)).toBe("conflict");
  });
});

describe("nodeHttpPost", () => {
  test("a hung endpoint → an AbortError after timeoutMs, and a closed port → ECONNREFUSED: both retried by the handler", async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      const hung = await nodeHttpPost(`http://127.0.0.1:${port}/`, {}, "{}", 200).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(hung).toMatchObject({ name: "AbortError" });
      expect(classifyError(hung)).toBe("transient");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await nodeHttpPost(`http://127.0.0.1:${port}/`, {}, "{}", 2_000).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "ECONNREFUSED" });
    expect(classifyError(refused)).toBe("transient");
  });

  test("only http: and https: endpoints", async () => {
    await expect(nodeHttpPost("ftp://example.com/", {}, "", 1_000)).rejects.toThrow(/unsupported endpoint protocol ftp:/);
  });
});
