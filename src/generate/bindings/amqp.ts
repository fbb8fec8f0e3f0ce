/**
 * Which AMQP 0-9-1 bindings the AMQP transport honours, and a warning for every
 * one it does not (unknown, mistyped, or meaningless where it is), so that no
 * binding is dropped silently.
 *
 * Honoured (https://github.com/asyncapi/bindings/tree/master/amqp):
 * - channel: `is`, `exchange` (`name`, `type`, `durable`, `autoDelete`,
 *   `vhost`), `queue` (`name`, `durable`, `exclusive`, `autoDelete`, `vhost`);
 *   `vhost` only as a check that it is the connection's vhost.
 * - operation: `expiration`, `userId`, `cc`, `priority`, `deliveryMode`,
 *   `mandatory`, `bcc`, `timestamp`, `ack`.
 * - message: `contentEncoding`, `messageType`.
 * - server: none defined. `bindingVersion` is accepted everywhere.
 */
import type { Diagnostic } from '../../diagnostics.js';
import type { ApiModel } from '../../model/ir.js';
import { boundObjects, type BoundObjectKind } from './objects.js';

const PROTOCOL = 'amqp';


/** Checks one value; returns what is wrong with it, or undefined. */
type FieldCheck = (value: unknown) => string | undefined;

const isString: FieldCheck = (value) => (typeof value === 'string' ? undefined : 'must be a string');
const isBoolean: FieldCheck = (value) => (typeof value === 'boolean' ? undefined : 'must be a boolean');
const isInteger: FieldCheck = (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? undefined : 'must be a non-negative integer');
const isStringList: FieldCheck = (value) =>
  typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string')) ? undefined : 'must be a list of routing keys';
const isAnything: FieldCheck = () => undefined;
const oneOf =
  (...allowed: ReadonlyArray<unknown>): FieldCheck =>
  (value) =>
    allowed.includes(value) ? undefined : `must be one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`;

const EXCHANGE_FIELDS: Readonly<Record<string, FieldCheck>> = {
  name: isString,
  type: isString,
  durable: isBoolean,
  autoDelete: isBoolean,
  vhost: isString,
};

const QUEUE_FIELDS: Readonly<Record<string, FieldCheck>> = {
  name: isString,
  durable: isBoolean,
  exclusive: isBoolean,
  autoDelete: isBoolean,
  vhost: isString,
};

/** Binding fields the transport acts on, per kind of object, with the check of their value. */
const HONOURED: Readonly<Record<BoundObjectKind, Readonly<Record<string, FieldCheck>>>> = {
  server: { bindingVersion: isAnything },
  channel: { bindingVersion: isAnything, is: oneOf('routingKey', 'queue'), exchange: isAnything, queue: isAnything },
  operation: {
    bindingVersion: isAnything,
    expiration: isInteger,
    userId: isString,
    cc: isStringList,
    bcc: isStringList,
    priority: isInteger,
    deliveryMode: oneOf(1, 2),
    mandatory: isBoolean,
    timestamp: isBoolean,
    ack: isBoolean,
  },
  message: { bindingVersion: isAnything, contentEncoding: isString, messageType: isString },
};

const HINTS: Readonly<Record<BoundObjectKind, string>> = {
  server: 'AMQP server bindings define no fields; remove it, or implement it in your own transport',
  channel: 'AMQP channel bindings: `is`, `exchange` { name, type, durable, autoDelete, vhost }, `queue` { name, durable, exclusive, autoDelete, vhost }',
  operation: 'AMQP operation bindings honoured: expiration, userId, cc, bcc, priority, deliveryMode, mandatory, timestamp, ack',
  message: 'AMQP message bindings honoured: contentEncoding, messageType',
};

interface Problem {
  readonly field: string;
  readonly problem: string;
  readonly hint?: string;
}

export function checkAmqpBindings(model: ApiModel): Diagnostic[] {
  const vhosts = serverVhosts(model);
  const diagnostics: Diagnostic[] = [];
  for (const object of boundObjects(model)) {
    const fields = object.bindings[PROTOCOL];
    if (fields === undefined) continue;
    const problems = [
      ...fieldProblems(HONOURED[object.kind], fields, ''),
      ...(object.kind === 'channel' ? channelProblems(fields, vhosts) : []),
    ];
    for (const { field, problem, hint } of problems) {
      diagnostics.push({
        severity: 'warning',
        code: 'binding-unsupported',
        message: `${object.kind} '${object.name}': AMQP binding '${field}' ${problem}`,
        pointer: object.origin,
        hint: hint ?? HINTS[object.kind],
      });
    }
  }
  return diagnostics;
}

function fieldProblems(known: Readonly<Record<string, FieldCheck>>, fields: Readonly<Record<string, unknown>>, prefix: string): Problem[] {
  const problems: Problem[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const check = Object.hasOwn(known, field) ? known[field] : undefined;
    if (check === undefined) {
      problems.push({ field: `${prefix}${field}`, problem: 'is not supported by the AMQP transport and is ignored' });
      continue;
    }
    const wrong = check(value);
    if (wrong !== undefined) problems.push({ field: `${prefix}${field}`, problem: `${wrong} (got ${JSON.stringify(value)}); the transport ignores it` });
  }
  return problems;
}

/** The nested exchange and queue objects, and the fields that have no effect where they are. */
function channelProblems(fields: Readonly<Record<string, unknown>>, vhosts: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const isQueue = fields['is'] === 'queue';
  const exchange = asRecord(fields['exchange']);
  const queue = asRecord(fields['queue']);
  for (const [name, value, known] of [['exchange', exchange, EXCHANGE_FIELDS], ['queue', queue, QUEUE_FIELDS]] as const) {
    if (fields[name] === undefined) continue;
    if (value === undefined) {
      problems.push({ field: name, problem: `must be an object (got ${JSON.stringify(fields[name])}); the transport ignores it` });
      continue;
    }
    problems.push(...fieldProblems(known, value, `${name}.`));
    const vhost = value['vhost'];
    if (typeof vhost === 'string' && !vhosts.has(vhost)) {
      problems.push({
        field: `${name}.vhost`,
        problem: `names vhost '${vhost}', which no amqp server of the document connects to; the transport refuses channels of another vhost than its connection's`,
        hint: `connect a transport to that vhost, for example { url: 'amqp://host/${encodeURIComponent(vhost)}' }`,
      });
    }
  }
  if (isQueue && exchange !== undefined && exchange['type'] !== 'default') {
    problems.push({ field: 'exchange', problem: "is not used when `is: queue`: messages go to the queue through the default exchange", hint: 'use `is: routingKey` to publish to the exchange' });
  }
  if (!isQueue && queue !== undefined && queue['name'] === undefined && Object.keys(queue).some((key) => key !== 'vhost')) {
    problems.push({
      field: 'queue',
      problem: 'has no `name`, so its settings are not used: subscriptions get a private server-named queue',
      hint: 'give the queue a name to have subscribers share and keep it',
    });
  }
  return problems;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The vhosts the document's amqp servers connect to (the URL path, `/` when empty), always with `/`. */
function serverVhosts(model: ApiModel): Set<string> {
  const vhosts = new Set<string>(['/']);
  for (const server of model.servers) {
    if (!['amqp', 'amqps'].includes(server.protocol.toLowerCase()) || server.pathname === undefined) continue;
    const path = server.pathname.replace(/^\//, '');
    if (path === '') continue;
    try {
      vhosts.add(decodeURIComponent(path));
    } catch {
      vhosts.add(path);
    }
  }
  return vhosts;
}
