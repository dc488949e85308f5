import { createHash, createHmac } from "crypto";
import { SignatureV4 } from "@smithy/signature-v4";

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** The checksum interface the AWS SDK's signer takes, over node:crypto. */
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

/**
 * The AWS SDK's own Signature Version 4 signer (`@smithy/signature-v4`, what every `@aws-sdk/*`
 * client signs with), to check the kit's signer against it.
 */
export function sdkSigner(opts: {
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
  readonly region: string;
  readonly service: string;
}): SignatureV4 {
  return new SignatureV4({ ...opts, sha256: Sha256, applyChecksum: false });
}
