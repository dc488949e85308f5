import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A loopback AWS endpoint for the autoscaler's calls, speaking JSON 1.1 (`POST /`, `X-Amz-Target`):
 * an ECS service (DescribeServices, ListTasks, GetTaskProtection, UpdateService,
 * UpdateTaskProtection; the calls `agent/autoscaler/aws.ts` makes, with their documented shapes) and
 * Secrets Manager's GetSecretValue. Point the SDK at it with `AWS_ENDPOINT_URL_ECS` and the
 * autoscaler's signed call with `AWS_ENDPOINT_URL_SECRETS_MANAGER`. (`__tests__/support/fake-ecs.ts`
 * implements RunTask and ListTasks for the webhook handler only.)
 */
export interface FakeAws {
  /** Base URL. */
  readonly url: string;
  /** The service: cluster and name it answers for, desired count, running tasks, protected tasks. */
  readonly service: { cluster: string; name: string; desired: number; tasks: string[]; protectedTasks: Set<string> };
  /** Secrets by ARN. */
  readonly secrets: Map<string, string>;
  /** Operations received (`ecs:UpdateService`, `secretsmanager:GetSecretValue`, …), with bodies and headers. */
  readonly requests: Array<{ readonly operation: string; readonly body: any; readonly headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

const ECS = "AmazonEC2ContainerServiceV20141113.";
const SM = "secretsmanager.";
const nameOf = (x: unknown) => String(x ?? "").split("/").pop();

export async function startFakeAws(init: { cluster: string; name: string; desired: number; tasks: string[] }): Promise<FakeAws> {
  const service = { ...init, protectedTasks: new Set<string>() };
  const secrets = new Map<string, string>();
  const requests: FakeAws["requests"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": String(requests.length) });
        res.end(JSON.stringify(payload));
      };
      const error = (status: number, type: string, message: string) => send(status, { __type: type, message });
      const target = String(req.headers["x-amz-target"] ?? "");
      let body: any;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return error(400, "SerializationException", "body is not JSON");
      }
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) return error(400, "SerializationException", "wrong content type");
      if (!/^AWS4-HMAC-SHA256 Credential=\S+, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(String(req.headers.authorization ?? ""))) return error(403, "MissingAuthenticationTokenException", "unsigned");
      if (target.startsWith(SM)) {
        const op = target.slice(SM.length);
        requests.push({ operation: `secretsmanager:${op}`, body, headers: req.headers });
        if (op !== "GetSecretValue") return error(400, "UnknownOperationException", op);
        const value = secrets.get(body.SecretId);
        if (value === undefined) return error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        return send(200, { ARN: body.SecretId, Name: "scalr-token", SecretString: value, VersionId: "v1", VersionStages: ["AWSCURRENT"] });
      }
      if (!target.startsWith(ECS)) return error(400, "UnknownOperationException", target);
      const op = target.slice(ECS.length);
      requests.push({ operation: `ecs:${op}`, body, headers: req.headers });
      if (nameOf(body.cluster) !== service.cluster) return error(400, "ClusterNotFoundException", "Cluster not found.");
      const tasksOf = (arns: unknown): string[] => (Array.isArray(arns) ? arns.map(String) : []);
      switch (op) {
        case "DescribeServices":
          return send(200, {
            services: (body.services as string[]).filter((s) => nameOf(s) === service.name).map(() => ({ serviceName: service.name, desiredCount: service.desired, runningCount: service.tasks.length, status: "ACTIVE" })),
            failures: (body.services as string[]).filter((s) => nameOf(s) !== service.name).map((arn) => ({ arn, reason: "MISSING" })),
          });
        case "ListTasks":
          if (body.serviceName !== undefined && nameOf(body.serviceName) !== service.name) return error(400, "ServiceNotFoundException", "Service not found.");
          return send(200, { taskArns: service.tasks });
        case "GetTaskProtection":
          if (tasksOf(body.tasks).length > 10) return error(400, "InvalidParameterException", "at most 10 tasks");
          return send(200, { protectedTasks: tasksOf(body.tasks).map((taskArn) => ({ taskArn, protectionEnabled: service.protectedTasks.has(taskArn) })), failures: [] });
        case "UpdateTaskProtection":
          for (const t of tasksOf(body.tasks)) {
            if (body.protectionEnabled) service.protectedTasks.add(t);
            else service.protectedTasks.delete(t);
          }
          return send(200, { protectedTasks: tasksOf(body.tasks).map((taskArn) => ({ taskArn, protectionEnabled: body.protectionEnabled === true })), failures: [] });
        case "UpdateService":
          if (nameOf(body.service) !== service.name) return error(400, "ServiceNotFoundException", "Service not found.");
          if (typeof body.desiredCount === "number") service.desired = body.desiredCount;
          return send(200, { service: { serviceName: service.name, desiredCount: service.desired } });
        default:
          return error(400, "UnknownOperationException", op);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    secrets,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
