/** The NATS transport's opt-in JetStream mode against a real nats-server with JetStream. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { createNatsTransport, type NatsTransport, type NatsTransportOptions } from '../../../src/runtime/transports/nats.js';
import { brokerAvailable } from '../../support/brokers.js';
import { NATS_URL, collector, eventually, message, pattern, sleep, text, uniqueId } from './helpers.js';

const available = await brokerAvailable('nats');

describe.skipIf(!available)('NATS transport with JetStream', () => {
  const id = uniqueId('js');
  const stream = `ASYNCAPI_GEN_TEST_${id}`;
  let admin: NatsConnection;
  let manager: JetStreamManager;
  const opened: NatsTransport[] = [];

  beforeAll(async () => {
    admin = await connect({ servers: NATS_URL });
    manager = await jetstreamManager(admin);
    await manager.streams.add({ name: stream, subjects: [`${id}.>`] });
  });
  afterAll(async () => {
    await manager?.streams.delete(stream).catch(() => false);
    await admin?.close();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });

  /** A transport with JetStream on this test's stream, or with no stream named when `jetstream` is 'no stream'. */
  async function transport(jetstream: NatsTransportOptions['jetstream'] | 'no stream' = {}, extra: NatsTransportOptions = {}): Promise<NatsTransport> {
    const created = await createNatsTransport({ url: NATS_URL, jetstream: jetstream === 'no stream' ? {} : { stream, ...jetstream }, ...extra });
    opened.push(created);
    return created;
  }

  async function storedCount(subject: string): Promise<number> {
    const info = await manager.streams.info(stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  }

  it('publishes through JetStream and resolves once the stream stored the message', async () => {
    const subject = `${id}.stored.${uniqueId()}`;
    const publisher = await transport();
    await publisher.publish(message(subject, 'kept', { headers: { unit: 'celsius' }, contentType: 'application/json' }));
    expect(await storedCount(subject)).toBe(1);
    const stored = await manager.streams.getMessage(stream, { last_by_subj: subject });
    expect(stored === null ? '' : text(stored.data)).toBe('kept');
    expect(stored?.header.get('unit')).toBe('celsius');
    expect(stored?.header.get('content-type')).toBe('application/json');
  });

  it('rejects a publish that no stream stores', async () => {
    const publisher = await transport('no stream');
    await expect(publisher.publish(message(`nostream.${uniqueId()}`, 'lost'))).rejects.toThrow(/JetStream did not store/);
  });

  it('acks on `ack`, terminates on `reject` and on a throwing handler: nothing is redelivered', async () => {
    const run = uniqueId();
    const publisher = await transport();
    const subscriber = await transport({ durable: `d${run}`, ackWaitMs: 300 });
    const seen: string[] = [];
    await subscriber.subscribe(pattern(`${id}.acks.{run}`, { run }), async (inbound) => {
      const body = text(inbound.payload);
      seen.push(body);
      if (body === 'throw') throw new Error('handler failed');
      return body === 'bad' ? 'reject' : 'ack';
    }, { operation: 'acks' });
    for (const body of ['good', 'bad', 'throw']) await publisher.publish(message(`${id}.acks.${run}`, body));
    await eventually(() => seen.length === 3, 'three deliveries');
    await sleep(900);
    expect(seen).toEqual(['good', 'bad', 'throw']);
    const info = await manager.consumers.info(stream, `d${run}_acks`);
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('a durable consumer resumes: messages sent while nobody listened arrive on the next subscribe', async () => {
    const run = uniqueId();
    const subject = `${id}.durable.${run}`;
    const publisher = await transport();
    // The first subscription's pull may still be waiting on the server and take '2' or '3' into the
    // void (nats-server 2.9); the server sends such a message again after the ack wait.
    const first = await transport({ durable: `d${run}`, ackWaitMs: 1000 });
    const before = collector();
    const subscription = await first.subscribe(pattern(subject), before.handler, { operation: 'durable' });
    await publisher.publish(message(subject, '1'));
    await eventually(() => before.received.length === 1, 'first message');
    await subscription.unsubscribe();
    await publisher.publish(message(subject, '2'));
    await publisher.publish(message(subject, '3'));
    const second = await transport({ durable: `d${run}`, ackWaitMs: 1000 });
    const after = collector();
    await second.subscribe(pattern(subject), after.handler, { operation: 'durable' });
    await eventually(() => after.received.length === 2, 'the two messages sent in between', 10_000);
    await sleep(1200);
    expect(after.received.map((m) => text(m.payload)).sort()).toEqual(['2', '3']);
    expect(before.received).toHaveLength(1);
  });

  it('moves an existing durable consumer to the subscription\'s new subject', async () => {
    const run = uniqueId();
    const publisher = await transport();
    const first = await transport({ durable: `m${run}` });
    const subscription = await first.subscribe(pattern(`${id}.moved.{run}`, { run: 'a' }), async () => 'ack', { operation: 'moved' });
    await subscription.unsubscribe();
    const second = await transport({ durable: `m${run}` });
    const got = collector();
    await second.subscribe(pattern(`${id}.moved.{run}`, { run: 'b' }), got.handler, { operation: 'moved' });
    expect((await manager.consumers.info(stream, `m${run}_moved`)).config.filter_subject).toBe(`${id}.moved.b`);
    await publisher.publish(message(`${id}.moved.a`, 'old subject'));
    await publisher.publish(message(`${id}.moved.b`, 'new subject'));
    await eventually(() => got.received.length === 1, 'the message on the new subject');
    await sleep(100);
    expect(got.received.map((m) => text(m.payload))).toEqual(['new subject']);
  });

  it('members of a queue group share one durable consumer and split the messages', async () => {
    const subject = `${id}.group.${uniqueId()}`;
    const publisher = await transport();
    const members = [await transport(), await transport()];
    const counts = [0, 0];
    for (const [index, member] of members.entries()) {
      await member.subscribe(pattern(subject), async () => {
        counts[index] = (counts[index] ?? 0) + 1;
        await sleep(5);
        return 'ack';
      }, { operation: 'group', bindings: { operation: { nats: { queue: `g${id}` } } } });
    }
    for (let index = 0; index < 30; index += 1) await publisher.publish(message(subject, String(index)));
    await eventually(() => counts[0]! + counts[1]! === 30, 'all 30 messages');
    await sleep(200);
    expect(counts[0]! + counts[1]!).toBe(30);
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
  });

  it('an ephemeral consumer (no durable, no group) finds its stream by subject and is deleted on unsubscribe', async () => {
    const subject = `${id}.ephemeral.${uniqueId()}`;
    const publisher = await transport('no stream');
    const subscriber = await transport('no stream');
    const consumersBefore = (await manager.streams.info(stream)).state.consumer_count;
    const got = collector();
    const subscription = await subscriber.subscribe(pattern(subject), got.handler);
    expect((await manager.streams.info(stream)).state.consumer_count).toBe(consumersBefore + 1);
    await publisher.publish(message(subject, 'x'));
    await eventually(() => got.received.length === 1, 'the message');
    expect(got.received[0]?.reply).toBeUndefined();
    await subscription.unsubscribe();
    let consumers = -1;
    const countConsumers = async (): Promise<void> => {
      consumers = (await manager.streams.info(stream)).state.consumer_count;
    };
    for (let attempt = 0; attempt < 50 && consumers !== consumersBefore; attempt += 1) {
      await countConsumers();
      if (consumers !== consumersBefore) await sleep(20);
    }
    expect(consumers).toBe(consumersBefore);
  });

  it('lets a handler unsubscribe its own subscription; the durable keeps the rest', async () => {
    const run = uniqueId();
    const subject = `${id}.self.${run}`;
    const publisher = await transport();
    // A message already on its way to the closing pull is redelivered after the ack wait only.
    const subscriber = await transport({ durable: `s${run}`, ackWaitMs: 1000 });
    const seen: string[] = [];
    let unsubscribed = false;
    const subscription = await subscriber.subscribe(pattern(subject), async (inbound) => {
      seen.push(text(inbound.payload));
      await sleep(100); // so that '2' waits in the client's buffer
      await subscription.unsubscribe();
      unsubscribed = true;
      return 'ack';
    }, { operation: 'self' });
    await publisher.publish(message(subject, '1'));
    await publisher.publish(message(subject, '2'));
    await eventually(() => unsubscribed, 'the handler finished unsubscribing');
    await sleep(150);
    expect(seen).toEqual(['1']);
    const again = collector();
    await subscriber.subscribe(pattern(subject), again.handler, { operation: 'self' });
    await eventually(() => again.received.length === 1, 'the message left for the durable');
    expect(text(again.received[0]!.payload)).toBe('2');
  });

  it('says which stream is missing when none stores the subject', async () => {
    const subscriber = await transport('no stream');
    await expect(subscriber.subscribe(pattern(`nostream.${uniqueId()}`), async () => 'ack')).rejects.toThrow(/no JetStream stream stores/);
  });

  it('uses core NATS for operations left out of jetstream.operations, and for requests', async () => {
    const subject = `corejs.${uniqueId()}`;
    const selective = await transport({ operations: ['persisted'] });
    const got = collector();
    await selective.subscribe(pattern(subject), async (inbound) => {
      await inbound.reply?.({ payload: inbound.payload, headers: {} });
      return got.handler(inbound);
    }, { operation: 'plain' });
    await selective.publish(message(subject, 'core'), { operation: 'plain' });
    await eventually(() => got.received.length === 1, 'the core message');
    const answer = await selective.request(message(subject, 'echo'), { timeoutMs: 2000 });
    expect(text(answer.payload)).toBe('echo');
  });

  it('close waits for the in-flight handler and acks its message', async () => {
    const run = uniqueId();
    const subject = `${id}.close.${run}`;
    const publisher = await transport();
    const subscriber = await transport({ durable: `c${run}` });
    let started = false;
    let finished = false;
    await subscriber.subscribe(pattern(subject), async () => {
      started = true;
      await sleep(300);
      finished = true;
      return 'ack';
    }, { operation: 'close' });
    await publisher.publish(message(subject, 'slow'));
    await eventually(() => started, 'handler started');
    await subscriber.close();
    expect(finished).toBe(true);
    await sleep(100);
    const info = await manager.consumers.info(stream, `c${run}_close`);
    expect(info.num_ack_pending).toBe(0);
    expect(info.delivered.consumer_seq).toBe(1);
  });
});
