/**
 * The `amqp` bindings the transport honours, checked on the broker: declared
 * exchanges and queues (type, durability), queue channels, message properties
 * from operation and message bindings, `mandatory`, `ack: false`, vhost.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { MessageBindings } from '../../../src/runtime/core/transport.js';
import { brokerAvailable } from '../../support/brokers.js';
import { brokerRefusal, collector, eventually, message, pattern, plainConnection, sleep, text, transportPool, uniqueId } from './helpers.js';

const available = await brokerAvailable('amqp');

function channelBinding(amqp: Record<string, unknown>): MessageBindings {
  return { channel: { amqp } };
}

describe.skipIf(!available)('AMQP bindings', () => {
  const pool = transportPool();
  let plain: ChannelModel;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    plain = await plainConnection();
  });
  afterEach(async () => {
    await pool.closeAll();
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    await plain.close();
  });

  function deleteLater(kind: 'exchange' | 'queue', name: string): void {
    cleanups.push(async () => {
      const channel = await plain.createChannel();
      channel.on('error', () => undefined);
      if (kind === 'exchange') await channel.deleteExchange(name);
      else await channel.deleteQueue(name);
      await channel.close();
    });
  }

  it('declares the channel binding exchange with its type and durability', async () => {
    const transport = await pool.open();
    const exchange = uniqueId('asyncapi-gen.test.x.');
    deleteLater('exchange', exchange);
    const bindings = channelBinding({ is: 'routingKey', exchange: { name: exchange, type: 'direct', durable: false, autoDelete: false } });
    const { received, handler } = collector();
    await transport.subscribe(pattern('orders.{region}', { region: 'eu' }), handler, { bindings });
    await transport.publish(message('orders.eu', 'order'), { bindings });
    await eventually(() => received.length === 1, 'the order through the direct exchange');
    expect((received[0]?.raw as ConsumeMessage).fields.exchange).toBe(exchange);

    expect(await brokerRefusal(plain, (channel) => channel.checkExchange(exchange))).toBeUndefined();
    expect(await brokerRefusal(plain, (channel) => channel.assertExchange(exchange, 'direct', { durable: false }))).toBeUndefined();
    expect(await brokerRefusal(plain, (channel) => channel.assertExchange(exchange, 'direct', { durable: true }))).toMatch(/PRECONDITION_FAILED.*durable/);
    expect(await brokerRefusal(plain, (channel) => channel.assertExchange(exchange, 'topic', { durable: false }))).toMatch(/PRECONDITION_FAILED.*type/);
  });

  it('refuses a wildcard subscription on a direct exchange with a clear error', async () => {
    const transport = await pool.open();
    const bindings = channelBinding({ exchange: { name: uniqueId('asyncapi-gen.test.x.'), type: 'direct' } });
    await expect(transport.subscribe(pattern('orders.{region}'), collector().handler, { bindings })).rejects.toThrow(/no wildcards; fix every parameter/);
  });

  it('declares the named queue with its durability, binds it, and keeps messages while nobody consumes', async () => {
    const transport = await pool.open();
    const exchange = uniqueId('asyncapi-gen.test.x.');
    const queue = uniqueId('asyncapi-gen.test.q.');
    deleteLater('queue', queue);
    deleteLater('exchange', exchange);
    const bindings = channelBinding({
      is: 'routingKey',
      exchange: { name: exchange, type: 'topic', durable: true, autoDelete: false },
      queue: { name: queue, durable: true, exclusive: false, autoDelete: false },
    });
    const first = collector();
    const subscription = await transport.subscribe(pattern('users.{id}.signedup'), first.handler, { bindings });
    expect(await brokerRefusal(plain, (channel) => channel.checkQueue(queue))).toBeUndefined();
    expect(await brokerRefusal(plain, (channel) => channel.assertQueue(queue, { durable: false }))).toMatch(/PRECONDITION_FAILED.*durable/);
    expect(await brokerRefusal(plain, (channel) => channel.assertExchange(exchange, 'topic', { durable: true }))).toBeUndefined();

    // A plain publisher reaches the queue through the declared exchange and binding.
    const channel = await plain.createChannel();
    channel.publish(exchange, 'users.u1.signedup', Buffer.from('{"id":"u1"}'));
    await eventually(() => first.received.length === 1, 'the plain message through the binding');

    await subscription.unsubscribe();
    // Confirmed means routed into the durable queue, which keeps it with no consumer.
    await transport.publish(message('users.u2.signedup', 'kept'), { bindings });
    expect((await channel.checkQueue(queue)).messageCount).toBe(1);
    await channel.close();

    const second = collector();
    await transport.subscribe(pattern('users.{id}.signedup'), second.handler, { bindings });
    await eventually(() => second.received.length === 1, 'the message kept by the durable queue');
    expect(text(second.received[0]?.payload ?? new Uint8Array())).toBe('kept');
  });

  it('publishes to a queue channel through the default exchange, declaring the queue first', async () => {
    const transport = await pool.open();
    const queue = uniqueId('asyncapi-gen.test.work.');
    deleteLater('queue', queue);
    const bindings = channelBinding({ is: 'queue', queue: { name: queue, durable: false, exclusive: false, autoDelete: false } });
    await transport.publish(message('ignored.address', 'job before any worker'), { bindings });
    const { received, handler } = collector();
    await transport.subscribe(pattern('ignored.address'), handler, { bindings });
    await eventually(() => received.length === 1, 'the job');
    const raw = received[0]?.raw as ConsumeMessage;
    expect(raw.fields.exchange).toBe('');
    expect(raw.fields.routingKey).toBe(queue);
  });

  it('uses the address as the queue name of a queue channel without one, and needs every parameter fixed', async () => {
    const transport = await pool.open();
    const id = uniqueId();
    deleteLater('queue', `jobs.${id}`);
    const bindings = channelBinding({ is: 'queue', queue: { durable: false } });
    await expect(transport.subscribe(pattern('jobs.{id}'), collector().handler, { bindings })).rejects.toThrow(/is a queue; fix every parameter/);
    const { received, handler } = collector();
    await transport.subscribe(pattern('jobs.{id}', { id }), handler, { bindings });
    await transport.publish(message(`jobs.${id}`, 'job'), { bindings });
    await eventually(() => received.length === 1, 'the job');
    expect(received[0]?.address).toBe(`jobs.${id}`);
  });

  it('sets the AMQP properties of the operation and message bindings', async () => {
    const transport = await pool.open();
    const address = `props.${uniqueId()}`;
    const copies = { cc: `${address}.cc`, bcc: `${address}.bcc` };
    const main = collector();
    const cc = collector();
    const bcc = collector();
    await transport.subscribe(pattern(address), main.handler);
    await transport.subscribe(pattern(copies.cc), cc.handler);
    await transport.subscribe(pattern(copies.bcc), bcc.handler);
    const before = Math.floor(Date.now() / 1000);
    await transport.publish(message(address, 'with properties', { contentType: 'application/json' }), {
      bindings: {
        operation: { amqp: { expiration: 60000, userId: 'guest', cc: [copies.cc], bcc: [copies.bcc], priority: 5, deliveryMode: 2, timestamp: true, bindingVersion: '0.3.0' } },
        message: { amqp: { contentEncoding: 'identity', messageType: 'user.signedup' } },
      },
    });
    await eventually(() => main.received.length === 1 && cc.received.length === 1 && bcc.received.length === 1, 'the message and its cc and bcc copies');
    const { properties } = main.received[0]?.raw as ConsumeMessage;
    expect(properties).toMatchObject({
      expiration: '60000',
      userId: 'guest',
      priority: 5,
      deliveryMode: 2,
      contentEncoding: 'identity',
      type: 'user.signedup',
      contentType: 'application/json',
    });
    expect(properties.timestamp).toBeGreaterThanOrEqual(before);
    expect(main.received[0]?.headers['BCC']).toBeUndefined();
  });

  it('rejects a mandatory publish nobody can route, and accepts it when a queue is bound', async () => {
    const transport = await pool.open();
    const address = `mandatory.${uniqueId()}`;
    const mandatory: MessageBindings = { operation: { amqp: { mandatory: true } } };
    await expect(transport.publish(message(address, 'lost'), { bindings: mandatory })).rejects.toThrow(/unroutable/);
    await transport.publish(message(address, 'dropped quietly'));
    const { received, handler } = collector();
    await transport.subscribe(pattern(address), handler);
    await transport.publish(message(address, 'routed'), { bindings: mandatory });
    await eventually(() => received.length === 1, 'the routed message');
  });

  it('reports a publish the broker refuses, and keeps publishing afterwards', async () => {
    const transport = await pool.open();
    const address = `refused.${uniqueId()}`;
    const { received, handler } = collector();
    await transport.subscribe(pattern(address), handler);
    await expect(transport.publish(message(address, 'impostor'), { bindings: { operation: { amqp: { userId: 'somebody-else' } } } })).rejects.toThrow(
      /PRECONDITION_FAILED.*user_id/,
    );
    await transport.publish(message(address, 'honest'));
    await eventually(() => received.length === 1, 'the next message');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('honest');
  });

  it('consumes without acknowledgements when the operation binding says ack: false', async () => {
    const transport = await pool.open();
    const queue = uniqueId('asyncapi-gen.test.noack.');
    deleteLater('queue', queue);
    const bindings: MessageBindings = {
      channel: { amqp: { queue: { name: queue, durable: false } } },
      operation: { amqp: { ack: false } },
    };
    const seen: string[] = [];
    const address = `noack.${uniqueId()}`;
    await transport.subscribe(pattern(address), async (inbound) => {
      seen.push(text(inbound.payload));
      return 'reject';
    }, { bindings });
    await transport.publish(message(address, 'auto-acked'));
    await eventually(() => seen.length === 1, 'the message');
    await sleep(100);
    const channel = await plain.createChannel();
    expect((await channel.checkQueue(queue)).messageCount).toBe(0);
    await channel.close();
    expect(seen).toEqual(['auto-acked']);
  });

  it('binds a fanout exchange with an empty key, so any routing key arrives', async () => {
    const transport = await pool.open();
    const exchange = uniqueId('asyncapi-gen.test.fan.');
    deleteLater('exchange', exchange);
    const bindings = channelBinding({ exchange: { name: exchange, type: 'fanout', durable: false, autoDelete: true } });
    const { received, handler } = collector();
    await transport.subscribe(pattern('news.{topic}'), handler, { bindings });
    await transport.publish(message('news.sports', 'goal'), { bindings });
    await transport.publish(message('anything', 'else'), { bindings });
    await eventually(() => received.length === 2, 'both messages');
  });

  it('refuses a channel of another vhost than the connection', async () => {
    const transport = await pool.open();
    const bindings = channelBinding({ exchange: { name: 'x', vhost: 'elsewhere' } });
    await expect(transport.publish(message('a.b', 'x'), { bindings })).rejects.toThrow(/vhost 'elsewhere'.*amqp:\/\/host\/elsewhere/);
    await expect(transport.subscribe(pattern('a.b'), collector().handler, { bindings })).rejects.toThrow(/vhost 'elsewhere'/);
    await transport.publish(message(`vhost.${uniqueId()}`, 'fine'), { bindings: channelBinding({ exchange: { name: 'amq.topic', vhost: '/' } }) });
  });
});
