/** The NATS transport against a real nats-server on loopback (core NATS). */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { createNatsTransport, subscriptionSubject, type NatsTransport } from '../../../src/runtime/transports/nats.js';
import { SETTLED_ACK, SETTLED_REJECT, type InboundMessage } from '../../../src/runtime/core/transport.js';
import { brokerAvailable } from '../../support/brokers.js';
import { NATS_URL, bytes, collector, eventually, message, pattern, sleep, text, uniqueId } from './helpers.js';

const available = await brokerAvailable('nats');

describe('subscription subjects', () => {
  it('turns a free parameter into `*`, keeps fixed values, and widens a partly-parameter token to `*`', () => {
    expect(subscriptionSubject(pattern('a.{x}.{y}.b'))).toBe('a.*.*.b');
    expect(subscriptionSubject(pattern('a.{x}.{y}.b', { x: 'r1' }))).toBe('a.r1.*.b');
    expect(subscriptionSubject(pattern('dev.sensor-{id}.data'))).toBe('dev.*.data');
    expect(subscriptionSubject(pattern('dev.sensor-{id}.data', { id: '7' }))).toBe('dev.sensor-7.data');
    expect(subscriptionSubject(pattern('{a}_x_{b}'))).toBe('*');
    expect(subscriptionSubject(pattern('plain.subject'))).toBe('plain.subject');
  });
});

describe.skipIf(!available)('NATS transport (core)', () => {
  const opened: NatsTransport[] = [];
  async function transport(options: Parameters<typeof createNatsTransport>[0] = {}): Promise<NatsTransport> {
    const created = await createNatsTransport({ url: NATS_URL, ...options });
    opened.push(created);
    return created;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });

  it('connects with no server in the document only when given a url, and says so', async () => {
    await expect(createNatsTransport()).rejects.toThrow(/no nats server in the document/);
  });

  it('delivers on free and fixed parameters and never narrower than the pattern', async () => {
    const run = uniqueId();
    const [publisher, subscriber] = [await transport(), await transport()];
    const free = collector();
    const fixed = collector();
    await subscriber.subscribe(pattern('t.{run}.{sensor}.r'), free.handler);
    await subscriber.subscribe(pattern('t.{run}.{sensor}.r', { run }), fixed.handler);
    await publisher.publish(message(`t.${run}.s1.r`, 'one'));
    await publisher.publish(message(`t.${run}x.s2.r`, 'other run'));
    await eventually(() => free.received.length >= 2 && fixed.received.length === 1, 'deliveries');
    await sleep(100);
    expect(fixed.received.map((m) => [m.address, text(m.payload)])).toEqual([[`t.${run}.s1.r`, 'one']]);
    expect(free.received.map((m) => m.address)).toEqual(expect.arrayContaining([`t.${run}.s1.r`, `t.${run}x.s2.r`]));
  });

  it('subscribes a partly-parameter token as `*` (broader, the engine filters)', async () => {
    const run = uniqueId();
    const [publisher, subscriber] = [await transport(), await transport()];
    const got = collector();
    await subscriber.subscribe(pattern(`p.${run}.sensor-{id}.data`), got.handler);
    await publisher.publish(message(`p.${run}.sensor-7.data`, 'a'));
    await publisher.publish(message(`p.${run}.other.data`, 'b'));
    await eventually(() => got.received.length === 2, 'both messages of the widened token');
  });

  it('carries headers as NATS headers, contentType and correlationId in their own headers', async () => {
    const subject = `h.${uniqueId()}`;
    const [publisher, subscriber] = [await transport(), await transport()];
    const got = collector();
    await subscriber.subscribe(pattern(subject), got.handler);
    await publisher.publish(message(subject, '{"a":1}', { headers: { unit: 'celsius', 'x-trace': 'abc' }, contentType: 'application/json', correlationId: 'c-1' }));
    await eventually(() => got.received.length === 1, 'the message');
    const [received] = got.received;
    expect(received?.headers).toEqual({ unit: 'celsius', 'x-trace': 'abc' });
    expect(received?.contentType).toBe('application/json');
    expect(received?.correlationId).toBe('c-1');
    expect(text(received?.payload ?? new Uint8Array())).toBe('{"a":1}');
    expect(received?.reply).toBeUndefined();
  });

  it('refuses to publish to a wildcard or malformed subject', async () => {
    const publisher = await transport();
    await expect(publisher.publish(message('a.*.b', 'x'))).rejects.toThrow(/not a NATS subject/);
    await expect(publisher.publish(message('a..b', 'x'))).rejects.toThrow(/not a NATS subject/);
    await expect(publisher.publish(message('a b', 'x'))).rejects.toThrow(/not a NATS subject/);
  });

  describe('request/reply', () => {
    it('answers through the inbox with reply(), keeping headers and contentType', async () => {
      const subject = `rr.${uniqueId()}`;
      const [requester, replier] = [await transport(), await transport()];
      await replier.subscribe(pattern(subject), async (inbound) => {
        expect(inbound.replyTo).toMatch(/^_INBOX\./);
        await inbound.reply?.({ payload: bytes(`echo ${text(inbound.payload)}`), headers: { answered: 'yes' }, contentType: 'text/plain' });
        return 'ack';
      });
      const answer = await requester.request(message(subject, 'ping', { correlationId: 'q-1' }), { timeoutMs: 2000 });
      expect(text(answer.payload)).toBe('echo ping');
      expect(answer.headers).toEqual({ answered: 'yes' });
      expect(answer.contentType).toBe('text/plain');
    });

    it('fails fast with NoRespondersError when nobody listens', async () => {
      const requester = await transport();
      const started = Date.now();
      await expect(requester.request(message(`nobody.${uniqueId()}`, 'x'), { timeoutMs: 5000 })).rejects.toMatchObject({ name: 'NoRespondersError' });
      expect(Date.now() - started).toBeLessThan(1000);
    });

    it('times out with TimeoutError when the responder stays silent', async () => {
      const subject = `silent.${uniqueId()}`;
      const [requester, silent] = [await transport(), await transport()];
      await silent.subscribe(pattern(subject), async () => 'ack');
      const started = Date.now();
      await expect(requester.request(message(subject, 'x'), { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    });

    it('rejects with the abort reason, before and during the request', async () => {
      const subject = `abort.${uniqueId()}`;
      const [requester, silent] = [await transport(), await transport()];
      await silent.subscribe(pattern(subject), async () => 'ack');
      const controller = new AbortController();
      const pending = requester.request(message(subject, 'x'), { timeoutMs: 5000, signal: controller.signal });
      setTimeout(() => controller.abort(new Error('user gave up')), 50);
      await expect(pending).rejects.toThrow('user gave up');
      await expect(requester.request(message(subject, 'x'), { timeoutMs: 5000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    });

    it('rejects a bad timeout', async () => {
      const requester = await transport();
      await expect(requester.request(message('x.y', 'x'), { timeoutMs: -1 })).rejects.toThrow(RangeError);
    });
  });

  it('unsubscribe stops deliveries and is idempotent', async () => {
    const subject = `u.${uniqueId()}`;
    const [publisher, subscriber] = [await transport(), await transport()];
    const got = collector();
    const subscription = await subscriber.subscribe(pattern(subject), got.handler);
    await publisher.publish(message(subject, '1'));
    await eventually(() => got.received.length === 1, 'first message');
    await subscription.unsubscribe();
    await subscription.unsubscribe();
    await publisher.publish(message(subject, '2'));
    await sleep(200);
    expect(got.received).toHaveLength(1);
  });

  it('lets a handler unsubscribe its own subscription', async () => {
    const subject = `self.${uniqueId()}`;
    const [publisher, subscriber] = [await transport(), await transport()];
    const seen: string[] = [];
    let unsubscribed = false;
    const subscription = await subscriber.subscribe(pattern(subject), async (inbound) => {
      seen.push(text(inbound.payload));
      await subscription.unsubscribe();
      unsubscribed = true;
      return 'ack';
    });
    await publisher.publish(message(subject, '1'));
    await publisher.publish(message(subject, '2'));
    await eventually(() => unsubscribed, 'the handler finished unsubscribing');
    await sleep(150);
    expect(seen).toEqual(['1']);
  });

  it('runs handlers one at a time in order by default, and concurrently with maxInFlight', async () => {
    const subject = `order.${uniqueId()}`;
    const publisher = await transport();
    const sequential = await transport();
    const parallel = await transport({ maxInFlight: 4 });
    const track = () => {
      const state = { running: 0, peak: 0, order: [] as string[] };
      const handler = async (inbound: InboundMessage) => {
        state.running += 1;
        state.peak = Math.max(state.peak, state.running);
        await sleep(30);
        state.order.push(text(inbound.payload));
        state.running -= 1;
        return 'ack' as const;
      };
      return { state, handler };
    };
    const one = track();
    const four = track();
    await sequential.subscribe(pattern(subject), one.handler);
    await parallel.subscribe(pattern(subject), four.handler);
    const sent = Array.from({ length: 8 }, (_, index) => String(index));
    for (const body of sent) await publisher.publish(message(subject, body));
    await eventually(() => one.state.order.length === 8 && four.state.order.length === 8, 'all handled');
    expect(one.state.order).toEqual(sent);
    expect(one.state.peak).toBe(1);
    expect(four.state.peak).toBeGreaterThan(1);
    expect(four.state.peak).toBeLessThanOrEqual(4);
    await expect(transport({ maxInFlight: 0 })).rejects.toThrow(RangeError);
  });

  describe('answers already settled (SETTLED_ACK, SETTLED_REJECT)', () => {
    /** A promise and the function that resolves it. */
    function gate(): { readonly opened: Promise<void>; readonly open: () => void } {
      let open = (): void => {};
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      return { opened, open };
    }

    it('keep order and maxInFlight beside slower answers', async () => {
      const subject = `settled.${uniqueId()}`;
      const publisher = await transport();
      const sent = Array.from({ length: 30 }, (_, index) => String(index));
      // The slow answers wait until every message has long arrived, so deliveries queue behind them.
      const published = gate();
      const track = () => {
        const state = { running: 0, peak: 0, order: [] as string[] };
        const handler = (inbound: InboundMessage): Promise<'ack' | 'reject'> => {
          const body = text(inbound.payload);
          state.running += 1;
          state.peak = Math.max(state.peak, state.running);
          if (Number(body) % 3 !== 0) {
            state.order.push(body);
            state.running -= 1;
            return Number(body) % 3 === 1 ? SETTLED_ACK : SETTLED_REJECT;
          }
          return published.opened.then(() => {
            state.order.push(body);
            state.running -= 1;
            return 'ack' as const;
          });
        };
        return { state, handler };
      };
      const one = track();
      const two = track();
      await (await transport()).subscribe(pattern(subject), one.handler);
      await (await transport({ maxInFlight: 2 })).subscribe(pattern(subject), two.handler);
      for (const body of sent) await publisher.publish(message(subject, body));
      await sleep(200);
      published.open();
      await eventually(() => one.state.order.length === sent.length && two.state.order.length === sent.length, 'all handled');
      expect(one.state.order).toEqual(sent);
      expect(one.state.peak).toBe(1);
      expect([...two.state.order].sort((a, b) => Number(a) - Number(b))).toEqual(sent);
      expect(two.state.peak).toBe(2);
    });

    it('start the next waiting delivery at once, before the microtasks the handler queued', async () => {
      const subject = `settled-now.${uniqueId()}`;
      const publisher = await transport();
      const firstMayFinish = gate();
      const events: string[] = [];
      await (await transport()).subscribe(pattern(subject), (inbound) => {
        const body = text(inbound.payload);
        events.push(`start ${body}`);
        if (body === '0') return firstMayFinish.opened.then(() => 'ack' as const);
        queueMicrotask(() => events.push(`microtask of ${body}`));
        return SETTLED_ACK;
      });
      for (const body of ['0', '1', '2']) await publisher.publish(message(subject, body));
      await sleep(100);
      expect(events).toEqual(['start 0']);
      firstMayFinish.open();
      await eventually(() => events.length === 5, 'the waiting deliveries');
      expect(events).toEqual(['start 0', 'start 1', 'start 2', 'microtask of 1', 'microtask of 2']);
    });

    it('stop at once when the handler unsubscribes: no waiting delivery starts after it', async () => {
      const subject = `settled-stop.${uniqueId()}`;
      const publisher = await transport();
      const firstMayFinish = gate();
      const started: string[] = [];
      const subscription = await (await transport()).subscribe(pattern(subject), (inbound) => {
        const body = text(inbound.payload);
        started.push(body);
        if (body === '0') return firstMayFinish.opened.then(() => 'ack' as const);
        void subscription.unsubscribe();
        return SETTLED_ACK;
      });
      for (const body of ['0', '1', '2', '3']) await publisher.publish(message(subject, body));
      await sleep(100);
      firstMayFinish.open();
      await sleep(100);
      expect(started).toEqual(['0', '1']);
    });
  });

  it('keeps a subscription running after a rejected message or a throwing handler (core NATS has no redelivery)', async () => {
    const subject = `rej.${uniqueId()}`;
    const [publisher, subscriber] = [await transport(), await transport()];
    const seen: string[] = [];
    await subscriber.subscribe(pattern(subject), async (inbound) => {
      const body = text(inbound.payload);
      seen.push(body);
      if (body === 'throw') throw new Error('handler failed');
      return body === 'bad' ? 'reject' : 'ack';
    });
    for (const body of ['bad', 'throw', 'good']) await publisher.publish(message(subject, body));
    await eventually(() => seen.length === 3, 'three deliveries');
    await sleep(200);
    expect(seen).toEqual(['bad', 'throw', 'good']);
  });

  describe('queue groups', () => {
    async function shareOfGroup(subscribeOptions: (index: number) => Parameters<NatsTransport['subscribe']>[2], expectedTotal = 40): Promise<number[]> {
      const subject = `q.${uniqueId()}`;
      const publisher = await transport();
      const members = [await transport(), await transport()];
      const counts = [0, 0];
      for (const [index, member] of members.entries()) {
        await member.subscribe(pattern(subject), async () => {
          counts[index] = (counts[index] ?? 0) + 1;
          return 'ack';
        }, subscribeOptions(index));
      }
      for (let index = 0; index < 40; index += 1) await publisher.publish(message(subject, String(index)));
      await eventually(() => (counts[0] ?? 0) + (counts[1] ?? 0) === expectedTotal, `${expectedTotal} deliveries`);
      await sleep(150);
      return counts;
    }

    it('shares the load of the NATS operation binding `queue` between its members', async () => {
      const counts = await shareOfGroup(() => ({ bindings: { operation: { nats: { queue: 'workers' } } } }));
      expect(counts[0]! + counts[1]!).toBe(40);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);
    });

    it('lets SubscribeOptions.queueGroup win over the binding', async () => {
      const counts = await shareOfGroup((index) => ({
        queueGroup: 'chosen',
        bindings: { operation: { nats: { queue: index === 0 ? 'a' : 'b' } } },
      }));
      expect(counts[0]! + counts[1]!).toBe(40);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts[1]).toBeGreaterThan(0);
    });

    it('without a group every subscriber gets every message', async () => {
      const counts = await shareOfGroup(() => ({}), 80);
      expect(counts).toEqual([40, 40]);
    });
  });

  describe('close', () => {
    it('waits for an in-flight handler, which may still publish, then rejects later calls', async () => {
      const subject = `close.${uniqueId()}`;
      const [publisher, subscriber, observer] = [await transport(), await transport(), await transport()];
      const after = collector();
      await observer.subscribe(pattern(`${subject}.done`), after.handler);
      let finished = false;
      let started = false;
      await subscriber.subscribe(pattern(subject), async () => {
        started = true;
        await sleep(300);
        await subscriber.publish(message(`${subject}.done`, 'from the closing handler'));
        finished = true;
        return 'ack';
      });
      await publisher.publish(message(subject, 'slow'));
      await eventually(() => started, 'handler started');
      await subscriber.close();
      expect(finished).toBe(true);
      await eventually(() => after.received.length === 1, 'the message published while closing');
      await expect(subscriber.publish(message(subject, 'late'))).rejects.toThrow(/closed/);
      await expect(subscriber.subscribe(pattern(subject), async () => 'ack')).rejects.toThrow(/closed/);
      await expect(subscriber.request(message(subject, 'late'), { timeoutMs: 100 })).rejects.toThrow(/closed/);
      expect(subscriber.connection.isClosed()).toBe(true);
      await subscriber.close();
    });

    it('rejects pending requests', async () => {
      const subject = `closereq.${uniqueId()}`;
      const [requester, silent] = [await transport(), await transport()];
      await silent.subscribe(pattern(subject), async () => 'ack');
      const outcome = expect(requester.request(message(subject, 'x'), { timeoutMs: 5000 })).rejects.toThrow(/closed/);
      await sleep(50);
      await requester.close();
      await outcome;
    });
  });

  it('reads each message on its own when subjects and header blocks repeat, change and come back', async () => {
    // The transport reuses the last subject and header block it decoded when the next message repeats
    // their bytes; every message must still read as if decoded alone, and own its headers object.
    const run = uniqueId();
    const ours = await transport();
    const plain = await connect({ servers: NATS_URL });
    try {
      const received: InboundMessage[] = [];
      await ours.subscribe(pattern(`r.${run}.{n}`), async (inbound) => {
        received.push(inbound);
        (inbound.headers as Record<string, string>)['mutated'] = 'by the handler';
        return 'ack';
      });
      type Sent = { subject: string; body: string; headers?: Record<string, string[]>; reply?: string };
      const sent: Sent[] = [
        { subject: `r.${run}.a`, body: '1', headers: { 'content-type': ['application/json'] } },
        { subject: `r.${run}.a`, body: '2', headers: { 'content-type': ['application/json'] } },
        { subject: `r.${run}.b`, body: '3', headers: { 'content-type': ['application/json'] } },
        { subject: `r.${run}.b`, body: '4', headers: { 'content-type': ['text/plain'] } },
        { subject: `r.${run}.b`, body: '5' },
        { subject: `r.${run}.a`, body: '6', headers: { 'content-type': ['application/json'], unit: ['kelvin'] } },
        { subject: `r.${run}.a`, body: '7', headers: { 'content-type': ['application/json'], unit: ['kelvin'] } },
        { subject: `r.${run}.a`, body: '8', headers: { 'content-type': ['application/json'], 'correlation-id': ['c1'] } },
        { subject: `r.${run}.a`, body: '9', headers: { 'content-type': ['application/json'], 'correlation-id': ['c2'] } },
        { subject: `r.${run}.é`, body: '10', headers: { unit: ['a', 'b'] }, reply: `r.${run}.reply` },
        { subject: `r.${run}.é`, body: '11', headers: { unit: ['a', 'b'] } },
        { subject: `r.${run}.a`, body: '12', headers: { 'content-type': ['application/json'] } },
      ];
      for (const { subject, body, headers, reply } of sent) {
        const natsHeaderBlock = headers === undefined ? undefined : natsHeaders();
        for (const [name, values] of Object.entries(headers ?? {})) for (const value of values) natsHeaderBlock?.append(name, value);
        plain.publish(subject, body, { ...(natsHeaderBlock === undefined ? {} : { headers: natsHeaderBlock }), ...(reply === undefined ? {} : { reply }) });
      }
      await plain.flush();
      await eventually(() => received.length === sent.length, 'every message');
      const read = received.map((inbound) => ({
        subject: inbound.address,
        body: text(inbound.payload),
        contentType: inbound.contentType,
        correlationId: inbound.correlationId,
        headers: inbound.headers,
        replyTo: inbound.replyTo,
      }));
      expect(read).toEqual(sent.map(({ subject, body, headers, reply }) => {
        const others = Object.entries(headers ?? {}).filter(([name]) => name !== 'content-type' && name !== 'correlation-id');
        return {
          subject,
          body,
          contentType: headers?.['content-type']?.[0],
          correlationId: headers?.['correlation-id']?.[0],
          headers: { ...Object.fromEntries(others.map(([name, values]) => [name, values.join(', ')])), mutated: 'by the handler' },
          replyTo: reply,
        };
      }));
      expect(new Set(received.map((inbound) => inbound.headers)).size).toBe(sent.length);
      // The fast path reads these nats.js internals; after an upgrade that moved them every message
      // would take the slow path unnoticed (still correct, no longer fast).
      const internals = received[0]?.raw as { _msg?: { subject?: unknown; hdr?: unknown }; _rdata?: unknown } | undefined;
      expect(internals?._msg?.subject).toBeInstanceOf(Uint8Array);
      expect(typeof internals?._msg?.hdr).toBe('number');
      expect(internals?._rdata).toBeInstanceOf(Uint8Array);
      // ...and the header block leads the message bytes, where the reader looks for it.
      expect(text((internals?._rdata as Uint8Array).subarray(0, 9))).toBe('NATS/1.0\r');
    } finally {
      await plain.close();
    }
  });

  it('hands over a JSON or text payload as a plain view of what nats.js received, and copies binary or unlabelled ones', async () => {
    const subject = `views.${uniqueId()}`;
    const ours = await transport();
    const plain = await connect({ servers: NATS_URL });
    try {
      const got = collector();
      await ours.subscribe(pattern(subject), got.handler);
      const labelled = (contentType: string): ReturnType<typeof natsHeaders> => {
        const set = natsHeaders();
        set.set('content-type', contentType);
        return set;
      };
      plain.publish(subject, '{"v":1}', { headers: labelled('application/json') });
      plain.publish(subject, 'plain words', { headers: labelled('text/plain; charset=utf-8') });
      plain.publish(subject, new Uint8Array([0, 1, 2, 255]), { headers: labelled('application/octet-stream') });
      plain.publish(subject, '{"v":4}');
      // A content type naming no media type is no label: the operation may take the message as binary.
      plain.publish(subject, new Uint8Array([9, 8]), { headers: labelled('; charset=binary') });
      plain.publish(subject, new Uint8Array([7]), { headers: labelled('') });
      await eventually(() => got.received.length === 6, 'all six messages');
      const seen = got.received.map((inbound) => {
        const natsBytes = (inbound.raw as { data: Uint8Array }).data;
        return {
          bytes: [...inbound.payload],
          plain: Object.getPrototypeOf(inbound.payload) === Uint8Array.prototype,
          sharesNatsBytes: inbound.payload.buffer === natsBytes.buffer && inbound.payload.byteOffset === natsBytes.byteOffset,
        };
      });
      expect(seen).toEqual([
        { bytes: [...bytes('{"v":1}')], plain: true, sharesNatsBytes: true },
        { bytes: [...bytes('plain words')], plain: true, sharesNatsBytes: true },
        { bytes: [0, 1, 2, 255], plain: true, sharesNatsBytes: false },
        { bytes: [...bytes('{"v":4}')], plain: true, sharesNatsBytes: false },
        { bytes: [9, 8], plain: true, sharesNatsBytes: false },
        { bytes: [7], plain: true, sharesNatsBytes: false },
      ]);
    } finally {
      await plain.close();
    }
  });

  it('gives the subject a message carries, also when it reaches a wildcard-free subscription under another one', async () => {
    // A JetStream push consumer delivers to a plain subject the messages stored under theirs; both
    // subjects have the same length here, so only their bytes tell them apart.
    const id = uniqueId().replace(/[^A-Za-z0-9]/g, '').slice(-6).padStart(6, 'x');
    const stored = `rso.${id}.a`;
    const deliverTo = `rsd.${id}.b`;
    const ours = await transport();
    const plain = await connect({ servers: NATS_URL });
    const manager = await jetstreamManager(plain);
    const stream = `RS_${id}`;
    await manager.streams.add({ name: stream, subjects: [stored] });
    try {
      const got = collector();
      await ours.subscribe(pattern(deliverTo), got.handler);
      await manager.consumers.add(stream, { durable_name: `c_${id}`, deliver_subject: deliverTo, ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.All });
      plain.publish(stored, 'stored');
      await ours.publish(message(deliverTo, 'direct'));
      await eventually(() => got.received.length === 2, 'the pushed and the direct message');
      expect(got.received.map((inbound) => [inbound.address, text(inbound.payload)]).sort()).toEqual([
        [deliverTo, 'direct'],
        [stored, 'stored'],
      ]);
    } finally {
      await manager.streams.delete(stream);
      await plain.close();
    }
  });

  it('interoperates with a plain nats.js connection both ways (payload bytes, native headers)', async () => {
    const subject = `plain.${uniqueId()}`;
    const ours = await transport();
    const plain = await connect({ servers: NATS_URL });
    try {
      const seenByPlain: Array<{ data: string; unit: string; contentType: string }> = [];
      plain.subscribe(subject, {
        callback: (_error, msg) => {
          seenByPlain.push({ data: msg.string(), unit: msg.headers?.get('unit') ?? '', contentType: msg.headers?.get('content-type') ?? '' });
        },
      });
      await plain.flush();
      await ours.publish(message(subject, '{"v":1}', { headers: { unit: 'kelvin' }, contentType: 'application/json' }));
      await eventually(() => seenByPlain.length === 1, 'plain client receives');
      expect(seenByPlain[0]).toEqual({ data: '{"v":1}', unit: 'kelvin', contentType: 'application/json' });

      const got = collector();
      await ours.subscribe(pattern(`${subject}.back`), got.handler);
      const plainHeaders = natsHeaders();
      plainHeaders.set('Content-Type', 'application/json');
      plainHeaders.set('unit', 'celsius');
      plain.publish(`${subject}.back`, '{"v":2}', { headers: plainHeaders });
      await eventually(() => got.received.length === 1, 'our subscriber receives');
      expect(text(got.received[0]!.payload)).toBe('{"v":2}');
      expect(got.received[0]!.headers).toEqual({ unit: 'celsius' });
      expect(got.received[0]!.contentType).toBe('application/json');
    } finally {
      await plain.close();
    }
  });
});
