import { Lazy, TerraformVariable } from "cdktf";
import { KitValidationError, fieldPath } from "../../core/validation";
import { Environment } from "../../constructs/scalr/environment";
import { PolicyGroup } from "../../constructs/scalr/policy-group";
import { ProviderConfiguration } from "../../constructs/scalr/provider-configuration";
import { Variable } from "../../constructs/scalr/variable";
import { Workspace } from "../../constructs/scalr/workspace";
import { AgentPoolStack } from "../../stacks/agent-pool-stack";
import { VendingMachineStack } from "../../vending-machine/vending-machine-stack";
import { App } from "cdktf";
import { CORPUS_SUBJECTS, CorpusSubject, freshStack, pathsOf, withValue } from "./subjects";

/** The Scalr constructs and ready stacks again, with every optional string field set. */
const FULL_SCALR_SUBJECTS: readonly CorpusSubject[] = [
  {
    name: "Workspace (every string field)",
    baseline: () => ({
      name: "network",
      environment: "env-v0o1example",
      vcs: { providerId: "vcs-gh123", repository: "acme/infra", branch: "main", triggerPrefixes: ["network/"] },
      workingDirectory: "network",
      agentPool: "apool-abc123",
      iacPlatform: "opentofu",
      version: "1.8.5",
      hooks: { preInit: "echo ${X}", prePlan: "tofu fmt -check", postPlan: "a", preApply: "b", postApply: "c" },
      providerConfigurations: ["pcfg-abc123", { configuration: "pcfg-def456", alias: "dr" }],
      variables: [{ key: "x", value: "y", category: "shell", description: "d" }],
      tags: ["tag-abc123"],
      varFiles: ["prod.tfvars"],
    }),
    run: (input) => new Workspace(freshStack(), "Subject", input as never),
  },
  {
    name: "Workspace (version constraint, trigger patterns, module)",
    baseline: () => ({ name: "n", environment: "env-v0o1example", vcs: { providerId: "vcs-gh123", repository: "acme/infra", versionConstraint: "~> 1.0", triggerPatterns: ["a/**"] } }),
    run: (input) => new Workspace(freshStack(), "Subject", input as never),
  },
  {
    name: "Environment (every string field)",
    baseline: () => ({ name: "prod", defaultAgentPool: "apool-abc123", defaultProviderConfigurations: ["pcfg-abc123"], tags: ["tag-abc123"], storageProfileId: "sp-1", policyGroups: ["pgrp-abc123"], variables: [{ key: "x", value: "y", description: "d" }] }),
    run: (input) => new Environment(freshStack(), "Subject", input as never),
  },
  { name: "Variable (every string field)", baseline: () => ({ key: "x", value: "y", category: "env", description: "d", workspace: "ws-abc123" }), run: (input) => new Variable(freshStack(), "Subject", input as never) },
  {
    name: "PolicyGroup (every string field)",
    baseline: () => ({ name: "g", vcsProviderId: "vcs-gh123", repository: { identifier: "acme/opa", branch: "main", path: "policies" }, opaVersion: "0.68.0", commonFunctionsFolder: "/common", environments: ["env-abc123"] }),
    run: (input) => new PolicyGroup(freshStack(), "Subject", input as never),
  },
  {
    name: "ProviderConfiguration (aws)",
    baseline: () => ({ name: "aws", aws: { auth: "oidc", scalrAccountName: "acme", roleName: "r", audience: "aws.scalr-run-workload", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] } }),
    run: (input) => new ProviderConfiguration(freshStack(), "Subject", input as never),
  },
  {
    name: "AgentPoolStack",
    baseline: () => ({ pools: { Run: { name: "run", tokens: ["default"] } } }),
    run: (input) => new AgentPoolStack(new App(), "Subject", input as never),
  },
  {
    name: "VendingMachineStack (spec strings)",
    baseline: () => ({ spec: { agentPools: [{ name: "run" }], variables: [{ key: "x", value: "y", category: "shell" }], environments: [{ name: "dev", workspaces: [{ name: "w", hooks: { prePlan: "x" } }] }] } }),
    run: (input) => new VendingMachineStack(new App(), "Subject", input as never),
  },
];

/**
 * cdktf types some values `any` (`TerraformVariable.value`, `Lazy.anyValue`, `Fn.lookup(...)`): an
 * IResolvable object, not a string, that TypeScript lets through wherever a string is expected.
 * Given in place of any string of any subject, it must work or give the kit's error — never a
 * TypeError from inside the kit.
 */
const anyValues: readonly (readonly [string, () => unknown])[] = [
  ["TerraformVariable.value", () => new TerraformVariable(freshStack(), "v", { type: "string" }).value],
  ["Lazy.anyValue", () => Lazy.anyValue({ produce: () => "x" })],
];

function stringPaths(value: unknown): (string | number)[][] {
  return pathsOf(value).filter((at) => typeof at.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], value) === "string");
}

const cases = [...CORPUS_SUBJECTS, ...FULL_SCALR_SUBJECTS].flatMap((subject) =>
  stringPaths(subject.baseline()).flatMap((at) => anyValues.map(([kind, make]) => [subject.name, fieldPath(at), kind, subject, at, make] as const)),
);

test("every subject has string fields to try", () => {
  expect(new Set(cases.map((c) => c[0])).size).toBe(CORPUS_SUBJECTS.length + FULL_SCALR_SUBJECTS.length);
});

test.each(cases)("%s: an any-typed %s (%s) works or gives KitValidationError", (_name, _field, _kind, subject, at, make) => {
  try {
    subject.run(withValue(subject.baseline(), at, make()) as Record<string, unknown>);
  } catch (e) {
    if (!(e instanceof KitValidationError)) {
      const err = e as Error;
      throw new Error(`${err.name}: ${err.message}\n${(err.stack ?? "").split("\n").slice(1, 4).join("\n")}`);
    }
  }
});
