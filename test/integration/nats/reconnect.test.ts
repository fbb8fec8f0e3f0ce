/** Connection loss: a TCP proxy between the transport and nats-server is cut and restored. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { createNatsTransport, type NatsTransport, type NatsTransportOptions } from '../../../src/runtime/transports/nats.js';
import { brokerAvailable } from '../../support/brokers.js';
import { NATS_URL, collector, eventually, message, pattern, startProxy, text, uniqueId, type CuttableProxy } from './helpers.js';

const available = await brokerAvailable('nats');

/** Resolves on the connection's next status event of this type. */
async function nextStatus(connection: NatsConnection, type: 'disconnect' | 'reconnect'): Promise<void> {
  for await (const status of connection.status()) {
    if (status.type === type) return;
  }
}

describe.skipIf(!available)('NATS transport across a lost connection', () => {
  let proxy: CuttableProxy;
  const opened: NatsTransport[] = [];

  beforeAll(async () => {
    proxy = await startProxy();
  });
  afterAll(async () => {
    await proxy?.close();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
  });

  async function transport(url: string, extra: NatsTransportOptions = {}): Promise<NatsTransport> {
    const created = await createNatsTransport({ url, reconnectTimeWait: 100, reconnectJitter: 0, ignoreClusterUpdates: true, ...extra });
    opened.push(created);
    return created;
  }

  async function cutAndRestore(behindProxy: NatsTransport): Promise<void> {
    const disconnected = nextStatus(behindProxy.connection, 'disconnect');
    await proxy.cut();
    await disconnected;
    const reconnected = nextStatus(behindProxy.connection, 'reconnect');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await proxy.restore();
    await reconnected;
  }

  it('resubscribes after the connection comes back: messages flow again both ways', async () => {
    const subject = `reconnect.${uniqueId()}`;
    const direct = await transport(NATS_URL);
    const proxied = await transport(proxy.url);
    const atProxied = collector();
    const atDirect = collector();
    await proxied.subscribe(pattern(`${subject}.in`), atProxied.handler);
    await direct.subscribe(pattern(`${subject}.out`), atDirect.handler);
    await direct.publish(message(`${subject}.in`, 'before'));
    await eventually(() => atProxied.received.length === 1, 'the message before the cut');

    await cutAndRestore(proxied);
    await proxied.connection.flush();

    await direct.publish(message(`${subject}.in`, 'after'));
    await proxied.publish(message(`${subject}.out`, 'sent after'));
    await eventually(() => atProxied.received.length === 2, 'the message after the cut');
    await eventually(() => atDirect.received.length === 1, 'the message sent after the cut');
    expect(atProxied.received.map((m) => text(m.payload))).toEqual(['before', 'after']);
    const answerer = collector();
    await proxied.subscribe(pattern(`${subject}.ask`), async (inbound) => {
      await inbound.reply?.({ payload: inbound.payload, headers: {} });
      return answerer.handler(inbound);
    });
    const answer = await direct.request(message(`${subject}.ask`, 'still there?'), { timeoutMs: 2000 });
    expect(text(answer.payload)).toBe('still there?');
  });

  describe('with JetStream', () => {
    const id = uniqueId('rc');
    const stream = `ASYNCAPI_GEN_TEST_${id}`;
    let admin: NatsConnection;
    let manager: JetStreamManager;

    beforeAll(async () => {
      admin = await connect({ servers: NATS_URL });
      manager = await jetstreamManager(admin);
      await manager.streams.add({ name: stream, subjects: [`${id}.>`] });
    });
    afterAll(async () => {
      await manager?.streams.delete(stream).catch(() => false);
      await admin?.close();
    });

    it('a durable consumer keeps delivering, including what was stored during the outage', async () => {
      const subject = `${id}.events`;
      const publisher = await transport(NATS_URL, { jetstream: { stream } });
      // A message the server sent towards the dying connection comes back after the ack wait.
      const proxied = await transport(proxy.url, { jetstream: { stream, durable: `d${id}`, ackWaitMs: 2_000 } });
      const got = collector();
      await proxied.subscribe(pattern(subject), got.handler, { operation: 'events' });
      await publisher.publish(message(subject, '1'));
      await eventually(() => got.received.length === 1, 'the message before the cut');

      const disconnected = nextStatus(proxied.connection, 'disconnect');
      await proxy.cut();
      await disconnected;
      await publisher.publish(message(subject, '2'));
      const reconnected = nextStatus(proxied.connection, 'reconnect');
      await proxy.restore();
      await reconnected;
      await publisher.publish(message(subject, '3'));
      const payloads = (): string[] => got.received.map((m) => text(m.payload));
      await eventually(() => payloads().includes('2') && payloads().includes('3'), 'the messages during and after the cut', 20_000);

      expect(payloads()[0]).toBe('1');
      const seen = new Set<string>();
      for (const delivery of got.received) {
        const payload = text(delivery.payload);
        // At least once: a repeat is only ever a flagged redelivery.
        if (seen.has(payload)) expect((delivery.raw as JsMsg).redelivered, `repeat of ${payload}`).toBe(true);
        seen.add(payload);
      }
      expect([...seen].sort()).toEqual(['1', '2', '3']);
    }, 30_000);
  });
});
