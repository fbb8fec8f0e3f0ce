/** Stage 2: the resolved document, v2 or v3, becomes one version-independent ApiModel. */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel, MessageModel } from '../ir.js';
import { asRecord, asString, entriesOf, isRecord } from '../json.js';
import type { NormalizeContext } from './context.js';
import { componentSchemaObject } from './schema-formats.js';
import { normalizeServers } from './servers.js';
import { sharedSchemaRestorer } from './trait-copies.js';
import { normalizeV2 } from './v2.js';
import { normalizeV3Channels, normalizeV3Operations } from './v3.js';

/** Object -> its key in `node`; `unwrap` picks the object a key names (a schema inside a Multi Format Schema Object). */
function identityMap(node: unknown, unwrap: (value: unknown) => unknown = (value) => value): Map<object, string> {
  const names = new Map<object, string>();
  for (const [key, entry] of entriesOf(node)) {
    const value = unwrap(entry);
    if (isRecord(value) && !names.has(value)) names.set(value, key);
  }
  return names;
}

export function normalizeDocument(document: Readonly<Record<string, unknown>>): { model: ApiModel; diagnostics: Diagnostic[] } {
  const asyncapiVersion = asString(document['asyncapi']) ?? '';
  const majorVersion = asyncapiVersion.startsWith('2.') ? 2 : 3;
  const info = asRecord(document['info']);
  const components = asRecord(document['components']);
  const defaultContentType = asString(document['defaultContentType']);
  const context: NormalizeContext = {
    document,
    majorVersion,
    defaultContentType,
    messages: new Map(),
    componentMessageNames: identityMap(components['messages']),
    restoreSharedSchemas: sharedSchemaRestorer(entriesOf(components['schemas']).map(([, schema]) => componentSchemaObject(schema))),
    diagnostics: [],
  };
  const servers = normalizeServers(document, majorVersion);
  let channels;
  let operations;
  if (majorVersion === 2) {
    ({ channels, operations } = normalizeV2(context));
  } else {
    const v3Channels = normalizeV3Channels(context);
    operations = normalizeV3Operations(context, v3Channels);
    channels = v3Channels.list;
  }
  const messages: MessageModel[] = [...context.messages.values()];
  const description = asString(info['description']);
  const model: ApiModel = {
    asyncapiVersion,
    majorVersion,
    title: asString(info['title']) ?? 'AsyncAPI',
    version: asString(info['version']) ?? '',
    ...(description === undefined ? {} : { description }),
    ...(defaultContentType === undefined ? {} : { defaultContentType }),
    servers,
    channels,
    operations,
    messages,
    componentSchemaNames: identityMap(components['schemas'], majorVersion === 3 ? componentSchemaObject : undefined),
  };
  return { model, diagnostics: context.diagnostics };
}
