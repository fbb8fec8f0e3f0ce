/** The objects of a model that can carry bindings, walked once each, for the binding checks. */
import type { ApiModel, BindingsModel } from '../../model/ir.js';

export type BoundObjectKind = 'server' | 'channel' | 'operation' | 'message';

export interface BoundObject {
  readonly kind: BoundObjectKind;
  readonly name: string;
  readonly bindings: BindingsModel;
  readonly origin: string;
}

/** Servers, channels (reply channels included), operations and messages, each once. */
export function boundObjects(model: ApiModel): BoundObject[] {
  const objects: BoundObject[] = [];
  const seen = new Set<string>();
  const add = (object: BoundObject): void => {
    const identity = `${object.kind}\u0000${object.origin}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    objects.push(object);
  };
  for (const server of model.servers) add({ kind: 'server', name: server.key, bindings: server.bindings, origin: server.origin });
  const channels = [...model.channels, ...model.operations.flatMap((operation) => operation.reply?.channel ?? [])];
  for (const channel of channels) add({ kind: 'channel', name: channel.key, bindings: channel.bindings, origin: channel.origin });
  for (const operation of model.operations) {
    add({ kind: 'operation', name: operation.key, bindings: operation.bindings, origin: operation.origin });
  }
  const messages = [
    ...model.messages,
    ...model.operations.flatMap((operation) => [...operation.messages, ...(operation.reply?.messages ?? [])]),
  ];
  for (const message of messages) add({ kind: 'message', name: message.key, bindings: message.bindings, origin: message.origin });
  return objects;
}
