/**
 * Schemas in each of the forms a message may carry them: a plain Schema Object, a v3 Multi Format
 * Schema Object (`{ schemaFormat, schema }`,
 * https://www.asyncapi.com/docs/reference/specification/v3.0.0#multiFormatSchemaObject), or a v2
 * payload in the format named by the message's `schemaFormat`.
 *
 * The parser converts the formats it has a schema parser for (Avro, OpenAPI) into JSON Schema in
 * place and keeps the original under `x-parser-original-payload`; formats it has no parser for
 * (Protobuf, RAML, ...) are left as written, so they must not be read as JSON Schema.
 */
import type { JsonSchema } from '../ir.js';
import { asString, isRecord, pointer, type JsonRecord } from '../json.js';

const ORIGINAL_PAYLOAD = 'x-parser-original-payload';

/** Formats that are JSON Schema as written: AsyncAPI Schema Object and JSON Schema (JSON or YAML). */
const JSON_SCHEMA_FORMAT = /^application\/(vnd\.aai\.asyncapi(\+json|\+yaml)?|schema\+json|schema\+yaml)\s*(;|$)/i;

export type FormattedSchema =
  | { readonly kind: 'schema'; readonly schema: JsonSchema; readonly origin: string }
  | { readonly kind: 'unsupported'; readonly format: string; readonly origin: string };

function isJsonSchema(value: unknown): value is JsonSchema {
  return typeof value === 'boolean' || isRecord(value);
}

/** A v3 Multi Format Schema Object, recognised as the parser does: a `schemaFormat` and a `schema`. */
export function isMultiFormatSchema(value: unknown): value is JsonRecord {
  return isRecord(value) && typeof value['schemaFormat'] === 'string' && value['schema'] !== undefined;
}

/**
 * The JSON Schema a message uses at `origin`, or why there is none. `holder` is the object the
 * format and the parser's conversion marker are on (the message in v2, the Multi Format Schema
 * Object in v3).
 */
function withFormat(value: unknown, format: string | undefined, holder: JsonRecord, origin: string): FormattedSchema | undefined {
  const converted = holder[ORIGINAL_PAYLOAD] !== undefined;
  if (format !== undefined && !converted && !JSON_SCHEMA_FORMAT.test(format)) return { kind: 'unsupported', format, origin };
  return isJsonSchema(value) ? { kind: 'schema', schema: value, origin } : undefined;
}

/** A Schema Object (v2 headers). */
export function plainSchema(value: unknown, origin: string): FormattedSchema | undefined {
  return isJsonSchema(value) ? { kind: 'schema', schema: value, origin } : undefined;
}

/** v3 payload or headers: a Schema Object or a Multi Format Schema Object. */
export function v3MessageSchema(value: unknown, origin: string): FormattedSchema | undefined {
  if (!isMultiFormatSchema(value)) return plainSchema(value, origin);
  return withFormat(value['schema'], asString(value['schemaFormat']), value, pointer(origin, 'schema'));
}

/** v2 payload: written in the message's `schemaFormat` (headers are always Schema Objects). */
export function v2Payload(message: JsonRecord, origin: string): FormattedSchema | undefined {
  return withFormat(message['payload'], asString(message['schemaFormat']), message, origin);
}

/** The schema a `components.schemas` entry declares: the entry itself, or the inside of a Multi Format Schema Object. */
export function componentSchemaObject(value: unknown): unknown {
  return isMultiFormatSchema(value) ? value['schema'] : value;
}
