/**
 * A small valid value for a JSON Schema, for the scaffolded reply stubs and
 * service tests: the schema's own first example or default when it gives one,
 * otherwise the least value each keyword allows. Gives up (undefined) on
 * what it cannot satisfy for sure (patterns, `not`, contradictions) rather
 * than guess.
 */
import type { JsonSchema } from '../model/ir.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 12;

const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-01-01T00:00:00Z',
  date: '2024-01-01',
  time: '00:00:00Z',
  duration: 'PT1M',
  email: 'someone@example.com',
  'idn-email': 'someone@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com/',
  'uri-reference': 'https://example.com/',
  iri: 'https://example.com/',
  'iri-reference': 'https://example.com/',
  'uri-template': 'https://example.com/{id}',
  uuid: '00000000-0000-4000-8000-000000000000',
  regex: '.*',
  'json-pointer': '/a',
  'relative-json-pointer': '0',
  byte: 'AA==',
  binary: '',
  password: 'secret',
};

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJson(value: unknown, depth = 0): value is Json {
  if (depth > 64) return false;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJson(item, depth + 1));
  return isSchema(value) && Object.values(value).every((item) => isJson(item, depth + 1));
}

function typesOf(schema: Schema): string[] {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((item): item is string => typeof item === 'string');
  if (isSchema(schema['properties']) || Array.isArray(schema['required'])) return ['object'];
  if (schema['items'] !== undefined) return ['array'];
  return [];
}

/** The least number both bounds allow (draft 4 booleans and draft 6+ numbers), checked against every bound. */
function numberSample(schema: Schema, integer: boolean): number | undefined {
  const number = (key: string): number | undefined => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const minimum = number('minimum');
  const maximum = number('maximum');
  const exclusiveMinimum = number('exclusiveMinimum') ?? (schema['exclusiveMinimum'] === true ? minimum : undefined);
  const exclusiveMaximum = number('exclusiveMaximum') ?? (schema['exclusiveMaximum'] === true ? maximum : undefined);
  const multipleOf = number('multipleOf');
  const step = multipleOf !== undefined && multipleOf > 0 ? multipleOf : integer ? 1 : undefined;
  const lowest = Math.max(minimum ?? Number.NEGATIVE_INFINITY, exclusiveMinimum ?? Number.NEGATIVE_INFINITY);
  let value = Number.isFinite(lowest) ? lowest : Math.min(0, maximum ?? 0, exclusiveMaximum === undefined ? 0 : exclusiveMaximum - 1);
  if (step !== undefined) value = Math.ceil(value / step) * step;
  if (exclusiveMinimum !== undefined && value <= exclusiveMinimum) value = step !== undefined ? value + step : value + 1;
  const fits = (candidate: number): boolean =>
    (!integer || Number.isInteger(candidate)) &&
    (minimum === undefined || candidate >= minimum) &&
    (maximum === undefined || candidate <= maximum) &&
    (exclusiveMinimum === undefined || candidate > exclusiveMinimum) &&
    (exclusiveMaximum === undefined || candidate < exclusiveMaximum) &&
    (multipleOf === undefined || Number.isInteger(candidate / multipleOf));
  return fits(value) ? value : undefined;
}

/** Keywords whose constraints this sampler does not satisfy: a schema using them gets no sample. */
const UNSUPPORTED = ['not', 'if', 'contains', 'minContains', 'patternProperties', 'dependentRequired', 'dependentSchemas', 'dependencies', 'propertyNames', 'prefixItems', 'unevaluatedProperties', 'unevaluatedItems', 'minProperties'];

function stringSample(schema: Schema): string | undefined {
  if (typeof schema['pattern'] === 'string') return undefined;
  const format = typeof schema['format'] === 'string' ? FORMAT_SAMPLES[schema['format']] : undefined;
  const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Number.POSITIVE_INFINITY;
  if (format !== undefined) return [...format].length >= minLength && [...format].length <= maxLength ? format : undefined;
  if (typeof schema['format'] === 'string' && !['int32', 'int64', 'float', 'double'].includes(schema['format'])) return undefined;
  const base = 'sample';
  const text = base.length >= minLength ? base : base.padEnd(minLength, 'x');
  return text.length <= maxLength ? text : 'x'.repeat(Math.max(minLength, 0)).slice(0, maxLength);
}

function sample(schema: unknown, depth: number): Json | undefined {
  if (schema === true || (isSchema(schema) && Object.keys(schema).length === 0)) return {};
  if (!isSchema(schema) || depth > MAX_DEPTH) return undefined;
  if (UNSUPPORTED.some((keyword) => schema[keyword] !== undefined)) return undefined;
  if ('const' in schema) return isJson(schema['const']) ? schema['const'] : undefined;
  if (Array.isArray(schema['enum'])) return schema['enum'].find((value): value is Json => isJson(value));
  const examples = schema['examples'];
  if (Array.isArray(examples) && examples.length > 0 && isJson(examples[0])) return examples[0];
  if ('default' in schema && isJson(schema['default'])) return schema['default'];
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const options = schema[keyword];
    if (!Array.isArray(options)) continue;
    // A oneOf value must match exactly one branch; with several, a least value may match two.
    if (keyword === 'oneOf' && options.length !== 1) return undefined;
    const { [keyword]: _branches, ...outer } = schema;
    for (const option of options) {
      // The schema's own keywords apply too: sample the branch together with them.
      const value = sample(Object.keys(outer).length === 0 ? option : { allOf: [outer, option] }, depth + 1);
      if (value !== undefined) return value;
    }
    return undefined;
  }
  if (Array.isArray(schema['allOf'])) {
    const { allOf: parts, ...rest } = schema;
    const merged: Record<string, unknown> = { ...rest };
    for (const part of parts as unknown[]) {
      if (!isSchema(part)) return undefined;
      for (const [keyword, value] of Object.entries(part)) {
        const current = merged[keyword];
        if (current === undefined) merged[keyword] = value;
        else if (keyword === 'properties' && isSchema(current) && isSchema(value)) {
          const properties: Record<string, unknown> = { ...current };
          for (const [name, propertySchema] of Object.entries(value)) properties[name] = name in properties ? { allOf: [properties[name], propertySchema] } : propertySchema;
          merged[keyword] = properties;
        } else if (keyword === 'required' && Array.isArray(current) && Array.isArray(value)) merged[keyword] = [...current, ...value];
        else if (['minimum', 'exclusiveMinimum', 'minLength', 'minItems'].includes(keyword) && typeof current === 'number' && typeof value === 'number') merged[keyword] = Math.max(current, value);
        else if (['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'].includes(keyword) && typeof current === 'number' && typeof value === 'number') merged[keyword] = Math.min(current, value);
        else if (JSON.stringify(current) !== JSON.stringify(value)) return undefined;
      }
    }
    return sample(merged, depth + 1);
  }
  const types = typesOf(schema);
  const type = types.find((candidate) => candidate !== 'null') ?? types[0];
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return false;
    case 'integer':
      return numberSample(schema, true);
    case 'number':
      return numberSample(schema, false);
    case 'string':
      return stringSample(schema);
    case 'array': {
      const minItems = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      if (minItems === 0) return [];
      const item = sample(schema['items'], depth + 1);
      if (item === undefined || (schema['uniqueItems'] === true && minItems > 1)) return undefined;
      return Array.from({ length: minItems }, () => item);
    }
    case 'object':
      return objectSample(schema, depth);
    default:
      return undefined;
  }
}

function objectSample(schema: Schema, depth: number): Json | undefined {
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'].filter((name): name is string => typeof name === 'string') : [];
  const result: Record<string, Json> = {};
  for (const name of required) {
    const propertySchema = properties[name] ?? (isSchema(schema['additionalProperties']) ? schema['additionalProperties'] : {});
    const value = sample(propertySchema, depth + 1);
    if (value === undefined) return undefined;
    result[name] = value;
  }
  // Optional properties whose value the schema fixes (`event: { const: pong }`) are what tells this
  // message from others on a shared address: a sample carries them.
  const maxProperties = typeof schema['maxProperties'] === 'number' ? schema['maxProperties'] : Infinity;
  for (const [name, propertySchema] of Object.entries(properties)) {
    if (Object.keys(result).length >= maxProperties) break;
    if (Object.hasOwn(result, name) || !isSchema(propertySchema) || !Object.hasOwn(propertySchema, 'const')) continue;
    const value = sample(propertySchema, depth + 1);
    if (value !== undefined) result[name] = value;
  }
  const minProperties = typeof schema['minProperties'] === 'number' ? schema['minProperties'] : 0;
  if (Object.keys(result).length < minProperties) return undefined;
  return result;
}

/** A valid value for `schema`, or undefined when none can be given for sure. */
export function sampleFor(schema: JsonSchema | undefined): Json | undefined {
  if (schema === undefined) return undefined;
  return sample(schema, 0);
}

export type { Json as SampleValue };
