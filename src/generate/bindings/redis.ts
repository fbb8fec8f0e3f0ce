/**
 * Generation-time check of `redis` bindings. The AsyncAPI Redis bindings
 * (0.1.0) reserve the server, channel, operation and message objects without
 * defining a field, and transports/redis.ts reads none; so every field a
 * document sets there, other than `bindingVersion`, is reported as a warning
 * instead of being dropped silently.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel, BindingsModel, Origin } from '../../model/ir.js';

const PROTOCOL = 'redis';

/** Fields the transport honours (or that only describe the binding itself). */
const HONOURED_FIELDS: ReadonlySet<string> = new Set(['bindingVersion']);

type BindingOwner = 'server' | 'channel' | 'operation' | 'message';

interface BindingSite {
  readonly owner: BindingOwner;
  readonly name: string;
  readonly bindings: BindingsModel;
  readonly origin: Origin;
}

export function checkRedisBindings(model: ApiModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const site of bindingSites(model)) {
    for (const field of unsupportedFields(site.bindings)) {
      const key = `${site.origin}\u0000${field}`;
      if (reported.has(key)) continue;
      reported.add(key);
      diagnostics.push(unsupportedField(site, field));
    }
  }
  return diagnostics;
}

/** Every object that can carry bindings, reply channels and messages included. */
function bindingSites(model: ApiModel): BindingSite[] {
  const sites: BindingSite[] = [];
  for (const server of model.servers) {
    sites.push({ owner: 'server', name: server.key, bindings: server.bindings, origin: server.origin });
  }
  for (const channel of model.channels) {
    sites.push({ owner: 'channel', name: channel.key, bindings: channel.bindings, origin: channel.origin });
  }
  for (const operation of model.operations) {
    sites.push({ owner: 'operation', name: operation.key, bindings: operation.bindings, origin: operation.origin });
    const replyChannel = operation.reply?.channel;
    if (replyChannel !== undefined) {
      sites.push({ owner: 'channel', name: replyChannel.key, bindings: replyChannel.bindings, origin: replyChannel.origin });
    }
    for (const message of operation.reply?.messages ?? []) {
      sites.push({ owner: 'message', name: message.key, bindings: message.bindings, origin: message.origin });
    }
  }
  for (const message of model.messages) {
    sites.push({ owner: 'message', name: message.key, bindings: message.bindings, origin: message.origin });
  }
  return sites;
}

function unsupportedFields(bindings: BindingsModel): string[] {
  const redis = bindings[PROTOCOL];
  if (redis === undefined) return [];
  return Object.keys(redis).filter((field) => !HONOURED_FIELDS.has(field));
}

function unsupportedField(site: BindingSite, field: string): Diagnostic {
  return {
    severity: 'warning',
    code: 'binding-unsupported',
    message: `${site.owner} '${site.name}': the redis binding field '${field}' is ignored by the Redis transport (the AsyncAPI Redis bindings define no fields)`,
    pointer: site.origin,
    hint: `remove '${field}' from the redis binding, or move it to an x- extension`,
  };
}
