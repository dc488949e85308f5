// Mutation corpus of KIT-API-1: every way of putting a function on the internet without an API key
// or an authorizer — REST methods, OpenAPI `body` documents (JSON, YAML, `Fn.jsonencode`,
// `Fn.yamlencode`, `terraformJson`, Swagger 2 and OpenAPI 3), HTTP API quick create, HTTP and
// WebSocket routes, function URLs, Lambda permissions, ALB Lambda target groups — literal, as a
// string-typed value, in another case, through escape hatches, and known only at apply time; each
// with a compliant twin.
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayRestApiPut } from "@cdktf/provider-aws/lib/api-gateway-rest-api-put";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionUrl } from "@cdktf/provider-aws/lib/lambda-function-url";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Fn, TerraformResource, TerraformStack, TerraformVariable } from "cdktf";
import { stringify } from "yaml";
import { terraformJson } from "../../../../core/terraform-json";
import { KIT_API_1 } from "../../../../constructs/checks/rules/api/api-method-authenticated";
import { KIT_LAMBDA_1 } from "../../../../constructs/checks/rules/lambda/lambda-concurrency-capped";
import { violations } from "../rule-helpers";

type Build = (stack: TerraformStack) => void;
type Forms = Record<string, Build>;

const variable = (s: TerraformStack, name = "v") => new TerraformVariable(s, name, {}).stringValue;

function raw(s: TerraformStack, type: string, id: string, body: Record<string, unknown>): TerraformResource {
  const r = new TerraformResource(s, id, { terraformResourceType: type });
  for (const [k, v] of Object.entries(body)) r.addOverride(k, v);
  return r;
}

// REST methods -----------------------------------------------------------------------------------
const method = (s: TerraformStack, config: Partial<ConstructorParameters<typeof ApiGatewayMethod>[2]> = {}) =>
  new ApiGatewayMethod(s, "Method", { restApiId: "api", resourceId: "res", httpMethod: "POST", authorization: "NONE", ...config });
const lambdaIntegration = (s: TerraformStack, m: ApiGatewayMethod, type = "AWS_PROXY") =>
  new ApiGatewayIntegration(s, "Integration", { restApiId: "api", resourceId: "res", httpMethod: m.httpMethod, type, integrationHttpMethod: "POST", uri: "arn:aws:apigateway:eu-west-1:lambda:path/x" });

const restMethodViolations: Forms = {
  "method: authorization NONE": (s) => void method(s),
  'method: authorization "none" (lower case)': (s) => void method(s, { authorization: "none" }),
  "method: api_key_required false": (s) => void method(s, { apiKeyRequired: false }),
  'method: api_key_required "false" (string)': (s) => void method(s).addOverride("api_key_required", "false"),
  "method: ANY": (s) => void method(s, { httpMethod: "ANY" }),
  "method: OPTIONS with a Lambda integration": (s) => void lambdaIntegration(s, method(s, { httpMethod: "OPTIONS" })),
  "method: OPTIONS with a Lambda integration matched by resource": (s) => {
    method(s, { httpMethod: "OPTIONS" });
    new ApiGatewayIntegration(s, "Integration", { restApiId: "api", resourceId: "res", httpMethod: "OPTIONS", type: "AWS_PROXY", integrationHttpMethod: "POST", uri: "arn:x" });
  },
  "method: escape hatch turns the key off": (s) => void method(s, { apiKeyRequired: true }).addOverride("api_key_required", false),
  "method: raw resource without authorization": (s) => void raw(s, "aws_api_gateway_method", "Method", { rest_api_id: "api", resource_id: "res", http_method: "POST" }),
  "method: API key read from an authorizer, no authorizer": (s) => {
    const api = new ApiGatewayRestApi(s, "Api", { name: "a", apiKeySource: "AUTHORIZER" });
    method(s, { restApiId: api.id, apiKeyRequired: true });
  },
  "unknown: authorization is a variable": (s) => void method(s, { authorization: variable(s) }),
  "unknown: authorization with HCL whitespace": (s) => void method(s).addOverride("authorization", "${ var.auth }"),
  "unknown: api_key_required is a variable": (s) => void method(s).addOverride("api_key_required", "${var.key}"),
};
const restMethodCompliant: Forms = {
  "method: api_key_required true": (s) => void method(s, { apiKeyRequired: true }),
  'method: api_key_required "true" (string)': (s) => void method(s).addOverride("api_key_required", "true"),
  "method: AWS_IAM": (s) => void method(s, { authorization: "AWS_IAM" }),
  "method: CUSTOM authorizer": (s) => void method(s, { authorization: "CUSTOM", authorizerId: "auth" }),
  "method: COGNITO_USER_POOLS": (s) => void method(s, { authorization: "COGNITO_USER_POOLS", authorizerId: "auth" }),
  "method: OPTIONS with a MOCK integration": (s) => void lambdaIntegration(s, method(s, { httpMethod: "OPTIONS" }), "MOCK"),
  "method: OPTIONS without an integration": (s) => void method(s, { httpMethod: "OPTIONS" }),
  "method: API key from the header of its API": (s) => {
    const api = new ApiGatewayRestApi(s, "Api", { name: "a", apiKeySource: "HEADER" });
    method(s, { restApiId: api.id, apiKeyRequired: true });
  },
};

// OpenAPI bodies -------------------------------------------------------------------------------
const KEY_SCHEME = { type: "apiKey", name: "x-api-key", in: "header" };
const AUTHORIZER_SCHEME = { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": { type: "token", authorizerUri: "arn:x" } };
const INTEGRATION = { type: "aws_proxy", httpMethod: "POST", uri: "arn:aws:apigateway:eu-west-1:lambda:path/x" };
const openapi = (op: Record<string, unknown>, extra: Record<string, unknown> = {}, method = "post") => ({
  openapi: "3.0.1",
  info: { title: "webhook", version: "1" },
  components: { securitySchemes: { key: KEY_SCHEME, auth: AUTHORIZER_SCHEME } },
  paths: { "/trigger": { [method]: { "x-amazon-apigateway-integration": INTEGRATION, ...op } } },
  ...extra,
});
const OPEN = openapi({});
const KEYED = openapi({ security: [{ key: [] }] });
const restApi = (s: TerraformStack, body: string) => new ApiGatewayRestApi(s, "Api", { name: "a", body });

/** Every way of writing a document as a `body`. */
const bodyForms = (doc: Record<string, unknown>): Forms => ({
  "body: JSON": (s) => void restApi(s, JSON.stringify(doc)),
  "body: YAML": (s) => void restApi(s, stringify(doc)),
  "body: YAML with an anchor for the operation": (s) => void restApi(s, `x-ops: &op ${JSON.stringify(doc.paths)}\n${stringify({ ...doc, paths: undefined })}paths: *op\n`),
  "body: Fn.jsonencode": (s) => void restApi(s, Fn.jsonencode(doc)),
  "body: Fn.yamlencode": (s) => void restApi(s, Fn.yamlencode(doc)),
  "body: terraformJson with a reference inside": (s) => void restApi(s, terraformJson({ ...doc, info: { title: variable(s), version: "1" } })),
  "body: aws_api_gateway_rest_api_put": (s) => void new ApiGatewayRestApiPut(s, "Put", { restApiId: "api", body: JSON.stringify(doc) }),
  "body: escape hatch on the API": (s) => void new ApiGatewayRestApi(s, "Api", { name: "a" }).addOverride("body", JSON.stringify(doc)),
});
const prefixed = (prefix: string, forms: Forms): Forms => Object.fromEntries(Object.entries(forms).map(([k, v]) => [`${prefix}${k}`, v]));

const openApiViolations: Forms = {
  ...prefixed("no security — ", bodyForms(OPEN)),
  "operation security [] overrides a global key": (s) => void restApi(s, JSON.stringify(openapi({ security: [] }, { security: [{ key: [] }] }))),
  "an anonymous alternative {}": (s) => void restApi(s, JSON.stringify(openapi({ security: [{ key: [] }, {}] }))),
  "security names an undefined scheme": (s) => void restApi(s, JSON.stringify(openapi({ security: [{ nothing: [] }] }))),
  "apiKey scheme with another header name": (s) => void restApi(s, JSON.stringify({ ...openapi({ security: [{ other: [] }] }), components: { securitySchemes: { other: { type: "apiKey", name: "x-token", in: "header" } } } })),
  "Swagger 2 without security": (s) => void restApi(s, JSON.stringify({ swagger: "2.0", info: { title: "x", version: "1" }, paths: { "/t": { get: {} } } })),
  "x-amazon-apigateway-any-method without security": (s) => void restApi(s, JSON.stringify(openapi({}, {}, "x-amazon-apigateway-any-method"))),
  "OPTIONS with a Lambda integration": (s) => void restApi(s, JSON.stringify(openapi({}, {}, "options"))),
  "API key read from an authorizer (x-amazon-apigateway-api-key-source: AUTHORIZER)": (s) => void restApi(s, JSON.stringify(openapi({ security: [{ key: [] }] }, { "x-amazon-apigateway-api-key-source": "AUTHORIZER" }))),
  "HTTP API body with an API key only (HTTP APIs have none)": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP", body: JSON.stringify(KEYED) }),
  "unknown: body is file()": (s) => void restApi(s, Fn.file("openapi.yaml")),
  "unknown: body is templatefile()": (s) => void restApi(s, Fn.templatefile("openapi.tftpl", {})),
  "unknown: body is a variable": (s) => void restApi(s, variable(s)),
  "unknown: Fn.jsonencode of a merge()": (s) => void restApi(s, Fn.jsonencode(Fn.merge([OPEN, {}]))),
  "unknown: security is a variable inside Fn.jsonencode": (s) => void restApi(s, Fn.jsonencode(openapi({ security: variable(s) }))),
  "unknown: paths is a variable inside terraformJson": (s) => void restApi(s, terraformJson({ openapi: "3.0.1", paths: variable(s) })),
};
const openApiCompliant: Forms = {
  ...prefixed("API key — ", bodyForms(KEYED)),
  "global security with an API key": (s) => void restApi(s, JSON.stringify(openapi({}, { security: [{ key: [] }] }))),
  "a Lambda authorizer": (s) => void restApi(s, JSON.stringify(openapi({ security: [{ auth: [] }] }))),
  "IAM (x-amazon-apigateway-authtype awsSigv4)": (s) => void restApi(s, JSON.stringify({ ...openapi({ security: [{ sigv4: [] }] }), components: { securitySchemes: { sigv4: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authtype": "awsSigv4" } } } })),
  "Swagger 2 with an API key": (s) => void restApi(s, JSON.stringify({ swagger: "2.0", securityDefinitions: { key: KEY_SCHEME }, paths: { "/t": { get: { security: [{ key: [] }] } } } })),
  "OPTIONS with a mock integration (CORS)": (s) => void restApi(s, JSON.stringify(openapi({ "x-amazon-apigateway-integration": { type: "mock" } }, {}, "options"))),
  "HTTP API body with a JWT authorizer": (s) =>
    void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP", body: JSON.stringify({ ...openapi({ security: [{ jwt: [] }] }), components: { securitySchemes: { jwt: { type: "oauth2", "x-amazon-apigateway-authorizer": { type: "jwt" } } } } }) }),
};

// HTTP and WebSocket APIs ---------------------------------------------------------------------------
const route = (s: TerraformStack, config: Partial<ConstructorParameters<typeof Apigatewayv2Route>[2]> = {}) => new Apigatewayv2Route(s, "Route", { apiId: "api", routeKey: "POST /trigger", ...config });
const websocket = (s: TerraformStack) => new Apigatewayv2Api(s, "Ws", { name: "w", protocolType: "WEBSOCKET", routeSelectionExpression: "$request.body.action" });
const httpViolations: Forms = {
  "quick create: target": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP", target: "arn:aws:lambda:eu-west-1:123456789012:function:f" }),
  "quick create: target and route_key": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP", target: "arn:x", routeKey: "POST /trigger" }),
  "quick create: target is a reference": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP", target: variable(s) }),
  "quick create: target through an escape hatch": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP" }).addOverride("target", "arn:x"),
  "route: no authorization_type": (s) => void route(s),
  "route: NONE": (s) => void route(s, { authorizationType: "NONE" }),
  'route: "none" (lower case)': (s) => void route(s, { authorizationType: "none" }),
  "route: $default": (s) => void route(s, { routeKey: "$default" }),
  "route: raw resource": (s) => void raw(s, "aws_apigatewayv2_route", "Route", { api_id: "api", route_key: "ANY /{proxy+}" }),
  "route: escape hatch removes the authorizer": (s) => void route(s, { authorizationType: "JWT", authorizerId: "a" }).addOverride("authorization_type", "NONE"),
  "websocket: $connect without authorization": (s) => void route(s, { apiId: websocket(s).id, routeKey: "$connect" }),
  "websocket: no $connect route": (s) => void route(s, { apiId: websocket(s).id, routeKey: "$default" }),
  "unknown: authorization_type is a variable": (s) => void route(s, { authorizationType: variable(s) }),
};
const httpCompliant: Forms = {
  "route: JWT": (s) => void route(s, { authorizationType: "JWT", authorizerId: "a" }),
  "route: CUSTOM": (s) => void route(s, { authorizationType: "CUSTOM", authorizerId: "a" }),
  "route: AWS_IAM": (s) => void route(s, { authorizationType: "AWS_IAM" }),
  "route: $default with JWT": (s) => void route(s, { routeKey: "$default", authorizationType: "JWT", authorizerId: "a" }),
  "websocket: $connect authorized, other routes open": (s) => {
    const ws = websocket(s);
    new Apigatewayv2Route(s, "Connect", { apiId: ws.id, routeKey: "$connect", authorizationType: "CUSTOM", authorizerId: "a" });
    new Apigatewayv2Route(s, "Other", { apiId: ws.id, routeKey: "$default" });
  },
  "websocket: $connect with an API key": (s) => void new Apigatewayv2Route(s, "Connect", { apiId: websocket(s).id, routeKey: "$connect", apiKeyRequired: true }),
  "HTTP API without target": (s) => void new Apigatewayv2Api(s, "Http", { name: "h", protocolType: "HTTP" }),
};

// Function URLs -----------------------------------------------------------------------------------
const urlViolations: Forms = {
  "function URL: NONE": (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: "NONE" }),
  'function URL: "none" (lower case)': (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: "none" }),
  "function URL: raw without authorization_type": (s) => void raw(s, "aws_lambda_function_url", "Url", { function_name: "f" }),
  "function URL: escape hatch": (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: "AWS_IAM" }).addOverride("authorization_type", "NONE"),
  "unknown: function URL authorization_type is a variable": (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: variable(s) }),
};
const urlCompliant: Forms = {
  "function URL: AWS_IAM": (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: "AWS_IAM" }),
  'function URL: "aws_iam" (lower case)': (s) => void new LambdaFunctionUrl(s, "Url", { functionName: "f", authorizationType: "aws_iam" }),
};

// Lambda permissions ------------------------------------------------------------------------------
const permission = (s: TerraformStack, config: Partial<ConstructorParameters<typeof LambdaPermission>[2]> = {}) =>
  new LambdaPermission(s, "Permission", { functionName: "f", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", ...config });
const permissionViolations: Forms = {
  "permission: API Gateway without source_arn": (s) => void permission(s),
  "permission: * without source_arn": (s) => void permission(s, { principal: "*" }),
  "permission: * for a public function URL": (s) => void permission(s, { principal: "*", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" }),
  "permission: load balancer without source_arn": (s) => void permission(s, { principal: "elasticloadbalancing.amazonaws.com" }),
  "permission: principal in upper case with spaces": (s) => void permission(s, { principal: " APIGATEWAY.amazonaws.com " }),
  "permission: action lambda:*": (s) => void permission(s, { action: "lambda:*" }),
  "permission: action lambda:Invoke*": (s) => void permission(s, { action: "lambda:Invoke*" }),
  "permission: action with ? (lambda:InvokeFunctio?)": (s) => void permission(s, { action: "lambda:InvokeFunctio?" }),
  "permission: action *": (s) => void permission(s, { action: "*" }),
  "permission: source_arn any account and API": (s) => void permission(s, { sourceArn: "arn:aws:execute-api:eu-west-1:*:*/*/POST/trigger" }),
  "permission: source_arn all wildcards": (s) => void permission(s, { sourceArn: "arn:aws:execute-api:*:*:*" }),
  "permission: raw resource": (s) => void raw(s, "aws_lambda_permission", "Permission", { function_name: "f", action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com" }),
  "permission: escape hatch drops source_arn": (s) => void permission(s, { sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/*" }).addOverride("source_arn", null),
  "unknown: principal is a variable": (s) => void permission(s, { principal: variable(s) }),
  "unknown: source_arn is a variable": (s) => void permission(s, { sourceArn: variable(s) }),
  "unknown: action is a variable": (s) => void permission(s, { action: variable(s) }),
};
const permissionCompliant: Forms = {
  "permission: source_arn of an API of the stack": (s) => void permission(s, { sourceArn: `${new ApiGatewayRestApi(s, "Api", { name: "a" }).executionArn}/*/POST/trigger` }),
  "permission: literal source_arn with account and API id": (s) => void permission(s, { sourceArn: "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/trigger" }),
  "permission: an account principal": (s) => void permission(s, { principal: "123456789012" }),
  "permission: another service (EventBridge)": (s) => void permission(s, { principal: "events.amazonaws.com" }),
  "permission: * within an organization": (s) => void permission(s, { principal: "*", principalOrgId: "o-abc123" }),
  "permission: not an invoke action": (s) => void permission(s, { action: "lambda:GetFunction" }),
  "permission: load balancer with its target group": (s) => void permission(s, { principal: "elasticloadbalancing.amazonaws.com", sourceArn: new LbTargetGroup(s, "Tg", { targetType: "lambda" }).arn }),
};

// ALB Lambda target groups -------------------------------------------------------------------------
function alb(s: TerraformStack, opts: { internal?: unknown; targetType?: string; authenticate?: boolean; rule?: boolean; forwardBlock?: boolean } = {}): void {
  const lb = new Lb(s, "Lb", { name: "lb", loadBalancerType: "application", subnets: ["subnet-1"] });
  if (opts.internal !== undefined) lb.addOverride("internal", opts.internal);
  const tg = new LbTargetGroup(s, "Tg", { targetType: opts.targetType ?? "lambda" });
  const forward = opts.forwardBlock ? { type: "forward", forward: { targetGroup: [{ arn: tg.arn }] } } : { type: "forward", targetGroupArn: tg.arn };
  const auth = { type: "authenticate-oidc", order: 1, authenticateOidc: { authorizationEndpoint: "https://idp/a", clientId: "c", clientSecret: "x", issuer: "https://idp", tokenEndpoint: "https://idp/t", userInfoEndpoint: "https://idp/u" } };
  const actions = opts.authenticate ? [auth, { ...forward, order: 2 }] : [forward];
  const listener = new LbListener(s, "Listener", { loadBalancerArn: lb.arn, port: 443, protocol: "HTTPS", defaultAction: opts.rule ? [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }] : actions });
  if (opts.rule) new LbListenerRule(s, "Rule", { listenerArn: listener.arn, action: actions, condition: [{ pathPattern: { values: ["/trigger"] } }] });
}
const albViolations: Forms = {
  "ALB: internet-facing listener forwards to a Lambda target group": (s) => alb(s),
  'ALB: internal "false" (string)': (s) => alb(s, { internal: "false" }),
  "ALB: listener rule forwards to it": (s) => alb(s, { rule: true }),
  "ALB: forward block with target group list": (s) => alb(s, { forwardBlock: true }),
  "unknown: ALB internal is a variable": (s) => alb(s, { internal: "${var.internal}" }),
};
const albCompliant: Forms = {
  "ALB: internal load balancer": (s) => alb(s, { internal: true }),
  'ALB: internal "true" (string)': (s) => alb(s, { internal: "true" }),
  "ALB: authenticate-oidc before the forward": (s) => alb(s, { authenticate: true }),
  "ALB: listener rule with authenticate-oidc": (s) => alb(s, { rule: true, authenticate: true }),
  "ALB: instance target group": (s) => alb(s, { targetType: "ip" }),
};

const violating: Forms = { ...restMethodViolations, ...openApiViolations, ...httpViolations, ...urlViolations, ...permissionViolations, ...albViolations };
const compliant: Forms = { ...restMethodCompliant, ...openApiCompliant, ...httpCompliant, ...urlCompliant, ...permissionCompliant, ...albCompliant };

describe(`KIT-API-1 api-method-authenticated: ${Object.keys(violating).length} violating forms, ${Object.keys(compliant).length} compliant twins`, () => {
  test.each(Object.entries(violating))("fires: %s", (name, build) => {
    const found = violations(KIT_API_1, build);
    expect(found.length).toBeGreaterThan(0);
    if (name.startsWith("unknown:")) for (const line of found) expect(line).toMatch(/cannot be (confirmed at synth time|read at synth time).*acknowledge KIT-API-1 with a reason/);
  });
  test.each(Object.entries(compliant))("passes: %s", (_name, build) => {
    expect(violations(KIT_API_1, build)).toEqual([]);
  });
});

// KIT-LAMBDA-1: the concurrency cap, in every form.
const fn = (s: TerraformStack, reserved?: unknown) => {
  const f = new LambdaFunction(s, "Fn", { functionName: "f", role: "arn:aws:iam::123456789012:role/r", runtime: "nodejs22.x", handler: "index.handler", filename: "f.zip" });
  if (reserved !== undefined) f.addOverride("reserved_concurrent_executions", reserved);
  return f;
};
const lambdaViolations: Forms = {
  "unset": (s) => void fn(s),
  "-1": (s) => void fn(s, -1),
  '"-1" (string)': (s) => void fn(s, "-1"),
  "null through an escape hatch": (s) => void fn(s, null),
  "raw resource without it": (s) => void raw(s, "aws_lambda_function", "Fn", { function_name: "f", role: "r" }),
  "unknown: a variable": (s) => void fn(s, "${var.concurrency}"),
  "unknown: a variable with HCL whitespace": (s) => void fn(s, "${ var.concurrency }"),
};
const lambdaCompliant: Forms = {
  "a number": (s) => void new LambdaFunction(s, "Fn", { functionName: "f", role: "r", reservedConcurrentExecutions: 5 }),
  '"5" (string)': (s) => void fn(s, "5"),
  "0 (disabled)": (s) => void fn(s, 0),
};
describe(`KIT-LAMBDA-1 lambda-concurrency-capped: ${Object.keys(lambdaViolations).length} violating forms, ${Object.keys(lambdaCompliant).length} compliant twins`, () => {
  test.each(Object.entries(lambdaViolations))("fires: %s", (name, build) => {
    const found = violations(KIT_LAMBDA_1, build);
    expect(found.length).toBeGreaterThan(0);
    if (name.startsWith("unknown:")) for (const line of found) expect(line).toMatch(/cannot be confirmed at synth time.*acknowledge KIT-LAMBDA-1 with a reason/);
  });
  test.each(Object.entries(lambdaCompliant))("passes: %s", (_name, build) => {
    expect(violations(KIT_LAMBDA_1, build)).toEqual([]);
  });
});
