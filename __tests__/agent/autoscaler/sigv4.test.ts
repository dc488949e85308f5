import { createHash, createHmac } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { signQueryPost } from "../../../agent/autoscaler";

// The Auto Scaling calls are signed by agent/autoscaler/aws.ts (no Auto Scaling SDK package). This
// checks the signature against the AWS SDK's own signer (@smithy/signature-v4, installed with
// @aws-sdk/client-ecs), for the exact headers the autoscaler sends.

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The checksum interface the signer takes, over node:crypto. */
class Sha256 {
  private readonly h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  public constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  public async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
}
describe("signQueryPost", () => {
  test.each([
    ["with a session token", "TOKEN/abc+=="],
    ["without one", undefined],
  ])("matches the AWS SDK's SigV4 signer (%s)", async (_name, sessionToken) => {
    const body = "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=scalr-agents&DesiredCapacity=3&HonorCooldown=false";
    const now = Date.UTC(2026, 2, 2, 9, 0, 0);
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ...(sessionToken ? { sessionToken } : {}) };
    const mine = signQueryPost({ url: "https://autoscaling.eu-west-1.amazonaws.com", body, region: "eu-west-1", service: "autoscaling", credentials, now });
    const signer = new SignatureV4({ credentials, region: "eu-west-1", service: "autoscaling", sha256: Sha256, applyChecksum: false });
    const signed = await signer.sign(
      {
        method: "POST",
        protocol: "https:",
        hostname: "autoscaling.eu-west-1.amazonaws.com",
        path: "/",
        query: {},
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", host: "autoscaling.eu-west-1.amazonaws.com" },
        body,
      },
      { signingDate: new Date(now) },
    );
    expect(mine.authorization).toBe(signed.headers["authorization"]);
  });
});
