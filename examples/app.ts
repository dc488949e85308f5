import { App, LocalBackend, TerraformStack } from "cdktf";
import { agentPoolExample } from "./agent-pool/main";
import { ecsAgentServiceExample } from "./ecs-agent-service/main";
import { ecsServerlessAgentExample } from "./ecs-serverless-agent/main";
import { k8sAgentExample } from "./k8s-agent/main";

/** Every example, by stack name. Later examples add themselves here. */
export const EXAMPLES: ReadonlyArray<(app: App) => TerraformStack> = [agentPoolExample, ecsAgentServiceExample, ecsServerlessAgentExample, k8sAgentExample];

/** Builds the examples app; the state of each stack lives next to cdktf.json, not in cdktf.out. */
export function buildExamplesApp(app: App = new App()): App {
  for (const example of EXAMPLES) {
    const stack = example(app);
    // Relative to the stack's working directory (cdktf.out/stacks/<name>): deterministic output.
    new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
  }
  return app;
}

if (require.main === module) {
  buildExamplesApp().synth();
}
