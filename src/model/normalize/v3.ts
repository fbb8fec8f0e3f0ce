/** AsyncAPI 3.x: channels, operations and replies as written (https://www.asyncapi.com/docs/reference/specification/v3.0.0). */
import type { ChannelModel, MessageModel, OperationModel, ReplyModel } from '../ir.js';
import { asArray, asRecord, asString, entriesOf, isRecord, pointer } from '../json.js';
import { normalizeBindings } from './bindings.js';
import { warn, type NormalizeContext } from './context.js';
import { normalizeMessage } from './messages.js';
import { normalizeParameters } from './parameters.js';
import { normalizeSecurity } from './servers.js';

function serverKeys(document: Readonly<Record<string, unknown>>, node: unknown): string[] {
  const servers = entriesOf(document['servers']);
  return asArray(node).flatMap((server) => servers.filter(([, value]) => value === server).map(([key]) => key));
}

function normalizeChannel(context: NormalizeContext, key: string, node: Readonly<Record<string, unknown>>, origin: string): ChannelModel {
  const rawAddress = node['address'];
  const address = rawAddress === null ? null : asString(rawAddress) ?? key;
  const messages: MessageModel[] = entriesOf(node['messages'])
    .filter((entry): entry is [string, Readonly<Record<string, unknown>>] => isRecord(entry[1]))
    .map(([messageKey, message]) => normalizeMessage(context, message, pointer(origin, 'messages', messageKey), messageKey, messageKey));
  const title = asString(node['title']);
  const summary = asString(node['summary']);
  const description = asString(node['description']);
  return {
    key,
    address,
    ...(title === undefined ? {} : { title }),
    ...(summary === undefined ? {} : { summary }),
    ...(description === undefined ? {} : { description }),
    parameters: normalizeParameters(context, address, node['parameters'], origin, 3),
    messages,
    bindings: normalizeBindings(node['bindings']),
    servers: serverKeys(context.document, node['servers']),
    origin,
  };
}

export interface V3Channels {
  readonly list: ChannelModel[];
  readonly byObject: Map<object, ChannelModel>;
  /** Channels under `channels`, by key. */
  readonly byKey: ReadonlyMap<string, ChannelModel>;
}

export function normalizeV3Channels(context: NormalizeContext): V3Channels {
  const byObject = new Map<object, ChannelModel>();
  const byKey = new Map<string, ChannelModel>();
  const list: ChannelModel[] = [];
  for (const [key, node] of entriesOf(context.document['channels'])) {
    if (!isRecord(node)) continue;
    const channel = normalizeChannel(context, key, node, pointer('', 'channels', key));
    byObject.set(node, channel);
    byKey.set(key, channel);
    list.push(channel);
  }
  return { list, byObject, byKey };
}

/**
 * The channel a copy of a channel object stands for. The parser applies v3 traits by replacing
 * every property of the object that has them with a deep copy, so an operation with traits
 * refers to a copy of its channel; the copy keeps the id the parser gave the original (its key).
 */
function copiedChannel(channels: V3Channels, node: Readonly<Record<string, unknown>>): ChannelModel | undefined {
  const id = asString(node['x-parser-unique-object-id']);
  const candidate = id === undefined ? undefined : channels.byKey.get(id);
  if (candidate === undefined) return undefined;
  const rawAddress = node['address'];
  const address = rawAddress === null ? null : asString(rawAddress) ?? candidate.key;
  return address === candidate.address ? candidate : undefined;
}

/** Messages of an operation or reply: the listed ones (which are the channel's), or all of the channel's. */
function operationMessages(context: NormalizeContext, node: unknown, channel: ChannelModel, origin: string): MessageModel[] {
  if (!Array.isArray(node)) return [...channel.messages];
  return node.filter(isRecord).map((message, index) => normalizeMessage(context, message, pointer(origin, 'messages', index), undefined, `${channel.key}Message${index + 1}`));
}

function channelOf(context: NormalizeContext, channels: V3Channels, node: unknown, origin: string): ChannelModel | undefined {
  if (!isRecord(node)) return undefined;
  const known = channels.byObject.get(node) ?? copiedChannel(channels, node);
  if (known !== undefined) return known;
  // A channel defined only inline or under components: normalise it where it is used.
  const channel = normalizeChannel(context, asString(node['x-parser-unique-object-id']) ?? 'channel', node, origin);
  channels.byObject.set(node, channel);
  channels.list.push(channel);
  return channel;
}

function normalizeReply(context: NormalizeContext, channels: V3Channels, node: unknown, origin: string, fallbackChannel: ChannelModel): ReplyModel | undefined {
  if (!isRecord(node)) return undefined;
  const channel = channelOf(context, channels, node['channel'], pointer(origin, 'channel'));
  const addressNode = asRecord(node['address']);
  const location = asString(addressNode['location']);
  const description = asString(addressNode['description']);
  const messages = operationMessages(context, node['messages'], channel ?? fallbackChannel, origin);
  if (channel === undefined && location === undefined) {
    warn(context, 'reply-without-address', 'the reply names neither a channel nor an address; replies need the transport\'s native reply mechanism', origin);
  }
  return {
    ...(channel === undefined ? {} : { channel }),
    ...(location === undefined && description === undefined
      ? {}
      : { address: { ...(location === undefined ? {} : { location }), ...(description === undefined ? {} : { description }) } }),
    messages,
    origin,
  };
}

export function normalizeV3Operations(context: NormalizeContext, channels: V3Channels): OperationModel[] {
  const operations: OperationModel[] = [];
  for (const [key, value] of entriesOf(context.document['operations'])) {
    const node = asRecord(value);
    const origin = pointer('', 'operations', key);
    const channel = channelOf(context, channels, node['channel'], pointer(origin, 'channel'));
    if (channel === undefined) {
      warn(context, 'operation-without-channel', `operation '${key}' has no channel; it is skipped`, origin);
      continue;
    }
    const action = asString(node['action']);
    if (action !== 'send' && action !== 'receive') {
      warn(context, 'operation-action', `operation '${key}' has action '${String(action)}'; expected send or receive; it is skipped`, origin);
      continue;
    }
    const reply = normalizeReply(context, channels, node['reply'], pointer(origin, 'reply'), channel);
    const title = asString(node['title']);
    const summary = asString(node['summary']);
    const description = asString(node['description']);
    operations.push({
      key,
      keyIsDerived: false,
      action,
      channel,
      messages: operationMessages(context, node['messages'], channel, origin),
      ...(reply === undefined ? {} : { reply }),
      ...(title === undefined ? {} : { title }),
      ...(summary === undefined ? {} : { summary }),
      ...(description === undefined ? {} : { description }),
      deprecated: node['deprecated'] === true,
      bindings: normalizeBindings(node['bindings']),
      security: normalizeSecurity(node['security'], context.document, 3),
      origin,
    });
  }
  return operations;
}
