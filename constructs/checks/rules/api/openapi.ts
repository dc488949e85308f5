import { isUnknownValue } from "./terraform-document";
import { record } from "../../synthesized-stack";

// Which operations of an OpenAPI definition (an API Gateway `body`) API Gateway imports without an
// API key or an authorizer. What API Gateway reads from the definition:
// - `security` (the operation's, else the document's) names security schemes; a requirement `{}` is
//   an anonymous alternative (https://spec.openapis.org/oas/v3.0.3#security-requirement-object);
// - a scheme is an authorizer when it carries `x-amazon-apigateway-authorizer` (Lambda, Cognito,
//   JWT) or `x-amazon-apigateway-authtype` (`awsSigv4` for IAM)
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html,
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authtype.html);
// - REST APIs require an API key where a requirement names an `apiKey` scheme `x-api-key` in the
//   header, read from the header unless `x-amazon-apigateway-api-key-source` is `AUTHORIZER`, where
//   the key is whatever a Lambda authorizer returns
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-api-key-source.html,
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-key-usage-plan-oas.html);
// - HTTP APIs have no API keys: only an authorizer protects a route
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html);
// - `x-amazon-apigateway-any-method` is every method; an `OPTIONS` operation with a `mock`
//   integration is a CORS preflight and reaches no backend
//   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html).

const OPERATIONS = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method"];

/** What is wrong with one operation: open, or undecidable at synth time. */
export interface OpenApiProblem {
  readonly operation: string;
  readonly kind: "open" | "unknown";
  readonly why: string;
}

/**
 * The operations of `doc` that are not protected by an API key (REST APIs) or an authorizer.
 * @param kind `rest` for `aws_api_gateway_rest_api`, `http` for `aws_apigatewayv2_api`
 * @param keySource the API's `api_key_source` when the document does not set one
 */
export function openApiProblems(doc: unknown, kind: "rest" | "http", keySource?: unknown): OpenApiProblem[] {
  const problems: OpenApiProblem[] = [];
  if (isUnknownValue(doc)) return [{ operation: "(document)", kind: "unknown", why: "the document is known only at apply time" }];
  const d = record(doc);
  const schemes = { ...record(d.securityDefinitions), ...record(record(d.components).securitySchemes) };
  const source = d["x-amazon-apigateway-api-key-source"] ?? keySource ?? "HEADER";
  const keyFromHeader = typeof source === "string" && !isUnknownValue(source) && source.trim().toUpperCase() === "HEADER";
  if (isUnknownValue(d.paths) || (d.paths !== undefined && (typeof d.paths !== "object" || d.paths === null))) {
    return [{ operation: "(paths)", kind: "unknown", why: "its paths cannot be read at synth time" }];
  }
  for (const [path, rawItem] of Object.entries(record(d.paths))) {
    if (isUnknownValue(rawItem)) {
      problems.push({ operation: path, kind: "unknown", why: "the path's operations are known only at apply time" });
      continue;
    }
    for (const [rawMethod, rawOp] of Object.entries(record(rawItem))) {
      const method = rawMethod.toLowerCase();
      if (!OPERATIONS.includes(method)) continue;
      const name = `${method === "x-amazon-apigateway-any-method" ? "ANY" : method.toUpperCase()} ${path}`;
      if (isUnknownValue(rawOp)) {
        problems.push({ operation: name, kind: "unknown", why: "the operation is known only at apply time" });
        continue;
      }
      const op = record(rawOp);
      if (method === "options" && isMockIntegration(op["x-amazon-apigateway-integration"])) continue;
      const security = op.security !== undefined ? op.security : d.security;
      const verdict = requirementsVerdict(security, schemes, kind, keyFromHeader);
      if (verdict !== undefined) problems.push({ operation: name, ...verdict });
    }
  }
  return problems;
}

function isMockIntegration(integration: unknown): boolean {
  const type = record(integration).type;
  return typeof type === "string" && type.trim().toLowerCase() === "mock";
}

/** Undefined when every alternative of `security` needs a key or an authorizer. */
function requirementsVerdict(security: unknown, schemes: Record<string, unknown>, kind: "rest" | "http", keyFromHeader: boolean): Omit<OpenApiProblem, "operation"> | undefined {
  if (isUnknownValue(security)) return { kind: "unknown", why: "its security is known only at apply time" };
  if (security === undefined || security === null) return { kind: "open", why: "no security requirement" };
  if (!Array.isArray(security)) return { kind: "unknown", why: "its security is not a list of requirements" };
  if (security.length === 0) return { kind: "open", why: "an empty security list" };
  let unknown = false;
  for (const requirement of security) {
    if (isUnknownValue(requirement)) {
      unknown = true;
      continue;
    }
    const names = Object.keys(record(requirement));
    if (names.length === 0) return { kind: "open", why: "an anonymous alternative `{}` in its security" };
    const protects = names.map((n) => schemeProtects(schemes[n], kind, keyFromHeader));
    if (protects.includes(true)) continue;
    if (protects.includes("unknown")) {
      unknown = true;
      continue;
    }
    return { kind: "open", why: `security ${JSON.stringify(names)} names no API key ${kind === "rest" ? "(an apiKey scheme `x-api-key` in the header) " : ""}or authorizer` };
  }
  return unknown ? { kind: "unknown", why: "a security scheme it names is known only at apply time" } : undefined;
}

function schemeProtects(raw: unknown, kind: "rest" | "http", keyFromHeader: boolean): boolean | "unknown" {
  if (isUnknownValue(raw)) return "unknown";
  const s = record(raw);
  if (s["x-amazon-apigateway-authorizer"] !== undefined) return true;
  const authType = s["x-amazon-apigateway-authtype"];
  if (typeof authType === "string" && authType.trim() !== "") return isUnknownValue(authType) ? "unknown" : true;
  if (kind === "http") return false;
  const isKey = s.type === "apiKey" && s.in === "header" && typeof s.name === "string" && s.name.toLowerCase() === "x-api-key";
  return isKey && keyFromHeader;
}
