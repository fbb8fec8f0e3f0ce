/**
 * The Kafka bindings of a document that the Kafka transport does not honour,
 * as `binding-unsupported` warnings, so that none is dropped silently.
 *
 * Honoured: the operation binding's `groupId` and `clientId` (the consumer
 * group and client id of subscriptions, read from the schema's string `const`,
 * first `enum` entry or `default`), the message binding's `key` (typed by the
 * generator, sent as the Kafka key), a channel `topic` equal to the channel's
 * address, and `bindingVersion` everywhere. Topic settings (`partitions`,
 * `replicas`, `topicConfiguration`) and schema registry fields are not.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel, BindingsModel } from '../../model/ir.js';

type BindingObject = 'server' | 'channel' | 'operation' | 'message';

/** Fields the transport honours, per binding object. */
const HONOURED: Readonly<Record<BindingObject, ReadonlyArray<string>>> = {
  server: ['bindingVersion'],
  channel: ['bindingVersion'],
  operation: ['bindingVersion', 'groupId', 'clientId'],
  message: ['bindingVersion', 'key'],
};

/** Why a known field is not honoured and what to do instead. */
const HINTS: Readonly<Record<string, string>> = {
  schemaRegistryUrl: 'the transport sends the bytes the generated code encodes; serialise through a schema registry in your own code',
  schemaRegistryVendor: 'the transport sends the bytes the generated code encodes; serialise through a schema registry in your own code',
  topic: 'the transport uses the channel address as the topic name; make the address the topic',
  partitions: 'the transport does not create topics with settings; create the topic beforehand',
  replicas: 'the transport does not create topics with settings; create the topic beforehand',
  topicConfiguration: 'the transport does not create topics with settings; create the topic beforehand',
  schemaIdLocation: 'messages are sent without a schema id',
  schemaIdPayloadEncoding: 'messages are sent without a schema id',
  schemaLookupStrategy: 'messages are sent without a schema id',
  groupId: 'write the group as a schema with a string `const`, for example `groupId: { type: string, const: workers }`',
  clientId: 'write the client id as a schema with a string `const`, for example `clientId: { type: string, const: my-app }`',
};

interface BoundObject {
  readonly kind: BindingObject;
  readonly label: string;
  readonly bindings: BindingsModel;
  readonly origin: string;
  /** The channel address, for a channel (a `topic` equal to it is honoured). */
  readonly address?: string | null;
}

export function checkKafkaBindings(model: ApiModel): Diagnostic[] {
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const object of boundObjects(model)) {
    const identity = `${object.kind}\u0000${object.origin}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    diagnostics.push(...unsupportedFields(object));
  }
  return diagnostics;
}

function boundObjects(model: ApiModel): BoundObject[] {
  const channels = [...model.channels, ...model.operations.flatMap((operation) => (operation.reply?.channel === undefined ? [] : [operation.reply.channel]))];
  const messages = [...model.messages, ...model.operations.flatMap((operation) => [...operation.messages, ...(operation.reply?.messages ?? [])])];
  return [
    ...model.servers.map((server) => ({ kind: 'server' as const, label: `server '${server.key}'`, bindings: server.bindings, origin: server.origin })),
    ...channels.map((channel) => ({ kind: 'channel' as const, label: `channel '${channel.key}'`, bindings: channel.bindings, origin: channel.origin, address: channel.address })),
    ...model.operations.map((operation) => ({ kind: 'operation' as const, label: `operation '${operation.key}'`, bindings: operation.bindings, origin: operation.origin })),
    ...messages.map((message) => ({ kind: 'message' as const, label: `message '${message.key}'`, bindings: message.bindings, origin: message.origin })),
  ];
}

function unsupportedFields(object: BoundObject): Diagnostic[] {
  const binding = object.bindings['kafka'];
  if (binding === undefined) return [];
  return Object.entries(binding).flatMap(([field, value]): Diagnostic[] => {
    const problem = problemWith(object, field, value);
    if (problem === undefined) return [];
    return [{
      severity: 'warning',
      code: 'binding-unsupported',
      message: `the kafka ${object.kind} binding field '${field}' of ${object.label} ${problem}`,
      pointer: object.origin,
      hint: HINTS[field] ?? 'the Kafka transport does not know this binding field',
    }];
  });
}

function problemWith(object: BoundObject, field: string, value: unknown): string | undefined {
  if (object.kind === 'channel' && field === 'topic' && value === object.address) return undefined;
  if (!HONOURED[object.kind].includes(field)) return 'is not supported by the Kafka transport and is ignored';
  if (object.kind === 'operation' && (field === 'groupId' || field === 'clientId') && schemaString(value) === undefined) {
    return 'names no value (a string `const`, first `enum` entry or `default`); the Kafka transport ignores it';
  }
  return undefined;
}

/** The string a Kafka id schema stands for, read as the transport reads it. */
function schemaString(schema: unknown): string | undefined {
  if (typeof schema === 'string') return schema;
  if (typeof schema !== 'object' || schema === null) return undefined;
  const record = schema as Record<string, unknown>;
  const candidates = [record['const'], Array.isArray(record['enum']) ? (record['enum'] as unknown[])[0] : undefined, record['default']];
  const found = candidates.find((candidate) => typeof candidate === 'string');
  return typeof found === 'string' ? found : undefined;
}
