import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import { ScalrStackWorkspaces, ScalrStackWorkspacesProps } from "../../constructs/scalr/stack-workspaces";
import type { CorpusSubject } from "./subjects";

/** Never written: no corpus run synthesizes. */
const OUTDIR = path.join(os.tmpdir(), "kit-corpus-never-written");
let runs = 0;

/** The app of the first stack of `input.stacks`, or a fresh one: the workspaces' stack must share it. */
function appOf(input: Record<string, unknown>): App {
  const stacks = (input as { stacks?: unknown } | null)?.stacks;
  const first = Array.isArray(stacks) ? stacks.find((s): s is TerraformStack => TerraformStack.isStack(s)) : undefined;
  return first ? App.of(first) : new App({ outdir: OUTDIR });
}

/** The bad-input corpus subjects of the bootstrap stack's workspaces (spread into `CORPUS_SUBJECTS`). */
export const BOOTSTRAP_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "ScalrStackWorkspaces",
    baseline: () => {
      const app = new App({ outdir: OUTDIR });
      return {
        stacks: [new TerraformStack(app, "shared"), new TerraformStack(app, "shard-0")],
        environment: "env-v0o1platform",
        agentPool: "apool-v0o1platform",
        vcs: { providerId: "vcs-v0o1github", repository: "acme/platform-synth", branch: "synth", directory: "cdktf.out/stacks" },
        iacPlatform: "terraform",
        version: "1.9.8",
        autoApply: false,
        providerConfigurations: ["pcfg-v0o1scalr", { configuration: "pcfg-v0o1aws", alias: "east" }],
        variables: [{ key: "region", value: "eu-west-1" }],
        perStack: { "shard-0": { variables: [{ key: "tier", value: "shard" }], agentPool: "apool-v0o1other", autoApply: true, providerConfigurations: ["pcfg-v0o1gcp"] } },
        deletionProtection: true,
      };
    },
    run: (input) => new ScalrStackWorkspaces(new TerraformStack(appOf(input), `bootstrap${runs++}`), "Subject", input as unknown as ScalrStackWorkspacesProps),
  },
];
