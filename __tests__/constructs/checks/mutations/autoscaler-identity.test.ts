// Mutation corpus of the secrets rules over the autoscaler's Scalr identity: the service account
// token (`scalr_service_account_token.<id>.token`, which the Scalr provider marks sensitive) written
// into every plaintext place an autoscaler stack offers, each with a compliant twin that keeps the
// place and stores or references the token properly (or keeps the value and uses a secret store).
// KIT-SEC-1 fires on each violating form, naming the block and the token; every twin passes.
// KIT-SEC-2: the token in a plain output fires, a sensitive output or the account's ID passes.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { App, Fn, TerraformLocal, TerraformOutput, TerraformStack, Testing } from "cdktf";
import { AgentAutoscaler } from "../../../../constructs/autoscaling/agent-autoscaler";
import { AutoscalerScalrIdentity } from "../../../../constructs/autoscaling/autoscaler-identity";
import { KitRule } from "../../../../constructs/checks/rule";
import { KIT_SEC_1 } from "../../../../constructs/checks/rules/secrets/no-secret-in-plain-configuration";
import { KIT_SEC_2 } from "../../../../constructs/checks/rules/secrets/no-secret-in-plain-output";
import { SynthesizedStack } from "../../../../constructs/checks/synthesized-stack";
import { EcsAgentService } from "../../../../constructs/ecs/ecs-agent-service";
import { AgentPool } from "../../../../constructs/scalr/agent-pool";
import { Variable } from "../../../../providers/scalr/generated/providers/scalr/variable";
import { raw } from "./forms";

/** Where the stacks of one form live: the consumer, and a producer for the cross-stack forms. */
interface Stacks {
  readonly app: App;
  readonly stack: TerraformStack;
  readonly producer: TerraformStack;
}

function stacks(): Stacks {
  const app = Testing.app();
  return { app, stack: new TerraformStack(app, "stack"), producer: new TerraformStack(app, "producer") };
}

/** The findings of `rule` over the consumer, after cdktf's preparation (cross-stack references become remote state reads). */
function findings(rule: KitRule, s: Stacks): string[] {
  for (const st of [s.producer, s.stack]) st.prepareStack();
  return rule.check(SynthesizedStack.of(s.stack)).map((f) => `${f.path}: ${f.message}`);
}

const identity = (scope: TerraformStack, over: Partial<ConstructorParameters<typeof AutoscalerScalrIdentity>[2]> = {}) =>
  new AutoscalerScalrIdentity(scope, "Identity", { name: "agent-autoscaler", ...over });
/** How a finding names the identity's token in the same stack, and through a cross-stack output. */
const TOKEN = /the secret scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token\b/;
const TOKEN_ACROSS = /the secret scalr_service_account_token\.token of another stack \(through the cross-stack output cross-stack-output-scalr_service_account_tokenIdentity_Token_[0-9A-F]+token\)/;

/** A secret holding `value`, as the autoscaler's token is meant to be kept; returns its ARN. */
const secretHolding = (scope: TerraformStack, value: string): string => {
  const secret = new SecretsmanagerSecret(scope, "TokenSecret", { name: "autoscaler/scalr-token" });
  new SecretsmanagerSecretVersion(scope, "TokenSecretValue", { secretId: secret.id, secretString: value });
  return secret.arn;
};
const fn = (scope: TerraformStack, variables: Record<string, string>) => new LambdaFunction(scope, "Fn", { functionName: "autoscaler", role: "r", environment: { variables } });

/**
 * The autoscaler on an ECS service with the identity's token, as documented (the token stored in a
 * secret the autoscaler creates): the compliant baseline, and the stack the escape-hatch forms mutate.
 */
function autoscalerStack(scope: TerraformStack, token: string): AgentAutoscaler {
  new AwsProvider(scope, "aws", { region: "eu-west-1" });
  const pool = new AgentPool(scope, "Pool", { name: "ecs-agents" });
  const service = new EcsAgentService(scope, "Agents", { name: "scalr-agents", pool, settings: { scalrUrl: "https://acme.scalr.io" }, vpcId: "vpc-0abc1234", subnetIds: ["subnet-0aaa1111"] });
  return new AgentAutoscaler(scope, "Autoscaler", { pool, fleet: service, scalrUrl: "https://acme.scalr.io", scalrToken: { value: token }, policy: { min: 0, max: 4 } });
}

/**
 * One way of writing the token into a place: `violating` puts the token there and returns the path
 * of the block KIT-SEC-1 must name; `twin` builds the compliant stack of the same shape.
 */
interface TokenForm {
  readonly violating: (s: Stacks) => string;
  readonly twin: (s: Stacks) => void;
  /** The finding names the token through a cross-stack output. */
  readonly acrossStacks?: boolean;
  /** The twin drops the token (keeps the place, puts a plain value there) rather than storing it properly. */
  readonly twinDropsToken?: boolean;
}

const FORMS: Record<string, TokenForm> = {
  "Lambda environment variable": {
    violating: ({ stack }) => (fn(stack, { SCALR_TOKEN: identity(stack).token }), "stack/Fn"),
    twin: ({ stack }) => void fn(stack, { SCALR_TOKEN_SECRET_ARN: secretHolding(stack, identity(stack).token) }),
  },
  "the AgentAutoscaler's function, environment added by addOverride": {
    violating: ({ stack }) => {
      const token = identity(stack).token;
      autoscalerStack(stack, token).function.addOverride("environment.variables.SCALR_TOKEN", token);
      return "stack/Autoscaler/Function";
    },
    twin: ({ stack }) => void autoscalerStack(stack, identity(stack).token),
  },
  "Lambda environment, jsonencode'd with other settings": {
    violating: ({ stack }) => {
      const i = identity(stack);
      fn(stack, { SCALR: Fn.jsonencode({ url: "https://acme.scalr.io", token: i.token, email: i.email }) });
      return "stack/Fn";
    },
    twin: ({ stack }) => {
      const i = identity(stack);
      fn(stack, { SCALR: Fn.jsonencode({ url: "https://acme.scalr.io", tokenSecretArn: secretHolding(stack, i.token), email: i.email }) });
    },
  },
  "Lambda environment, base64encode(...)": {
    violating: ({ stack }) => (fn(stack, { SCALR_TOKEN_B64: Fn.base64encode(identity(stack).token) }), "stack/Fn"),
    twin: ({ stack }) => void fn(stack, { SCALR_SERVICE_ACCOUNT_B64: Fn.base64encode(identity(stack).serviceAccountId) }),
    twinDropsToken: true,
  },
  "Lambda environment through a local": {
    violating: ({ stack }) => (fn(stack, { SCALR_TOKEN: new TerraformLocal(stack, "scalr_token", identity(stack).token).asString }), "stack/Fn"),
    twin: ({ stack }) => void fn(stack, { SCALR_TOKEN_SECRET_ARN: new TerraformLocal(stack, "scalr_token_secret", secretHolding(stack, identity(stack).token)).asString }),
  },
  "raw aws_lambda_function (addOverride of every argument)": {
    violating: ({ stack }) => (raw(stack, "aws_lambda_function", "Raw", { function_name: "autoscaler", role: "r", environment: { variables: { SCALR_TOKEN: identity(stack).token } } }), "stack/Raw"),
    twin: ({ stack }) => void raw(stack, "aws_lambda_function", "Raw", { function_name: "autoscaler", role: "r", environment: { variables: { SCALR_TOKEN_SECRET_ARN: secretHolding(stack, identity(stack).token) } } }),
  },
  "tag of the token's own secret": {
    violating: ({ stack }) => (new SecretsmanagerSecret(stack, "Tagged", { name: "s", tags: { Token: identity(stack).token } }), "stack/Tagged"),
    twin: ({ stack }) => void new SecretsmanagerSecret(stack, "Tagged", { name: "s", tags: { ServiceAccount: identity(stack).serviceAccountId } }),
    twinDropsToken: true,
  },
  "description of the token's secret": {
    violating: ({ stack }) => (new SecretsmanagerSecret(stack, "Described", { name: "s", description: `token ${identity(stack).token}` }), "stack/Described"),
    twin: ({ stack }) => void new SecretsmanagerSecret(stack, "Described", { name: "s", description: `token of ${identity(stack).email}` }),
    twinDropsToken: true,
  },
  "SSM String parameter (the twin: SecureString)": {
    violating: ({ stack }) => (new SsmParameter(stack, "Param", { name: "/autoscaler/token", type: "String", value: identity(stack).token }), "stack/Param"),
    twin: ({ stack }) => void new SsmParameter(stack, "Param", { name: "/autoscaler/token", type: "SecureString", value: identity(stack).token }),
  },
  "Scalr variable not sensitive (the twin: sensitive)": {
    violating: ({ stack }) => (new Variable(stack, "Var", { key: "SCALR_TOKEN", category: "shell", value: identity(stack).token }), "stack/Var"),
    twin: ({ stack }) => void new Variable(stack, "Var", { key: "SCALR_TOKEN", category: "shell", value: identity(stack).token, sensitive: true }),
  },
  "the custom role's description, by escape hatch": {
    violating: ({ stack }) => {
      const i = identity(stack, { customRole: { name: "reader", permissions: ["accounts:read", "agent-pools:read"] } });
      i.customRole?.addOverride("description", `for ${i.token}`);
      return "stack/Identity/Role";
    },
    twin: ({ stack }) => {
      const i = identity(stack, { customRole: { name: "reader", permissions: ["accounts:read", "agent-pools:read"] } });
      i.customRole?.addOverride("description", `for ${i.serviceAccountId}`);
    },
    twinDropsToken: true,
  },
  "EventBridge target input": {
    violating: ({ stack }) => (new CloudwatchEventTarget(stack, "Target", { rule: "r", arn: "arn:aws:lambda:eu-west-1:123456789012:function:a", input: Fn.jsonencode({ token: identity(stack).token }) }), "stack/Target"),
    twin: ({ stack }) => void new CloudwatchEventTarget(stack, "Target", { rule: "r", arn: "arn:aws:lambda:eu-west-1:123456789012:function:a", input: Fn.jsonencode({ tokenSecretArn: secretHolding(stack, identity(stack).token) }) }),
  },
  "ECS container environment (the twin: secrets valueFrom)": {
    violating: ({ stack }) => {
      const containers = [{ name: "autoscaler", image: "public.ecr.aws/lambda/nodejs:22", environment: [{ name: "SCALR_TOKEN", value: identity(stack).token }] }];
      new EcsTaskDefinition(stack, "Task", { family: "autoscaler", containerDefinitions: Fn.jsonencode(containers) });
      return "stack/Task";
    },
    twin: ({ stack }) => {
      const containers = [{ name: "autoscaler", image: "public.ecr.aws/lambda/nodejs:22", secrets: [{ name: "SCALR_TOKEN", valueFrom: secretHolding(stack, identity(stack).token) }] }];
      new EcsTaskDefinition(stack, "Task", { family: "autoscaler", containerDefinitions: Fn.jsonencode(containers) });
    },
  },
  "cross-stack: the identity in a Scalr stack, the token into the AWS stack's Lambda environment": {
    violating: ({ stack, producer }) => (fn(stack, { SCALR_TOKEN: identity(producer).token }), "stack/Fn"),
    twin: ({ stack, producer }) => void autoscalerStack(stack, identity(producer).token),
    acrossStacks: true,
  },
};

describe("KIT-SEC-1 over the autoscaler identity's token: every plaintext place fires, every twin passes", () => {
  test.each(Object.keys(FORMS))("fires: %s", (form) => {
    const s = stacks();
    const path = FORMS[form]!.violating(s);
    const lines = findings(KIT_SEC_1, s);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^${path.replace(/\//g, "\\/")}: `))]);
    expect(lines[0]).toMatch(FORMS[form]!.acrossStacks ? TOKEN_ACROSS : TOKEN);
  });
  test.each(Object.keys(FORMS))("twin passes: %s", (form) => {
    const s = stacks();
    FORMS[form]!.twin(s);
    expect(findings(KIT_SEC_1, s)).toEqual([]);
    // A twin that keeps the token really holds it (in a secret store), here or through a cross-stack output.
    const text = JSON.stringify(SynthesizedStack.of(s.stack).json);
    const holds = /scalr_service_account_token\.Identity_Token_[0-9A-F]+\.token|cross-stack-output-scalr_service_account_tokenIdentity_Token_[0-9A-F]+token/.test(text);
    expect(holds).toBe(FORMS[form]!.twinDropsToken !== true);
  });
  test("the identity alone holds its token only in its own sensitive attribute", () => {
    const s = stacks();
    identity(s.stack, { customRole: { name: "reader", permissions: ["accounts:read"] } });
    expect(findings(KIT_SEC_1, s)).toEqual([]);
  });
});

describe("KIT-SEC-2 over the autoscaler identity's token", () => {
  test.each<[string, (st: TerraformStack) => unknown]>([
    ["the token", (st) => identity(st).token],
    ["the token inside a jsonencode'd map", (st) => {
      const i = identity(st);
      return Fn.jsonencode({ email: i.email, token: i.token });
    }],
    ["the whole token resource", (st) => identity(st).serviceAccountToken.fqn],
  ])("fires: %s in a plain output", (_form, value) => {
    const s = stacks();
    new TerraformOutput(s.stack, "scalr", { value: value(s.stack) });
    const lines = findings(KIT_SEC_2, s);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^stack\/scalr: .*scalr_service_account_token\.Identity_Token_[0-9A-F]+/);
  });
  test.each<[string, (st: TerraformStack) => unknown, boolean]>([
    ["the token in a sensitive output", (st) => identity(st).token, true],
    ["the service account's ID in a plain output", (st) => identity(st).serviceAccountId, false],
    ["its email in a plain output", (st) => identity(st).email, false],
    ["the token resource's ID in a plain output", (st) => identity(st).serviceAccountToken.id, false],
  ])("twin passes: %s", (_form, value, sensitive) => {
    const s = stacks();
    new TerraformOutput(s.stack, "scalr", { value: value(s.stack), sensitive });
    expect(findings(KIT_SEC_2, s)).toEqual([]);
  });
});
