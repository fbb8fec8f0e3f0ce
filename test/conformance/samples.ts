/**
 * Values for the corpus round trip: a message's own examples when it has some, else a value made
 * from its schema (examples, defaults, enums, required properties, formats and bounds). A made
 * value is used only when Ajv accepts it, so a round trip never fails for the sampler's sake.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { MessageModel } from '../../src/model/ir.js';

type SchemaObject = Readonly<Record<string, unknown>>;

const FORMAT_SAMPLES: Readonly<Record<string, string>> = {
  'date-time': '2024-02-29T13:45:30Z',
  date: '2024-02-29',
  time: '13:45:30Z',
  email: 'someone@example.com',
  uuid: '123e4567-e89b-12d3-a456-426614174000',
  uri: 'https://example.com/a',
  'uri-reference': '/a',
  hostname: 'example.com',
  ipv4: '192.168.0.1',
  ipv6: '::1',
  byte: 'YWJj',
  duration: 'P1D',
};

const MAX_DEPTH = 8;

function isObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) && value.length > 0 ? value[0] : undefined;
}

/** Two object samples of one value (allOf parts) as one: nested objects are merged too. */
function mergedSamples(left: unknown, right: unknown): unknown {
  if (!isObject(left) || !isObject(right)) return right;
  const merged: Record<string, unknown> = { ...left };
  for (const [key, value] of Object.entries(right)) merged[key] = key in left ? mergedSamples(left[key], value) : value;
  return merged;
}

/** A value the schema most likely accepts (callers check with `schemaAccepts`). */
export function sampleOf(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > MAX_DEPTH) return schema === false ? undefined : 'x';
  const given = schema['const'] ?? firstOf(schema['enum']) ?? firstOf(schema['examples']) ?? schema['example'] ?? schema['default'];
  if (given !== undefined) return given;
  const allOf = schema['allOf'];
  if (Array.isArray(allOf)) {
    const { allOf: _parts, ...rest } = schema;
    const parts = [...allOf, rest].map((part) => sampleOf(part, depth + 1));
    return parts.every(isObject) ? parts.reduce<unknown>((left, right) => mergedSamples(left, right), {}) : parts[0];
  }
  for (const keyword of ['oneOf', 'anyOf']) {
    const branches = schema[keyword];
    if (Array.isArray(branches) && branches.length > 0) {
      const { [keyword]: _branches, ...rest } = schema;
      const branch = sampleOf(branches[0], depth + 1);
      const base = 'properties' in rest ? sampleOf(rest, depth + 1) : undefined;
      return isObject(base) && isObject(branch) ? { ...base, ...branch } : branch;
    }
  }
  return sampleOfType(schema, depth);
}

function sampleOfType(schema: SchemaObject, depth: number): unknown {
  const declared = Array.isArray(schema['type']) ? (schema['type'] as unknown[]) : schema['type'] === undefined ? [] : [schema['type']];
  const inferred = 'properties' in schema ? 'object' : 'items' in schema ? 'array' : 'string';
  const type = declared.find((candidate) => candidate !== 'null') ?? (declared.length > 0 ? 'null' : inferred);
  const minimum = typeof schema['minimum'] === 'number' ? schema['minimum'] : undefined;
  const maximum = typeof schema['maximum'] === 'number' ? schema['maximum'] : undefined;
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(isObject(schema['properties']) ? schema['properties'] : {})) value[name] = sampleOf(property, depth + 1);
      for (const name of Array.isArray(schema['required']) ? schema['required'] : []) {
        if (typeof name === 'string' && !(name in value)) value[name] = 'x';
      }
      return value;
    }
    case 'array': {
      const count = Math.max(1, typeof schema['minItems'] === 'number' ? schema['minItems'] : 1);
      return Array.from({ length: count }, () => sampleOf(schema['items'], depth + 1));
    }
    case 'integer':
      return minimum !== undefined ? Math.ceil(minimum) : maximum !== undefined ? Math.floor(maximum) : 1;
    case 'number':
      return minimum ?? maximum ?? 1.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default: {
      const format = typeof schema['format'] === 'string' ? FORMAT_SAMPLES[schema['format']] : undefined;
      const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 1;
      return format ?? 'x'.repeat(Math.min(Math.max(1, minLength), 64));
    }
  }
}

/** Whether Ajv (JSON Schema 2020-12 with formats) accepts the value; false when Ajv cannot compile the schema. */
export function schemaAccepts(schema: unknown, value: unknown): boolean {
  try {
    const ajv = new Ajv2020({ strict: false, logger: false, validateFormats: true });
    formats.default(ajv);
    return ajv.validate(schema as object, value);
  } catch {
    return false;
  }
}

export interface MessageSample {
  readonly payload: unknown;
  readonly headers?: unknown;
}

/**
 * The message's examples with a payload, else its payload schema's own examples, else one made
 * value: what the document says a message looks like.
 */
export function messageSamples(message: MessageModel): MessageSample[] {
  const examples = message.examples.filter((example) => example.payload !== undefined);
  if (examples.length > 0) return examples.map((example) => (example.headers === undefined ? { payload: example.payload } : { payload: example.payload, headers: example.headers }));
  const schema = message.payload?.schema;
  if (schema === undefined) return [];
  const schemaExamples = isObject(schema) && Array.isArray(schema['examples']) ? schema['examples'] : [];
  if (schemaExamples.length > 0) return schemaExamples.map((payload: unknown) => ({ payload }));
  const payload = sampleOf(schema);
  const headers = message.headers === undefined ? undefined : sampleOf(message.headers.schema);
  if (!schemaAccepts(schema, payload)) return [];
  if (message.headers !== undefined && !schemaAccepts(message.headers.schema, headers)) return [];
  return [headers === undefined ? { payload } : { payload, headers }];
}

/** A value for each channel parameter that its schema accepts; undefined when one cannot be made. */
export function parameterValues(parameters: ReadonlyArray<{ readonly name: string; readonly schema: unknown }>): Record<string, string | number | boolean> | undefined {
  const values: Record<string, string | number | boolean> = {};
  for (const parameter of parameters) {
    const value = sampleOf(parameter.schema);
    if (!(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') || !schemaAccepts(parameter.schema, value)) return undefined;
    values[parameter.name] = value;
  }
  return values;
}
