export * from "./ec2-instance-types";
export * from "./vm-agent-fleet";
export * from "./vm-ami-parameters";
