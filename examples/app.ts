import { App, LocalBackend, TerraformStack } from "cdktf";
import { KitChecks } from "../constructs/checks/kit-checks";
import { agentPoolExample } from "./agent-pool/main";
import { dockerHostExample } from "./docker-host/main";
import { ecsAgentServiceExample } from "./ecs-agent-service/main";
import { ecsServerlessAgentExample } from "./ecs-serverless-agent/main";
import { k8sAgentExample } from "./k8s-agent/main";
import { scaledAgentsExample } from "./scaled-agents/main";
import { vendingMachineExample } from "./vending-machine/main";
import { vmAgentFleetExample } from "./vm-agent-fleet/main";
import { workspaceRunOptionsExample } from "./workspace-run-options/main";

/** Every example; each builds one stack or, split, several. Later examples add themselves here. */
export const EXAMPLES: ReadonlyArray<(app: App) => TerraformStack | readonly TerraformStack[]> = [
  agentPoolExample,
  ecsAgentServiceExample,
  ecsServerlessAgentExample,
  dockerHostExample,
  k8sAgentExample,
  scaledAgentsExample,
  vendingMachineExample,
  vmAgentFleetExample,
  workspaceRunOptionsExample,
];

/** Builds the examples app; the state of each stack lives next to cdktf.json, not in cdktf.out. */
export function buildExamplesApp(app: App = new App()): App {
  for (const example of EXAMPLES) {
    for (const stack of [example(app)].flat()) {
      // The kit's security and reliability rules fail the synth of any example that breaks them.
      KitChecks.of(stack);
      // Relative to the stack's working directory (cdktf.out/stacks/<name>): deterministic output.
      new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
    }
  }
  return app;
}

if (require.main === module) {
  buildExamplesApp().synth();
}
