// Mutation corpus of the IAM rules (issue 13, IAM): the same violation written in every form we
// know — literal, reference, HCL whitespace, locals, variables, composed policy documents, escape
// hatches, other resource types, values known only at apply time — each with a compliant twin that
// must pass. KIT-IAM-1: wildcard actions and broad managed policies; KIT-IAM-2: unscoped
// resources; KIT-IAM-3: trust policies open to any principal; KIT-IAM-4: resource policies open to
// any principal.
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayRestApiPolicy } from "@cdktf/provider-aws/lib/api-gateway-rest-api-policy";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsIamPolicy } from "@cdktf/provider-aws/lib/data-aws-iam-policy";
import { DataAwsIamPolicyDocument, DataAwsIamPolicyDocumentConfig } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EcrRegistryPolicy } from "@cdktf/provider-aws/lib/ecr-registry-policy";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamGroupPolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-group-policy-attachments-exclusive";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamPolicyAttachment } from "@cdktf/provider-aws/lib/iam-policy-attachment";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { IamRolePolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-role-policy-attachments-exclusive";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { IamUserPolicyAttachment } from "@cdktf/provider-aws/lib/iam-user-policy-attachment";
import { IamUserPolicyAttachmentsExclusive } from "@cdktf/provider-aws/lib/iam-user-policy-attachments-exclusive";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SsoadminManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment";
import { App, Fn, TerraformLocal, TerraformStack, TerraformVariable, Testing, Token } from "cdktf";
import { terraformJson } from "../../../../core/terraform-json";
import { KitRule } from "../../../../constructs/checks/rule";
import { KIT_IAM_1 } from "../../../../constructs/checks/rules/iam/iam-no-wildcard-actions";
import { KIT_IAM_2 } from "../../../../constructs/checks/rules/iam/iam-scoped-resources";
import { KIT_IAM_3 } from "../../../../constructs/checks/rules/iam/iam-trust-named-principals";
import { KIT_IAM_4 } from "../../../../constructs/checks/rules/iam/resource-policy-named-principals";
import { SynthesizedStack } from "../../../../constructs/checks/synthesized-stack";

/** The findings of `rule` over `stack`. */
function findings(rule: KitRule, stack: TerraformStack): string[] {
  return rule.check(SynthesizedStack.of(stack)).map((f) => `${f.path}: ${f.message}`);
}

/** A JSON policy of `statements`. */
const doc = (...statements: unknown[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const ACCOUNT = "123456789012";
const SECRET = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:agents-token-AbCdEf`;
const allow = (action: unknown, resource: unknown = SECRET): Record<string, unknown> => ({ Effect: "Allow", Action: action, Resource: resource });
const TRUST = (principal: unknown, extra: Record<string, unknown> = {}): string => doc({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra });
const EC2 = { Service: "ec2.amazonaws.com" };

/** A form: the violation written one way (`bad`), and its compliant twin (`good`). */
interface Form {
  readonly bad: (s: TerraformStack, producer: TerraformStack) => void;
  readonly good: (s: TerraformStack, producer: TerraformStack) => void;
}

/** Adds `forms` to a rule's corpus (typed, so each form's stacks are typed). */
const add = (corpus: Record<string, Form>, forms: Record<string, Form>): void => void Object.assign(corpus, forms);

/** One statement-level form: an identity policy holding `policy` on a role policy. */
const rolePolicy = (policy: string) => (s: TerraformStack) => void new IamRolePolicy(s, "Policy", { role: "r", policy });
/** A policy document data source, referenced by a role policy with `reference` (the JSON reference by default). */
const policyDocument = (config: DataAwsIamPolicyDocumentConfig, reference?: (d: DataAwsIamPolicyDocument) => string) => (s: TerraformStack) => {
  const d = new DataAwsIamPolicyDocument(s, "Doc", config);
  new IamRolePolicy(s, "Policy", { role: "r", policy: reference ? reference(d) : d.json });
};
const variable = (s: TerraformStack, id = "Input"): TerraformVariable => new TerraformVariable(s, id, { type: "string" });
const listVariable = (s: TerraformStack, id = "Inputs"): string[] => Token.asList(new TerraformVariable(s, id, { type: "list(string)" }).listValue);

// ---------------------------------------------------------------------------------------------
// KIT-IAM-1: wildcard actions, NotAction, broad managed policies, unknown actions/ARNs.
// ---------------------------------------------------------------------------------------------

/** Action forms: the violating action(s) and the twin's, in a role policy. */
const WILD_ACTIONS: Record<string, readonly [bad: unknown, good: unknown]> = {
  "Action *": ["*", "secretsmanager:GetSecretValue"],
  "Action * in a list": [["*"], ["secretsmanager:GetSecretValue"]],
  "service wildcard s3:*": ["s3:*", "s3:GetObject"],
  "partial wildcard secretsmanager:Get*": ["secretsmanager:Get*", "secretsmanager:GetSecretValue"],
  "? wildcard (one character) iam:PassRol?": ["iam:PassRol?", "iam:PassRole"],
  "? wildcards only secretsmanager:??????????????": ["secretsmanager:??????????????", "secretsmanager:GetSecretValue"],
  "upper-case service S3:*": ["S3:*", "S3:GetObject"],
  "*:*": ["*:*", "s3:GetObject"],
};

const MANAGED: Record<string, readonly [bad: string, good: string]> = {
  AdministratorAccess: ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
  PowerUserAccess: ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
  IAMFullAccess: ["arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
  AmazonS3FullAccess: ["arn:aws:iam::aws:policy/AmazonS3FullAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
  "AWSLambda_FullAccess (underscore)": ["arn:aws:iam::aws:policy/AWSLambda_FullAccess", "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"],
  SecretsManagerReadWrite: ["arn:aws:iam::aws:policy/SecretsManagerReadWrite", `arn:aws:iam::${ACCOUNT}:policy/read-agent-token`],
  AWSKeyManagementServicePowerUser: ["arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser", `arn:aws:iam::${ACCOUNT}:policy/kms-decrypt`],
  "AdministratorAccess-Amplify": ["arn:aws:iam::aws:policy/AdministratorAccess-Amplify", `arn:aws:iam::${ACCOUNT}:policy/amplify`],
  "job-function/SystemAdministrator": ["arn:aws:iam::aws:policy/job-function/SystemAdministrator", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
  "arn:aws-us-gov partition": ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"],
  "arn:aws-cn partition": ["arn:aws-cn:iam::aws:policy/AdministratorAccess", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"],
  "${data.aws_partition.x.partition}": ["arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess", "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"],
  "HCL whitespace ${ data.aws_partition.x.partition }": ["arn:${ data.aws_partition.current.partition }:iam::aws:policy/PowerUserAccess", "arn:${ data.aws_partition.current.partition }:iam::aws:policy/ReadOnlyAccess"],
};

/** Ways to attach one managed policy ARN. */
const ATTACH: Record<string, (s: TerraformStack, arn: string) => void> = {
  aws_iam_role_policy_attachment: (s, arn) => void new IamRolePolicyAttachment(s, "Attach", { role: "r", policyArn: arn }),
  aws_iam_policy_attachment: (s, arn) => void new IamPolicyAttachment(s, "Attach", { name: "a", roles: ["r"], policyArn: arn }),
  aws_iam_user_policy_attachment: (s, arn) => void new IamUserPolicyAttachment(s, "Attach", { user: "u", policyArn: arn }),
  aws_iam_group_policy_attachment: (s, arn) => void new IamGroupPolicyAttachment(s, "Attach", { group: "g", policyArn: arn }),
  "aws_iam_role.managed_policy_arns": (s, arn) => void new IamRole(s, "Attach", { assumeRolePolicy: TRUST(EC2), managedPolicyArns: [arn] }),
  aws_iam_role_policy_attachments_exclusive: (s, arn) => void new IamRolePolicyAttachmentsExclusive(s, "Attach", { roleName: "r", policyArns: [`arn:aws:iam::${ACCOUNT}:policy/x`, arn] }),
  aws_iam_user_policy_attachments_exclusive: (s, arn) => void new IamUserPolicyAttachmentsExclusive(s, "Attach", { userName: "u", policyArns: [arn] }),
  aws_iam_group_policy_attachments_exclusive: (s, arn) => void new IamGroupPolicyAttachmentsExclusive(s, "Attach", { groupName: "g", policyArns: [arn] }),
  aws_ssoadmin_managed_policy_attachment: (s, arn) =>
    void new SsoadminManagedPolicyAttachment(s, "Attach", { instanceArn: "arn:aws:sso:::instance/ssoins-1", permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1", managedPolicyArn: arn }),
  "addOverride on an attachment": (s, arn) => new IamRolePolicyAttachment(s, "Attach", { role: "r", policyArn: `arn:aws:iam::${ACCOUNT}:policy/x` }).addOverride("policy_arn", arn),
};

const IAM_1: Record<string, Form> = {};
for (const [name, [bad, good]] of Object.entries(WILD_ACTIONS)) {
  IAM_1[`${name} (JSON.stringify)`] = { bad: rolePolicy(doc(allow(bad))), good: rolePolicy(doc(allow(good))) };
}
add(IAM_1, {
  "terraformJson with references around the wildcard": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:*", new SecretsmanagerSecret(s, "S", { name: "t" }).arn)] }))(s),
    good: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:GetSecretValue", new SecretsmanagerSecret(s, "S", { name: "t" }).arn)] }))(s),
  },
  "element names in another case (action, effect)": {
    bad: rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ effect: "Allow", action: "*", resource: SECRET }] })),
    good: rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ effect: "Allow", action: "secretsmanager:GetSecretValue", resource: SECRET }] })),
  },
  "a single Statement object, not a list": {
    bad: rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: allow("*") })),
    good: rolePolicy(JSON.stringify({ Version: "2012-10-17", Statement: allow("secretsmanager:GetSecretValue") })),
  },
  "an Effect that is not Deny (a variable)": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: variable(s).stringValue, Action: "*", Resource: SECRET }] }))(s),
    good: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }))(s),
  },
  NotAction: { bad: rolePolicy(doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })), good: rolePolicy(doc({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" })) },
  aws_iam_policy: { bad: (s) => void new IamPolicy(s, "P", { policy: doc(allow("*")) }), good: (s) => void new IamPolicy(s, "P", { policy: doc(allow("s3:GetObject")) }) },
  aws_iam_user_policy: { bad: (s) => void new IamUserPolicy(s, "P", { user: "u", policy: doc(allow("*")) }), good: (s) => void new IamUserPolicy(s, "P", { user: "u", policy: doc(allow("s3:GetObject")) }) },
  aws_iam_group_policy: { bad: (s) => void new IamGroupPolicy(s, "P", { group: "g", policy: doc(allow("*")) }), good: (s) => void new IamGroupPolicy(s, "P", { group: "g", policy: doc(allow("s3:GetObject")) }) },
  "aws_iam_role.inline_policy": {
    bad: (s) => void new IamRole(s, "R", { assumeRolePolicy: TRUST(EC2), inlinePolicy: [{ name: "i", policy: doc(allow("*")) }] }),
    good: (s) => void new IamRole(s, "R", { assumeRolePolicy: TRUST(EC2), inlinePolicy: [{ name: "i", policy: doc(allow("s3:GetObject")) }] }),
  },
  "trust policy with sts:*": { bad: (s) => void new IamRole(s, "R", { assumeRolePolicy: doc({ Effect: "Allow", Principal: EC2, Action: "sts:*" }) }), good: (s) => void new IamRole(s, "R", { assumeRolePolicy: TRUST(EC2) }) },
  "aws_iam_policy_document statement actions": { bad: policyDocument({ statement: [{ actions: ["s3:*"], resources: [SECRET] }] }), good: policyDocument({ statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }) },
  "aws_iam_policy_document statement ? wildcard": { bad: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecret?alue"], resources: [SECRET] }] }), good: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }] }) },
  "aws_iam_policy_document not_actions": { bad: policyDocument({ statement: [{ notActions: ["iam:*"], resources: ["*"] }] }), good: policyDocument({ statement: [{ effect: "Deny", notActions: ["s3:GetObject"], resources: ["*"] }] }) },
  "source_policy_documents: a JSON string": {
    bad: policyDocument({ sourcePolicyDocuments: [doc(allow("*"))], statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }),
    good: policyDocument({ sourcePolicyDocuments: [doc(allow("s3:GetObject"))], statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }),
  },
  "override_policy_documents: a JSON string": {
    bad: policyDocument({ overridePolicyDocuments: [doc({ Sid: "x", ...allow("iam:*") })] }),
    good: policyDocument({ overridePolicyDocuments: [doc({ Sid: "x", ...allow("iam:GetRole") })] }),
  },
  "source_json (deprecated argument)": { bad: policyDocument({ sourceJson: doc(allow("*")) }), good: policyDocument({ sourceJson: doc(allow("s3:GetObject")) }) },
  "override_json (deprecated argument)": { bad: policyDocument({ overrideJson: doc(allow("*")) }), good: policyDocument({ overrideJson: doc(allow("s3:GetObject")) }) },
  "source_policy_documents: another aws_iam_policy_document": {
    bad: (s) => {
      const inner = new DataAwsIamPolicyDocument(s, "Inner", { statement: [{ actions: ["*"], resources: [SECRET] }] });
      policyDocument({ sourcePolicyDocuments: [inner.json] })(s);
    },
    good: (s) => {
      const inner = new DataAwsIamPolicyDocument(s, "Inner", { statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] });
      policyDocument({ sourcePolicyDocuments: [inner.json] })(s);
    },
  },
  "source_policy_documents: a variable (unknown)": {
    bad: (s) => policyDocument({ sourcePolicyDocuments: [variable(s).stringValue] })(s),
    good: policyDocument({ sourcePolicyDocuments: [doc(allow("s3:GetObject"))] }),
  },
  "source_policy_documents: a whole-list variable (unknown)": {
    bad: (s) => policyDocument({ sourcePolicyDocuments: listVariable(s) })(s),
    good: policyDocument({ sourcePolicyDocuments: [doc(allow("s3:GetObject"))] }),
  },
  "source_policy_documents: an existing policy (data.aws_iam_policy, unknown)": {
    bad: (s) => policyDocument({ sourcePolicyDocuments: [new DataAwsIamPolicy(s, "Existing", { name: "x" }).policy] })(s),
    good: policyDocument({ sourcePolicyDocuments: [doc(allow("s3:GetObject"))] }),
  },
  "statement as a dynamic block (unknown)": {
    bad: (s) => {
      const d = new DataAwsIamPolicyDocument(s, "Doc", {});
      d.addOverride("dynamic.statement", { for_each: "${var.statements}", content: { actions: "${statement.value.actions}", resources: ["*"] } });
    },
    good: policyDocument({ statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }),
  },
  "policy document referenced with HCL whitespace": {
    bad: policyDocument({ statement: [{ actions: ["*"], resources: [SECRET] }] }, () => "${ data.aws_iam_policy_document.Doc.json }"),
    good: policyDocument({ statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }, () => "${ data.aws_iam_policy_document.Doc.json }"),
  },
  "policy document of another stack (remote state, unknown)": {
    bad: (s, producer) => void new IamRolePolicy(s, "Policy", { role: "r", policy: new DataAwsIamPolicyDocument(producer, "Doc", { statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }).json }),
    good: policyDocument({ statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }),
  },
  "actions: a whole-list variable (unknown)": {
    bad: (s) => policyDocument({ statement: [{ actions: listVariable(s), resources: [SECRET] }] })(s),
    good: policyDocument({ statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }),
  },
  "action: a variable in terraformJson (unknown)": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow(variable(s).stringValue)] }))(s),
    good: rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("s3:GetObject")] })),
  },
  "action: a local holding *": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow(`${new TerraformLocal(s, "act", "*")}`)] }))(s),
    good: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow(`${new TerraformLocal(s, "act", "s3:GetObject")}`)] }))(s),
  },
  "a template directive hides Action \"*\" behind a benign one (Terraform renders what the text does not read)": {
    // The text reads Action s3:GetObject (the last key); Terraform drops it and renders Action "*".
    bad: rolePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Sid":"a%{ if false }","Action":"s3:GetObject","Z":"%{ endif }","Resource":"${SECRET}"}]}`),
    good: rolePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Sid":"a%%{ if true }","Resource":"${SECRET}"}]}`),
  },
  "a variable inside a string can close it and add an Action": {
    bad: rolePolicy(`{"Version":"2012-10-17","Statement":[{"Sid":"\${var.sid}","Effect":"Allow","Action":"s3:GetObject","Resource":"${SECRET}"}]}`),
    good: rolePolicy(`{"Version":"2012-10-17","Statement":[{"Sid":"$\${aws:username}","Effect":"Allow","Action":"s3:GetObject","Resource":"${SECRET}"}]}`),
  },
  "action: HCL whitespace ${ local.x } holding *": {
    bad: (s) => void (new TerraformLocal(s, "act", "*"), rolePolicy(doc(allow("${ local.act }")))(s)),
    good: (s) => void (new TerraformLocal(s, "act", "s3:GetObject"), rolePolicy(doc(allow("${ local.act }")))(s)),
  },
  "policy: Fn.jsonencode (HCL, unreadable)": { bad: rolePolicy(Fn.jsonencode({ Version: "2012-10-17", Statement: [allow("s3:GetObject")] })), good: rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("s3:GetObject")] })) },
  "policy: file(…) (unreadable)": { bad: rolePolicy(Fn.file("policy.json")), good: rolePolicy(doc(allow("s3:GetObject"))) },
  "policy: a variable (unreadable)": { bad: (s) => rolePolicy(variable(s).stringValue)(s), good: rolePolicy(doc(allow("s3:GetObject"))) },
  "addOverride replacing a policy": {
    bad: (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: doc(allow("s3:GetObject")) }).addOverride("policy", doc(allow("*"))),
    good: (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: doc(allow("*")) }).addOverride("policy", doc(allow("s3:GetObject"))),
  },
  "addOverride on a policy document's statement": {
    bad: (s) => new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }).addOverride("statement", [{ actions: ["*"], resources: [SECRET] }]),
    // cdktf appends an overridden list to the block's own: the twin adds a named statement.
    good: (s) => new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["s3:GetObject"], resources: [SECRET] }] }).addOverride("statement", [{ actions: ["s3:PutObject"], resources: [SECRET] }]),
  },
});
for (const [attach, write] of Object.entries(ATTACH)) {
  IAM_1[`managed policy AdministratorAccess via ${attach}`] = { bad: (s) => write(s, MANAGED.AdministratorAccess![0]), good: (s) => write(s, MANAGED.AdministratorAccess![1]) };
}
for (const [name, [bad, good]] of Object.entries(MANAGED)) {
  if (name === "AdministratorAccess") continue;
  IAM_1[`managed policy ${name}`] = {
    bad: (s) => (new DataAwsPartition(s, "current"), ATTACH.aws_iam_role_policy_attachment!(s, bad)),
    good: (s) => (new DataAwsPartition(s, "current"), ATTACH.aws_iam_role_policy_attachment!(s, good)),
  };
}
add(IAM_1, {
  "managed policy ARN: a variable (unknown)": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, variable(s).stringValue),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, new IamPolicy(s, "Own", { policy: doc(allow("s3:GetObject")) }).arn),
  },
  "managed policy ARN: a name from a variable (unknown)": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, `arn:aws:iam::aws:policy/${variable(s).stringValue}`),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, `arn:aws:iam::${ACCOUNT}:policy/x`),
  },
  "managed policy ARN: format(…) (unknown)": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, Fn.format("arn:aws:iam::aws:policy/%s", ["AdministratorAccess"])),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, "arn:aws:iam::aws:policy/ReadOnlyAccess"),
  },
  "managed_policy_arns: a whole-list variable (unknown)": {
    bad: (s) => void new IamRole(s, "R", { assumeRolePolicy: TRUST(EC2), managedPolicyArns: listVariable(s) }),
    good: (s) => void new IamRole(s, "R", { assumeRolePolicy: TRUST(EC2), managedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/x`] }),
  },
  "managed policy looked up by name (data.aws_iam_policy)": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, new DataAwsIamPolicy(s, "Admin", { name: "AdministratorAccess" }).arn),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, new DataAwsIamPolicy(s, "Admin", { name: "ReadOnlyAccess" }).arn),
  },
  "managed policy looked up by ARN (data.aws_iam_policy)": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, new DataAwsIamPolicy(s, "Admin", { arn: "arn:aws:iam::aws:policy/IAMFullAccess" }).arn),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, new DataAwsIamPolicy(s, "Admin", { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }).arn),
  },
  "managed policy ARN in a local": {
    bad: (s) => ATTACH.aws_iam_role_policy_attachment!(s, `${new TerraformLocal(s, "arn", "arn:aws:iam::aws:policy/AdministratorAccess")}`),
    good: (s) => ATTACH.aws_iam_role_policy_attachment!(s, `${new TerraformLocal(s, "arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")}`),
  },
});

// ---------------------------------------------------------------------------------------------
// KIT-IAM-2: unscoped resources.
// ---------------------------------------------------------------------------------------------

const WILD_RESOURCES: Record<string, readonly [bad: string, good: string]> = {
  'Resource "*"': ["*", SECRET],
  'Resource "**"': ["**", SECRET],
  'Resource "*?"': ["*?", SECRET],
  "arn:aws:*": ["arn:aws:*", SECRET],
  "arn:*:*:*:*:*": ["arn:*:*:*:*:*", SECRET],
  "arn:aws:secretsmanager:*:*:secret:*": ["arn:aws:secretsmanager:*:*:secret:*", `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*`],
  "secret:** (double wildcard)": ["arn:aws:secretsmanager:*:*:secret:**", "arn:aws:secretsmanager:*:*:secret:agents-*"],
  "secret:*-?????? (every secret's suffix)": ["arn:aws:secretsmanager:*:*:secret:*-??????", "arn:aws:secretsmanager:*:*:secret:agents-token-??????"],
  "region named, account and resource wildcards": ["arn:aws:secretsmanager:eu-west-1:*:secret:*", `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:*`],
  "account ???????????? (12 single-character wildcards)": ["arn:aws:secretsmanager:*:????????????:secret:*", `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*`],
  "trailing * across colons arn:aws:secretsmanager:*": ["arn:aws:secretsmanager:*", `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:agents-*`],
  "no resource type arn:aws:secretsmanager:*:*:*": ["arn:aws:secretsmanager:*:*:*", `arn:aws:secretsmanager:*:${ACCOUNT}:*`],
  "arn:aws:s3:::*/*": ["arn:aws:s3:::*/*", "arn:aws:s3:::agents-state/*"],
  "arn:aws:iam::*:role/*": ["arn:aws:iam::*:role/*", `arn:aws:iam::${ACCOUNT}:role/agents-*`],
  "${partition} in a wildcard ARN": ["arn:${data.aws_partition.current.partition}:secretsmanager:*:*:secret:*", "arn:${data.aws_partition.current.partition}:secretsmanager:*:${data.aws_caller_identity.current.account_id}:secret:agents-*"],
};

const IAM_2: Record<string, Form> = {};
for (const [name, [bad, good]] of Object.entries(WILD_RESOURCES)) {
  IAM_2[`${name} (JSON.stringify)`] = { bad: rolePolicy(doc(allow("secretsmanager:GetSecretValue", bad))), good: rolePolicy(doc(allow("secretsmanager:GetSecretValue", good))) };
  IAM_2[`${name} (aws_iam_policy_document)`] = {
    bad: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [bad] }] }),
    good: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [good] }] }),
  };
}
const listTasks = (condition: unknown) => rolePolicy(doc({ Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: condition }));
const CLUSTER = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/agents`;
add(IAM_2, {
  "lower-case action on * (iam:passrole)": { bad: rolePolicy(doc(allow("iam:passrole", "*"))), good: rolePolicy(doc(allow("ecr:getauthorizationtoken", "*"))) },
  "? wildcard action on * (ecr:GetAuthorizationToke?)": { bad: rolePolicy(doc(allow("ecr:GetAuthorizationToke?", "*"))), good: rolePolicy(doc(allow("ecr:GetAuthorizationToken", "*"))) },
  NotResource: { bad: rolePolicy(doc({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", NotResource: SECRET })), good: rolePolicy(doc({ Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: SECRET })) },
  "aws_iam_policy_document not_resources": {
    bad: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], notResources: [SECRET] }] }),
    good: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }] }),
  },
  "source_policy_documents JSON with Resource *": {
    bad: policyDocument({ sourcePolicyDocuments: [doc(allow("secretsmanager:GetSecretValue", "*"))] }),
    good: policyDocument({ sourcePolicyDocuments: [doc(allow("secretsmanager:GetSecretValue"))] }),
  },
  "override_policy_documents JSON with Resource *": {
    bad: policyDocument({ overridePolicyDocuments: [doc(allow("secretsmanager:GetSecretValue", "*"))] }),
    good: policyDocument({ overridePolicyDocuments: [doc(allow("secretsmanager:GetSecretValue"))] }),
  },
  "resource: a variable in terraformJson (unknown)": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:GetSecretValue", variable(s).stringValue)] }))(s),
    good: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:GetSecretValue", new SecretsmanagerSecret(s, "S", { name: "t" }).arn)] }))(s),
  },
  "resource: HCL whitespace ${ var.x } (unknown)": {
    bad: (s) => (variable(s), rolePolicy(doc(allow("secretsmanager:GetSecretValue", "${ var.Input }")))(s)),
    good: (s) => (new SecretsmanagerSecret(s, "S", { name: "t" }), rolePolicy(doc(allow("secretsmanager:GetSecretValue", "${ aws_secretsmanager_secret.S.arn }")))(s)),
  },
  "resources: a whole-list variable (unknown)": {
    bad: (s) => policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: listVariable(s) }] })(s),
    good: policyDocument({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }] }),
  },
  "resource: a local holding *": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:GetSecretValue", `${new TerraformLocal(s, "res", "*")}`)] }))(s),
    good: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("secretsmanager:GetSecretValue", `${new TerraformLocal(s, "res", SECRET)}`)] }))(s),
  },
  "ecs:ListTasks on * with a StringLike * condition": { bad: listTasks({ StringLike: { "ecs:cluster": "*" } }), good: listTasks({ ArnEquals: { "ecs:cluster": CLUSTER } }) },
  "ecs:ListTasks on * with an …IfExists condition": { bad: listTasks({ ArnEqualsIfExists: { "ecs:cluster": CLUSTER } }), good: listTasks({ ArnLike: { "ecs:cluster": CLUSTER } }) },
  "ecs:ListTasks on * with a negated condition": { bad: listTasks({ ArnNotEquals: { "ecs:cluster": CLUSTER } }), good: listTasks({ ArnEquals: { "ecs:cluster": [CLUSTER] } }) },
  "ecs:ListTasks on * with a variable condition": {
    bad: (s) => rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:ListTasks", Resource: "*", Condition: { ArnEquals: { "ecs:cluster": variable(s).stringValue } } }] }))(s),
    good: listTasks({ ArnEquals: { "ecs:cluster": CLUSTER } }),
  },
  "ecs:ListTasks on * in aws_iam_policy_document with a StringLike * condition": {
    bad: policyDocument({ statement: [{ actions: ["ecs:ListTasks"], resources: ["*"], condition: [{ test: "StringLike", variable: "ecs:cluster", values: ["*"] }] }] }),
    good: policyDocument({ statement: [{ actions: ["ecs:ListTasks"], resources: ["*"], condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: [CLUSTER] }] }] }),
  },
  "policy: Fn.jsonencode (HCL, unreadable)": { bad: rolePolicy(Fn.jsonencode({ Version: "2012-10-17", Statement: [allow("s3:GetObject")] })), good: rolePolicy(terraformJson({ Version: "2012-10-17", Statement: [allow("s3:GetObject")] })) },
  "addOverride replacing a Resource": {
    bad: (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: doc(allow("s3:GetObject")) }).addOverride("policy", doc(allow("s3:GetObject", "*"))),
    good: (s) => new IamRolePolicy(s, "Policy", { role: "r", policy: doc(allow("s3:GetObject", "*")) }).addOverride("policy", doc(allow("s3:GetObject"))),
  },
});

// ---------------------------------------------------------------------------------------------
// KIT-IAM-3: trust policies open to any principal.
// ---------------------------------------------------------------------------------------------

const trustRole = (policy: string) => (s: TerraformStack) => void new IamRole(s, "Role", { assumeRolePolicy: policy });
const trustDocument = (config: DataAwsIamPolicyDocumentConfig, reference?: string) => (s: TerraformStack) => {
  const d = new DataAwsIamPolicyDocument(s, "Trust", config);
  new IamRole(s, "Role", { assumeRolePolicy: reference ?? d.json });
};
const IAM_3: Record<string, Form> = {
  'Principal "*"': { bad: trustRole(TRUST("*")), good: trustRole(TRUST(EC2)) },
  'Principal {"AWS": "*"}': { bad: trustRole(TRUST({ AWS: "*" })), good: trustRole(TRUST({ AWS: `arn:aws:iam::${ACCOUNT}:root` })) },
  'Principal {"AWS": ["…", "*"]}': { bad: trustRole(TRUST({ AWS: [`arn:aws:iam::${ACCOUNT}:root`, "*"] })), good: trustRole(TRUST({ AWS: [`arn:aws:iam::${ACCOUNT}:root`] })) },
  'Principal "*" with a condition (still any principal)': {
    bad: trustRole(TRUST("*", { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } })),
    good: trustRole(TRUST({ AWS: `arn:aws:iam::${ACCOUNT}:root` }, { Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } })),
  },
  "NotPrincipal in an Allow": { bad: trustRole(doc({ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" })), good: trustRole(TRUST({ AWS: `arn:aws:iam::${ACCOUNT}:root` })) },
  "element name in another case (principal)": {
    bad: trustRole(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", principal: "*", Action: "sts:AssumeRole" }] })),
    good: trustRole(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", principal: EC2, Action: "sts:AssumeRole" }] })),
  },
  "aws_iam_policy_document principals AWS *": {
    bad: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }] }),
    good: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }] }),
  },
  'aws_iam_policy_document principals type "*"': {
    bad: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "*", identifiers: ["*"] }] }] }),
    good: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] }] }),
  },
  "aws_iam_policy_document not_principals": {
    bad: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], notPrincipals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] }] }),
    good: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] }] }),
  },
  "source_policy_documents trust JSON with *": { bad: trustDocument({ sourcePolicyDocuments: [TRUST("*")] }), good: trustDocument({ sourcePolicyDocuments: [TRUST(EC2)] }) },
  "override_policy_documents trust JSON with {AWS: *}": { bad: trustDocument({ overridePolicyDocuments: [TRUST({ AWS: "*" })] }), good: trustDocument({ overridePolicyDocuments: [TRUST(EC2)] }) },
  "trust document referenced with HCL whitespace": {
    bad: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }] }, "${ data.aws_iam_policy_document.Trust.json }"),
    good: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }] }, "${ data.aws_iam_policy_document.Trust.json }"),
  },
  "principal: a variable in terraformJson (unknown)": {
    bad: (s) => trustRole(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: variable(s).stringValue }, Action: "sts:AssumeRole" }] }))(s),
    good: (s) => trustRole(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: new IamRole(s, "Caller", { assumeRolePolicy: TRUST(EC2) }).arn }, Action: "sts:AssumeRole" }] }))(s),
  },
  "identifiers: a whole-list variable (unknown)": {
    bad: (s) => trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: listVariable(s) }] }] })(s),
    good: trustDocument({ statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }] }] }),
  },
  "principal: a local holding *": {
    bad: (s) => trustRole(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `${new TerraformLocal(s, "who", "*")}` }, Action: "sts:AssumeRole" }] }))(s),
    good: (s) => trustRole(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `${new TerraformLocal(s, "who", `arn:aws:iam::${ACCOUNT}:root`)}` }, Action: "sts:AssumeRole" }] }))(s),
  },
  "assume_role_policy: Fn.jsonencode (HCL, unreadable)": { bad: trustRole(Fn.jsonencode({ Version: "2012-10-17", Statement: [] })), good: trustRole(terraformJson({ Version: "2012-10-17", Statement: [] })) },
  "assume_role_policy: a variable (unreadable)": { bad: (s) => trustRole(variable(s).stringValue)(s), good: trustRole(TRUST(EC2)) },
  "addOverride replacing assume_role_policy": {
    bad: (s) => new IamRole(s, "Role", { assumeRolePolicy: TRUST(EC2) }).addOverride("assume_role_policy", TRUST("*")),
    good: (s) => new IamRole(s, "Role", { assumeRolePolicy: TRUST("*") }).addOverride("assume_role_policy", TRUST(EC2)),
  },
};

// ---------------------------------------------------------------------------------------------
// KIT-IAM-4: resource policies open to any principal.
// ---------------------------------------------------------------------------------------------

/** Every resource type that holds a resource policy, writing `policy` on it. */
const RESOURCE_POLICIES: Record<string, (s: TerraformStack, policy: string) => void> = {
  aws_secretsmanager_secret_policy: (s, policy) => void new SecretsmanagerSecretPolicy(s, "P", { secretArn: SECRET, policy }),
  "aws_secretsmanager_secret.policy": (s, policy) => void new SecretsmanagerSecret(s, "P", { name: "t", policy }),
  "aws_kms_key.policy": (s, policy) => void new KmsKey(s, "P", { policy }),
  aws_kms_key_policy: (s, policy) => void new KmsKeyPolicy(s, "P", { keyId: "k", policy }),
  "aws_sqs_queue.policy": (s, policy) => void new SqsQueue(s, "P", { policy }),
  aws_sqs_queue_policy: (s, policy) => void new SqsQueuePolicy(s, "P", { queueUrl: "https://sqs/q", policy }),
  "aws_sns_topic.policy": (s, policy) => void new SnsTopic(s, "P", { policy }),
  aws_sns_topic_policy: (s, policy) => void new SnsTopicPolicy(s, "P", { arn: "arn:aws:sns:eu-west-1:123456789012:t", policy }),
  "aws_api_gateway_rest_api.policy": (s, policy) => void new ApiGatewayRestApi(s, "P", { name: "a", policy }),
  aws_api_gateway_rest_api_policy: (s, policy) => void new ApiGatewayRestApiPolicy(s, "P", { restApiId: "a", policy }),
  aws_ecr_repository_policy: (s, policy) => void new EcrRepositoryPolicy(s, "P", { repository: "r", policy }),
  aws_ecr_registry_policy: (s, policy) => void new EcrRegistryPolicy(s, "P", { policy }),
  aws_s3_bucket_policy: (s, policy) => void new S3BucketPolicy(s, "P", { bucket: "b", policy }),
  "aws_s3_bucket.policy": (s, policy) => void new S3Bucket(s, "P", { policy }),
  aws_cloudwatch_log_resource_policy: (s, policy) => void new CloudwatchLogResourcePolicy(s, "P", { policyName: "p", policyDocument: policy }),
};
const GRANT = (principal: unknown, extra: Record<string, unknown> = {}): string => doc({ Effect: "Allow", Principal: principal, Action: "secretsmanager:GetSecretValue", Resource: "*", ...extra });
const NAMED = { AWS: `arn:aws:iam::${ACCOUNT}:role/agents` };
const condition = (c: unknown) => GRANT("*", { Condition: c });
const onSecret = (policy: string) => (s: TerraformStack) => RESOURCE_POLICIES.aws_secretsmanager_secret_policy!(s, policy);
const onSecretDoc = (config: DataAwsIamPolicyDocumentConfig, reference?: string) => (s: TerraformStack) =>
  RESOURCE_POLICIES.aws_secretsmanager_secret_policy!(s, reference ?? new DataAwsIamPolicyDocument(s, "Doc", config).json);
const permission = (config: Partial<ConstructorParameters<typeof LambdaPermission>[2]>) => (s: TerraformStack) =>
  void new LambdaPermission(s, "Permission", { functionName: "f", action: "lambda:InvokeFunction", principal: "*", ...config });

const IAM_4: Record<string, Form> = {};
for (const [type, write] of Object.entries(RESOURCE_POLICIES)) {
  IAM_4[`Principal "*" on ${type}`] = { bad: (s) => write(s, GRANT("*")), good: (s) => write(s, GRANT(NAMED)) };
}
add(IAM_4, {
  'Principal {"AWS": "*"}': { bad: onSecret(GRANT({ AWS: "*" })), good: onSecret(GRANT(NAMED)) },
  'Principal {"AWS": ["*"]}': { bad: onSecret(GRANT({ AWS: ["*"] })), good: onSecret(GRANT({ AWS: [NAMED.AWS] })) },
  "NotPrincipal in an Allow": { bad: onSecret(doc({ Effect: "Allow", NotPrincipal: NAMED, Action: "secretsmanager:GetSecretValue", Resource: "*" })), good: onSecret(doc({ Effect: "Deny", NotPrincipal: NAMED, Action: "secretsmanager:GetSecretValue", Resource: "*" })) },
  "condition that restricts nothing (aws:SecureTransport)": { bad: onSecret(condition({ Bool: { "aws:SecureTransport": "true" } })), good: onSecret(condition({ StringEquals: { "aws:PrincipalOrgID": "o-abc123" } })) },
  "condition …IfExists": { bad: onSecret(condition({ StringEqualsIfExists: { "aws:SourceAccount": ACCOUNT } })), good: onSecret(condition({ StringEquals: { "aws:SourceAccount": ACCOUNT } })) },
  "negated condition StringNotEquals": { bad: onSecret(condition({ StringNotEquals: { "aws:PrincipalAccount": ACCOUNT } })), good: onSecret(condition({ StringEquals: { "aws:PrincipalAccount": ACCOUNT } })) },
  "condition StringLike *": { bad: onSecret(condition({ StringLike: { "aws:PrincipalOrgID": "*" } })), good: onSecret(condition({ StringLike: { "aws:PrincipalOrgID": "o-abc*" } })) },
  "condition ForAllValues:": { bad: onSecret(condition({ "ForAllValues:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"] } })), good: onSecret(condition({ "ForAnyValue:StringEquals": { "aws:PrincipalOrgPaths": ["o-a/r-b/ou-c/"] } })) },
  "condition IpAddress 0.0.0.0/0": { bad: onSecret(condition({ IpAddress: { "aws:SourceIp": ["0.0.0.0/0"] } })), good: onSecret(condition({ IpAddress: { "aws:SourceIp": ["10.0.0.0/8"] } })) },
  "condition ArnLike arn:aws:*": { bad: onSecret(condition({ ArnLike: { "aws:SourceArn": "arn:aws:*" } })), good: onSecret(condition({ ArnLike: { "aws:SourceArn": `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts` } })) },
  "condition value: a variable (unknown)": {
    bad: (s) => onSecret(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": variable(s).stringValue } } }] }))(s),
    good: onSecret(condition({ StringEquals: { "aws:SourceVpce": "vpce-0123456789abcdef0" } })),
  },
  "principal: a variable in terraformJson (unknown)": {
    bad: (s) => onSecret(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: variable(s).stringValue }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }))(s),
    good: (s) => onSecret(terraformJson({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: new IamRole(s, "Agent", { assumeRolePolicy: TRUST(EC2) }).arn }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }))(s),
  },
  "aws_iam_policy_document principals *": {
    bad: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "*", identifiers: ["*"] }] }] }),
    good: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }),
  },
  "aws_iam_policy_document principals * with a restricting condition block": {
    bad: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: ["*"] }], condition: [{ test: "StringEqualsIfExists", variable: "aws:PrincipalOrgID", values: ["o-abc123"] }] }] }),
    good: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: ["*"] }], condition: [{ test: "StringEquals", variable: "aws:PrincipalOrgID", values: ["o-abc123"] }] }] }),
  },
  "aws_iam_policy_document not_principals": {
    bad: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], notPrincipals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }),
    good: onSecretDoc({ statement: [{ effect: "Deny", actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], notPrincipals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }),
  },
  "aws_iam_policy_document referenced with HCL whitespace": {
    bad: (s) => (new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: ["*"] }] }] }), onSecretDoc({}, "${ data.aws_iam_policy_document.Doc.minified_json }")(s)),
    good: (s) => (new DataAwsIamPolicyDocument(s, "Doc", { statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }), onSecretDoc({}, "${ data.aws_iam_policy_document.Doc.minified_json }")(s)),
  },
  "source_policy_documents JSON with Principal *": { bad: onSecretDoc({ sourcePolicyDocuments: [GRANT("*")] }), good: onSecretDoc({ sourcePolicyDocuments: [GRANT(NAMED)] }) },
  "override_policy_documents: another aws_iam_policy_document with Principal *": {
    bad: (s) => onSecretDoc({ overridePolicyDocuments: [new DataAwsIamPolicyDocument(s, "Inner", { statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: ["*"] }] }] }).json] })(s),
    good: (s) => onSecretDoc({ overridePolicyDocuments: [new DataAwsIamPolicyDocument(s, "Inner", { statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }).json] })(s),
  },
  "policy: an aws_iam_policy's document with Principal *": {
    bad: (s) => void (new IamPolicy(s, "Shared", { policy: GRANT("*") }), onSecret("${aws_iam_policy.Shared.policy}")(s)),
    good: (s) => void (new IamPolicy(s, "Shared", { policy: GRANT(NAMED) }), onSecret("${aws_iam_policy.Shared.policy}")(s)),
  },
  "policy: Fn.jsonencode (HCL, unreadable)": { bad: onSecret(Fn.jsonencode({ Version: "2012-10-17", Statement: [] })), good: onSecret(terraformJson({ Version: "2012-10-17", Statement: [] })) },
  "policy: a variable (unreadable)": { bad: (s) => onSecret(variable(s).stringValue)(s), good: onSecret(GRANT(NAMED)) },
  "policy: another stack's document (remote state, unreadable)": {
    bad: (s, producer) => onSecret(new DataAwsIamPolicyDocument(producer, "Doc", { statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET] }] }).json)(s),
    good: onSecretDoc({ statement: [{ actions: ["secretsmanager:GetSecretValue"], resources: [SECRET], principals: [{ type: "AWS", identifiers: [NAMED.AWS] }] }] }),
  },
  "addOverride replacing a secret policy": {
    bad: (s) => new SecretsmanagerSecretPolicy(s, "P", { secretArn: SECRET, policy: GRANT(NAMED) }).addOverride("policy", GRANT("*")),
    good: (s) => new SecretsmanagerSecretPolicy(s, "P", { secretArn: SECRET, policy: GRANT("*") }).addOverride("policy", GRANT(NAMED)),
  },
  'aws_lambda_permission principal "*"': { bad: permission({}), good: permission({ principal: "apigateway.amazonaws.com" }) },
  'aws_lambda_permission principal "*" with source_account': { bad: permission({ sourceAccount: "*" }), good: permission({ sourceAccount: ACCOUNT }) },
  'aws_lambda_permission principal "*" with a wildcard source_arn': { bad: permission({ sourceArn: "arn:aws:execute-api:*" }), good: permission({ sourceArn: `arn:aws:execute-api:eu-west-1:${ACCOUNT}:abc123/*/POST/webhook` }) },
  'aws_lambda_permission principal "*" with a variable source_account (unknown)': {
    bad: (s) => permission({ sourceAccount: variable(s).stringValue })(s),
    good: (s) => permission({ principalOrgId: "o-abc123" })(s),
  },
  "aws_lambda_permission principal: a variable (unknown)": {
    bad: (s) => permission({ principal: variable(s).stringValue })(s),
    good: (s) => permission({ principal: "events.amazonaws.com", sourceArn: "${aws_cloudwatch_event_rule.r.arn}" })(s),
  },
  "aws_lambda_permission addOverride principal": {
    bad: (s) => new LambdaPermission(s, "Permission", { functionName: "f", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" }).addOverride("principal", "*"),
    good: (s) => new LambdaPermission(s, "Permission", { functionName: "f", action: "lambda:InvokeFunction", principal: "*" }).addOverride("principal", "apigateway.amazonaws.com"),
  },
});

/** The corpus: every rule with its forms. */
const CORPUS: ReadonlyArray<readonly [rule: KitRule, forms: Record<string, Form>]> = [
  [KIT_IAM_1, IAM_1],
  [KIT_IAM_2, IAM_2],
  [KIT_IAM_3, IAM_3],
  [KIT_IAM_4, IAM_4],
];

function build(write: Form["bad"]): TerraformStack {
  const app: App = Testing.app();
  const producer = new TerraformStack(app, "producer");
  const stack = new TerraformStack(app, "stack");
  write(stack, producer);
  return stack;
}

describe.each(CORPUS.map(([rule, forms]) => [rule.id, rule, forms] as const))("%s mutation corpus", (_id, rule, forms) => {
  test.each(Object.keys(forms))("fires: %s", (name) => {
    expect(findings(rule, build(forms[name]!.bad)).length).toBeGreaterThan(0);
  });
  test.each(Object.keys(forms))("compliant twin passes: %s", (name) => {
    expect(findings(rule, build(forms[name]!.good))).toEqual([]);
  });
});

test("the corpus covers every IAM rule with at least 15 forms each", () => {
  const counts = Object.fromEntries(CORPUS.map(([rule, forms]) => [rule.id, Object.keys(forms).length]));
  for (const count of Object.values(counts)) expect(count).toBeGreaterThanOrEqual(15);
});

test("findings about values known only at apply time say how to acknowledge them", () => {
  const lines = findings(KIT_IAM_1, build((s) => ATTACH.aws_iam_role_policy_attachment!(s, variable(s).stringValue)));
  expect(lines).toEqual([
    "stack/Attach: aws_iam_role_policy_attachment.policy_arn holds the expression ${var.Input}, known only at apply time, so the attached policy cannot be confirmed not to be a broad AWS managed policy: write the ARN in the stack (or reference an aws_iam_policy of the stack), or acknowledge KIT-IAM-1 with a reason",
  ]);
});
