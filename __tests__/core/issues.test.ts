import { z } from "zod";
import { IssueCollector } from "../../core/issues";
import { KitValidationError, fieldError, intInRange, strictProps } from "../../core/validation";

const schema = strictProps({
  name: z.string().min(1),
  kind: z.enum(["run", "vcs"]).default("run"),
  count: intInRange(1, 10).default(1),
  aws: strictProps({ auth: z.enum(["oidc", "role-delegation"]).default("oidc"), externalId: z.string().optional(), region: z.string() }).optional(),
});

function collect(input: unknown, rules = true): IssueCollector {
  const c = new IssueCollector({ subject: "test/Subject" });
  const p = c.parse(schema, input);
  if (rules) {
    c.rule(["kind", "count"], () => {
      if (p.kind === "vcs" && p.count > 1) c.add("count", "must be 1 for VCS", p.count);
    });
    c.rule(["aws.auth", "aws.externalId"], () => {
      if (p.aws && p.aws.auth === "role-delegation" && p.aws.externalId === undefined) throw fieldError(c.ctx, "aws.externalId", "is required", undefined);
    });
  }
  return c;
}

describe("IssueCollector", () => {
  test("collects field and cross-field problems of one input in one run", () => {
    const c = collect({ name: "", kind: "vcs", count: 3, aws: { auth: "role-delegation", region: 7 } });
    expect(c.issues.map((i) => i.field)).toEqual(["name", "aws.region", "count", "aws.externalId"]);
    expect(() => c.throwIfAny()).toThrow(KitValidationError);
    try {
      c.throwIfAny();
    } catch (e) {
      expect((e as KitValidationError).message.split("\n")).toHaveLength(4);
    }
  });

  test("skips a cross-field rule when a field it reads is already invalid", () => {
    const c = collect({ name: "x", kind: "gpu", count: 3 });
    expect(c.issues.map((i) => i.field)).toEqual(["kind"]);
  });

  test("a rule reading a nested field is skipped when its parent is invalid, and runs when it is valid", () => {
    expect(collect({ name: "x", aws: "nope" }).issues.map((i) => i.field)).toEqual(["aws"]);
    expect(collect({ name: "x", aws: { auth: "role-delegation", region: "eu" } }).issues.map((i) => i.field)).toEqual(["aws.externalId"]);
  });

  test("applies defaults to the fields that parse on their own", () => {
    const c = new IssueCollector({ subject: "s" });
    const p = c.parse(schema, { name: 1 });
    expect(p).toEqual({ kind: "run", count: 1 });
    expect(c.ok).toBe(false);
  });

  test("returns the parsed value and throws nothing for a valid input", () => {
    const c = collect({ name: "x" });
    expect(c.ok).toBe(true);
    expect(() => c.throwIfAny()).not.toThrow();
  });

  test("prefixes fields with the context's prefix, and propagates errors that are not validation errors", () => {
    const c = new IssueCollector({ subject: "s", fieldPrefix: "agent" });
    c.add("concurrency", "must be 1", 2);
    expect(c.issues[0]?.field).toBe("agent.concurrency");
    expect(c.has("concurrency")).toBe(true);
    expect(() =>
      c.rule([], () => {
        throw new TypeError("boom");
      }),
    ).toThrow(TypeError);
  });
});
