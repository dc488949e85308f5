import { signQueryPost } from "../../../agent/autoscaler";
import { sdkSigner } from "../../support/sdk-signer";

// The Auto Scaling calls are signed by agent/autoscaler/aws.ts (no Auto Scaling SDK package). This
// checks the signature against the AWS SDK's own signer (@smithy/signature-v4, installed with
// @aws-sdk/client-ecs), for the exact headers the autoscaler sends.

describe("signQueryPost", () => {
  test.each([
    ["with a session token", "TOKEN/abc+=="],
    ["without one", undefined],
  ])("matches the AWS SDK's SigV4 signer (%s)", async (_name, sessionToken) => {
    const body = "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=scalr-agents&DesiredCapacity=3&HonorCooldown=false";
    const now = Date.UTC(2026, 2, 2, 9, 0, 0);
    const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ...(sessionToken ? { sessionToken } : {}) };
    const mine = signQueryPost({ url: "https://autoscaling.eu-west-1.amazonaws.com", body, region: "eu-west-1", service: "autoscaling", credentials, now });
    const signer = sdkSigner({ credentials, region: "eu-west-1", service: "autoscaling" });
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
