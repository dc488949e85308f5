import { createHash, randomBytes } from "crypto";
import { gunzipSync } from "zlib";
import { EC2_USER_DATA_MAX_BYTES, encodeEc2UserData, renderVmUserData } from "../../../agent/vm";
import { SCENARIOS } from "./fixtures";

describe("encodeEc2UserData", () => {
  const documents = SCENARIOS.flatMap((sc) => sc.oses.map((o) => ({ name: `${o}/${sc.name}`, doc: renderVmUserData(sc.settings, { ...sc.options, os: o }).document })));

  test("gzip with a fixed header (no name, mtime 0, fflate's OS byte 3) that decodes to the document", () => {
    const doc = documents[0]?.doc as string;
    const { base64, bytes } = encodeEc2UserData(doc);
    const raw = Buffer.from(base64, "base64");
    expect(raw.length).toBe(bytes);
    // ID1 ID2, CM deflate, FLG 0 (no name, no comment), MTIME 0, XFL 2 (level 9), OS 3.
    expect(raw.subarray(0, 10).toString("hex")).toBe("1f8b08000000000002" + "03");
    expect(gunzipSync(raw).toString("utf8")).toBe(doc);
    expect(encodeEc2UserData(doc).base64).toBe(base64);
  });

  test("the bytes depend only on the pinned compressor, not on the zlib Node links (sha256 of a fixed document)", () => {
    // A change here changes every fleet's launch template and rolls its instances: only on purpose.
    const doc = `#cloud-config\nruncmd:\n${Array.from({ length: 400 }, (_, i) => `  - [echo, "line ${i} of the pinned fixture: ${"abcdefghij".repeat(i % 7)}"]\n`).join("")}`;
    const raw = Buffer.from(encodeEc2UserData(doc).base64, "base64");
    expect(gunzipSync(raw).toString("utf8")).toBe(doc);
    expect(`${raw.length} ${createHash("sha256").update(raw).digest("hex")}`).toBe("1653 f582aeb521d62b4643179ad2a1cb34acf9d55895b0575d51dbe28b637fafa322");
  });

  test.each(documents.map((d) => [d.name, d.doc] as const))("%s fits EC2's 16 KB only compressed", (_name, doc) => {
    const { bytes } = encodeEc2UserData(doc);
    // Room left for what users add (a CA bundle is about 1–2 KB compressed): at least 5 KiB, with
    // the drain watcher and the journal shipper (the largest documents, what VmAgentFleet renders).
    expect(bytes).toBeLessThanOrEqual(EC2_USER_DATA_MAX_BYTES - 5 * 1024);
    // The drain scenario shows why compression is needed: its text alone is over the limit.
    if (_name.endsWith("autoscaling-drain")) expect(Buffer.byteLength(doc)).toBeGreaterThan(EC2_USER_DATA_MAX_BYTES);
  });

  test("fails when even the compressed document is over 16 KB", () => {
    const incompressible = `#cloud-config\n# ${randomBytes(20000).toString("base64")}\n`;
    expect(() => encodeEc2UserData(incompressible)).toThrow(/^the user data is \d+ bytes gzip-compressed; EC2 accepts at most 16384$/);
  });
});
