import { KitRule } from "../rule";
import { KIT_API_1 } from "./api/api-method-authenticated";
import { KIT_EC2_2 } from "./ec2/imds-hop-limit-1";
import { KIT_EC2_1 } from "./ec2/imdsv2-required";
import { KIT_EC2_3 } from "./ec2/root-volume-encrypted";
import { KIT_ECS_1 } from "./ecs/fargate-stop-timeout";
import { KIT_ECS_2 } from "./ecs/efs-volume-tls";
import { KIT_EFS_1 } from "./efs/efs-encrypted";
import { KIT_EFS_2 } from "./efs/efs-tls-required";
import { KIT_IAM_1 } from "./iam/iam-no-wildcard-actions";
import { KIT_IAM_2 } from "./iam/iam-scoped-resources";
import { KIT_IAM_3 } from "./iam/iam-trust-named-principals";
import { KIT_IAM_4 } from "./iam/resource-policy-named-principals";
import { KIT_K8S_1 } from "./kubernetes/k8s-metadata-service-blocked";
import { KIT_K8S_2 } from "./kubernetes/k8s-non-root";
import { KIT_K8S_3 } from "./kubernetes/k8s-pod-hardened";
import { KIT_LAMBDA_1 } from "./lambda/lambda-concurrency-capped";
import { KIT_LOG_1 } from "./logs/log-retention";
import { KIT_NET_2 } from "./network/no-ingress";
import { KIT_NET_1 } from "./network/no-public-ip";
import { KIT_NET_3 } from "./network/vpc-endpoint-policy-scoped";
import { KIT_SEC_1 } from "./secrets/no-secret-in-plain-configuration";
import { KIT_SEC_2 } from "./secrets/no-secret-in-plain-output";

/**
 * Every KitChecks rule, grouped by area and in id order within an area: the one list KitChecks
 * runs, validates rule ids against, and docs/kitchecks.md's rules table is generated from. A new
 * rule is a file `<area>/<name>.ts` and one entry here (docs/adding-a-kitchecks-rule.md).
 */
export const KIT_RULES: readonly KitRule[] = [
  KIT_EC2_1,
  KIT_EC2_2,
  KIT_EC2_3,
  KIT_NET_1,
  KIT_NET_2,
  KIT_NET_3,
  KIT_SEC_1,
  KIT_SEC_2,
  KIT_IAM_1,
  KIT_IAM_2,
  KIT_IAM_3,
  KIT_IAM_4,
  KIT_LOG_1,
  KIT_API_1,
  KIT_LAMBDA_1,
  KIT_ECS_1,
  KIT_ECS_2,
  KIT_K8S_1,
  KIT_K8S_2,
  KIT_K8S_3,
  KIT_EFS_1,
  KIT_EFS_2,
];
