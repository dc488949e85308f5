import { gzipSync } from "fflate";

/** EC2's limit on user data: 16 KB in raw form, before base64 encoding. */
export const EC2_USER_DATA_MAX_BYTES = 16384;

/** User data encoded for an EC2 launch template. */
export interface Ec2UserData {
  /** `userData` of the launch template: base64 of the gzip-compressed document. */
  readonly base64: string;
  /** Size of the gzip-compressed document: what EC2 counts against {@link EC2_USER_DATA_MAX_BYTES}. */
  readonly bytes: number;
}

/**
 * Compresses a cloud-init document for EC2 user data, deterministically: same document, same
 * bytes on every machine. The compressor is fflate (pure JavaScript, pinned in package.json), not
 * Node's zlib, whose output can change with the zlib build Node links; a different byte would
 * change the launch template and roll the whole fleet. The header has no file name, modification
 * time 0, and the OS byte 3 ("Unix"), which fflate always writes (it has no option for it).
 * The kit's documents are 4–25 KB as text: the ones with the drain watcher and both Python
 * helpers (about 24 KB) are over EC2's 16 KB limit; compressed, each is about a third of its text
 * (under 7 KB). cloud-init recognises gzip user data by its magic bytes and decompresses it.
 *
 * @throws when even the compressed document exceeds {@link EC2_USER_DATA_MAX_BYTES}
 */
export function encodeEc2UserData(document: string): Ec2UserData {
  const gz = Buffer.from(gzipSync(Buffer.from(document, "utf8"), { level: 9, mtime: 0 }));
  if (gz.length > EC2_USER_DATA_MAX_BYTES) {
    throw new Error(`the user data is ${gz.length} bytes gzip-compressed; EC2 accepts at most ${EC2_USER_DATA_MAX_BYTES}`);
  }
  return { base64: gz.toString("base64"), bytes: gz.length };
}
