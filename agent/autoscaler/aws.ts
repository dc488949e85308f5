import type {
  DescribeServicesCommandInput,
  DescribeServicesCommandOutput,
  GetTaskProtectionCommandInput,
  GetTaskProtectionCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
  UpdateServiceCommandInput,
  UpdateTaskProtectionCommandInput,
} from "../aws/ecs-types";
import { AwsCredentials, signPost } from "../aws/sigv4";
import type { FleetCapacity } from "./decision";
import type { FleetUnit } from "./protection";

/** The fleet as the platform reports it. */
export interface FleetState {
  /** Desired capacity and the platform's bounds. */
  readonly capacity: FleetCapacity;
  /** Units in service, with their scale-in protection. */
  readonly units: readonly FleetUnit[];
}

/** The calls the autoscaler makes on the fleet's platform. */
export interface FleetPort {
  /** Reads the fleet. */
  describe(): Promise<FleetState>;
  /** Sets the desired capacity / count. */
  setDesired(units: number): Promise<void>;
  /** Turns scale-in protection on or off for units (instance IDs, task ARNs). */
  setProtection(ids: readonly string[], protect: boolean): Promise<void>;
}

/** ECS task protection expiry the autoscaler sets (renewed every decision while the agent is busy). 1–2880 min; default 120. Source: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateTaskProtection.html */
export const TASK_PROTECTION_MINUTES = 60;

/** The ECS calls an EcsAgentService fleet uses (ECS API operations); tests pass fakes, the handler signed JSON 1.1 calls. */
export interface EcsCalls {
  /** DescribeServices. */
  describeServices(input: DescribeServicesCommandInput): Promise<Pick<DescribeServicesCommandOutput, "services" | "failures">>;
  /** ListTasks (paged by nextToken). */
  listTasks(input: ListTasksCommandInput): Promise<Pick<ListTasksCommandOutput, "taskArns" | "nextToken">>;
  /** GetTaskProtection. */
  getTaskProtection(input: GetTaskProtectionCommandInput): Promise<Pick<GetTaskProtectionCommandOutput, "protectedTasks" | "failures">>;
  /** UpdateService (desiredCount only). */
  updateService(input: UpdateServiceCommandInput): Promise<unknown>;
  /** UpdateTaskProtection. */
  updateTaskProtection(input: UpdateTaskProtectionCommandInput): Promise<unknown>;
}

const chunks = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/**
 * An ECS service fleet. Task protection only works for service tasks ("only supported for tasks
 * belonging to an Amazon ECS service", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateTaskProtection.html),
 * which is what EcsAgentService runs. At most 10 tasks per protection call (API reference, `tasks`).
 */
export function ecsFleet(calls: EcsCalls, cluster: string, service: string): FleetPort {
  return {
    async describe() {
      const d = await calls.describeServices({ cluster, services: [service] });
      const svc = d.services?.[0];
      if (svc === undefined || typeof svc.desiredCount !== "number") throw new Error(`ECS service ${service} not found in ${cluster}`);
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await calls.listTasks({ cluster, serviceName: service, desiredStatus: "RUNNING", nextToken });
        arns.push(...(page.taskArns ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      const protectedArns = new Set<string>();
      for (const batch of chunks(arns, 10)) {
        const p = await calls.getTaskProtection({ cluster, tasks: batch });
        for (const t of p.protectedTasks ?? []) if (t.protectionEnabled && t.taskArn) protectedArns.add(t.taskArn);
      }
      return { capacity: { desired: svc.desiredCount, min: 0, max: Number.POSITIVE_INFINITY }, units: arns.map((id) => ({ id, protected: protectedArns.has(id) })) };
    },
    async setDesired(units) {
      await calls.updateService({ cluster, service, desiredCount: units });
    },
    async setProtection(ids, protect) {
      for (const batch of chunks(ids, 10)) {
        const answer = await calls.updateTaskProtection({ cluster, tasks: batch, protectionEnabled: protect, ...(protect ? { expiresInMinutes: TASK_PROTECTION_MINUTES } : {}) });
        // ECS answers 200 with per-task `failures` (API_UpdateTaskProtection.html, Response Elements):
        // a task left unprotected must stop the decision before it lowers the count.
        const failures = (answer as { failures?: readonly { arn?: string; reason?: string }[] } | undefined)?.failures ?? [];
        if (protect && failures.length > 0) {
          throw new Error(`UpdateTaskProtection failed for ${failures.map((f) => `${f.arn ?? "?"} (${f.reason ?? "no reason"})`).join(", ")}`);
        }
      }
    },
  };
}

// The SigV4 signer both Lambdas share (agent/aws/sigv4.ts), under the names this module has always exported.
export { signPost };
export type { AwsCredentials };

/**
 * Signs a form-encoded POST (the Query API protocol; the same scheme as
 * agent/vm/aws-lifecycle-helper.ts). Returns the headers to send.
 */
export function signQueryPost(opts: { readonly url: string; readonly body: string; readonly region: string; readonly service: string; readonly credentials: AwsCredentials; readonly now: number }): Record<string, string> {
  return signPost({ ...opts, contentType: "application/x-www-form-urlencoded; charset=utf-8" });
}

/** An Auto Scaling Query API error (`<Error><Code>`…). */
export class AwsQueryError extends Error {
  public constructor(
    /** The error code, e.g. `Throttling`, `ValidationError`. */
    public readonly code: string,
    message: string,
    /** HTTP status. */
    public readonly status: number,
  ) {
    super(`${code}: ${message}`);
    this.name = "AwsQueryError";
  }
}

const xmlText = (xml: string, tag: string): string | undefined => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
const withoutBlock = (xml: string, tag: string) => xml.replace(new RegExp(`<${tag}>[\\s\\S]*?</${tag}>`, "g"), "");

/** Where and as whom the Auto Scaling calls go. */
export interface AutoScalingEndpoint {
  /** `https://autoscaling.<region>.amazonaws.com`, or a test endpoint. */
  readonly url: string;
  /** Region (signing scope). */
  readonly region: string;
  /** Credentials, read at each call (Lambda may rotate them between invocations). */
  readonly credentials: () => AwsCredentials;
  /** Clock for the signature. */
  readonly now: () => number;
}

/**
 * An Auto Scaling group fleet through the Query API (version 2011-01-01), signed here so no new SDK
 * package is needed (`@aws-sdk/client-auto-scaling` would replace this). Calls: DescribeAutoScalingGroups,
 * SetDesiredCapacity (`HonorCooldown=false`: the autoscaler has its own cool-down), SetInstanceProtection
 * (at most 50 instance IDs per call: https://docs.aws.amazon.com/cli/latest/reference/autoscaling/set-instance-protection.html;
 * protection starts when the instance is InService: https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-instance-protection.html).
 */
export function asgFleet(post: HttpPost, endpoint: AutoScalingEndpoint, groupName: string): FleetPort {
  const call = async (action: string, params: Record<string, string>): Promise<string> => {
    const body = new URLSearchParams({ Action: action, Version: "2011-01-01", ...params }).toString();
    const headers = signQueryPost({ url: endpoint.url, body, region: endpoint.region, service: "autoscaling", credentials: endpoint.credentials(), now: endpoint.now() });
    const res = await post(endpoint.url, headers, body);
    if (res.status < 200 || res.status >= 300) throw new AwsQueryError(xmlText(res.body, "Code") ?? `HTTP${res.status}`, xmlText(res.body, "Message") ?? "", res.status);
    return res.body;
  };
  return {
    async describe() {
      const xml = await call("DescribeAutoScalingGroups", { "AutoScalingGroupNames.member.1": groupName });
      const group = /<AutoScalingGroups>\s*<member>([\s\S]*)<\/member>\s*<\/AutoScalingGroups>/.exec(xml)?.[1];
      if (group === undefined) throw new Error(`Auto Scaling group ${groupName} not found`);
      const instancesXml = /<Instances>([\s\S]*?)<\/Instances>/.exec(group)?.[1] ?? "";
      const top = withoutBlock(withoutBlock(withoutBlock(group, "Instances"), "WarmPoolConfiguration"), "MixedInstancesPolicy");
      const num = (tag: string) => {
        const v = Number(xmlText(top, tag));
        if (!Number.isInteger(v)) throw new Error(`DescribeAutoScalingGroups: unreadable ${tag}`);
        return v;
      };
      const units: FleetUnit[] = [];
      for (const m of instancesXml.matchAll(/<member>([\s\S]*?)<\/member>/g)) {
        const id = xmlText(m[1] ?? "", "InstanceId");
        if (id && xmlText(m[1] ?? "", "LifecycleState") === "InService") units.push({ id, protected: xmlText(m[1] ?? "", "ProtectedFromScaleIn") === "true" });
      }
      return { capacity: { desired: num("DesiredCapacity"), min: num("MinSize"), max: num("MaxSize") }, units };
    },
    async setDesired(units) {
      await call("SetDesiredCapacity", { AutoScalingGroupName: groupName, DesiredCapacity: String(units), HonorCooldown: "false" });
    },
    async setProtection(ids, protect) {
      for (const batch of chunks(ids, 50)) {
        const params: Record<string, string> = { AutoScalingGroupName: groupName, ProtectedFromScaleIn: String(protect) };
        batch.forEach((id, i) => (params[`InstanceIds.member.${i + 1}`] = id));
        await call("SetInstanceProtection", params);
      }
    },
  };
}

/** A form POST (the Query API); throws on a network error. Tests pass a loopback or scripted one. */
export type HttpPost = (url: string, headers: Readonly<Record<string, string>>, body: string) => Promise<{ readonly status: number; readonly body: string }>;

/** An {@link HttpPost} over the runtime's `fetch`, each call abandoned after 10 s. */
export const fetchPost: HttpPost = async (url, headers, body) => {
  const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
};
