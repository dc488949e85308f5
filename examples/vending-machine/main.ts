import * as fs from "fs";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { readSpecText } from "../../vending-machine/spec-source";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";

/** The spec's name in messages: relative, so errors and output do not depend on the checkout's path. */
const SPEC_NAME = "examples/vending-machine/spec.yaml";

/** spec.yaml next to this file, or — run from dist/, where tsc copies no YAML — in the sources. */
function specFile(): string {
  const here = path.join(__dirname, "spec.yaml");
  return fs.existsSync(here) ? here : path.join(__dirname, "..", "..", "..", SPEC_NAME);
}

/**
 * A vending machine from `spec.yaml`: 3 environments, 10 workspaces, a run pool and a VCS pool, an
 * AWS OIDC provider configuration, a final account variable and a workspace override of a
 * non-final one. Split per environment: stacks `vending-machine` (shared) and
 * `vending-machine-dev`, `-staging`, `-prod`.
 */
export function vendingMachineExample(scope: Construct): TerraformStack[] {
  const spec = readSpecText(fs.readFileSync(specFile(), "utf8"), SPEC_NAME);
  return [...new VendingMachineStack(scope, "vending-machine", { spec }).stacks];
}
