/**
 * Invalid vending-machine specs and the exact message each produces (file name `spec.yaml`).
 * Shared by the spec tests and the command-line tests.
 */

/** Two pools and a VCS provider most cases build on. */
export const POOLS = `agentPools:
  - name: aws-run
  - name: vcs
    kind: vcs
vcsProviders:
  - name: github
    id: vcs-gh123
`;

/** An environment `prod` with one workspace `net` whose extra lines are `ws`. */
const env = (ws: string) => `${POOLS}environments:
  - name: prod
    workspaces:
      - name: net
${ws}`;

/** [what is wrong (completes "fails when …"), spec text, expected message]. */
export const INVALID_SPECS: ReadonlyArray<readonly [string, string, string]> = [
  [
    "a workspace names an unknown agent pool",
    env("        agentPool: gpu\n"),
    "spec.yaml:12: environments[0].workspaces[0].agentPool: no pool named \"gpu\"; pools are: aws-run, vcs",
  ],
  [
    "a workspace names a VCS pool as its run pool",
    env("        agentPool: vcs\n"),
    "spec.yaml:12: environments[0].workspaces[0].agentPool: pool \"vcs\" is a VCS pool; workspaces run on run pools: aws-run",
  ],
  [
    "an environment's default pool is unknown",
    `${POOLS}environments:\n  - name: prod\n    defaultAgentPool: gpu\n`,
    "spec.yaml:10: environments[0].defaultAgentPool: no pool named \"gpu\"; pools are: aws-run, vcs",
  ],
  [
    "two agent pools share a name",
    `agentPools:\n  - name: a\n  - name: a\n`,
    "spec.yaml:3: agentPools[1].name: agent pool \"a\" is already defined at agentPools[0]",
  ],
  [
    "two environments share a name",
    `environments:\n  - name: prod\n  - name: prod\n`,
    "spec.yaml:3: environments[1].name: environment \"prod\" is already defined at environments[0]",
  ],
  [
    "two workspaces of an environment share a name",
    `environments:\n  - name: prod\n    workspaces:\n      - name: a\n      - name: a\n`,
    "spec.yaml:5: environments[0].workspaces[1].name: workspace \"a\" is already defined in this environment at workspaces[0]",
  ],
  [
    "a workspace names an unknown VCS provider",
    env("        vcs: { provider: gitlab, repository: acme/x }\n"),
    "spec.yaml:12: environments[0].workspaces[0].vcs.provider: no VCS provider named \"gitlab\"; VCS providers are: github",
  ],
  [
    "a VCS source has both a branch and a version constraint",
    env("        vcs: { provider: github, repository: acme/x, branch: main, versionConstraint: '~> 1.0' }\n"),
    "spec.yaml:12: environments[0].workspaces[0].vcs.versionConstraint: cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint, got: \"~> 1.0\"",
  ],
  [
    "a VCS source has both trigger prefixes and trigger patterns",
    env("        vcs: { provider: github, repository: acme/x, triggerPrefixes: [a], triggerPatterns: ['b/**'] }\n"),
    "spec.yaml:12: environments[0].workspaces[0].vcs.triggerPatterns: cannot be combined with `vcs.triggerPrefixes`: Scalr takes one or the other, got: an array of 1",
  ],
  [
    "the IaC platform is not terraform or opentofu",
    env("        iacPlatform: tofu\n"),
    "spec.yaml:12: environments[0].workspaces[0].iacPlatform: must be one of \"terraform\", \"opentofu\", got: \"tofu\"",
  ],
  [
    "a pool kind is not run or vcs",
    `agentPools:\n  - name: a\n    kind: gpu\n`,
    "spec.yaml:3: agentPools[0].kind: must be one of \"run\", \"vcs\", got: \"gpu\"",
  ],
  [
    "a variable category is unknown",
    `variables:\n  - key: a\n    category: secret\n`,
    "spec.yaml:3: variables[0].category: must be one of \"terraform\", \"shell\", \"env\", got: \"secret\"",
  ],
  [
    "a workspace redefines a final account variable",
    `variables:\n  - key: region\n    value: eu-west-1\n    final: true\n${env("        variables:\n          - key: region\n            value: us-east-1\n").replace(POOLS,"")}`,
    "spec.yaml:10: environments[0].workspaces[0].variables[0].key: redefines \"region\" (terraform), which is final at account scope in variables[0]: a final variable cannot be redefined below it",
  ],
  [
    "an environment redefines a final account variable",
    `variables:\n  - key: region\n    final: true\nenvironments:\n  - name: prod\n    variables:\n      - key: region\n`,
    "spec.yaml:7: environments[0].variables[0].key: redefines \"region\" (terraform), which is final at account scope in variables[0]: a final variable cannot be redefined below it",
  ],
  [
    "a workspace redefines a final environment variable",
    `environments:\n  - name: prod\n    variables:\n      - key: tier\n        final: true\n    workspaces:\n      - name: a\n        variables:\n          - key: tier\n`,
    "spec.yaml:9: environments[0].workspaces[0].variables[0].key: redefines \"tier\" (terraform), which is final at environment scope in environments[0].variables[0]: a final variable cannot be redefined below it",
  ],
  [
    "an account variable is defined twice",
    `variables:\n  - key: a\n  - key: a\n    value: x\n`,
    "spec.yaml:3: variables[1].key: \"a\" (terraform) is already defined at variables[0]",
  ],
  [
    "a sensitive variable has a literal value",
    `variables:\n  - key: pw\n    value: hunter22\n    sensitive: true\n`,
    "spec.yaml:3: variables[0].value: must not be a literal when `sensitive` is true: set `valueFromTerraformVariable` and pass the secret as that Terraform variable",
  ],
  [
    "a variable that is not sensitive takes its value from a Terraform variable",
    `variables:\n  - key: pw\n    valueFromTerraformVariable: pw\n`,
    "spec.yaml:3: variables[0].valueFromTerraformVariable: applies only to sensitive variables (`sensitive: true`): give other values as `value`",
  ],
  [
    "an env variable is marked HCL",
    `variables:\n  - key: A\n    category: env\n    hcl: true\n`,
    "spec.yaml:4: variables[0].hcl: applies only to terraform variables (shell and env variables are plain strings), got: true",
  ],
  [
    "a terraform variable key starts with a digit",
    `variables:\n  - key: 1abc\n`,
    "spec.yaml:2: variables[0].key: must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit), got: \"1abc\"",
  ],
  [
    "a workspace field is misspelled",
    env("        autoAply: true\n"),
    "spec.yaml:12: environments[0].workspaces[0].autoAply: is not a known field (did you mean `autoApply`?), got: true",
  ],
  [
    "a top-level field is misspelled",
    `environment:\n  - name: prod\n`,
    "spec.yaml:1: environment: is not a known field (did you mean `environments`?), got: an array of 1",
  ],
  [
    "a workspace names an unknown provider configuration",
    env("        providerConfigurations: [aws]\n"),
    "spec.yaml:12: environments[0].workspaces[0].providerConfigurations[0]: no provider configuration named \"aws\"; provider configurations are: (none)",
  ],
  [
    "an environment names an unknown policy group",
    `environments:\n  - name: prod\n    policyGroups: [guardrails]\n`,
    "spec.yaml:3: environments[0].policyGroups[0]: no policy group named \"guardrails\"; policy groups are: (none)",
  ],
  [
    "an environment names an undeclared tag",
    `environments:\n  - name: prod\n    tags: [team:x]\n`,
    "spec.yaml:3: environments[0].tags[0]: no tag named \"team:x\"; tags are: (none)",
  ],
  [
    "a provider configuration names no cloud",
    `providerConfigurations:\n  - name: aws\n`,
    "spec.yaml:2: providerConfigurations[0]: exactly one of aws, google, azure must be set, got: none",
  ],
  [
    "an AWS OIDC configuration has no Scalr account name",
    `providerConfigurations:\n  - name: aws\n    aws: { auth: oidc }\n`,
    "spec.yaml:3: providerConfigurations[0].aws.scalrAccountName: is required for auth \"oidc\": the role trusts only this Scalr account's runs, got: nothing",
  ],
  [
    "a provider configuration is shared with an unknown environment",
    `providerConfigurations:\n  - name: aws\n    environments: [prod]\n    aws: { auth: oidc, scalrAccountName: acme }\n`,
    "spec.yaml:3: providerConfigurations[0].environments[0]: no environment named \"prod\"; environments are: (none)",
  ],
  [
    "a Terraform version is not exact",
    env("        version: latest\n"),
    "spec.yaml:12: environments[0].workspaces[0].version: must be an exact version such as \"1.9.8\", got: \"latest\"",
  ],
  [
    "the run timeout is 0 minutes",
    env("        runTimeoutMinutes: 0\n"),
    "spec.yaml:12: environments[0].workspaces[0].runTimeoutMinutes: must be a whole number from 1 to 10080, got: 0",
  ],
  [
    "a VCS provider ID is malformed",
    `vcsProviders:\n  - name: github\n    id: github\n`,
    "spec.yaml:3: vcsProviders[0].id: must be a VCS provider ID such as \"vcs-v0o1example\", got: \"github\"",
  ],
  [
    "split shards has no shard count",
    `stacks:\n  split: shards\n`,
    "spec.yaml:1: stacks.shards: is required with split \"shards\" (the number of shard stacks)",
  ],
  [
    "a stack would hold more workspaces than allowed",
    `stacks:\n  maxWorkspacesPerStack: 1\nenvironments:\n  - name: prod\n    workspaces:\n      - name: a\n      - name: b\n`,
    "spec.yaml:2: stacks.maxWorkspacesPerStack: the single stack would hold 2 workspaces, more than 1: split the estate (`stacks.split: \"shards\"`) or raise the limit",
  ],
  [
    "the text is not valid YAML",
    `environments:\n  - name: prod\n   workspaces: [\n`,
    "spec.yaml:3: not valid YAML or JSON: Sequence item without - indicator\nspec.yaml:4: not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a ]",
  ],
  [
    "a YAML mapping repeats a key",
    `environments:\n  - name: prod\n    name: dev\n`,
    "spec.yaml:3: not valid YAML or JSON: Map keys must be unique",
  ],
  [
    "the spec is a list, not a mapping",
    `- a\n- b\n`,
    "spec.yaml:1: must be an object, got: an array of 2",
  ],
  [
    "two environments map to the same stack name",
    `stacks:\n  split: environment\nenvironments:\n  - name: Prod\n  - name: prod\n`,
    "spec.yaml:5: environments[1].name: gives the same stack name \"vending-machine-prod\" as environments[0] (\"Prod\"): rename one",
  ],
  [
    "a workspace is both VCS-driven and module-driven",
    env("        vcs: { provider: github, repository: acme/x }\n        moduleVersionId: modver-abc\n"),
    "spec.yaml:13: environments[0].workspaces[0].moduleVersionId: cannot be combined with `vcs`: a workspace is VCS-driven, module-driven or CLI-driven, got: \"modver-abc\"",
  ],
  [
    "a working directory climbs out of the repository",
    env("        workingDirectory: ../x\n"),
    "spec.yaml:12: environments[0].workspaces[0].workingDirectory: must be a directory relative to the repository, without '..', got: \"../x\"",
  ],
  [
    "an aliased provider configuration link names an unknown configuration",
    env("        providerConfigurations:\n          - configuration: gcp\n            alias: x\n"),
    "spec.yaml:13: environments[0].workspaces[0].providerConfigurations[0].configuration: no provider configuration named \"gcp\"; provider configurations are: (none)",
  ],
  [
    "a policy group names an unknown VCS provider",
    `policyGroups:\n  - name: g\n    vcsProvider: gitlab\n    repository: { identifier: acme/opa }\n`,
    "spec.yaml:3: policyGroups[0].vcsProvider: no VCS provider named \"gitlab\"; VCS providers are: (none)",
  ],
  [
    "a workspace lists a tag twice",
    `tags: [a]\nenvironments:\n  - name: prod\n    workspaces:\n      - name: w\n        tags: [a, a]\n`,
    "spec.yaml:6: environments[0].workspaces[0].tags[1]: tag \"a\" is listed twice",
  ],
  [
    "a secret would come from the Scalr provider's own variable",
    `variables:\n  - key: t\n    sensitive: true\n    valueFromTerraformVariable: scalr_token\n`,
    "spec.yaml:4: variables[0].valueFromTerraformVariable: must not be \"scalr_token\": the Scalr provider's own variable",
  ],
  [
    "a secret would come from the Scalr provider's account ID variable",
    `variables:\n  - key: t\n    sensitive: true\n    valueFromTerraformVariable: scalr_account_id\n`,
    "spec.yaml:4: variables[0].valueFromTerraformVariable: must not be \"scalr_account_id\": the Scalr provider's own variable",
  ],
  [
    "a secret's Terraform variable would take the id of the AWS provider",
    `variables:\n  - key: t\n    sensitive: true\n    valueFromTerraformVariable: aws\n`,
    "spec.yaml:4: variables[0].valueFromTerraformVariable: must not be \"aws\": a construct of the kit has that id in the stack (a Terraform variable's name is its construct id)",
  ],
  [
    "a secret's Terraform variable would take the id of the vending machine",
    `environments:\n  - name: prod\n    variables:\n      - key: t\n        sensitive: true\n        valueFromTerraformVariable: VendingMachine\n`,
    "spec.yaml:6: environments[0].variables[0].valueFromTerraformVariable: must not be \"VendingMachine\": a construct of the kit has that id in the stack (a Terraform variable's name is its construct id)",
  ],
  [
    "a secret's Terraform variable would take a workspace's id",
    env("        variables:\n          - key: t\n            sensitive: true\n            valueFromTerraformVariable: Workspace-net\n"),
    "spec.yaml:15: environments[0].workspaces[0].variables[0].valueFromTerraformVariable: must not be \"Workspace-net\": names starting with \"Workspace-\" are construct ids of the kit or cdktf in the stack (a Terraform variable's name is its construct id)",
  ],
  [
    "a var file is empty",
    env('        varFiles: [prod.tfvars, ""]\n'),
    'spec.yaml:12: environments[0].workspaces[0].varFiles[1]: must not be empty, got: ""',
  ],
  [
    "an AWS external ID is shorter than 16 characters (the construct's field rules apply to the spec)",
    `providerConfigurations:\n  - name: aws\n    aws:\n      auth: role-delegation\n      externalId: acme-42\n`,
    "spec.yaml:5: providerConfigurations[0].aws.externalId: must be at least 16 characters: every Scalr account assumes roles through the same Scalr principal, so the external ID is all that keeps other accounts' runs out of this role, got: \"acme-42\"",
  ],
  [
    "an AWS field is misspelt",
    `providerConfigurations:\n  - name: aws\n    aws:\n      auth: oidc\n      scalrAcountName: acme\n`,
    'spec.yaml:5: providerConfigurations[0].aws.scalrAcountName: is not a known field (did you mean `scalrAccountName`?), got: "acme"',
  ],
  [
    "two configurations of one kind serve the same alias of a workspace",
    `providerConfigurations:\n  - name: a\n    environments: all\n    aws: { auth: oidc, existingRoleArn: "arn:aws:iam::123456789012:role/a" }\n  - name: b\n    environments: all\n    aws: { auth: oidc, existingRoleArn: "arn:aws:iam::123456789012:role/b" }\nenvironments:\n  - name: prod\n    workspaces:\n      - name: w\n        providerConfigurations:\n          - { configuration: a, alias: east }\n          - { configuration: b, alias: east }\n`,
    'spec.yaml:14: environments[0].workspaces[0].providerConfigurations[1].alias: is already the alias of the aws configuration providerConfigurations[0]: aliases must be unique per provider kind, got: "east"',
  ],
  [
    "the spec version is unknown",
    `version: 2\n`,
    "spec.yaml:1: version: must be 1, got: 2",
  ],
];

/**
 * A spec with thirteen independent mistakes of every kind: fields the schema rejects (the constructs'
 * own field rules among them, which were found only when the constructs were built), rules across
 * entries, and the constructs' rules across fields. One `validate` run reports every one at its line.
 */
export const MANY_MISTAKES = `agentPools:
  - name: aws-run
  - name: relay
    kind: vcs
    tokens: []
providerConfigurations:
  - name: aws
    aws: { auth: role-delegation }
variables:
  - key: 1abc
  - key: db_password
    value: hunter22
    sensitive: true
environments:
  - name: prod
    workspaces:
      - name: a
        agentPool: gpu
      - name: b
        runTimeoutMinutes: 0
      - name: c
        workingDirectory: /abs
      - name: d
        workingDirectory: ../x
      - name: e
        vcs: { provider: github, repository: acme/x, branch: main, versionConstraint: "~> 1.0" }
      - name: f
        iacPlatform: tofu
      - name: g
        autoAply: true
  - name: prod
`;

/** The problems of {@link MANY_MISTAKES} (file `spec.yaml`), in line order. */
export const MANY_MISTAKES_PROBLEMS: readonly string[] = [
  "spec.yaml:5: agentPools[1].tokens: must name at least one token, got: an array of 0",
  'spec.yaml:8: providerConfigurations[0].aws.externalId: is required for auth "role-delegation", got: nothing',
  "spec.yaml:10: variables[0].key: must be a Terraform variable name (letters, digits, '_' or '-', not starting with a digit), got: \"1abc\"",
  "spec.yaml:12: variables[1].value: must not be a literal when `sensitive` is true: set `valueFromTerraformVariable` and pass the secret as that Terraform variable",
  'spec.yaml:18: environments[0].workspaces[0].agentPool: no pool named "gpu"; pools are: aws-run, relay',
  "spec.yaml:20: environments[0].workspaces[1].runTimeoutMinutes: must be a whole number from 1 to 10080, got: 0",
  "spec.yaml:22: environments[0].workspaces[2].workingDirectory: must be a directory relative to the repository, without '..', got: \"/abs\"",
  "spec.yaml:24: environments[0].workspaces[3].workingDirectory: must be a directory relative to the repository, without '..', got: \"../x\"",
  'spec.yaml:26: environments[0].workspaces[4].vcs.provider: no VCS provider named "github"; VCS providers are: (none)',
  "spec.yaml:26: environments[0].workspaces[4].vcs.versionConstraint: cannot be combined with `vcs.branch`: runs follow either a branch or tags matching a version constraint, got: \"~> 1.0\"",
  'spec.yaml:28: environments[0].workspaces[5].iacPlatform: must be one of "terraform", "opentofu", got: "tofu"',
  "spec.yaml:30: environments[0].workspaces[6].autoAply: is not a known field (did you mean `autoApply`?), got: true",
  'spec.yaml:31: environments[1].name: environment "prod" is already defined at environments[0]',
];
