/**
 * Connection cuts: a loopback TCP proxy between the transport and RabbitMQ is
 * cut and restored. The transport reconnects with backoff, redeclares its
 * queues and resubscribes; what the broker accepted meanwhile is delivered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsumeMessage } from 'amqplib';
import type { InboundMessage, MessageBindings } from '../../../src/runtime/core/transport.js';
import { brokerAvailable } from '../../support/brokers.js';
import { collector, eventually, message, pattern, plainConnection, sleep, startProxy, text, transportPool, uniqueId, type CuttableProxy } from './helpers.js';

const available = await brokerAvailable('amqp');

const FAST_RECONNECT = { reconnect: { initialDelay: 50, maxDelay: 300 } } as const;

describe.skipIf(!available)('AMQP transport across connection cuts', () => {
  const pool = transportPool();
  const proxies: CuttableProxy[] = [];
  const queues: string[] = [];

  afterEach(async () => {
    await pool.closeAll();
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
    const plain = await plainConnection();
    const channel = await plain.createChannel();
    for (const queue of queues.splice(0)) await channel.deleteQueue(queue);
    await plain.close();
  });

  /** A durable queue channel, as a document declares it; publishes to it are persistent. */
  function durableQueueBindings(): { bindings: MessageBindings; queue: string } {
    const queue = uniqueId('asyncapi-gen.test.durable.');
    queues.push(queue);
    return {
      queue,
      bindings: {
        channel: { amqp: { is: 'queue', queue: { name: queue, durable: true, exclusive: false, autoDelete: false } } },
        operation: { amqp: { deliveryMode: 2 } },
      },
    };
  }

  it('reconnects, resubscribes, and delivers what the broker accepted while the consumer was cut off', async () => {
    const proxy = await startProxy();
    proxies.push(proxy);
    const consumer = await pool.open({ url: proxy.url, ...FAST_RECONNECT });
    const publisher = await pool.open();
    const address = `cut.${uniqueId()}`;
    const { bindings } = durableQueueBindings();
    const durable = collector();
    const fresh = collector();
    await consumer.subscribe(pattern(address), durable.handler, { bindings });
    await consumer.subscribe(pattern(`${address}.fresh`), fresh.handler);

    await publisher.publish(message(address, 'before'), { bindings });
    await eventually(() => durable.received.length === 1, 'the message before the cut');

    await proxy.cut();
    await eventually(() => !consumer.connected, 'the consumer to notice the cut');
    const whileCut = ['during-1', 'during-2', 'during-3'];
    for (const body of whileCut) await publisher.publish(message(address, body), { bindings });
    // A publish through the cut connection waits for the reconnect instead of failing.
    let queuedPublishDone = false;
    const queuedPublish = consumer.publish(message(`${address}.fresh`, 'sent while cut')).then(() => {
      queuedPublishDone = true;
    });
    await sleep(300);
    expect(queuedPublishDone).toBe(false);

    await proxy.restore();
    await eventually(() => consumer.connected, 'the consumer to reconnect', 10_000);
    await queuedPublish;
    // At least once: `before` comes again (flagged redelivered) when its ack was still on the way at the cut.
    const bodies = (): string[] => [...new Set(durable.received.map((inbound) => text(inbound.payload)))];
    await eventually(() => bodies().length === 4, 'the messages published while cut', 10_000);
    expect(bodies()).toEqual(['before', ...whileCut]);
    const firstSeen = new Set<string>();
    for (const inbound of durable.received) {
      const body = text(inbound.payload);
      if (firstSeen.has(body)) expect((inbound.raw as ConsumeMessage).fields.redelivered).toBe(true);
      firstSeen.add(body);
    }

    // The private (server-named) subscription was made again on the new connection.
    await eventually(() => fresh.received.length === 1, 'the publish made while cut, on the resubscribed private queue');
    await publisher.publish(message(`${address}.fresh`, 'after'));
    await eventually(() => fresh.received.length === 2, 'a message after the reconnect');
    expect(pool.errors.map((error) => error.message).join('\n')).toMatch(/connection to amqp:\/\/127\.0\.0\.1:\d+\/? lost/);
  }, 30_000);

  it('redelivers a message whose handler was running when the connection dropped (at least once)', async () => {
    const proxy = await startProxy();
    proxies.push(proxy);
    const consumer = await pool.open({ url: proxy.url, ...FAST_RECONNECT });
    const publisher = await pool.open();
    const address = `inflight.${uniqueId()}`;
    const { bindings } = durableQueueBindings();
    const deliveries: InboundMessage[] = [];
    let cutDuringFirst = true;
    await consumer.subscribe(pattern(address), async (inbound) => {
      deliveries.push(inbound);
      if (cutDuringFirst) {
        cutDuringFirst = false;
        await proxy.cut();
        await sleep(100);
      }
      return 'ack';
    }, { bindings });
    await publisher.publish(message(address, 'in flight'), { bindings });
    await eventually(() => deliveries.length === 1, 'the first delivery');
    await eventually(() => !consumer.connected, 'the cut');
    await proxy.restore();
    await eventually(() => deliveries.length === 2, 'the redelivery', 10_000);
    expect(text(deliveries[1]?.payload ?? new Uint8Array())).toBe('in flight');
    expect((deliveries[1]?.raw as ConsumeMessage).fields.redelivered).toBe(true);
  }, 30_000);

  it('rejects a request waiting for its reply when the connection drops, without waiting for the timeout', async () => {
    const proxy = await startProxy();
    proxies.push(proxy);
    const requester = await pool.open({ url: proxy.url, ...FAST_RECONNECT });
    const started = Date.now();
    const pending = requester.request(message(`nobody.${uniqueId()}`, 'q'), { timeoutMs: 20_000 });
    const outcome = expect(pending).rejects.toThrow(/no reply can arrive/);
    await sleep(100);
    await proxy.cut();
    await outcome;
    expect(Date.now() - started).toBeLessThan(5000);
    await proxy.restore();
    await eventually(() => requester.connected, 'the reconnect', 10_000);
  }, 30_000);

  it('keeps retrying a resubscription the broker refuses at first (an exclusive queue still held by the dead connection)', async () => {
    const proxy = await startProxy();
    proxies.push(proxy);
    // A short heartbeat lets the broker notice the silent old connection within seconds.
    const consumer = await pool.open({ url: `${proxy.url}?heartbeat=1`, ...FAST_RECONNECT });
    const publisher = await pool.open();
    const queue = uniqueId('asyncapi-gen.test.exclusive.');
    const bindings: MessageBindings = { channel: { amqp: { is: 'queue', queue: { name: queue, durable: false, exclusive: true, autoDelete: true } } } };
    const { received, handler } = collector();
    await consumer.subscribe(pattern(queue), handler, { bindings });

    await proxy.cut({ keepBrokerSide: true });
    await proxy.restore();
    await eventually(() => pool.errors.some((error) => /resubscribing after a reconnect failed, retrying.*RESOURCE_LOCKED/.test(error.message)), 'the refused resubscription', 10_000);
    // Published until the consumer is back: the retry succeeds once the broker dropped the old connection and its queue.
    for (let attempt = 0; received.length === 0; attempt += 1) {
      expect(attempt).toBeLessThan(100);
      await publisher.publish(message(queue, `attempt ${attempt}`), { bindings });
      await sleep(100);
    }
    expect(text(received[0]?.payload ?? new Uint8Array())).toMatch(/^attempt \d+$/);
  }, 30_000);

  it('gives up when told not to reconnect, and then rejects publishes', async () => {
    const proxy = await startProxy();
    proxies.push(proxy);
    const transport = await pool.open({ url: proxy.url, reconnect: false });
    await proxy.cut();
    await eventually(() => pool.errors.some((error) => /gave up reconnecting/.test(error.message)), 'the give-up report');
    await expect(transport.publish(message('a.b', 'x'))).rejects.toThrow(/gave up reconnecting/);
  }, 30_000);
});
