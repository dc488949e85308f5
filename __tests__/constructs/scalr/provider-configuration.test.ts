import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Environment } from "../../../constructs/scalr/environment";
import { ProviderConfiguration, ProviderConfigurationProps } from "../../../constructs/scalr/provider-configuration";
import { ProviderConfiguration as ScalrProviderConfiguration } from "../../../providers/scalr/generated/providers/scalr/provider-configuration";
import { ScalrProvider } from "../../../providers/scalr/generated/providers/scalr/provider";
import { checkAgainstScalrSchema } from "../../support/scalr-schema";
import { messageOf } from "../../support/errors";

function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stack");
  new ScalrProvider(stack, "scalr", {});
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return stack;
}

function secret(stack: TerraformStack, id = "secret"): string {
  return new TerraformVariable(stack, id, { type: "string", sensitive: true }).stringValue;
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

function only(json: any, type: string): any {
  const all = Object.values<any>(json.resource[type] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
}

describe("ProviderConfiguration", () => {
  describe("AWS OIDC", () => {
    test("creates the OIDC provider and a role trusted only by the Scalr account's runs", () => {
      const stack = newStack();
      const pc = new ProviderConfiguration(stack, "Aws", {
        name: "aws-prod",
        aws: { auth: "oidc", scalrAccountName: "acme", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      });
      expect(pc.kind).toBe("aws");
      const json = synth(stack);
      expect(only(json, "aws_iam_openid_connect_provider")).toEqual({ url: "https://scalr.io", client_id_list: ["aws.scalr-run-workload"] });
      const role = only(json, "aws_iam_role");
      expect(role.name).toBe("scalr-aws-prod");
      expect(role.max_session_duration).toBe(3600);
      expect(JSON.parse(role.assume_role_policy)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "${aws_iam_openid_connect_provider.ScalrOidcProvider.arn}" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "scalr.io:aud": "aws.scalr-run-workload" },
              StringLike: { "scalr.io:sub": ["account:acme:environment:*:workspace:*"] },
            },
          },
        ],
      });
      expect(Testing.synth(stack)).toHaveResourceWithProperties(IamRolePolicyAttachmentsExclusive, { policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
      const cfg = only(json, "scalr_provider_configuration");
      expect(cfg).toMatchObject({ name: "aws-prod", export_shell_variables: false, environments: [] });
      expect(cfg.aws).toEqual({
        credentials_type: "oidc",
        account_type: "regular",
        role_arn: expect.stringMatching(/^\$\{aws_iam_role\.Aws_Role_[0-9A-F]+\.arn\}$/),
        audience: "aws.scalr-run-workload",
      });
      expect(checkAgainstScalrSchema(json)).toEqual([]);
    });

    test("one OIDC provider per stack, shared by every OIDC configuration, with the union of their audiences", () => {
      const stack = newStack();
      const a = new ProviderConfiguration(stack, "A", { name: "aws-a", aws: { auth: "oidc", scalrAccountName: "acme" } });
      const b = new ProviderConfiguration(stack, "B", { name: "aws-b", aws: { auth: "oidc", scalrAccountName: "acme", audience: "acme-aws" } });
      const c = new ProviderConfiguration(stack, "C", { name: "aws-c", aws: { auth: "oidc", scalrAccountName: "acme" } });
      const own = new ProviderConfiguration(stack, "Own", { name: "aws-own", aws: { auth: "oidc", scalrAccountName: "acme", audience: "own", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/scalr.io" } });
      expect(a.oidcProvider).toBeDefined();
      expect(b.oidcProvider).toBe(a.oidcProvider);
      expect(c.oidcProvider).toBe(a.oidcProvider);
      expect(own.oidcProvider).toBeUndefined();
      expect(a.oidcProvider?.node.path).toBe("stack/ScalrOidcProvider");
      const json = synth(stack);
      expect(json.resource.aws_iam_openid_connect_provider).toEqual({ ScalrOidcProvider: { url: "https://scalr.io", client_id_list: ["acme-aws", "aws.scalr-run-workload"] } });
      const federated = Object.values<any>(json.resource.aws_iam_role).map((r) => JSON.parse(r.assume_role_policy).Statement[0].Principal.Federated);
      expect(federated).toEqual([...Array(3).fill("${aws_iam_openid_connect_provider.ScalrOidcProvider.arn}"), "arn:aws:iam::123456789012:oidc-provider/scalr.io"]);
    });

    test("each stack gets its own OIDC provider", () => {
      const app = Testing.app();
      const stacks = ["one", "two"].map((id) => {
        const stack = new TerraformStack(app, id);
        new AwsProvider(stack, "aws", { region: "eu-west-1" });
        new ProviderConfiguration(stack, "Aws", { name: `aws-${id}`, aws: { auth: "oidc", scalrAccountName: "acme" } });
        return stack;
      });
      for (const stack of stacks) expect(Object.keys(synth(stack).resource.aws_iam_openid_connect_provider)).toEqual(["ScalrOidcProvider"]);
    });

    test("narrows the trust to named environments and workspaces, reuses an OIDC provider, custom audience", () => {
      const stack = newStack();
      new ProviderConfiguration(stack, "Aws", {
        name: "aws-net",
        environments: "all",
        aws: {
          auth: "oidc",
          scalrAccountName: "acme",
          audience: "acme-aws",
          allowedSubjects: [{ environment: "prod" }, { environment: "staging", workspace: "net-*" }],
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/scalr.io",
          roleName: "net-deployer",
          defaultTags: { owner: "platform" },
        },
      });
      const json = synth(stack);
      expect(json.resource.aws_iam_openid_connect_provider).toBeUndefined();
      expect(json.resource.aws_iam_role_policy_attachments_exclusive).toBeUndefined();
      const role = only(json, "aws_iam_role");
      expect(role.name).toBe("net-deployer");
      const statement = JSON.parse(role.assume_role_policy).Statement[0];
      expect(statement.Principal.Federated).toBe("arn:aws:iam::123456789012:oidc-provider/scalr.io");
      expect(statement.Condition).toEqual({
        StringEquals: { "scalr.io:aud": "acme-aws" },
        StringLike: { "scalr.io:sub": ["account:acme:environment:prod:workspace:*", "account:acme:environment:staging:workspace:net-*"] },
      });
      const cfg = only(json, "scalr_provider_configuration");
      expect(cfg.environments).toEqual(["*"]);
      expect(cfg.aws.default_tags).toEqual({ tags: { owner: "platform" }, strategy: "update" });
      expect(checkAgainstScalrSchema(json)).toEqual([]);
    });
  });

  test("AWS role delegation: a role trusted by Scalr's IAM user scalr-saas with the external ID", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "Aws", { name: "aws-dev", aws: { auth: "role-delegation", externalId: "acme-ext-42-dOtbGE" } });
    const json = synth(stack);
    expect(JSON.parse(only(json, "aws_iam_role").assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { AWS: "arn:aws:iam::919814621061:user/scalr-saas" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "acme-ext-42-dOtbGE" } } },
    ]);
    expect(only(json, "scalr_provider_configuration").aws).toEqual({
      credentials_type: "role_delegation",
      account_type: "regular",
      trusted_entity_type: "aws_account",
      external_id: "acme-ext-42-dOtbGE",
      role_arn: expect.stringMatching(/aws_iam_role\.Aws_Role_/),
    });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("AWS GovCloud role delegation names the partition and the Scalr installation's account", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "Aws", { name: "gov", aws: { auth: "role-delegation", accountType: "gov-cloud", externalId: "gov-ext-1-0123456", scalrPrincipalAccountId: "210987654321" } });
    expect(JSON.parse(only(synth(stack), "aws_iam_role").assume_role_policy).Statement[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::210987654321:root" });
  });

  test("an existing role: no IAM resources", () => {
    const stack = newStack();
    const pc = new ProviderConfiguration(stack, "Aws", { name: "byo", aws: { auth: "oidc", existingRoleArn: "arn:aws:iam::123456789012:role/scalr" } });
    expect(pc.role).toBeUndefined();
    const json = synth(stack);
    expect(json.resource.aws_iam_role).toBeUndefined();
    expect(only(json, "scalr_provider_configuration").aws.role_arn).toBe("arn:aws:iam::123456789012:role/scalr");
    expect(Testing.synth(stack)).not.toHaveResource(IamOpenidConnectProvider);
    expect(Testing.synth(stack)).not.toHaveResource(IamRole);
  });

  test("Google through workload identity federation", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "Gcp", {
      name: "gcp",
      google: {
        auth: "oidc",
        project: "acme-prod",
        serviceAccountEmail: "scalr@acme-prod.iam.gserviceaccount.com",
        workloadProviderName: "projects/123/locations/global/workloadIdentityPools/scalr/providers/scalr",
      },
    });
    const json = synth(stack);
    expect(only(json, "scalr_provider_configuration").google).toEqual({
        auth_type: "oidc",
        project: "acme-prod",
        service_account_email: "scalr@acme-prod.iam.gserviceaccount.com",
        workload_provider_name: "projects/123/locations/global/workloadIdentityPools/scalr/providers/scalr",
    });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("Google with a service account key given as a reference", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "Gcp", { name: "gcp", google: { auth: "service-account-key", serviceAccountKey: secret(stack) } });
    expect(only(synth(stack), "scalr_provider_configuration").google).toEqual({ auth_type: "service-account-key", credentials: "${var.secret}" });
  });

  test("Azure with OIDC, and with a client secret marked sensitive", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "AzOidc", { name: "az-oidc", azure: { auth: "oidc", clientId: "c-1", tenantId: "t-1", subscriptionId: "s-1", audience: "api://AzureADTokenExchange" } });
    new ProviderConfiguration(stack, "AzSecret", { name: "az-secret", azure: { auth: "client-secret", clientId: "c-2", tenantId: "t-2", clientSecret: secret(stack) } });
    const json = synth(stack);
    const [oidc, withSecret] = Object.values<any>(json.resource.scalr_provider_configuration);
    expect(oidc.azurerm).toEqual({ auth_type: "oidc", client_id: "c-1", tenant_id: "t-1", subscription_id: "s-1", audience: "api://AzureADTokenExchange" });
    expect(withSecret.azurerm).toEqual({ auth_type: "client-secrets", client_id: "c-2", tenant_id: "t-2", client_secret: "${sensitive(var.secret)}" });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("Kubernetes through the custom block; the token is a sensitive argument", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "K8s", {
      name: "k8s",
      kubernetes: {
        host: "https://k8s.example.com",
        clusterCaCertificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        token: secret(stack),
        extraArguments: [{ name: "ignore_annotations", value: '["^x$"]', hcl: true }],
      },
    });
    const json = synth(stack);
    expect(only(json, "scalr_provider_configuration").custom).toEqual({
        provider_name: "kubernetes",
        argument: [
          { name: "host", value: "https://k8s.example.com", sensitive: false, hcl: false },
          { name: "cluster_ca_certificate", value: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", sensitive: false, hcl: false },
          { name: "token", value: "${sensitive(var.secret)}", sensitive: true, hcl: false },
          { name: "ignore_annotations", value: '["^x$"]', sensitive: false, hcl: true },
        ],
    });
    expect(checkAgainstScalrSchema(json)).toEqual([]);
  });

  test("shared with listed environments and with the environments that use it, once each", () => {
    const stack = newStack();
    const prod = new Environment(stack, "Prod", { name: "prod" });
    const pc = new ProviderConfiguration(stack, "K8s", { name: "k8s", environments: [prod, "env-ext123"], kubernetes: { host: "https://k8s.example.com" } });
    new Environment(stack, "Dev", { name: "dev", defaultProviderConfigurations: [pc] });
    pc.shareWith(prod);
    const envs = only(synth(stack), "scalr_provider_configuration").environments;
    expect(envs).toEqual([expect.stringMatching(/scalr_environment\.Prod_/), "env-ext123", expect.stringMatching(/scalr_environment\.Dev_/)]);
  });

  test("fails when a non-sensitive output shows the configuration's secrets", () => {
    const stack = newStack();
    const pc = new ProviderConfiguration(stack, "K8s", { name: "k8s", kubernetes: { host: "https://k8s.example.com", token: secret(stack) } });
    new TerraformOutput(stack, "args", { value: pc.resource.custom.argument });
    expect(messageOf(() => Testing.synth(stack))).toMatch(/^stack\/args: `value` must not show the secret scalr_provider_configuration\.K8s_[0-9A-F]+\.custom\.argument in an output that is not sensitive/);
    const ok = newStack();
    const pc2 = new ProviderConfiguration(ok, "K8s", { name: "k8s", kubernetes: { host: "https://k8s.example.com", token: secret(ok) } });
    new TerraformOutput(ok, "args", { value: pc2.resource.custom.argument, sensitive: true });
    expect(() => Testing.synth(ok)).not.toThrow();
  });

  test.each<[string, Record<string, unknown>, string]>([
    ["no cloud is set", {}, "stack/Pc: exactly one of `aws`, `google`, `azure`, `kubernetes` must be set, got: nothing"],
    ["two clouds are set", { aws: { auth: "oidc", scalrAccountName: "a" }, kubernetes: { host: "https://k" } }, 'stack/Pc: `kubernetes` exactly one of `aws`, `google`, `azure`, `kubernetes` must be set, got: "aws, kubernetes"'],
    ["AWS credentials are access keys", { aws: { auth: "access_keys" } }, 'stack/Pc: `aws.auth` must be one of "oidc", "role-delegation", got: "access_keys"'],
    ["OIDC has no Scalr account name", { aws: { auth: "oidc" } }, "stack/Pc: `aws.scalrAccountName` is required for auth \"oidc\": the role trusts only this Scalr account's runs, got: nothing"],
    ["role delegation has no external ID", { aws: { auth: "role-delegation" } }, 'stack/Pc: `aws.externalId` is required for auth "role-delegation", got: nothing'],
    ["an external ID is given to OIDC", { aws: { auth: "oidc", scalrAccountName: "a", externalId: "acme-ext-42-dOtbGE" } }, 'stack/Pc: `aws.externalId` applies only to auth "role-delegation", got: "acme-ext-42-dOtbGE"'],
    [
      "GovCloud role delegation has no principal account",
      { aws: { auth: "role-delegation", accountType: "gov-cloud", externalId: "gov-ext-1-0123456" } },
      'stack/Pc: `aws.scalrPrincipalAccountId` is required for account type "gov-cloud": Scalr SaaS\'s account 919814621061 is in the commercial partition, got: nothing',
    ],
    [
      "the external ID is shorter than 16 characters",
      { aws: { auth: "role-delegation", externalId: "acme-ext-42" } },
      "stack/Pc: `aws.externalId` must be at least 16 characters: every Scalr account assumes roles through the same Scalr principal, so the external ID is all that keeps other accounts' runs out of this role, got: \"acme-ext-42\"",
    ],
    ["the external ID has a space", { aws: { auth: "role-delegation", externalId: "acme external id 42" } }, 'stack/Pc: `aws.externalId` must be at most 1224 letters, digits or +=,.@:/_-, got: "acme external id 42"'],
    ["the account type is unknown", { aws: { auth: "oidc", scalrAccountName: "a", accountType: "eu-cloud" } }, 'stack/Pc: `aws.accountType` must be one of "regular", "gov-cloud", "cn-cloud", got: "eu-cloud"'],
    ["a subject pattern has a colon", { aws: { auth: "oidc", scalrAccountName: "a", allowedSubjects: [{ environment: "a:b" }] } }, "stack/Pc: `aws.allowedSubjects[0].environment` must be a name or pattern of letters, digits, '_', '.', '-' or '*', got: \"a:b\""],
    ["a policy ARN is not an ARN", { aws: { auth: "oidc", scalrAccountName: "a", managedPolicyArns: ["ReadOnlyAccess"] } }, 'stack/Pc: `aws.managedPolicyArns[0]` must be a managed policy ARN, got: "ReadOnlyAccess"'],
    ["a role name is too long", { aws: { auth: "oidc", scalrAccountName: "a", roleName: "r".repeat(65) } }, `stack/Pc: \`aws.roleName\` must be an IAM role name: 1–64 letters, digits or +=,.@_-, got: "${"r".repeat(65)}"`],
    [
      "the default role name is invalid",
      { name: "aws prod", aws: { auth: "oidc", scalrAccountName: "a" } },
      'stack/Pc: `aws.roleName` is required: the default "scalr-<name>" is not a valid IAM role name (1–64 letters, digits or +=,.@_-), got: "scalr-aws prod"',
    ],
    [
      "an existing role is combined with policies",
      { aws: { auth: "oidc", existingRoleArn: "arn:aws:iam::123456789012:role/r", managedPolicyArns: ["arn:aws:iam::aws:policy/X"] } },
      "stack/Pc: `aws.managedPolicyArns` cannot be combined with `existingRoleArn`: no role is created, got: an array of 1",
    ],
    ["the session is shorter than an hour", { aws: { auth: "oidc", scalrAccountName: "a", maxSessionDurationSeconds: 900 } }, "stack/Pc: `aws.maxSessionDurationSeconds` must be a whole number from 3600 to 43200, got: 900"],
    [
      "a Google key is a literal",
      { google: { auth: "service-account-key", serviceAccountKey: '{"type":"service_account"}' } },
      "stack/Pc: `google.serviceAccountKey` must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration, got: a plain string of 26 characters (value hidden)",
    ],
    ["Google OIDC has no service account", { google: { auth: "oidc", workloadProviderName: "projects/1/locations/global/workloadIdentityPools/p/providers/q" } }, 'stack/Pc: `google.serviceAccountEmail` is required for auth "oidc", got: nothing'],
    [
      // Two mistakes (a malformed provider name, no service account): both are reported, in one error.
      "Google's provider name is malformed",
      { google: { auth: "oidc", workloadProviderName: "scalr" } },
      'stack/Pc: `google.workloadProviderName` must be "projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>", got: "scalr"\n' +
        'stack/Pc: `google.serviceAccountEmail` is required for auth "oidc", got: nothing',
    ],
    [
      "an Azure secret is a literal",
      { azure: { auth: "client-secret", clientId: "c", tenantId: "t", clientSecret: "abc~secret" } },
      "stack/Pc: `azure.clientSecret` must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration, got: a plain string of 10 characters (value hidden)",
    ],
    ["Azure OIDC has no audience", { azure: { auth: "oidc", clientId: "c", tenantId: "t" } }, 'stack/Pc: `azure.audience` is required for auth "oidc", got: nothing'],
    [
      "a Kubernetes token is a literal",
      { kubernetes: { host: "https://k", token: "eyJhbGciOi" } },
      "stack/Pc: `kubernetes.token` must be a Terraform reference (a sensitive variable or a secret store data source), not a literal: secrets never go into the configuration, got: a plain string of 10 characters (value hidden)",
    ],
    ["the Kubernetes host is http", { kubernetes: { host: "http://k" } }, 'stack/Pc: `kubernetes.host` must be an https URL, got: "http://k"'],
    ["a client certificate comes without its key", { kubernetes: { host: "https://k", clientCertificate: "PEM" } }, "stack/Pc: `kubernetes.clientKey` is required with `clientCertificate`/`clientKey`: they authenticate together, got: nothing"],
    ["an extra argument repeats a typed one", { kubernetes: { host: "https://k", extraArguments: [{ name: "host", value: "x" }] } }, 'stack/Pc: `kubernetes.extraArguments[0].name` is a typed field\'s argument (host, cluster_ca_certificate, token, client_certificate, client_key): set that field instead, got: "host"'],
    ["environments is a word", { environments: "everyone", kubernetes: { host: "https://k" } }, 'stack/Pc: `environments` must be "all" or a list of environments, got: "everyone"'],
  ])("fails when %s", (_name, props, expected) => {
    expect(messageOf(() => new ProviderConfiguration(newStack(), "Pc", { name: "pc", ...props } as ProviderConfigurationProps))).toBe(expected);
  });

  test("synthesizes the Scalr resource the bindings define", () => {
    const stack = newStack();
    new ProviderConfiguration(stack, "Aws", { name: "x", aws: { auth: "oidc", scalrAccountName: "acme" } });
    expect(Testing.synth(stack)).toHaveResource(ScalrProviderConfiguration);
  });
});
