/**
 * Losing the broker: the mock cluster's broker is taken down (its connections
 * closed, new ones refused) and brought back. A loopback TCP proxy between
 * kafkajs and the mock would not cut everything: after bootstrapping, Kafka
 * clients connect to the addresses the brokers advertise (the mock's own
 * ports), so only the bootstrap connection would go through the proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { createKafkaTransport, type KafkaTransport } from '../../../src/runtime/transports/kafka.js';
import { startKafkaMock, type KafkaMock } from '../../support/kafka-mock.js';
import { TEST_OPTIONS, bytes, eventually, pattern, runId, sleep, text } from './helpers.js';

const mock = await startKafkaMock();

describe.skipIf(mock === undefined)('Kafka transport when the broker goes away and comes back', () => {
  const cluster = mock as KafkaMock;
  const run = runId();
  // A short session, so that a member the broker lost is replaced quickly.
  const consumer = { sessionTimeout: 4000, heartbeatInterval: 500 };
  const retry = { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 };
  // Connection errors are the point here; kafkajs would print each one.
  const quiet = { logLevel: logLevel.NOTHING };
  let sender: KafkaTransport;
  let receiver: KafkaTransport;

  beforeAll(async () => {
    [sender, receiver] = await Promise.all([
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, ...quiet, consumer, retry }),
      createKafkaTransport({ url: cluster.url, ...TEST_OPTIONS, ...quiet, consumer, retry }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await cluster.setBrokerUp(1).catch(() => undefined);
    await Promise.allSettled([sender?.close(), receiver?.close()]);
    await cluster.stop();
  }, 30_000);

  it('a publish during an outage longer than the consumer session is retried; delivery resumes, nothing is lost or repeated', async () => {
    const topic = `long.${run}.events`;
    const received: string[] = [];
    const subscription = await receiver.subscribe(pattern(topic), async (message) => (received.push(text(message)), 'ack'));
    await sender.publish({ address: topic, payload: bytes('before'), headers: {}, key: 'one-partition' });
    await eventually(() => received.includes('before'), 'the message before the outage');

    await cluster.setBrokerDown(1);
    const duringOutage = sender.publish({ address: topic, payload: bytes('during'), headers: {}, key: 'one-partition' });
    await sleep(5000);
    await cluster.setBrokerUp(1);
    await duringOutage;
    await sender.publish({ address: topic, payload: bytes('after'), headers: {}, key: 'one-partition' });

    await eventually(() => received.includes('after'), 'the message after the outage', 40_000);
    await sleep(300);
    expect(received).toEqual(['before', 'during', 'after']);
    await subscription.unsubscribe();
  }, 60_000);
});
