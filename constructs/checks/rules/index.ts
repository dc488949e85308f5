import { KitRule } from "../rule";
import { KIT_API_1 } from "./kit-api-1";
import { KIT_EC2_1 } from "./kit-ec2-1";
import { KIT_EC2_2 } from "./kit-ec2-2";
import { KIT_EC2_3 } from "./kit-ec2-3";
import { KIT_ECS_1 } from "./kit-ecs-1";
import { KIT_IAM_1 } from "./kit-iam-1";
import { KIT_IAM_2 } from "./kit-iam-2";
import { KIT_IAM_3 } from "./kit-iam-3";
import { KIT_K8S_1 } from "./kit-k8s-1";
import { KIT_K8S_2 } from "./kit-k8s-2";
import { KIT_LAMBDA_1 } from "./kit-lambda-1";
import { KIT_LOG_1 } from "./kit-log-1";
import { KIT_NET_1 } from "./kit-net-1";
import { KIT_NET_2 } from "./kit-net-2";
import { KIT_SEC_1 } from "./kit-sec-1";
import { KIT_SEC_2 } from "./kit-sec-2";

export * from "./kit-api-1";
export * from "./kit-ec2-1";
export * from "./kit-ec2-2";
export * from "./kit-ec2-3";
export * from "./kit-ecs-1";
export * from "./kit-iam-1";
export * from "./kit-iam-2";
export * from "./kit-iam-3";
export * from "./kit-k8s-1";
export * from "./kit-k8s-2";
export * from "./kit-lambda-1";
export * from "./kit-log-1";
export * from "./kit-net-1";
export * from "./kit-net-2";
export * from "./kit-sec-1";
export * from "./kit-sec-2";

/** Every KitChecks rule, grouped by area. */
export const KIT_RULES: readonly KitRule[] = [
  KIT_EC2_1,
  KIT_EC2_2,
  KIT_EC2_3,
  KIT_NET_1,
  KIT_NET_2,
  KIT_SEC_1,
  KIT_SEC_2,
  KIT_IAM_1,
  KIT_IAM_2,
  KIT_IAM_3,
  KIT_LOG_1,
  KIT_API_1,
  KIT_LAMBDA_1,
  KIT_ECS_1,
  KIT_K8S_1,
  KIT_K8S_2,
];
