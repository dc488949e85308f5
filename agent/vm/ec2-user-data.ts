import { gzipSync } from "zlib";

/** EC2's limit on user data: 16 KB in raw form, before base64 encoding. */
export const EC2_USER_DATA_MAX_BYTES = 16384;

/** User data encoded for an EC2 launch template. */
export interface Ec2UserData {
  /** `userData` of the launch template: base64 of the gzip-compressed document. */
  readonly base64: string;
  /** Size of the gzip-compressed document: what EC2 counts against {@link EC2_USER_DATA_MAX_BYTES}. */
  readonly bytes: number;
}

/** gzip header offsets (RFC 1952): MTIME (4 bytes) and OS. */
const GZIP_MTIME = 4;
const GZIP_OS = 9;

/**
 * Compresses a cloud-init document for EC2 user data, deterministically: same document, same
 * bytes (no file name, modification time 0, OS byte "unknown" whatever the build machine). The
 * kit's documents are 10–14 KB as text, close to EC2's 16 KB limit; compressed they are a third of
 * that. cloud-init recognises gzip user data by its magic bytes and decompresses it.
 *
 * @throws when even the compressed document exceeds {@link EC2_USER_DATA_MAX_BYTES}
 */
export function encodeEc2UserData(document: string): Ec2UserData {
  const gz = gzipSync(Buffer.from(document, "utf8"), { level: 9 });
  gz.writeUInt32LE(0, GZIP_MTIME);
  gz[GZIP_OS] = 255;
  if (gz.length > EC2_USER_DATA_MAX_BYTES) {
    throw new Error(`the user data is ${gz.length} bytes gzip-compressed; EC2 accepts at most ${EC2_USER_DATA_MAX_BYTES}`);
  }
  return { base64: gz.toString("base64"), bytes: gz.length };
}
