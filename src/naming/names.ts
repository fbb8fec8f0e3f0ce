/**
 * Stage 3: every name the generated code uses, decided once for the whole
 * model. Method names come from operation ids, type names from component keys,
 * message keys and channel keys; collisions are resolved in document order.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { ApiModel, ChannelModel, MessageModel, OperationModel } from '../model/ir.js';
import { toCamelCase, toTypeName } from './identifiers.js';
import { NameScope } from './scope.js';

/** Names the generated index and types modules define themselves. */
const RESERVED_TYPE_NAMES = [
  'App', 'Client', 'AppOptions', 'ClientOptions', 'Subscription', 'Transport', 'ValidateMode',
  'OperationError', 'ValidationError', 'ValidationIssue', 'ErrorHandler', 'RequestOptions',
  'ReceiveOptions', 'Headers', 'Params', 'Message', 'Payload', 'Reply', 'Channels', 'Operations',
];

/** Members that would break a plain object holding operation methods (`then` makes it a thenable). */
const RESERVED_METHOD_NAMES: ReadonlySet<string> = new Set(['then', '__proto__', 'constructor']);

function methodName(operationKey: string): string {
  const name = toCamelCase(operationKey, 'operation');
  return RESERVED_METHOD_NAMES.has(name) ? `${name}_` : name;
}

export interface MessageNames {
  /** PascalCase base for the message's type names, e.g. `UserSignedUp` (claimed with a suffix in `types`). */
  readonly typeBase: string;
}

export interface ChannelNames {
  /** camelCase name of the channel's address helper, e.g. `userSignupChannel`. */
  readonly helper: string;
  /** Type name of the channel's parameters record, e.g. `UserSignupParams`. */
  readonly paramsType: string;
}

export interface OperationNames {
  /** The method on App and Client. */
  readonly method: string;
  /** PascalCase base for the operation's type names (claimed with a suffix in `types`). */
  readonly typeBase: string;
}

export interface NameTable {
  readonly operations: ReadonlyMap<OperationModel, OperationNames>;
  readonly channels: ReadonlyMap<ChannelModel, ChannelNames>;
  readonly messages: ReadonlyMap<MessageModel, MessageNames>;
  /** The shared namespace of exported type names, for the schema compiler to claim in. */
  readonly types: NameScope;
}

export function buildNameTable(model: ApiModel, diagnostics: Diagnostic[]): NameTable {
  const methods = new NameScope('operation', diagnostics);
  const helpers = new NameScope('channel', diagnostics);
  const types = new NameScope('type', diagnostics, RESERVED_TYPE_NAMES);

  const operations = new Map<OperationModel, OperationNames>();
  for (const operation of model.operations) {
    const method = methods.claim(methodName(operation.key), operation.key, operation.origin);
    operations.set(operation, { method, typeBase: toTypeName(method) });
  }

  const channels = new Map<ChannelModel, ChannelNames>();
  for (const channel of model.channels) {
    const base = toCamelCase(channel.key, 'channel');
    const helper = helpers.claim(`${base}Channel`, channel.key, channel.origin);
    const paramsType = types.claim(`${toTypeName(helper.replace(/Channel$/, ''))}Params`, channel.key, channel.origin);
    channels.set(channel, { helper, paramsType });
  }

  const messages = new Map<MessageModel, MessageNames>();
  for (const message of model.messages) {
    messages.set(message, { typeBase: toTypeName(message.key, 'Message') });
  }
  return { operations, channels, messages, types };
}
