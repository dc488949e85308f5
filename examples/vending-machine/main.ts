import * as fs from "fs";
import * as path from "path";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { readSpecText } from "../../vending-machine/spec-source";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";
import { BootstrapStack } from "../../stacks/bootstrap-stack";

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
 *
 * Stack `vending-machine-bootstrap` makes those 4 stacks CLI-driven Scalr workspaces of the
 * platform environment, on the platform's run pool, with the Scalr provider configuration their
 * runs authenticate with; its `deploy_order` output is the order CI applies them in (the shared
 * stack, then the 3 environment stacks in parallel). In production each of the 4 stacks also calls
 * `scalrBackend` (`VendingMachineStack`'s `scalrBackend` prop), so its state lives in its workspace
 * (docs/state-in-scalr.md); this examples app keeps every state in a local file instead.
 */
export function vendingMachineExample(scope: Construct): TerraformStack[] {
  const spec = readSpecText(fs.readFileSync(specFile(), "utf8"), SPEC_NAME);
  const vm = new VendingMachineStack(scope, "vending-machine", { spec });
  const bootstrap = new BootstrapStack(scope, "vending-machine-bootstrap", {
    stacks: vm.stacks,
    // Objects of the platform itself, made before the vending machine (docs/decisions/0011-bootstrap-stack.md).
    environment: "env-v0o1platform",
    agentPool: "apool-v0o1platform",
    providerConfigurations: ["pcfg-v0o1scalr"],
    version: "1.9.8",
  });
  return [...vm.stacks, bootstrap];
}
