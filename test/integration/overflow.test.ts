/**
 * A handler slower than the publisher on a protocol that cannot slow the
 * publisher down (memory, core NATS, MQTT, Redis pub/sub, WebSocket): at most
 * `maxPending` messages wait, the ones beyond are dropped and reported to
 * `onDropped` with the raw message, and the subscription keeps running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { patternFor } from '../../src/runtime/core/address.js';
import type { InboundMessage, Transport } from '../../src/runtime/core/transport.js';
import { connect as connectAmqp } from 'amqplib';
import { connect as connectNats } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createAmqpTransport } from '../../src/runtime/transports/amqp.js';
import { createMemoryBroker, createMemoryTransport } from '../../src/runtime/transports/memory.js';
import { createMqttTransport } from '../../src/runtime/transports/mqtt.js';
import { createNatsTransport } from '../../src/runtime/transports/nats.js';
import { createRedisTransport } from '../../src/runtime/transports/redis.js';
import { createWebSocketTransport } from '../../src/runtime/transports/ws.js';
import { BROKERS, brokerAvailable } from '../support/brokers.js';
import { waitUntil } from '../support/waiting.js';

const available = {
  nats: await brokerAvailable('nats'),
  mqtt: await brokerAvailable('mqtt'),
  redis: await brokerAvailable('redis'),
  amqp: await brokerAvailable('amqp'),
};

const MAX_PENDING = 2;
const SENT = 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(condition, what, timeoutMs);
}

interface Pair {
  readonly publisher: Transport;
  readonly subscriber: Transport;
}

const opened: Transport[] = [];

async function pair(make: () => Promise<Pair>): Promise<Pair> {
  const made = await make();
  opened.push(made.publisher, made.subscriber);
  return made;
}

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((transport) => transport.close()));
});

async function checkOverflow({ publisher, subscriber }: Pair, address: string): Promise<void> {
  let release = (): void => {};
  const blocked = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handled: string[] = [];
  const dropped: InboundMessage[] = [];
  const reasons: string[] = [];
  await subscriber.subscribe(
    patternFor(address, {}),
    async (inbound) => {
      handled.push(decoder.decode(inbound.payload));
      await blocked;
      return 'ack';
    },
    { onDropped: (inbound, reason) => {
      dropped.push(inbound);
      reasons.push(reason);
    } },
  );
  const bodies = Array.from({ length: SENT }, (_, index) => `m${index + 1}`);
  for (const body of bodies) await publisher.publish({ address, payload: encoder.encode(body), headers: {} });
  await eventually(() => handled.length + dropped.length >= SENT - MAX_PENDING, 'the first handler call and the drops');
  release();
  await eventually(() => handled.length + dropped.length === SENT, 'every message handled or dropped');

  // The handler held the first message, maxPending waited behind it, the rest was dropped.
  const droppedBodies = dropped.map((inbound) => decoder.decode(inbound.payload));
  expect(handled).toEqual(bodies.slice(0, 1 + MAX_PENDING));
  expect(droppedBodies).toEqual(bodies.slice(1 + MAX_PENDING));
  expect(dropped.every((inbound) => inbound.address === address)).toBe(true);
  expect(reasons[0]).toMatch(/maxPending/);

  await publisher.publish({ address, payload: encoder.encode('after'), headers: {} });
  await eventually(() => handled.includes('after'), 'a message after the overflow');
}

function uniqueId(): string {
  return Math.random().toString(36).slice(2, 10);
}

describe('a full subscription queue drops and reports, and keeps running', () => {
  it('memory', async () => {
    const transport = createMemoryTransport({ maxPending: MAX_PENDING });
    await checkOverflow(await pair(async () => ({ publisher: transport, subscriber: transport })), `overflow/${uniqueId()}`);
  });

  it('memory: a throwing onDropped costs no other subscription its message; a queue group passes over a full member', async () => {
    const broker = createMemoryBroker();
    const transport = createMemoryTransport({ broker, maxPending: 1 });
    const roomy = createMemoryTransport({ broker });
    opened.push(transport, roomy);
    const address = `overflow/${uniqueId()}`;
    let release = (): void => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const other: string[] = [];
    await transport.subscribe(patternFor(address, {}), async () => {
      await blocked;
      return 'ack';
    }, { onDropped: () => {
      throw new Error('a broken error handler');
    } });
    await roomy.subscribe(patternFor(address, {}), async (inbound) => {
      other.push(decoder.decode(inbound.payload));
      return 'ack';
    });
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      for (const body of ['a', 'b', 'c', 'd']) await transport.publish({ address, payload: encoder.encode(body), headers: {} });
      await eventually(() => other.length === 4, `every message at the other subscription (got ${other.join()}; errors ${JSON.stringify(errors)})`);
    } finally {
      console.error = consoleError;
      release();
    }
    expect(other).toEqual(['a', 'b', 'c', 'd']);
    // b waits behind a; c and d are dropped, and each failed report is said on the console.
    expect(errors.length).toBe(2);

    const group = `overflow/${uniqueId()}`;
    const gate = new Promise<void>((resolve) => setTimeout(resolve, 200));
    const byMember: string[][] = [[], []];
    for (const member of [0, 1]) {
      // The slow member may hold one waiting message; the fast one has room to spare.
      await (member === 0 ? transport : roomy).subscribe(patternFor(group, {}), async (inbound) => {
        byMember[member]?.push(decoder.decode(inbound.payload));
        if (member === 0) await gate;
        return 'ack';
      }, { queueGroup: 'workers', onDropped: () => undefined });
    }
    for (const body of ['1', '2', '3', '4', '5', '6']) await transport.publish({ address: group, payload: encoder.encode(body), headers: {} });
    await eventually(() => (byMember[0]?.length ?? 0) + (byMember[1]?.length ?? 0) === 6, 'every group message handled by a member with room');
    expect(byMember[0]?.length).toBeLessThanOrEqual(2);
  });

  it('refuses a maxPending that is not a positive integer or Infinity', () => {
    expect(() => createMemoryTransport({ maxPending: 0 })).toThrow(/maxPending must be a positive integer/);
    expect(() => createMemoryTransport({ maxPending: 1.5 })).toThrow(/maxPending/);
    expect(() => createMemoryTransport({ maxPending: Infinity })).not.toThrow();
  });

  it.skipIf(!available.nats)('core NATS', async () => {
    const made = await pair(async () => ({
      publisher: await createNatsTransport({ url: BROKERS.nats.url }),
      subscriber: await createNatsTransport({ url: BROKERS.nats.url, maxPending: MAX_PENDING }),
    }));
    await checkOverflow(made, `overflow.${uniqueId()}`);
  });

  it.skipIf(!available.mqtt)('MQTT', async () => {
    const made = await pair(async () => ({
      publisher: await createMqttTransport({ url: BROKERS.mqtt.url }),
      subscriber: await createMqttTransport({ url: BROKERS.mqtt.url, maxPending: MAX_PENDING }),
    }));
    await checkOverflow(made, `overflow/${uniqueId()}`);
  });

  it.skipIf(!available.redis)('Redis pub/sub', async () => {
    const made = await pair(async () => ({
      publisher: await createRedisTransport({ url: BROKERS.redis.url }),
      subscriber: await createRedisTransport({ url: BROKERS.redis.url, maxPending: MAX_PENDING }),
    }));
    await checkOverflow(made, `overflow:${uniqueId()}`);
  });

  it('WebSocket (client role receiving from the server role)', async () => {
    const made = await pair(async () => {
      const server = await createWebSocketTransport({ role: 'server', host: '127.0.0.1', port: 0 });
      const client = await createWebSocketTransport({ url: server.url, maxPending: MAX_PENDING });
      return { publisher: server, subscriber: client };
    });
    await checkOverflow(made, `overflow/${uniqueId()}`);
  });
});

/** A handler that holds every message until released, counting what it got. */
function blockingHandler(): { readonly handled: () => number; readonly release: () => void; readonly handler: () => Promise<'ack'> } {
  let count = 0;
  let release = (): void => {};
  const blocked = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    handled: () => count,
    release: () => release(),
    handler: async () => {
      count += 1;
      await blocked;
      return 'ack';
    },
  };
}

describe('where the protocol can slow the sender, the broker keeps what the handlers cannot take', () => {
  const PUBLISHED = 50;

  it.skipIf(!available.amqp)('AMQP: prefetch(maxInFlight) leaves the rest ready in the queue', async () => {
    const group = `bp${uniqueId()}`;
    const address = `backpressure.${uniqueId()}`;
    const transport = await createAmqpTransport({ url: BROKERS.amqp.url, maxInFlight: 2 });
    opened.push(transport);
    const slow = blockingHandler();
    await transport.subscribe(patternFor(address, {}), slow.handler, { queueGroup: group });
    for (let index = 0; index < PUBLISHED; index += 1) await transport.publish({ address, payload: encoder.encode(`m${index}`), headers: {} });
    await eventually(() => slow.handled() === 2, 'two handlers running');
    const plain = await connectAmqp(BROKERS.amqp.url);
    try {
      const channel = await plain.createChannel();
      const queue = `asyncapi.group.${group}.amq.topic.${address}`;
      const { messageCount } = await channel.checkQueue(queue);
      expect(messageCount).toBe(PUBLISHED - 2);
      expect(slow.handled()).toBe(2);
    } finally {
      await plain.close();
    }
    slow.release();
    await eventually(() => slow.handled() === PUBLISHED, 'every message handled once released');
  });

  it.skipIf(!available.nats)('JetStream: the consumer pulls only a bounded batch; the stream keeps the rest pending', async () => {
    const id = `bp${uniqueId()}`;
    const stream = `ASYNCAPI_GEN_BP_${id}`;
    const admin = await connectNats({ servers: BROKERS.nats.url });
    const manager = await jetstreamManager(admin);
    await manager.streams.add({ name: stream, subjects: [`${id}.>`] });
    try {
      const address = `${id}.events`;
      const publisher = await createNatsTransport({ url: BROKERS.nats.url, jetstream: { stream } });
      const subscriber = await createNatsTransport({ url: BROKERS.nats.url, maxInFlight: 1, jetstream: { stream, durable: 'slow' } });
      opened.push(publisher, subscriber);
      const slow = blockingHandler();
      await subscriber.subscribe(patternFor(address, {}), slow.handler, { operation: 'events' });
      for (let index = 0; index < PUBLISHED; index += 1) await publisher.publish({ address, payload: encoder.encode(`m${index}`), headers: {} });
      await eventually(() => slow.handled() === 1, 'the first handler running');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const info = await manager.consumers.info(stream, 'slow_events');
      // Pulled (delivered, unacked) is bounded by the pull batch; the rest waits in the stream.
      expect(info.num_ack_pending).toBeLessThanOrEqual(10);
      expect(info.num_pending).toBeGreaterThanOrEqual(PUBLISHED - 10);
      expect(slow.handled()).toBe(1);
      slow.release();
      await eventually(() => slow.handled() === PUBLISHED, 'every message handled once released');
    } finally {
      await Promise.allSettled(opened.splice(0).map((transport) => transport.close()));
      await manager.streams.delete(stream).catch(() => false);
      await admin.close();
    }
  });
});
