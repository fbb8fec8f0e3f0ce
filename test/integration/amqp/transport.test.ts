/**
 * The AMQP transport against RabbitMQ on loopback: routing-key wildcards,
 * headers and properties, request/reply, unsubscribe, close, dispositions,
 * handler ordering, queue groups and connection options.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelModel } from 'amqplib';
import { createAddressMatcher } from '../../../src/runtime/core/address.js';
import type { InboundMessage } from '../../../src/runtime/core/transport.js';
import { createAmqpTransport } from '../../../src/runtime/transports/amqp.js';
import { brokerAvailable } from '../../support/brokers.js';
import {
  AMQP_URL,
  bytes,
  collector,
  eventually,
  message,
  pattern,
  plainConnection,
  sleep,
  text,
  transportPool,
  uniqueId,
} from './helpers.js';

const available = await brokerAvailable('amqp');

describe.skipIf(!available)('AMQP transport', () => {
  const pool = transportPool();
  let plain: ChannelModel;

  beforeAll(async () => {
    plain = await plainConnection();
  });
  afterEach(async () => {
    await pool.closeAll();
  });
  afterAll(async () => {
    await plain.close();
  });

  describe('routing keys and wildcards', () => {
    it('subscribes with a fixed parameter and a wildcard one, never receiving other values of the fixed one', async () => {
      const transport = await pool.open();
      const run = uniqueId();
      const { received, handler } = collector();
      await transport.subscribe(pattern('w.{run}.{sensor}.readings', { run }), handler);
      await transport.publish(message(`w.${run}.s1.readings`, 'one'));
      await transport.publish(message(`w.${run}x.s1.readings`, 'other run'));
      await transport.publish(message(`w.${run}.s2.readings`, 'two'));
      await eventually(() => received.length === 2, 'two readings');
      await sleep(100);
      expect(received.map((inbound) => [inbound.address, text(inbound.payload)])).toEqual([
        [`w.${run}.s1.readings`, 'one'],
        [`w.${run}.s2.readings`, 'two'],
      ]);
    });

    it('turns a word holding part of a parameter into a whole-word wildcard (broader; the engine filters exactly)', async () => {
      const transport = await pool.open();
      const run = uniqueId();
      const { received, handler } = collector();
      const template = 'p.{run}.dev-{id}.state';
      await transport.subscribe(pattern(template, { run }), handler);
      await transport.publish(message(`p.${run}.dev-7.state`, 'device'));
      await transport.publish(message(`p.${run}.gateway.state`, 'not a device'));
      await eventually(() => received.length === 2, 'both messages of the word wildcard');
      const matcher = createAddressMatcher(template);
      expect(received.map((inbound) => matcher(inbound.address))).toEqual([{ run, id: '7' }, undefined]);
    });

    it('receives every value of a parameter in a template without dots', async () => {
      const transport = await pool.open();
      const run = uniqueId();
      const received: InboundMessage[] = [];
      // Such a template is one routing-key word at most, so the binding is `#`; collect only this run's messages.
      await transport.subscribe(pattern('slash/{run}/{id}'), async (inbound) => {
        if (inbound.address.startsWith(`slash/${run}/`)) received.push(inbound);
        return 'ack';
      });
      await transport.publish(message(`slash/${run}/a.b`, 'dotted value from another publisher'));
      await transport.publish(message(`slash/${run}/c`, 'plain value'));
      await eventually(() => received.length === 2, 'both slash messages');
    });

    it('delivers a message published right after subscribe resolves, across connections', async () => {
      const publisher = await pool.open();
      const subscriber = await pool.open();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const address = `ready.${uniqueId()}`;
        const { received, handler } = collector();
        await subscriber.subscribe(pattern(address), handler);
        await publisher.publish(message(address, 'now'));
        await eventually(() => received.length === 1, `delivery on attempt ${attempt}`);
      }
    });
  });

  describe('message contents', () => {
    it('carries payload bytes unchanged, headers as AMQP headers, content type and correlation id as properties', async () => {
      const transport = await pool.open();
      const address = `bytes.${uniqueId()}`;
      const { received, handler } = collector();
      await transport.subscribe(pattern(address), handler);
      const payload = new Uint8Array([0, 1, 2, 0xfe, 0xff, 0x7b]);
      await transport.publish({ address, payload, headers: { unit: 'celsius', empty: '' }, contentType: 'application/octet-stream', correlationId: 'c-1' });
      await eventually(() => received.length === 1, 'the binary message');
      const inbound = received[0];
      expect(inbound?.payload).toEqual(payload);
      expect(inbound?.payload).toBeInstanceOf(Uint8Array);
      expect(inbound?.headers).toEqual({ unit: 'celsius', empty: '' });
      expect(inbound?.contentType).toBe('application/octet-stream');
      expect(inbound?.correlationId).toBe('c-1');
      expect(inbound?.reply).toBeUndefined();
    });

    it('refuses a payload that is not bytes', async () => {
      const transport = await pool.open();
      const notBytes = { address: 'x', payload: 'text' as unknown as Uint8Array, headers: {} };
      await expect(transport.publish(notBytes)).rejects.toThrow(/Uint8Array/);
    });
  });

  describe('request/reply', () => {
    it('answers through direct reply-to with the correlation id', async () => {
      const requester = await pool.open();
      const responder = await pool.open();
      const address = `rpc.${uniqueId()}`;
      await responder.subscribe(pattern(address), async (inbound) => {
        await inbound.reply?.({ payload: bytes(`echo ${text(inbound.payload)}`), headers: { answered: 'yes' }, contentType: 'text/plain' });
        return 'ack';
      });
      const replies = await Promise.all([1, 2, 3].map((n) => requester.request(message(address, `q${n}`), { timeoutMs: 3000 })));
      expect(replies.map((reply) => text(reply.payload))).toEqual(['echo q1', 'echo q2', 'echo q3']);
      expect(replies[0]?.headers).toEqual({ answered: 'yes' });
      expect(replies[0]?.contentType).toBe('text/plain');
    });

    it('keeps the requester correlation id on the reply', async () => {
      const transport = await pool.open();
      const address = `rpc.${uniqueId()}`;
      let seen: InboundMessage | undefined;
      await transport.subscribe(pattern(address), async (inbound) => {
        seen = inbound;
        await inbound.reply?.({ payload: bytes('ok'), headers: {}, correlationId: 'ignored' });
        return 'ack';
      });
      const reply = await transport.request(message(address, 'q', { correlationId: 'mine' }), { timeoutMs: 3000 });
      expect(seen?.correlationId).toBe('mine');
      expect(seen?.replyTo).toMatch(/^amq\.rabbitmq\.reply-to/);
      expect(reply.correlationId).toBe('mine');
    });

    it('times out when nobody answers', async () => {
      const transport = await pool.open();
      const started = Date.now();
      const error: unknown = await transport.request(message(`rpc.${uniqueId()}`, 'hello?'), { timeoutMs: 200 }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('TimeoutError');
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });

    it('rejects with the abort reason, before sending or while waiting', async () => {
      const transport = await pool.open();
      const address = `rpc.${uniqueId()}`;
      const early = new AbortController();
      early.abort(new Error('given up before'));
      await expect(transport.request(message(address, 'q'), { timeoutMs: 1000, signal: early.signal })).rejects.toThrow('given up before');
      const late = new AbortController();
      const pending = transport.request(message(address, 'q'), { timeoutMs: 5000, signal: late.signal });
      setTimeout(() => late.abort(new Error('given up while waiting')), 50);
      await expect(pending).rejects.toThrow('given up while waiting');
    });

    it('rejects an out-of-range timeout', async () => {
      const transport = await pool.open();
      await expect(transport.request(message('rpc.x', 'q'), { timeoutMs: -1 })).rejects.toThrow(RangeError);
    });
  });

  describe('subscriptions', () => {
    it('stops delivering after unsubscribe, which is idempotent', async () => {
      const transport = await pool.open();
      const address = `unsub.${uniqueId()}`;
      const { received, handler } = collector();
      const subscription = await transport.subscribe(pattern(address), handler);
      await transport.publish(message(address, 'before'));
      await eventually(() => received.length === 1, 'the first message');
      await subscription.unsubscribe();
      await subscription.unsubscribe();
      await transport.publish(message(address, 'after'));
      await sleep(200);
      expect(received.map((inbound) => text(inbound.payload))).toEqual(['before']);
    });

    it('lets a handler unsubscribe its own subscription', async () => {
      const transport = await pool.open();
      const address = `selfunsub.${uniqueId()}`;
      let count = 0;
      const subscription = await transport.subscribe(pattern(address), async () => {
        count += 1;
        await subscription.unsubscribe();
        return 'ack';
      });
      await transport.publish(message(address, 'one'));
      await transport.publish(message(address, 'two'));
      await eventually(() => count >= 1, 'the first delivery');
      await sleep(200);
      expect(count).toBe(1);
    });

    it('runs handlers one at a time and in order by default; maxInFlight allows more', async () => {
      for (const [maxInFlight, expectConcurrent] of [[undefined, false], [4, true]] as const) {
        const transport = await pool.open(maxInFlight === undefined ? {} : { maxInFlight });
        const address = `order.${uniqueId()}`;
        const order: string[] = [];
        let running = 0;
        let mostAtOnce = 0;
        await transport.subscribe(pattern(address), async (inbound) => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await sleep(20);
          order.push(text(inbound.payload));
          running -= 1;
          return 'ack';
        });
        const sent = Array.from({ length: 8 }, (_unused, index) => `m${index}`);
        for (const body of sent) await transport.publish(message(address, body));
        await eventually(() => order.length === sent.length, 'every message handled');
        if (expectConcurrent) {
          expect(mostAtOnce).toBeGreaterThan(1);
        } else {
          expect(mostAtOnce).toBe(1);
          expect(order).toEqual(sent);
        }
      }
    });

    it('shares a queue group: each message reaches one member', async () => {
      const first = await pool.open();
      const second = await pool.open();
      const address = `group.${uniqueId()}`;
      const group = uniqueId('g');
      const one = collector();
      const two = collector();
      await first.subscribe(pattern(address), one.handler, { queueGroup: group });
      await second.subscribe(pattern(address), two.handler, { queueGroup: group });
      for (let index = 0; index < 10; index += 1) await first.publish(message(address, `m${index}`));
      await eventually(() => one.received.length + two.received.length === 10, 'ten deliveries in all');
      await sleep(100);
      expect(one.received.length + two.received.length).toBe(10);
      expect(one.received.length).toBeGreaterThan(0);
      expect(two.received.length).toBeGreaterThan(0);
    });
  });

  describe('dispositions', () => {
    async function namedQueueChannel(): Promise<{ address: string; queue: string; bindings: { channel: { amqp: Record<string, unknown> } } }> {
      const queue = uniqueId('disposition-q-');
      const channel = await plain.createChannel();
      await channel.deleteQueue(queue);
      await channel.close();
      return { address: `disp.${uniqueId()}`, queue, bindings: { channel: { amqp: { is: 'routingKey', queue: { name: queue, durable: false, autoDelete: false } } } } };
    }

    async function queueDepth(queue: string): Promise<number> {
      const channel = await plain.createChannel();
      try {
        return (await channel.checkQueue(queue)).messageCount;
      } finally {
        await channel.close();
      }
    }

    async function deleteQueue(queue: string): Promise<void> {
      const channel = await plain.createChannel();
      await channel.deleteQueue(queue);
      await channel.close();
    }

    it('nacks a rejected message without requeueing it: no redelivery loop', async () => {
      const transport = await pool.open();
      const { address, queue, bindings } = await namedQueueChannel();
      const seen: string[] = [];
      await transport.subscribe(pattern(address), async (inbound) => {
        seen.push(text(inbound.payload));
        return text(inbound.payload) === 'bad' ? 'reject' : 'ack';
      }, { bindings });
      await transport.publish(message(address, 'bad'));
      await transport.publish(message(address, 'good'));
      await eventually(() => seen.length === 2, 'both messages handled');
      await sleep(300);
      expect(seen).toEqual(['bad', 'good']);
      await pool.closeAll();
      expect(await queueDepth(queue)).toBe(0);
      await deleteQueue(queue);
    });

    it('treats a throwing handler as reject and keeps the subscription running', async () => {
      const transport = await pool.open();
      const { address, queue, bindings } = await namedQueueChannel();
      const seen: string[] = [];
      await transport.subscribe(pattern(address), async (inbound) => {
        seen.push(text(inbound.payload));
        if (text(inbound.payload) === 'boom') throw new Error('handler failed');
        return 'ack';
      }, { bindings });
      await transport.publish(message(address, 'boom'));
      await transport.publish(message(address, 'fine'));
      await eventually(() => seen.length === 2, 'both messages handled');
      await sleep(300);
      expect(seen).toEqual(['boom', 'fine']);
      expect(pool.errors.map((error) => error.message).join('\n')).toMatch(/handler failed/);
      await pool.closeAll();
      expect(await queueDepth(queue)).toBe(0);
      await deleteQueue(queue);
    });

    it('close() stops receiving, waits for the running handler (which may still publish), then disconnects', async () => {
      const transport = await pool.open();
      const observer = await pool.open();
      const { address, queue, bindings } = await namedQueueChannel();
      const echoed = collector();
      await observer.subscribe(pattern(`${address}.echo`), echoed.handler);
      let finished = false;
      let started = false;
      await transport.subscribe(pattern(address), async () => {
        started = true;
        await sleep(300);
        await transport.publish(message(`${address}.echo`, 'from the closing handler'));
        finished = true;
        return 'ack';
      }, { bindings });
      await transport.publish(message(address, 'slow'));
      await eventually(() => started, 'the handler to start');
      await transport.close();
      expect(finished).toBe(true);
      expect(transport.connected).toBe(false);
      await eventually(() => echoed.received.length === 1, 'the message published while closing');
      expect(await queueDepth(queue)).toBe(0);
      await expect(transport.publish(message(address, 'late'))).rejects.toThrow(/closed/);
      await expect(transport.subscribe(pattern(address), echoed.handler)).rejects.toThrow(/closed/);
      await expect(transport.request(message(address, 'late'), { timeoutMs: 100 })).rejects.toThrow(/closed/);
      await transport.close();
      await deleteQueue(queue);
    });

    it('close() rejects a pending request at once', async () => {
      const transport = await pool.open();
      const pending = transport.request(message(`rpc.${uniqueId()}`, 'q'), { timeoutMs: 10_000 });
      const outcome = expect(pending).rejects.toThrow(/closed/);
      await sleep(50);
      const started = Date.now();
      await transport.close();
      await outcome;
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('connection options', () => {
    it('fails fast with a clear error when the broker is not there', async () => {
      const started = Date.now();
      await expect(createAmqpTransport({ url: 'amqp://127.0.0.1:1' })).rejects.toThrow(/cannot connect to amqp:\/\/127\.0\.0\.1:1/);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('says how to choose a broker when the document has no amqp server', async () => {
      const saved = process.env['ASYNCAPI_AMQP_URL'];
      delete process.env['ASYNCAPI_AMQP_URL'];
      try {
        await expect(createAmqpTransport()).rejects.toThrow(/no amqp server in the document.*ASYNCAPI_AMQP_URL/);
      } finally {
        if (saved !== undefined) process.env['ASYNCAPI_AMQP_URL'] = saved;
      }
    });

    it('connects to ASYNCAPI_AMQP_URL with the credentials of ASYNCAPI_AMQP_USER and _PASSWORD', async () => {
      const saved = { url: process.env['ASYNCAPI_AMQP_URL'], user: process.env['ASYNCAPI_AMQP_USER'], password: process.env['ASYNCAPI_AMQP_PASSWORD'] };
      process.env['ASYNCAPI_AMQP_URL'] = 'amqp://127.0.0.1:5672';
      process.env['ASYNCAPI_AMQP_USER'] = 'guest';
      process.env['ASYNCAPI_AMQP_PASSWORD'] = 'wrong';
      try {
        await expect(createAmqpTransport()).rejects.toThrow(/ACCESS_REFUSED|403/);
        process.env['ASYNCAPI_AMQP_PASSWORD'] = 'guest';
        const transport = await createAmqpTransport();
        expect(transport.url).toBe('amqp://127.0.0.1:5672');
        expect(transport.connected).toBe(true);
        await transport.close();
      } finally {
        for (const [key, value] of [['URL', saved.url], ['USER', saved.user], ['PASSWORD', saved.password]] as const) {
          if (value === undefined) delete process.env[`ASYNCAPI_AMQP_${key}`];
          else process.env[`ASYNCAPI_AMQP_${key}`] = value;
        }
      }
    });

    it('reads amqplib tuning from the URL query and refuses a malformed value', async () => {
      const transport = await pool.open({ url: `${AMQP_URL}?heartbeat=5&frameMax=131072&locale=en_US` });
      expect(transport.connected).toBe(true);
      await expect(createAmqpTransport({ url: `${AMQP_URL}?heartbeat=soon` })).rejects.toThrow(/heartbeat must be a whole number/);
    });

    it('keeps credentials out of the reported URL and accepts amqplib options', async () => {
      const transport = await pool.open({ heartbeat: 5, clientProperties: { connection_name: 'asyncapi-gen test' } });
      expect(transport.url).toBe('amqp://127.0.0.1:5672');
      expect(transport.protocol).toBe('amqp');
      expect(AMQP_URL).toContain('guest:guest');
    });
  });
});
