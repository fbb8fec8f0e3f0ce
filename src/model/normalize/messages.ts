/** Message Object (v2 and v3 share its shape for what we use). */
import type { MessageExampleModel, MessageModel, SchemaUse } from '../ir.js';
import { asArray, asRecord, asString, isRecord, toPlainJson } from '../json.js';
import { normalizeBindings } from './bindings.js';
import { warn, type NormalizeContext } from './context.js';
import { plainSchema, v2Payload, v3MessageSchema, type FormattedSchema } from './schema-formats.js';

const DEFAULT_CONTENT_TYPE = 'application/json';

function normalizeExamples(node: unknown): MessageExampleModel[] {
  return asArray(node).filter(isRecord).map((example) => {
    const name = asString(example['name']);
    const summary = asString(example['summary']);
    return {
      ...(name === undefined ? {} : { name }),
      ...(summary === undefined ? {} : { summary }),
      ...('payload' in example ? { payload: toPlainJson(example['payload']) } : {}),
      ...('headers' in example ? { headers: toPlainJson(example['headers']) } : {}),
    };
  });
}

/** The schema to type and validate with, or none (with a warning) when it is in a format we cannot read. */
function schemaUse(context: NormalizeContext, formatted: FormattedSchema | undefined, part: string, hasTraits: boolean): SchemaUse | undefined {
  if (formatted === undefined) return undefined;
  if (formatted.kind === 'schema') {
    const schema = hasTraits ? context.restoreSharedSchemas(formatted.schema) : formatted.schema;
    return { schema, origin: formatted.origin };
  }
  warn(
    context,
    'schema-format-unsupported',
    `the message ${part} is written in schema format '${formatted.format}', which asyncapi-gen cannot read; it is typed as unknown and not validated`,
    formatted.origin,
  );
  return undefined;
}

/**
 * The model of one message object, created once per object identity.
 * `contextKey` is the key the message has where it is used (v3 channel message
 * key) and `derivedKey` a fallback name from its context.
 */
export function normalizeMessage(
  context: NormalizeContext,
  node: Readonly<Record<string, unknown>>,
  origin: string,
  contextKey: string | undefined,
  derivedKey: string,
): MessageModel {
  const known = context.messages.get(node);
  if (known !== undefined) return known;
  const componentKey = context.componentMessageNames.get(node);
  const messageId = asString(node['messageId']);
  const name = asString(node['name']);
  const declaredKey = componentKey ?? contextKey ?? messageId ?? name;
  const payloadOrigin = `${origin}/payload`;
  const headersOrigin = `${origin}/headers`;
  // The parser leaves `traits` in place after applying them (and copying what they touched).
  const hasTraits = Array.isArray(node['traits']);
  const payload = schemaUse(context, context.majorVersion === 2 ? v2Payload(node, payloadOrigin) : v3MessageSchema(node['payload'], payloadOrigin), 'payload', hasTraits);
  // v2 headers are always Schema Objects; v3 headers may use every schema format.
  const headers = schemaUse(context, context.majorVersion === 2 ? plainSchema(node['headers'], headersOrigin) : v3MessageSchema(node['headers'], headersOrigin), 'headers', hasTraits);
  const correlation = asRecord(node['correlationId']);
  const location = asString(correlation['location']);
  const correlationDescription = asString(correlation['description']);
  const title = asString(node['title']);
  const summary = asString(node['summary']);
  const description = asString(node['description']);
  const model: MessageModel = {
    key: declaredKey ?? derivedKey,
    keyIsDeclared: declaredKey !== undefined,
    ...(name === undefined ? {} : { name }),
    ...(title === undefined ? {} : { title }),
    ...(summary === undefined ? {} : { summary }),
    ...(description === undefined ? {} : { description }),
    contentType: asString(node['contentType']) ?? context.defaultContentType ?? DEFAULT_CONTENT_TYPE,
    ...(payload === undefined ? {} : { payload }),
    ...(headers === undefined ? {} : { headers }),
    ...(location === undefined
      ? {}
      : { correlationId: { location, ...(correlationDescription === undefined ? {} : { description: correlationDescription }) } }),
    bindings: normalizeBindings(node['bindings']),
    examples: normalizeExamples(node['examples']),
    deprecated: node['deprecated'] === true,
    origin,
  };
  context.messages.set(node, model);
  return model;
}
