/**
 * The VendingMachine hands each Workspace props it built from an already parsed spec entry, and the
 * Workspace takes them without parsing them again. That is only sound while those props are exactly
 * what the Workspace's own schema would output for them: these tests parse every such props object
 * again and require the same value back, over specs that use every workspace field.
 */
import * as fs from "fs";
import * as path from "path";
import { App, TerraformStack, Testing } from "cdktf";
import { IConstruct } from "constructs";
import { parseIssues } from "../../core/validation";
import { checkedWorkspaceProps, workspacePropsSchema } from "../../constructs/scalr/workspace-props";
import { ScalrProvider } from "../../providers/scalr/generated/providers/scalr/provider";
import { readSpecText } from "../../vending-machine/spec-source";
import { VendingMachineSpec } from "../../vending-machine/spec-types";
import { VendingMachine } from "../../vending-machine/vending-machine";
import { Workspace } from "../../constructs/scalr/workspace";
import { EVERY_FIELD } from "./every-field-spec";

/** `value` with every construct replaced by its path, for comparing values that hold constructs. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    if ("node" in value) return `construct:${(value as IConstruct).node.path}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The props objects the VendingMachine marked as parsed while building `spec`. */
function handedProps(spec: VendingMachineSpec | ReturnType<typeof readSpecText>): object[] {
  const handed: object[] = [];
  const set = checkedWorkspaceProps.set.bind(checkedWorkspaceProps);
  const spy = jest.spyOn(checkedWorkspaceProps, "set").mockImplementation((scope, props) => {
    handed.push(props);
    return set(scope, props);
  });
  try {
    const stack = new TerraformStack(new App({ stackTraces: false }), "stack");
    new ScalrProvider(stack, "scalr", {});
    new VendingMachine(stack, "VendingMachine", { spec });
    Testing.synth(stack);
  } finally {
    spy.mockRestore();
  }
  return handed;
}

const EXAMPLE_SPEC = readSpecText(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "vending-machine", "spec.yaml"), "utf8"), "spec.yaml");

describe.each([
  ["a spec with every workspace field", EVERY_FIELD],
  ["examples/vending-machine/spec.yaml", EXAMPLE_SPEC],
])("props handed to Workspace unparsed: %s", (_name, spec) => {
  const handed = handedProps(spec);

  test("every workspace is built from props marked as parsed", () => {
    const count = "data" in spec ? (spec.data as VendingMachineSpec).environments!.reduce((n, e) => n + (e.workspaces?.length ?? 0), 0) : 5;
    expect(handed).toHaveLength(count);
  });

  test("parsing them again gives the same value back (they are the schema's own output)", () => {
    for (const props of handed) {
      const { data, issues } = parseIssues(workspacePropsSchema, props);
      expect(issues).toEqual([]);
      expect(plain(data)).toEqual(plain(props));
    }
  });
});

test("the Workspace skips parsing only the props object marked for its own scope", () => {
  const stack = new TerraformStack(Testing.app(), "stack");
  // Props the schema rejects (autoApply is not a boolean): only the parse would notice.
  const bad = () => ({ ...parseIssues(workspacePropsSchema, { name: "x", environment: "env-v0o1example" }).data!, autoApply: "yes" as unknown as boolean });
  const marked = bad();
  checkedWorkspaceProps.set(stack, marked);
  expect(() => new Workspace(stack, "Marked", marked)).not.toThrow();
  expect(() => new Workspace(stack, "Unmarked", bad())).toThrow(/autoApply/);
  const other = new TerraformStack(Testing.app(), "other");
  expect(() => new Workspace(other, "OtherScope", marked)).toThrow(/autoApply/);
});
