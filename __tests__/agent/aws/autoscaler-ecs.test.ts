import { HttpPost } from "../../../agent/autoscaler/aws";
import { ECS_MAX_ATTEMPTS, EcsCallError, EcsEndpoint, ecsJsonCall, jsonEcsCalls } from "../../../agent/autoscaler/lambda";
import { sdkSigner } from "../../support/sdk-signer";

// The autoscaler's ECS port without the SDK (agent/autoscaler/lambda.ts `jsonEcsCalls`): the signed
// JSON 1.1 request, the SDK-like error names, and the SDK client's three attempts on throttling,
// 5xx and network errors.


const NOW = Date.UTC(2026, 2, 2, 9, 0, 0);
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "TOKEN/abc+==" };

function scripted(...answers: Array<{ status: number; body: string } | Error>) {
  const calls: Array<{ url: string; headers: Readonly<Record<string, string>>; body: string }> = [];
  const post: HttpPost = async (url, headers, body) => {
    calls.push({ url, headers, body });
    const a = answers.shift() ?? { status: 200, body: "{}" };
    if (a instanceof Error) throw a;
    return a;
  };
  const sleeps: number[] = [];
  const endpoint: EcsEndpoint = { url: "https://ecs.eu-west-1.amazonaws.com", region: "eu-west-1", credentials: () => CREDENTIALS, now: () => NOW, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 };
  return { calls, post, endpoint, sleeps };
}

test("UpdateService: one POST with the ECS target and JSON 1.1 content type, signed as the AWS SDK signs it", async () => {
  const s = scripted({ status: 200, body: JSON.stringify({ service: { desiredCount: 4 } }) });
  await jsonEcsCalls(s.post, s.endpoint).updateService({ cluster: "scalr-agents", service: "scalr-agents", desiredCount: 4 });
  const [c] = s.calls;
  expect(c?.url).toBe("https://ecs.eu-west-1.amazonaws.com/");
  expect(JSON.parse(c?.body ?? "")).toEqual({ cluster: "scalr-agents", service: "scalr-agents", desiredCount: 4 });
  expect(c?.headers).toMatchObject({ "x-amz-target": "AmazonEC2ContainerServiceV20141113.UpdateService", "content-type": "application/x-amz-json-1.1" });
  const { authorization, ...rest } = c?.headers ?? {};
  const signer = sdkSigner({ credentials: CREDENTIALS, region: "eu-west-1", service: "ecs" });
  const signed = await signer.sign({ method: "POST", protocol: "https:", hostname: "ecs.eu-west-1.amazonaws.com", path: "/", query: {}, headers: rest, body: c?.body }, { signingDate: new Date(NOW) });
  expect(authorization).toBe(signed.headers["authorization"]);
});

test("answers come back as their JSON (paged ListTasks, protection)", async () => {
  const s = scripted({ status: 200, body: JSON.stringify({ taskArns: ["a"], nextToken: "n" }) }, { status: 200, body: JSON.stringify({ protectedTasks: [{ taskArn: "a", protectionEnabled: true }], failures: [] }) });
  const calls = jsonEcsCalls(s.post, s.endpoint);
  await expect(calls.listTasks({ cluster: "c", serviceName: "s", desiredStatus: "RUNNING", nextToken: undefined })).resolves.toEqual({ taskArns: ["a"], nextToken: "n" });
  expect(JSON.parse(s.calls[0]?.body ?? "")).toEqual({ cluster: "c", serviceName: "s", desiredStatus: "RUNNING" });
  await expect(calls.getTaskProtection({ cluster: "c", tasks: ["a"] })).resolves.toMatchObject({ protectedTasks: [{ taskArn: "a", protectionEnabled: true }] });
});

test.each([
  ["com.amazonaws.ecs#ClusterNotFoundException", "ClusterNotFoundException"],
  ["AccessDeniedException", "AccessDeniedException"],
  ["InvalidParameterException:http://internal.amazon.com/coral/", "InvalidParameterException"],
])("a client error %s → EcsCallError %s at once, no retry", async (type, name) => {
  const s = scripted({ status: 400, body: JSON.stringify({ __type: type, message: "Cluster not found." }) });
  const e = await ecsJsonCall(s.post, s.endpoint, "DescribeServices", {}).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(EcsCallError);
  expect(e).toMatchObject({ name, status: 400, message: "DescribeServices: Cluster not found." });
  expect(s.calls).toHaveLength(1);
});

test("throttling, a 5xx and a network error are retried, up to the SDK client's three attempts", async () => {
  const throttled = { status: 400, body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) };
  const s = scripted(throttled, { status: 503, body: "<html>unavailable</html>" }, { status: 200, body: JSON.stringify({ services: [] }) });
  await expect(ecsJsonCall(s.post, s.endpoint, "DescribeServices", {})).resolves.toEqual({ services: [] });
  expect(s.calls).toHaveLength(3);
  expect(s.sleeps).toEqual([250, 100]); // random 0.5 × 500 ms (throttling base), × 200 ms (second attempt, 100 ms base)
  const n = scripted(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), throttled, throttled, throttled);
  await expect(ecsJsonCall(n.post, n.endpoint, "ListTasks", {})).rejects.toMatchObject({ name: "ThrottlingException" });
  expect(n.calls).toHaveLength(ECS_MAX_ATTEMPTS);
});

test("without credentials it fails before calling", async () => {
  const s = scripted();
  const endpoint = { ...s.endpoint, credentials: () => { throw new Error("no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)"); } };
  await expect(ecsJsonCall(s.post, endpoint, "ListTasks", {})).rejects.toThrow(/no AWS credentials/);
  expect(s.calls).toEqual([]);
});
