import { openApiProblems } from "./openapi";
import { enumOf, flagOf, isUnknownValue, normalizeReference, readTerraformDocument } from "./terraform-document";
import { KitRule, KitRuleFinding } from "../../rule";
import { SynthesizedStack, TerraformBlock, blocks } from "../../synthesized-stack";

/** How a finding that cannot be decided at synth time ends: what to do about it. */
const ACKNOWLEDGE = 'write it as a literal, or acknowledge KIT-API-1 with a reason (KitChecks.acknowledge(resource, "KIT-API-1", "…"))';

/** Service principals that put an endpoint of their own (in any account, unless scoped) in front of a function. */
const FRONT_DOOR_PRINCIPALS = /^(\*|(apigateway|elasticloadbalancing)\.amazonaws\.com(\.cn)?)$/;

/** KIT-API-1: every API method needs an API key or an authorizer. */
export const KIT_API_1: KitRule = {
  id: "KIT-API-1",
  name: "api-method-authenticated",
  area: "api",
  severity: "error",
  description:
    "Nothing reaches a function without an API key or an authorizer: API Gateway REST methods set `api_key_required = true` or an `authorization` other than `NONE` (`OPTIONS` methods excepted unless their integration is not `MOCK`), and so do the operations of an OpenAPI `body` of `aws_api_gateway_rest_api` / `aws_api_gateway_rest_api_put` / `aws_apigatewayv2_api` (`security` naming an `x-api-key` apiKey scheme or an `x-amazon-apigateway-authorizer`); HTTP APIs are not quick-created (`target`); HTTP API routes (`$default` included) and WebSocket `$connect` routes and Lambda function URLs set an `authorization_type` other than `NONE`; `aws_lambda_permission` for `apigateway.amazonaws.com`, `elasticloadbalancing.amazonaws.com` or `*` names a `source_arn` of one API or load balancer; Lambda target groups are not forwarded to by an internet-facing ALB listener without an `authenticate-oidc`/`authenticate-cognito` action. A value known only at apply time (a reference, an unreadable `body`) is a violation: it cannot be confirmed at synth time.",
  rationale: "The serverless webhook starts a Fargate task per call: an open endpoint lets anyone on the internet launch tasks (cost) and probe the handler.",
  source: {
    title: "AWS: Control and manage access to REST APIs in API Gateway",
    url: "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
  },
  check(stack: SynthesizedStack): KitRuleFinding[] {
    return [...restMethods(stack), ...openApiBodies(stack), ...httpApis(stack), ...functionUrls(stack), ...lambdaPermissions(stack), ...lambdaTargetGroups(stack)];
  },
};

/** `aws_api_gateway_method` (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_method). */
function restMethods(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  const integrations = stack.resources("aws_api_gateway_integration");
  const keySources = new Map(stack.resources("aws_api_gateway_rest_api").map((a) => [a.name, a.body.api_key_source]));
  for (const r of stack.resources("aws_api_gateway_method")) {
    const label = `aws_api_gateway_method ${JSON.stringify(r.body.http_method)}`;
    const httpMethod = enumOf(r.body.http_method, "unknown");
    if (httpMethod === "OPTIONS" && !optionsReachesBackend(r, integrations)) continue;
    const authorization = enumOf(r.body.authorization, "NONE");
    const keyRequired = flagOf(r.body.api_key_required, false);
    // With api_key_source AUTHORIZER, the key is whatever a Lambda authorizer returns: the key alone protects nothing
    // (https://docs.aws.amazon.com/apigateway/latest/api/API_RestApi.html#apigw-Type-RestApi-apiKeySource).
    const apiName = /\$\{aws_api_gateway_rest_api\.([^.}]+)\.id\}/.exec(normalizeReference(r.body.rest_api_id))?.[1];
    const keySource = enumOf(apiName !== undefined ? keySources.get(apiName) : undefined, "HEADER");
    if (authorization !== "NONE" && authorization !== "unknown") continue;
    if (keyRequired === true && keySource === "HEADER") continue;
    if (authorization === "unknown" || keyRequired === "unknown" || (keyRequired === true && keySource === "unknown")) {
      findings.push({ path: r.path, message: `${label}: its authorization or api_key_required is known only at apply time, so an API key or an authorizer cannot be confirmed at synth time; ${ACKNOWLEDGE}` });
    } else if (keyRequired === true) {
      findings.push({ path: r.path, message: `${label} requires an API key, but its API reads keys from an authorizer (api_key_source = "AUTHORIZER") and the method has none: set an authorizer (authorization)` });
    } else {
      findings.push({ path: r.path, message: `${label} must require an API key (api_key_required = true) or an authorizer (authorization)` });
    }
  }
  return findings;
}

/**
 * An OPTIONS method is a CORS preflight when its integrations are MOCK; one with a Lambda (or any
 * other) integration reaches the backend like any method.
 */
function optionsReachesBackend(method: TerraformBlock, integrations: readonly TerraformBlock[]): boolean {
  const resource = normalizeReference(method.body.resource_id);
  const api = normalizeReference(method.body.rest_api_id);
  return integrations.some((i) => {
    const httpMethod = normalizeReference(i.body.http_method);
    const refersToMethod = httpMethod.includes(`\${aws_api_gateway_method.${method.name}.`);
    const sameResource = normalizeReference(i.body.resource_id) === resource && normalizeReference(i.body.rest_api_id) === api;
    const couldBeOptions = enumOf(i.body.http_method, "") === "OPTIONS" || isUnknownValue(i.body.http_method);
    return (refersToMethod || (sameResource && couldBeOptions)) && enumOf(i.body.type, "unknown") !== "MOCK";
  });
}

/** OpenAPI definitions imported with a `body`. */
function openApiBodies(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  const apis: [TerraformBlock, "rest" | "http"][] = [
    ...stack.resources("aws_api_gateway_rest_api", "aws_api_gateway_rest_api_put").map((r): [TerraformBlock, "rest"] => [r, "rest"]),
    ...stack.resources("aws_apigatewayv2_api").map((r): [TerraformBlock, "http"] => [r, "http"]),
  ];
  for (const [r, kind] of apis) {
    if (r.body.body === undefined || r.body.body === null) continue;
    const doc = readTerraformDocument(r.body.body);
    if (doc === undefined) {
      findings.push({ path: r.path, message: `${r.type}: its OpenAPI body cannot be read at synth time (a file, a template or a reference), so an API key or an authorizer on every operation cannot be confirmed at synth time; ${ACKNOWLEDGE}` });
      continue;
    }
    for (const p of openApiProblems(doc.value, kind, r.body.api_key_source)) {
      findings.push({
        path: r.path,
        message:
          p.kind === "open"
            ? `${r.type}: OpenAPI operation ${p.operation} must require ${kind === "rest" ? "an API key or " : ""}an authorizer (${p.why})`
            : `${r.type}: OpenAPI operation ${p.operation}: ${p.why}, so an API key or an authorizer cannot be confirmed at synth time; ${ACKNOWLEDGE}`,
      });
    }
  }
  return findings;
}

/** HTTP and WebSocket APIs (API Gateway v2). */
function httpApis(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  const apis = stack.resources("aws_apigatewayv2_api");
  const websockets = new Set(apis.filter((a) => enumOf(a.body.protocol_type, "HTTP") === "WEBSOCKET").map((a) => a.name));
  for (const a of apis) {
    // Quick create makes a `$default` route (or `route_key`) with no authorization, which Terraform does not manage
    // (https://docs.aws.amazon.com/apigateway/latest/api/apis-apiid.html#apis-apiid-prop-createapirequest-target).
    if (a.body.target !== undefined && a.body.target !== null) {
      findings.push({ path: a.path, message: "aws_apigatewayv2_api must not be quick-created with `target`: it creates a route with no authorization; declare an aws_apigatewayv2_route with an authorizer" });
    }
  }
  const connectAuthenticated = new Set<string>();
  for (const r of stack.resources("aws_apigatewayv2_route")) {
    const label = `aws_apigatewayv2_route ${JSON.stringify(r.body.route_key)}`;
    const api = /\$\{aws_apigatewayv2_api\.([^.}]+)\.id\}/.exec(normalizeReference(r.body.api_id))?.[1];
    const websocket = api !== undefined && websockets.has(api);
    const routeKey = typeof r.body.route_key === "string" ? r.body.route_key.trim() : undefined;
    // WebSocket APIs authorize the connection: only `$connect` takes an authorizer (or an API key)
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-control-access.html).
    if (websocket && routeKey !== "$connect" && routeKey !== undefined && !isUnknownValue(routeKey)) continue;
    const type = enumOf(r.body.authorization_type, "NONE");
    const key = websocket ? flagOf(r.body.api_key_required, false) : false;
    if ((type !== "NONE" && type !== "unknown") || key === true) {
      if (websocket && api !== undefined) connectAuthenticated.add(api);
      continue;
    }
    if (type === "unknown" || key === "unknown") {
      findings.push({ path: r.path, message: `${label}: its authorization_type is known only at apply time, so an authorizer cannot be confirmed at synth time; ${ACKNOWLEDGE}` });
    } else {
      findings.push({ path: r.path, message: `${label} must set an authorization_type other than NONE` });
    }
  }
  for (const a of apis) {
    if (websockets.has(a.name) && !connectAuthenticated.has(a.name) && a.body.body === undefined) {
      findings.push({ path: a.path, message: "aws_apigatewayv2_api (WEBSOCKET) needs a `$connect` route with an authorization_type other than NONE (or api_key_required): without one anyone can connect" });
    }
  }
  return findings;
}

/** Lambda function URLs (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html). */
function functionUrls(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  for (const r of stack.resources("aws_lambda_function_url")) {
    const type = enumOf(r.body.authorization_type, "NONE");
    if (type === "AWS_IAM") continue;
    findings.push({
      path: r.path,
      message:
        type === "unknown"
          ? `aws_lambda_function_url ${JSON.stringify(r.body.function_name)}: its authorization_type is known only at apply time, so AWS_IAM cannot be confirmed at synth time; ${ACKNOWLEDGE}`
          : `aws_lambda_function_url ${JSON.stringify(r.body.function_name)} must set authorization_type = "AWS_IAM": with NONE anyone on the internet can invoke the function`,
    });
  }
  return findings;
}

/**
 * `aws_lambda_permission` for a service that fronts the function (or anyone) without naming which
 * API or load balancer: any API Gateway API or ALB, in any account, could then invoke it
 * (https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html#apigateway-permissions).
 */
function lambdaPermissions(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  for (const r of stack.resources("aws_lambda_permission")) {
    const action = typeof r.body.action === "string" ? r.body.action.trim() : r.body.action;
    const actionKnown = typeof action === "string" && !isUnknownValue(action);
    if (actionKnown && !grantsInvoke(action)) continue;
    const principal = typeof r.body.principal === "string" ? r.body.principal.trim().toLowerCase() : r.body.principal;
    const principalKnown = typeof principal === "string" && !isUnknownValue(principal);
    if (principalKnown && !FRONT_DOOR_PRINCIPALS.test(principal)) continue;
    const label = `aws_lambda_permission for ${JSON.stringify(r.body.principal)}`;
    if (!principalKnown || !actionKnown) {
      findings.push({ path: r.path, message: `${label}: its principal or action is known only at apply time, so a scoped invoker cannot be confirmed at synth time; ${ACKNOWLEDGE}` });
      continue;
    }
    if (principal === "*" && typeof r.body.principal_org_id === "string" && r.body.principal_org_id !== "") continue;
    const sourceArn = r.body.source_arn;
    if (sourceArn === undefined || sourceArn === null || sourceArn === "") {
      findings.push({ path: r.path, message: `${label} must set source_arn to the one API (execution ARN) or load balancer that invokes the function: without it any ${principal === "*" ? "caller" : "API or load balancer, in any account,"} can invoke it` });
      continue;
    }
    const verdict = sourceArnVerdict(sourceArn);
    if (verdict === "wildcard") {
      findings.push({ path: r.path, message: `${label}: source_arn ${JSON.stringify(sourceArn)} must name one API or load balancer (its account and API id must not be wildcards)` });
    } else if (verdict === "unknown") {
      findings.push({ path: r.path, message: `${label}: source_arn is known only at apply time (not an attribute of a resource of the stack), so a scoped invoker cannot be confirmed at synth time; ${ACKNOWLEDGE}` });
    }
  }
  return findings;
}

/** True when an IAM action pattern (`*`, `?`) matches lambda:InvokeFunction or lambda:InvokeFunctionUrl. */
function grantsInvoke(action: string): boolean {
  const re = new RegExp(`^${action.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test("lambda:InvokeFunction") || re.test("lambda:InvokeFunctionUrl");
}

/** A source ARN names one API or load balancer: `arn:…:execute-api:<region>:<account>:<api-id>/…`, or an attribute of a resource or data source. */
function sourceArnVerdict(value: unknown): "scoped" | "wildcard" | "unknown" {
  if (typeof value !== "string") return "unknown";
  const arn = normalizeReference(value);
  const leading = /^\$\{([^}]*)\}/.exec(arn);
  if (leading) {
    // `${aws_api_gateway_rest_api.x.execution_arn}/*/POST/path`, `${data.aws_lb.x.arn}`: one resource.
    return /^(data\.)?aws_[a-z0-9_]+\.[^.\s]+\.[a-z_]+$/.test(leading[1] as string) ? "scoped" : "unknown";
  }
  if (isUnknownValue(arn)) return "unknown";
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return "wildcard";
  const account = parts[4] as string;
  const resource = parts.slice(5).join(":");
  const firstSegment = resource.split("/")[parts[2] === "elasticloadbalancing" ? 2 : 0] ?? "";
  if (!/^\d{12}$/.test(account) || /[*?]/.test(firstSegment) || firstSegment === "") return "wildcard";
  return "scoped";
}

/**
 * Lambda target groups behind an internet-facing Application Load Balancer: the ALB invokes the
 * function for every request a listener forwards, with no key; only an `authenticate-oidc` or
 * `authenticate-cognito` action before the forward authenticates callers
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html).
 */
function lambdaTargetGroups(stack: SynthesizedStack): KitRuleFinding[] {
  const findings: KitRuleFinding[] = [];
  const groups = stack.resources("aws_lb_target_group", "aws_alb_target_group").filter((g) => {
    const type = enumOf(g.body.target_type, "INSTANCE");
    return type === "LAMBDA" || type === "unknown";
  });
  if (groups.length === 0) return findings;
  const balancers = new Map(stack.resources("aws_lb", "aws_alb").map((b) => [`${b.type}.${b.name}`, b]));
  const listeners = new Map(stack.resources("aws_lb_listener", "aws_alb_listener").map((l) => [`${l.type}.${l.name}`, l]));
  const entries: { block: TerraformBlock; actions: Record<string, unknown>[]; listener: TerraformBlock | undefined }[] = [];
  for (const l of listeners.values()) entries.push({ block: l, actions: blocks(l.body.default_action), listener: l });
  for (const rule of stack.resources("aws_lb_listener_rule", "aws_alb_listener_rule")) {
    const ref = /\$\{(aws_(?:lb|alb)_listener\.[^.}]+)\.arn\}/.exec(normalizeReference(rule.body.listener_arn))?.[1];
    entries.push({ block: rule, actions: blocks(rule.body.action), listener: ref !== undefined ? listeners.get(ref) : undefined });
  }
  for (const g of groups) {
    const ref = new RegExp(`\\$\\{${g.type}\\.${g.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(arn|id)\\}`);
    for (const e of entries) {
      if (!e.actions.some((a) => ref.test(normalizeReference(a)))) continue;
      const label = `${e.block.type} forwarding to the Lambda target group ${g.name}`;
      if (e.actions.some((a) => ["AUTHENTICATE-OIDC", "AUTHENTICATE-COGNITO"].includes(enumOf(a.type, "")))) continue;
      const lbRef = e.listener ? /\$\{((?:aws_lb|aws_alb)\.[^.}]+)\.(arn|id)\}/.exec(normalizeReference(e.listener.body.load_balancer_arn))?.[1] : undefined;
      const lb = lbRef !== undefined ? balancers.get(lbRef) : undefined;
      const internal = lb ? flagOf(lb.body.internal, false) : "unknown";
      if (internal === true) continue;
      findings.push({
        path: e.block.path,
        message:
          internal === "unknown"
            ? `${label}: whether its load balancer is internal is known only at apply time, so authenticated callers cannot be confirmed at synth time; add an authenticate-oidc/authenticate-cognito action before the forward, or ${ACKNOWLEDGE}`
            : `${label} must authenticate callers (an authenticate-oidc or authenticate-cognito action before the forward) or use an internal load balancer: anyone on the internet can invoke the function`,
      });
    }
  }
  return findings;
}
