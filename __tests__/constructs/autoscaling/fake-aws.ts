import * as http from "http";
import type { AddressInfo } from "net";

/**
 * A loopback AWS endpoint for the autoscaler's calls, speaking JSON 1.1 (`POST /`, `X-Amz-Target`):
 * an ECS service (DescribeServices, ListTasks, GetTaskProtection, UpdateService,
 * UpdateTaskProtection; the calls `agent/autoscaler/aws.ts` makes, with their documented shapes) and
 * Secrets Manager's GetSecretValue; and an Auto Scaling group over the Query API (form POST,
 * version 2011-01-01, XML answers: DescribeAutoScalingGroups, SetDesiredCapacity,
 * SetInstanceProtection, with the element names of
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeAutoScalingGroups.html and
 * its ValidationError above the maximum). Point the SDK at it with `AWS_ENDPOINT_URL_ECS`, and the
 * autoscaler's signed calls with `AWS_ENDPOINT_URL_SECRETS_MANAGER` and `AWS_ENDPOINT_URL_AUTO_SCALING`.
 * (`__tests__/support/fake-ecs.ts` implements RunTask and ListTasks for the webhook handler only.)
 */
export interface FakeAws {
  /** Base URL. */
  readonly url: string;
  /** The service: cluster and name it answers for, desired count, running tasks, protected tasks. */
  readonly service: { cluster: string; name: string; desired: number; tasks: string[]; protectedTasks: Set<string> };
  /** The Auto Scaling group: name, capacity, instances (with lifecycle state and protection). */
  readonly group: { name: string; desired: number; min: number; max: number; instances: FakeInstance[] };
  /** Secrets by ARN. */
  readonly secrets: Map<string, string>;
  /** Operations received (`ecs:UpdateService`, `secretsmanager:GetSecretValue`, …), with bodies and headers. */
  readonly requests: Array<{ readonly operation: string; readonly body: any; readonly headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/** An instance of the fake group. */
export interface FakeInstance {
  readonly id: string;
  state: "Pending" | "InService" | "Terminating";
  protected: boolean;
}

const ECS = "AmazonEC2ContainerServiceV20141113.";
const ASG_XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/";
const SM = "secretsmanager.";
const nameOf = (x: unknown) => String(x ?? "").split("/").pop();

export async function startFakeAws(init: { cluster: string; name: string; desired: number; tasks: string[]; group?: FakeAws["group"] }): Promise<FakeAws> {
  const { group: initGroup, ...serviceInit } = init;
  const service = { ...serviceInit, protectedTasks: new Set<string>() };
  const group = initGroup ?? { name: "none", desired: 0, min: 0, max: 0, instances: [] };
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
      const raw = Buffer.concat(chunks).toString("utf8");
      if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return autoScaling(req, res, new URLSearchParams(raw));
      const target = String(req.headers["x-amz-target"] ?? "");
      let body: any;
      try {
        body = JSON.parse(raw || "{}");
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
  /** The Query API of EC2 Auto Scaling, for the one group. */
  function autoScaling(req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams): void {
    const action = form.get("Action") ?? "";
    requests.push({ operation: `autoscaling:${action}`, body: Object.fromEntries(form), headers: req.headers });
    const xml = (status: number, text: string) => {
      res.writeHead(status, { "Content-Type": "text/xml" });
      res.end(text);
    };
    const fail = (status: number, code: string, message: string) =>
      xml(status, `<ErrorResponse xmlns="${ASG_XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r-${requests.length}</RequestId></ErrorResponse>`);
    if (!/^AWS4-HMAC-SHA256 Credential=\S+\/autoscaling\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(String(req.headers.authorization ?? ""))) return fail(403, "MissingAuthenticationToken", "unsigned");
    if (form.get("Version") !== "2011-01-01") return fail(400, "InvalidAction", "wrong version");
    const ok = (inner: string) => xml(200, `<${action}Response xmlns="${ASG_XMLNS}">${inner}<ResponseMetadata><RequestId>r-${requests.length}</RequestId></ResponseMetadata></${action}Response>`);
    switch (action) {
      case "DescribeAutoScalingGroups": {
        if (form.get("AutoScalingGroupNames.member.1") !== group.name) return ok("<DescribeAutoScalingGroupsResult><AutoScalingGroups/></DescribeAutoScalingGroupsResult>");
        const instances = group.instances
          .map((i) => `<member><InstanceId>${i.id}</InstanceId><InstanceType>t3.large</InstanceType><AvailabilityZone>us-east-1a</AvailabilityZone><LifecycleState>${i.state}</LifecycleState><HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>${i.protected}</ProtectedFromScaleIn></member>`)
          .join("");
        return ok(
          `<DescribeAutoScalingGroupsResult><AutoScalingGroups><member><AutoScalingGroupName>${group.name}</AutoScalingGroupName><MinSize>${group.min}</MinSize><MaxSize>${group.max}</MaxSize><DesiredCapacity>${group.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><Instances>${instances}</Instances><NewInstancesProtectedFromScaleIn>false</NewInstancesProtectedFromScaleIn></member></AutoScalingGroups></DescribeAutoScalingGroupsResult>`,
        );
      }
      case "SetDesiredCapacity": {
        if (form.get("AutoScalingGroupName") !== group.name) return fail(400, "ValidationError", "AutoScalingGroup name not found");
        const desired = Number(form.get("DesiredCapacity"));
        if (desired > group.max) return fail(400, "ValidationError", `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`);
        if (desired < group.min) return fail(400, "ValidationError", `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`);
        group.desired = desired;
        return ok("");
      }
      case "SetInstanceProtection": {
        if (form.get("AutoScalingGroupName") !== group.name) return fail(400, "ValidationError", "AutoScalingGroup name not found");
        const ids = [...form.entries()].filter(([k]) => k.startsWith("InstanceIds.member.")).map(([, v]) => v);
        if (ids.length > 50) return fail(400, "ValidationError", "at most 50 instances");
        for (const id of ids) {
          const instance = group.instances.find((i) => i.id === id);
          if (!instance) return fail(400, "ValidationError", `The instance ${id} is not part of Auto Scaling group ${group.name}.`);
          instance.protected = form.get("ProtectedFromScaleIn") === "true";
        }
        return ok("<SetInstanceProtectionResult/>");
      }
      default:
        return fail(400, "InvalidAction", action);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    group,
    secrets,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
