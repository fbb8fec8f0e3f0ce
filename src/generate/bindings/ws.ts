/**
 * Which WebSocket bindings (https://github.com/asyncapi/bindings/tree/master/websockets,
 * 0.1.0) transports/ws.ts honours, and a warning for every one it does not,
 * so that no binding is dropped silently.
 *
 * Honoured: channel `query` and `headers` (Schema Objects of the handshake's
 * query parameters and headers: a connection sends the values given to the
 * transport, else each property's `const` (or `default`, when `required`),
 * and refuses to connect without a `required` one), channel `method` when it is `GET` (the
 * only method a WebSocket handshake has), `bindingVersion` everywhere. Not
 * honoured, and warned about: every other `method`, `query`/`headers` that are not Schema
 * Objects, and every server, operation or message field (the WebSocket
 * bindings define none) or unknown field.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel, BindingsModel } from '../../model/ir.js';

type BoundObjectKind = 'server' | 'channel' | 'operation' | 'message';

/** Why a binding field is not honoured, or undefined when it is. */
type FieldCheck = (value: unknown) => string | undefined;

interface BoundObject {
  readonly kind: BoundObjectKind;
  readonly name: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly origin: string;
}

const accepted: FieldCheck = () => undefined;

const FIELDS: Readonly<Record<BoundObjectKind, Readonly<Record<string, FieldCheck>>>> = {
  server: { bindingVersion: accepted },
  channel: {
    bindingVersion: accepted,
    method: (value) =>
      typeof value === 'string' && value.toUpperCase() === 'GET'
        ? undefined
        : `is ${JSON.stringify(value)}, but a WebSocket handshake is always a GET request: the transport connects with GET`,
    query: schemaObject('query parameters'),
    headers: schemaObject('handshake headers'),
  },
  operation: { bindingVersion: accepted },
  message: { bindingVersion: accepted },
};

export function checkWsBindings(model: ApiModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const object of boundObjects(model)) {
    const known = FIELDS[object.kind];
    for (const [field, value] of Object.entries(object.fields)) {
      const check = known[field];
      const problem = check === undefined ? unknownField(object.kind) : check(value);
      if (problem === undefined) continue;
      diagnostics.push({
        severity: 'warning',
        code: 'binding-unsupported',
        message: `${object.kind} '${object.name}': ws binding '${field}' ${problem}`,
        pointer: object.origin,
        hint: check === undefined
          ? `WebSocket ${object.kind} bindings define: ${Object.keys(known).join(', ')}`
          : 'see the WebSocket transport documentation (transports/ws.ts) for what it maps',
      });
    }
  }
  return diagnostics;
}

function unknownField(kind: BoundObjectKind): string {
  return kind === 'channel'
    ? 'is not a WebSocket binding field the transport knows, and is ignored'
    : `is ignored: the WebSocket bindings define no ${kind} fields`;
}

function schemaObject(what: string): FieldCheck {
  return (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? undefined
      : `must be a Schema Object describing the ${what}; the transport ignores it`;
}

function boundObjects(model: ApiModel): BoundObject[] {
  const objects: BoundObject[] = [];
  const seen = new Set<string>();
  const add = (kind: BoundObjectKind, name: string, bindings: BindingsModel, origin: string): void => {
    const fields = bindings['ws'];
    const identity = `${kind}\u0000${origin}`;
    if (fields === undefined || seen.has(identity)) return;
    seen.add(identity);
    objects.push({ kind, name, fields, origin });
  };
  for (const server of model.servers) add('server', server.key, server.bindings, server.origin);
  for (const channel of model.channels) add('channel', channel.key, channel.bindings, channel.origin);
  for (const operation of model.operations) {
    add('operation', operation.key, operation.bindings, operation.origin);
    for (const channel of [operation.channel, ...(operation.reply?.channel === undefined ? [] : [operation.reply.channel])]) {
      add('channel', channel.key, channel.bindings, channel.origin);
    }
    for (const message of [...operation.messages, ...(operation.reply?.messages ?? [])]) {
      add('message', message.key, message.bindings, message.origin);
    }
  }
  for (const message of model.messages) add('message', message.key, message.bindings, message.origin);
  return objects;
}
