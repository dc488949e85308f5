// The sink forms of the secrets mutation corpus (where a secret can be written), shared by
// mutations/secrets.test.ts (KIT-SEC-1 fires on each, passes on each twin) and the secret canary
// (__tests__/corpus/secret-canary.test.ts: a planted value reaches no attribute outside the allow-list).
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchConfiguration } from "@cdktf/provider-aws/lib/launch-configuration";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SpotInstanceRequest } from "@cdktf/provider-aws/lib/spot-instance-request";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Release } from "@cdktf/provider-helm/lib/release";
import { Manifest } from "@cdktf/provider-kubernetes/lib/manifest";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Fn, TerraformStack } from "cdktf";
import { Variable } from "../../../../providers/scalr/generated/providers/scalr/variable";

/**
 * A sink form: puts `value` (a secret or, for the twin, a plain value) into a place; returns the
 * construct path the finding names. `twin` makes the place a secret store where the form allows it.
 */
export interface SinkForm {
  readonly build: (stack: TerraformStack, value: string, twin: boolean) => string;
  /** The twin keeps the secret and changes the place (true), or keeps the place and drops the secret (false). */
  readonly twinKeepsSecret?: boolean;
  readonly unconfirmed?: boolean;
}

export const NET = { vpcId: "vpc-0abc1234", subnetIds: ["subnet-0abc1234"] };

export const SINK_FORMS: Record<string, SinkForm> = {
  "spot instance request user_data": { build: (s, v) => (new SpotInstanceRequest(s, "Spot", { ami: "ami-1", instanceType: "t3.micro", userData: v }), "stack/Spot") },
  "instance user_data": { build: (s, v) => (new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", userData: v }), "stack/Vm") },
  "instance user_data_base64 = base64gzip(...)": {
    build: (s, v) => (new Instance(s, "Vm", { ami: "ami-1", instanceType: "t3.micro", userDataBase64: Fn.base64gzip(`#!/bin/sh\n${v}\n`) }), "stack/Vm"),
  },
  "launch configuration user_data": { build: (s, v) => (new LaunchConfiguration(s, "Lc", { imageId: "ami-1", instanceType: "t3.micro", userData: v }), "stack/Lc") },
  "launch template user_data via addOverride": {
    build: (s, v) => (new LaunchTemplate(s, "Lt", {}).addOverride("user_data", Fn.base64encode(v)), "stack/Lt"),
  },
  "SSM String parameter": { build: (s, v, twin) => (new SsmParameter(s, "P", { name: "p", type: twin ? "SecureString" : "String", value: v }), "stack/P"), twinKeepsSecret: true },
  "SSM StringList parameter": { build: (s, v, twin) => (new SsmParameter(s, "P", { name: "p", type: twin ? "SecureString" : "StringList", value: v }), "stack/P"), twinKeepsSecret: true },
  'SSM parameter type "securestring" (case matters)': {
    build: (s, v, twin) => (new SsmParameter(s, "P", { name: "p", type: twin ? "SecureString" : "securestring", value: v }), "stack/P"),
    twinKeepsSecret: true,
  },
  "SSM parameter type unknown until apply (unconfirmed)": {
    build: (s, v, twin) => (new SsmParameter(s, "P", { name: "p", type: twin ? "SecureString" : "${var.type}", value: v }), "stack/P"),
    twinKeepsSecret: true,
    unconfirmed: true,
  },
  "SSM SecureString insecure_value": { build: (s, v) => (new SsmParameter(s, "P", { name: "p", type: "SecureString", insecureValue: v }), "stack/P") },
  "resource tags": { build: (s, v) => (new S3Bucket(s, "B", { bucket: "b", tags: { Token: v } }), "stack/B") },
  "resource tags_all": { build: (s, v) => (new S3Bucket(s, "B", { bucket: "b", tagsAll: { Token: v } }), "stack/B") },
  "tag key": { build: (s, v) => (new S3Bucket(s, "B", { bucket: "b", tags: { [v]: "x" } }), "stack/B") },
  "provider default_tags": {
    build: (s, v) => (new AwsProvider(s, "aws", { region: "eu-west-1", defaultTags: [{ tags: { Token: v } }] }), "stack/provider.aws"),
  },
  "provider argument that is not a credential": { build: (s, v) => (new AwsProvider(s, "aws", { region: "eu-west-1", profile: v }), "stack/provider.aws") },
  "Scalr variable sensitive = false": {
    build: (s, v, twin) => (new Variable(s, "Var", { key: "TOKEN", category: "shell", value: v, sensitive: twin }), "stack/Var"),
    twinKeepsSecret: true,
  },
  "Scalr variable sensitive unset": {
    build: (s, v, twin) => (new Variable(s, "Var", { key: "TOKEN", category: "shell", value: v, ...(twin ? { sensitive: true } : {}) }), "stack/Var"),
    twinKeepsSecret: true,
  },
  'Scalr variable sensitive = "false" (string)': {
    build: (s, v, twin) => (new Variable(s, "Var", { key: "TOKEN", category: "shell", value: v }).addOverride("sensitive", twin ? "true" : "false"), "stack/Var"),
    twinKeepsSecret: true,
  },
  "Scalr variable sensitive unknown until apply (unconfirmed)": {
    build: (s, v, twin) => (new Variable(s, "Var", { key: "TOKEN", category: "shell", value: v }).addOverride("sensitive", twin ? true : "${var.s}"), "stack/Var"),
    twinKeepsSecret: true,
    unconfirmed: true,
  },
  "Scalr variable description (sensitive)": {
    build: (s, v) => (new Variable(s, "Var", { key: "TOKEN", category: "shell", value: "x", sensitive: true, description: v }), "stack/Var"),
  },
  "secret description": { build: (s, v) => (new SecretsmanagerSecret(s, "S", { name: "s", description: v }), "stack/S") },
  "terraform_data input": { build: (s, v) => (s.addOverride("resource.terraform_data.carry", { input: v }), "stack/terraform_data.carry") },
  "data source argument": {
    build: (s, v) => (s.addOverride("data.external.fetch", { program: ["sh", "-c", "cat"], query: { token: v } }), "stack/data.external.fetch"),
  },
  "ECS secrets valueFrom (an ARN, not the value)": {
    build: (s, v) =>
      (new EcsTaskDefinition(s, "Task", { family: "f", containerDefinitions: Fn.jsonencode([{ name: "a", image: "scalr/agent:1.4.0", secrets: [{ name: "T", valueFrom: v }] }]) }),
      "stack/Task"),
  },
  "Helm set (not set_sensitive)": {
    build: (s, v, twin) => (new Release(s, "R", { name: "a", chart: "agent-local", ...(twin ? { setSensitive: [{ name: "agent.token", value: v }] } : { set: [{ name: "agent.token", value: v }] }) }), "stack/R"),
    twinKeepsSecret: true,
  },
  "ConfigMap manifest": {
    build: (s, v, twin) => (new Manifest(s, "M", { manifest: { apiVersion: "v1", kind: twin ? "Secret" : "ConfigMap", metadata: { name: "m" }, data: { t: v } } }), "stack/M"),
    twinKeepsSecret: true,
  },
  "manifest kind unknown until apply (unconfirmed)": {
    build: (s, v, twin) => (new Manifest(s, "M", { manifest: { apiVersion: "v1", kind: twin ? "Secret" : "${var.kind}", metadata: { name: "m" }, stringData: { t: v } } }), "stack/M"),
    twinKeepsSecret: true,
    unconfirmed: true,
  },
  "Secret manifest's metadata (outside data)": {
    build: (s, v) => (new Manifest(s, "M", { manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "m", annotations: { t: v } } } }), "stack/M"),
  },
  "Kubernetes Secret's labels (outside data)": {
    build: (s, v) => (new SecretV1(s, "K", { metadata: { name: "k", labels: { t: v } } }), "stack/K"),
  },
};

