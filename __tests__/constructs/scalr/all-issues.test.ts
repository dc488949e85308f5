import { TerraformStack, TerraformVariable, Testing } from "cdktf";
import { AgentPool, AgentPoolProps } from "../../../constructs/scalr/agent-pool";
import { Environment, EnvironmentProps } from "../../../constructs/scalr/environment";
import { PolicyGroup, PolicyGroupProps } from "../../../constructs/scalr/policy-group";
import { ProviderConfiguration, ProviderConfigurationProps } from "../../../constructs/scalr/provider-configuration";
import { Tag, TagProps } from "../../../constructs/scalr/tag";
import { Variable, VariableProps } from "../../../constructs/scalr/variable";
import { Workspace, WorkspaceProps } from "../../../constructs/scalr/workspace";
import { KitValidationError } from "../../../core/validation";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";

/**
 * Every Scalr construct reports all the problems of one props object together: a props object
 * holding N independent mistakes (field rules and cross-field rules mixed) yields one
 * KitValidationError with exactly N issues, one line each, and creates nothing.
 */

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  return stack;
}

/** Runs `fn` and returns the KitValidationError it throws. */
function errorOf(fn: () => unknown): KitValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KitValidationError);
    return e as KitValidationError;
  }
  throw new Error("expected a KitValidationError");
}

/** Asserts the error lists exactly `fields`, in order, one line each, and that nothing was created under `id`. */
function expectIssues(stack: TerraformStack, id: string, error: KitValidationError, fields: readonly string[]): void {
  expect(error.issues.map((i) => i.field)).toEqual(fields);
  expect(error.message.split("\n")).toHaveLength(fields.length);
  for (const line of error.message.split("\n")) expect(line.startsWith(`stack/${id}: `)).toBe(true);
  expect(stack.node.tryFindChild(id)?.node.children ?? []).toHaveLength(0);
}

describe("all problems of one props object are reported together", () => {
  test("AgentPool: field rules, the VCS-webhook rule and repeats", () => {
    const stack = newStack();
    const props = {
      name: "",
      kind: "vcs",
      environments: ["env-a1", "env-a1"],
      webhook: { url: "https://h.example/trigger" },
      tokens: ["a", "a"],
    };
    const error = errorOf(() => new AgentPool(stack, "Pool", props as AgentPoolProps));
    expectIssues(stack, "Pool", error, ["name", "webhook", "tokens[1]", "environments[1]"]);
  });

  test("AgentPool: a Terraform reference as the kind is reported with the other problems", () => {
    const stack = newStack();
    const kind = new TerraformVariable(stack, "kind", { type: "string" }).stringValue;
    const error = errorOf(() => new AgentPool(stack, "Pool", { name: " p", kind: kind as "run", tokens: ["Fleet A"] }));
    expectIssues(stack, "Pool", error, ["name", "kind", "tokens[0]"]);
    expect(error.issues[1]?.message).toBe('must be a literal "run" or "vcs": it cannot change after the pool is created');
  });

  test("Environment: field rules, the run-pool rule, repeats and variable rules", () => {
    const stack = newStack();
    const vcsPool = new AgentPool(stack, "VcsPool", { name: "vcs", kind: "vcs" });
    const tag = new Tag(stack, "Tag", { name: "t" });
    const props = {
      name: " prod",
      defaultAgentPool: vcsPool,
      tags: [tag, tag],
      remoteBackendOverridable: "yes",
      variables: [{ key: "1bad" }, { key: "k", category: "shell", hcl: true }],
    };
    const error = errorOf(() => new Environment(stack, "Env", props as unknown as EnvironmentProps));
    expectIssues(stack, "Env", error, ["name", "remoteBackendOverridable", "defaultAgentPool", "tags[1]", "variables[0].key", "variables[1].hcl"]);
  });

  test("Workspace: a field rule and five cross-field rules", () => {
    const stack = newStack();
    const env = new Environment(stack, "Env", { name: "prod" });
    const vcsPool = new AgentPool(stack, "VcsPool", { name: "vcs", kind: "vcs" });
    const tag = new Tag(stack, "Tag", { name: "t" });
    const token = new TerraformVariable(stack, "token", { type: "string", sensitive: true }).stringValue;
    const east = new ProviderConfiguration(stack, "K8sEast", { name: "k8s-east", kubernetes: { host: "https://east.example.com", token } });
    const west = new ProviderConfiguration(stack, "K8sWest", { name: "k8s-west", kubernetes: { host: "https://west.example.com", token } });
    const props: WorkspaceProps = {
      name: "net",
      environment: env,
      vcs: { providerId: "vcs-abc123", repository: "acme/infra", branch: "main", versionConstraint: "~> 1.2" },
      agentPool: vcsPool,
      runTimeoutMinutes: 0,
      providerConfigurations: [east, west],
      tags: [tag, tag],
      variables: [{ key: "password", value: "hunter2-literal", sensitive: true }],
    };
    const error = errorOf(() => new Workspace(stack, "Ws", props));
    expectIssues(stack, "Ws", error, ["runTimeoutMinutes", "vcs.versionConstraint", "agentPool", "providerConfigurations[1].alias", "tags[1]", "variables[0].value"]);
    expect(error.message).not.toContain("hunter2");
  });

  test("ProviderConfiguration (AWS): field rules, repeats and the auth rules", () => {
    const stack = newStack();
    const tag = new Tag(stack, "Tag", { name: "t" });
    const props = {
      name: "aws prod",
      exportShellVariables: "yes",
      tags: [tag, tag],
      aws: { auth: "oidc", externalId: "acme-ext-42-dOtbGE", maxSessionDurationSeconds: 60 },
    };
    const error = errorOf(() => new ProviderConfiguration(stack, "Pc", props as unknown as ProviderConfigurationProps));
    expectIssues(stack, "Pc", error, ["exportShellVariables", "aws.maxSessionDurationSeconds", "tags[1]", "aws.externalId", "aws.scalrAccountName", "aws.roleName"]);
  });

  test("ProviderConfiguration (Kubernetes): a field rule, a literal secret, a missing pair and a typed argument", () => {
    const stack = newStack();
    const props: ProviderConfigurationProps = {
      name: "k8s",
      kubernetes: { host: "http://k8s.example.com", token: "literal-token", clientCertificate: "PEM", extraArguments: [{ name: "host", value: "x" }] },
    };
    const error = errorOf(() => new ProviderConfiguration(stack, "Pc", props));
    expectIssues(stack, "Pc", error, ["kubernetes.host", "kubernetes.token", "kubernetes.clientKey", "kubernetes.extraArguments[0].name"]);
  });

  test("ProviderConfiguration (Azure): each auth rule reports its own field", () => {
    const stack = newStack();
    const props: ProviderConfigurationProps = {
      name: "azure",
      azure: { auth: "client-secret", clientId: "", tenantId: "t", audience: "api://AzureADTokenExchange" },
    };
    const error = errorOf(() => new ProviderConfiguration(stack, "Pc", props));
    expectIssues(stack, "Pc", error, ["azure.clientId", "azure.audience", "azure.clientSecret"]);
  });

  test("PolicyGroup: field rules and a repeated environment", () => {
    const stack = newStack();
    const env = new Environment(stack, "Env", { name: "prod" });
    const props = { name: "", vcsProviderId: "github", repository: { identifier: "no-slash" }, environments: [env, env] };
    const error = errorOf(() => new PolicyGroup(stack, "Group", props as PolicyGroupProps));
    expectIssues(stack, "Group", error, ["name", "vcsProviderId", "repository.identifier", "environments[1]"]);
  });

  test("Variable: a field rule, the one-scope rule and the option rules", () => {
    const stack = newStack();
    const env = new Environment(stack, "Env", { name: "prod" });
    const props = { key: "bad key", category: "shell", hcl: true, sensitive: true, value: "literal-secret", description: 5, environment: env, workspace: "ws-abc123" };
    const error = errorOf(() => new Variable(stack, "Var", props as unknown as VariableProps));
    expectIssues(stack, "Var", error, ["description", "workspace", "key", "hcl", "value"]);
    expect(error.message).not.toContain("literal-secret");
  });

  test("Tag: a bad name and an unknown field", () => {
    const stack = newStack();
    const error = errorOf(() => new Tag(stack, "Tag", { name: " t", color: "red" } as unknown as TagProps));
    expectIssues(stack, "Tag", error, ["name", "color"]);
  });

  test("ProviderConfiguration: a mistake in one extra argument does not hide another's, and two clouds are reported with mistakes inside them", () => {
    const stack = newStack();
    const k8s = errorOf(
      () =>
        new ProviderConfiguration(stack, "K8s", {
          name: "k8s",
          kubernetes: { host: "https://h.example.com", extraArguments: [{ name: "ok", value: 5 }, { name: "token", value: "v" }] },
        } as unknown as ProviderConfigurationProps),
    );
    expectIssues(stack, "K8s", k8s, ["kubernetes.extraArguments[0].value", "kubernetes.extraArguments[1].name"]);
    const two = errorOf(
      () =>
        new ProviderConfiguration(stack, "Two", {
          name: "",
          kubernetes: { host: "https://h.example.com" },
          google: { auth: "service-account-key", serviceAccountKey: "plain" },
        } as unknown as ProviderConfigurationProps),
    );
    expectIssues(stack, "Two", two, ["name", "google.serviceAccountKey", "kubernetes"]);
  });

  test("ProviderConfiguration: every environment it cannot share with, together", () => {
    const app = Testing.app();
    const a = new TerraformStack(app, "stack");
    new ScalrProvider(a, "scalr", {});
    const b = new TerraformStack(app, "other");
    new ScalrProvider(b, "scalr", {});
    const e1 = new Environment(b, "E1", { name: "e1" });
    const e2 = new Environment(b, "E2", { name: "e2" });
    const error = errorOf(() => new ProviderConfiguration(a, "Pc", { name: "k", environments: [e1, e2], kubernetes: { host: "https://h.example.com" } }));
    expect(error.issues.map((i) => i.field)).toEqual(["environments[0]", "environments[1]"]);
  });
});
