/** The Redis transport against a real Redis on loopback: addressing, wire format, request/reply, lifecycle. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { patternFor } from '../../../src/runtime/core/address.js';
import type { AddressPattern, Disposition, InboundMessage, OutboundMessage } from '../../../src/runtime/core/transport.js';
import {
  createRedisTransport,
  decodeEnvelope,
  encodeEnvelope,
  nativeSubscription,
  type RedisTransport,
  type RedisTransportOptions,
} from '../../../src/runtime/transports/redis.js';
import { brokerAvailable } from '../../support/brokers.js';
import { REDIS_URL, bytes, deferred, eventually, sleep, text, uniquePrefix } from './helpers.js';

const available = await brokerAvailable('redis');

const message = (address: string, body = address, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
  address,
  payload: bytes(body),
  headers: {},
  ...extra,
});

/** Subscribes and collects what arrives. */
async function collect(
  transport: RedisTransport,
  pattern: AddressPattern,
  disposition: Disposition = 'ack',
): Promise<{ received: InboundMessage[]; unsubscribe: () => Promise<void> }> {
  const received: InboundMessage[] = [];
  const subscription = await transport.subscribe(pattern, async (inbound) => {
    received.push(inbound);
    return disposition;
  });
  return { received, unsubscribe: () => subscription.unsubscribe() };
}

describe('redis transport: addresses as channels and glob patterns', () => {
  it('subscribes to a plain channel when every parameter is fixed', () => {
    expect(nativeSubscription(patternFor('a.{x}.b', { x: 'v 1' }))).toEqual({ kind: 'channel', name: 'a.v%201.b' });
    expect(nativeSubscription(patternFor('plain.address', undefined))).toEqual({ kind: 'channel', name: 'plain.address' });
  });

  it('uses * for free slots and escapes glob characters of the literal parts', () => {
    expect(nativeSubscription(patternFor('a.{x}.{y}', { x: 'fixed' }))).toEqual({ kind: 'pattern', name: 'a.fixed.*' });
    expect(nativeSubscription(patternFor('we*ird?[1]\\.{id}', undefined))).toEqual({ kind: 'pattern', name: 'we\\*ird\\?\\[1\\]\\\\.*' });
  });
});

describe('redis transport: the envelope', () => {
  it('round-trips metadata and binary payload bytes exactly', () => {
    const payload = Uint8Array.from({ length: 256 }, (_, index) => index);
    const framed = encodeEnvelope({ headers: { a: 'line\nbreak' }, contentType: 'application/octet-stream', replyTo: 'r' }, payload);
    expect(text(framed.subarray(0, 21))).toBe('\u0000asyncapi-envelope/1\n');
    const decoded = decodeEnvelope(framed);
    expect(decoded.metadata).toEqual({ headers: { a: 'line\nbreak' }, contentType: 'application/octet-stream', replyTo: 'r' });
    expect([...decoded.payload]).toEqual([...payload]);
  });

  it('treats unframed and malformed frames as raw payload', () => {
    expect(decodeEnvelope(bytes('{"a":1}'))).toEqual({ metadata: {}, payload: bytes('{"a":1}') });
    const broken = bytes('\u0000asyncapi-envelope/1\n{"headers":{"n":1}}\nbody');
    expect(decodeEnvelope(broken)).toEqual({ metadata: {}, payload: broken });
  });
});

describe.skipIf(!available)('redis transport against Redis', () => {
  const transports: RedisTransport[] = [];
  let transport: RedisTransport;
  let other: RedisTransport;
  const errors: Error[] = [];

  async function open(extra: RedisTransportOptions = {}): Promise<RedisTransport> {
    const opened = await createRedisTransport({ url: REDIS_URL, onError: (error) => errors.push(error), ...extra });
    transports.push(opened);
    return opened;
  }

  beforeAll(async () => {
    transport = await open();
    other = await open();
  });

  afterEach(() => {
    errors.length = 0;
  });

  afterAll(async () => {
    await Promise.all(transports.map((opened) => opened.close()));
  });

  it('delivers to a wildcard subscription with fixed and free parameters, in order', async () => {
    const prefix = uniquePrefix('wild');
    const { received } = await collect(transport, patternFor(`${prefix}.{run}.{sensor}.readings`, { run: 'r1' }));
    for (const sensor of ['s1', 's2', 's1']) await other.publish(message(`${prefix}.r1.${sensor}.readings`, sensor));
    await other.publish(message(`${prefix}.r2.s1.readings`, 'other run'));
    await eventually(() => received.length === 3, 'three readings');
    await sleep(100);
    expect(received.map((inbound) => inbound.address)).toEqual([`${prefix}.r1.s1.readings`, `${prefix}.r1.s2.readings`, `${prefix}.r1.s1.readings`]);
    expect(received.map((inbound) => text(inbound.payload))).toEqual(['s1', 's2', 's1']);
  });

  it('leaves the broader glob match (a slot spanning separators) to the engine', async () => {
    const prefix = uniquePrefix('broad');
    const { received } = await collect(transport, patternFor(`${prefix}.{id}.end`, undefined));
    await other.publish(message(`${prefix}.a.b.end`));
    await eventually(() => received.length === 1, 'the broader match');
    expect(received[0]?.address).toBe(`${prefix}.a.b.end`);
  });

  it('matches glob characters of an address literally', async () => {
    const prefix = uniquePrefix('glob');
    const { received } = await collect(transport, patternFor(`${prefix}.[x]*?.{id}`, undefined));
    await other.publish(message(`${prefix}.x-.1`, 'not literal'));
    await other.publish(message(`${prefix}.[x]*?.1`, 'literal'));
    await eventually(() => received.length === 1, 'the literal address');
    await sleep(100);
    expect(received.map((inbound) => text(inbound.payload))).toEqual(['literal']);
  });

  it('carries headers and content type in the envelope, and payload bytes unchanged', async () => {
    const prefix = uniquePrefix('headers');
    const { received } = await collect(transport, patternFor(`${prefix}.data`, undefined));
    const payload = Uint8Array.from({ length: 256 }, (_, index) => index);
    await other.publish({ address: `${prefix}.data`, payload, headers: { unit: 'celsius', sequence: '1' }, contentType: 'application/octet-stream' });
    await other.publish({ address: `${prefix}.data`, payload: bytes('{"plain":true}'), headers: {}, contentType: 'application/json' });
    await eventually(() => received.length === 2, 'two messages');
    const [framed, plain] = received;
    expect(framed?.headers).toEqual({ unit: 'celsius', sequence: '1' });
    expect(framed?.contentType).toBe('application/octet-stream');
    expect([...(framed?.payload ?? [])]).toEqual([...payload]);
    expect(plain?.headers).toEqual({});
    // No metadata to carry: raw bytes on the wire, so the content type stays with the document.
    expect(plain?.contentType).toBeUndefined();
    expect(text(plain?.payload ?? new Uint8Array())).toBe('{"plain":true}');
  });

  it('envelope "always" carries the content type of every message', async () => {
    const always = await open({ envelope: 'always' });
    const prefix = uniquePrefix('always');
    const { received } = await collect(transport, patternFor(`${prefix}.data`, undefined));
    await always.publish({ address: `${prefix}.data`, payload: bytes('hi'), headers: {}, contentType: 'text/plain' });
    await eventually(() => received.length === 1, 'the message');
    expect(received[0]?.contentType).toBe('text/plain');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('hi');
  });

  it('envelope "never" publishes raw bytes, reports dropped headers once, and refuses requests', async () => {
    const never = await open({ envelope: 'never' });
    const prefix = uniquePrefix('never');
    const { received } = await collect(transport, patternFor(`${prefix}.data`, undefined));
    await never.publish(message(`${prefix}.data`, 'one', { headers: { a: '1' } }));
    await never.publish(message(`${prefix}.data`, 'two', { headers: { a: '2' } }));
    await eventually(() => received.length === 2, 'two messages');
    expect(received.map((inbound) => inbound.headers)).toEqual([{}, {}]);
    expect(errors.filter((error) => /envelope 'never'/.test(error.message))).toHaveLength(1);
    await expect(never.request(message(`${prefix}.q`), { timeoutMs: 100 })).rejects.toThrow(/cannot carry a reply address/);
  });

  it('answers a request through the inbox with the request correlation id', async () => {
    const prefix = uniquePrefix('rpc');
    await other.subscribe(patternFor(`${prefix}.{id}.questions`, undefined), async (inbound) => {
      expect(inbound.replyTo).toMatch(/^_INBOX\./);
      await inbound.reply?.({ payload: bytes(`echo: ${text(inbound.payload)}`), headers: { answered: 'yes' } });
      return 'ack';
    });
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((id) => transport.request(message(`${prefix}.${id}.questions`, id, { correlationId: `c-${id}` }), { timeoutMs: 5000 })),
    );
    expect(answers.map((answer) => text(answer.payload))).toEqual(['echo: a', 'echo: b', 'echo: c']);
    expect(answers.map((answer) => answer.correlationId)).toEqual(['c-a', 'c-b', 'c-c']);
    expect(answers[0]?.headers).toEqual({ answered: 'yes' });
  });

  it('times out a request nobody answers, and honours an abort signal', async () => {
    const prefix = uniquePrefix('nobody');
    const started = Date.now();
    await expect(transport.request(message(`${prefix}.q`), { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    const controller = new AbortController();
    const pending = transport.request(message(`${prefix}.q`), { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    await expect(transport.request(message(`${prefix}.q`), { timeoutMs: 5000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    await expect(transport.request(message(`${prefix}.q`), { timeoutMs: -1 })).rejects.toThrow(RangeError);
  });

  it('stops delivering after unsubscribe, idempotently, without touching other subscriptions of the channel', async () => {
    const prefix = uniquePrefix('unsub');
    const pattern = patternFor(`${prefix}.data`, undefined);
    const first = await collect(transport, pattern);
    const second = await collect(transport, pattern);
    await other.publish(message(`${prefix}.data`, 'before'));
    await eventually(() => first.received.length === 1 && second.received.length === 1, 'both subscriptions');
    await first.unsubscribe();
    await first.unsubscribe();
    await other.publish(message(`${prefix}.data`, 'after'));
    await eventually(() => second.received.length === 2, 'the remaining subscription');
    await sleep(100);
    expect(first.received).toHaveLength(1);
  });

  it('runs handlers one at a time per subscription by default, and up to maxInFlight when raised', async () => {
    for (const [limit, expected] of [[1, 1], [3, 3]] as const) {
      const concurrent = await open({ maxInFlight: limit });
      const prefix = uniquePrefix(`inflight${limit}`);
      let running = 0;
      let peak = 0;
      const order: string[] = [];
      await concurrent.subscribe(patternFor(`${prefix}.data`, undefined), async (inbound) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(30);
        order.push(text(inbound.payload));
        running -= 1;
        return 'ack';
      });
      for (const index of [1, 2, 3, 4, 5, 6]) await other.publish(message(`${prefix}.data`, String(index)));
      await eventually(() => order.length === 6, 'six handled messages');
      expect(peak).toBe(expected);
      if (limit === 1) expect(order).toEqual(['1', '2', '3', '4', '5', '6']);
    }
  });

  it('keeps delivering after a reject or a throwing handler, and never redelivers', async () => {
    const prefix = uniquePrefix('reject');
    const seen: string[] = [];
    await transport.subscribe(patternFor(`${prefix}.data`, undefined), async (inbound) => {
      const body = text(inbound.payload);
      seen.push(body);
      if (body === 'throw') throw new Error('handler broke');
      return body === 'reject' ? 'reject' : 'ack';
    });
    for (const body of ['reject', 'throw', 'fine']) await other.publish(message(`${prefix}.data`, body));
    await eventually(() => seen.length === 3, 'three deliveries');
    await sleep(200);
    expect(seen).toEqual(['reject', 'throw', 'fine']);
    expect(errors.map((error) => error.message)).toEqual([expect.stringContaining('handler broke')]);
  });

  it('refuses queue groups, which Redis pub/sub cannot share', async () => {
    await expect(
      transport.subscribe(patternFor('q.{id}', undefined), async () => 'ack', { queueGroup: 'workers' }),
    ).rejects.toThrow(/queue group/);
  });

  it('close() stops receiving, waits for the running handler (which may still reply), then refuses calls', async () => {
    const closing = await open();
    const prefix = uniquePrefix('close');
    const gate = deferred();
    const entered = deferred();
    let finished = false;
    await closing.subscribe(patternFor(`${prefix}.questions`, undefined), async (inbound) => {
      entered.resolve();
      await gate.promise;
      await inbound.reply?.({ payload: bytes('late answer'), headers: {} });
      finished = true;
      return 'ack';
    });
    const answer = other.request(message(`${prefix}.questions`, 'q'), { timeoutMs: 5000 });
    await entered.promise;
    let closed = false;
    const closeDone = closing.close().then(() => {
      closed = true;
    });
    await sleep(100);
    expect(closed).toBe(false);
    gate.resolve();
    await closeDone;
    expect(finished).toBe(true);
    expect(text((await answer).payload)).toBe('late answer');
    expect(closing.publisher.isOpen).toBe(false);
    expect(closing.subscriber.isOpen).toBe(false);
    await expect(closing.publish(message(`${prefix}.x`))).rejects.toThrow(/closed/);
    await expect(closing.subscribe(patternFor(`${prefix}.x`, undefined), async () => 'ack')).rejects.toThrow(/closed/);
    await expect(closing.request(message(`${prefix}.x`), { timeoutMs: 100 })).rejects.toThrow(/closed/);
    await closing.close();
  });

  it('close() rejects the requests still waiting for a reply', async () => {
    const closing = await open();
    const pending = closing.request(message(`${uniquePrefix('pending')}.q`), { timeoutMs: 5000 });
    await sleep(50);
    await closing.close();
    await expect(pending).rejects.toThrow(/closed/);
  });

  it('connects to ASYNCAPI_REDIS_URL when no server is given', async () => {
    const saved = process.env['ASYNCAPI_REDIS_URL'];
    process.env['ASYNCAPI_REDIS_URL'] = REDIS_URL;
    try {
      const fromEnv = await createRedisTransport();
      transports.push(fromEnv);
      expect(fromEnv.publisher.isReady).toBe(true);
    } finally {
      if (saved === undefined) delete process.env['ASYNCAPI_REDIS_URL'];
      else process.env['ASYNCAPI_REDIS_URL'] = saved;
    }
  });

  it('fails fast when the first connection fails, or the credentials are refused', async () => {
    await expect(createRedisTransport({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(/cannot connect to Redis at 127\.0\.0\.1:1/);
    await expect(createRedisTransport({ url: 'redis://nobody:wrong@127.0.0.1:6379' })).rejects.toThrow(/WRONGPASS|AUTH|auth/i);
  });

  it('reports unreadable TLS files named by the environment', async () => {
    const saved = process.env['ASYNCAPI_REDIS_CA'];
    process.env['ASYNCAPI_REDIS_CA'] = '/nonexistent/ca.pem';
    try {
      await expect(createRedisTransport({ url: 'rediss://127.0.0.1:6379' })).rejects.toThrow(/ASYNCAPI_REDIS_CA/);
    } finally {
      if (saved === undefined) delete process.env['ASYNCAPI_REDIS_CA'];
      else process.env['ASYNCAPI_REDIS_CA'] = saved;
    }
  });
});
