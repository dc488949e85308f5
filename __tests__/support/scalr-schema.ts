import * as fs from "fs";
import * as path from "path";

/** The subset of `terraform providers schema -json` the checker reads. */
interface Attribute {
  type: unknown;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}
interface Block {
  attributes?: Record<string, Attribute>;
  block_types?: Record<string, { nesting_mode: string; block: Block; min_items?: number; max_items?: number }>;
}
interface ProviderSchema {
  provider: { block: Block };
  resource_schemas: Record<string, { block: Block }>;
  data_source_schemas: Record<string, { block: Block }>;
}

const SCHEMA_FILE = path.join(__dirname, "..", "..", "providers", "scalr", "schema.json");
const META_ARGUMENTS = new Set(["//", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);
const PROVIDER_META = new Set(["alias"]);

let cached: ProviderSchema | undefined;
/** The Scalr provider schema kept in the repository. */
export function scalrSchema(): ProviderSchema {
  if (!cached) {
    const doc = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
    cached = doc.provider_schemas["registry.scalr.io/scalr/scalr"] as ProviderSchema;
  }
  return cached;
}

const isReference = (v: unknown) => typeof v === "string" && /\$\{/.test(v);

function checkType(type: unknown, value: unknown): boolean {
  if (isReference(value)) return true;
  if (type === "string") return typeof value === "string";
  if (type === "bool") return typeof value === "boolean";
  if (type === "number") return typeof value === "number";
  if (type === "dynamic") return true;
  if (Array.isArray(type)) {
    const [kind, inner] = type as [string, unknown];
    if (kind === "list" || kind === "set") return Array.isArray(value) && value.every((v) => checkType(inner, v));
    if (kind === "map") return typeof value === "object" && value !== null && Object.values(value).every((v) => checkType(inner, v));
    if (kind === "object") return typeof value === "object" && value !== null;
  }
  return false;
}

function checkBlock(where: string, block: Block, body: Record<string, unknown>, meta: Set<string>): string[] {
  const problems: string[] = [];
  const attrs = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    const attr = attrs[key];
    const nested = blocks[key];
    if (attr) {
      if (attr.computed && !attr.optional && !attr.required) problems.push(`${where}.${key}: read-only attribute is set`);
      else if (!checkType(attr.type, value)) problems.push(`${where}.${key}: ${JSON.stringify(value)} does not match type ${JSON.stringify(attr.type)}`);
    } else if (nested) {
      const items = nested.nesting_mode === "single" ? [value] : Array.isArray(value) ? value : [value];
      if (nested.min_items !== undefined && items.length < nested.min_items) problems.push(`${where}.${key}: needs at least ${nested.min_items} blocks`);
      if (nested.max_items !== undefined && items.length > nested.max_items) problems.push(`${where}.${key}: allows at most ${nested.max_items} blocks`);
      items.forEach((item, i) => {
        if (isReference(item)) return;
        if (typeof item !== "object" || item === null) problems.push(`${where}.${key}[${i}]: not a block`);
        else problems.push(...checkBlock(`${where}.${key}[${i}]`, nested.block, item as Record<string, unknown>, new Set()));
      });
    } else {
      problems.push(`${where}.${key}: not an attribute or block of the schema`);
    }
  }
  for (const [key, attr] of Object.entries(attrs)) {
    if (attr.required && !(key in body)) problems.push(`${where}.${key}: required attribute is missing`);
  }
  for (const [key, nested] of Object.entries(blocks)) {
    if ((nested.min_items ?? 0) > 0 && !(key in body)) problems.push(`${where}.${key}: required block is missing`);
  }
  return problems;
}

/**
 * Every `scalr` provider block, `scalr_*` resource and data source of a synthesized stack checked
 * against the provider schema: only defined attributes, every required one set, no read-only ones,
 * values of the right type (references pass), block counts within bounds.
 */
export function checkAgainstScalrSchema(stackJson: Record<string, unknown>): string[] {
  const schema = scalrSchema();
  const problems: string[] = [];
  const providers = (stackJson.provider as Record<string, unknown[]> | undefined)?.scalr ?? [];
  providers.forEach((p, i) => problems.push(...checkBlock(`provider.scalr[${i}]`, schema.provider.block, p as Record<string, unknown>, PROVIDER_META)));
  for (const [section, schemas] of [
    ["resource", schema.resource_schemas],
    ["data", schema.data_source_schemas],
  ] as const) {
    const byType = (stackJson[section] as Record<string, Record<string, Record<string, unknown>>> | undefined) ?? {};
    for (const [type, instances] of Object.entries(byType)) {
      if (!type.startsWith("scalr_")) continue;
      const s = schemas[type];
      if (!s) {
        problems.push(`${section}.${type}: not in the provider schema`);
        continue;
      }
      for (const [name, body] of Object.entries(instances)) {
        problems.push(...checkBlock(`${section}.${type}.${name}`, s.block, body, META_ARGUMENTS));
      }
    }
  }
  return problems;
}

/** The number of `scalr_*` resources and data sources in a synthesized stack. */
export function countScalrBlocks(stackJson: Record<string, unknown>): number {
  let n = 0;
  for (const section of ["resource", "data"]) {
    for (const [type, instances] of Object.entries((stackJson[section] as Record<string, object> | undefined) ?? {})) {
      if (type.startsWith("scalr_")) n += Object.keys(instances).length;
    }
  }
  return n;
}
