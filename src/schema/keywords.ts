/**
 * JSON Schema keywords: which ones we act on, what shape their values must
 * have, and typed readers that return `undefined` for anything malformed (the
 * analysis stage reports malformed values once; the emitters just skip them).
 *
 * Every read is an own-property read: keyword and property maps come straight
 * from documents, so `constructor` or `__proto__` must never hit the prototype.
 */
import type { JsonSchema, JsonSchemaObject } from '../model/ir.js';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

const JSON_TYPES: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'null', 'array', 'object']);

/** The shape a keyword's value must have; drives validation of the schema itself and traversal. */
export type KeywordShape =
  | 'schema'
  | 'schemaArray'
  | 'schemaMap'
  | 'schemaOrSchemaArray'
  | 'dependencies'
  | 'stringArrayMap'
  | 'type'
  | 'number'
  | 'count'
  | 'numberOrBoolean'
  | 'positiveNumber'
  | 'boolean'
  | 'string'
  | 'stringArray'
  | 'array'
  | 'anyValue';

/** Keywords the compiler implements, with the shape of their value. */
const SUPPORTED_KEYWORDS: ReadonlyMap<string, KeywordShape> = new Map<string, KeywordShape>([
  ['type', 'type'],
  ['enum', 'array'],
  ['const', 'anyValue'],
  ['nullable', 'boolean'],
  ['x-nullable', 'boolean'],
  ['format', 'string'],
  ['minLength', 'count'],
  ['maxLength', 'count'],
  ['pattern', 'string'],
  ['minimum', 'number'],
  ['maximum', 'number'],
  ['exclusiveMinimum', 'numberOrBoolean'],
  ['exclusiveMaximum', 'numberOrBoolean'],
  ['multipleOf', 'positiveNumber'],
  ['properties', 'schemaMap'],
  ['required', 'stringArray'],
  ['additionalProperties', 'schema'],
  ['patternProperties', 'schemaMap'],
  ['propertyNames', 'schema'],
  ['minProperties', 'count'],
  ['maxProperties', 'count'],
  ['dependentRequired', 'stringArrayMap'],
  ['dependentSchemas', 'schemaMap'],
  ['dependencies', 'dependencies'],
  ['items', 'schemaOrSchemaArray'],
  ['prefixItems', 'schemaArray'],
  ['additionalItems', 'schema'],
  ['minItems', 'count'],
  ['maxItems', 'count'],
  ['uniqueItems', 'boolean'],
  ['contains', 'schema'],
  ['minContains', 'count'],
  ['maxContains', 'count'],
  ['allOf', 'schemaArray'],
  ['anyOf', 'schemaArray'],
  ['oneOf', 'schemaArray'],
  ['not', 'schema'],
  ['if', 'schema'],
  ['then', 'schema'],
  ['else', 'schema'],
]);

/** The shape a supported keyword's value must have; `undefined` for keywords we do not implement. */
export function keywordShape(keyword: string): KeywordShape | undefined {
  return SUPPORTED_KEYWORDS.get(keyword);
}

/** Keywords that carry no validation meaning: ignored without a word. */
const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set([
  'title', 'description', 'examples', 'example', 'default', 'deprecated', 'readOnly', 'writeOnly',
  '$id', 'id', '$schema', '$comment', '$anchor', '$dynamicAnchor', '$recursiveAnchor', '$vocabulary',
  '$defs', 'definitions', 'discriminator', 'contentMediaType', 'contentEncoding', 'externalDocs', 'xml',
]);

export function isAnnotationKeyword(keyword: string): boolean {
  return ANNOTATION_KEYWORDS.has(keyword) || keyword.startsWith('x-');
}

export function isSchemaObject(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'boolean' || isSchemaObject(value);
}

/** Own keyword value, never an inherited one. */
export function readOwn(object: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

export function hasKeyword(schema: JsonSchemaObject, keyword: string): boolean {
  return Object.prototype.hasOwnProperty.call(schema, keyword);
}

/** Own enumerable entries in insertion order (JavaScript orders integer-like keys first). */
export function ownEntries(object: object): ReadonlyArray<readonly [string, unknown]> {
  return Object.entries(object);
}

/** Whether `value` has the shape `shape` asks for. */
export function hasShape(value: unknown, shape: KeywordShape): boolean {
  switch (shape) {
    case 'schema':
      return isSchema(value);
    case 'schemaArray':
      return Array.isArray(value) && value.every(isSchema);
    case 'schemaMap':
      return isSchemaObject(value) && Object.values(value).every(isSchema);
    case 'schemaOrSchemaArray':
      return isSchema(value) || (Array.isArray(value) && value.every(isSchema));
    case 'dependencies':
      return isSchemaObject(value) && Object.values(value).every((v) => isSchema(v) || isStringArray(v));
    case 'stringArrayMap':
      return isSchemaObject(value) && Object.values(value).every(isStringArray);
    case 'type':
      return (typeof value === 'string' && JSON_TYPES.has(value))
        || (Array.isArray(value) && value.every((t) => typeof t === 'string' && JSON_TYPES.has(t)));
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'count':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    case 'numberOrBoolean':
      return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    case 'positiveNumber':
      return typeof value === 'number' && Number.isFinite(value) && value > 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'stringArray':
      return isStringArray(value);
    case 'array':
      return Array.isArray(value);
    case 'anyValue':
      return true;
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The keyword's value when it has the expected shape, else `undefined`. */
function read(schema: JsonSchemaObject, keyword: string): unknown {
  const value = readOwn(schema, keyword);
  const shape = SUPPORTED_KEYWORDS.get(keyword);
  return value !== undefined && shape !== undefined && hasShape(value, shape) ? value : undefined;
}

export function schemaAt(schema: JsonSchemaObject, keyword: string): JsonSchema | undefined {
  const value = read(schema, keyword);
  return isSchema(value) ? value : undefined;
}

export function schemaArrayAt(schema: JsonSchemaObject, keyword: string): ReadonlyArray<JsonSchema> | undefined {
  const value = read(schema, keyword);
  return Array.isArray(value) ? (value as JsonSchema[]) : undefined;
}

export function schemaMapAt(
  schema: JsonSchemaObject,
  keyword: string,
): ReadonlyArray<readonly [string, JsonSchema]> | undefined {
  const value = read(schema, keyword);
  return isSchemaObject(value) ? (ownEntries(value) as ReadonlyArray<readonly [string, JsonSchema]>) : undefined;
}

export function numberAt(schema: JsonSchemaObject, keyword: string): number | undefined {
  const value = read(schema, keyword);
  return typeof value === 'number' ? value : undefined;
}

export function booleanAt(schema: JsonSchemaObject, keyword: string): boolean | undefined {
  const value = read(schema, keyword);
  return typeof value === 'boolean' ? value : undefined;
}

export function stringAt(schema: JsonSchemaObject, keyword: string): string | undefined {
  const value = read(schema, keyword);
  return typeof value === 'string' ? value : undefined;
}

export function stringArrayAt(schema: JsonSchemaObject, keyword: string): ReadonlyArray<string> | undefined {
  const value = read(schema, keyword);
  return isStringArray(value) ? value : undefined;
}

export function arrayAt(schema: JsonSchemaObject, keyword: string): ReadonlyArray<unknown> | undefined {
  const value = read(schema, keyword);
  return Array.isArray(value) ? value : undefined;
}

/** `type` as a list without duplicates, or `undefined` when absent or malformed. */
export function typesAt(schema: JsonSchemaObject): ReadonlyArray<JsonType> | undefined {
  const value = read(schema, 'type');
  if (typeof value === 'string') return [value as JsonType];
  if (Array.isArray(value)) return [...new Set(value as JsonType[])];
  return undefined;
}

/** OpenAPI `nullable: true` (or `x-nullable: true`): the schema also accepts `null`. */
export function isNullable(schema: JsonSchemaObject): boolean {
  return booleanAt(schema, 'nullable') === true || booleanAt(schema, 'x-nullable') === true;
}

/** `dependentRequired` merged with the array form of draft-7 `dependencies`. */
export function dependentRequiredAt(schema: JsonSchemaObject): ReadonlyArray<readonly [string, ReadonlyArray<string>]> {
  const result: Array<readonly [string, ReadonlyArray<string>]> = [];
  for (const keyword of ['dependentRequired', 'dependencies']) {
    const map = read(schema, keyword);
    if (!isSchemaObject(map)) continue;
    for (const [key, value] of ownEntries(map)) {
      if (isStringArray(value)) result.push([key, value]);
    }
  }
  return result;
}

/** `dependentSchemas` merged with the schema form of draft-7 `dependencies`. */
export function dependentSchemasAt(schema: JsonSchemaObject): ReadonlyArray<readonly [string, JsonSchema]> {
  const result: Array<readonly [string, JsonSchema]> = [];
  for (const keyword of ['dependentSchemas', 'dependencies']) {
    const map = read(schema, keyword);
    if (!isSchemaObject(map)) continue;
    for (const [key, value] of ownEntries(map)) {
      if (isSchema(value)) result.push([key, value]);
    }
  }
  return result;
}

/** The JSON type of a JSON value, `integer` for whole numbers. */
export function jsonTypeOf(value: unknown): JsonType | undefined {
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return undefined;
}

/** Whether a JSON value is allowed by a `type` list. */
export function typeAllows(types: ReadonlyArray<JsonType>, value: unknown): boolean {
  const type = jsonTypeOf(value);
  if (type === undefined) return false;
  if (types.includes(type)) return true;
  return type === 'integer' && types.includes('number');
}

/** One subschema edge: where a subschema sits under its parent. */
export interface SubschemaEdge {
  readonly schema: JsonSchema;
  /** Pointer segments from the parent, e.g. `['properties', 'name']`. */
  readonly segments: ReadonlyArray<string>;
  /** PascalCase words that name the subschema relative to its parent, e.g. `Name`, `Item`. */
  readonly nameWords: string;
}

export type NameWordsOf = (keyword: string, key: string | number) => string;

/** Every subschema directly under `schema`, in document order, with where it sits. */
export function subschemaEdges(schema: JsonSchemaObject, nameWordsOf: NameWordsOf): SubschemaEdge[] {
  const edges: SubschemaEdge[] = [];
  for (const [keyword, value] of ownEntries(schema)) {
    const shape = SUPPORTED_KEYWORDS.get(keyword);
    if (shape === undefined) continue;
    if (isSchema(value) && (shape === 'schema' || shape === 'schemaOrSchemaArray')) {
      edges.push({ schema: value, segments: [keyword], nameWords: nameWordsOf(keyword, '') });
    } else if (Array.isArray(value) && (shape === 'schemaArray' || shape === 'schemaOrSchemaArray')) {
      value.forEach((item: unknown, index) => {
        if (isSchema(item)) edges.push({ schema: item, segments: [keyword, String(index)], nameWords: nameWordsOf(keyword, index) });
      });
    } else if (isSchemaObject(value) && (shape === 'schemaMap' || shape === 'dependencies')) {
      for (const [key, item] of ownEntries(value)) {
        if (isSchema(item)) edges.push({ schema: item, segments: [keyword, key], nameWords: nameWordsOf(keyword, key) });
      }
    }
  }
  return edges;
}
