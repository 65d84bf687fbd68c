// The Helm chart's `config` values are pps-gate's config file plus three chart-only keys, so the
// config part of helm/pps-gate/values.schema.json is generated from the one zod schema (zod 4's
// JSON Schema output); `npm run gen:chart-schema` writes it and a test fails when it drifts.
// Everything else in that file (and the chart-only keys) stays hand-written.
import { z } from 'zod';
import { configSchema } from './config-schema.js';

/** Keys of the chart's `config` values that are not in pps-gate's config file. */
export const CHART_ONLY_CONFIG_KEYS = ['source', 'existingConfigMap', 'key'] as const;

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** pps-gate's config file as draft-07 JSON Schema, as a user writes it (defaults optional). */
export function configJsonSchema(): JsonObject {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }) as JsonObject;
  delete schema.$schema;
  return schema;
}

/** The generated `config` properties, as the chart needs them. */
function chartConfigProperties(): JsonObject {
  const properties = configJsonSchema().properties;
  if (!isObject(properties) || !isObject(properties.issuers))
    throw new Error('the config schema has no "issuers" property');
  // values.yaml ships `issuers: []` (a chart used with existingConfigMap gives none); the
  // template refuses to render an empty list itself, with a message saying what to set.
  const issuers = { ...properties.issuers };
  delete issuers.minItems;
  return { ...properties, issuers };
}

/**
 * `values` (the parsed values.schema.json) with `properties.config` rebuilt: the chart-only keys
 * as they are, then every config-file key from the zod schema; anything else is dropped.
 */
export function withGeneratedConfig(values: JsonObject): JsonObject {
  const properties = values.properties;
  const config = isObject(properties) ? properties.config : undefined;
  if (!isObject(properties) || !isObject(config) || !isObject(config.properties))
    throw new Error('values.schema.json has no properties.config.properties');
  const chartOnly: JsonObject = {};
  for (const key of CHART_ONLY_CONFIG_KEYS) {
    if (config.properties[key] === undefined)
      throw new Error(
        `values.schema.json lacks the chart-only properties.config.properties.${key}`,
      );
    chartOnly[key] = config.properties[key];
  }
  return {
    ...values,
    properties: {
      ...properties,
      config: {
        ...config,
        properties: { ...chartOnly, ...chartConfigProperties() },
        additionalProperties: false,
      },
    },
  };
}

/** The file's text as `npm run gen:chart-schema` writes it. */
export function chartValuesSchemaText(currentText: string): string {
  const current = JSON.parse(currentText) as unknown;
  if (!isObject(current)) throw new Error('values.schema.json is not a JSON object');
  return `${JSON.stringify(withGeneratedConfig(current), null, 2)}\n`;
}
