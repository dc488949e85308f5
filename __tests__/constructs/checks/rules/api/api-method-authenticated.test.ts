import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { TerraformStack } from "cdktf";
import { KIT_API_1 } from "../../../../../constructs/checks/rules/api/api-method-authenticated";
import { violations } from "../../rule-helpers";

describe("KIT-API-1 api-method-authenticated", () => {
  const method = (s: TerraformStack, id: string, extra: { apiKeyRequired?: boolean; authorization: string; httpMethod?: string }) =>
    new ApiGatewayMethod(s, id, { restApiId: "api", resourceId: "res", httpMethod: extra.httpMethod ?? "POST", authorization: extra.authorization, apiKeyRequired: extra.apiKeyRequired });

  test("compliant: an API key, an authorizer, a CORS preflight; an HTTP API route with JWT", () => {
    expect(
      violations(KIT_API_1, (s) => {
        method(s, "Key", { apiKeyRequired: true, authorization: "NONE" });
        method(s, "Iam", { authorization: "AWS_IAM" });
        method(s, "Cors", { authorization: "NONE", httpMethod: "OPTIONS" });
        new Apigatewayv2Route(s, "Route", { apiId: "api", routeKey: "POST /trigger", authorizationType: "JWT" });
      }),
    ).toEqual([]);
  });

  test("non-compliant: an open method and an open route", () => {
    expect(
      violations(KIT_API_1, (s) => {
        method(s, "Open", { authorization: "NONE" });
        new Apigatewayv2Route(s, "Route", { apiId: "api", routeKey: "POST /trigger" });
      }),
    ).toEqual([
      'KIT-API-1 stack/Open: aws_api_gateway_method "POST" must require an API key (api_key_required = true) or an authorizer (authorization)',
      'KIT-API-1 stack/Route: aws_apigatewayv2_route "POST /trigger" must set an authorization_type other than NONE',
    ]);
  });
});

describe("KIT-API-1 api-method-authenticated: Lambda function URLs", () => {
  test("fails when a function URL has authorization_type NONE; AWS_IAM passes", () => {
    expect(
      violations(KIT_API_1, (stack) => {
        new LambdaFunctionUrl(stack, "Open", { functionName: "webhook", authorizationType: "NONE" });
        new LambdaFunctionUrl(stack, "Signed", { functionName: "other", authorizationType: "AWS_IAM" });
      }),
    ).toEqual(['KIT-API-1 stack/Open: aws_lambda_function_url "webhook" must set authorization_type = "AWS_IAM": with NONE anyone on the internet can invoke the function']);
  });
});
