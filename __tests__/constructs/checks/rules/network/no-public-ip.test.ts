import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { TerraformStack } from "cdktf";
import { KIT_NET_1 } from "../../../../../constructs/checks/rules/network/no-public-ip";
import { violations, compliantLaunchTemplate } from "../../rule-helpers";

describe("KIT-NET-1 no-public-ip", () => {
  const service = (s: TerraformStack, assignPublicIp: boolean) =>
    new EcsService(s, "Service", { name: "agents", taskDefinition: "td", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp } });
  const lambda = (s: TerraformStack, value: string) =>
    new LambdaFunction(s, "Handler", { functionName: "h", role: "arn:aws:iam::123456789012:role/h", environment: { variables: { ASSIGN_PUBLIC_IP: value } } });

  test("compliant: private launch template, ECS service and webhook handler", () => {
    expect(
      violations(KIT_NET_1, (s) => {
        new LaunchTemplate(s, "Lt", compliantLaunchTemplate);
        service(s, false);
        lambda(s, "DISABLED");
      }),
    ).toEqual([]);
  });

  test("non-compliant: a public IP on a launch template, an ECS service, an EventBridge target and a handler's RunTask", () => {
    expect(
      violations(KIT_NET_1, (s) => {
        new LaunchTemplate(s, "Lt", { ...compliantLaunchTemplate, networkInterfaces: [{ associatePublicIpAddress: "true" }] });
        service(s, true);
        new CloudwatchEventTarget(s, "Target", {
          rule: "r",
          arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c",
          ecsTarget: { taskDefinitionArn: "td", networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } },
        });
        lambda(s, "ENABLED");
      }),
    ).toEqual([
      "KIT-NET-1 stack/Lt: aws_launch_template must not associate a public IP (network_interfaces[0].associate_public_ip_address)",
      "KIT-NET-1 stack/Service: aws_ecs_service must set network_configuration.assign_public_ip = false (use private subnets with a NAT route)",
      "KIT-NET-1 stack/Target: aws_cloudwatch_event_target must launch ECS tasks without a public IP (ecs_target.network_configuration.assign_public_ip)",
      'KIT-NET-1 stack/Handler: aws_lambda_function must launch agent tasks without a public IP (environment ASSIGN_PUBLIC_IP is "ENABLED")',
    ]);
  });
});
