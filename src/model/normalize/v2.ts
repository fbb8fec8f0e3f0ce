/**
 * AsyncAPI 2.x channels and operations (https://www.asyncapi.com/docs/reference/specification/v2.6.0).
 * In 2.x, `publish` is what others publish to the application (it receives) and
 * `subscribe` is what others subscribe to (it sends).
 */
import type { ChannelModel, MessageModel, OperationAction, OperationModel } from '../ir.js';
import { asArray, asRecord, asString, entriesOf, isRecord, pointer } from '../json.js';
import { toCamelCase } from '../../naming/identifiers.js';
import { normalizeBindings } from './bindings.js';
import type { NormalizeContext } from './context.js';
import { normalizeMessage } from './messages.js';
import { normalizeParameters } from './parameters.js';
import { normalizeSecurity } from './servers.js';

const ACTION_OF: Readonly<Record<'publish' | 'subscribe', OperationAction>> = { publish: 'receive', subscribe: 'send' };

/** A stable name for an operation without `operationId`: the action and the channel address. */
function derivedOperationKey(action: OperationAction, address: string): string {
  return toCamelCase(`${action} ${address}`);
}

function operationMessages(context: NormalizeContext, node: unknown, origin: string, derivedBase: string): MessageModel[] {
  if (!isRecord(node)) return [];
  const alternatives = Array.isArray(node['oneOf']) ? asArray(node['oneOf']) : [node];
  const many = alternatives.length > 1;
  return alternatives.filter(isRecord).map((message, index) =>
    normalizeMessage(
      context,
      message,
      many ? pointer(origin, 'message', 'oneOf', index) : pointer(origin, 'message'),
      undefined,
      many ? `${derivedBase}Message${index + 1}` : `${derivedBase}Message`,
    ),
  );
}

export function normalizeV2(context: NormalizeContext): { channels: ChannelModel[]; operations: OperationModel[] } {
  const channels: ChannelModel[] = [];
  const operations: OperationModel[] = [];
  for (const [address, value] of entriesOf(context.document['channels'])) {
    const node = asRecord(value);
    const origin = pointer('', 'channels', address);
    const channelOperations: Array<{ verb: 'publish' | 'subscribe'; node: Readonly<Record<string, unknown>>; messages: MessageModel[]; key: string; derived: boolean }> = [];
    for (const verb of ['publish', 'subscribe'] as const) {
      const operation = node[verb];
      if (!isRecord(operation)) continue;
      const operationId = asString(operation['operationId']);
      const key = operationId ?? derivedOperationKey(ACTION_OF[verb], address);
      const messages = operationMessages(context, operation['message'], pointer(origin, verb), key);
      channelOperations.push({ verb, node: operation, messages, key, derived: operationId === undefined });
    }
    const channelMessages: MessageModel[] = [];
    for (const { messages } of channelOperations) {
      for (const message of messages) if (!channelMessages.includes(message)) channelMessages.push(message);
    }
    const description = asString(node['description']);
    const channel: ChannelModel = {
      key: address,
      address,
      ...(description === undefined ? {} : { description }),
      parameters: normalizeParameters(context, address, node['parameters'], origin, 2),
      messages: channelMessages,
      bindings: normalizeBindings(node['bindings']),
      servers: asArray(node['servers']).filter((s): s is string => typeof s === 'string'),
      origin,
    };
    channels.push(channel);
    for (const { verb, node: operation, messages, key, derived } of channelOperations) {
      const summary = asString(operation['summary']);
      const description = asString(operation['description']);
      operations.push({
        key,
        keyIsDerived: derived,
        action: ACTION_OF[verb],
        channel,
        messages,
        ...(summary === undefined ? {} : { summary }),
        ...(description === undefined ? {} : { description }),
        deprecated: operation['deprecated'] === true,
        bindings: normalizeBindings(operation['bindings']),
        security: normalizeSecurity(operation['security'], context.document, 2),
        origin: pointer(origin, verb),
      });
    }
  }
  return { channels, operations };
}

