/**
 * The MQTT transport against Mosquitto on loopback: wildcards, headers,
 * request/reply, unsubscribe, close, dispositions, bindings (QoS, retain,
 * MQTT 5 properties), shared subscriptions, and MQTT 3.1.1.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectAsync, type IPublishPacket } from 'mqtt';
import { createMqttTransport, topicFilterFor, topicMatches, type MqttTransport } from '../../../src/runtime/transports/mqtt.js';
import type { InboundMessage } from '../../../src/runtime/core/transport.js';
import { brokerAvailable } from '../../support/brokers.js';
import { MQTT_URL, bytes, collector, eventually, gate, message, pattern, sleep, text, uniqueId } from './helpers.js';

const available = await brokerAvailable('mqtt');

const opened: MqttTransport[] = [];

async function open(options: Parameters<typeof createMqttTransport>[0] = {}): Promise<MqttTransport> {
  const transport = await createMqttTransport({ url: MQTT_URL, ...options });
  opened.push(transport);
  return transport;
}

function rawPacket(inbound: InboundMessage | undefined): IPublishPacket {
  return inbound?.raw as IPublishPacket;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
  vi.restoreAllMocks();
});

describe('topic filters', () => {
  it('subscribe free parameters as + for their whole level, fixed ones as their encoded value', () => {
    expect(topicFilterFor(pattern('a/{run}/{id}/x', { run: 'r 1' }))).toBe('a/r%201/+/x');
    expect(topicFilterFor(pattern('a/dev-{id}/x'))).toBe('a/+/x');
    expect(topicFilterFor(pattern('{tenant}'))).toBe('+');
    expect(topicFilterFor(pattern('a/b'))).toBe('a/b');
  });

  it('match like a broker', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/d')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('+/x', '$SYS/x')).toBe(false);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
  });
});

describe.skipIf(!available)('MQTT transport over Mosquitto (MQTT 5)', () => {
  it('delivers through fixed and free parameters, and nothing from other fixed values', async () => {
    const app = await open();
    const client = await open();
    const run = uniqueId();
    const { received, handler } = collector();
    await client.subscribe(pattern('t/{run}/{sensor}/readings', { run }), handler);
    await app.publish(message(`t/${run}/s1/readings`, '1'));
    await app.publish(message(`t/${run}x/s1/readings`, 'other run'));
    await app.publish(message(`t/${run}/s2/readings`, '2'));
    await eventually(() => received.length === 2, 'two readings');
    await sleep(100);
    expect(received.map((inbound) => `${inbound.address}=${text(inbound.payload)}`)).toEqual([
      `t/${run}/s1/readings=1`,
      `t/${run}/s2/readings=2`,
    ]);
  });

  it('subscribes a parameter that is part of a level with + (the generated code filters)', async () => {
    const transport = await open();
    const run = uniqueId();
    const { received, handler } = collector();
    await transport.subscribe(pattern(`p/${run}/dev-{id}`), handler);
    await transport.publish(message(`p/${run}/dev-7`, 'a'));
    await transport.publish(message(`p/${run}/other`, 'b'));
    await eventually(() => received.length === 2, 'both messages of the broader filter');
  });

  it('carries payload bytes unchanged, headers as user properties and the content type', async () => {
    const transport = await open();
    const run = uniqueId();
    const { received, handler } = collector();
    await transport.subscribe(pattern(`h/${run}`), handler);
    const payload = bytes('{"value":1}');
    await transport.publish(message(`h/${run}`, '{"value":1}', { headers: { unit: 'celsius', sequence: '1', spaced: 'a b' }, contentType: 'application/json' }));
    await eventually(() => received.length === 1, 'the message');
    const inbound = received[0];
    expect(inbound?.payload).toEqual(payload);
    expect(inbound?.headers).toEqual({ unit: 'celsius', sequence: '1', spaced: 'a b' });
    expect(inbound?.contentType).toBe('application/json');
    expect(inbound?.reply).toBeUndefined();
  });

  it('answers requests through the response topic with the same correlation data', async () => {
    const requester = await open();
    const replier = await open();
    const run = uniqueId();
    await replier.subscribe(pattern(`q/${run}`), async (inbound) => {
      await inbound.reply?.({ payload: bytes(`echo ${text(inbound.payload)}`), headers: { from: 'replier' }, contentType: 'text/plain' });
      return 'ack';
    });
    const answer = await requester.request(message(`q/${run}`, 'ping', { correlationId: 'c-1' }), { timeoutMs: 3000 });
    expect(text(answer.payload)).toBe('echo ping');
    expect(answer.correlationId).toBe('c-1');
    expect(answer.headers).toEqual({ from: 'replier' });
    expect(answer.contentType).toBe('text/plain');
    const [first, second] = await Promise.all([
      requester.request(message(`q/${run}`, 'a'), { timeoutMs: 3000 }),
      requester.request(message(`q/${run}`, 'b'), { timeoutMs: 3000 }),
    ]);
    expect([text(first.payload), text(second.payload)]).toEqual(['echo a', 'echo b']);
  });

  it('rejects a request nobody answers after its timeout, and an aborted one with the abort reason', async () => {
    const transport = await open();
    const run = uniqueId();
    const started = Date.now();
    await expect(transport.request(message(`nobody/${run}`, 'x'), { timeoutMs: 200 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const controller = new AbortController();
    const pending = transport.request(message(`nobody/${run}`, 'x'), { timeoutMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    await expect(pending).rejects.toThrow('caller gave up');
    await expect(transport.request(message(`nobody/${run}`, 'x'), { timeoutMs: 5000, signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('stops delivering after unsubscribe, and keeps other subscriptions to the same filter', async () => {
    const transport = await open();
    const run = uniqueId();
    const first = collector();
    const second = collector();
    const firstSubscription = await transport.subscribe(pattern(`u/${run}/{x}`), first.handler);
    await transport.subscribe(pattern(`u/${run}/{x}`), second.handler);
    await transport.publish(message(`u/${run}/a`, '1'));
    await eventually(() => first.received.length === 1 && second.received.length === 1, 'both subscriptions');
    await firstSubscription.unsubscribe();
    await firstSubscription.unsubscribe();
    await transport.publish(message(`u/${run}/a`, '2'));
    await eventually(() => second.received.length === 2, 'the remaining subscription');
    await sleep(150);
    expect(first.received).toHaveLength(1);
  });

  it('delivers once per subscription when filters overlap (subscription identifiers)', async () => {
    const transport = await open();
    const run = uniqueId();
    const wide = collector();
    const narrow = collector();
    await transport.subscribe(pattern(`o/${run}/{a}/c`), wide.handler);
    await transport.subscribe(pattern(`o/${run}/b/{c}`), narrow.handler);
    await transport.publish(message(`o/${run}/b/c`, 'x'));
    await eventually(() => wide.received.length === 1 && narrow.received.length === 1, 'one delivery each');
    await sleep(150);
    expect([wide.received.length, narrow.received.length]).toEqual([1, 1]);
  });

  it('runs handlers one at a time per subscription, in order; maxInFlight allows more', async () => {
    const run = uniqueId();
    for (const maxInFlight of [1, 4]) {
      const transport = await open({ maxInFlight });
      let running = 0;
      let mostAtOnce = 0;
      const order: string[] = [];
      await transport.subscribe(pattern(`s/${run}/${maxInFlight}`), async (inbound) => {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(10);
        order.push(text(inbound.payload));
        running -= 1;
        return 'ack';
      });
      const sent = Array.from({ length: 12 }, (_, index) => String(index));
      for (const body of sent) await transport.publish(message(`s/${run}/${maxInFlight}`, body));
      await eventually(() => order.length === sent.length, 'every message handled');
      if (maxInFlight === 1) {
        expect(order).toEqual(sent);
        expect(mostAtOnce).toBe(1);
      } else {
        expect(mostAtOnce).toBeGreaterThan(1);
        expect(mostAtOnce).toBeLessThanOrEqual(maxInFlight);
      }
    }
  });

  it('does not redeliver a rejected message, and survives a throwing handler', async () => {
    const transport = await open();
    const run = uniqueId();
    const seen: string[] = [];
    await transport.subscribe(pattern(`r/${run}`), async (inbound) => {
      const body = text(inbound.payload);
      seen.push(body);
      if (body === 'bad') return 'reject';
      if (body === 'boom') throw new Error('handler bug');
      return 'ack';
    }, { bindings: { operation: { mqtt: { qos: 1 } } } });
    for (const body of ['bad', 'boom', 'good']) {
      await transport.publish(message(`r/${run}`, body), { bindings: { operation: { mqtt: { qos: 1 } } } });
    }
    await eventually(() => seen.length === 3, 'three deliveries');
    await sleep(200);
    expect(seen).toEqual(['bad', 'boom', 'good']);
  });

  it('close() waits for an in-flight handler, lets it publish, then refuses publish, subscribe and request', async () => {
    const app = await open();
    const transport = await createMqttTransport({ url: MQTT_URL });
    const run = uniqueId();
    const hold = gate();
    const events: string[] = [];
    const { received, handler } = collector();
    await app.subscribe(pattern(`c/${run}/done`), handler);
    await transport.subscribe(pattern(`c/${run}/work`), async () => {
      events.push('handler started');
      await hold.promise;
      await transport.publish(message(`c/${run}/done`, 'finished'));
      events.push('handler finished');
      return 'ack';
    });
    await app.publish(message(`c/${run}/work`, 'job'));
    await eventually(() => events.length === 1, 'the handler to start');
    const closed = transport.close().then(() => events.push('closed'));
    await sleep(100);
    expect(events).toEqual(['handler started']);
    hold.open();
    await closed;
    expect(events).toEqual(['handler started', 'handler finished', 'closed']);
    await eventually(() => received.length === 1, 'the message published while closing');
    await expect(transport.publish(message(`c/${run}/work`, 'late'))).rejects.toThrow(/closed/);
    await expect(transport.subscribe(pattern(`c/${run}/work`), handler)).rejects.toThrow(/closed/);
    await expect(transport.request(message(`c/${run}/work`, 'late'), { timeoutMs: 100 })).rejects.toThrow(/closed/);
    expect(transport.client.connected).toBe(false);
    await transport.close();
  });

  it('rejects pending requests on close', async () => {
    const transport = await createMqttTransport({ url: MQTT_URL });
    const pending = transport.request(message(`nobody/${uniqueId()}`, 'x'), { timeoutMs: 5000 });
    const outcome = expect(pending).rejects.toThrow(/closed/);
    await sleep(100);
    await transport.close();
    await outcome;
  });

  it('publishes with the QoS of the operation binding, subscribes with its QoS as maximum', async () => {
    const transport = await open();
    const run = uniqueId();
    const atTwo = collector();
    const atZero = collector();
    await transport.subscribe(pattern(`qos/${run}/{n}`), atTwo.handler);
    await transport.subscribe(pattern(`qos/${run}/{m}`, { m: 'x' }), atZero.handler, { bindings: { operation: { mqtt: { qos: 0 } } } });
    await transport.publish(message(`qos/${run}/x`, 'q2'), { bindings: { operation: { mqtt: { qos: 2 } } } });
    await transport.publish(message(`qos/${run}/y`, 'q0'), { bindings: { operation: { mqtt: { qos: 0 } } } });
    await transport.publish(message(`qos/${run}/z`, 'default'));
    await eventually(() => atTwo.received.length === 3 && atZero.received.length === 1, 'all deliveries');
    const qosOf = (inbound: InboundMessage): string => `${text(inbound.payload)}:${rawPacket(inbound).qos}`;
    expect(atTwo.received.map(qosOf).sort()).toEqual(['default:1', 'q0:0', 'q2:2']);
    expect(atZero.received.map(qosOf)).toEqual(['q2:0']);
  });

  it('retains a message when the operation binding says so: a late subscriber gets it', async () => {
    const transport = await open();
    const topic = `retained/${uniqueId()}`;
    const retain = { operation: { mqtt: { retain: true, qos: 1 } } };
    await transport.publish(message(topic, 'last known state'), { bindings: retain });
    const late = await open();
    const { received, handler } = collector();
    await late.subscribe(pattern(topic), handler);
    await eventually(() => received.length === 1, 'the retained message');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('last known state');
    expect(rawPacket(received[0]).retain).toBe(true);
    await transport.publish({ address: topic, payload: new Uint8Array(), headers: {} }, { bindings: retain });
  });

  it('sends MQTT 5 properties from the message and operation bindings', async () => {
    const transport = await open();
    const run = uniqueId();
    const { received, handler } = collector();
    await transport.subscribe(pattern(`props/${run}`), handler);
    await transport.publish(message(`props/${run}`, '{}', { contentType: 'application/json' }), {
      bindings: {
        operation: { mqtt: { messageExpiryInterval: 60 } },
        message: { mqtt: { contentType: 'application/vnd.reading+json', payloadFormatIndicator: 1, responseTopic: `props/${run}/replies` } },
      },
    });
    await eventually(() => received.length === 1, 'the message');
    const properties = rawPacket(received[0]).properties;
    expect(properties?.contentType).toBe('application/vnd.reading+json');
    expect(properties?.payloadFormatIndicator).toBe(true);
    expect(properties?.messageExpiryInterval).toBeGreaterThan(50);
    expect(received[0]?.replyTo).toBe(`props/${run}/replies`);
  });

  it('shares deliveries among a queue group (MQTT 5 shared subscriptions)', async () => {
    const run = uniqueId();
    const members = [collector(), collector()];
    for (const member of members) {
      const transport = await open();
      await transport.subscribe(pattern(`g/${run}/{n}`), member.handler, { queueGroup: 'workers' });
    }
    const publisher = await open();
    for (let index = 0; index < 10; index += 1) await publisher.publish(message(`g/${run}/${index}`, String(index)));
    await eventually(() => members[0]!.received.length + members[1]!.received.length === 10, 'ten deliveries in total');
    await sleep(150);
    expect(members.map((member) => member.received.length).every((count) => count > 0 && count < 10)).toBe(true);
  });

  it('refuses topic names with wildcards and payloads that are not bytes', async () => {
    const transport = await open();
    await expect(transport.publish(message('a/+/b', 'x'))).rejects.toThrow(/not a valid MQTT topic/);
    await expect(transport.publish(message('', 'x'))).rejects.toThrow(/not a valid MQTT topic/);
    await expect(transport.publish({ address: 'a/b', payload: 'text' as unknown as Uint8Array, headers: {} })).rejects.toThrow(TypeError);
  });

  it('interoperates with a plain mqtt.js client: its request gets an answer on its response topic', async () => {
    const transport = await open();
    const run = uniqueId();
    await transport.subscribe(pattern(`plain/${run}/q`), async (inbound) => {
      await inbound.reply?.({ payload: bytes('pong'), headers: {} });
      return 'ack';
    });
    const plain = await connectAsync(MQTT_URL, { protocolVersion: 5 });
    try {
      const answers: Array<{ payload: string; correlation: string | undefined }> = [];
      plain.on('message', (_topic, payload, packet) => answers.push({ payload: payload.toString(), correlation: packet.properties?.correlationData?.toString('hex') }));
      await plain.subscribeAsync(`plain/${run}/answers`, { qos: 1 });
      await plain.publishAsync(`plain/${run}/q`, 'ping', {
        qos: 1,
        properties: { responseTopic: `plain/${run}/answers`, correlationData: Buffer.from([0xff, 0x00, 0x7f]) },
      });
      await eventually(() => answers.length === 1, 'the answer');
      expect(answers[0]).toEqual({ payload: 'pong', correlation: 'ff007f' });
    } finally {
      await plain.endAsync();
    }
  });
});

describe.skipIf(!available)('MQTT transport over Mosquitto (MQTT 3.1.1)', () => {
  it('delivers messages, drops headers with one warning, and refuses requests clearly', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const transport = await open({ protocolVersion: 4 });
    expect(transport.protocolVersion).toBe(4);
    const run = uniqueId();
    const { received, handler } = collector();
    await transport.subscribe(pattern(`v4/${run}/{id}`), handler);
    await transport.publish(message(`v4/${run}/a`, 'one', { headers: { unit: 'celsius' }, contentType: 'application/json' }));
    await transport.publish(message(`v4/${run}/b`, 'two', { headers: { unit: 'kelvin' } }));
    await eventually(() => received.length === 2, 'both messages');
    expect(received[0]?.headers).toEqual({});
    expect(received[0]?.contentType).toBeUndefined();
    const headerWarnings = warn.mock.calls.filter(([text]) => String(text).includes('cannot carry message headers'));
    expect(headerWarnings).toHaveLength(1);
    await expect(transport.request(message(`v4/${run}/q`, 'x'), { timeoutMs: 500 })).rejects.toThrow(/needs MQTT 5/);
  });

  it('ignores queue groups with a warning (no shared subscriptions before MQTT 5)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const transport = await open({ protocolVersion: 4 });
    const run = uniqueId();
    const { received, handler } = collector();
    await transport.subscribe(pattern(`v4g/${run}`), handler, { queueGroup: 'workers' });
    await transport.publish(message(`v4g/${run}`, 'x'));
    await eventually(() => received.length === 1, 'the message');
    expect(warn.mock.calls.some(([text]) => String(text).includes("queue group 'workers' is ignored"))).toBe(true);
  });
});
