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
