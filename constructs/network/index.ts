export * from "./agent-vpc-endpoints";
