/**
 * Lost connections: a loopback TCP proxy the test controls sits between a
 * transport and Mosquitto; cutting it drops the connection, restoring it lets
 * mqtt.js reconnect. What is promised:
 * - clean session (the default): the transport reconnects and resubscribes,
 *   messages flow again; what was published while it was away is lost.
 * - persistent session (fixed clientId, `clean: false`, and on MQTT 5 a
 *   session expiry): QoS 1 messages published while it was away arrive after
 *   the reconnection, in order, once each. A message whose acknowledgement
 *   the cut swallowed comes again, flagged DUP: QoS 1 is at least once.
 * - a persistent session resumed by a new transport (a restarted process):
 *   what the broker kept arrives at the first matching subscription.
 * - publishing while disconnected waits and is sent after the reconnection.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectAsync } from 'mqtt';
import type { InboundMessage } from '../../../src/runtime/core/transport.js';
import { createMqttTransport, type MqttTransport } from '../../../src/runtime/transports/mqtt.js';
import { BROKERS, brokerAvailable } from '../../support/brokers.js';
import { MQTT_URL, collector, eventually, message, pattern, sleep, startProxy, text, uniqueId, type CuttableProxy } from './helpers.js';

const available = await brokerAvailable('mqtt');

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.restoreAllMocks();
});

async function proxy(): Promise<CuttableProxy> {
  const started = await startProxy(BROKERS.mqtt);
  cleanups.push(() => started.close());
  return started;
}

async function open(options: Parameters<typeof createMqttTransport>[0]): Promise<MqttTransport> {
  const transport = await createMqttTransport(options);
  cleanups.push(() => transport.close());
  return transport;
}

/** Removes a persistent session from the broker. */
async function forgetSession(clientId: string, protocolVersion: 4 | 5): Promise<void> {
  const client = await connectAsync(MQTT_URL, { clientId, clean: true, protocolVersion });
  await client.endAsync();
}

/** True for an MQTT PUBLISH the broker flagged as a redelivery (DUP). */
function isDuplicateDelivery(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'dup' in raw && raw.dup === true;
}

async function cutAndRestore(cuttable: CuttableProxy, transport: MqttTransport, whileCut: () => Promise<void>): Promise<void> {
  await cuttable.cut();
  await eventually(() => !transport.client.connected, 'the transport to notice the cut');
  await whileCut();
  await cuttable.restore();
  await eventually(() => transport.client.connected, 'the transport to reconnect', 10_000);
}

describe.skipIf(!available)('MQTT transport across lost connections', () => {
  it('clean session: reconnects and resubscribes; messages published meanwhile are lost', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cuttable = await proxy();
    const app = await open({ url: MQTT_URL });
    const receiver = await open({ url: cuttable.url, reconnectPeriod: 100 });
    const topic = `cut/${uniqueId()}`;
    const { received, handler } = collector();
    await receiver.subscribe(pattern(topic), handler);
    await app.publish(message(topic, 'before'));
    await eventually(() => received.length === 1, 'the message before the cut');

    await cutAndRestore(cuttable, receiver, async () => {
      await app.publish(message(topic, 'while cut'));
    });
    // The resubscription follows the reconnection; publish until it is active.
    for (let attempt = 0; !received.some((inbound) => text(inbound.payload) === 'after'); attempt += 1) {
      if (attempt > 50) throw new Error('no delivery after the reconnection');
      await app.publish(message(topic, 'after'));
      await sleep(100);
    }
    expect(received.map((inbound) => text(inbound.payload))).not.toContain('while cut');
  }, 30_000);

  for (const protocolVersion of [5, 4] as const) {
    it(`persistent session (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}): QoS 1 messages published while cut off arrive after the reconnection`, async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const cuttable = await proxy();
      const clientId = uniqueId('asyncapi-gen-test-');
      cleanups.push(() => forgetSession(clientId, protocolVersion));
      const app = await open({ url: MQTT_URL });
      const receiver = await open({
        url: cuttable.url,
        clientId,
        clean: false,
        protocolVersion,
        reconnectPeriod: 100,
        ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 30 } } : {}),
      });
      const topic = `persist/${uniqueId()}/{n}`;
      const { received, handler } = collector();
      await receiver.subscribe(pattern(topic), handler, { bindings: { operation: { mqtt: { qos: 1 } } } });
      const address = (n: number): string => topic.replace('{n}', String(n));
      const qos1 = { bindings: { operation: { mqtt: { qos: 1 } } } };
      const payloads = (): string[] => received.map((inbound) => text(inbound.payload));
      await app.publish(message(address(1), 'm1'), qos1);
      await eventually(() => received.length === 1, 'the message before the cut');

      await cutAndRestore(cuttable, receiver, async () => {
        await sleep(50);
        await app.publish(message(address(2), 'm2'), qos1);
        await app.publish(message(address(3), 'm3'), qos1);
      });
      await eventually(() => payloads().includes('m3'), 'the messages published while cut off');
      await app.publish(message(address(4), 'm4'), qos1);
      await eventually(() => payloads().includes('m4'), 'a message after the reconnection');
      await sleep(100);
      // QoS 1 is at least once: when the cut swallowed the acknowledgement of m1, the
      // broker sends m1 again on the resumed session, flagged as a duplicate. Nothing
      // else may repeat, and nothing may be lost or reordered.
      const repeated = received.slice(1).filter((inbound) => text(inbound.payload) === 'm1');
      expect(repeated.length).toBeLessThanOrEqual(1);
      for (const again of repeated) expect(isDuplicateDelivery(again.raw)).toBe(true);
      expect(payloads().filter((body, index) => index === 0 || body !== 'm1')).toEqual(['m1', 'm2', 'm3', 'm4']);
    }, 30_000);
  }

  it('persistent session: a delivery whose acknowledgement the cut swallowed comes again, flagged DUP (QoS 1 is at least once)', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cuttable = await proxy();
    const clientId = uniqueId('asyncapi-gen-test-');
    cleanups.push(() => forgetSession(clientId, 5));
    const app = await open({ url: MQTT_URL });
    const receiver = await open({ url: cuttable.url, clientId, clean: false, protocolVersion: 5, reconnectPeriod: 100, properties: { sessionExpiryInterval: 30 } });
    const topic = `dup/${uniqueId()}`;
    const received: InboundMessage[] = [];
    const qos1 = { bindings: { operation: { mqtt: { qos: 1 } } } };
    await receiver.subscribe(pattern(topic), async (inbound) => {
      received.push(inbound);
      // Handlers start as the message arrives, before mqtt.js writes the PUBACK: cutting here loses it.
      if (received.length === 1) void cuttable.cut();
      return 'ack';
    }, qos1);
    await app.publish(message(topic, 'once'), qos1);
    await eventually(() => received.length === 1 && !receiver.client.connected, 'the delivery and the cut');
    await cuttable.restore();
    await eventually(() => received.length === 2, 'the redelivery', 10_000);
    expect(received.map((inbound) => text(inbound.payload))).toEqual(['once', 'once']);
    expect(isDuplicateDelivery(received[0]?.raw)).toBe(false);
    expect(isDuplicateDelivery(received[1]?.raw)).toBe(true);
  }, 30_000);

  it('persistent session resumed by a new transport: messages kept by the broker reach the first matching subscription', async () => {
    const clientId = uniqueId('asyncapi-gen-test-');
    cleanups.push(() => forgetSession(clientId, 5));
    const app = await open({ url: MQTT_URL });
    const persistent = { url: MQTT_URL, clientId, clean: false } as const;
    const topic = `restart/${uniqueId()}`;
    const qos1 = { bindings: { operation: { mqtt: { qos: 1 } } } };
    const first = await createMqttTransport(persistent);
    await first.subscribe(pattern(`${topic}/{n}`), collector().handler, qos1);
    await first.close();
    await app.publish(message(`${topic}/1`, 'kept 1'), qos1);
    await app.publish(message(`${topic}/2`, 'kept 2'), qos1);
    const second = await open(persistent);
    await sleep(200);
    const { received, handler } = collector();
    await second.subscribe(pattern(`${topic}/{n}`), handler, qos1);
    await app.publish(message(`${topic}/3`, 'live'), qos1);
    await eventually(() => received.length === 3, 'the kept messages and the live one');
    expect(received.map((inbound) => text(inbound.payload))).toEqual(['kept 1', 'kept 2', 'live']);
  }, 30_000);

  it('a publication made while disconnected is sent once the connection is back', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const cuttable = await proxy();
    const listener = await open({ url: MQTT_URL });
    const sender = await open({ url: cuttable.url, reconnectPeriod: 100 });
    const topic = `queued/${uniqueId()}`;
    const { received, handler } = collector();
    await listener.subscribe(pattern(topic), handler);
    let sent = false;
    await cutAndRestore(cuttable, sender, async () => {
      void sender.publish(message(topic, 'queued while cut')).then(() => {
        sent = true;
      });
      await sleep(150);
      expect(sent).toBe(false);
    });
    await eventually(() => sent && received.length === 1, 'the queued publication');
    expect(text(received[0]?.payload ?? new Uint8Array())).toBe('queued while cut');
  }, 30_000);
});
