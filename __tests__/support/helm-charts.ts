import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import draft07 from "ajv/dist/refs/json-schema-draft-07.json";
import { AgentHelmChart } from "../../agent/k8s";

/**
 * Scalr's chart files (values.schema.json) are reference material kept next to the repository,
 * not copied into it. `SCALR_AGENT_HELM_DIR` points elsewhere when needed.
 */
export const HELM_REFERENCE_DIR = process.env.SCALR_AGENT_HELM_DIR ?? path.join(__dirname, "..", "..", "..", "shared", "reference", "helm");

const validators = new Map<AgentHelmChart, ValidateFunction>();

/**
 * The chart's own values.schema.json as an Ajv validator, or undefined (with a loud warning) when the
 * file is missing on a developer machine. In CI a missing file fails the calling test.
 */
export function chartSchemaValidator(chart: AgentHelmChart): ValidateFunction | undefined {
  const cached = validators.get(chart);
  if (cached) return cached;
  const file = path.join(HELM_REFERENCE_DIR, chart, "values.schema.json");
  if (!fs.existsSync(file)) {
    const message =
      `${chart}/values.schema.json not found under ${path.relative(process.cwd(), HELM_REFERENCE_DIR)}: chart schema validation SKIPPED. ` +
      "The schemas are Scalr's own chart files (https://github.com/Scalr/agent-helm/tree/cf283e1/charts/<chart>/values.schema.json), " +
      "not copied into this repository: point SCALR_AGENT_HELM_DIR at a folder with one sub-folder per chart holding its values.schema.json " +
      "(e.g. the charts/ folder of a Scalr/agent-helm checkout); see docs/development.md";
    if (process.env.CI) throw new Error(message);
    console.warn(`\n!!! ${message}\n`);
    return undefined;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The charts name the draft-07 meta-schema by its https address; Ajv knows it by the http one.
  ajv.addMetaSchema({ ...draft07, $id: "https://json-schema.org/draft-07/schema#" });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
  validators.set(chart, validate);
  return validate;
}

/** Validates values against the chart's schema; returns Ajv's errors as readable lines. */
export function chartSchemaErrors(chart: AgentHelmChart, values: unknown): string[] | undefined {
  const validate = chartSchemaValidator(chart);
  if (!validate) return undefined;
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}
