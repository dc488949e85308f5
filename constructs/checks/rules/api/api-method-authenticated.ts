import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, isTrue } from "../../synthesized-stack";

/** KIT-API-1: every API method needs an API key or an authorizer. */
export const KIT_API_1: KitRule = {
  id: "KIT-API-1",
  name: "api-method-authenticated",
  area: "api",
  severity: "error",
  description:
    "API Gateway REST methods set `api_key_required = true` or an `authorization` other than `NONE` (CORS `OPTIONS` methods excepted); HTTP API routes and Lambda function URLs set an `authorization_type` other than `NONE`.",
  rationale: "The serverless webhook starts a Fargate task per call: an open endpoint lets anyone on the internet launch tasks (cost) and probe the handler.",
  source: {
    title: "AWS: Control and manage access to REST APIs in API Gateway",
    url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    const findings: KitRuleFinding[] = [];
    for (const r of stack.resources("aws_api_gateway_method")) {
      if (r.body.http_method === "OPTIONS") continue;
      const authorization = r.body.authorization;
      if (!isTrue(r.body.api_key_required) && (authorization === undefined || authorization === "NONE")) {
        findings.push({ path: r.path, message: `aws_api_gateway_method ${JSON.stringify(r.body.http_method)} must require an API key (api_key_required = true) or an authorizer (authorization)` });
      }
    }
    for (const r of stack.resources("aws_apigatewayv2_route")) {
      const type = r.body.authorization_type;
      if (type === undefined || type === "NONE") {
        findings.push({ path: r.path, message: `aws_apigatewayv2_route ${JSON.stringify(r.body.route_key)} must set an authorization_type other than NONE` });
      }
    }
    for (const r of stack.resources("aws_lambda_function_url")) {
      const type = r.body.authorization_type;
      if (type === undefined || type === "NONE") {
        findings.push({ path: r.path, message: `aws_lambda_function_url ${JSON.stringify(r.body.function_name)} must set authorization_type = "AWS_IAM": with NONE anyone on the internet can invoke the function` });
      }
    }
    return findings;
  },
};
