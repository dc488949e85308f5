import * as crypto from "crypto";
import * as http from "http";

/**
 * The Signature Version 4 signature a POST to `/` should carry, computed in Node from the AWS
 * documentation, independently of the kit's Python signer: fake AWS endpoints in tests compare it
 * with the request's Authorization header.
 */
export function expectedSignature(req: http.IncomingMessage, body: string, secretKey: string): string {
  const auth = String(req.headers.authorization);
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1] as string;
  const scope = /Credential=[^/]+\/([^,]+)/.exec(auth)?.[1] as string;
  const [date, region, service] = scope.split("/") as [string, string, string];
  const canonicalHeaders = signed.split(";").map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join("");
  const hash = (s: string) => crypto.createHash("sha256").update(s).digest("hex");
  const canonical = ["POST", "/", "", canonicalHeaders, signed, hash(body)].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", String(req.headers["x-amz-date"]), scope, hash(canonical)].join("\n");
  const hmac = (k: crypto.BinaryLike, s: string) => crypto.createHmac("sha256", k).update(s).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), "aws4_request");
  return crypto.createHmac("sha256", key).update(toSign).digest("hex");
}

/** The instance a {@link startFakeImds} serves: its role's name and credentials, region and ID. */
export interface FakeInstance {
  readonly role: string;
  readonly credentials: { readonly AccessKeyId: string; readonly SecretAccessKey: string; readonly Token: string };
  readonly region: string;
  readonly instanceId?: string;
}

/**
 * A loopback IMDS (IMDSv2 only: every metadata read needs the session token from `PUT
 * /latest/api/token`) and, on `POST /`, an AWS API answered by `api`. Anything else is a 401.
 * `onRequest` sees every request (method, URL, whether it carried the IMDS token).
 */
export async function startFakeImds(
  instance: FakeInstance,
  api: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
  onRequest?: (req: http.IncomingMessage, imdsToken: boolean) => void,
): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const imdsToken = req.headers["x-aws-ec2-metadata-token"] === "imds-v2-token";
      onRequest?.(req, imdsToken);
      if (req.method === "PUT" && req.url === "/latest/api/token") return res.end("imds-v2-token");
      if (imdsToken && req.url === "/latest/meta-data/iam/security-credentials/") return res.end(`${instance.role}\n`);
      if (imdsToken && req.url === `/latest/meta-data/iam/security-credentials/${instance.role}`) return res.end(JSON.stringify(instance.credentials));
      if (imdsToken && req.url === "/latest/meta-data/placement/region") return res.end(instance.region);
      if (imdsToken && instance.instanceId !== undefined && req.url === "/latest/meta-data/instance-id") return res.end(instance.instanceId);
      if (req.method === "POST" && req.url === "/") return api(req, body, res);
      res.statusCode = 401;
      return res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}
