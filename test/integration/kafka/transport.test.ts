/**
 * The Kafka transport against librdkafka's mock cluster: addresses and
 * wildcards, message fields, keys and partitions, request/reply, unsubscribe,
 * dispositions, queue groups and close(). Group joins take about 3 s on the
 * mock, so the tests share two transports and most run concurrently.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKafkaTransport, type KafkaTransport } from '../../../src/runtime/transports/kafka.js';
import type { Disposition, InboundMessage } from '../../../src/runtime/core/transport.js';
import { startKafkaMock, type KafkaMock } from '../../support/kafka-mock.js';
import { TEST_OPTIONS, bytes, eventually, partitionOf, pattern, runId, sleep, text } from './helpers.js';

const mock = await startKafkaMock();

describe.skipIf(mock === undefined)('Kafka transport (librdkafka mock cluster)', () => {
  const cluster = mock as KafkaMock;
  const run = runId();
  let sender: KafkaTransport;
  let receiver: KafkaTransport;

  beforeAll(async () => {
    [sender, receiver] = await Promise.all([
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS }),
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await Promise.allSettled([sender?.close(), receiver?.close()]);
    await cluster.stop();
  }, 30_000);

  const QUICK_SESSIONS = { sessionTimeout: 6_000, heartbeatInterval: 1_000 } as const;

  // Not side by side with the others: librdkafka 2.0.2's mock coordinator answers a group follower
  // whose SyncGroup arrives after the leader's with INVALID_REQUEST, which CPU contention makes
  // likelier. Each attempt uses a new topic and group.
  let queueAttempt = 0;
  it('queue groups (option or groupId binding) share the messages; other subscribers still get them all', { retry: 2, timeout: 45_000 }, async ({ expect }) => {
    queueAttempt += 1;
    const topic = `jobs.${run}.queue${queueAttempt}`;
    const group = `workers-${run}-${queueAttempt}`;
    const first: string[] = [];
    const second: string[] = [];
    const everything: string[] = [];
    const groupBinding = { operation: { kafka: { groupId: { type: 'string', const: group } } } };
    // Short sessions: should the mock's SyncGroup fault crash a member, its replacement joins in seconds.
    const [one, two] = await Promise.all([
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, consumer: QUICK_SESSIONS }),
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, consumer: QUICK_SESSIONS }),
    ]);
    const subscribing = await Promise.allSettled([
      one.subscribe(pattern(topic), async (message) => (first.push(text(message)), 'ack'), { queueGroup: group }),
      two.subscribe(pattern(topic), async (message) => (second.push(text(message)), 'ack'), { bindings: groupBinding }),
      two.subscribe(pattern(topic), async (message) => (everything.push(text(message)), 'ack')),
    ]);
    const subscriptions = subscribing.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    try {
      for (const result of subscribing) if (result.status === 'rejected') throw result.reason;
      const bodies = Array.from({ length: 12 }, (_, index) => `job-${index}`);
      for (const body of bodies) await sender.publish({ address: topic, payload: bytes(body), headers: {}, key: body });
      await eventually(() => first.length + second.length === bodies.length && everything.length === bodies.length, 'every job once per group');
      await sleep(300);
      expect([...first, ...second].sort()).toEqual([...bodies].sort());
      expect(first.length).toBeGreaterThan(0);
      expect(second.length).toBeGreaterThan(0);
      expect([...everything].sort()).toEqual([...bodies].sort());
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
      await Promise.allSettled([one.close(), two.close()]);
    }
  });

  it('a consumer that crashes while joining its group is replaced until one joins', { timeout: 45_000 }, async ({ expect }) => {
    const topic = `jobs.${run}.rejoin`;
    const received: string[] = [];
    // A crashed consumer leaves no LeaveGroup behind: its replacement joins once the group has
    // given up on it, after the session timeout (30 s by default, 6 s here).
    const joiner = await createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, consumer: QUICK_SESSIONS });
    try {
      // The next two SyncGroup requests (API key 14) fail with INVALID_REQUEST (42): kafkajs' consumer crashes.
      await cluster.pushRequestErrors(14, [42, 42]);
      const subscription = await joiner.subscribe(pattern(topic), async (message) => (received.push(text(message)), 'ack'), { queueGroup: `rejoin-${run}` });
      await sender.publish({ address: topic, payload: bytes('after the crashes'), headers: {} });
      await eventually(() => received.length === 1, 'the message, through the replacement consumer');
      expect(received).toEqual(['after the crashes']);
      await subscription.unsubscribe();
    } finally {
      await joiner.close();
    }
  });

  // The other tests use their own topics and mostly wait for group joins: they run side by side.
  describe('one subscriber per group', { concurrent: true }, () => {
    it('carries payload bytes, key, headers and content type; handlers run one at a time in order', async ({ expect }) => {
      const topic = `fields.${run}.one`;
      const received: InboundMessage[] = [];
      let running = 0;
      let overlapped = false;
      const subscription = await receiver.subscribe(pattern('fields.{run}.one', { run }), async (message) => {
        running += 1;
        overlapped ||= running > 1;
        await sleep(20);
        received.push(message);
        running -= 1;
        return 'ack';
      });
      const payload = bytes('{"value":21.5}');
      await sender.publish({ address: topic, payload, headers: { unit: 'celsius', 'x-trace': 'ü' }, contentType: 'application/json', key: 'sensor-1' });
      for (let index = 0; index < 4; index += 1) {
        await sender.publish({ address: topic, payload: bytes(`${index}`), headers: {}, key: 'sensor-1' });
      }
      await eventually(() => received.length === 5, 'five messages');
      const [first] = received;
      expect(first?.address).toBe(topic);
      expect(text(first!)).toBe('{"value":21.5}');
      expect(first?.headers).toEqual({ unit: 'celsius', 'x-trace': 'ü' });
      expect(first?.contentType).toBe('application/json');
      expect(first?.key).toBe('sensor-1');
      expect(first?.reply).toBeUndefined();
      expect(received.slice(1).map(text)).toEqual(['0', '1', '2', '3']);
      expect(overlapped).toBe(false);
      await subscription.unsubscribe();
      await sender.publish({ address: topic, payload: bytes('late'), headers: {} });
      await sleep(500);
      expect(received).toHaveLength(5);
    }, 30_000);

    it('wildcards: free slots match existing and later topics, fixed slots filter, old messages stay unread', async ({ expect }) => {
      const existing = `wild.${run}.pre.events`;
      await sender.publish({ address: existing, payload: bytes('before subscribing'), headers: {} });
      const received: InboundMessage[] = [];
      const subscription = await receiver.subscribe(pattern('wild.{run}.{device}.events', { run }), async (message) => {
        received.push(message);
        return 'ack';
      });
      await sender.publish({ address: existing, payload: bytes('pre'), headers: {} });
      await sender.publish({ address: `wild.${run}.a.events`, payload: bytes('a'), headers: {} });
      await sender.publish({ address: `wild.${run}.b.events`, payload: bytes('b'), headers: {} });
      await sender.publish({ address: `wild.${run}x.a.events`, payload: bytes('other run'), headers: {} });
      await sender.publish({ address: `wild.${run}.a.b.events`, payload: bytes('two levels'), headers: {} });
      await eventually(() => received.length >= 3, 'the three matching messages');
      await sleep(500);
      expect(received.map((message) => `${message.address}=${text(message)}`).sort()).toEqual([
        `wild.${run}.a.events=a`,
        `wild.${run}.b.events=b`,
        `wild.${run}.pre.events=pre`,
      ]);
      // A topic appearing while the subscription runs is picked up too, without losing the others.
      await sender.publish({ address: `wild.${run}.c.events`, payload: bytes('c'), headers: {} });
      await sender.publish({ address: `wild.${run}.a.events`, payload: bytes('a2'), headers: {} });
      await eventually(() => received.length === 5, 'the messages after a new topic');
      expect(received.slice(3).map(text).sort()).toEqual(['a2', 'c']);
      await subscription.unsubscribe();
    }, 45_000);

    it('refuses addresses that are not Kafka topic names, before sending', async ({ expect }) => {
      await expect(sender.publish({ address: 'bad.a%2Fb.x', payload: bytes('x'), headers: {} })).rejects.toThrow(/"%" is not allowed/);
      await expect(sender.publish({ address: 'with space', payload: bytes('x'), headers: {} })).rejects.toThrow(/topic names may contain only/);
      await expect(receiver.subscribe(pattern('bad.{id}', { id: 'a b' }), async () => 'ack')).rejects.toThrow(/"%" is not allowed/);
      await expect(receiver.subscribe(pattern('bad/{id}'), async () => 'ack')).rejects.toThrow(/topic names may contain only/);
      await expect(sender.request({ address: 'bad%20', payload: bytes('x'), headers: {} }, { timeoutMs: 100 })).rejects.toThrow(/topic names/);
    });

    it('request/reply through the reply topic, with timeout and abort', async ({ expect }) => {
      const questions = `rr.${run}.questions`;
      const answered: string[] = [];
      const responder = await receiver.subscribe(pattern('rr.{run}.questions', { run }), async (message) => {
        answered.push(message.correlationId ?? '');
        expect(message.replyTo).toBe(sender.replyTopic);
        await message.reply?.({ payload: bytes(`echo ${text(message)}`), headers: { answered: 'yes' }, contentType: 'text/plain' });
        return 'ack';
      });
      const reply = await sender.request({ address: questions, payload: bytes('ping'), headers: {} }, { timeoutMs: 10_000 });
      expect(text(reply)).toBe('echo ping');
      expect(reply.address).toBe(sender.replyTopic);
      expect(reply.headers['answered']).toBe('yes');
      expect(reply.contentType).toBe('text/plain');
      expect(reply.correlationId).toBe(answered[0]);

      const second = await sender.request({ address: questions, payload: bytes('pong'), headers: {}, correlationId: 'mine-1' }, { timeoutMs: 10_000 });
      expect(text(second)).toBe('echo pong');
      expect(second.correlationId).toBe('mine-1');

      const started = Date.now();
      await expect(sender.request({ address: `rr.${run}.nobody`, payload: bytes('?'), headers: {} }, { timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(5000);

      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('changed my mind')), 100);
      await expect(sender.request({ address: `rr.${run}.nobody`, payload: bytes('?'), headers: {} }, { timeoutMs: 10_000, signal: controller.signal })).rejects.toThrow('changed my mind');
      await expect(sender.request({ address: questions, payload: bytes('?'), headers: {} }, { timeoutMs: 1000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
      await expect(sender.request({ address: questions, payload: bytes('?'), headers: {} }, { timeoutMs: -1 })).rejects.toThrow(RangeError);
      await responder.unsubscribe();
    }, 45_000);

    it('keys choose the partition: one key, one partition, in order (3-partition topic)', async ({ expect }) => {
      const topic = `keys.${run}.orders`;
      await cluster.createTopic(topic, 3);
      const received: InboundMessage[] = [];
      const subscription = await receiver.subscribe(pattern(topic), async (message) => {
        received.push(message);
        return 'ack';
      });
      const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
      for (let round = 0; round < 3; round += 1) {
        for (const key of keys) await sender.publish({ address: topic, payload: bytes(`${key}-${round}`), headers: {}, key });
      }
      await eventually(() => received.length === keys.length * 3, 'every keyed message');
      const partitionsByKey = new Map<string, Set<number>>();
      for (const message of received) {
        const partitions = partitionsByKey.get(message.key ?? '') ?? new Set<number>();
        partitions.add(partitionOf(message));
        partitionsByKey.set(message.key ?? '', partitions);
      }
      for (const key of keys) {
        expect(partitionsByKey.get(key)?.size, `partitions of ${key}`).toBe(1);
        expect(received.filter((message) => message.key === key).map(text)).toEqual([0, 1, 2].map((round) => `${key}-${round}`));
      }
      expect(new Set(received.map(partitionOf)).size).toBeGreaterThan(1);
      await subscription.unsubscribe();
    }, 30_000);

    it('reject: the message is not redelivered, handler errors count as reject, and both go to the dead-letter topic', async ({ expect }) => {
      const deadLetterTopic = `dead.${run}.letters`;
      const errors: Error[] = [];
      const strict = await createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, deadLetterTopic, onError: (error) => errors.push(error) });
      try {
        const seen: string[] = [];
        const dead: InboundMessage[] = [];
        const [work, letters] = await Promise.all([
          strict.subscribe(pattern(`work.${run}.items`), async (message): Promise<Disposition> => {
            seen.push(text(message));
            if (text(message) === 'throw') throw new Error('handler broke');
            return text(message) === 'bad' ? 'reject' : 'ack';
          }),
          receiver.subscribe(pattern(deadLetterTopic), async (message) => {
            dead.push(message);
            return 'ack';
          }),
        ]);
        for (const body of ['bad', 'good', 'throw', 'after']) {
          await sender.publish({ address: `work.${run}.items`, payload: bytes(body), headers: { n: body }, key: 'one-partition' });
        }
        await eventually(() => seen.length === 4 && dead.length === 2, 'four deliveries and two dead letters');
        await sleep(500);
        expect(seen).toEqual(['bad', 'good', 'throw', 'after']);
        expect(dead.map(text)).toEqual(['bad', 'throw']);
        expect(dead[0]?.key).toBe('one-partition');
        expect(dead[0]?.headers).toMatchObject({ n: 'bad', 'asyncapi-rejected-topic': `work.${run}.items` });
        expect(errors.map((error) => error.message).join('\n')).toMatch(/handler broke/);
        await Promise.all([work.unsubscribe(), letters.unsubscribe()]);
      } finally {
        await strict.close();
      }
    }, 30_000);

    it('close() waits for the running handler, lets it publish, then refuses everything', async ({ expect }) => {
      const closing = await createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS });
      const events: string[] = [];
      const echoes: string[] = [];
      const [, echoSubscription] = await Promise.all([
        closing.subscribe(pattern(`drain.${run}.in`), async (message) => {
          events.push('handler started');
          await sleep(700);
          await closing.publish({ address: `drain.${run}.out`, payload: message.payload, headers: {} });
          events.push('handler finished');
          return 'ack';
        }),
        receiver.subscribe(pattern(`drain.${run}.out`), async (message) => (echoes.push(text(message)), 'ack')),
      ]);
      await sender.publish({ address: `drain.${run}.in`, payload: bytes('slow'), headers: {} });
      await eventually(() => events.length === 1, 'the handler to start');
      await closing.close();
      events.push('closed');
      expect(events).toEqual(['handler started', 'handler finished', 'closed']);
      await eventually(() => echoes.length === 1, 'what the draining handler published');
      await expect(closing.publish({ address: `drain.${run}.in`, payload: bytes('x'), headers: {} })).rejects.toThrow(/closed/);
      await expect(closing.subscribe(pattern(`drain.${run}.in`), async () => 'ack')).rejects.toThrow(/closed/);
      await expect(closing.request({ address: `drain.${run}.in`, payload: bytes('x'), headers: {} }, { timeoutMs: 100 })).rejects.toThrow(/closed/);
      await closing.close();
      await echoSubscription.unsubscribe();
    }, 30_000);
  });
});
